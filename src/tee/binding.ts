/**
 * What a TEE attestation binds: an inference result to the one request it answers.
 *
 *   user_data = keccak256(abi.encode("inferchain.tee.v1", uint256 chainId, bytes32 requestId,
 *                                    string modelCid, bytes32 inputHash, bytes32 outputHash))
 *   nonce     = requestId
 *
 * `abi.encode` + keccak256 (as VANILLA's digest) so a contract can recompute it. The request id is
 * `keccak256(txHash ‖ callIndex)`, unique per call, and the chain id separates chains: a document
 * issued for one request can never stand for another (the nonce says which request it was issued
 * for, which tells a replay from a forgery in the rejection reason).
 */
import { bytesToHex, type Hex } from 'viem'
import { keccak256 } from '../crypto/native.js'
import { encodeParameters, type AbiType } from '../evm/abi-codec.js'
import { equalBytes } from './cose.js'
import type { AttestationDocument } from './document.js'
import { TeeError } from './errors.js'

/** Domain separator of every TEE binding. */
export const TEE_BINDING_DOMAIN = 'inferchain.tee.v1'

export interface TeeBinding {
  chainId: bigint
  /** keccak256(txHash ‖ callIndex) of the call the result answers. */
  requestId: Hex
  modelCid: string
  inputHash: Hex
  outputHash: Hex
}

const PARAMS = [
  { key: 'domain', type: { kind: 'string' } },
  { key: 'chainId', type: { kind: 'uint', bits: 256 } },
  { key: 'requestId', type: { kind: 'uint', bits: 256 } },
  { key: 'modelCid', type: { kind: 'string' } },
  { key: 'inputHash', type: { kind: 'uint', bits: 256 } },
  { key: 'outputHash', type: { kind: 'uint', bits: 256 } },
] satisfies Array<{ key: string; type: AbiType }>

/**
 * The 32 bytes a document's `user_data` must hold for `binding`.
 *
 * @example
 * const userData = teeUserData({ chainId: 424242n, requestId, modelCid, inputHash, outputHash })
 */
export function teeUserData(binding: TeeBinding): Uint8Array {
  // bytes32 encodes exactly as uint256 of the same bytes, which the fast codec writes.
  return keccak256(
    encodeParameters(PARAMS, {
      domain: TEE_BINDING_DOMAIN,
      chainId: binding.chainId,
      requestId: BigInt(binding.requestId),
      modelCid: binding.modelCid,
      inputHash: BigInt(binding.inputHash),
      outputHash: BigInt(binding.outputHash),
    }),
  )
}

/** The nonce a document for `requestId` carries: the request id's 32 bytes. */
export function teeNonce(requestId: Hex): Uint8Array {
  return Uint8Array.from(Buffer.from(requestId.slice(2), 'hex'))
}

/**
 * Checks that `doc` was issued for exactly `binding`.
 *
 * @throws TeeError ATTESTATION_REPLAY (issued for another request), BINDING_MISMATCH (another chain, model, input or output)
 */
export function checkBinding(doc: AttestationDocument, binding: TeeBinding): void {
  const nonce = teeNonce(binding.requestId)
  if (doc.nonce === null || doc.nonce.length !== nonce.length) {
    throw new TeeError('BINDING_MISMATCH', `the attestation carries no request id as its nonce (expected ${binding.requestId})`)
  }
  if (!equalBytes(doc.nonce, nonce)) {
    throw new TeeError('ATTESTATION_REPLAY', `the attestation was issued for request ${bytesToHex(doc.nonce)}, not ${binding.requestId}`, {
      details: { issuedFor: bytesToHex(doc.nonce), usedFor: binding.requestId },
    })
  }
  const expected = teeUserData(binding)
  if (doc.userData === null || !equalBytes(doc.userData, expected)) {
    throw new TeeError(
      'BINDING_MISMATCH',
      `user_data ${doc.userData === null ? 'is absent' : bytesToHex(doc.userData)} does not bind chain ${binding.chainId}, model ${binding.modelCid}, input ${binding.inputHash} and output ${binding.outputHash} (expected ${bytesToHex(expected)})`,
      { details: { userData: doc.userData && bytesToHex(doc.userData), expected: bytesToHex(expected) } },
    )
  }
}
