/**
 * How a full node checks the evidence of an inference record it did not compute. One verifier per
 * mode; the importer looks them up by the record's mode and never knows what they check.
 */
import type { Hex } from 'viem'
import type { InferenceRecord } from '../evm/records.js'
import type { ModelInferenceMode } from '../evm/types.js'
import type { TrustedRoot } from '../tee/roots.js'

/** What verifiers may ask about the chain, always as of the parent of the block being verified. */
export interface VerificationContext {
  /** Whether `node` is registered in NodeRegistry as serving `modelCid`. */
  isServing(node: Hex, modelCid: string): Promise<boolean>
  blockNumber: bigint
  blockTimestamp: bigint
  chainId: bigint
  /** What TEE evidence is checked against. */
  tee: TeeVerificationContext
}

export interface TeeVerificationContext {
  /** Chain configuration: the roots attestation documents must chain to. */
  trustedRoots: readonly TrustedRoot[]
  /** Whether NodeRegistry allows this enclave image measurement (PCR0, 0x-hex). */
  isMeasurementAllowed(measurement: Hex): Promise<boolean>
  /** The enclave key `node` registered in NodeRegistry (SPKI DER, 0x-hex), if any. */
  enclaveKeyOf(node: Hex): Promise<Hex | undefined>
}

export type VerificationOutcome =
  | { status: 'verified' }
  /** Evidence that may arrive later (ZK proofs due within N blocks). */
  | { status: 'pending'; dueBlock: bigint }
  | { status: 'rejected'; reason: string }

export interface RecordVerifier {
  readonly mode: ModelInferenceMode
  verify(record: InferenceRecord, context: VerificationContext): Promise<VerificationOutcome>
}
