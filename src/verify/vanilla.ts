/**
 * VANILLA mode: an inference node signs `(modelCid, mode, inputHash, outputHash)` with its registered
 * secp256k1 key; anyone recovers the signer and compares it with the node registry. Trust = identity.
 *
 * The digest is plain `keccak256(abi.encode(...))` (no EIP-191 prefix) so a Solidity contract can
 * recompute it with `abi.encode` and check it with `ecrecover`. The domain string keeps these
 * signatures from ever being valid for anything else the same key signs.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { hexToBytes, isHex, toHex, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { addressOfPublicKey, checksumAddress, keccak256, recoverPublicKey, signDigest } from '../crypto/native.js'
import { encodeParameters, type AbiType } from '../evm/abi-codec.js'
import { hashModelOutput } from '../evm/abi.js'
import type { ModelInferenceMode, SignedInferenceResult } from '../evm/types.js'
import { InferchainError } from '../errors.js'

/** Domain separator of every VANILLA inference signature. */
export const VANILLA_DOMAIN = 'inferchain.inference.v1'

/** The four fields a VANILLA signature commits to. */
export interface VanillaFields {
  modelCid: string
  mode: ModelInferenceMode
  inputHash: Hex
  outputHash: Hex
}

export type VanillaErrorCode = 'BAD_SIGNATURE' | 'OUTPUT_HASH_MISMATCH' | 'INPUT_HASH_MISMATCH'

/** A VANILLA result that does not verify; `code` says which check failed. */
export class VanillaVerificationError extends InferchainError {
  override readonly name = 'VanillaVerificationError' as const
  declare readonly code: VanillaErrorCode
  constructor(code: VanillaErrorCode, shortMessage: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(code, shortMessage, options)
  }
}

/**
 * The 32-byte digest a VANILLA signature signs:
 * `keccak256(abi.encode("inferchain.inference.v1", modelCid, uint8 mode, inputHash, outputHash))`.
 *
 * @example
 * const digest = vanillaDigest({ modelCid, mode: ModelInferenceMode.VANILLA, inputHash, outputHash })
 */
export function vanillaDigest(fields: VanillaFields): Hex {
  // bytes32 encodes exactly as uint256 of the same bytes, which the fast codec writes.
  const encoded = encodeParameters(DIGEST_PARAMS, {
    domain: VANILLA_DOMAIN,
    modelCid: fields.modelCid,
    mode: fields.mode,
    inputHash: BigInt(fields.inputHash),
    outputHash: BigInt(fields.outputHash),
  })
  return toHex(keccak256(encoded))
}

const DIGEST_PARAMS = [
  { key: 'domain', type: { kind: 'string' } },
  { key: 'modelCid', type: { kind: 'string' } },
  { key: 'mode', type: { kind: 'uint', bits: 8 } },
  { key: 'inputHash', type: { kind: 'uint', bits: 256 } },
  { key: 'outputHash', type: { kind: 'uint', bits: 256 } },
] satisfies Array<{ key: string; type: AbiType }>

/** Addresses derived per key; deriving one costs a point multiplication, signing happens per request. */
const addressCache = new Map<Hex, Address>()

function addressOf(privateKey: Hex): Address {
  let address = addressCache.get(privateKey)
  if (address === undefined) {
    address = privateKeyToAccount(privateKey).address
    addressCache.set(privateKey, address)
  }
  return address
}

/**
 * Signs a result's fields with the node key: a 65-byte `r || s || v` signature, `v` ∈ {27, 28}, low-s
 * (the format `ecrecover` and viem's `recoverAddress` accept).
 *
 * @example
 * const { node, signature } = signInferenceResult(privateKey, { modelCid, mode, inputHash, outputHash })
 */
export function signInferenceResult(privateKey: Hex, fields: VanillaFields): { node: Address; signature: Hex } {
  const { signature: rs, recovery } = signDigest(hexToBytes(vanillaDigest(fields)), hexToBytes(privateKey))
  const signature = new Uint8Array(65)
  signature.set(rs, 0)
  signature[64] = 27 + recovery
  return { node: addressOf(privateKey), signature: toHex(signature) }
}

/**
 * Recovers the address that signed a result, from the digest recomputed from the result's own fields.
 * `result.node` is not trusted (not even read). Throws `BAD_SIGNATURE` for malformed, high-s or
 * unrecoverable signatures.
 *
 * @example
 * const signer = recoverInferenceSigner(result) // compare with the node registry
 */
export function recoverInferenceSigner(result: Pick<SignedInferenceResult, keyof VanillaFields | 'signature'>): Address {
  const compact = parseSignature(result.signature)
  let publicKey: Uint8Array
  try {
    publicKey = recoverPublicKey(hexToBytes(vanillaDigest(result)), compact.subarray(1), compact[0]!)
  } catch (cause) {
    throw new VanillaVerificationError('BAD_SIGNATURE', 'signature does not recover to a public key', { cause })
  }
  return checksumAddress(addressOfPublicKey(publicKey))
}

/**
 * Fully checks a VANILLA result: the output hash is the canonical hash of the output carried, the
 * input hash is the expected one (when given), and the signature recovers to `result.node` (and to
 * `expected.signer` when given). Returns the signer's address.
 *
 * @example
 * const signer = verifyVanillaResult(result, { inputHash: hashModelInput(input) })
 */
export function verifyVanillaResult(
  result: SignedInferenceResult,
  expected: { inputHash?: Hex; signer?: Address } = {},
): Address {
  const outputHash = hashModelOutput(result.output)
  if (outputHash.toLowerCase() !== result.outputHash.toLowerCase()) {
    throw new VanillaVerificationError('OUTPUT_HASH_MISMATCH', `output hash ${result.outputHash} does not match the output (${outputHash})`, {
      details: { claimed: result.outputHash, actual: outputHash },
    })
  }
  if (expected.inputHash !== undefined && expected.inputHash.toLowerCase() !== result.inputHash.toLowerCase()) {
    throw new VanillaVerificationError('INPUT_HASH_MISMATCH', `input hash ${result.inputHash} is not the expected ${expected.inputHash}`, {
      details: { claimed: result.inputHash, expected: expected.inputHash },
    })
  }
  const signer = recoverInferenceSigner(result)
  for (const claimed of [result.node, expected.signer]) {
    if (claimed !== undefined && !sameAddress(claimed, signer)) {
      throw new VanillaVerificationError('BAD_SIGNATURE', `signature recovers to ${signer}, not ${claimed}`, {
        details: { claimed, recovered: signer },
      })
    }
  }
  return signer
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}

/**
 * The secp256k1 group order n and ⌊n/2⌋, big-endian: r and s are checked as bytes (a BigInt parse
 * per signature showed in profiles of the dispatch path; 32-byte big-endian compares order as numbers).
 */
const ORDER = Buffer.from(secp256k1.Point.CURVE().n.toString(16).padStart(64, '0'), 'hex')
const HALF_ORDER = Buffer.from((secp256k1.Point.CURVE().n >> 1n).toString(16).padStart(64, '0'), 'hex')
const ZERO = Buffer.alloc(32)

/** 0 < x < n, the range of r and s. */
function inScalarRange(x: Uint8Array): boolean {
  return Buffer.compare(x, ZERO) > 0 && Buffer.compare(x, ORDER) < 0
}

/** Splits `r || s || v` into noble's 'recovered' layout (`recovery || r || s`), rejecting malleable forms. */
function parseSignature(signature: Hex): Uint8Array {
  if (!isHex(signature, { strict: true }) || signature.length !== 2 + 65 * 2) {
    throw new VanillaVerificationError('BAD_SIGNATURE', 'signature must be 65 bytes of hex (r || s || v)', { details: { signature } })
  }
  const bytes = hexToBytes(signature)
  const v = bytes[64]!
  if (v !== 27 && v !== 28) {
    throw new VanillaVerificationError('BAD_SIGNATURE', `signature v must be 27 or 28, got ${v}`, { details: { v } })
  }
  const r = bytes.subarray(0, 32)
  const s = bytes.subarray(32, 64)
  if (!inScalarRange(r) || !inScalarRange(s)) {
    throw new VanillaVerificationError('BAD_SIGNATURE', 'signature r or s is out of range', {})
  }
  // A high-s twin of a valid signature recovers to the same key; accepting one form only keeps
  // signatures unique (the same rule as Ethereum transactions, EIP-2).
  if (Buffer.compare(s, HALF_ORDER) > 0) {
    throw new VanillaVerificationError('BAD_SIGNATURE', 'signature s is in the upper half of the curve order', {})
  }
  const out = new Uint8Array(65)
  out[0] = v - 27
  out.set(bytes.subarray(0, 64), 1)
  return out
}

