/**
 * Receiving one model upload: the body is streamed to a temp file while it is hashed and counted,
 * then checked (size, expected CID, ONNX metadata) before it is moved in under its CID. Nothing of a
 * rejected upload stays behind. The file is read back whole once, to decode the ONNX graph (protobuf
 * needs the whole message); the body itself is never buffered.
 */
import { createWriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createCidHasher } from './cid.js'
import { HubError, InvalidModelError } from './errors.js'
import { readModelMetadata, type ModelDescription } from './metadata.js'
import { uploadStagingFor } from './store.js'
import type { ModelMetadata, ModelStore } from './types.js'

export interface ReceiveUploadParameters {
  store: ModelStore
  body: Readable
  maxBytes: number
  /** If given, the body must hash to this CID. */
  expectedCid?: string
  description?: ModelDescription
}

export interface ReceiveUploadReturnType {
  cid: string
  metadata: ModelMetadata
}

/**
 * Stores an uploaded model, or throws and stores nothing.
 *
 * @throws HubError `MODEL_TOO_LARGE` (more than `maxBytes`), `MODEL_HASH_MISMATCH`, `INVALID_MODEL`
 * @example
 * const { cid, metadata } = await receiveUpload({ store, body: request.raw, maxBytes: 256 << 20 })
 */
export async function receiveUpload(params: ReceiveUploadParameters): Promise<ReceiveUploadReturnType> {
  const { store, expectedCid } = params
  const staging = uploadStagingFor(store)
  const temp = staging.tempPath()
  try {
    const cid = await streamToFile(params.body, temp, params.maxBytes)
    if (expectedCid !== undefined && expectedCid !== cid) {
      throw new HubError('MODEL_HASH_MISMATCH', `upload hashes to ${cid}, not ${expectedCid}`, { details: { expected: expectedCid, actual: cid } })
    }
    const metadata = await describe(temp, params.description ?? {})
    await staging.adopt(temp, cid)
    // A re-upload without a name keeps the name (and description) given earlier.
    const known = await store.getMetadata(cid)
    const merged: ModelMetadata = {
      ...metadata,
      ...(!metadata.name && known?.name ? { name: known.name } : {}),
      ...(!metadata.description && known?.description ? { description: known.description } : {}),
    }
    await store.putMetadata(merged)
    return { cid, metadata: merged }
  } catch (err) {
    await staging.discard(temp)
    throw err
  }
}

/** Streams `body` to `path`, hashing it, refusing more than `maxBytes`. Returns the CID. */
async function streamToFile(body: Readable, path: string, maxBytes: number): Promise<string> {
  const hasher = createCidHasher()
  let received = 0
  await pipeline(
    body,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        received += chunk.length
        if (received > maxBytes) {
          throw new HubError('MODEL_TOO_LARGE', `model exceeds the hub's limit of ${maxBytes} bytes`, { details: { maxBytes } })
        }
        hasher.update(chunk)
        yield chunk
      }
    },
    createWriteStream(path, { flags: 'wx' }),
  )
  if (received === 0) throw new InvalidModelError('empty upload')
  return hasher.digest()
}

async function describe(path: string, description: ModelDescription): Promise<ModelMetadata> {
  return readModelMetadata(await readFile(path), description)
}
