/**
 * The providers behind the precompile:
 *  - SimulationProvider: known results are returned, unknown requests are collected and answered
 *    with an empty output flagged `is_simulation_result` (the published "PIPE" simulation);
 *  - PrecomputedProvider: the real execution; answers only from results gathered beforehand.
 * Both read a ResultBook: results for one transaction or call, backed by a shared cache of
 * successful results keyed by (model, mode, input hash).
 */
import type { Hex } from 'viem'
import type { InferenceProvider, InferenceResolution, ModelInferenceRequest } from './types.js'

export function resultKey(modelCid: string, mode: number, inputHash: Hex): string {
  return `${modelCid}|${mode}|${inputHash}`
}

/** Successful, verified results, shared by all transactions and calls (bounded, oldest out first). */
export class ResultCache {
  private readonly entries = new Map<string, InferenceResolution & { kind: 'result' }>()

  constructor(private readonly capacity = 10_000) {}

  get(key: string): (InferenceResolution & { kind: 'result' }) | undefined {
    return this.entries.get(key)
  }

  set(key: string, resolution: InferenceResolution & { kind: 'result' }): void {
    this.entries.delete(key)
    this.entries.set(key, resolution)
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string)
  }
}

/** The results one transaction or call may use. Errors stay local to it; successes are shared. */
export class ResultBook {
  private readonly local = new Map<string, InferenceResolution>()

  constructor(private readonly cache: ResultCache) {}

  get(key: string): InferenceResolution | undefined {
    return this.local.get(key) ?? this.cache.get(key)
  }

  set(key: string, resolution: InferenceResolution): void {
    if (resolution.kind === 'result') this.cache.set(key, resolution)
    this.local.set(key, resolution)
  }
}

export interface PendingRequest {
  key: string
  request: ModelInferenceRequest
  inputHash: Hex
}

export class SimulationProvider implements InferenceProvider {
  readonly pending = new Map<string, PendingRequest>()

  constructor(private readonly book: ResultBook) {}

  resolve(request: ModelInferenceRequest, inputHash: Hex): InferenceResolution {
    const key = resultKey(request.modelCid, request.mode, inputHash)
    const known = this.book.get(key)
    if (known) return known
    this.pending.set(key, { key, request, inputHash })
    return { kind: 'simulated' }
  }
}

export class PrecomputedProvider implements InferenceProvider {
  /**
   * @param finalAttempt when set, an unknown request reverts (INFERENCE_UNAVAILABLE) instead of
   * deferring the transaction again.
   */
  constructor(
    private readonly book: ResultBook,
    private readonly finalAttempt = false,
  ) {}

  resolve(request: ModelInferenceRequest, inputHash: Hex): InferenceResolution {
    const known = this.book.get(resultKey(request.modelCid, request.mode, inputHash))
    if (known) return known
    if (!this.finalAttempt) return { kind: 'missing' }
    return { kind: 'error', code: 'INFERENCE_UNAVAILABLE', reason: 'the request kept changing between simulation and execution' }
  }
}
