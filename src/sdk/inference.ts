/**
 * Running models from a client: `callModel` asks a full node through `eth_call` (dispatched live,
 * nothing on chain), `runModel` sends a transaction to the precompile and returns the output the
 * chain recorded, with its request id and inference record.
 */
import { decodeModelInferenceEventData, decodeModelOutputResult, encodeRunModelInference, MODEL_INFERENCE_EVENT_TOPIC } from '../evm/abi.js'
import { ModelInferenceMode, type ModelInput, type ModelOutput } from '../evm/types.js'
import { INFERENCE_PRECOMPILE_ADDRESS } from '../params.js'
import type { Hex, PublicClient, TransactionReceipt, WalletClient } from 'viem'
import { asInferenceError, InferenceRevertedError, SdkError } from './errors.js'
import { getInferenceRecords, type RpcInferenceRecord } from './records.js'

export interface ModelRequest {
  modelCid: string
  input: ModelInput
  /** Default VANILLA. */
  mode?: ModelInferenceMode
}

/**
 * The model's output for `input`, computed by an inference node through the full node's `eth_call`.
 * A refusal throws `InferenceRevertedError` with the precompile's code (e.g. `UNKNOWN_MODEL`).
 *
 * @example
 * const output = await callModel(publicClient, { modelCid, input: modelInput({ input: [0.1, 0.2] }) })
 */
export async function callModel(publicClient: PublicClient, request: ModelRequest): Promise<ModelOutput> {
  try {
    const { data } = await publicClient.call({ to: INFERENCE_PRECOMPILE_ADDRESS, data: calldata(request) })
    return decodeModelOutputResult(data ?? '0x')
  } catch (err) {
    throw asInferenceError(err)
  }
}

export interface ModelRun {
  hash: Hex
  receipt: TransactionReceipt
  /** The request id of the call (`inferenceID` of the event, key of `inference_getRecord`). */
  requestId: Hex
  output: ModelOutput
  /** Who computed it and with what evidence, as the chain recorded it. */
  record: RpcInferenceRecord
}

/**
 * Runs a model in a transaction sent straight to the precompile. Gas is estimated by the node (which
 * dispatches the inference once to learn it); a refusal throws `InferenceRevertedError`.
 *
 * @example
 * const { output, record } = await runModel({ publicClient, walletClient }, { modelCid, input })
 */
export async function runModel(clients: { publicClient: PublicClient; walletClient: WalletClient }, request: ModelRequest): Promise<ModelRun> {
  const { publicClient, walletClient } = clients
  let hash: Hex
  try {
    hash = await walletClient.sendTransaction({ account: walletClient.account!, chain: walletClient.chain, to: INFERENCE_PRECOMPILE_ADDRESS, data: calldata(request) })
  } catch (err) {
    throw asInferenceError(err)
  }
  const receipt = await publicClient.waitForTransactionReceipt({ hash })
  const records = await getInferenceRecords(publicClient, { txHash: hash })
  if (receipt.status !== 'success') {
    const failed = records.find((r) => r.status === 'error')
    if (failed?.error) throw new InferenceRevertedError(failed.error.code ?? 'INFERENCE_FAILED', failed.error.reason ?? 'inference failed')
    throw new SdkError('TRANSACTION_REVERTED', `transaction ${hash} reverted`, { hash })
  }
  const log = receipt.logs.find((l) => l.address.toLowerCase() === INFERENCE_PRECOMPILE_ADDRESS.toLowerCase() && l.topics[0] === MODEL_INFERENCE_EVENT_TOPIC)
  if (!log) throw new SdkError('NO_INFERENCE_EVENT', `transaction ${hash} has no ModelInferenceEvent`, { hash })
  const event = decodeModelInferenceEventData(log.data)
  const record = records.find((r) => r.requestId === event.inferenceId)
  if (!record) throw new SdkError('NO_RECORD', `no inference record ${event.inferenceId} for transaction ${hash}`, { hash })
  return { hash, receipt, requestId: event.inferenceId as Hex, output: event.output, record }
}

function calldata(request: ModelRequest): Hex {
  return encodeRunModelInference({ mode: request.mode ?? ModelInferenceMode.VANILLA, modelCid: request.modelCid, input: request.input })
}
