/**
 * JSON-RPC over HTTP (POST /) and WebSocket (same port), with `eth_subscribe` for `newHeads` and
 * `logs`. Other HTTP routes (e.g. the explorer) can be mounted by prefix.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { formatBlock, formatLog, firstLogIndexes } from './format.js'
import { handleBody } from './jsonrpc.js'
import { logFilter, parse } from './params.js'
import { createLogMatcher } from './subscriptions.js'
import type { RpcBackend, RpcMethodTable } from './types.js'

export interface HttpRoute {
  method: 'GET' | 'POST'
  /** Requests whose path starts with this go to `handler`. */
  prefix: string
  handler(req: IncomingMessage, res: ServerResponse): void | Promise<void>
}

export interface RpcServerOptions {
  methods: RpcMethodTable
  backend: RpcBackend
  host?: string
  port?: number
  maxBodyBytes?: number
  routes?: HttpRoute[]
}

export interface RpcServer {
  url: string
  wsUrl: string
  close(): Promise<void>
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, GET, OPTIONS',
  'access-control-allow-headers': 'content-type',
}

export async function startRpcServer(options: RpcServerOptions): Promise<RpcServer> {
  const maxBody = options.maxBodyBytes ?? 5 * 1024 * 1024
  const server = createServer((req, res) => {
    void route(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, CORS)
      res.end(String(err))
    })
  })

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'OPTIONS') return void res.writeHead(204, CORS).end()
    const path = (req.url ?? '/').split('?')[0]!
    const extra = options.routes?.find((r) => r.method === req.method && path.startsWith(r.prefix))
    if (extra) return extra.handler(req, res)
    if (req.method === 'GET' && path === '/') {
      return json(res, 200, { ok: true, client: options.backend.clientVersion, head: `0x${options.backend.headNumber().toString(16)}` })
    }
    if (req.method !== 'POST' || path !== '/') return json(res, 404, { error: 'not found' })
    const body = await readBody(req, maxBody)
    if (body === undefined) return json(res, 413, { jsonrpc: '2.0', id: null, error: { code: -32600, message: `invalid request: body larger than ${maxBody} bytes` } })
    const answer = await handleBody(options.methods, body)
    if (answer === undefined) return void res.writeHead(204, CORS).end()
    json(res, 200, answer)
  }

  const wss = new WebSocketServer({ server, maxPayload: maxBody })
  wss.on('connection', (socket) => serveSocket(socket, options))

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve)
  })
  const { address, port } = server.address() as AddressInfo
  return {
    url: `http://${address}:${port}`,
    wsUrl: `ws://${address}:${port}`,
    close: async () => {
      for (const client of wss.clients) client.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value)
  res.writeHead(status, { ...CORS, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

/** The body as text, or undefined if it exceeds `limit`. */
async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** JSON-RPC over one WebSocket, plus its subscriptions. */
function serveSocket(socket: WebSocket, options: RpcServerOptions): void {
  const subscriptions = new Map<string, () => void>()
  let nextId = 1
  const send = (value: unknown) => socket.readyState === socket.OPEN && socket.send(JSON.stringify(value))
  const methods: RpcMethodTable = {
    ...options.methods,
    eth_subscribe: ([kind, filter]) => {
      const id = `0x${(nextId++).toString(16)}`
      const notify = (result: unknown) => send({ jsonrpc: '2.0', method: 'eth_subscription', params: { subscription: id, result } })
      if (kind === 'newHeads') {
        subscriptions.set(id, options.backend.onNewBlock((block) => notify(formatBlock(block, false))))
      } else if (kind === 'logs') {
        const matches = createLogMatcher(parse(logFilter, filter ?? {}, 'filter'))
        subscriptions.set(
          id,
          options.backend.onNewBlock((block, receipts) => {
            const starts = firstLogIndexes(receipts)
            receipts.forEach((r, txIndex) => r.logs.forEach((log, i) => matches(log) && notify(formatLog(log, block, txIndex, starts[txIndex]! + i))))
          }),
        )
      } else {
        throw Object.assign(new Error(), { code: -32602 })
      }
      return id
    },
    eth_unsubscribe: ([id]) => {
      const stop = subscriptions.get(String(id))
      stop?.()
      return subscriptions.delete(String(id))
    },
  }
  socket.on('message', async (raw) => {
    const answer = await handleBody(methods, raw.toString())
    if (answer !== undefined) send(answer)
  })
  socket.on('close', () => {
    for (const stop of subscriptions.values()) stop()
    subscriptions.clear()
  })
}
