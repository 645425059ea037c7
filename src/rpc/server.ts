/**
 * JSON-RPC over HTTP (`POST /`) and WebSocket (same port), with `eth_subscribe` on WebSocket.
 * CORS is open so that browser dApps can call the node; `GET /` is a small health document; other
 * paths can be served by routes the node mounts (the explorer, metrics).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { invalidRequest, RpcErrorCode } from './errors.js'
import { handleBody, type HandleOptions } from './jsonrpc.js'
import { createSubscriptions } from './subscriptions.js'
import type { RpcBackend, RpcMethodTable } from './types.js'

/** A plain HTTP handler the node mounts beside JSON-RPC. */
export interface HttpRoute {
  /** HTTP method, or `*` for any. */
  method: string
  /** Requests whose path starts with this prefix go to `handler` (checked before JSON-RPC, in order). */
  prefix: string
  handler(req: IncomingMessage, res: ServerResponse): void | Promise<void>
}

export interface RpcServerOptions {
  methods: RpcMethodTable
  /** For `eth_subscribe` notifications and the health document. */
  backend: Pick<RpcBackend, 'onNewBlock' | 'headNumber' | 'clientVersion' | 'chainId'>
  host?: string
  port?: number
  /** Largest HTTP body or WebSocket message accepted (default 5 MiB). */
  maxBodyBytes?: number
  routes?: HttpRoute[]
  /** Told about unexpected failures (-32603, route handler crashes). Default: `console.error`. */
  onInternalError?: (err: unknown, where: string) => void
}

export interface RpcServer {
  /** `http://host:port` */
  url: string
  /** `ws://host:port` */
  wsUrl: string
  /** Mounts another plain HTTP route (checked after those already mounted). */
  addRoute(route: HttpRoute): void
  /** Stops listening and ends every HTTP and WebSocket connection. */
  close(): Promise<void>
}

export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
/** A WebSocket client this far behind on its notifications is dropped rather than buffered for. */
const MAX_WS_BUFFERED_BYTES = 64 * 1024 * 1024

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-max-age': '86400',
}

/**
 * @example
 * const rpc = await startRpcServer({ methods: createEthMethods(backend), backend })
 * const client = createPublicClient({ transport: http(rpc.url) })
 * await rpc.close()
 */
export async function startRpcServer(options: RpcServerOptions): Promise<RpcServer> {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const report = options.onInternalError ?? ((err: unknown, where: string) => console.error(`rpc: ${where} failed:`, err))
  const handleOptions: HandleOptions = { onInternalError: (err, method) => report(err, method) }
  const routes = [...(options.routes ?? [])]

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      report(err, `${req.method} ${req.url}`)
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' })
      else res.destroy()
    })
  })

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!
    const mounted = routes.find((r) => (r.method === '*' || r.method === req.method) && path.startsWith(r.prefix))
    if (mounted) return mounted.handler(req, res)
    if (req.method === 'OPTIONS') return preflight(req, res)
    if (path !== '/') return sendJson(res, 404, { error: `no route for ${path}` })
    if (req.method === 'GET') {
      const { backend } = options
      return sendJson(res, 200, { ok: true, client: backend.clientVersion, chainId: `0x${backend.chainId.toString(16)}`, head: `0x${backend.headNumber().toString(16)}` })
    }
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST for JSON-RPC' }, { allow: 'GET, POST, OPTIONS' })
    const body = await readBody(req, maxBody)
    if (body === undefined) return tooLarge(res, maxBody)
    const answer = await handleBody(options.methods, body, handleOptions)
    if (answer === undefined) return void res.writeHead(204, CORS_HEADERS).end() // only notifications
    sendText(res, 200, answer)
  }

  const wss = new WebSocketServer({ server, maxPayload: maxBody })
  wss.on('connection', (socket) => serveSocket(socket, options.methods, options.backend, handleOptions, report))
  wss.on('error', (err) => report(err, 'websocket server'))

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { address, port, family } = server.address() as AddressInfo
  const host = family === 'IPv6' ? `[${address}]` : address
  return {
    url: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}`,
    addRoute: (route) => void routes.push(route),
    close: async () => {
      for (const client of wss.clients) client.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      server.closeAllConnections()
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())))
    },
  }
}

function preflight(req: IncomingMessage, res: ServerResponse): void {
  // Echo what the page asks to send (content-type, authorization, viem's own headers).
  const requested = req.headers['access-control-request-headers']
  res.writeHead(204, { ...CORS_HEADERS, 'access-control-allow-headers': requested ?? 'content-type' }).end()
}

/** The headers of every JSON answer but its length, as the flat [name, value, ...] list `writeHead` takes. */
const JSON_HEADERS = Object.entries({ ...CORS_HEADERS, 'content-type': 'application/json' }).flat()

function sendText(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  const extra = Object.entries(headers).flat()
  // A flat list, built without merging objects: the JSON-RPC hot path answers every request here.
  res.writeHead(status, [...JSON_HEADERS, ...extra, 'content-length', String(Buffer.byteLength(body))])
  res.end(body)
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  sendText(res, status, JSON.stringify(value), headers)
}

/** 413 with a JSON-RPC error body (the rest of the body is drained, so the client can read it). */
function tooLarge(res: ServerResponse, maxBody: number): void {
  const error = invalidRequest(`body larger than ${maxBody} bytes`)
  sendJson(res, 413, { jsonrpc: '2.0', id: null, error: { code: RpcErrorCode.INVALID_REQUEST, message: error.message } })
}

/** An oversized body is drained (not buffered) up to this many times the limit, then the connection is cut. */
const DRAIN_FACTOR = 4

/** The body as text, or undefined as soon as it is known to exceed `limit`. */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let over = Number(req.headers['content-length'] ?? 0) > limit
    if (over) resolve(undefined)
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (!over && size > limit) {
        over = true
        chunks.length = 0
        resolve(undefined)
      }
      if (!over) chunks.push(chunk)
      // Draining lets an honest client finish its upload and read the 413; a flood is cut off.
      else if (size > limit * DRAIN_FACTOR) req.socket.destroy()
    })
    req.on('end', () => over || resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** JSON-RPC over one WebSocket: the node's methods plus this connection's subscriptions. */
function serveSocket(
  socket: WebSocket,
  methods: RpcMethodTable,
  backend: RpcServerOptions['backend'],
  handleOptions: HandleOptions,
  report: (err: unknown, where: string) => void,
): void {
  const send = (text: string): void => {
    if (socket.readyState !== socket.OPEN) return
    if (socket.bufferedAmount > MAX_WS_BUFFERED_BYTES) return void socket.terminate()
    socket.send(text)
  }
  const subscriptions = createSubscriptions(backend, send, (err) => report(err, 'eth_subscription'))
  const all: RpcMethodTable = { ...methods, ...subscriptions.methods }
  socket.on('message', (raw: RawData) => {
    const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : Array.isArray(raw) ? Buffer.concat(raw).toString('utf8') : Buffer.from(raw).toString('utf8')
    void handleBody(all, text, handleOptions).then((answer) => answer !== undefined && send(answer))
  })
  socket.on('close', () => subscriptions.close())
  socket.on('error', (err) => report(err, 'websocket connection'))
}
