/**
 * OpenAI-style request and response bodies of the inference node (`/v1/completions`,
 * `/v1/chat/completions`), converted to and from the chain's LLM requests. Each response carries an
 * `inferchain` object: the canonical request and response, their hashes, the node's signature and,
 * in TEE mode, the attestation — what `verifyLlmResponse` (src/sdk) checks.
 */
import { z } from 'zod'
import type { Hex } from 'viem'
import { MAX_LLM_RESPONSE_TOKENS } from '../params.js'
import { LlmInferenceMode, TEMPERATURE_SCALE, type ChatMessage, type LlmRequest } from '../llm/types.js'
import type { LlmAnswer } from './llm-engine.js'
import { InferenceRequestError } from './errors.js'
import type { ResultBinding } from './engine.js'

const stop = z.union([z.string(), z.array(z.string())]).nullish()
const extension = z
  .object({
    mode: z.enum(['VANILLA', 'TEE']).default('VANILLA'),
    request_id: z.string().regex(/^0x[0-9a-fA-F]{64}$/).optional(),
    chain_id: z.union([z.number().int().min(0), z.string().regex(/^\d+$/)]).optional(),
  })
  .optional()
const common = {
  model: z.string().min(1),
  max_tokens: z.number().int().min(1).max(MAX_LLM_RESPONSE_TOKENS).optional(),
  max_completion_tokens: z.number().int().min(1).max(MAX_LLM_RESPONSE_TOKENS).optional(),
  temperature: z.number().min(0).max(2).optional(),
  stop,
  stream: z.boolean().optional(),
  inferchain: extension,
}
const completionBody = z.object({ ...common, prompt: z.string() })
const contentPart = z.object({ type: z.literal('text'), text: z.string() })
const toolCallBody = z.object({ id: z.string(), type: z.literal('function').optional(), function: z.object({ name: z.string(), arguments: z.string() }) })
const chatBody = z.object({
  ...common,
  messages: z.array(
    z.object({
      role: z.string(),
      content: z.union([z.string(), z.array(contentPart)]).nullish(),
      name: z.string().optional(),
      tool_call_id: z.string().optional(),
      tool_calls: z.array(toolCallBody).optional(),
    }),
  ),
  tools: z.array(z.object({ type: z.literal('function'), function: z.object({ name: z.string(), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional() }) })).optional(),
  tool_choice: z.union([z.enum(['auto', 'none', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) })]).optional(),
})

export interface ParsedOpenAiRequest {
  call: LlmRequest
  stream: boolean
  /** TEE: what the attestation binds (default: the request hash as id, chain 0 = off chain). */
  binding?: { requestId?: Hex; chainId: bigint }
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  throw new InferenceRequestError('BAD_REQUEST', `invalid request${issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''}: ${issue?.message ?? 'malformed'}`)
}

function commonFields(b: z.output<typeof completionBody> | z.output<typeof chatBody>, defaultMaxTokens: number) {
  const mode = b.inferchain?.mode === 'TEE' ? LlmInferenceMode.TEE : LlmInferenceMode.VANILLA
  return {
    fields: {
      mode,
      modelCid: b.model,
      maxTokens: b.max_completion_tokens ?? b.max_tokens ?? defaultMaxTokens,
      stopSequences: b.stop == null ? [] : typeof b.stop === 'string' ? [b.stop] : b.stop,
      temperature: Math.round((b.temperature ?? 1) * TEMPERATURE_SCALE),
    },
    stream: b.stream ?? false,
    ...(mode === LlmInferenceMode.TEE
      ? { binding: { ...(b.inferchain?.request_id ? { requestId: b.inferchain.request_id as Hex } : {}), chainId: BigInt(b.inferchain?.chain_id ?? 0) } }
      : {}),
  }
}

/** `/v1/completions` body → LLM request (OpenAI's defaults: max_tokens 16, temperature 1). */
export function completionFromOpenAi(body: unknown): ParsedOpenAiRequest {
  const b = parse(completionBody, body)
  const { fields, ...rest } = commonFields(b, 16)
  return { call: { kind: 'completion', request: { ...fields, prompt: b.prompt } }, ...rest }
}

/** `/v1/chat/completions` body → LLM request (max_tokens defaults to 256 here). */
export function chatFromOpenAi(body: unknown): ParsedOpenAiRequest {
  const b = parse(chatBody, body)
  const { fields, ...rest } = commonFields(b, 256)
  const messages: ChatMessage[] = b.messages.map((m) => ({
    role: m.role,
    content: typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text).join(''),
    name: m.name ?? '',
    toolCallId: m.tool_call_id ?? '',
    toolCalls: (m.tool_calls ?? []).map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })),
  }))
  const tools = (b.tools ?? []).map((t) => ({ description: t.function.description ?? '', name: t.function.name, parameters: t.function.parameters === undefined ? '' : JSON.stringify(t.function.parameters) }))
  const toolChoice = b.tool_choice === undefined ? '' : typeof b.tool_choice === 'string' ? b.tool_choice : b.tool_choice.function.name
  return { call: { kind: 'chat', request: { ...fields, messages, tools, toolChoice } }, ...rest }
}

/** What `binding` a TEE answer is attested for. */
export function resolveBinding(parsed: ParsedOpenAiRequest, requestHash: Hex): ResultBinding | undefined {
  return parsed.binding && { requestId: parsed.binding.requestId ?? requestHash, chainId: parsed.binding.chainId }
}

/** The evidence every answer carries (snake_case, as the rest of the body). */
export function evidenceOf(answer: LlmAnswer, binding: ResultBinding | undefined) {
  const r = answer.result
  return {
    mode: LlmInferenceMode[answer.request.request.mode],
    request: answer.request,
    request_hash: r.inputHash,
    response: r.output.jsons[0]!.value,
    output_hash: r.outputHash,
    node: r.node,
    signature: r.signature,
    ...(r.attestation === undefined ? {} : { attestation: r.attestation }),
    ...(binding === undefined ? {} : { binding: { request_id: binding.requestId, chain_id: binding.chainId.toString() } }),
  }
}

export type LlmEvidence = ReturnType<typeof evidenceOf>

const usageOf = (a: LlmAnswer) => ({ prompt_tokens: a.usage.promptTokens, completion_tokens: a.usage.completionTokens, total_tokens: a.usage.promptTokens + a.usage.completionTokens })

export function completionToOpenAi(answer: LlmAnswer, binding: ResultBinding | undefined) {
  const response = answer.response.kind === 'completion' ? answer.response.response : { answer: '' }
  return {
    id: `cmpl-${answer.result.inputHash.slice(2, 26)}`,
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model: answer.request.request.modelCid,
    choices: [{ index: 0, text: response.answer, finish_reason: finishOf(answer), logprobs: null }],
    usage: usageOf(answer),
    inferchain: evidenceOf(answer, binding),
  }
}

export function chatToOpenAi(answer: LlmAnswer, binding: ResultBinding | undefined) {
  return {
    id: `chatcmpl-${answer.result.inputHash.slice(2, 26)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: answer.request.request.modelCid,
    choices: [{ index: 0, message: chatMessageToOpenAi(answer), finish_reason: finishOf(answer) }],
    usage: usageOf(answer),
    inferchain: evidenceOf(answer, binding),
  }
}

export function chatMessageToOpenAi(answer: LlmAnswer) {
  const m = answer.response.kind === 'chat' ? answer.response.response.message : undefined
  const calls = m?.toolCalls ?? []
  return {
    role: 'assistant',
    content: calls.length > 0 && m?.content === '' ? null : (m?.content ?? ''),
    ...(calls.length > 0 ? { tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}),
  }
}

export function finishOf(answer: LlmAnswer): string {
  return answer.finishReason
}
