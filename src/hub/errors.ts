/** The hub's typed errors (stable codes; the HTTP API answers `{ error: { code, message } }`). */
import { InferchainError } from '../errors.js'

export type HubErrorCode = 'INVALID_MODEL' | 'INVALID_CID' | 'MODEL_NOT_FOUND' | 'MODEL_HASH_MISMATCH' | 'MODEL_TOO_LARGE' | 'HUB_UNAVAILABLE' | 'HUB_ERROR'

export class HubError extends InferchainError {
  override readonly name = 'HubError' as const
  declare readonly code: HubErrorCode

  constructor(code: HubErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(code, message, options)
  }
}

export class InvalidModelError extends InferchainError {
  override readonly name = 'InvalidModelError' as const
  constructor(message: string, cause?: unknown) {
    super('INVALID_MODEL', message, { cause })
  }
}

export class ModelHashMismatchError extends InferchainError {
  override readonly name = 'ModelHashMismatchError' as const
  constructor(expected: string, actual: string) {
    super('MODEL_HASH_MISMATCH', `model bytes hash to ${actual}, not ${expected}`, { details: { expected, actual } })
  }
}
