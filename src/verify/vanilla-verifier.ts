/**
 * VANILLA records: the signature over (model, mode, input hash, output hash) must recover to the
 * node named in the record, that node must be registered for the model as of the parent block, and
 * the output hash must be the hash of the output carried. Failed calls (status `error`) carry no
 * evidence: the producer's word stands for them, as it does for which transactions it includes.
 */
import { errorMessage } from '../errors.js'
import type { InferenceRecord } from '../evm/records.js'
import { ModelInferenceMode } from '../evm/types.js'
import type { RecordVerifier, VerificationContext, VerificationOutcome } from './types.js'
import { verifyVanillaResult } from './vanilla.js'

export const vanillaVerifier: RecordVerifier = {
  mode: ModelInferenceMode.VANILLA,
  async verify(record: InferenceRecord, context: VerificationContext): Promise<VerificationOutcome> {
    if (record.status === 'error') return { status: 'verified' }
    const problem = signedResultProblem(record)
    if (problem !== undefined) return { status: 'rejected', reason: problem }
    if (!(await context.isServing(record.node!, record.modelCid))) {
      return { status: 'rejected', reason: `signer ${record.node} is not registered for model ${record.modelCid} as of block ${context.blockNumber - 1n}` }
    }
    return { status: 'verified' }
  },
}

/**
 * What every signed result must satisfy, whatever else its mode asks: an output, its hash, and a
 * node signature over (model, mode, input hash, output hash) that recovers to the node named.
 * Returns the reason it does not, or undefined.
 */
export function signedResultProblem(record: InferenceRecord): string | undefined {
  if (!record.output || !record.outputHash || !record.node || !record.signature) return 'record has no output, node or signature'
  try {
    verifyVanillaResult(
      { modelCid: record.modelCid, mode: record.mode, inputHash: record.inputHash, outputHash: record.outputHash, output: record.output, node: record.node, signature: record.signature },
      { signer: record.node },
    )
  } catch (err) {
    return errorMessage(err)
  }
  return undefined
}
