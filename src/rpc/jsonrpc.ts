/**
 * JSON-RPC 2.0 framing: single and batch requests, notifications, errors. Transport-free (the HTTP
 * and WebSocket servers both use it) and never throws: every failure is an error response.
 */
import { internalError, invalidParams, invalidRequest, methodNotFound, parseError, RpcErrorCode, toRpcError, type RpcError } from './errors.js'
import type { RpcMethodTable } from './types.js'

export type RpcId = string | number | null

/** One response object as it goes on the wire. */
export interface RpcResponse {
  jsonrpc: '2.0'
  id: RpcId
  result?: unknown
  error?: { code: number; message: string; data?: unknown }
}

export interface HandleOptions {
  /** Told about every -32603 (a failure the node did not expect), with the method that failed. */
  onInternalError?: (err: unknown, method: string) => void
}

/** The largest batch answered, so that one request cannot pin the node. */
export const MAX_BATCH = 1000

function errorResponse(id: RpcId, err: RpcError): RpcResponse {
  const error = { code: err.code, message: err.message, ...(err.data !== undefined ? { data: err.data } : {}) }
  return { jsonrpc: '2.0', id, error }
}

/** Serialises a response; a result JSON cannot carry (a bigint, a cycle) becomes -32603. */
function serialise(response: RpcResponse, method: string, options: HandleOptions): string {
  try {
    return JSON.stringify(response)
  } catch (err) {
    options.onInternalError?.(err, method)
    return JSON.stringify(errorResponse(response.id, internalError(`result of ${method} is not serialisable: ${(err as Error).message}`)))
  }
}

function isId(id: unknown): id is RpcId {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))
}

/** Answers one request object; undefined for a notification (a request without `id`). */
async function handleOne(methods: RpcMethodTable, request: unknown, options: HandleOptions): Promise<string | undefined> {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return JSON.stringify(errorResponse(null, invalidRequest('expected a request object')))
  }
  const { id, method, params, jsonrpc } = request as Record<string, unknown>
  if (id !== undefined && !isId(id)) return JSON.stringify(errorResponse(null, invalidRequest('id must be a string, a number or null')))
  const responseId = id ?? null
  if (jsonrpc !== '2.0') return JSON.stringify(errorResponse(responseId, invalidRequest('jsonrpc must be "2.0"')))
  if (typeof method !== 'string') return JSON.stringify(errorResponse(responseId, invalidRequest('method must be a string')))

  let response: RpcResponse
  const handler = Object.hasOwn(methods, method) ? methods[method] : undefined
  if (!handler) response = errorResponse(responseId, methodNotFound(method))
  // Named params are valid JSON-RPC but every eth_* method is positional.
  else if (params !== undefined && !Array.isArray(params)) response = errorResponse(responseId, invalidParams('params must be an array'))
  else {
    try {
      const result = await handler((params as unknown[] | undefined) ?? [])
      response = { jsonrpc: '2.0', id: responseId, result: result === undefined ? null : result }
    } catch (err) {
      const rpcError = toRpcError(err)
      if (rpcError.code === RpcErrorCode.INTERNAL) options.onInternalError?.(err, method)
      response = errorResponse(responseId, rpcError)
    }
  }
  return id === undefined ? undefined : serialise(response, method, options)
}

/**
 * Answers a raw JSON-RPC body (one request or a batch) with the serialised response, or undefined
 * when there is nothing to send (only notifications). Batch entries run concurrently and are
 * answered in request order.
 *
 * @example
 * await handleBody({ eth_chainId: () => '0x1' }, '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}')
 * // '{"jsonrpc":"2.0","id":1,"result":"0x1"}'
 */
export async function handleBody(methods: RpcMethodTable, body: string, options: HandleOptions = {}): Promise<string | undefined> {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch (err) {
    return JSON.stringify(errorResponse(null, parseError((err as Error).message)))
  }
  if (!Array.isArray(parsed)) return handleOne(methods, parsed, options)
  if (parsed.length === 0) return JSON.stringify(errorResponse(null, invalidRequest('empty batch')))
  if (parsed.length > MAX_BATCH) return JSON.stringify(errorResponse(null, invalidRequest(`batch larger than ${MAX_BATCH} requests`)))
  const answers = await Promise.all(parsed.map((request) => handleOne(methods, request, options)))
  const present = answers.filter((a): a is string => a !== undefined)
  return present.length > 0 ? `[${present.join(',')}]` : undefined
}
