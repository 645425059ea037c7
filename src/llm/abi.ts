/**
 * ABI of the LLM half of `OGInference`: calldata of `runLLMCompletion` / `runLLMChat`, their return
 * data and the `LLMCompletionEvent` / `LLMChat` events, converted to and from `./types.ts`.
 */
import { BaseError, decodeAbiParameters, decodeFunctionData, encodeAbiParameters, encodeEventTopics, encodeFunctionData, type AbiEvent, type AbiFunction, type Hex } from 'viem'
import { ogInferenceAbi } from '../evm/abi.js'
import type { ChatMessage, LlmChatRequest, LlmChatResponse, LlmCompletionRequest, LlmCompletionResponse, LlmInferenceMode, LlmRequest } from './types.js'

/** OGInference.sol's ABI (src/evm/abi.ts): its LLM functions and events are the ones used here. */
export const llmAbi = ogInferenceAbi

export const LLM_COMPLETION_EVENT_TOPIC = encodeEventTopics({ abi: llmAbi, eventName: 'LLMCompletionEvent' })[0] as Hex
export const LLM_CHAT_EVENT_TOPIC = encodeEventTopics({ abi: llmAbi, eventName: 'LLMChat' })[0] as Hex

const fnOutputs = (name: 'runLLMCompletion' | 'runLLMChat') => (llmAbi.find((i) => i.type === 'function' && i.name === name) as AbiFunction).outputs as never
const eventInputs = (name: 'LLMCompletionEvent' | 'LLMChat') => (llmAbi.find((i) => i.type === 'event' && i.name === name) as AbiEvent).inputs as never

type AbiMessage = { role: string; content: string; name: string; tool_call_id: string; tool_calls: readonly { id: string; name: string; arguments: string }[] }
type AbiCompletionRequest = { mode: number; modelCID: string; prompt: string; max_tokens: number; stop_sequence: readonly string[]; temperature: number }
type AbiChatRequest = {
  mode: number
  modelCID: string
  messages: readonly AbiMessage[]
  tools: readonly { description: string; name: string; parameters: string }[]
  tool_choice: string
  max_tokens: number
  stop_sequence: readonly string[]
  temperature: number
}

const messageFromAbi = (m: AbiMessage): ChatMessage => ({
  role: m.role,
  content: m.content,
  name: m.name,
  toolCallId: m.tool_call_id,
  toolCalls: m.tool_calls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })),
})
const messageToAbi = (m: ChatMessage): AbiMessage => ({ role: m.role, content: m.content, name: m.name, tool_call_id: m.toolCallId, tool_calls: m.toolCalls })

function completionFromAbi(r: AbiCompletionRequest): LlmCompletionRequest {
  return { mode: r.mode as LlmInferenceMode, modelCid: r.modelCID, prompt: r.prompt, maxTokens: r.max_tokens, stopSequences: [...r.stop_sequence], temperature: r.temperature }
}
function completionToAbi(r: LlmCompletionRequest): AbiCompletionRequest {
  return { mode: r.mode, modelCID: r.modelCid, prompt: r.prompt, max_tokens: r.maxTokens, stop_sequence: r.stopSequences, temperature: r.temperature }
}
function chatFromAbi(r: AbiChatRequest): LlmChatRequest {
  return {
    mode: r.mode as LlmInferenceMode,
    modelCid: r.modelCID,
    messages: r.messages.map(messageFromAbi),
    tools: r.tools.map((t) => ({ description: t.description, name: t.name, parameters: t.parameters })),
    toolChoice: r.tool_choice,
    maxTokens: r.max_tokens,
    stopSequences: [...r.stop_sequence],
    temperature: r.temperature,
  }
}
function chatToAbi(r: LlmChatRequest): AbiChatRequest {
  return { mode: r.mode, modelCID: r.modelCid, messages: r.messages.map(messageToAbi), tools: r.tools, tool_choice: r.toolChoice, max_tokens: r.maxTokens, stop_sequence: r.stopSequences, temperature: r.temperature }
}

/** Decodes `runLLMCompletion` / `runLLMChat` calldata; throws (viem's errors) when it is neither. */
export function decodeLlmCall(data: Hex): LlmRequest {
  const decoded = decodeFunctionData({ abi: llmAbi, data })
  if (decoded.functionName !== 'runLLMCompletion' && decoded.functionName !== 'runLLMChat') throw new BaseError(`${decoded.functionName} is not an LLM call`)
  if (decoded.functionName === 'runLLMCompletion') return { kind: 'completion', request: completionFromAbi(decoded.args[0] as AbiCompletionRequest) }
  return { kind: 'chat', request: chatFromAbi(decoded.args[0] as AbiChatRequest) }
}

/** Calldata for the precompile (clients and tests). */
export function encodeLlmCall(call: LlmRequest): Hex {
  return call.kind === 'completion'
    ? encodeFunctionData({ abi: llmAbi, functionName: 'runLLMCompletion', args: [completionToAbi(call.request)] })
    : encodeFunctionData({ abi: llmAbi, functionName: 'runLLMChat', args: [chatToAbi(call.request)] })
}

/** The 4-byte selectors, for the precompile's dispatch. */
export const LLM_SELECTORS = {
  completion: encodeLlmCall({ kind: 'completion', request: { mode: 0, modelCid: '', prompt: '', maxTokens: 0, stopSequences: [], temperature: 0 } }).slice(0, 10) as Hex,
  chat: encodeLlmCall({ kind: 'chat', request: { mode: 0, modelCid: '', messages: [], tools: [], toolChoice: '', maxTokens: 0, stopSequences: [], temperature: 0 } }).slice(0, 10) as Hex,
}

export function encodeCompletionResult(response: LlmCompletionResponse): Hex {
  return encodeAbiParameters(fnOutputs('runLLMCompletion'), [response] as never)
}
export function decodeCompletionResult(data: Hex): LlmCompletionResponse {
  const [r] = decodeAbiParameters(fnOutputs('runLLMCompletion'), data) as unknown as [{ answer: string }]
  return { answer: r.answer }
}
export function encodeChatResult(response: LlmChatResponse): Hex {
  return encodeAbiParameters(fnOutputs('runLLMChat'), [{ finish_reason: response.finishReason, message: messageToAbi(response.message) }] as never)
}
export function decodeChatResult(data: Hex): LlmChatResponse {
  const [r] = decodeAbiParameters(fnOutputs('runLLMChat'), data) as unknown as [{ finish_reason: string; message: AbiMessage }]
  return { finishReason: r.finish_reason, message: messageFromAbi(r.message) }
}

export function encodeCompletionEventData(inferenceId: string, request: LlmCompletionRequest, response: LlmCompletionResponse): Hex {
  return encodeAbiParameters(eventInputs('LLMCompletionEvent'), [inferenceId, completionToAbi(request), response] as never)
}
export function encodeChatEventData(inferenceId: string, request: LlmChatRequest, response: LlmChatResponse): Hex {
  return encodeAbiParameters(eventInputs('LLMChat'), [inferenceId, chatToAbi(request), { finish_reason: response.finishReason, message: messageToAbi(response.message) }] as never)
}

