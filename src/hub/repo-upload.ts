/**
 * Receiving one repository file: its CID and size were signed before a byte is read, so the stream
 * is cut off as soon as it runs past the signed size, and the file is published only if it is
 * complete and hashes to the signed CID. Public ONNX files become models (the model store, served
 * at /models/:cid, where inference nodes fetch them), checked and described like any upload; other
 * files go to the blob store. Whatever goes wrong, the temp file is removed: nothing stays behind.
 */
import { createWriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { InferchainError } from '../errors.js'
import type { BlobStore } from './blob-store.js'
import { createCidHasher } from './cid.js'
import { HubError } from './errors.js'
import { readModelMetadata } from './metadata.js'
import { uploadStagingFor, type UploadStaging } from './store.js'
import type { ModelMetadata, ModelStore } from './types.js'

export type UploadTarget = { kind: 'model'; store: ModelStore; name: string } | { kind: 'blob'; blobs: BlobStore }

export interface ReceiveRepositoryFileParameters {
  /** The file's bytes (a multipart part's stream). */
  stream: Readable
  /** What the uploader signed. */
  expected: { cid: string; size: number }
  target: UploadTarget
}

export interface ReceiveRepositoryFileReturnType {
  cid: string
  size: number
  /** Set when the file was published as a model. */
  model?: ModelMetadata
}

/**
 * Stores the file or throws and stores nothing.
 *
 * @throws HubError `UPLOAD_TRUNCATED` (fewer bytes than signed, or the request ended early),
 *   `UPLOAD_SIZE_MISMATCH` (more), `MODEL_HASH_MISMATCH`, `INVALID_MODEL` (a public `.onnx` file that is not a model)
 * @example
 * await receiveRepositoryFile({ stream: part.file, expected: { cid, size }, target: { kind: 'blob', blobs } })
 */
export async function receiveRepositoryFile(params: ReceiveRepositoryFileParameters): Promise<ReceiveRepositoryFileReturnType> {
  const { expected, target } = params
  const staging: UploadStaging = target.kind === 'model' ? uploadStagingFor(target.store) : target.blobs
  const temp = staging.tempPath()
  try {
    const { cid, size } = await streamCapped(params.stream, temp, expected.size)
    if (size < expected.size) throw new HubError('UPLOAD_TRUNCATED', `upload ended after ${size} of ${expected.size} bytes`, { details: { received: size, expected: expected.size } })
    if (cid !== expected.cid) {
      throw new HubError('MODEL_HASH_MISMATCH', `upload hashes to ${cid}, not the signed ${expected.cid}`, { details: { expected: expected.cid, actual: cid } })
    }
    if (target.kind === 'blob') {
      await staging.adopt(temp, cid)
      return { cid, size }
    }
    const model = readModelMetadata(await readFile(temp), { name: target.name })
    await staging.adopt(temp, cid)
    // Keep a name given by an earlier upload of the same model (as POST /models does).
    const known = await target.store.getMetadata(cid)
    const merged = known?.name ? { ...model, name: known.name, description: known.description } : model
    await target.store.putMetadata(merged)
    return { cid, size, model: merged }
  } catch (err) {
    await staging.discard(temp)
    throw err
  }
}

/** Streams to `path` while hashing; more than `limit` bytes is an error at once. */
async function streamCapped(stream: Readable, path: string, limit: number): Promise<{ cid: string; size: number }> {
  const hasher = createCidHasher()
  let size = 0
  try {
    await pipeline(
      stream,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          size += chunk.length
          if (size > limit) throw new HubError('UPLOAD_SIZE_MISMATCH', `upload is longer than the signed ${limit} bytes`, { details: { expected: limit } })
          hasher.update(chunk)
          yield chunk
        }
      },
      createWriteStream(path, { flags: 'wx' }),
    )
  } catch (err) {
    if (err instanceof InferchainError) throw err
    // The request ended inside the file part (client gone, multipart cut short).
    throw new HubError('UPLOAD_TRUNCATED', `upload ended early after ${size} bytes`, { cause: err, details: { received: size } })
  }
  // busboy marks a part cut at its own size limit as truncated instead of failing it.
  if ((stream as Readable & { truncated?: boolean }).truncated) throw new HubError('UPLOAD_TRUNCATED', 'upload was cut at the size limit')
  return { cid: hasher.digest(), size }
}
