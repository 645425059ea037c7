/** The verifiers this node knows, by mode. */
import type { ModelInferenceMode } from '../evm/types.js'
import { optimisticVerifier } from './optimistic-verifier.js'
import { teeVerifier } from './tee-verifier.js'
import type { RecordVerifier } from './types.js'
import { vanillaVerifier } from './vanilla-verifier.js'
import { zkVerifier } from './zk-verifier.js'

export function defaultVerifiers(): Map<ModelInferenceMode, RecordVerifier> {
  return new Map([
    [vanillaVerifier.mode, vanillaVerifier],
    [teeVerifier.mode, teeVerifier],
    [zkVerifier.mode, zkVerifier],
    [optimisticVerifier.mode, optimisticVerifier],
  ])
}

export type { RecordVerifier, TeeVerificationContext, VerificationContext, VerificationOutcome } from './types.js'
