/**
 * Inference records: what every inference made in a block was, who served it and with what
 * evidence. The producer writes them with the block; importers replay from them.
 */
import { encodeAbiParameters, keccak256, type Hex } from 'viem'
import type { ModelInferenceMode, ModelOutput } from './types.js'

export type InferenceRecordStatus = 'ok' | 'error'

export interface InferenceRecord {
  /** keccak256(txHash ‖ callIndex): unique per call in a transaction. */
  requestId: Hex
  txHash: Hex
  callIndex: number
  modelCid: string
  mode: ModelInferenceMode
  inputHash: Hex
  status: InferenceRecordStatus
  /** ok: the result and its evidence. */
  output?: ModelOutput
  outputHash?: Hex
  node?: Hex
  signature?: Hex
  /** error: the stable code and the revert reason the call got. */
  errorCode?: string
  errorReason?: string
}

export function computeRequestId(txHash: Hex, callIndex: number): Hex {
  return keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint32' }], [txHash, callIndex]))
}
