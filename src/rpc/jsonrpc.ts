/** JSON-RPC 2.0 framing: single and batch requests, notifications, errors. Never throws. */
import type { RpcMethodTable } from './types.js'
import { invalidRequest, methodNotFound, parseError, toRpcError, type RpcError } from './errors.js'

type Id = string | number | null
export interface RpcResponse {
  jsonrpc: '2.0'
  id: Id
  result?: unknown
  error?: { code: number; message: string; data?: unknown }
}

/** The largest batch we answer, so one request cannot pin the node. */
export const MAX_BATCH = 1000

function errorResponse(id: Id, err: RpcError): RpcResponse {
  return { jsonrpc: '2.0', id, error: { code: err.code, message: err.message, ...(err.data !== undefined ? { data: err.data } : {}) } }
}

async function handleOne(methods: RpcMethodTable, request: unknown): Promise<RpcResponse | undefined> {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return errorResponse(null, invalidRequest('expected an object'))
  const { id, method, params, jsonrpc } = request as Record<string, unknown>
  const validId = id === undefined || id === null || typeof id === 'string' || typeof id === 'number'
  if (!validId) return errorResponse(null, invalidRequest('id must be a string, number or null'))
  const responseId = (id ?? null) as Id
  if (jsonrpc !== '2.0' || typeof method !== 'string') return errorResponse(responseId, invalidRequest('expected jsonrpc "2.0" and a method name'))
  if (params !== undefined && !Array.isArray(params)) return errorResponse(responseId, invalidRequest('params must be an array'))
  const handler = Object.hasOwn(methods, method) ? methods[method] : undefined
  let response: RpcResponse
  if (!handler) response = errorResponse(responseId, methodNotFound(method))
  else {
    try {
      const result = await handler((params as unknown[] | undefined) ?? [])
      response = { jsonrpc: '2.0', id: responseId, result: result === undefined ? null : result }
    } catch (err) {
      response = errorResponse(responseId, toRpcError(err))
    }
  }
  // A notification (no id) gets no answer.
  return id === undefined ? undefined : response
}

/** Answers a raw body; undefined means "nothing to send" (only notifications). */
export async function handleBody(methods: RpcMethodTable, body: string): Promise<RpcResponse | RpcResponse[] | undefined> {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch (err) {
    return errorResponse(null, parseError((err as Error).message))
  }
  if (!Array.isArray(parsed)) return handleOne(methods, parsed)
  if (parsed.length === 0) return errorResponse(null, invalidRequest('empty batch'))
  if (parsed.length > MAX_BATCH) return errorResponse(null, invalidRequest(`batch larger than ${MAX_BATCH}`))
  const answers = await Promise.all(parsed.map((r) => handleOne(methods, r)))
  const present = answers.filter((a): a is RpcResponse => a !== undefined)
  return present.length > 0 ? present : undefined
}
