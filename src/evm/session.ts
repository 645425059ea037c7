/**
 * The state of inference inside one transaction or call: which provider answers, how many calls
 * were made, and the records they produced. The executor opens one per transaction; the
 * precompile reads the one that is active.
 */
import type { Hex } from 'viem'
import { hashModelInput } from './abi.js'
import { computeRequestId, type InferenceRecord } from './records.js'
import { PrecompileRevert } from './revert.js'
import type { InferenceProvider, ModelInferenceRequest, SignedInferenceResult } from './types.js'

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

/** What one inference call got from its session's provider (failures have thrown). */
export type CallStep =
  | { kind: 'simulated'; requestId: Hex; inputHash: Hex }
  | { kind: 'result'; requestId: Hex; inputHash: Hex; result: SignedInferenceResult }

/**
 * One inference call of the running transaction, the same for model and LLM calls: it takes the
 * next call index, asks the provider, and keeps the record. A result is recorded before the caller's
 * own checks, which may still refuse it: a follower replays that record and reaches the same refusal
 * (the checks depend on state and the result only); without it, its replay would find no record.
 *
 * @throws PrecompileRevert `NOT_PRECOMPUTED` (the transaction is retried) or the provider's error code
 */
export async function resolveCall(
  session: InferenceSession,
  request: ModelInferenceRequest,
  gasUsed: bigint,
  tag: Pick<InferenceRecord, 'llm'> = {},
): Promise<CallStep> {
  const callIndex = session.callIndex++
  const inputHash = hashModelInput(request.input)
  const requestId = computeRequestId(session.txHash, callIndex)
  const resolution = await session.provider.resolve(request, inputHash, { callIndex, requestId })
  const base = { requestId, txHash: session.txHash, callIndex, modelCid: request.modelCid, mode: request.mode, inputHash, ...tag }
  switch (resolution.kind) {
    case 'simulated':
      return { kind: 'simulated', requestId, inputHash }
    case 'missing':
      session.missed = true
      throw new PrecompileRevert('NOT_PRECOMPUTED', 'the request changed after simulation; the transaction is retried', gasUsed)
    case 'error':
      session.records.push({ ...base, status: 'error', errorCode: resolution.code, errorReason: resolution.reason })
      throw new PrecompileRevert(resolution.code, resolution.reason, gasUsed)
    case 'result': {
      const { output, outputHash, node, signature, attestation } = resolution.result
      session.records.push({ ...base, status: 'ok', output, outputHash, node, signature, ...(attestation === undefined ? {} : { attestation }) })
      return { kind: 'result', requestId, inputHash, result: resolution.result }
    }
  }
}
