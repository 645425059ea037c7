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
 *   GET  /openapi.json           → the OpenAPI 3 document of the whole API
 * With `repositories` (a chain to read ownership from): the repository API of repo-routes.ts.
 * With a disk store (or `artifactsDir`): content-addressed artifacts, `PUT|GET /artifacts/:cid` (artifacts.ts).
 * Errors: { error: { code, message } }. A rejected upload leaves nothing behind.
 */
import Fastify, { type FastifyReply } from 'fastify'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import type { Readable } from 'node:stream'
import { errorMessage, InferchainError } from '../errors.js'
import { isValidCid } from './cid.js'
import { HUB_ERROR_STATUS, HubError, isHubErrorCode, type HubErrorCode } from './errors.js'
import { registerArtifactRoutes } from './artifacts.js'
import { registerOpenApi } from './openapi.js'
import { registerRepositoryRoutes, type RepositoryApiOptions } from './repo-routes.js'
import { sendContent } from './send-file.js'
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
  /** Serve repositories (ownership read from the chain); without it, /repos answers REPOSITORIES_DISABLED. */
  repositories?: RepositoryApiOptions
  /** Largest repository file, in bytes (default: maxModelBytes). */
  maxFileBytes?: number
  /** Where `/artifacts` keeps its files (default: `<store dir>/artifacts` for a DiskModelStore; none otherwise). */
  artifactsDir?: string
  /** Largest artifact, in bytes (default: maxModelBytes). */
  maxArtifactBytes?: number
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

function fail(reply: FastifyReply, code: HubErrorCode, message: string, status = HUB_ERROR_STATUS[code]) {
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
  // Set before any plugin scope is created: scopes inherit the handler they were created under.
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof InferchainError && isHubErrorCode(err.code)) return fail(reply, err.code, err.message)
    // fastify's own refusals (bad content type, malformed request) carry a 4xx status.
    const status = (err as { statusCode?: number }).statusCode ?? 500
    if (status === 413) return fail(reply, 'MODEL_TOO_LARGE', errorMessage(err), 413)
    return fail(reply, status < 500 ? 'BAD_REQUEST' : 'HUB_ERROR', errorMessage(err), status)
  })
  await registerOpenApi(app)
  // Uploads are taken as streams (never buffered whole); `receiveUpload` enforces the size limit.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload))

  const doc = (summary: string) => ({ schema: { tags: ['models'], summary } })
  app.post('/models', doc('Upload an ONNX model (application/octet-stream; x-expected-cid, x-model-name, x-model-description)'), async (req, reply) => {
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

  app.get('/models', doc('Every model'), async () => store.list())

  app.get<{ Params: { cid: string } }>('/models/:cid/metadata', doc("A model's metadata"), async (req, reply) => {
    const { cid } = req.params
    if (!isValidCid(cid)) return fail(reply, 'INVALID_CID', `not a model CID: ${cid.slice(0, 100)}`)
    const metadata = await store.getMetadata(cid)
    return metadata ?? fail(reply, 'MODEL_NOT_FOUND', `no model ${cid}`)
  })

  app.get<{ Params: { cid: string } }>('/models/:cid', doc("A model's bytes (Range supported)"), async (req, reply) => {
    const { cid } = req.params
    if (!isValidCid(cid)) return fail(reply, 'INVALID_CID', `not a model CID: ${cid.slice(0, 100)}`)
    const file = await modelFile(store, cid)
    if (!file) return fail(reply, 'MODEL_NOT_FOUND', `no model ${cid}`)
    return sendContent(req, reply, { cid, ...file })
  })

  app.get('/health', doc('Liveness, model count, upload limit'), async (): Promise<HubHealth> => ({ ok: true, models: (await store.list()).length, maxModelBytes: maxBytes }))

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  if (options.repositories) {
    await registerRepositoryRoutes(app, { ...options.repositories, store, maxFileBytes: options.maxFileBytes ?? maxBytes })
  }

  const artifactsDir = options.artifactsDir ?? (store instanceof DiskModelStore ? join(store.dir, 'artifacts') : undefined)
  if (artifactsDir) await registerArtifactRoutes(app, { dir: artifactsDir, maxBytes: options.maxArtifactBytes ?? maxBytes })

  app.setNotFoundHandler((req, reply) => {
    if (!options.repositories && /^\/(repos|files|auth)(\/|\?|$)/.test(req.url)) {
      return fail(reply, 'REPOSITORIES_DISABLED', 'this hub serves no repositories: start it with a chain to read ownership from (inferchain hub --rpc-url)')
    }
    return fail(reply, 'NOT_FOUND', `no route ${req.method} ${req.url.slice(0, 100)}`)
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
