/**
 * Why an attestation document was refused. Every rejection has its own stable code, so a block's
 * rejection reason, a test and an operator's log all name the same check. Nothing else escapes the
 * verifier: malformed input of any shape ends as `MALFORMED_ATTESTATION`, never as a stray TypeError.
 */
import { InferchainError } from '../errors.js'

export type TeeErrorCode =
  /** Not a COSE_Sign1 over a CBOR attestation document of the expected shape (truncated, bad CBOR, wrong types). */
  | 'MALFORMED_ATTESTATION'
  /** The COSE protected header names an algorithm other than ES384. */
  | 'UNSUPPORTED_ALGORITHM'
  /** The COSE signature does not verify with the leaf certificate's key. */
  | 'BAD_ATTESTATION_SIGNATURE'
  /** A certificate does not parse, or is not fit for its place in the chain (CA flag, key type). */
  | 'BAD_CERTIFICATE'
  /** A certificate is not issued and signed by the one before it in the chain. */
  | 'BAD_CERTIFICATE_CHAIN'
  /** The chain's root (`cabundle[0]`) is not one of the pinned roots. */
  | 'UNKNOWN_ROOT'
  | 'CERTIFICATE_EXPIRED'
  | 'CERTIFICATE_NOT_YET_VALID'
  /** PCR0 (the enclave image measurement) is not on the on-chain allowlist. */
  | 'MEASUREMENT_NOT_ALLOWED'
  /** `user_data` does not commit to this record's chain, request, model, input and output. */
  | 'BINDING_MISMATCH'
  /** The document was issued for another request (its nonce names a different request id). */
  | 'ATTESTATION_REPLAY'
  /** The document's `public_key` is not the enclave key the node registered. */
  | 'ENCLAVE_KEY_MISMATCH'
  /** A TEE record carries no attestation document. */
  | 'MISSING_ATTESTATION'
  /** The development enclave could not measure the inference node's code (not built?). */
  | 'MEASUREMENT_UNAVAILABLE'

/**
 * A TEE attestation that does not verify, or a TEE backend that cannot attest; `code` says which.
 *
 * @example
 * try { verifyAttestation(bytes, { trustedRoots, at }) } catch (err) { if (err instanceof TeeError) log(err.code) }
 */
export class TeeError extends InferchainError {
  override readonly name = 'TeeError' as const
  declare readonly code: TeeErrorCode
  constructor(code: TeeErrorCode, shortMessage: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(code, shortMessage, options)
  }
}
