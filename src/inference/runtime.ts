/**
 * Runs models with onnxruntime-node: one cached InferenceSession per model CID.
 *
 * Sessions are pinned to one intra-op and one inter-op thread, sequential execution. onnxruntime
 * splits reductions (MatMul, Gemm, Conv, ...) across its intra-op pool by the pool size, which by
 * default is the machine's core count; float addition is not associative, so a 2-core and a 16-core
 * node can disagree in the last bits for the same model and input. One thread makes the result a
 * function of (runtime version, CPU kernels, model, input) only: repeated runs give identical output hashes, and
 * an OPTIMISTIC challenger re-executing it gets the same bits (given the same CPU kernels: onnxruntime
 * picks AVX2/AVX-512 code paths by CPU, which a thread count cannot fix). The cost is
 * latency on large models; throughput comes from serving several requests at once instead.
 */
import { InferenceSession } from 'onnxruntime-node'
import { errorMessage } from '../errors.js'
import type { ModelInput, ModelOutput } from '../evm/types.js'
import type { ModelMetadata } from '../hub/types.js'
import { InferenceRequestError } from './errors.js'
import { fromResults, toFeeds } from './tensors.js'

/** A model ready to run: its bytes (already checked against the CID) and metadata. */
export interface LoadedModel {
  cid: string
  bytes: Uint8Array
  metadata: ModelMetadata
}

/** The session options every node uses; part of what makes results reproducible. */
export const SESSION_OPTIONS: InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  logSeverityLevel: 3,
}

/**
 * Executes models; sessions are created on first use of a CID and kept until `close()`.
 *
 * @example
 * const runtime = new ModelRuntime()
 * const output = await runtime.run(await cache.get(cid), input)
 */
export class ModelRuntime {
  readonly #sessions = new Map<string, Promise<InferenceSession>>()
  #executions = 0

  /** Model executions started since creation (requests rejected before running are not counted). */
  get executions(): number {
    return this.#executions
  }

  /** CIDs with a live session. */
  get models(): string[] {
    return [...this.#sessions.keys()]
  }

  /**
   * Validates `input` against the model, runs it, converts the result (see `./tensors.ts`).
   * Throws `InferenceRequestError` (bad tensors: 4xx; runtime failure: `INFERENCE_FAILED`).
   */
  async run(model: LoadedModel, input: ModelInput): Promise<ModelOutput> {
    const feeds = toFeeds(model.metadata.inputs, input)
    const session = await this.#session(model)
    this.#executions++
    let results: InferenceSession.ReturnType
    try {
      results = await session.run(feeds)
    } catch (cause) {
      throw new InferenceRequestError('INFERENCE_FAILED', `onnxruntime failed to run model ${model.cid}: ${errorMessage(cause)}`, { cause })
    }
    return fromResults(model.metadata.outputs, results)
  }

  /** Releases every session. */
  async close(): Promise<void> {
    const sessions = [...this.#sessions.values()]
    this.#sessions.clear()
    for (const pending of sessions) {
      // A session that failed to load was already reported to its caller; nothing to release.
      const session = await pending.catch(() => undefined)
      await session?.release()
    }
  }

  #session(model: LoadedModel): Promise<InferenceSession> {
    let session = this.#sessions.get(model.cid)
    if (session === undefined) {
      session = InferenceSession.create(model.bytes, SESSION_OPTIONS).catch((cause: unknown) => {
        this.#sessions.delete(model.cid)
        throw new InferenceRequestError('INFERENCE_FAILED', `onnxruntime cannot load model ${model.cid}: ${errorMessage(cause)}`, { cause })
      })
      this.#sessions.set(model.cid, session)
    }
    return session
  }
}
