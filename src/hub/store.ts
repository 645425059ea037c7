/**
 * Where the hub keeps models. On disk: `<dir>/<cid>.onnx` and `<dir>/<cid>.json`, each written to a
 * temp file and renamed, so a crash or a concurrent upload never leaves a partial file under a CID.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { computeCid, isValidCid } from './cid.js'
import type { ModelMetadata, ModelStore } from './types.js'

export class DiskModelStore implements ModelStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true })
  }

  /** A temp path in the store's dir (same filesystem, so rename is atomic). */
  tempPath(): string {
    return join(this.dir, `.upload-${randomBytes(8).toString('hex')}`)
  }

  modelPath(cid: string): string {
    if (!isValidCid(cid)) throw new Error(`not a CID: ${cid}`)
    return join(this.dir, `${cid}.onnx`)
  }

  async has(cid: string): Promise<boolean> {
    return isValidCid(cid) && (await exists(this.modelPath(cid)))
  }

  async get(cid: string): Promise<Uint8Array | undefined> {
    if (!isValidCid(cid)) return undefined
    return readFile(this.modelPath(cid)).catch(ifMissing(undefined))
  }

  async put(bytes: Uint8Array): Promise<string> {
    const cid = computeCid(bytes)
    const tmp = this.tempPath()
    await writeFile(tmp, bytes)
    await this.adopt(tmp, cid)
    return cid
  }

  /** Moves a fully written and verified temp file into place under its CID. */
  async adopt(tempFile: string, cid: string): Promise<void> {
    await rename(tempFile, this.modelPath(cid))
  }

  async discard(tempFile: string): Promise<void> {
    await rm(tempFile, { force: true })
  }

  async getMetadata(cid: string): Promise<ModelMetadata | undefined> {
    if (!isValidCid(cid)) return undefined
    const text = await readFile(join(this.dir, `${cid}.json`), 'utf8').catch(ifMissing(undefined))
    return text === undefined ? undefined : (JSON.parse(text) as ModelMetadata)
  }

  async putMetadata(metadata: ModelMetadata): Promise<void> {
    const tmp = this.tempPath()
    await writeFile(tmp, JSON.stringify(metadata, null, 2))
    await rename(tmp, join(this.dir, `${metadata.cid}.json`))
  }

  async list(): Promise<ModelMetadata[]> {
    const names = await readdir(this.dir)
    const all = await Promise.all(names.filter((n) => n.endsWith('.json')).map((n) => this.getMetadata(n.slice(0, -5))))
    return all.filter((m): m is ModelMetadata => m !== undefined)
  }
}

/** For unit tests: the same contract in memory. */
export class MemoryModelStore implements ModelStore {
  private readonly files = new Map<string, Uint8Array>()
  private readonly metadata = new Map<string, ModelMetadata>()

  async has(cid: string) {
    return this.files.has(cid)
  }
  async get(cid: string) {
    return this.files.get(cid)
  }
  async put(bytes: Uint8Array) {
    const cid = computeCid(bytes)
    this.files.set(cid, bytes)
    return cid
  }
  async getMetadata(cid: string) {
    return this.metadata.get(cid)
  }
  async putMetadata(m: ModelMetadata) {
    this.metadata.set(m.cid, m)
  }
  async list() {
    return [...this.metadata.values()]
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, ifMissing(false))
}

function ifMissing<T>(value: T) {
  return (err: NodeJS.ErrnoException): T => {
    if (err.code === 'ENOENT') return value
    throw err
  }
}
