/**
 * The model hub's HTTP API (fastify):
 *
 *   POST /models                 body: ONNX bytes (application/octet-stream), streamed to disk while hashed
 *        headers: x-expected-cid (optional, checked), x-model-name, x-model-description (URI-encoded)
 *        → 200 { cid, metadata } | 400 INVALID_MODEL / MODEL_HASH_MISMATCH / INVALID_CID | 413 MODEL_TOO_LARGE
 *   GET  /models                 → ModelMetadata[]
 *   GET  /models/:cid            → the bytes (immutable; Range requests answered with 206)
 *   GET  /models/:cid/metadata   → ModelMetadata
 *   GET  /health                 → { ok: true, models, maxModelBytes }
 * Errors: { error: { code, message } }. A rejected upload leaves nothing behind.
 */
import Fastify, { type FastifyReply } from 'fastify'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import type { Readable } from 'node:stream'
import { errorMessage, InferchainError } from '../errors.js'
import { isValidCid } from './cid.js'
import { HubError, isHubErrorCode, type HubErrorCode } from './errors.js'
import { DiskModelStore } from './store.js'
import type { ModelStore } from './types.js'
import { receiveUpload } from './upload.js'

/** 256 MiB: larger models are refused with 413. */
export const DEFAULT_MAX_MODEL_BYTES = 256 * 1024 * 1024

export interface HubServerOptions {
  store: ModelStore
  /** 127.0.0.1 unless given. */
  host?: string
  /** 0 (any free port) unless given. */
  port?: number
  maxModelBytes?: number
}

/** `GET /health`. */
export interface HubHealth {
  ok: true
  /** Number of stored models. */
  models: number
  /** The largest upload the hub takes, in bytes. */
  maxModelBytes: number
}

export interface HubServer {
  /** `http://host:port`, with the port actually bound. */
  url: string
  close(): Promise<void>
}

const STATUS: Record<HubErrorCode, number> = {
  INVALID_MODEL: 400,
  INVALID_CID: 400,
  MODEL_HASH_MISMATCH: 400,
  BAD_REQUEST: 400,
  MODEL_NOT_FOUND: 404,
  NOT_FOUND: 404,
  MODEL_TOO_LARGE: 413,
  HUB_UNAVAILABLE: 503,
  HUB_ERROR: 500,
}

function fail(reply: FastifyReply, code: HubErrorCode, message: string, status = STATUS[code]) {
  return reply.code(status).send({ error: { code, message } })
}

/**
 * Starts the hub on `host:port` and resolves once it listens.
 *
 * @example
 * const hub = await startHubServer({ store: new DiskModelStore('./hub'), port: 0 })
 * const { cid } = await new HubClient(hub.url).upload(buildDemoModel())
 * await hub.close()
 */
export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  const { store } = options
  const maxBytes = options.maxModelBytes ?? DEFAULT_MAX_MODEL_BYTES
  const app = Fastify({ logger: false })
  // Uploads are taken as streams (never buffered whole); `receiveUpload` enforces the size limit.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload))

  app.post('/models', async (req, reply) => {
    const body = req.body as Readable | undefined
    if (!body || typeof body.pipe !== 'function') return fail(reply, 'BAD_REQUEST', 'send the ONNX file as application/octet-stream', 415)
    try {
      const declared = Number(req.headers['content-length'])
      if (declared > maxBytes) {
        throw new HubError('MODEL_TOO_LARGE', `model of ${declared} bytes exceeds the hub's limit of ${maxBytes} bytes`, { details: { maxBytes } })
      }
      const expectedCid = header(req.headers['x-expected-cid'])
      if (expectedCid !== undefined && !isValidCid(expectedCid)) {
        throw new HubError('INVALID_CID', `x-expected-cid is not a model CID: ${expectedCid.slice(0, 100)}`)
      }
      const description = { name: header(req.headers['x-model-name']), description: header(req.headers['x-model-description']) }
      return await receiveUpload({ store, body, maxBytes, expectedCid, description })
    } catch (err) {
      // A refusal may leave the body half read: the connection must not be reused.
      reply.header('connection', 'close')
      throw err
    }
  })

  app.get('/models', async () => store.list())

  app.get<{ Params: { cid: string } }>('/models/:cid/metadata', async (req, reply) => {
    const { cid } = req.params
    if (!isValidCid(cid)) return fail(reply, 'INVALID_CID', `not a model CID: ${cid.slice(0, 100)}`)
    const metadata = await store.getMetadata(cid)
    return metadata ?? fail(reply, 'MODEL_NOT_FOUND', `no model ${cid}`)
  })

  app.get<{ Params: { cid: string } }>('/models/:cid', async (req, reply) => {
    const { cid } = req.params
    if (!isValidCid(cid)) return fail(reply, 'INVALID_CID', `not a model CID: ${cid.slice(0, 100)}`)
    const file = await modelFile(store, cid)
    if (!file) return fail(reply, 'MODEL_NOT_FOUND', `no model ${cid}`)
    // Content-addressed: the bytes under a CID never change.
    reply
      .header('content-type', 'application/octet-stream')
      .header('accept-ranges', 'bytes')
      .header('etag', `"${cid}"`)
      .header('cache-control', 'public, max-age=31536000, immutable')
    const range = parseRange(req.headers.range, file.size)
    if (range === 'invalid') return reply.code(416).header('content-range', `bytes */${file.size}`).send()
    if (range) {
      reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${file.size}`).header('content-length', range.end - range.start + 1)
      return reply.send(file.path ? createReadStream(file.path, range) : Buffer.from(file.bytes!.subarray(range.start, range.end + 1)))
    }
    return reply.header('content-length', file.size).send(file.path ? createReadStream(file.path) : Buffer.from(file.bytes!))
  })

  app.get('/health', async (): Promise<HubHealth> => ({ ok: true, models: (await store.list()).length, maxModelBytes: maxBytes }))

  app.setNotFoundHandler((req, reply) => fail(reply, 'NOT_FOUND', `no route ${req.method} ${req.url.slice(0, 100)}`))
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof InferchainError && isHubErrorCode(err.code)) return fail(reply, err.code, err.message)
    // fastify's own refusals (bad content type, malformed request) carry a 4xx status.
    const status = (err as { statusCode?: number }).statusCode ?? 500
    if (status === 413) return fail(reply, 'MODEL_TOO_LARGE', errorMessage(err), 413)
    return fail(reply, status < 500 ? 'BAD_REQUEST' : 'HUB_ERROR', errorMessage(err), status)
  })

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 })
  const address = app.server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const close = async () => {
    // server.close() drops idle keep-alive sockets once; a response that finishes a moment later
    // would hold its socket (and close()) until the keep-alive timeout (72 s). Keep sweeping.
    const sweep = setInterval(() => app.server.closeIdleConnections(), 25)
    try {
      await app.close()
    } finally {
      clearInterval(sweep)
    }
  }
  return { url: `http://${host}:${address.port}`, close }
}

/** A stored model as a file to stream (disk store) or bytes (any other store). */
async function modelFile(store: ModelStore, cid: string): Promise<{ size: number; path?: string; bytes?: Uint8Array } | undefined> {
  if (store instanceof DiskModelStore) {
    const path = store.modelPath(cid)
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined
      throw err
    })
    return info && { size: info.size, path }
  }
  const bytes = await store.get(cid)
  return bytes && { size: bytes.length, bytes }
}

/** A header's value, URI-decoded (clients encode names so that any text fits in a header). */
function header(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined
  try {
    return decodeURIComponent(value)
  } catch (cause) {
    throw new HubError('BAD_REQUEST', `header value is not URI-encoded: ${value.slice(0, 100)}`, { cause })
  }
}

/** A single `bytes=a-b` range (the only kind a model download needs), clipped to the file. */
function parseRange(value: string | undefined, size: number): { start: number; end: number } | 'invalid' | undefined {
  if (!value) return undefined
  const match = /^bytes=(\d*)-(\d*)$/.exec(value)
  if (!match || (match[1] === '' && match[2] === '')) return 'invalid'
  let start: number
  let end: number
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]))
    end = size - 1
  } else {
    start = Number(match[1])
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  }
  return start > end || start >= size ? 'invalid' : { start, end }
}
