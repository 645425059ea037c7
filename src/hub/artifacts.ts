/**
 * Content-addressed artifacts that are not models (ZK proving keys, verification keys, circuit
 * witness generators): opaque bytes named by their CID (CIDv1 raw sha2-256, as models are).
 *
 *   PUT /artifacts/:cid   body: the bytes (application/octet-stream), streamed to disk while hashed
 *        → 200 { cid, size } | 400 INVALID_CID / MODEL_HASH_MISMATCH / UPLOAD_TRUNCATED | 413 FILE_TOO_LARGE
 *   GET /artifacts/:cid   → the bytes (immutable; Range answered with 206) | 404 FILE_NOT_FOUND
 *
 * The CID in the path is what the body must hash to, so nobody can store bytes under another
 * name; an upload that is cut short, too large or hashes to anything else leaves nothing behind
 * (it is staged in a temp file and renamed in only once verified, `BlobStore`). Uploading is
 * open, like `POST /models`: content addressing makes it harmless (the CID fixes the bytes).
 */
import type { FastifyInstance } from 'fastify'
import { createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { BlobStore } from './blob-store.js'
import { createCidHasher, isValidCid } from './cid.js'
import { HubError } from './errors.js'
import { sendContent } from './send-file.js'

export interface ArtifactRoutesOptions {
  /** Where artifacts are kept: one file per CID. */
  dir: string
  /** Largest artifact, in bytes. */
  maxBytes: number
}

/** `PUT /artifacts/:cid`. */
export interface ArtifactUploadResult {
  cid: string
  size: number
}

/**
 * Adds the artifact routes to a hub.
 *
 * @example
 * await registerArtifactRoutes(app, { dir: join(storeDir, 'artifacts'), maxBytes: 256 << 20 })
 */
export async function registerArtifactRoutes(app: FastifyInstance, options: ArtifactRoutesOptions): Promise<void> {
  // Made on the first upload: a hub that never stores an artifact keeps its directory as it was.
  let blobs: BlobStore | undefined
  const store = () => (blobs ??= new BlobStore(options.dir))
  const doc = (summary: string) => ({ schema: { tags: ['artifacts'], summary } })

  app.put<{ Params: { cid: string } }>('/artifacts/:cid', doc('Store a content-addressed artifact (the body must hash to :cid)'), async (req, reply) => {
    const body = req.body as Readable | undefined
    try {
      const { cid } = req.params
      if (!isValidCid(cid)) throw new HubError('INVALID_CID', `not a content ID: ${cid.slice(0, 100)}`)
      if (!body || typeof body.pipe !== 'function') throw new HubError('BAD_REQUEST', 'send the artifact as application/octet-stream')
      const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length'])
      if (declared !== undefined && declared > options.maxBytes) {
        throw new HubError('FILE_TOO_LARGE', `artifact of ${declared} bytes exceeds the hub's limit of ${options.maxBytes} bytes`, { details: { maxBytes: options.maxBytes } })
      }
      return await receiveArtifact({ blobs: store(), body, cid, maxBytes: options.maxBytes, declaredSize: declared })
    } catch (err) {
      // A refusal may leave the body half read: the connection must not be reused.
      reply.header('connection', 'close')
      throw err
    }
  })

  app.get<{ Params: { cid: string } }>('/artifacts/:cid', doc("An artifact's bytes (Range supported)"), async (req, reply) => {
    const { cid } = req.params
    if (!isValidCid(cid)) throw new HubError('INVALID_CID', `not a content ID: ${cid.slice(0, 100)}`)
    const file = join(options.dir, cid) // a valid CID is a safe file name
    const size = await stat(file).then(
      (s) => s.size,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined
        throw err
      },
    )
    if (size === undefined) throw new HubError('FILE_NOT_FOUND', `no artifact ${cid}`, { details: { cid } })
    return sendContent(req, reply, { cid, size, path: file })
  })
}

/**
 * Stores one uploaded artifact under `cid`, or throws and stores nothing.
 *
 * @throws HubError `FILE_TOO_LARGE`, `UPLOAD_TRUNCATED` (fewer bytes than Content-Length, or the
 *   request ended early), `MODEL_HASH_MISMATCH` (the bytes hash to another CID)
 * @example
 * await receiveArtifact({ blobs, body: req.body, cid, maxBytes })
 */
export async function receiveArtifact(params: { blobs: BlobStore; body: Readable; cid: string; maxBytes: number; declaredSize?: number }): Promise<ArtifactUploadResult> {
  const { blobs, body, cid, maxBytes, declaredSize } = params
  const temp = blobs.tempPath()
  const hasher = createCidHasher()
  let size = 0
  try {
    try {
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length
            if (size > maxBytes) throw new HubError('FILE_TOO_LARGE', `artifact exceeds the hub's limit of ${maxBytes} bytes`, { details: { maxBytes } })
            hasher.update(chunk)
            yield chunk
          }
        },
        createWriteStream(temp, { flags: 'wx' }),
      )
    } catch (err) {
      if (err instanceof HubError) throw err
      // The client went away mid-body (aborted request, reset connection).
      throw new HubError('UPLOAD_TRUNCATED', `upload ended early after ${size} bytes`, { cause: err, details: { received: size } })
    }
    if (declaredSize !== undefined && size !== declaredSize) {
      throw new HubError('UPLOAD_TRUNCATED', `upload ended after ${size} of ${declaredSize} bytes`, { details: { received: size, expected: declaredSize } })
    }
    const actual = hasher.digest()
    if (actual !== cid) throw new HubError('MODEL_HASH_MISMATCH', `upload hashes to ${actual}, not ${cid}`, { details: { expected: cid, actual } })
    await blobs.adopt(temp, cid)
    return { cid, size }
  } catch (err) {
    await blobs.discard(temp)
    throw err
  }
}
