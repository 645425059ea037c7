/** A client of the hub's HTTP API that checks every byte it sends or receives against its CID. */
import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { downloadArtifact, uploadArtifact } from './artifact-client.js'
import type { ArtifactUploadResult } from './artifacts.js'
import { computeCid, createCidHasher, isValidCid } from './cid.js'
import { HubError, isHubErrorCode, ModelHashMismatchError } from './errors.js'
import type { HubHealth } from './server.js'
import type { ModelMetadata } from './types.js'

export interface UploadOptions {
  name?: string
  description?: string
  /** Called as bytes go out: (sent, total). */
  onProgress?: (sent: number, total: number) => void
}

export interface UploadReturnType {
  cid: string
  metadata: ModelMetadata
}

const CHUNK = 256 * 1024

/**
 * Talks to one hub over HTTP (global `fetch`).
 *
 * @example
 * const hub = new HubClient('http://127.0.0.1:8546')
 * const { cid } = await hub.upload('./model.onnx', { name: 'my model' })
 * const bytes = await hub.download(cid) // verified against cid
 */
export class HubClient {
  readonly baseUrl: string

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '')
  }

  /**
   * Uploads bytes, or a file by path (streamed from disk, never read whole), and checks that the
   * hub stored them under the CID computed here.
   *
   * @throws HubError (code from the hub: `INVALID_MODEL`, `MODEL_TOO_LARGE`, ..., or `HUB_UNAVAILABLE`),
   *   ModelHashMismatchError if the hub answers another CID.
   */
  async upload(source: Uint8Array | string, options: UploadOptions = {}): Promise<UploadReturnType> {
    const { cid, size, body, dispose } = typeof source === 'string' ? await fileBody(source, options.onProgress) : bytesBody(source, options.onProgress)
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      'content-length': String(size),
      'x-expected-cid': cid,
    }
    if (options.name) headers['x-model-name'] = encodeURIComponent(options.name)
    if (options.description) headers['x-model-description'] = encodeURIComponent(options.description)
    let response: Response
    try {
      response = await this.request('/models', { method: 'POST', headers, body, duplex: 'half' } as RequestInit)
    } catch (err) {
      throw await this.explainUploadFailure(err, size)
    } finally {
      await dispose?.()
    }
    const result = (await response.json()) as UploadReturnType
    if (result.cid !== cid) throw new ModelHashMismatchError(cid, String(result.cid))
    return result
  }

  /**
   * Downloads a model and refuses bytes that do not hash to `cid`.
   *
   * @throws HubError `INVALID_CID`, `MODEL_NOT_FOUND`, `HUB_UNAVAILABLE`; ModelHashMismatchError.
   */
  async download(cid: string): Promise<Uint8Array> {
    const response = await this.request(`/models/${checkCid(cid)}`)
    const bytes = new Uint8Array(await response.arrayBuffer())
    const actual = computeCid(bytes)
    if (actual !== cid) throw new ModelHashMismatchError(cid, actual)
    return bytes
  }

  /** A model's metadata. @throws HubError `INVALID_CID`, `MODEL_NOT_FOUND`, `HUB_UNAVAILABLE`. */
  async metadata(cid: string): Promise<ModelMetadata> {
    const metadata = (await (await this.request(`/models/${checkCid(cid)}/metadata`)).json()) as ModelMetadata
    if (metadata.cid !== cid) throw new HubError('HUB_ERROR', `hub answered metadata of ${String(metadata.cid)} for ${cid}`, { details: { cid } })
    return metadata
  }

  /** Uploads a content-addressed artifact (bytes, or a file by path); see `artifact-client.ts`. */
  uploadArtifact(source: Uint8Array | string): Promise<ArtifactUploadResult> {
    return uploadArtifact(this.baseUrl, source)
  }

  /** Downloads artifact `cid` to `file`, verified against `cid`; see `artifact-client.ts`. */
  downloadArtifact(cid: string, file: string, options: { maxBytes?: number } = {}): Promise<{ size: number }> {
    return downloadArtifact(this.baseUrl, cid, file, options)
  }

  /** Every model on the hub. */
  async list(): Promise<ModelMetadata[]> {
    return (await (await this.request('/models')).json()) as ModelMetadata[]
  }

  /** The hub's liveness, model count and upload limit. */
  async health(): Promise<HubHealth> {
    return (await (await this.request('/health')).json()) as HubHealth
  }

  /**
   * A hub refusing an oversized upload answers 413 and closes the connection at once, without
   * reading the body; fetch, still sending, may see only the closed socket. Ask the hub for its
   * limit so that the caller gets MODEL_TOO_LARGE rather than "unreachable".
   */
  private async explainUploadFailure(err: unknown, size: number): Promise<unknown> {
    if (!(err instanceof HubError) || err.code !== 'HUB_UNAVAILABLE') return err
    const limit = await this.health().then(
      (h) => h.maxModelBytes,
      () => undefined, // the hub is really down: the original error says so
    )
    if (limit === undefined || size <= limit) return err
    return new HubError('MODEL_TOO_LARGE', `model of ${size} bytes exceeds the hub's limit of ${limit} bytes`, { cause: err, details: { size, maxModelBytes: limit } })
  }

  private request(path: string, init?: RequestInit): Promise<Response> {
    return hubFetch(this.baseUrl, path, init)
  }
}

/**
 * One request to a hub; an error answer becomes a HubError with the hub's code (or `HUB_ERROR`),
 * an unreachable hub `HUB_UNAVAILABLE`.
 *
 * @example
 * const repos = await (await hubFetch('http://127.0.0.1:8546', '/repos')).json()
 */
export async function hubFetch(baseUrl: string, path: string, init?: RequestInit): Promise<Response> {
  let response: Response
  try {
    response = await fetch(`${baseUrl}${path}`, init)
  } catch (cause) {
    throw new HubError('HUB_UNAVAILABLE', `model hub ${baseUrl} is unreachable`, { cause, details: { url: baseUrl } })
  }
  if (response.ok) return response
  const text = await response.text()
  let code: unknown
  let message: unknown
  try {
    ;({ code, message } = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error ?? {})
  } catch {
    // Not the hub's JSON (a proxy's error page): the status alone is the answer.
  }
  throw new HubError(isHubErrorCode(code) ? code : 'HUB_ERROR', typeof message === 'string' ? message : `hub answered HTTP ${response.status}`, {
    details: { status: response.status, path },
  })
}

function checkCid(cid: string): string {
  if (!isValidCid(cid)) throw new HubError('INVALID_CID', `not a model CID: ${String(cid).slice(0, 100)}`, { details: { cid } })
  return cid
}

type Body = {
  cid: string
  size: number
  body: ReadableStream<Uint8Array>
  /** Releases what the body holds open (a file), whether or not fetch read it to the end. */
  dispose?: () => Promise<void>
}

/** In-memory bytes as a stream of chunks, reporting progress as fetch takes each one. */
function bytesBody(bytes: Uint8Array, onProgress?: (sent: number, total: number) => void): Body {
  let offset = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close()
      const chunk = bytes.subarray(offset, Math.min(offset + CHUNK, bytes.length))
      offset += chunk.length
      controller.enqueue(chunk)
      onProgress?.(offset, bytes.length)
    },
  })
  return { cid: computeCid(bytes), size: bytes.length, body }
}

/** A file hashed in one streaming pass, then sent in a second, chunk by chunk. */
async function fileBody(path: string, onProgress?: (sent: number, total: number) => void): Promise<Body> {
  const { size } = await stat(path)
  const hasher = createCidHasher()
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) hasher.update(chunk as Buffer)
  const file = await open(path, 'r')
  let closed = false
  const dispose = async () => {
    if (closed) return
    closed = true
    await file.close()
  }
  let offset = 0
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buffer = new Uint8Array(Math.min(CHUNK, size - offset))
      const { bytesRead } = buffer.length > 0 ? await file.read(buffer, 0, buffer.length, offset) : { bytesRead: 0 }
      if (bytesRead === 0) {
        await dispose()
        return controller.close()
      }
      offset += bytesRead
      controller.enqueue(buffer.subarray(0, bytesRead))
      onProgress?.(offset, size)
    },
    cancel: dispose,
  })
  return { cid: hasher.digest(), size, body, dispose }
}
