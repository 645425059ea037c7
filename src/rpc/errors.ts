/**
 * JSON-RPC errors and how anything a handler throws becomes one.
 *
 * | code   | when                                                                           |
 * |--------|--------------------------------------------------------------------------------|
 * | -32700 | the body is not JSON                                                           |
 * | -32600 | not a JSON-RPC request object (or an empty / oversized batch, too large a body) |
 * | -32601 | unknown method                                                                 |
 * | -32602 | a parameter fails validation; the message names the parameter                  |
 * | -32603 | an unexpected failure inside the node (a bug): the message says what broke     |
 * | -32000 | the node refuses: "header not found", a refused transaction, a halted call     |
 * | -32005 | a query over a limit (eth_getLogs range)                                        |
 * | 3      | the call reverted: `data` is the revert data, an `Error(string)` reason is decoded |
 *
 * Typed project errors (anything with a string `code` and a `shortMessage`, i.e. subclasses of
 * `InferchainError`, e.g. `NONCE_TOO_LOW` from `eth_sendRawTransaction`) become
 * `{ code: -32000, message: shortMessage, data: { code } }` so clients can match the stable code.
 */
import { bytesToHex } from '@ethereumjs/util'
import { decodeErrorResult, type Hex } from 'viem'

/**
 * An error answered to the client as-is.
 *
 * @example
 * throw new RpcError(-32000, 'header not found')
 */
export class RpcError extends Error {
  override readonly name = 'RpcError' as const

  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message)
  }
}

/** The standard codes, named. */
export const RpcErrorCode = {
  PARSE: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  SERVER: -32000,
  LIMIT_EXCEEDED: -32005,
  REVERTED: 3,
} as const

/** -32700: the body is not JSON. */
export const parseError = (detail: string) => new RpcError(RpcErrorCode.PARSE, `parse error: ${detail}`)
/** -32600: not a valid request object. */
export const invalidRequest = (detail: string) => new RpcError(RpcErrorCode.INVALID_REQUEST, `invalid request: ${detail}`)
/** -32601, worded as geth words it (some clients match on the text). */
export const methodNotFound = (method: string) =>
  new RpcError(RpcErrorCode.METHOD_NOT_FOUND, `the method ${method} does not exist/is not available`)
/** -32602: `detail` should start with the parameter's name. */
export const invalidParams = (detail: string) => new RpcError(RpcErrorCode.INVALID_PARAMS, `invalid params: ${detail}`)
/** -32603: an unexpected failure. */
export const internalError = (detail: string) => new RpcError(RpcErrorCode.INTERNAL, `internal error: ${detail}`)
/** -32000: the node refuses (state unavailable, transaction refused, call halted). */
export const serverError = (message: string, data?: unknown) => new RpcError(RpcErrorCode.SERVER, message, data)
/** -32000 "header not found": a state read at a block the node does not have. */
export const headerNotFound = () => serverError('header not found')
/** -32005: the request asks for more than the node serves in one answer. */
export const limitExceeded = (message: string) => new RpcError(RpcErrorCode.LIMIT_EXCEEDED, message)

const errorStringAbi = [{ type: 'error', name: 'Error', inputs: [{ type: 'string', name: 'message' }] }] as const
const ERROR_STRING_SELECTOR = '0x08c379a0'

/** The reason of `Error(string)` revert data, or undefined for any other (or malformed) data. */
export function decodeRevertReason(data: Hex): string | undefined {
  if (!data.startsWith(ERROR_STRING_SELECTOR)) return undefined
  try {
    return decodeErrorResult({ abi: errorStringAbi, data }).args[0]
  } catch {
    return undefined // malformed Error(string): the caller still gets the raw data
  }
}

/**
 * Code 3, as geth answers a reverted `eth_call` / `eth_estimateGas`: the decoded `Error(string)`
 * reason in the message, the raw revert data (possibly `0x`) in `data` for custom-error decoding.
 */
export function executionReverted(revertData: Uint8Array): RpcError {
  const data = bytesToHex(revertData) as Hex
  const reason = decodeRevertReason(data)
  return new RpcError(RpcErrorCode.REVERTED, reason !== undefined ? `execution reverted: ${reason}` : 'execution reverted', data)
}

/** A typed project error, recognised by shape so that copies of the module still match. */
function isCodedError(err: unknown): err is Error & { code: string; shortMessage: string } {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string' && typeof (err as { shortMessage?: unknown }).shortMessage === 'string'
}

/** Maps anything a handler threw to an RpcError (see the table at the top of this file). */
export function toRpcError(err: unknown): RpcError {
  if (err instanceof RpcError) return err
  if (isCodedError(err)) return serverError(err.shortMessage, { code: err.code })
  return internalError(err instanceof Error ? err.message : String(err))
}
