/** The hub's typed errors (stable codes; the HTTP API answers `{ error: { code, message } }`). */
import { InferchainError } from '../errors.js'

/** Every code the hub's HTTP API and client use. */
export const HUB_ERROR_CODES = [
  'INVALID_MODEL',
  'INVALID_CID',
  'MODEL_NOT_FOUND',
  'MODEL_HASH_MISMATCH',
  'MODEL_TOO_LARGE',
  'BAD_REQUEST',
  'NOT_FOUND',
  'HUB_UNAVAILABLE',
  'HUB_ERROR',
] as const

export type HubErrorCode = (typeof HUB_ERROR_CODES)[number]

/** Whether a string (e.g. read from an HTTP error body) is one of the hub's codes. */
export function isHubErrorCode(value: unknown): value is HubErrorCode {
  return typeof value === 'string' && (HUB_ERROR_CODES as readonly string[]).includes(value)
}

/**
 * A failure talking to, or reported by, the hub. `details.status` holds the HTTP status when the
 * hub answered.
 *
 * @example
 * throw new HubError('MODEL_NOT_FOUND', `no model ${cid}`, { details: { cid, status: 404 } })
 */
export class HubError extends InferchainError {
  override readonly name = 'HubError' as const
  declare readonly code: HubErrorCode

  constructor(code: HubErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(code, message, options)
  }
}

/**
 * Bytes that are not an ONNX model the hub can describe (undecodable, no graph, unsupported types).
 *
 * @example
 * throw new InvalidModelError('not an ONNX model (protobuf decoding failed)', err)
 */
export class InvalidModelError extends InferchainError {
  override readonly name = 'InvalidModelError' as const
  declare readonly code: 'INVALID_MODEL'
  constructor(message: string, cause?: unknown) {
    super('INVALID_MODEL', message, { cause })
  }
}

/**
 * Bytes that do not hash to the CID they were asked or served for.
 *
 * @example
 * if (actual !== cid) throw new ModelHashMismatchError(cid, actual)
 */
export class ModelHashMismatchError extends InferchainError {
  override readonly name = 'ModelHashMismatchError' as const
  declare readonly code: 'MODEL_HASH_MISMATCH'
  constructor(expected: string, actual: string) {
    super('MODEL_HASH_MISMATCH', `model bytes hash to ${actual}, not ${expected}`, { details: { expected, actual } })
  }
}
