/**
 * The client side of the hub's artifact API (`artifacts.ts`): uploads stream a file (or bytes)
 * under the CID computed here; downloads stream to a temp file while hashing and are renamed to
 * their destination only when the bytes hash to the CID asked for, so a file at the destination
 * is always the artifact named.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import type { ArtifactUploadResult } from './artifacts.js'
import { computeCid, createCidHasher, isValidCid } from './cid.js'
import { hubFetch } from './client.js'
import { HubError, ModelHashMismatchError } from './errors.js'

/**
 * Uploads an artifact (bytes, or a file by path, streamed) and returns its CID.
 *
 * @throws HubError (the hub's code: `FILE_TOO_LARGE`, ..., or `HUB_UNAVAILABLE`)
 * @example
 * const { cid } = await uploadArtifact('http://127.0.0.1:8546', '.cache/zk/setups/<id>/circuit.zkey')
 */
export async function uploadArtifact(baseUrl: string, source: Uint8Array | string): Promise<ArtifactUploadResult> {
  let cid: string
  let size: number
  let body: RequestInit['body']
  if (typeof source === 'string') {
    size = (await stat(source)).size
    const hasher = createCidHasher()
    for await (const chunk of createReadStream(source)) hasher.update(chunk as Buffer)
    cid = hasher.digest()
    body = Readable.toWeb(createReadStream(source)) as unknown as ReadableStream<Uint8Array>
  } else {
    cid = computeCid(source)
    size = source.length
    body = Buffer.from(source.buffer, source.byteOffset, source.byteLength)
  }
  const response = await hubFetch(baseUrl, `/artifacts/${cid}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body,
    duplex: 'half',
  } as RequestInit)
  const result = (await response.json()) as ArtifactUploadResult
  if (result.cid !== cid) throw new ModelHashMismatchError(cid, String(result.cid))
  return result
}

/**
 * Downloads artifact `cid` to `file`, refusing bytes that do not hash to `cid` (nothing is left at
 * `file` then) and more than `maxBytes`.
 *
 * @throws HubError `INVALID_CID`, `FILE_NOT_FOUND`, `FILE_TOO_LARGE`, `HUB_UNAVAILABLE`; ModelHashMismatchError
 * @example
 * await downloadArtifact(hubUrl, zkeyCid, path.join(tmp, 'circuit.zkey'))
 */
export async function downloadArtifact(baseUrl: string, cid: string, file: string, options: { maxBytes?: number } = {}): Promise<{ size: number }> {
  if (!isValidCid(cid)) throw new HubError('INVALID_CID', `not a content ID: ${String(cid).slice(0, 100)}`, { details: { cid } })
  const maxBytes = options.maxBytes ?? Number.MAX_SAFE_INTEGER
  const response = await hubFetch(baseUrl, `/artifacts/${cid}`)
  if (!response.body) throw new HubError('HUB_ERROR', `hub answered no body for artifact ${cid}`)
  const temp = `${file}.download-${randomBytes(4).toString('hex')}`
  const hasher = createCidHasher()
  let size = 0
  try {
    await pipeline(
      Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          size += chunk.length
          if (size > maxBytes) throw new HubError('FILE_TOO_LARGE', `artifact ${cid} is larger than ${maxBytes} bytes`, { details: { cid, maxBytes } })
          hasher.update(chunk)
          yield chunk
        }
      },
      createWriteStream(temp, { flags: 'wx' }),
    )
    const actual = hasher.digest()
    if (actual !== cid) throw new ModelHashMismatchError(cid, actual)
    await rename(temp, file)
    return { size }
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}
