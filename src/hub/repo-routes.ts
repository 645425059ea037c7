/**
 * The repository half of the hub's HTTP API (registered by server.ts when the hub knows a chain):
 *
 *   GET  /auth/domain                                   → the EIP-712 domain requests are signed in
 *   POST /repos                           (signed)      → 201 Repository, with release 1.00
 *   GET  /repos                                         → public repositories
 *   GET  /repos/:repo                     (private: signed read)
 *   POST /repos/:repo/versions            (signed)      → 201 RepositoryVersion
 *   GET  /repos/:repo/versions/:version/files (private: signed read)
 *   POST /repos/:repo/versions/:version/files (signed, multipart, x-hub-content-cid/-size) → 201|200 RepositoryFile
 *   GET  /files/:cid[?repository=]        (private: signed read) → bytes, Range supported
 *
 * Schemas here document the API (OpenAPI); zod (names.ts) validates, so they cannot drift apart.
 */
import multipart from '@fastify/multipart'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { readAuthHeaders, verifyHubRequest, hubDomain, type HubRequest } from './auth.js'
import { BlobStore } from './blob-store.js'
import type { RepositoryOwnership } from './chain.js'
import { cidDigestHex, isValidCid, sha256Hex } from './cid.js'
import { HubError } from './errors.js'
import { NonceBook } from './nonces.js'
import { errors, fileNamePattern, fileSchema, repoParams, repositorySchema, versionParams, versionSchema } from './openapi.js'
import { checkFileName, checkRepositoryName, checkVersion, createRepositoryBody, createVersionBody, jsonSchemaOf, parseWith } from './names.js'
import { RepositoryStore } from './repo-store.js'
import { receiveRepositoryFile, type UploadTarget } from './repo-upload.js'
import { sendContent, type ContentSource } from './send-file.js'
import { DiskModelStore } from './store.js'
import type { ModelStore, Repository } from './types.js'

export interface RepositoryApiOptions {
  /** Where repositories live: `repos/` (one JSON each), `blobs/` (files that are not public models), `nonces.log`. */
  dir: string
  /** Who owns which repository (ModelRegistry over JSON-RPC: `chainOwnership(rpcUrl)`). */
  ownership: RepositoryOwnership
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body's bytes as sent: signed requests commit to their sha2-256. */
    rawBody?: Buffer
  }
}

type Params = { repo: string; version: string; cid: string }

/** Registers the repository routes in their own plugin scope (their own JSON and multipart parsers). */
export async function registerRepositoryRoutes(app: FastifyInstance, options: RepositoryApiOptions & { store: ModelStore; maxFileBytes: number }): Promise<void> {
  const repos = new RepositoryStore(join(options.dir, 'repos'))
  const blobs = new BlobStore(join(options.dir, 'blobs'))
  const nonces = new NonceBook(join(options.dir, 'nonces.log'))
  const { ownership, store, maxFileBytes } = options

  /** Checks the request's signature and that the signer owns `repository` on chain; spends the nonce. */
  async function authorize(req: FastifyRequest, fields: Omit<HubRequest, 'nonce' | 'expiry'>): Promise<string> {
    const auth = readAuthHeaders(req.headers)
    if (!auth) throw new HubError('UNAUTHORIZED', `${fields.action} needs a request signed by the owner of ${fields.repository} (x-hub-* headers)`)
    const { signer, signature, nonce, expiry } = auth
    await verifyHubRequest(await ownership.chainId(), { request: { ...fields, nonce, expiry }, signer, signature })
    nonces.spend(signer, nonce, expiry)
    const owner = await ownership.ownerOf(fields.repository)
    if (!owner) throw new HubError('REPOSITORY_NOT_REGISTERED', `repository ${fields.repository} is not created in ModelRegistry (call createRepository first)`, { details: { name: fields.repository } })
    if (owner.toLowerCase() !== signer.toLowerCase()) {
      throw new HubError('NOT_REPOSITORY_OWNER', `${signer} does not own ${fields.repository} (${owner} does)`, { details: { signer, owner } })
    }
    return signer
  }

  /** Public repositories are open to all; private ones to a signed read by their owner. */
  async function readable(req: FastifyRequest, repo: Repository): Promise<void> {
    if (repo.private) await authorize(req, { action: 'read', repository: repo.name, version: '', file: '', contentHash: `0x${'00'.repeat(32)}`, size: 0n })
  }

  await app.register(async (scope) => {
    // zod validates (names.ts); the route schemas only document.
    scope.setValidatorCompiler(() => (data) => ({ value: data }))
    scope.setSerializerCompiler(() => (data) => JSON.stringify(data))
    scope.removeContentTypeParser('application/json')
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (req, body, done) => {
      req.rawBody = body as Buffer
      try {
        done(null, JSON.parse((body as Buffer).toString('utf8')))
      } catch (cause) {
        done(new HubError('BAD_REQUEST', 'body is not JSON', { cause }), undefined)
      }
    })
    await scope.register(multipart, { limits: { fileSize: maxFileBytes + 1, files: 1, fields: 8, parts: 9 } })

    scope.get('/auth/domain', { schema: { tags: ['repositories'], summary: 'The EIP-712 domain hub requests are signed in' } }, async () => hubDomain(await ownership.chainId()))

    scope.post('/repos', {
      schema: {
        tags: ['repositories'], summary: 'Create a repository (release 1.00 comes with it); sign action create-repository, contentHash = sha256(body)',
        security: [{ eip712: [] }], body: jsonSchemaOf(createRepositoryBody), response: { 201: repositorySchema, ...errors },
      },
    }, async (req, reply) => {
      const body = parseWith(createRepositoryBody, req.body)
      const signer = await authorize(req, { action: 'create-repository', repository: body.name, version: '', file: '', contentHash: sha256Hex(req.rawBody ?? ''), size: 0n })
      return reply.code(201).send(await repos.create(body, signer))
    })

    scope.get('/repos', { schema: { tags: ['repositories'], summary: 'Public repositories', response: { 200: { type: 'array', items: repositorySchema } } } }, async () =>
      repos.list().filter((r) => !r.private),
    )

    scope.get<{ Params: Params }>('/repos/:repo', { schema: { tags: ['repositories'], summary: 'A repository (private: signed read)', params: repoParams, response: { 200: repositorySchema, ...errors } } }, async (req) => {
      const repo = repos.get(checkRepositoryName(req.params.repo))
      await readable(req, repo)
      return repo
    })

    scope.post<{ Params: Params }>('/repos/:repo/versions', {
      schema: {
        tags: ['repositories'], summary: 'Create a release; sign action create-version with the requested version (or empty)',
        security: [{ eip712: [] }], params: repoParams, body: jsonSchemaOf(createVersionBody), response: { 201: versionSchema, ...errors },
      },
    }, async (req, reply) => {
      const name = checkRepositoryName(req.params.repo)
      const body = parseWith(createVersionBody, req.body ?? {})
      repos.get(name)
      await authorize(req, { action: 'create-version', repository: name, version: body.version ?? '', file: '', contentHash: sha256Hex(req.rawBody ?? ''), size: 0n })
      return reply.code(201).send(await repos.createVersion(name, body.version))
    })

    scope.get<{ Params: Params }>('/repos/:repo/versions/:version/files', {
      schema: { tags: ['repositories'], summary: "A release's files (private: signed read)", params: versionParams, response: { 200: { type: 'array', items: fileSchema }, ...errors } },
    }, async (req) => {
      const name = checkRepositoryName(req.params.repo)
      await readable(req, repos.get(name))
      return repos.version(name, checkVersion(req.params.version)).files
    })

    scope.post<{ Params: Params }>('/repos/:repo/versions/:version/files', {
      schema: {
        tags: ['repositories'],
        summary: 'Upload one file (multipart, one part named "file"; its filename is the file name). Sign action upload-file with contentHash = the sha2-256 of the file and its size',
        security: [{ eip712: [] }], params: versionParams, consumes: ['multipart/form-data'],
        headers: {
          type: 'object',
          properties: { 'x-hub-content-cid': { type: 'string', description: 'CID of the file' }, 'x-hub-content-size': { type: 'string', description: 'bytes of the file' } },
          required: ['x-hub-content-cid', 'x-hub-content-size'],
        },
        body: { type: 'object', properties: { file: { type: 'string', format: 'binary', description: `file name: ${fileNamePattern}` } } },
        response: { 200: fileSchema, 201: fileSchema, ...errors },
      },
    }, async (req, reply) => {
      try {
        return await upload(req, reply)
      } catch (err) {
        // A refusal may leave the body half read: the connection must not be reused.
        reply.header('connection', 'close')
        throw err
      }
    })

    scope.get<{ Params: Params; Querystring: { repository?: string } }>('/files/:cid', {
      schema: {
        tags: ['repositories'], summary: 'A file by content ID (Range supported; a file only private repositories hold: signed read, ?repository= naming one of them)',
        params: { type: 'object', properties: { cid: { type: 'string' } }, required: ['cid'] },
        querystring: { type: 'object', properties: { repository: { type: 'string' } } },
      },
    }, async (req, reply) => {
      const { cid } = req.params
      if (!isValidCid(cid)) throw new HubError('INVALID_CID', `not a content ID: ${cid.slice(0, 100)}`)
      const holders = repos.holdersOf(cid)
      if (holders.length > 0 && holders.every((r) => r.private)) {
        const named = holders.find((r) => r.name === req.query.repository)
        if (!named) throw new HubError('UNAUTHORIZED', `${cid} is in private repositories only: sign a read of one of them and name it in ?repository=`)
        await readable(req, named)
      }
      const source = await locate(cid)
      if (!source) throw new HubError('FILE_NOT_FOUND', `no file ${cid}`, { details: { cid } })
      return sendContent(req, reply, source)
    })
  })

  async function upload(req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) {
    const name = checkRepositoryName(req.params.repo)
    const version = checkVersion(req.params.version)
    const cid = String(req.headers['x-hub-content-cid'] ?? '')
    if (!isValidCid(cid)) throw new HubError('INVALID_CID', 'x-hub-content-cid must be the CID of the file')
    const sizeHeader = String(req.headers['x-hub-content-size'] ?? '')
    if (!/^[0-9]{1,15}$/.test(sizeHeader)) throw new HubError('BAD_REQUEST', 'x-hub-content-size must be the size of the file in bytes')
    const size = Number(sizeHeader)
    if (size > maxFileBytes) throw new HubError('FILE_TOO_LARGE', `file of ${size} bytes exceeds the hub's limit of ${maxFileBytes} bytes`, { details: { size, maxFileBytes } })
    repos.version(name, version) // 404 before reading the body
    if (!req.isMultipart()) throw new HubError('BAD_REQUEST', 'send the file as multipart/form-data')
    const part = await req.file().catch((cause: unknown) => {
      throw new HubError('BAD_REQUEST', `malformed multipart body: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    })
    if (!part) throw new HubError('BAD_REQUEST', 'the form has no file part')
    const file = checkFileName(part.filename)
    await authorize(req, { action: 'upload-file', repository: name, version, file, contentHash: cidDigestHex(cid), size: BigInt(size) })
    const repo = repos.get(name)
    const reservation = repos.reserve(name, version, file, cid)
    try {
      // Public models go where inference nodes fetch models; everything else stays off /models.
      const target: UploadTarget = !repo.private && file.endsWith('.onnx') ? { kind: 'model', store, name: `${name}/${file}` } : { kind: 'blob', blobs }
      await receiveRepositoryFile({ stream: part.file, expected: { cid, size }, target })
      const { file: entry, created } = await repos.addFile(name, version, { name: file, cid, size })
      return reply.code(created ? 201 : 200).send(entry)
    } finally {
      reservation.release()
    }
  }

  /** Where the bytes of `cid` are: the blob store, else the model store. */
  async function locate(cid: string): Promise<ContentSource | undefined> {
    const blobSize = await blobs.size(cid)
    if (blobSize !== undefined) return { cid, size: blobSize, path: blobs.path(cid) }
    if (store instanceof DiskModelStore) {
      const info = await stat(store.modelPath(cid)).catch(() => undefined)
      return info && { cid, size: info.size, path: store.modelPath(cid) }
    }
    const bytes = await store.get(cid)
    return bytes && { cid, size: bytes.length, bytes }
  }
}
