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
  // repositories (src/hub/repo-routes.ts)
  'INVALID_NAME',
  'UNAUTHORIZED',
  'BAD_SIGNATURE',
  'SIGNATURE_EXPIRED',
  'NONCE_REUSED',
  'NOT_REPOSITORY_OWNER',
  'REPOSITORY_NOT_REGISTERED',
  'REPOSITORY_NOT_FOUND',
  'REPOSITORY_EXISTS',
  'VERSION_NOT_FOUND',
  'VERSION_EXISTS',
  'FILE_NOT_FOUND',
  'FILE_EXISTS',
  'FILE_TOO_LARGE',
  'UPLOAD_TRUNCATED',
  'UPLOAD_SIZE_MISMATCH',
  'CHAIN_UNAVAILABLE',
  'REPOSITORIES_DISABLED',
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

/** The HTTP status the hub answers each code with. */
export const HUB_ERROR_STATUS: Record<HubErrorCode, number> = {
  INVALID_MODEL: 400,
  INVALID_CID: 400,
  MODEL_HASH_MISMATCH: 400,
  BAD_REQUEST: 400,
  INVALID_NAME: 400,
  UPLOAD_TRUNCATED: 400,
  UPLOAD_SIZE_MISMATCH: 400,
  UNAUTHORIZED: 401,
  BAD_SIGNATURE: 401,
  SIGNATURE_EXPIRED: 401,
  NONCE_REUSED: 401,
  NOT_REPOSITORY_OWNER: 403,
  REPOSITORY_NOT_REGISTERED: 403,
  MODEL_NOT_FOUND: 404,
  NOT_FOUND: 404,
  REPOSITORY_NOT_FOUND: 404,
  VERSION_NOT_FOUND: 404,
  FILE_NOT_FOUND: 404,
  REPOSITORY_EXISTS: 409,
  VERSION_EXISTS: 409,
  FILE_EXISTS: 409,
  MODEL_TOO_LARGE: 413,
  FILE_TOO_LARGE: 413,
  HUB_ERROR: 500,
  HUB_UNAVAILABLE: 503,
  CHAIN_UNAVAILABLE: 503,
  REPOSITORIES_DISABLED: 503,
}
