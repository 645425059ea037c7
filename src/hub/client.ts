/** A client of the hub's HTTP API that checks every byte it sends or receives against its CID. */
import { readFile } from 'node:fs/promises'
import { computeCid } from './cid.js'
import { HubError, ModelHashMismatchError } from './errors.js'
import type { ModelMetadata } from './types.js'

export interface UploadOptions {
  name?: string
  description?: string
  /** Called as bytes go out: (sent, total). */
  onProgress?: (sent: number, total: number) => void
}

const CHUNK = 256 * 1024

export class HubClient {
  constructor(readonly baseUrl: string) {}

  /** Uploads bytes (or a file) and checks the hub's CID against our own hash. */
  async upload(source: Uint8Array | string, options: UploadOptions = {}): Promise<{ cid: string; metadata: ModelMetadata }> {
    const bytes = typeof source === 'string' ? new Uint8Array(await readFile(source)) : source
    const cid = computeCid(bytes)
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'x-expected-cid': cid }
    if (options.name) headers['x-model-name'] = encodeURIComponent(options.name)
    if (options.description) headers['x-model-description'] = encodeURIComponent(options.description)
    const body = chunked(bytes, options.onProgress)
    const response = await this.fetch('/models', { method: 'POST', headers, body, duplex: 'half' } as RequestInit)
    const result = (await response.json()) as { cid: string; metadata: ModelMetadata }
    if (result.cid !== cid) throw new ModelHashMismatchError(cid, result.cid)
    return result
  }

  /** Downloads a model and refuses bytes that do not hash to `cid`. */
  async download(cid: string): Promise<Uint8Array> {
    const response = await this.fetch(`/models/${cid}`)
    const bytes = new Uint8Array(await response.arrayBuffer())
    const actual = computeCid(bytes)
    if (actual !== cid) throw new ModelHashMismatchError(cid, actual)
    return bytes
  }

  async metadata(cid: string): Promise<ModelMetadata> {
    return (await (await this.fetch(`/models/${cid}/metadata`)).json()) as ModelMetadata
  }

  async list(): Promise<ModelMetadata[]> {
    return (await (await this.fetch('/models')).json()) as ModelMetadata[]
  }

  private async fetch(path: string, init?: RequestInit): Promise<Response> {
    let response: Response
    try {
      response = await fetch(`${this.baseUrl}${path}`, init)
    } catch (cause) {
      throw new HubError('HUB_UNAVAILABLE', `model hub ${this.baseUrl} is unreachable`, { cause })
    }
    if (response.ok) return response
    const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined
    const code = body?.error?.code
    const known = ['INVALID_MODEL', 'INVALID_CID', 'MODEL_NOT_FOUND', 'MODEL_HASH_MISMATCH', 'MODEL_TOO_LARGE'] as const
    throw new HubError(
      known.includes(code as (typeof known)[number]) ? (code as (typeof known)[number]) : 'HUB_ERROR',
      body?.error?.message ?? `hub answered HTTP ${response.status}`,
      { details: { status: response.status } },
    )
  }
}

/** The body as a stream of chunks, reporting progress as each is taken by fetch. */
function chunked(bytes: Uint8Array, onProgress?: (sent: number, total: number) => void): ReadableStream<Uint8Array> {
  let offset = 0
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close()
        return
      }
      const chunk = bytes.subarray(offset, Math.min(offset + CHUNK, bytes.length))
      offset += chunk.length
      controller.enqueue(chunk)
      onProgress?.(offset, bytes.length)
    },
  })
}
