/**
 * How a chat becomes a prompt, and how tool calls are read back: one fixed template (ChatML, with
 * Hermes-style `<tool_call>` tags, as Qwen and many open models are trained on) rather than each
 * model's own Jinja template, so the prompt — and thus the answer — is a pure function of the request.
 *
 *   <|im_start|>system\n{system}\n\n# Tools\n{one JSON definition per line}\n{instructions}<|im_end|>\n
 *   <|im_start|>user\n{content}<|im_end|>\n
 *   <|im_start|>assistant\n{content}<tool_call>\n{"name": …, "arguments": …}\n</tool_call><|im_end|>\n
 *   <|im_start|>tool\n<tool_response>\n{content}\n</tool_response><|im_end|>\n
 *   <|im_start|>assistant\n
 */
import type { ChatMessage, LlmChatRequest, ToolCall } from './types.js'

export const END_OF_TURN = '<|im_end|>'
const TOOL_OPEN = '<tool_call>'
const TOOL_CLOSE = '</tool_call>'

function toolsBlock(r: LlmChatRequest): string {
  if (r.tools.length === 0 || r.toolChoice === 'none') return ''
  const lines = r.tools.map((t) =>
    JSON.stringify({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters === '' ? {} : JSON.parse(t.parameters) } }),
  )
  return (
    '\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n<tools>\n' +
    lines.join('\n') +
    '\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n' +
    '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>'
  )
}

function turn(role: string, body: string): string {
  return `<|im_start|>${role}\n${body}${END_OF_TURN}\n`
}

function messageBody(m: ChatMessage): string {
  if (m.role === 'tool') return `<tool_response>\n${m.content}\n</tool_response>`
  const calls = m.toolCalls.map((c) => `${TOOL_OPEN}\n${JSON.stringify({ name: c.name, arguments: JSON.parse(c.arguments) })}\n${TOOL_CLOSE}`)
  return [m.content, ...calls].filter((s) => s !== '').join('\n')
}

/** The prompt for a chat request, ending where the assistant's answer starts. */
export function chatPrompt(r: LlmChatRequest): string {
  const tools = toolsBlock(r)
  const [first, ...rest] = r.messages
  let prompt = ''
  let messages = r.messages
  if (first?.role === 'system') {
    prompt += turn('system', first.content + tools)
    messages = rest
  } else if (tools !== '') {
    prompt += turn('system', tools.trimStart())
  }
  for (const m of messages) prompt += turn(m.role, messageBody(m))
  return `${prompt}<|im_start|>assistant\n`
}

/** The JSON schema of a forced tool call (tool_choice "required" or a tool's name): decoding is constrained to it. */
export function forcedToolCallSchema(r: LlmChatRequest): object | undefined {
  const forced = r.toolChoice === 'required' ? r.tools : r.tools.filter((t) => t.name === r.toolChoice)
  if (forced.length === 0) return undefined
  const variants = forced.map((t) => ({
    type: 'object',
    properties: { name: { const: t.name }, arguments: t.parameters === '' ? { type: 'object', properties: {} } : JSON.parse(t.parameters) },
    required: ['name', 'arguments'],
    additionalProperties: false,
  }))
  return variants.length === 1 ? variants[0]! : { oneOf: variants }
}

/**
 * Splits generated text into content and tool calls. Calls whose JSON does not parse, or that name
 * no defined tool, stay in the content as text (the model did not make a valid call).
 */
export function parseToolCalls(text: string, r: LlmChatRequest, idPrefix: string): { content: string; toolCalls: ToolCall[] } {
  const names = new Set(r.tools.map((t) => t.name))
  const toolCalls: ToolCall[] = []
  const content = text.replace(/<tool_call>\s*([\s\S]*?)\s*(?:<\/tool_call>|$)/g, (whole, body: string) => {
    const call = readCall(body, names)
    if (call === undefined) return whole
    toolCalls.push({ id: `${idPrefix}${toolCalls.length}`, name: call.name, arguments: call.arguments })
    return ''
  })
  return { content: toolCalls.length > 0 ? content.trim() : content, toolCalls }
}

/** A forced call's JSON text ({"name", "arguments"}) as a tool call. */
export function readForcedCall(text: string, r: LlmChatRequest, id: string): ToolCall | undefined {
  const call = readCall(text, new Set(r.tools.map((t) => t.name)))
  return call && { id, ...call }
}

function readCall(body: string, names: Set<string>): { name: string; arguments: string } | undefined {
  try {
    const parsed = JSON.parse(body) as { name?: unknown; arguments?: unknown }
    if (typeof parsed.name !== 'string' || !names.has(parsed.name)) return undefined
    return { name: parsed.name, arguments: JSON.stringify(parsed.arguments ?? {}) }
  } catch {
    return undefined
  }
}
