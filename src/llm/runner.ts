/**
 * Runs GGUF models with node-llama-cpp (llama.cpp, prebuilt CPU binary). Determinism rules:
 *  - temperature 0 → greedy decoding (argmax, no sampling);
 *  - temperature > 0 → sampling with a seed derived from the request hash, so the same request
 *    gets the same answer from the same build on the same machine;
 *  - one request per context: each request gets a fresh context (empty KV cache), evaluated with a
 *    fixed thread count, so no earlier request can change a later one's numerics;
 *  - requests to one model run one at a time.
 * What this does and does not make reproducible across machines: docs/decisions/llm.md.
 */
import { getLlama, LlamaCompletion, type Llama, type LlamaGrammar, type LlamaModel, type Token } from 'node-llama-cpp'
import { errorMessage } from '../errors.js'
import { LLM_CONTEXT_SIZE, LLM_THREADS } from '../params.js'
import { LlmError } from './errors.js'
import { StopScanner } from './stop-scanner.js'
import { TEMPERATURE_SCALE } from './types.js'

export interface GenerateParams {
  /** Text to continue; with `specialTokens`, control tokens written in it (`<|im_start|>`) are parsed as such. */
  prompt: string
  specialTokens: boolean
  maxTokens: number
  stopSequences: readonly string[]
  /** Hundredths (TEMPERATURE_SCALE). */
  temperature: number
  /** Sampling seed (used when temperature > 0). */
  seed: number
  /** A JSON schema the output must follow (constrained decoding), e.g. forced tool calls. */
  jsonSchema?: object
  /** Streaming: each piece of text as soon as it is final. */
  onText?: (text: string) => void
}

export interface Generation {
  text: string
  /** 'length' when max_tokens ended it, else 'stop' (end of text or a stop sequence). */
  finishReason: 'stop' | 'length'
  promptTokens: number
  completionTokens: number
}

export interface LlmRunnerOptions {
  /** Context window per request (capped by the model's training context). */
  contextSize?: number
  /** Threads per evaluation: fixed, since float sums may differ with thread counts. */
  threads?: number
}

let llamaPromise: Promise<Llama> | undefined

/**
 * The GPU backend asked for by `INFERCHAIN_LLM_GPU` (`cuda`, `vulkan`, or `auto`: whichever prebuilt
 * backend this machine can run); unset or `false`: the CPU. CPU is the default because its results
 * are the reproducible ones (docs/decisions/llm.md); a GPU node's answers are as verifiable (signature,
 * attestation), not re-computable elsewhere.
 */
export function llmGpu(value = process.env.INFERCHAIN_LLM_GPU): false | 'auto' | 'cuda' | 'vulkan' {
  if (value === undefined || value === '' || value === 'false') return false
  if (value === 'auto' || value === 'cuda' || value === 'vulkan') return value
  throw new LlmError('BAD_CONFIG', `INFERCHAIN_LLM_GPU must be auto, cuda, vulkan or false, not "${value}"`)
}

/** The process's llama.cpp instance (`build: 'never'`: a prebuilt binary or an error, never a compile). */
export function loadLlama(): Promise<Llama> {
  llamaPromise ??= getLlama({ gpu: llmGpu(), build: 'never', logLevel: 'error' as never }).catch((err: unknown) => {
    llamaPromise = undefined
    throw err
  })
  return llamaPromise
}

/** One loaded model and its serial queue. */
export class LlmRunner {
  #queue: Promise<unknown> = Promise.resolve()
  /** Completion tokens generated since start (metrics, benchmarks). */
  tokensGenerated = 0

  private constructor(
    private readonly llama: Llama,
    readonly model: LlamaModel,
    private readonly options: Required<LlmRunnerOptions>,
  ) {}

  static async load(path: string, options: LlmRunnerOptions = {}): Promise<LlmRunner> {
    const llama = await loadLlama()
    let model: LlamaModel
    try {
      // On a GPU backend every layer that fits goes to the GPU; on the CPU there is nothing to offload.
      model = await llama.loadModel({ modelPath: path, gpuLayers: llama.gpu === false ? 0 : 'auto' })
    } catch (cause) {
      throw new LlmError('NOT_AN_LLM', `llama.cpp cannot load ${path}: ${errorMessage(cause)}`, { cause })
    }
    const contextSize = Math.min(options.contextSize ?? LLM_CONTEXT_SIZE, model.trainContextSize)
    return new LlmRunner(llama, model, { contextSize, threads: options.threads ?? LLM_THREADS })
  }

  get contextSize(): number {
    return this.options.contextSize
  }

  /** Tokens `text` takes (with the BOS token the model adds). */
  countTokens(text: string, specialTokens: boolean): number {
    return this.model.tokenize(text, specialTokens).length + 1
  }

  generate(params: GenerateParams): Promise<Generation> {
    const run = this.#queue.then(() => this.#generate(params))
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #generate(params: GenerateParams): Promise<Generation> {
    const tokens: Token[] = this.model.tokenize(params.prompt, params.specialTokens)
    const promptTokens = tokens.length + 1
    if (promptTokens + params.maxTokens > this.options.contextSize) {
      throw new LlmError('PROMPT_TOO_LONG', `prompt of ${promptTokens} tokens plus max_tokens ${params.maxTokens} exceeds the context of ${this.options.contextSize} tokens`, {
        details: { promptTokens, maxTokens: params.maxTokens, contextSize: this.options.contextSize },
      })
    }
    const grammar = params.jsonSchema === undefined ? undefined : await this.#grammar(params.jsonSchema)
    const context = await this.model.createContext({ contextSize: this.options.contextSize, sequences: 1, threads: this.options.threads, batchSize: Math.min(512, this.options.contextSize) })
    try {
      const completion = new LlamaCompletion({ contextSequence: context.getSequence() })
      const scanner = new StopScanner(params.stopSequences.filter((x) => x.length > 0))
      const abort = new AbortController()
      let completionTokens = 0
      const { metadata } = await completion.generateCompletionWithMeta(tokens, {
        maxTokens: params.maxTokens,
        temperature: params.temperature / TEMPERATURE_SCALE,
        ...(params.temperature > 0 ? { seed: params.seed } : {}),
        disableContextShift: true,
        signal: abort.signal,
        stopOnAbortSignal: true,
        onToken: (t) => void (completionTokens += t.length),
        onTextChunk: (chunk) => {
          const shown = scanner.push(chunk)
          if (shown !== '') params.onText?.(shown)
          if (scanner.stopped) abort.abort()
        },
        ...(grammar === undefined ? {} : { grammar }),
      })
      const rest = scanner.flush()
      if (rest !== '') params.onText?.(rest)
      this.tokensGenerated += completionTokens
      const finishReason = !scanner.stopped && metadata.stopReason === 'maxTokens' ? 'length' : 'stop'
      return { text: scanner.result(), finishReason, promptTokens, completionTokens }
    } finally {
      await context.dispose()
    }
  }

  async #grammar(schema: object): Promise<LlamaGrammar> {
    try {
      return await this.llama.createGrammarForJsonSchema(schema as never)
    } catch (cause) {
      throw new LlmError('MALFORMED_REQUEST', `tool parameters are not a JSON schema llama.cpp can enforce: ${errorMessage(cause)}`, { cause })
    }
  }

  async close(): Promise<void> {
    await this.model.dispose()
  }
}
