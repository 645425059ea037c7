/**
 * TEE records. The result is signed by the node (as VANILLA, over mode TEE) and carries an
 * attestation document; it is accepted only if, as of the parent block:
 *   - the signature recovers to the record's node, which serves the model, and the output hash is
 *     the hash of the output carried;
 *   - the document verifies: COSE ES384, a certificate chain to a root pinned in the chain's
 *     configuration, every certificate valid at the block's timestamp (`src/tee/verify.ts`);
 *   - it was issued for this request (nonce = request id) and binds this chain, model, input and
 *     output (`user_data`, `src/tee/binding.ts`) — so a document is good for one record only;
 *   - its PCR0 is on NodeRegistry's allowlist of measurements;
 *   - its `public_key` is the enclave key the node registered.
 * Each failure is rejected with the code of the check that failed. Failed calls carry no evidence.
 */
import { bytesToHex, type Hex } from 'viem'
import type { InferenceRecord } from '../evm/records.js'
import { ModelInferenceMode } from '../evm/types.js'
import { checkBinding } from '../tee/binding.js'
import { TeeError } from '../tee/errors.js'
import { verifyAttestation } from '../tee/verify.js'
import type { RecordVerifier, VerificationContext, VerificationOutcome } from './types.js'
import { signedResultProblem } from './vanilla-verifier.js'

export const teeVerifier: RecordVerifier = {
  mode: ModelInferenceMode.TEE,
  async verify(record: InferenceRecord, context: VerificationContext): Promise<VerificationOutcome> {
    if (record.status === 'error') return { status: 'verified' }
    const problem = signedResultProblem(record)
    if (problem !== undefined) return { status: 'rejected', reason: problem }
    try {
      await checkTeeEvidence(record as InferenceRecord & { node: Hex; outputHash: Hex }, context)
    } catch (err) {
      if (err instanceof TeeError) return { status: 'rejected', reason: `${err.code}: ${err.shortMessage}` }
      throw err
    }
    if (!(await context.isServing(record.node!, record.modelCid))) {
      return { status: 'rejected', reason: `signer ${record.node} is not registered for model ${record.modelCid} as of block ${context.blockNumber - 1n}` }
    }
    return { status: 'verified' }
  },
}

async function checkTeeEvidence(record: InferenceRecord & { node: Hex; outputHash: Hex }, context: VerificationContext): Promise<void> {
  if (record.attestation === undefined) throw new TeeError('MISSING_ATTESTATION', 'a TEE record must carry its attestation document')
  // Buffer's hex decoder (a few KiB per record, 3× faster than viem's) stops at the first non-hex
  // digit: a short result means the field is not hex.
  // Records come from JSON a producer wrote: do not trust the field's type either.
  const hex: unknown = record.attestation
  if (typeof hex !== 'string') throw new TeeError('MALFORMED_ATTESTATION', 'the attestation is not a hex string')
  const bytes = new Uint8Array(Buffer.from(hex.slice(2), 'hex'))
  if (!hex.startsWith('0x') || hex.length % 2 !== 0 || bytes.length !== (hex.length - 2) / 2) {
    throw new TeeError('MALFORMED_ATTESTATION', 'the attestation is not 0x-prefixed hex bytes')
  }
  const { document, measurement } = verifyAttestation(bytes, {
    trustedRoots: context.tee.trustedRoots,
    atMs: Number(context.blockTimestamp) * 1000,
  })
  checkBinding(document, {
    chainId: context.chainId,
    requestId: record.requestId,
    modelCid: record.modelCid,
    inputHash: record.inputHash,
    outputHash: record.outputHash,
  })
  const pcr0 = bytesToHex(measurement)
  if (!(await context.tee.isMeasurementAllowed(pcr0))) {
    throw new TeeError('MEASUREMENT_NOT_ALLOWED', `enclave measurement ${pcr0} is not on NodeRegistry's allowlist as of block ${context.blockNumber - 1n}`, {
      details: { measurement: pcr0 },
    })
  }
  const registered = await context.tee.enclaveKeyOf(record.node)
  const presented = document.publicKey === null ? undefined : bytesToHex(document.publicKey)
  if (registered === undefined || presented === undefined || registered.toLowerCase() !== presented.toLowerCase()) {
    throw new TeeError('ENCLAVE_KEY_MISMATCH', `the attestation's public key ${presented ?? '(none)'} is not the enclave key node ${record.node} registered (${registered ?? 'none'})`, {
      details: { presented, registered },
    })
  }
}
