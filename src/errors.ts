/**
 * One base class for every error the project raises on purpose.
 *
 * `code` is stable (clients and tests match on it); `shortMessage` is the one-line human reason;
 * `details` carries data that explains it. Subclasses set a literal `name` so that
 * `err instanceof X` and `err.name === 'X'` both work across module copies.
 *
 * @example
 * throw new UnknownModelError({ cid })
 */
export abstract class InferchainError extends Error {
  abstract override readonly name: string
  readonly code: string
  readonly shortMessage: string
  readonly details?: Record<string, unknown>

  constructor(
    code: string,
    shortMessage: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(shortMessage, { cause: options.cause })
    this.code = code
    this.shortMessage = shortMessage
    this.details = options.details
  }
}

/** Turns anything thrown into a message safe to show a user or log. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
