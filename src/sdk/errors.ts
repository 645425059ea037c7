/** Errors the SDK raises, with stable codes. */
import { BaseError, ContractFunctionRevertedError } from 'viem'
import { InferchainError } from '../errors.js'

export type SdkErrorCode = 'BAD_TENSOR' | 'NO_SUCH_TENSOR' | 'NO_RECORD' | 'TRANSACTION_REVERTED' | 'NO_INFERENCE_EVENT'

export class SdkError extends InferchainError {
  override readonly name = 'SdkError' as const
  constructor(code: SdkErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, { details })
  }
}

/**
 * The precompile refused or failed a call: `code` is its stable code (`UNKNOWN_MODEL`,
 * `NODE_UNAVAILABLE`, `MALFORMED_REQUEST`, …; the README lists them), `reason` the revert reason.
 */
export class InferenceRevertedError extends InferchainError {
  override readonly name = 'InferenceRevertedError' as const
  constructor(
    code: string,
    readonly reason: string,
  ) {
    super(code, reason)
  }
}

const REASON = /inference: ([A-Z_]+): /

/**
 * Turns a viem error whose revert reason is the precompile's (`inference: CODE: message`) into an
 * `InferenceRevertedError`; anything else is returned unchanged.
 */
export function asInferenceError(err: unknown): unknown {
  if (!(err instanceof BaseError)) return err
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null
  const reason = reverted?.reason ?? findReason(err)
  const match = reason?.match(REASON)
  return match ? new InferenceRevertedError(match[1]!, reason!.slice(reason!.indexOf(match[0]))) : err
}

function findReason(err: BaseError): string | undefined {
  const text = `${err.shortMessage}\n${err.details ?? ''}\n${err.message}`
  const at = text.search(REASON)
  return at < 0 ? undefined : text.slice(at).split('\n')[0]
}
