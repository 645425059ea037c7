/** The verifiers this node knows, by mode. TEE, ZK and OPTIMISTIC add theirs here. */
import type { ModelInferenceMode } from '../evm/types.js'
import type { RecordVerifier } from './types.js'
import { vanillaVerifier } from './vanilla-verifier.js'

export function defaultVerifiers(): Map<ModelInferenceMode, RecordVerifier> {
  return new Map([[vanillaVerifier.mode, vanillaVerifier]])
}

export type { RecordVerifier, VerificationContext, VerificationOutcome } from './types.js'
