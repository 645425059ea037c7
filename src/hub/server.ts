/**
 * The model hub's HTTP API (fastify):
 *
 *   POST /models                 body: ONNX bytes (application/octet-stream), streamed to disk while hashed
 *        headers: x-expected-cid (optional, checked), x-model-name, x-model-description
 *        → 200 { cid, metadata } | 400 INVALID_MODEL / MODEL_HASH_MISMATCH | 413 MODEL_TOO_LARGE
 *   GET  /models                 → ModelMetadata[]
 *   GET  /models/:cid            → the bytes (Range requests answered with 206)
 *   GET  /models/:cid/metadata   → ModelMetadata
 *   GET  /health                 → { ok: true, models }
 * Errors: { error: { code, message } }. A rejected upload leaves nothing behind.
 */
import Fastify, { type FastifyReply } from 'fastify'
import { createReadStream, createWriteStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { errorMessage } from '../errors.js'
import { createCidHasher, isValidCid } from './cid.js'
import { readModelMetadata } from './metadata.js'
import type { DiskModelStore } from './store.js'

export const DEFAULT_MAX_MODEL_BYTES = 256 * 1024 * 1024

export interface HubServerOptions {
  store: DiskModelStore
  host?: string
  port?: number
  maxModelBytes?: number
}

export interface HubServer {
  url: string
  close(): Promise<void>
}

class UploadError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

function fail(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ error: { code, message } })
}

export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  const { store } = options
  const maxBytes = options.maxModelBytes ?? DEFAULT_MAX_MODEL_BYTES
  const app = Fastify({ logger: false })
  // Uploads are handled as streams: never buffered whole, hashed as they arrive.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload))

  app.post('/models', async (req, reply) => {
    if (!(req.body && typeof (req.body as Readable).pipe === 'function')) {
      return fail(reply, 415, 'BAD_REQUEST', 'send the ONNX file as application/octet-stream')
    }
    const temp = store.tempPath()
    try {
      const cid = await receive(req.body as Readable, temp, maxBytes)
      const expected = req.headers['x-expected-cid']
      if (typeof expected === 'string' && expected !== cid) throw new UploadError(400, 'MODEL_HASH_MISMATCH', `upload hashes to ${cid}, not ${expected}`)
      const metadata = readModelMetadataOrFail(await readFile(temp), {
        name: header(req.headers['x-model-name']),
        description: header(req.headers['x-model-description']),
      })
      await store.adopt(temp, cid)
      const known = await store.getMetadata(cid)
      const merged = { ...metadata, ...(known?.name && !metadata.name ? { name: known.name } : {}) }
      await store.putMetadata(merged)
      return { cid, metadata: merged }
    } catch (err) {
      await store.discard(temp)
      // The body may be half read: do not let the client reuse this connection.
      reply.header('connection', 'close')
      if (err instanceof UploadError) return fail(reply, err.status, err.code, err.message)
      throw err
    }
  })

  app.get('/models', async () => store.list())

  app.get<{ Params: { cid: string } }>('/models/:cid/metadata', async (req, reply) => {
    if (!isValidCid(req.params.cid)) return fail(reply, 400, 'INVALID_CID', `not a model CID: ${req.params.cid}`)
    const metadata = await store.getMetadata(req.params.cid)
    return metadata ?? fail(reply, 404, 'MODEL_NOT_FOUND', `no model ${req.params.cid}`)
  })

  app.get<{ Params: { cid: string } }>('/models/:cid', async (req, reply) => {
    const { cid } = req.params
    if (!isValidCid(cid)) return fail(reply, 400, 'INVALID_CID', `not a model CID: ${cid}`)
    if (!(await store.has(cid))) return fail(reply, 404, 'MODEL_NOT_FOUND', `no model ${cid}`)
    const path = store.modelPath(cid)
    const size = (await stat(path)).size
    reply.header('accept-ranges', 'bytes').header('content-type', 'application/octet-stream')
    const range = parseRange(req.headers.range, size)
    if (range === 'invalid') return reply.code(416).header('content-range', `bytes */${size}`).send()
    if (range) {
      return reply
        .code(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
        .header('content-length', range.end - range.start + 1)
        .send(createReadStream(path, range))
    }
    return reply.header('content-length', size).send(createReadStream(path))
  })

  app.get('/health', async () => ({ ok: true, models: (await store.list()).length }))

  app.setErrorHandler((err, _req, reply) => {
    const status = (err as { statusCode?: number }).statusCode ?? 500
    void fail(reply, status, status === 413 ? 'MODEL_TOO_LARGE' : 'HUB_ERROR', errorMessage(err))
  })

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 })
  const address = app.server.address() as AddressInfo
  return { url: `http://${address.address}:${address.port}`, close: () => app.close() }
}

/** Streams the body to `path`, hashing it, refusing more than `maxBytes`. Returns the CID. */
async function receive(body: Readable, path: string, maxBytes: number): Promise<string> {
  const hasher = createCidHasher()
  let received = 0
  await pipeline(
    body,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        received += chunk.length
        if (received > maxBytes) throw new UploadError(413, 'MODEL_TOO_LARGE', `model exceeds ${maxBytes} bytes`)
        hasher.update(chunk)
        yield chunk
      }
    },
    createWriteStream(path),
  )
  if (received === 0) throw new UploadError(400, 'INVALID_MODEL', 'empty upload')
  return hasher.digest()
}

function readModelMetadataOrFail(bytes: Uint8Array, human: { name?: string; description?: string }) {
  try {
    return readModelMetadata(bytes, human)
  } catch (err) {
    throw new UploadError(400, 'INVALID_MODEL', errorMessage(err))
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value.length > 0 ? decodeURIComponent(value) : undefined
}

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
