/**
 * How a full node checks the evidence of an inference record it did not compute. One verifier per
 * mode; the importer looks them up by the record's mode and never knows what they check.
 */
import type { Hex } from 'viem'
import type { InferenceRecord } from '../evm/records.js'
import type { ModelInferenceMode } from '../evm/types.js'

/** What verifiers may ask about the chain, always as of the parent of the block being imported. */
export interface VerificationContext {
  /** Whether `node` is registered in NodeRegistry as serving `modelCid`. */
  isServing(node: Hex, modelCid: string): Promise<boolean>
  blockNumber: bigint
  blockTimestamp: bigint
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
