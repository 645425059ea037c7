/**
 * A client of the hub's repository API. Writes (and reads of private repositories) are signed with
 * the owner's key as EIP-712 HubRequests (auth.ts); uploads are hashed first, so the signature
 * commits to the file's CID and size, and sent as a streamed multipart form with progress.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { LocalAccount } from 'viem'
import { authHeaders, signHubRequest, type HubAction } from './auth.js'
import { cidDigestHex, computeCid, createCidHasher, isValidCid, sha256Hex } from './cid.js'
import { hubFetch } from './client.js'
import { HubError, ModelHashMismatchError } from './errors.js'
import type { CreateRepositoryBody } from './names.js'
import type { Repository, RepositoryFile, RepositoryVersion } from './types.js'

const CHUNK = 256 * 1024

/** The body of POST /repos; everything but `name` has a default. */
export type CreateRepositoryInput = Pick<CreateRepositoryBody, 'name'> & Partial<Omit<CreateRepositoryBody, 'name'>>

export interface RepositoryUploadOptions {
  /** The file's name in the release (default: the path's base name; required for bytes). */
  fileName?: string
  onProgress?: (sent: number, total: number) => void
}

/**
 * @example
 * const repos = new RepositoryClient('http://127.0.0.1:8546', privateKeyToAccount(key))
 * await repos.createRepository({ name: 'mnist', task: 'image-classification', license: 'mit' })
 * const { file } = await repos.upload('mnist', '1.00', './mnist.onnx')
 */
export class RepositoryClient {
  readonly baseUrl: string
  private chainId?: Promise<number>

  constructor(baseUrl: string, readonly account?: LocalAccount) {
    this.baseUrl = baseUrl.replace(/\/+$/, '')
  }

  /** Creates the repository on the hub (it must be created in ModelRegistry first: createRepositoryOnChain). */
  async createRepository(input: CreateRepositoryInput): Promise<Repository> {
    return this.postJson('/repos', input, { action: 'create-repository', repository: input.name })
  }

  /** Adds a release: `version`, or the next minor after the latest. */
  async createVersion(repository: string, version?: string): Promise<RepositoryVersion> {
    return this.postJson(`/repos/${repository}/versions`, version === undefined ? {} : { version }, { action: 'create-version', repository, version: version ?? '' })
  }

  /** Public repositories. */
  async listRepositories(): Promise<Repository[]> {
    return (await hubFetch(this.baseUrl, '/repos')).json() as Promise<Repository[]>
  }

  /** A repository; a private one is read with a signature when this client has a key. */
  async getRepository(repository: string): Promise<Repository> {
    return (await this.read(`/repos/${repository}`, repository)).json() as Promise<Repository>
  }

  /** The files of release `version` (default: the latest). */
  async listFiles(repository: string, version?: string): Promise<RepositoryFile[]> {
    const release = version ?? (await this.getRepository(repository)).versions.at(-1)!.version
    return (await this.read(`/repos/${repository}/versions/${release}/files`, repository)).json() as Promise<RepositoryFile[]>
  }

  /**
   * Uploads a file (a path, streamed, or bytes) to a release. `created` is false when the release
   * already had these exact bytes under this name.
   *
   * @throws HubError (the hub's code: `FILE_EXISTS`, `NOT_REPOSITORY_OWNER`, `FILE_TOO_LARGE`, ...)
   */
  async upload(repository: string, version: string, source: string | Uint8Array, options: RepositoryUploadOptions = {}): Promise<{ file: RepositoryFile; created: boolean }> {
    const fileName = options.fileName ?? (typeof source === 'string' ? basename(source) : undefined)
    if (!fileName) throw new HubError('BAD_REQUEST', 'give a fileName when uploading bytes')
    const { cid, size } = typeof source === 'string' ? await hashFile(source) : { cid: computeCid(source), size: source.length }
    const signed = await this.sign({ action: 'upload-file', repository, version, file: fileName, contentHash: cidDigestHex(cid), size: BigInt(size) })
    const form = multipartStream(fileName, size, source, options.onProgress)
    const response = await hubFetch(this.baseUrl, `/repos/${repository}/versions/${version}/files`, {
      method: 'POST',
      headers: { ...authHeaders(signed), 'content-type': form.contentType, 'content-length': String(form.length), 'x-hub-content-cid': cid, 'x-hub-content-size': String(size) },
      body: form.body,
      duplex: 'half',
    } as RequestInit).finally(form.dispose)
    const file = (await response.json()) as RepositoryFile
    if (file.cid !== cid) throw new ModelHashMismatchError(cid, String(file.cid))
    return { file, created: response.status === 201 }
  }

  /**
   * Downloads a file by content ID and checks it against the CID. A file only private repositories
   * hold needs `repository` (one of them) and this client's key.
   */
  async download(cid: string, repository?: string): Promise<Uint8Array> {
    if (!isValidCid(cid)) throw new HubError('INVALID_CID', `not a content ID: ${cid.slice(0, 100)}`)
    const query = repository ? `?repository=${encodeURIComponent(repository)}` : ''
    const bytes = new Uint8Array(await (await this.read(`/files/${cid}${query}`, repository)).arrayBuffer())
    const actual = computeCid(bytes)
    if (actual !== cid) throw new ModelHashMismatchError(cid, actual)
    return bytes
  }

  /** Signs a request with this client's key, on the hub's chain. */
  async sign(fields: Parameters<typeof signHubRequest>[2] & { action: HubAction }) {
    if (!this.account) throw new HubError('UNAUTHORIZED', `${fields.action} needs a key: give the client an account`)
    this.chainId ??= hubFetch(this.baseUrl, '/auth/domain')
      .then((r) => r.json() as Promise<{ chainId: number }>)
      .then((d) => d.chainId)
    return signHubRequest(this.account, await this.chainId, fields)
  }

  private async postJson<T>(path: string, body: unknown, fields: { action: HubAction; repository: string; version?: string }): Promise<T> {
    const text = JSON.stringify(body)
    const signed = await this.sign({ ...fields, contentHash: sha256Hex(text) })
    const response = await hubFetch(this.baseUrl, path, { method: 'POST', headers: { ...authHeaders(signed), 'content-type': 'application/json' }, body: text })
    return response.json() as Promise<T>
  }

  /** A GET, unsigned first; signed again if the hub says the repository is private and we have its key. */
  private async read(path: string, repository: string | undefined): Promise<Response> {
    try {
      return await hubFetch(this.baseUrl, path)
    } catch (err) {
      if (!(err instanceof HubError) || err.code !== 'UNAUTHORIZED' || !this.account || !repository) throw err
      const signed = await this.sign({ action: 'read', repository })
      return hubFetch(this.baseUrl, path, { headers: authHeaders(signed) })
    }
  }
}

async function hashFile(path: string): Promise<{ cid: string; size: number }> {
  const { size } = await stat(path)
  const hasher = createCidHasher()
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) hasher.update(chunk as Buffer)
  return { cid: hasher.digest(), size }
}

/**
 * A multipart/form-data body with one part, `file`, sent chunk by chunk (a file is read as fetch
 * pulls, never whole), reporting progress.
 */
export function multipartStream(fileName: string, size: number, source: string | Uint8Array, onProgress?: (sent: number, total: number) => void) {
  const boundary = `inferchain-${randomBytes(12).toString('hex')}`
  const head = new TextEncoder().encode(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${fileName}"\r\ncontent-type: application/octet-stream\r\n\r\n`)
  const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`)
  const file = typeof source === 'string' ? open(source, 'r') : undefined
  let offset = 0
  let stage: 'head' | 'file' | 'tail' | 'done' = 'head'
  const dispose = async () => void (await (await file)?.close().catch(() => {}))
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (stage === 'head') {
        stage = 'file'
        return controller.enqueue(head)
      }
      if (stage === 'file' && offset < size) {
        const chunk = typeof source === 'string' ? await readChunk(await file!, offset, Math.min(CHUNK, size - offset)) : source.subarray(offset, Math.min(offset + CHUNK, size))
        offset += chunk.length
        controller.enqueue(chunk)
        return onProgress?.(offset, size)
      }
      if (stage !== 'done') {
        stage = 'done'
        controller.enqueue(tail)
        return
      }
      controller.close()
    },
    cancel: dispose,
  })
  return { body, contentType: `multipart/form-data; boundary=${boundary}`, length: head.length + size + tail.length, dispose }
}

async function readChunk(file: Awaited<ReturnType<typeof open>>, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length)
  const { bytesRead } = await file.read(buffer, 0, length, position)
  if (bytesRead === 0) throw new HubError('BAD_REQUEST', 'file shrank while it was being uploaded')
  return buffer.subarray(0, bytesRead)
}
