/**
 * HTTP client of one inference node (the protocol in `./types.ts`). It returns what the node signed
 * without judging it: verifying the signature and hashes is the caller's job (`verifyVanillaResult`),
 * because only the caller knows which key the node registered.
 */
import { HttpDeadlineError, httpRequest } from './http.js'
import type { Address } from 'viem'
import { errorMessage } from '../errors.js'
import type { ModelInferenceRequest, SignedInferenceResult } from '../evm/types.js'
import { INFERENCE_NODE_TIMEOUT_MS } from '../params.js'
import type { ResultBinding } from './engine.js'
import { InferenceNodeError, type InferenceNodeErrorCode } from './errors.js'
import type { InferErrorCode } from './types.js'
import { inferErrorFromWire, inferRequestToWire, inferResponseFromWire } from './wire.js'

const NODE_CODES: ReadonlySet<string> = new Set<InferErrorCode>([
  'MODEL_NOT_FOUND',
  'MODE_NOT_SUPPORTED',
  'BAD_TENSOR_NAME',
  'BAD_TENSOR_SHAPE',
  'BAD_TENSOR_TYPE',
  'BAD_TENSOR_VALUE',
  'OUTPUT_TOO_LARGE',
  'INFERENCE_FAILED',
  'BAD_REQUEST',
])

export interface InferOptions {
  /** Whole-call deadline, connection to last byte (default INFERENCE_NODE_TIMEOUT_MS). */
  timeoutMs?: number
  signal?: AbortSignal
  /** TEE mode: the request the result must be attested for. */
  binding?: ResultBinding
}

export type { ResultBinding }

/** `GET /v1/health` */
export interface NodeHealth {
  ok: true
  address: Address
  models: string[]
  modes: number[]
  tee?: { kind: string; measurement: `0x${string}`; enclaveKey: `0x${string}` }
}

/**
 * Talks to one inference node. Every failure is an `InferenceNodeError`: the node's own code when it
 * answered with one, else `NODE_UNREACHABLE`, `NODE_TIMEOUT`, `BAD_RESPONSE` or `ABORTED`.
 *
 * @example
 * const result = await new InferenceNodeClient('http://127.0.0.1:8601').infer(request, { timeoutMs: 5_000 })
 * verifyVanillaResult(result, { inputHash, signer: registeredAddress })
 */
export class InferenceNodeClient {
  readonly url: string

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '')
  }

  /** `POST /v1/infer`: the node's signed result for `request`. */
  async infer(request: ModelInferenceRequest, options: InferOptions = {}): Promise<SignedInferenceResult> {
    const body = await this.#call('/v1/infer', options, { method: 'POST', body: JSON.stringify(inferRequestToWire(request, options.binding)) })
    let result: SignedInferenceResult
    try {
      result = inferResponseFromWire(body)
    } catch (cause) {
      throw new InferenceNodeError('BAD_RESPONSE', `${this.url} answered a malformed result: ${errorMessage(cause)}`, { cause, status: 200 })
    }
    if (result.modelCid !== request.modelCid || result.mode !== request.mode) {
      throw new InferenceNodeError('BAD_RESPONSE', `${this.url} answered a result for ${result.modelCid} mode ${result.mode}`, {
        status: 200,
        details: { requested: { modelCid: request.modelCid, mode: request.mode }, answered: { modelCid: result.modelCid, mode: result.mode } },
      })
    }
    return result
  }

  /** `GET /v1/health` */
  async health(options: InferOptions = {}): Promise<NodeHealth> {
    return (await this.#call('/v1/health', options, { method: 'GET' })) as NodeHealth
  }

  /** `GET /v1/metrics`: model executions since the node started. */
  async metrics(options: InferOptions = {}): Promise<{ inferences: number }> {
    return (await this.#call('/v1/metrics', options, { method: 'GET' })) as { inferences: number }
  }

  async #call(path: string, options: InferOptions, init: { method: string; body?: string }): Promise<unknown> {
    const url = this.url + path
    let status: number | undefined
    try {
      const response = await httpRequest(url, { ...init, timeoutMs: options.timeoutMs ?? INFERENCE_NODE_TIMEOUT_MS, ...(options.signal ? { signal: options.signal } : {}) })
      status = response.status
      const text = response.text
      if (status < 200 || status >= 300) throw this.#refusal(status, text)
      return parseJson(text, url, status)
    } catch (err) {
      if (err instanceof InferenceNodeError) throw err
      throw transportError(err, url, status)
    }
  }

  #refusal(status: number, text: string): InferenceNodeError {
    const error = inferErrorFromWire(tryJson(text))
    const code: InferenceNodeErrorCode = error !== undefined && NODE_CODES.has(error.code) ? (error.code as InferErrorCode) : 'BAD_RESPONSE'
    const message = error?.message ?? `HTTP ${status}: ${text.slice(0, 200)}`
    return new InferenceNodeError(code, `${this.url}: ${message}`, { status, details: { nodeCode: error?.code } })
  }
}

function transportError(err: unknown, url: string, status: number | undefined): InferenceNodeError {
  if (err instanceof HttpDeadlineError && err.code === 'ABORTED') return new InferenceNodeError('ABORTED', `call to ${url} was aborted`, { cause: err })
  if (err instanceof HttpDeadlineError) return new InferenceNodeError('NODE_TIMEOUT', `${url} did not answer in time`, { cause: err })
  const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code
  // A connection cut mid-answer (status known) is as useless as no answer: unreachable either way.
  return new InferenceNodeError('NODE_UNREACHABLE', `${url} is unreachable: ${code ?? errorMessage(err)}`, {
    cause: err,
    details: { status },
  })
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    // Not JSON at all (a proxy's error page): the caller reports it as BAD_RESPONSE with the text.
    return undefined
  }
}

function parseJson(text: string, url: string, status: number): unknown {
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw new InferenceNodeError('BAD_RESPONSE', `${url} answered invalid JSON`, { cause, status })
  }
}
