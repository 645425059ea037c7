/**
 * Where the hub keeps models. On disk: `<dir>/<cid>.onnx` and `<dir>/<cid>.json`, each written to a
 * temp file in the same directory, flushed, and renamed into place, so a crash or a concurrent upload
 * never leaves a partial file under a CID (rename is atomic; two uploads of one CID write the same
 * bytes, and the last rename wins). In memory: the same contract for unit tests.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { computeCid, isValidCid } from './cid.js'
import { HubError, ModelHashMismatchError } from './errors.js'
import { readModelMetadata } from './metadata.js'
import type { ModelMetadata, ModelStore } from './types.js'

/** Somewhere an upload can be streamed to a file, then moved in under its CID once verified. */
export interface UploadStaging {
  /** A fresh temp file path (not yet created). */
  tempPath(): string
  /** Stores a complete, verified temp file as model `cid`; the temp file is gone afterwards. */
  adopt(tempFile: string, cid: string): Promise<void>
  /** Removes a temp file (no error if it does not exist). */
  discard(tempFile: string): Promise<void>
}

/**
 * Models as files in one directory.
 *
 * @example
 * const store = new DiskModelStore('/var/lib/inferchain/hub')
 * const cid = await store.put(bytes)
 */
export class DiskModelStore implements ModelStore, UploadStaging {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true })
  }

  /** A temp path in the store's own directory (same filesystem, so the final rename is atomic). */
  tempPath(): string {
    return join(this.dir, `.upload-${randomBytes(8).toString('hex')}`)
  }

  /** The path of model `cid` (which need not exist). */
  modelPath(cid: string): string {
    return join(this.dir, `${checkCid(cid)}.onnx`)
  }

  /** The path of model `cid`'s metadata (which need not exist). */
  metadataPath(cid: string): string {
    return join(this.dir, `${checkCid(cid)}.json`)
  }

  async has(cid: string): Promise<boolean> {
    if (!isValidCid(cid)) return false
    return stat(this.modelPath(cid)).then(() => true, ifMissing(false))
  }

  async get(cid: string): Promise<Uint8Array | undefined> {
    if (!isValidCid(cid)) return undefined
    return readFile(this.modelPath(cid)).catch(ifMissing(undefined))
  }

  async put(bytes: Uint8Array): Promise<string> {
    const cid = computeCid(bytes)
    await this.writeAtomic(this.modelPath(cid), bytes)
    return cid
  }

  async adopt(tempFile: string, cid: string): Promise<void> {
    await flush(tempFile)
    await rename(tempFile, this.modelPath(cid))
  }

  async discard(tempFile: string): Promise<void> {
    await rm(tempFile, { force: true })
  }

  /**
   * The model's metadata. If the model is stored but its metadata is not (a crash between the two
   * renames), it is derived from the bytes again and written.
   */
  async getMetadata(cid: string): Promise<ModelMetadata | undefined> {
    if (!isValidCid(cid)) return undefined
    const text = await readFile(this.metadataPath(cid), 'utf8').catch(ifMissing(undefined))
    if (text !== undefined) return JSON.parse(text) as ModelMetadata
    const bytes = await this.get(cid)
    if (!bytes) return undefined
    const metadata = readModelMetadata(bytes)
    await this.putMetadata(metadata)
    return metadata
  }

  async putMetadata(metadata: ModelMetadata): Promise<void> {
    await this.writeAtomic(this.metadataPath(metadata.cid), new TextEncoder().encode(JSON.stringify(metadata, null, 2)))
  }

  /** Every stored model's metadata, sorted by CID. */
  async list(): Promise<ModelMetadata[]> {
    const cids = (await readdir(this.dir)).filter((n) => n.endsWith('.onnx')).map((n) => n.slice(0, -'.onnx'.length))
    const all = await Promise.all(cids.filter(isValidCid).sort().map((cid) => this.getMetadata(cid)))
    return all.filter((m): m is ModelMetadata => m !== undefined)
  }

  private async writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
    const tmp = this.tempPath()
    try {
      const file = await open(tmp, 'wx')
      try {
        await file.writeFile(bytes)
        await file.sync()
      } finally {
        await file.close()
      }
      await rename(tmp, path)
    } catch (err) {
      await rm(tmp, { force: true })
      throw err
    }
  }
}

/**
 * Models in a Map, for unit tests. Bytes are copied in and out, as a real store would.
 *
 * @example
 * await startHubServer({ store: new MemoryModelStore() })
 */
export class MemoryModelStore implements ModelStore {
  private readonly files = new Map<string, Uint8Array>()
  private readonly metadata = new Map<string, ModelMetadata>()

  async has(cid: string): Promise<boolean> {
    return this.files.has(cid)
  }
  async get(cid: string): Promise<Uint8Array | undefined> {
    const bytes = this.files.get(cid)
    return bytes && Uint8Array.from(bytes)
  }
  async put(bytes: Uint8Array): Promise<string> {
    const cid = computeCid(bytes)
    this.files.set(cid, Uint8Array.from(bytes))
    return cid
  }
  async getMetadata(cid: string): Promise<ModelMetadata | undefined> {
    const metadata = this.metadata.get(cid)
    return metadata && structuredClone(metadata)
  }
  async putMetadata(metadata: ModelMetadata): Promise<void> {
    this.metadata.set(metadata.cid, structuredClone(metadata))
  }
  async list(): Promise<ModelMetadata[]> {
    return [...this.metadata.keys()].sort().map((cid) => structuredClone(this.metadata.get(cid)!))
  }
}

/**
 * The staging a store offers for streamed uploads: its own if it has one (DiskModelStore), else
 * temp files in the OS temp directory whose bytes are handed to `store.put` once verified.
 */
export function uploadStagingFor(store: ModelStore): UploadStaging {
  if (isUploadStaging(store)) return store
  return {
    tempPath: () => join(tmpdir(), `inferchain-upload-${randomBytes(8).toString('hex')}`),
    adopt: async (tempFile, cid) => {
      try {
        const stored = await store.put(await readFile(tempFile))
        if (stored !== cid) throw new ModelHashMismatchError(cid, stored)
      } finally {
        await rm(tempFile, { force: true })
      }
    },
    discard: (tempFile) => rm(tempFile, { force: true }),
  }
}

function isUploadStaging(store: ModelStore): store is ModelStore & UploadStaging {
  const s = store as Partial<UploadStaging>
  return typeof s.tempPath === 'function' && typeof s.adopt === 'function' && typeof s.discard === 'function'
}

function checkCid(cid: string): string {
  if (!isValidCid(cid)) throw new HubError('INVALID_CID', `not a model CID: ${cid.slice(0, 100)}`, { details: { cid } })
  return cid
}

/** Forces a file's bytes to disk, so that the rename that follows never publishes a hollow file. */
async function flush(path: string): Promise<void> {
  const file = await open(path, 'r+')
  try {
    await file.sync()
  } finally {
    await file.close()
  }
}

function ifMissing<T>(value: T) {
  return (err: NodeJS.ErrnoException): T => {
    if (err.code === 'ENOENT') return value
    throw err
  }
}
