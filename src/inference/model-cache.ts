/**
 * The node's models: fetched from the hub by CID, kept in an on-disk cache directory, and held in
 * memory once loaded. Bytes are hashed against their CID every time they enter the process (from
 * the hub or from disk): a node never runs a model other than the one the request names.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CID } from 'multiformats/cid'
import { errorMessage } from '../errors.js'
import { computeCid, isValidCid } from '../hub/cid.js'
import { HubError, ModelHashMismatchError } from '../hub/errors.js'
import { readModelMetadata } from '../hub/metadata.js'
import type { ModelMetadata } from '../hub/types.js'
import type { ModelLoader } from './engine.js'
import { InferenceRequestError } from './errors.js'
import type { LoadedModel } from './runtime.js'

/** Where model bytes come from (the hub's `HubClient` in a node). */
export interface ModelSource {
  download(cid: string): Promise<Uint8Array>
}

export interface ModelCacheOptions {
  /** Cache directory (created if missing); files are named `<cid>.onnx`. */
  dir: string
  source: ModelSource
}

/**
 * Loads models by CID; concurrent requests for one CID share a single download and parse.
 *
 * @example
 * const cache = new ModelCache({ dir: '/var/lib/inferchain/models', source: new HubClient(hubUrl) })
 * const { bytes, metadata } = await cache.get(cid)
 */
export class ModelCache implements ModelLoader {
  readonly #options: ModelCacheOptions
  readonly #loaded = new Map<string, Promise<LoadedModel>>()
  #downloads = 0

  constructor(options: ModelCacheOptions) {
    this.#options = options
  }

  /** Downloads from the source so far (cache hits and shared downloads do not count). */
  get downloads(): number {
    return this.#downloads
  }

  /** The verified model. Throws `MODEL_NOT_FOUND` for CIDs the hub does not have (or that are no model CID). */
  get(cid: string): Promise<LoadedModel> {
    let loaded = this.#loaded.get(cid)
    if (loaded === undefined) {
      loaded = this.#load(cid).catch((err: unknown) => {
        // Forget failures so a later request retries (the hub may come back, the model may be uploaded).
        this.#loaded.delete(cid)
        throw err
      })
      this.#loaded.set(cid, loaded)
    }
    return loaded
  }

  async #load(cid: string): Promise<LoadedModel> {
    checkModelCid(cid)
    const bytes = (await this.#fromDisk(cid)) ?? (await this.#download(cid))
    let metadata: ModelMetadata
    try {
      metadata = readModelMetadata(bytes)
    } catch (cause) {
      throw new InferenceRequestError('INFERENCE_FAILED', `model ${cid} is not a model this node can read: ${errorMessage(cause)}`, {
        cause,
        status: 422,
      })
    }
    return { cid, bytes, metadata }
  }

  async #fromDisk(cid: string): Promise<Uint8Array | undefined> {
    const path = this.#path(cid)
    let bytes: Uint8Array
    try {
      bytes = await readFile(path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
    if (computeCid(bytes) === cid) return bytes
    // A corrupted or tampered cache file: drop it and fetch the real model again.
    await rm(path, { force: true })
    return undefined
  }

  async #download(cid: string): Promise<Uint8Array> {
    this.#downloads++
    let bytes: Uint8Array
    try {
      bytes = await this.#options.source.download(cid)
    } catch (cause) {
      throw downloadError(cid, cause)
    }
    // HubClient checks this too; the node checks on its own because it is the one that signs.
    const actual = computeCid(bytes)
    if (actual !== cid) {
      throw new InferenceRequestError('INFERENCE_FAILED', `the hub served bytes of ${actual} for ${cid}`, { status: 502, details: { cid, actual } })
    }
    await this.#store(cid, bytes)
    return bytes
  }

  /** Write-then-rename, so a crash never leaves a half file under the final name. */
  async #store(cid: string, bytes: Uint8Array): Promise<void> {
    await mkdir(this.#options.dir, { recursive: true })
    const tmp = `${this.#path(cid)}.${randomBytes(6).toString('hex')}.tmp`
    await writeFile(tmp, bytes)
    await rename(tmp, this.#path(cid))
  }

  #path(cid: string): string {
    return join(this.#options.dir, `${cid}.onnx`)
  }
}

/**
 * Model ids are canonical CIDv1 strings (raw codec, sha2-256, base32 lower case). Anything else cannot
 * name a model, and must never reach the file system as a path component.
 */
function checkModelCid(cid: string): void {
  if (!isValidCid(cid) || CID.parse(cid).toString() !== cid) {
    throw new InferenceRequestError('MODEL_NOT_FOUND', `"${cid.slice(0, 100)}" is not a canonical model CID (CIDv1, raw, sha2-256)`, {
      details: { cid },
    })
  }
}

function downloadError(cid: string, cause: unknown): InferenceRequestError {
  if (cause instanceof HubError && (cause.code === 'MODEL_NOT_FOUND' || cause.code === 'INVALID_CID')) {
    return new InferenceRequestError('MODEL_NOT_FOUND', `model ${cid} is not on the hub`, { cause, details: { cid } })
  }
  // The hub (or something in between) served other bytes: a fault of the hub, not of the request.
  const status = cause instanceof ModelHashMismatchError ? 502 : 503
  return new InferenceRequestError('INFERENCE_FAILED', `cannot fetch model ${cid} from the hub: ${errorMessage(cause)}`, { cause, status })
}
