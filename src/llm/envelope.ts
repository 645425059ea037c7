/**
 * LLM requests travel through the chain's inference machinery (dispatch, signatures, TEE binding,
 * records, replay) as ordinary model requests whose input is one string tensor holding the
 * request's canonical JSON, and whose output is one JSON scalar holding the response:
 *
 *   input  = { strings: [{ name: "llm.completion.v1" | "llm.chat.v1", values: [canonical request] }] }
 *   output = { jsons:   [{ name: same name, value: canonical response }] }
 *
 * So the request hash is `hashModelInput(input)` — keccak256 over the *full* request (mode, model,
 * prompt or messages, tools, limits, temperature) — and the output hash covers the full response:
 * a VANILLA signature and a TEE attestation's `user_data` bind both without a new evidence format.
 * "Canonical" = JSON.stringify of objects built here field by field, in a fixed order.
 */
import type { Hex } from 'viem'
import { hashModelInput } from '../evm/abi.js'
import { ModelInferenceMode, type ModelInferenceRequest, type ModelInput, type ModelOutput } from '../evm/types.js'
import { LlmError } from './errors.js'
import {
  LlmInferenceMode,
  type ChatMessage,
  type LlmChatRequest,
  type LlmChatResponse,
  type LlmCompletionRequest,
  type LlmCompletionResponse,
  type LlmRequest,
  type LlmResponse,
} from './types.js'

export const LLM_COMPLETION_TENSOR = 'llm.completion.v1'
export const LLM_CHAT_TENSOR = 'llm.chat.v1'

/** LLM modes map onto the chain's inference modes (registry bits, verifiers). */
export function chainModeOf(mode: LlmInferenceMode): ModelInferenceMode {
  if (mode === LlmInferenceMode.VANILLA) return ModelInferenceMode.VANILLA
  if (mode === LlmInferenceMode.TEE) return ModelInferenceMode.TEE
  throw new LlmError('MALFORMED_REQUEST', `unknown LLM inference mode ${mode} (VANILLA = 0, TEE = 1)`)
}

function canonicalMessage(m: ChatMessage): ChatMessage {
  return { role: m.role, content: m.content, name: m.name, toolCallId: m.toolCallId, toolCalls: m.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })) }
}

export function canonicalRequest(call: LlmRequest): LlmRequest {
  if (call.kind === 'completion') {
    const r = call.request
    return { kind: 'completion', request: { mode: r.mode, modelCid: r.modelCid, prompt: r.prompt, maxTokens: r.maxTokens, stopSequences: [...r.stopSequences], temperature: r.temperature } }
  }
  const r = call.request
  return {
    kind: 'chat',
    request: {
      mode: r.mode,
      modelCid: r.modelCid,
      messages: r.messages.map(canonicalMessage),
      tools: r.tools.map((t) => ({ description: t.description, name: t.name, parameters: t.parameters })),
      toolChoice: r.toolChoice,
      maxTokens: r.maxTokens,
      stopSequences: [...r.stopSequences],
      temperature: r.temperature,
    },
  }
}

function canonicalResponse(response: LlmResponse): string {
  if (response.kind === 'completion') return JSON.stringify({ answer: response.response.answer })
  return JSON.stringify({ finishReason: response.response.finishReason, message: canonicalMessage(response.response.message) })
}

const tensorName = (kind: LlmRequest['kind']) => (kind === 'completion' ? LLM_COMPLETION_TENSOR : LLM_CHAT_TENSOR)

/** The model request an LLM request travels as. */
export function toEnvelope(call: LlmRequest): ModelInferenceRequest {
  const input: ModelInput = { numbers: [], strings: [{ name: tensorName(call.kind), values: [JSON.stringify(canonicalRequest(call).request)] }] }
  return { mode: chainModeOf(call.request.mode), modelCid: call.request.modelCid, input }
}

/** The request hash records, signatures and attestations carry for an LLM request. */
export function llmRequestHash(call: LlmRequest): Hex {
  return hashModelInput(toEnvelope(call).input)
}

/** The LLM request inside an envelope, or undefined when the input is a plain model input. */
export function fromEnvelope(input: ModelInput): LlmRequest | undefined {
  if (input.numbers.length !== 0 || input.strings.length !== 1) return undefined
  const [tensor] = input.strings
  const kind = tensor!.name === LLM_COMPLETION_TENSOR ? 'completion' : tensor!.name === LLM_CHAT_TENSOR ? 'chat' : undefined
  if (kind === undefined) return undefined
  if (tensor!.values.length !== 1) throw new LlmError('MALFORMED_REQUEST', `${tensor!.name} must hold exactly one request`)
  let parsed: unknown
  try {
    parsed = JSON.parse(tensor!.values[0]!)
  } catch {
    throw new LlmError('MALFORMED_REQUEST', `${tensor!.name} does not hold JSON`)
  }
  // Shape and values are validated by `validateLlmRequest` before anything runs.
  return { kind, request: parsed } as LlmRequest
}

export function responseToOutput(response: LlmResponse): ModelOutput {
  return { numbers: [], strings: [], jsons: [{ name: tensorName(response.kind), value: canonicalResponse(response) }], isSimulationResult: false }
}

/** The response an envelope output carries; throws MALFORMED_REQUEST when it carries none of `kind`. */
export function responseFromOutput(kind: LlmRequest['kind'], output: ModelOutput): LlmResponse {
  const json = output.jsons.find((j) => j.name === tensorName(kind))
  if (json === undefined) throw new LlmError('INFERENCE_FAILED', `the result carries no ${tensorName(kind)} response`)
  const value = JSON.parse(json.value) as LlmCompletionResponse & LlmChatResponse
  return kind === 'completion'
    ? { kind, response: { answer: String(value.answer) } }
    : { kind, response: { finishReason: String(value.finishReason), message: canonicalMessage(value.message) } }
}

export type { LlmChatRequest, LlmCompletionRequest }
