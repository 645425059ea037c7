/**
 * The state of inference inside one transaction or call: which provider answers, how many calls
 * were made, and the records they produced. The executor opens one per transaction; the
 * precompile reads the one that is active.
 */
import type { Hex } from 'viem'
import type { InferenceRecord } from './records.js'
import type { InferenceProvider } from './types.js'

export const NO_TX_HASH: Hex = `0x${'00'.repeat(32)}`

export class InferenceSession {
  callIndex = 0
  readonly records: InferenceRecord[] = []
  /** Set when a real execution asked for a result that was not precomputed. */
  missed = false
  /**
   * Set when this node could not compute something the transaction needs (a model to re-execute in
   * a dispute): not a property of the transaction, so an importer must not judge the block on it.
   */
  unavailable: string | undefined

  constructor(
    readonly provider: InferenceProvider,
    readonly txHash: Hex = NO_TX_HASH,
  ) {}
}

/** Where the precompile finds the active session (the executor sets it around each run). */
export interface InferenceSessionSource {
  readonly activeSession: InferenceSession | undefined
}
