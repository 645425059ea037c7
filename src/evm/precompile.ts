/**
 * The inference precompile at 0x…F4 (`OGInference`). It decodes the request, prices it from the
 * model's registry entry, asks the active session's provider for the result and returns it to the
 * calling contract in the same transaction. It never dispatches to the network and never throws:
 * every failure is a revert with `Error("inference: CODE: message")` (a throwing precompile would
 * corrupt state, see DESIGN §8).
 */
import type { ExecResult, PrecompileInput } from '@ethereumjs/evm'
import { createAddressFromString, hexToBytes } from '@ethereumjs/util'
import { BaseError, type Hex } from 'viem'
import {
  INFERENCE_BASE_GAS,
  INFERENCE_GAS_FEE_TRANSFER,
  INFERENCE_GAS_PER_INPUT_ELEMENT,
  INFERENCE_GAS_PER_KILO_MAC,
  INFERENCE_GAS_PER_OUTPUT_ELEMENT,
  INFERENCE_PRECOMPILE_ADDRESS,
  MAX_OUTPUT_ELEMENTS,
} from '../params.js'
import {
  decodePrecompileCall,
  emptyModelOutput,
  encodeModelInferenceEventData,
  encodeModelOutputResult,
  MODEL_INFERENCE_EVENT_TOPIC,
} from './abi.js'
import { isLlmCall, runLlmCall } from './llm-precompile.js'
import { readModelEntry } from './registry-reader.js'
import { outOfGasResult as outOfGas, PrecompileRevert as Revert, revertResult } from './revert.js'
import { resolveCall, type InferenceSession, type InferenceSessionSource } from './session.js'
import { ModelInferenceMode, type ModelInferenceRequest, type ModelInput, type ModelOutput } from './types.js'
import type { StorageWriter } from '../zk/onchain.js'
import { beginZkCall, recordZkResult, ZkCallRefusal } from '../zk/precompile-calls.js'
import { beginOptimisticCall, OptimisticCallRefusal, recordOptimisticResult } from '../optimistic/precompile-calls.js'
import { assertCanPay, FeeRefusal, readInferencePrice, transactionOrigin, transferFee } from './fees.js'
import { checkModelAccess } from '../private/access.js'
import { precompileCaller } from '../private/caller.js'
import { ModelAccessRefusal } from '../private/errors.js'

const PRECOMPILE_ADDRESS_BYTES = createAddressFromString(INFERENCE_PRECOMPILE_ADDRESS).bytes
const EVENT_TOPIC_BYTES = hexToBytes(MODEL_INFERENCE_EVENT_TOPIC as Hex)
/** Modes whose verification has landed; the others revert MODE_NOT_AVAILABLE. */
const AVAILABLE_MODES = new Set([ModelInferenceMode.VANILLA, ModelInferenceMode.TEE, ModelInferenceMode.ZK, ModelInferenceMode.OPTIMISTIC])

export function createInferencePrecompile(sessions: InferenceSessionSource) {
  return {
    address: createAddressFromString(INFERENCE_PRECOMPILE_ADDRESS),
    function: async (opts: PrecompileInput): Promise<ExecResult> => {
      if (isLlmCall(opts.data)) return runLlmCall(opts, sessions.activeSession) // src/evm/llm-precompile.ts
      try {
        return await runInference(opts, sessions.activeSession)
      } catch (err) {
        // A bug of ours must still not corrupt state: `revertResult` reverts it as INTERNAL.
        return revertResult(err, opts.gasLimit)
      }
    },
  }
}

async function runInference(opts: PrecompileInput, session: InferenceSession | undefined): Promise<ExecResult> {
  let gasUsed = INFERENCE_BASE_GAS
  if (gasUsed > opts.gasLimit) return outOfGas(opts.gasLimit)
  const request = decodeRequest(opts.data, gasUsed)
  if (!AVAILABLE_MODES.has(request.mode)) {
    throw new Revert('MODE_NOT_AVAILABLE', `mode ${ModelInferenceMode[request.mode] ?? request.mode} is not available on this chain yet`, gasUsed)
  }
  const entry = await readModelEntry(opts._EVM.stateManager, request.modelCid)
  if (!entry.registered) throw new Revert('UNKNOWN_MODEL', `model ${request.modelCid} is not registered`, gasUsed)
  if ((entry.modes & (1 << request.mode)) === 0) {
    throw new Revert('MODE_NOT_SUPPORTED', `model ${request.modelCid} does not support mode ${ModelInferenceMode[request.mode]}`, gasUsed)
  }
  // The owner's caller allowlist, read from registry storage (src/private/access.ts): NOT_ALLOWED before any work.
  const who = { caller: precompileCaller(opts._EVM), origin: transactionOrigin(opts._EVM) }
  gasUsed += (await refusable(() => checkModelAccess(opts._EVM.stateManager, request.modelCid, who), gasUsed)).gas
  gasUsed += workGas(entry.workUnits) + INFERENCE_GAS_PER_INPUT_ELEMENT * BigInt(countInputElements(request.input))
  // ZK mode: the model's ZK setup and the proof's input hash, before anything is dispatched (src/zk/precompile-calls.ts).
  const zk = request.mode === ModelInferenceMode.ZK ? await refusable(() => beginZkCall(opts._EVM.stateManager as StorageWriter, request), gasUsed) : undefined
  if (zk) gasUsed += zk.gas
  const optimistic = request.mode === ModelInferenceMode.OPTIMISTIC ? await refusable(() => beginOptimisticCall(opts._EVM.stateManager as StorageWriter), gasUsed) : undefined
  if (optimistic) gasUsed += optimistic.gas
  // The fee is checked before dispatch, so a call that cannot pay costs no inference (src/evm/fees.ts).
  const fee = await readInferencePrice(opts._EVM.stateManager, request.modelCid, request.mode)
  const payer = transactionOrigin(opts._EVM)
  if (fee > 0n) {
    gasUsed += INFERENCE_GAS_FEE_TRANSFER
    await refusable(() => assertCanPay(opts._EVM, payer, fee), gasUsed)
  }
  if (gasUsed > opts.gasLimit) return outOfGas(opts.gasLimit)
  if (session === undefined) throw new Revert('NO_CONTEXT', 'inference is not available in this context', gasUsed)

  const step = await resolveCall(session, request, gasUsed)
  if (step.kind === 'simulated') return success(gasUsed, request, emptyModelOutput(true), step.requestId)
  const { requestId, inputHash } = step
  const { output, outputHash, node } = step.result
  const outputElements = countOutputElements(output)
  if (outputElements > MAX_OUTPUT_ELEMENTS) {
    throw new Revert('OUTPUT_TOO_LARGE', `output has ${outputElements} elements, the limit is ${MAX_OUTPUT_ELEMENTS}`, gasUsed)
  }
  gasUsed += INFERENCE_GAS_PER_OUTPUT_ELEMENT * BigInt(outputElements)
  if (gasUsed > opts.gasLimit) return outOfGas(opts.gasLimit)
  if (zk) await refusable(() => recordZkResult(opts._EVM, zk, { requestId, modelCid: request.modelCid, output, node }), gasUsed)
  if (optimistic) {
    await refusable(() => recordOptimisticResult(opts._EVM, optimistic, { requestId, modelCid: request.modelCid, inputHash, outputHash, node, payer, fee }), gasUsed)
  } else {
    await refusable(() => transferFee(opts._EVM, payer, node, fee), gasUsed)
  }
  return success(gasUsed, request, output, requestId)
}

/** Runs a mode's or the fee's step, turning its refusal into this call's revert. */
async function refusable<T>(step: () => Promise<T>, gasUsed: bigint): Promise<T> {
  try {
    return await step()
  } catch (err) {
    if (err instanceof ZkCallRefusal || err instanceof OptimisticCallRefusal || err instanceof FeeRefusal || err instanceof ModelAccessRefusal) throw new Revert(err.code, err.message, gasUsed)
    throw err
  }
}

function decodeRequest(data: Uint8Array, gasUsed: bigint): ModelInferenceRequest {
  let decoded
  try {
    decoded = decodePrecompileCall(data)
  } catch (err) {
    const detail = err instanceof BaseError ? err.shortMessage : err instanceof Error ? err.message : String(err)
    throw new Revert('MALFORMED_REQUEST', `calldata is not a valid OGInference call (${detail})`, gasUsed)
  }
  if (decoded.functionName !== 'runModelInference') {
    throw new Revert('LLM_NOT_AVAILABLE', `${decoded.functionName} is not available on this chain yet`, gasUsed)
  }
  if (!(decoded.request.mode in ModelInferenceMode)) {
    throw new Revert('MALFORMED_REQUEST', `unknown inference mode ${decoded.request.mode}`, gasUsed)
  }
  return decoded.request
}

function workGas(workUnits: bigint): bigint {
  return INFERENCE_GAS_PER_KILO_MAC * ((workUnits + 999n) / 1000n)
}

/** Number and string elements of an input (what the per-element gas counts). */
export function countInputElements(input: ModelInput): number {
  let n = 0
  for (const t of input.numbers) n += t.values.length
  for (const t of input.strings) n += t.values.length
  return n
}

function countOutputElements(output: ModelOutput): number {
  return countInputElements(output) + output.jsons.length
}

function success(gasUsed: bigint, request: ModelInferenceRequest, output: ModelOutput, requestId: Hex): ExecResult {
  const data = encodeModelInferenceEventData(requestId, request, output)
  return {
    executionGasUsed: gasUsed,
    returnValue: encodeModelOutputResult(output),
    logs: [[PRECOMPILE_ADDRESS_BYTES, [EVENT_TOPIC_BYTES], data]],
  }
}
