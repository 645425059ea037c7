/**
 * Errors of the inference node protocol: `InferenceRequestError` is what a node answers a request
 * with (it becomes an `InferErrorBody`), `InferenceNodeError` is what a client sees when calling one.
 */
import { InferchainError } from '../errors.js'
import type { InferErrorCode } from './types.js'

type ErrorOptions = { details?: Record<string, unknown>; cause?: unknown }

/** HTTP status a node answers each code with, unless the error says otherwise. */
const DEFAULT_STATUS: Record<InferErrorCode, number> = {
  MODEL_NOT_FOUND: 404,
  MODE_NOT_SUPPORTED: 400,
  BAD_TENSOR_NAME: 400,
  BAD_TENSOR_SHAPE: 400,
  BAD_TENSOR_TYPE: 400,
  BAD_TENSOR_VALUE: 400,
  BAD_REQUEST: 400,
  // Deterministic for the same model and input: another node would answer the same.
  OUTPUT_TOO_LARGE: 422,
  INFERENCE_FAILED: 500,
}

/**
 * A request an inference node refuses or could not serve. `status` is the HTTP status it is answered
 * with: 4xx means any honest node would refuse the same request, 5xx means this node failed.
 *
 * @example
 * throw new InferenceRequestError('BAD_TENSOR_NAME', 'unknown input "foo"')
 */
export class InferenceRequestError extends InferchainError {
  override readonly name = 'InferenceRequestError' as const
  declare readonly code: InferErrorCode
  readonly status: number

  constructor(code: InferErrorCode, shortMessage: string, options: ErrorOptions & { status?: number } = {}) {
    super(code, shortMessage, options)
    this.status = options.status ?? DEFAULT_STATUS[code]
  }
}

/** Everything a client of an inference node can fail with: the node's own codes plus transport failures. */
export type InferenceNodeErrorCode =
  | InferErrorCode
  /** Connection refused, reset, DNS failure: no answer at all. */
  | 'NODE_UNREACHABLE'
  /** No complete answer within the timeout. */
  | 'NODE_TIMEOUT'
  /** The node answered something that is not the protocol (or a result for another request). */
  | 'BAD_RESPONSE'
  /** The caller's own AbortSignal fired. */
  | 'ABORTED'

/**
 * A failed call to an inference node, as seen by its client (the full node's dispatcher).
 *
 * @example
 * catch (err) { if (err instanceof InferenceNodeError && err.isNodeFault) tryNextNode() }
 */
export class InferenceNodeError extends InferchainError {
  override readonly name = 'InferenceNodeError' as const
  declare readonly code: InferenceNodeErrorCode
  /** HTTP status when the node answered. */
  readonly status?: number

  constructor(code: InferenceNodeErrorCode, shortMessage: string, options: ErrorOptions & { status?: number } = {}) {
    super(code, shortMessage, options)
    this.status = options.status
  }

  /**
   * True when the failure is the node's, not the request's: another node may well succeed.
   * (A 4xx answer is deterministic for the model and input; retrying elsewhere gives the same.)
   */
  get isNodeFault(): boolean {
    switch (this.code) {
      case 'ABORTED':
        return false
      case 'NODE_UNREACHABLE':
      case 'NODE_TIMEOUT':
      case 'BAD_RESPONSE':
        return true
      default:
        return this.status === undefined || this.status >= 500
    }
  }
}
