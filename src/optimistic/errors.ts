/**
 * Errors of OPTIMISTIC mode's canonical integer path, one class per moment they can happen, each
 * with a stable `code` (in the style of `src/zk/errors.ts`):
 *   - `CanonicalModelError`: when a model is loaded for the canonical path — the ONNX graph is outside
 *     the supported subset, or its values do not fit the fixed point. Raised before any inference, so
 *     a model fails at registration for OPTIMISTIC mode and never in a dispute.
 *   - `CanonicalInputError`: at inference — a request the canonical path refuses. Deterministic: every
 *     node and every validator refuses the same request with the same code, so a refusal can itself be
 *     the canonical result of a request. The codes are the inference node's own request codes
 *     (`InferenceRequestError`), so a caller can pass `code` through unchanged.
 */
import { InferchainError } from '../errors.js'

export type CanonicalModelErrorCode =
  /** An operator, graph shape or value range the canonical integer path does not support. */
  'CANONICAL_UNSUPPORTED'

/**
 * The model cannot run on the canonical integer path; `details.reason` carries the underlying
 * code (`ZK_UNSUPPORTED_OP`, `ZK_UNSUPPORTED_GRAPH`, `ZK_VALUE_RANGE`) and `cause` the original error.
 *
 * @example
 * throw new CanonicalModelError('operator Softmax (node softmax_3) is not supported', { details: { op: 'Softmax' } })
 */
export class CanonicalModelError extends InferchainError {
  override readonly name = 'CanonicalModelError' as const
  declare readonly code: CanonicalModelErrorCode
  constructor(shortMessage: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super('CANONICAL_UNSUPPORTED', shortMessage, options)
  }
}

export type CanonicalInputErrorCode =
  /** A tensor name the model does not take, a string tensor, or the model's input missing or repeated. */
  | 'BAD_TENSOR_NAME'
  /** The tensor's shape is not the model's input shape (a leading batch of one may be left out). */
  | 'BAD_TENSOR_SHAPE'
  /** A value outside the fixed point's input range, or with too many decimals to be a real input. */
  | 'BAD_TENSOR_VALUE'

/**
 * A request the canonical path refuses; `details` names the tensor (and the index of a bad value).
 *
 * @example
 * try { runCanonical(model, input) } catch (e) { if (e instanceof CanonicalInputError) reply(e.code) }
 */
export class CanonicalInputError extends InferchainError {
  override readonly name = 'CanonicalInputError' as const
  declare readonly code: CanonicalInputErrorCode
  constructor(code: CanonicalInputErrorCode, shortMessage: string, details?: Record<string, unknown>) {
    super(code, shortMessage, { details })
  }
}

export type SecondPathErrorCode =
  /** The model's values could leave int64, which the integer ONNX graph computes in. */
  | 'SECOND_PATH_RANGE'
  /** onnxruntime-web refused or failed to run the emitted graph. */
  | 'SECOND_PATH_FAILED'

/** The second execution path (integer ONNX on onnxruntime-web) cannot run a model. */
export class SecondPathError extends InferchainError {
  override readonly name = 'SecondPathError' as const
  declare readonly code: SecondPathErrorCode
  constructor(code: SecondPathErrorCode, shortMessage: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(code, shortMessage, options)
  }
}
