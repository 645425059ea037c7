/**
 * The inference node's LLM routes (OpenAI-compatible), registered on the node's fastify app:
 *
 *   POST /v1/completions        OpenAI completions (+ `stream: true` → server-sent events)
 *   POST /v1/chat/completions   OpenAI chat completions, tools and tool_choice included
 *
 * Both accept an `inferchain: { mode: "VANILLA" | "TEE", request_id?, chain_id? }` extension and
 * answer with an `inferchain` evidence object (see `./llm-openai.ts`). Streams end with a last
 * chunk that carries the finish reason and the evidence, then `data: [DONE]`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import { join } from 'node:path'
import type { ModelInferenceMode, ModelInferenceRequest, SignedInferenceResult } from '../evm/types.js'
import { HubClient } from '../hub/client.js'
import { llmRequestHash } from '../llm/envelope.js'
import { LlmModelStore } from '../llm/model-store.js'
import type { ResultBinding } from './engine.js'
import { LlmEngine, toRequestError, type LlmAnswer } from './llm-engine.js'
import { chatFromOpenAi, chatMessageToOpenAi, chatToOpenAi, completionFromOpenAi, completionToOpenAi, evidenceOf, resolveBinding, type ParsedOpenAiRequest } from './llm-openai.js'
import type { InferenceNodeOptions } from './service.js'

export interface NodeLlm {
  engine: LlmEngine
  store: LlmModelStore
  isLlmRequest(request: ModelInferenceRequest): boolean
  infer(request: ModelInferenceRequest, binding?: ResultBinding): Promise<SignedInferenceResult>
  close(): Promise<void>
}

/** The node's LLM engine: GGUF models from the same hub, cached beside the ONNX ones. */
export function createLlmEngine(options: InferenceNodeOptions, modes: readonly ModelInferenceMode[]): NodeLlm {
  const store = new LlmModelStore(join(options.cacheDir, 'llm'), new HubClient(options.hubUrl))
  const engine = new LlmEngine({ privateKey: options.privateKey, models: store, modes, ...(options.tee === undefined ? {} : { tee: options.tee }) })
  return {
    engine,
    store,
    isLlmRequest: (request) => LlmEngine.isLlmRequest(request),
    infer: (request, binding) => engine.infer(request, binding),
    close: () => store.close(),
  }
}

export function registerLlmRoutes(app: FastifyInstance, llm: NodeLlm): void {
  app.post('/v1/completions', (req, reply) => serve(llm, completionFromOpenAi(req.body), reply, completionToOpenAi, (text) => ({ object: 'text_completion', choices: [{ index: 0, text, finish_reason: null }] })))
  app.post('/v1/chat/completions', (req, reply) =>
    serve(llm, chatFromOpenAi(req.body), reply, chatToOpenAi, (content) => ({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: null }] })),
  )
}

async function serve(
  llm: NodeLlm,
  parsed: ParsedOpenAiRequest,
  reply: FastifyReply,
  whole: (a: LlmAnswer, b: ResultBinding | undefined) => object,
  chunk: (text: string) => object,
): Promise<object | undefined> {
  let binding: ResultBinding | undefined
  try {
    binding = resolveBinding(parsed, llmRequestHash(parsed.call))
  } catch (err) {
    throw toRequestError(err)
  }
  if (!parsed.stream) return whole(await llm.engine.answer(parsed.call, { ...(binding ? { binding } : {}) }), binding)
  // Streaming: headers go out with the first piece of text; an error before that is a normal error answer.
  const send = (data: object | string) => {
    if (!reply.raw.headersSent) {
      reply.hijack()
      reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
    }
    reply.raw.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`)
  }
  let answer: LlmAnswer
  let streamed = false
  const onText = (text: string) => {
    if (text === '') return
    streamed = true
    send(chunk(text))
  }
  try {
    answer = await llm.engine.answer(parsed.call, { ...(binding ? { binding } : {}), onText })
  } catch (err) {
    if (!reply.raw.headersSent) throw err
    send({ error: { message: (err as Error).message } })
    reply.raw.end()
    return undefined
  }
  const last = chunk('') as { choices: Array<Record<string, unknown>> }
  const choice = last.choices[0]!
  // Text not streamed piece by piece (chats with tools: calls are only known at the end) goes here.
  if (answer.response.kind === 'chat') choice['delta'] = streamed ? {} : chatMessageToOpenAi(answer)
  else choice['text'] = streamed ? '' : answer.response.response.answer
  choice['finish_reason'] = answer.finishReason
  send({ ...last, inferchain: evidenceOf(answer, binding) })
  send('[DONE]')
  reply.raw.end()
  return undefined
}
