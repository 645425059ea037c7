/**
 * The providers behind the precompile:
 *  - SimulationProvider: known results are returned, unknown requests are collected and answered
 *    with an empty output flagged `is_simulation_result` (the published "PIPE" simulation);
 *  - PrecomputedProvider: the real execution; answers only from results gathered beforehand;
 *  - CallProvider: calls (eth_call), whose state is thrown away, so nothing has to be simulated
 *    first: the first request a run lacks is dispatched on the spot and awaited, and the run goes
 *    on with the real result. Further unknown requests of the same run are answered as in a
 *    simulation and left to the caller to dispatch together.
 * Both read a ResultBook: results for one transaction or call, backed by a shared cache of
 * successful results keyed by (model, mode, input hash) — and, for TEE, by request id as well: an
 * attestation binds its request, so a TEE result answers that one call and no other.
 */
import type { Hex } from 'viem'
import { ModelInferenceMode, type InferenceCallContext, type InferenceProvider, type InferenceResolution, type ModelInferenceRequest } from './types.js'

export function resultKey(modelCid: string, mode: number, inputHash: Hex, requestId?: Hex): string {
  return mode === ModelInferenceMode.TEE ? `${modelCid}|${mode}|${inputHash}|${requestId ?? ''}` : `${modelCid}|${mode}|${inputHash}`
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

/**
 * A counter of changes to the registry state that evidence is checked against (NodeRegistry: who
 * serves what, allowed measurements, enclave keys). Importers check a record against the registry
 * as of its block's parent; a TEE result checked under an older registry may no longer pass.
 */
export interface RegistryEpoch {
  readonly current: number
}

/**
 * The results one transaction or call may use. Errors stay local to it; VANILLA successes are
 * shared. TEE successes stay local too (their attestation binds one request) and are usable only
 * while the registry they were checked against is unchanged: after that the request counts as
 * missing, and the transaction is prepared again instead of ending in a block importers reject.
 */
export class ResultBook {
  private readonly local = new Map<string, InferenceResolution>()
  private readonly checkedAt = new Map<string, number>()

  constructor(
    private readonly cache: ResultCache,
    private readonly registry?: RegistryEpoch,
  ) {}

  get(key: string): InferenceResolution | undefined {
    const epoch = this.checkedAt.get(key)
    if (epoch !== undefined && this.registry !== undefined && epoch !== this.registry.current) return undefined
    return this.local.get(key) ?? this.cache.get(key)
  }

  /** `registryEpoch`: the epoch read before the result's evidence was checked. */
  set(key: string, resolution: InferenceResolution, registryEpoch?: number): void {
    const bound = resolution.kind === 'result' && resolution.result.mode !== ModelInferenceMode.VANILLA
    if (resolution.kind === 'result' && !bound) this.cache.set(key, resolution)
    if (bound && registryEpoch !== undefined) this.checkedAt.set(key, registryEpoch)
    this.local.set(key, resolution)
  }
}

export interface PendingRequest {
  key: string
  request: ModelInferenceRequest
  inputHash: Hex
  /** The call's request id (TEE results must be bound to it). */
  requestId: Hex
}

export class SimulationProvider implements InferenceProvider {
  readonly pending = new Map<string, PendingRequest>()

  constructor(private readonly book: ResultBook) {}

  resolve(request: ModelInferenceRequest, inputHash: Hex, context: InferenceCallContext): InferenceResolution {
    const key = resultKey(request.modelCid, request.mode, inputHash, context.requestId)
    const known = this.book.get(key)
    if (known) return known
    this.pending.set(key, { key, request, inputHash, requestId: context.requestId })
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

  resolve(request: ModelInferenceRequest, inputHash: Hex, context: InferenceCallContext): InferenceResolution {
    const known = this.book.get(resultKey(request.modelCid, request.mode, inputHash, context.requestId))
    if (known) return known
    if (!this.finalAttempt) return { kind: 'missing' }
    return { kind: 'error', code: 'INFERENCE_UNAVAILABLE', reason: 'the request kept changing between simulation and execution' }
  }
}

/** Gets a verified result for one request from the inference nodes (Dispatcher.dispatch). */
export type DispatchRequest = (request: ModelInferenceRequest, inputHash: Hex, requestId: Hex) => Promise<InferenceResolution>

export class CallProvider implements InferenceProvider {
  readonly pending = new Map<string, PendingRequest>()
  /** Requests this run dispatched itself and waited for. */
  dispatched = 0
  /** A dispatch failed other than by a node's answer: the run ends as a simulation, the call fails. */
  failure?: { error: unknown }

  /**
   * @param dispatch when undefined, no request is dispatched mid-run (every unknown one is simulated).
   * @param registry read before dispatching, as `ResultBook.set` wants it.
   */
  constructor(
    private readonly book: ResultBook,
    private readonly dispatch?: DispatchRequest,
    private readonly registry?: RegistryEpoch,
  ) {}

  async resolve(request: ModelInferenceRequest, inputHash: Hex, context: InferenceCallContext): Promise<InferenceResolution> {
    const key = resultKey(request.modelCid, request.mode, inputHash, context.requestId)
    const known = this.book.get(key)
    if (known) return known
    if (this.dispatch === undefined || this.dispatched > 0 || this.failure !== undefined) {
      this.pending.set(key, { key, request, inputHash, requestId: context.requestId })
      return { kind: 'simulated' }
    }
    this.dispatched++
    try {
      const registryEpoch = this.registry?.current
      const resolution = await this.dispatch(request, inputHash, context.requestId)
      this.book.set(key, resolution, registryEpoch)
      return resolution
    } catch (error) {
      this.failure = { error }
      return { kind: 'simulated' }
    }
  }
}
