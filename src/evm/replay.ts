/**
 * Replay: while importing a block it did not produce, a node answers each inference call of a
 * transaction with that transaction's next recorded result — after checking that the call really is
 * the recorded one (model, mode, input hash). It never runs a model. Any mismatch is remembered and
 * makes the block invalid.
 */
import type { Hex } from 'viem'
import type { InferenceRecord } from './records.js'
import type { InferenceCallContext, InferenceProvider, InferenceResolution, ModelInferenceRequest } from './types.js'

export class ReplayProvider implements InferenceProvider {
  /** First mismatch seen, if any (the block is then invalid). */
  mismatch?: string
  private consumed = 0

  constructor(private readonly records: InferenceRecord[]) {}

  resolve(request: ModelInferenceRequest, inputHash: Hex, context: InferenceCallContext): InferenceResolution {
    const record = this.records[context.callIndex]
    this.consumed = Math.max(this.consumed, context.callIndex + 1)
    const problem =
      record === undefined
        ? `call ${context.callIndex} has no record`
        : record.callIndex !== context.callIndex
          ? `record ${record.requestId} is for call ${record.callIndex}, not ${context.callIndex}`
          : record.modelCid !== request.modelCid || record.mode !== request.mode
            ? `record ${record.requestId} is for ${record.modelCid} mode ${record.mode}, the call asks ${request.modelCid} mode ${request.mode}`
            : record.inputHash.toLowerCase() !== inputHash.toLowerCase()
              ? `record ${record.requestId} has input hash ${record.inputHash}, the call's input hashes to ${inputHash}`
              : undefined
    if (problem !== undefined) {
      this.mismatch ??= problem
      return { kind: 'error', code: 'REPLAY_MISMATCH', reason: problem }
    }
    if (record!.status === 'error') return { kind: 'error', code: record!.errorCode ?? 'ERROR', reason: record!.errorReason ?? '' }
    return {
      kind: 'result',
      result: {
        modelCid: record!.modelCid,
        mode: record!.mode,
        inputHash: record!.inputHash,
        outputHash: record!.outputHash!,
        output: record!.output!,
        node: record!.node!,
        signature: record!.signature!,
        ...(record!.attestation === undefined ? {} : { attestation: record!.attestation }),
      },
    }
  }

  /** Records the transaction's execution never asked for (extra records make the block invalid). */
  unconsumed(): number {
    return this.records.length - this.consumed
  }
}
