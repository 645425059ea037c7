/**
 * ZK records at import. A ZK result is used at once and proven later, so at import the record's
 * evidence is what VANILLA checks — the signature (over mode ZK) recovers to the record's node, which
 * serves the model as of the parent block, and the output hash is the output's — and the record is
 * `pending` until its proof is due. The proof itself is a transaction to ZkInferences: the block that
 * includes it runs the model's generated verifier contract, so every full node verifies it by
 * executing that block, and the record's status (pending → verified | failed) is chain state,
 * read by `inference_getRecord`. What the proof must state (model commitment, Poseidon hashes of the
 * quantized input and output) is written there by the precompile when the record is made
 * (`src/zk/precompile-calls.ts`). Failed calls carry no evidence.
 */
import { errorMessage } from '../errors.js'
import type { InferenceRecord } from '../evm/records.js'
import { ModelInferenceMode } from '../evm/types.js'
import { ZK_PROOF_DEADLINE_BLOCKS } from '../params.js'
import type { RecordVerifier, VerificationContext, VerificationOutcome } from './types.js'
import { verifyVanillaResult } from './vanilla.js'

export const zkVerifier: RecordVerifier = {
  mode: ModelInferenceMode.ZK,
  async verify(record: InferenceRecord, context: VerificationContext): Promise<VerificationOutcome> {
    if (record.status === 'error') return { status: 'verified' }
    if (!record.output || !record.outputHash || !record.node || !record.signature) {
      return { status: 'rejected', reason: 'record has no output, node or signature' }
    }
    try {
      verifyVanillaResult(
        { modelCid: record.modelCid, mode: record.mode, inputHash: record.inputHash, outputHash: record.outputHash, output: record.output, node: record.node, signature: record.signature },
        { signer: record.node },
      )
    } catch (err) {
      return { status: 'rejected', reason: errorMessage(err) }
    }
    if (!(await context.isServing(record.node, record.modelCid))) {
      return { status: 'rejected', reason: `signer ${record.node} is not registered for model ${record.modelCid} as of block ${context.blockNumber - 1n}` }
    }
    return { status: 'pending', dueBlock: context.blockNumber + ZK_PROOF_DEADLINE_BLOCKS }
  },
}
