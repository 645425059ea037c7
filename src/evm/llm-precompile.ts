/**
 * `runLLMCompletion` / `runLLMChat` of the inference precompile. The LLM request travels through
 * the same machinery as a model request (`src/llm/envelope.ts`): the session's provider resolves it
 * (dispatch while producing, recorded result while replaying), the call is recorded with its
 * request hash, response, node and evidence, and the response is returned in the same transaction
 * with an `LLMCompletionEvent` / `LLMChat` log. Never throws: every failure is a revert
 * `Error("inference: CODE: message")`, like model calls.
 *
 * Gas: LLM_BASE_GAS + LLM_GAS_PER_PROMPT_BYTE × prompt bytes + LLM_GAS_PER_RESPONSE_BYTE × response bytes.
 */
import type { ExecResult, PrecompileInput } from '@ethereumjs/evm'
import { createAddressFromString, hexToBytes } from '@ethereumjs/util'
import { BaseError, bytesToHex, type Hex } from 'viem'
import { errorMessage } from '../errors.js'
import { encodeChatEventData, encodeChatResult, encodeCompletionEventData, encodeCompletionResult, decodeLlmCall, LLM_CHAT_EVENT_TOPIC, LLM_COMPLETION_EVENT_TOPIC, LLM_SELECTORS } from '../llm/abi.js'
import { responseFromOutput, toEnvelope } from '../llm/envelope.js'
import { LlmError } from '../llm/errors.js'
import type { LlmRequest, LlmResponse } from '../llm/types.js'
import { promptBytes, utf8Bytes, validateLlmRequest } from '../llm/validate.js'
import { INFERENCE_PRECOMPILE_ADDRESS, LLM_BASE_GAS, LLM_GAS_PER_PROMPT_BYTE, LLM_GAS_PER_RESPONSE_BYTE } from '../params.js'
import { readModelEntry } from './registry-reader.js'
import { outOfGasResult as outOfGas, PrecompileRevert as Revert, revertResult } from './revert.js'
import { resolveCall, type InferenceSession } from './session.js'
import { ModelInferenceMode } from './types.js'

const ADDRESS_BYTES = createAddressFromString(INFERENCE_PRECOMPILE_ADDRESS).bytes
const SELECTORS = [LLM_SELECTORS.completion, LLM_SELECTORS.chat].map((s) => hexToBytes(s))

/** Whether calldata calls `runLLMCompletion` or `runLLMChat` (the precompile hands those here). */
export function isLlmCall(data: Uint8Array): boolean {
  return data.length >= 4 && SELECTORS.some((s) => s.every((b, i) => data[i] === b))
}

export async function runLlmCall(opts: PrecompileInput, session: InferenceSession | undefined): Promise<ExecResult> {
  try {
    return await run(opts, session)
  } catch (err) {
    return revertResult(err, opts.gasLimit)
  }
}

async function run(opts: PrecompileInput, session: InferenceSession | undefined): Promise<ExecResult> {
  let gasUsed = LLM_BASE_GAS
  if (gasUsed > opts.gasLimit) return outOfGas(opts.gasLimit)
  const call = decode(opts.data, gasUsed)
  const envelope = toEnvelope(call)
  const entry = await readModelEntry(opts._EVM.stateManager, envelope.modelCid)
  if (!entry.registered) throw new Revert('UNKNOWN_MODEL', `model ${envelope.modelCid} is not registered`, gasUsed)
  if ((entry.modes & (1 << envelope.mode)) === 0) {
    throw new Revert('MODE_NOT_SUPPORTED', `model ${envelope.modelCid} does not support mode ${ModelInferenceMode[envelope.mode]}`, gasUsed)
  }
  gasUsed += LLM_GAS_PER_PROMPT_BYTE * BigInt(promptBytes(call))
  if (gasUsed > opts.gasLimit) return outOfGas(opts.gasLimit)
  if (session === undefined) throw new Revert('NO_CONTEXT', 'inference is not available in this context', gasUsed)

  const step = await resolveCall(session, envelope, gasUsed, { llm: call.kind })
  if (step.kind === 'simulated') return success(gasUsed, call, emptyResponse(call), step.requestId)
  const { output, node } = step.result
  let response: LlmResponse
  try {
    response = responseFromOutput(call.kind, output)
  } catch (err) {
    throw new Revert('BAD_LLM_RESPONSE', `node ${node} returned no readable ${call.kind} response (${errorMessage(err)})`, gasUsed)
  }
  gasUsed += LLM_GAS_PER_RESPONSE_BYTE * BigInt(responseBytes(response))
  if (gasUsed > opts.gasLimit) return outOfGas(opts.gasLimit)
  return success(gasUsed, call, response, step.requestId)
}

function decode(data: Uint8Array, gasUsed: bigint): LlmRequest {
  try {
    return validateLlmRequest(decodeLlmCall(bytesToHex(data)))
  } catch (err) {
    if (err instanceof LlmError) throw new Revert(err.code, err.shortMessage, gasUsed)
    const detail = err instanceof BaseError ? err.shortMessage : errorMessage(err)
    throw new Revert('MALFORMED_REQUEST', `calldata is not a valid OGInference LLM call (${detail})`, gasUsed)
  }
}

function responseBytes(r: LlmResponse): number {
  if (r.kind === 'completion') return utf8Bytes(r.response.answer)
  const m = r.response.message
  return utf8Bytes(r.response.finishReason) + utf8Bytes(m.content) + m.toolCalls.reduce((n, c) => n + utf8Bytes(c.id) + utf8Bytes(c.name) + utf8Bytes(c.arguments), 0)
}

/** What a simulation (gas estimation) answers: an empty response; the real call gets the real one. */
function emptyResponse(call: LlmRequest): LlmResponse {
  return call.kind === 'completion'
    ? { kind: 'completion', response: { answer: '' } }
    : { kind: 'chat', response: { finishReason: '', message: { role: 'assistant', content: '', name: '', toolCallId: '', toolCalls: [] } } }
}

function success(gasUsed: bigint, call: LlmRequest, response: LlmResponse, requestId: Hex): ExecResult {
  const [returnValue, topic, data] =
    call.kind === 'completion' && response.kind === 'completion'
      ? [encodeCompletionResult(response.response), LLM_COMPLETION_EVENT_TOPIC, encodeCompletionEventData(requestId, call.request, response.response)]
      : call.kind === 'chat' && response.kind === 'chat'
        ? [encodeChatResult(response.response), LLM_CHAT_EVENT_TOPIC, encodeChatEventData(requestId, call.request, response.response)]
        : (() => {
            throw new Revert('INTERNAL', 'response kind does not match the call', gasUsed)
          })()
  return { executionGasUsed: gasUsed, returnValue: hexToBytes(returnValue), logs: [[ADDRESS_BYTES, [hexToBytes(topic)], hexToBytes(data)]] }
}
