/**
 * OPTIMISTIC records are accepted at import on the same checks as VANILLA ones — a signature over
 * (model, mode, input hash, output hash) by a node registered for the model as of the parent block.
 * Their truth is not checked here but bonded: the precompile opened a claim in InferenceSettlement
 * against the node's stake (refusing unbonded nodes), and for `challengeWindow` blocks anyone may
 * have the model re-executed on chain (`src/optimistic/`). The record's settlement status is read
 * from that contract (`src/optimistic/record-status.ts`).
 */
import type { InferenceRecord } from '../evm/records.js'
import { ModelInferenceMode } from '../evm/types.js'
import type { RecordVerifier, VerificationContext, VerificationOutcome } from './types.js'
import { vanillaVerifier } from './vanilla-verifier.js'

export const optimisticVerifier: RecordVerifier = {
  mode: ModelInferenceMode.OPTIMISTIC,
  verify(record: InferenceRecord, context: VerificationContext): Promise<VerificationOutcome> {
    return vanillaVerifier.verify(record, context)
  },
}
