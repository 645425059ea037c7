/**
 * One LLM request, end to end on a loaded model: prompt (the chat template for chats), limits, stop
 * sequences, sampling seed, constrained decoding for forced tool calls, and the response.
 */
import type { Hex } from 'viem'
import { chatPrompt, END_OF_TURN, forcedToolCallSchema, parseToolCalls, readForcedCall } from './chat-format.js'
import type { LlmRunner } from './runner.js'
import type { LlmChatRequest, LlmRequest, LlmResponse, LlmUsage } from './types.js'

export interface LlmRun {
  response: LlmResponse
  usage: LlmUsage
  /** Why generation ended: 'length' (max_tokens), 'stop' (end of text, stop sequence) or 'tool_calls'. */
  finishReason: string
}

/** The sampling seed of a request: the first 4 bytes of its request hash (same request, same seed). */
export function seedOf(requestHash: Hex): number {
  return Number.parseInt(requestHash.slice(2, 10), 16)
}

/** Whether the answer may be streamed as it is generated (tool calls are only known at the end). */
export function streamable(call: LlmRequest): boolean {
  return call.kind === 'completion' || call.request.tools.length === 0 || call.request.toolChoice === 'none'
}

export async function runLlmRequest(runner: LlmRunner, call: LlmRequest, requestHash: Hex, onText?: (text: string) => void): Promise<LlmRun> {
  const r = call.request
  const base = { maxTokens: r.maxTokens, temperature: r.temperature, seed: seedOf(requestHash), ...(onText && streamable(call) ? { onText } : {}) }
  if (call.kind === 'completion') {
    const g = await runner.generate({ ...base, prompt: call.request.prompt, specialTokens: false, stopSequences: r.stopSequences })
    return { response: { kind: 'completion', response: { answer: g.text } }, usage: usageOf(g), finishReason: g.finishReason }
  }
  return runChat(runner, call.request, requestHash, base)
}

async function runChat(runner: LlmRunner, r: LlmChatRequest, requestHash: Hex, base: { maxTokens: number; temperature: number; seed: number; onText?: (t: string) => void }): Promise<LlmRun> {
  const idPrefix = `call_${requestHash.slice(2, 14)}_`
  const schema = forcedToolCallSchema(r)
  const g = await runner.generate({
    ...base,
    prompt: chatPrompt(r),
    specialTokens: true,
    stopSequences: [END_OF_TURN, ...r.stopSequences],
    ...(schema === undefined ? {} : { jsonSchema: schema }),
  })
  const message = { role: 'assistant', content: g.text, name: '', toolCallId: '', toolCalls: [] as LlmChatRequest['messages'][number]['toolCalls'] }
  if (schema !== undefined) {
    const call = g.finishReason === 'stop' ? readForcedCall(g.text, r, `${idPrefix}0`) : undefined
    if (call !== undefined) Object.assign(message, { content: '', toolCalls: [call] })
  } else if (r.tools.length > 0 && r.toolChoice !== 'none') {
    Object.assign(message, parseToolCalls(g.text, r, idPrefix))
  }
  const finishReason = message.toolCalls.length > 0 ? 'tool_calls' : g.finishReason
  return { response: { kind: 'chat', response: { finishReason, message } }, usage: usageOf(g), finishReason }
}

function usageOf(g: { promptTokens: number; completionTokens: number }): LlmUsage {
  return { promptTokens: g.promptTokens, completionTokens: g.completionTokens }
}
