/**
 * GGUF models of an inference node: fetched from the hub by CID like ONNX models, verified against
 * the CID, kept on disk as `<cid>.gguf` (llama.cpp loads from a path) and loaded once.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { errorMessage } from '../errors.js'
import { computeCid, isValidCid } from '../hub/cid.js'
import { HubError } from '../hub/errors.js'
import { isGguf } from '../models/gguf-writer.js'
import { LlmError } from './errors.js'
import { LlmRunner, type LlmRunnerOptions } from './runner.js'

export interface GgufSource {
  download(cid: string): Promise<Uint8Array>
}

export class LlmModelStore {
  readonly #runners = new Map<string, Promise<LlmRunner>>()

  constructor(
    private readonly dir: string,
    private readonly source: GgufSource,
    private readonly runnerOptions: LlmRunnerOptions = {},
  ) {}

  /** The loaded model; throws `LlmError` MODEL_NOT_FOUND or NOT_AN_LLM. */
  get(cid: string): Promise<LlmRunner> {
    let runner = this.#runners.get(cid)
    if (runner === undefined) {
      runner = this.#load(cid).catch((err: unknown) => {
        this.#runners.delete(cid) // a later request retries (the model may be uploaded by then)
        throw err
      })
      this.#runners.set(cid, runner)
    }
    return runner
  }

  /** Models loaded so far. */
  get models(): string[] {
    return [...this.#runners.keys()]
  }

  async #load(cid: string): Promise<LlmRunner> {
    if (!isValidCid(cid)) throw new LlmError('MODEL_NOT_FOUND', `"${cid.slice(0, 100)}" is not a model CID`)
    const path = join(this.dir, `${cid}.gguf`)
    const bytes = (await this.#fromDisk(path, cid)) ?? (await this.#download(path, cid))
    if (!isGguf(bytes)) throw new LlmError('NOT_AN_LLM', `model ${cid} is not a GGUF LLM (runModelInference serves ONNX models)`)
    return LlmRunner.load(path, this.runnerOptions)
  }

  async #fromDisk(path: string, cid: string): Promise<Uint8Array | undefined> {
    try {
      const bytes = await readFile(path)
      return computeCid(bytes) === cid ? bytes : undefined
    } catch {
      return undefined
    }
  }

  async #download(path: string, cid: string): Promise<Uint8Array> {
    let bytes: Uint8Array
    try {
      bytes = await this.source.download(cid)
    } catch (cause) {
      if (cause instanceof HubError && (cause.code === 'MODEL_NOT_FOUND' || cause.code === 'INVALID_CID')) {
        throw new LlmError('MODEL_NOT_FOUND', `model ${cid} is not on the hub`, { cause })
      }
      throw new LlmError('INFERENCE_FAILED', `cannot fetch model ${cid} from the hub: ${errorMessage(cause)}`, { cause })
    }
    if (computeCid(bytes) !== cid) throw new LlmError('INFERENCE_FAILED', `the hub served other bytes for ${cid}`)
    if (!isGguf(bytes)) return bytes // not stored: the caller refuses it
    await mkdir(this.dir, { recursive: true })
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`
    await writeFile(tmp, bytes)
    await rename(tmp, path)
    return bytes
  }

  async close(): Promise<void> {
    const runners = await Promise.allSettled(this.#runners.values())
    for (const r of runners) if (r.status === 'fulfilled') await r.value.close()
  }
}
