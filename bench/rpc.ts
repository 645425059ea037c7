/** JSON-RPC over a keep-alive connection: what the benchmarks time is the node, not a client library. */
import { httpRequest } from '../src/inference/http.js'

export async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const res = await httpRequest(url, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const body = JSON.parse(res.text) as { result?: unknown; error?: { message: string } }
  if (body.error) throw new Error(`${method}: ${body.error.message}`)
  return body.result
}
