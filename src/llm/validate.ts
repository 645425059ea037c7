/**
 * Checks an LLM request before anything is priced or run: the same rules at the precompile (on the
 * decoded calldata), at the inference node (on what arrives over the wire) and at the OpenAI-style
 * endpoint. Every violation is an `LlmError` with a reason that names the field.
 */
import { z } from 'zod'
import {
  MAX_LLM_MESSAGES,
  MAX_LLM_PROMPT_BYTES,
  MAX_LLM_RESPONSE_TOKENS,
  MAX_LLM_STOP_SEQUENCE_BYTES,
  MAX_LLM_STOP_SEQUENCES,
  MAX_LLM_TEMPERATURE,
  MAX_LLM_TOOLS,
} from '../params.js'
import { LlmError } from './errors.js'
import type { LlmChatRequest, LlmRequest } from './types.js'

const ROLES = ['system', 'user', 'assistant', 'tool'] as const
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/

const common = {
  mode: z.number().int().min(0).max(1),
  modelCid: z.string().min(1).max(256),
  maxTokens: z.number().int().min(1, 'max_tokens must be at least 1').max(MAX_LLM_RESPONSE_TOKENS, `max_tokens is at most ${MAX_LLM_RESPONSE_TOKENS}`),
  stopSequences: z
    .array(z.string().min(1, 'a stop sequence is empty').refine((s) => utf8Bytes(s) <= MAX_LLM_STOP_SEQUENCE_BYTES, `a stop sequence has more than ${MAX_LLM_STOP_SEQUENCE_BYTES} bytes`))
    .max(MAX_LLM_STOP_SEQUENCES, `at most ${MAX_LLM_STOP_SEQUENCES} stop sequences`),
  temperature: z.number().int().min(0).max(MAX_LLM_TEMPERATURE, `temperature is at most ${MAX_LLM_TEMPERATURE} (hundredths)`),
}
const toolCall = z.object({ id: z.string().max(128), name: z.string().regex(TOOL_NAME, 'tool call name'), arguments: z.string() })
const message = z.object({
  role: z.enum(ROLES, { message: `role must be one of ${ROLES.join(', ')}` }),
  content: z.string(),
  name: z.string().max(64),
  toolCallId: z.string().max(128),
  toolCalls: z.array(toolCall).max(MAX_LLM_TOOLS),
})
const tool = z.object({ description: z.string(), name: z.string().regex(TOOL_NAME, 'tool names are 1-64 of [a-zA-Z0-9_-]'), parameters: z.string() })
const completion = z.object({ ...common, prompt: z.string() })
const chat = z.object({
  ...common,
  messages: z.array(message).min(1, 'a chat needs at least one message').max(MAX_LLM_MESSAGES, `at most ${MAX_LLM_MESSAGES} messages`),
  tools: z.array(tool).max(MAX_LLM_TOOLS, `at most ${MAX_LLM_TOOLS} tools`),
  toolChoice: z.string(),
})

export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8')
}

/** Bytes the precompile prices as prompt (and limits by MAX_LLM_PROMPT_BYTES). */
export function promptBytes(call: LlmRequest): number {
  if (call.kind === 'completion') return utf8Bytes(call.request.prompt) + call.request.stopSequences.reduce((n, s) => n + utf8Bytes(s), 0)
  const r = call.request
  let n = r.stopSequences.reduce((a, s) => a + utf8Bytes(s), 0) + utf8Bytes(r.toolChoice)
  for (const m of r.messages) n += utf8Bytes(m.role) + utf8Bytes(m.content) + utf8Bytes(m.name) + utf8Bytes(m.toolCallId) + m.toolCalls.reduce((a, c) => a + utf8Bytes(c.id) + utf8Bytes(c.name) + utf8Bytes(c.arguments), 0)
  for (const t of r.tools) n += utf8Bytes(t.name) + utf8Bytes(t.description) + utf8Bytes(t.parameters)
  return n
}

/** Validates and returns the request; throws `LlmError` MALFORMED_REQUEST or PROMPT_TOO_LONG. */
export function validateLlmRequest(call: LlmRequest): LlmRequest {
  const schema = call.kind === 'completion' ? completion : chat
  const parsed = schema.safeParse(call.request)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
    throw new LlmError('MALFORMED_REQUEST', `invalid ${call.kind} request: ${where}${issue?.message ?? 'malformed'}`, { details: { issues: parsed.error.issues } })
  }
  if (call.kind === 'chat') checkChatSemantics(call.request)
  const bytes = promptBytes(call)
  if (bytes > MAX_LLM_PROMPT_BYTES) {
    throw new LlmError('PROMPT_TOO_LONG', `prompt has ${bytes} bytes, the limit is ${MAX_LLM_PROMPT_BYTES}`, { details: { bytes, limit: MAX_LLM_PROMPT_BYTES } })
  }
  return call
}

/** What a schema cannot say: tool messages answer a call, tool JSON parses, tool_choice names a tool. */
function checkChatSemantics(r: LlmChatRequest): void {
  r.messages.forEach((m, i) => {
    if (m.role === 'tool' && m.toolCallId === '') throw malformed(`messages.${i}: a tool message needs tool_call_id`)
    if (m.role !== 'assistant' && m.toolCalls.length > 0) throw malformed(`messages.${i}: only assistant messages carry tool_calls`)
    for (const c of m.toolCalls) parseJson(c.arguments, `messages.${i}: tool call ${c.name} arguments`)
  })
  const names = new Set<string>()
  for (const t of r.tools) {
    if (names.has(t.name)) throw malformed(`tool ${t.name} is defined twice`)
    names.add(t.name)
    const schema = t.parameters === '' ? {} : parseJson(t.parameters, `tool ${t.name} parameters`)
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw malformed(`tool ${t.name} parameters must be a JSON schema object`)
  }
  const choice = r.toolChoice
  if (!['', 'auto', 'none', 'required'].includes(choice) && !names.has(choice)) {
    throw malformed(`tool_choice "${choice.slice(0, 64)}" is neither auto, none, required nor a defined tool`)
  }
  if (choice === 'required' && names.size === 0) throw malformed('tool_choice is "required" but no tools are defined')
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw malformed(`${what} is not valid JSON`)
  }
}

function malformed(message: string): LlmError {
  return new LlmError('MALFORMED_REQUEST', message)
}
