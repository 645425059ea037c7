/**
 * JSON-RPC errors. Standard codes: -32700 parse, -32600 invalid request, -32601 method not found,
 * -32602 invalid params, -32603 internal; -32000 a refused transaction or missing state; 3 a revert.
 * Typed project errors (`InferchainError`) thrown by the node become -32000 with `data.code`.
 */
import { decodeErrorResult, type Hex } from 'viem'
import { InferchainError } from '../errors.js'

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message)
  }
}

export const parseError = (detail: string) => new RpcError(-32700, `parse error: ${detail}`)
export const invalidRequest = (detail: string) => new RpcError(-32600, `invalid request: ${detail}`)
export const methodNotFound = (method: string) => new RpcError(-32601, `the method ${method} does not exist/is not available`)
export const invalidParams = (detail: string) => new RpcError(-32602, `invalid params: ${detail}`)
export const headerNotFound = () => new RpcError(-32000, 'header not found')

const errorStringAbi = [{ type: 'error', name: 'Error', inputs: [{ type: 'string', name: 'message' }] }] as const

/** A revert: code 3, the decoded `Error(string)` reason in the message, the raw data in `data`. */
export function executionReverted(revertData: Uint8Array | undefined): RpcError {
  const data = revertData && revertData.length > 0 ? (`0x${Buffer.from(revertData).toString('hex')}` as Hex) : undefined
  let reason: string | undefined
  if (data?.startsWith('0x08c379a0')) {
    try {
      reason = decodeErrorResult({ abi: errorStringAbi, data }).args[0]
    } catch {
      reason = undefined // undecodable Error(string): report the raw data only
    }
  }
  return new RpcError(3, reason ? `execution reverted: ${reason}` : 'execution reverted', data)
}

/** Maps anything a handler threw to an RpcError. */
export function toRpcError(err: unknown): RpcError {
  if (err instanceof RpcError) return err
  if (err instanceof InferchainError) return new RpcError(-32000, err.shortMessage, { code: err.code })
  return new RpcError(-32603, `internal error: ${err instanceof Error ? err.message : String(err)}`)
}
