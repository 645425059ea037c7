/** Typed errors of private models (docs/decisions/private-models.md). */
import { InferchainError } from '../errors.js'

export type PrivateModelErrorCode =
  /** The file cannot be read or is not an ONNX model. */
  | 'PRIVATE_MODEL_UNREADABLE'
  /** The model cannot be quantized, so it has no weights commitment (ZK's supported graphs only). */
  | 'PRIVATE_MODEL_UNSUPPORTED'
  /** The string is not a private model id (`private:0x` + 64 hex digits). */
  | 'BAD_PRIVATE_MODEL_ID'
  /** The id is registered by another owner who has not authorised this node. */
  | 'NODE_NOT_AUTHORIZED'
  /** ModelRegistry holds the id with another commitment, or not flagged private. */
  | 'PRIVATE_MODEL_MISMATCH'

export class PrivateModelError extends InferchainError {
  override readonly name = 'PrivateModelError' as const
  declare readonly code: PrivateModelErrorCode
  constructor(code: PrivateModelErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(code, message, options)
  }
}

/**
 * The precompile's refusal to run a model for this caller: the owner restricted the model to an
 * allowlist the caller is not on. Becomes the revert `inference: NOT_ALLOWED: …`.
 */
export class ModelAccessRefusal extends InferchainError {
  override readonly name = 'ModelAccessRefusal' as const
  declare readonly code: 'NOT_ALLOWED'
  constructor(message: string, details: Record<string, unknown>) {
    super('NOT_ALLOWED', message, { details })
  }
}
