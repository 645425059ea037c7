/**
 * Inference records: what every inference made in a block was, who served it and with what
 * evidence. The producer writes them with the block; importers replay from them.
 */
import { bytesToHex, hexToBytes, type Hex } from 'viem'
import { keccak256 } from '../crypto/native.js'
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
  /**
   * ok, TEE mode: the attestation document (COSE_Sign1 bytes, 0x-hex) binding this result to this
   * request. Absent otherwise — and then absent from the encoding, so VANILLA records keep their bytes.
   */
  attestation?: Hex
  /**
   * LLM calls (`runLLMCompletion` / `runLLMChat`): which one. `inputHash` is then the request hash
   * and `output` carries the response (src/llm/envelope.ts). Absent for model calls, whose encoding keeps its bytes.
   */
  llm?: 'completion' | 'chat'
  /** error: the stable code and the revert reason the call got. */
  errorCode?: string
  errorReason?: string
}

/** keccak256(abi.encode(bytes32 txHash, uint32 callIndex)) */
export function computeRequestId(txHash: Hex, callIndex: number): Hex {
  const preimage = new Uint8Array(64)
  preimage.set(hexToBytes(txHash), 0)
  new DataView(preimage.buffer).setUint32(60, callIndex)
  return bytesToHex(keccak256(preimage))
}
