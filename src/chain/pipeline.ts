/**
 * The published "PIPE" execution: simulate a transaction or call with a SimulationProvider (unknown
 * inferences return an empty output flagged `is_simulation_result`), dispatch the requests it made
 * to inference nodes in parallel, and repeat with the results known until a simulation asks for
 * nothing new. The real execution then reads only these precomputed results.
 */
import type { Block } from '@ethereumjs/block'
import type { VM } from '@ethereumjs/vm'
import type { Dispatcher } from '../evm/dispatcher.js'
import { CallProvider, PrecomputedProvider, ResultBook, SimulationProvider, type DispatchRequest, type ResultCache } from '../evm/providers.js'
import { InferenceSession } from '../evm/session.js'
import { bytesToHex, type Hex } from 'viem'
import { NODE_REGISTRY_ADDRESS } from '../params.js'
import type { InferenceProvider } from '../evm/types.js'
import type { CallRequest } from '../rpc/types.js'
import type { Chain } from './chain.js'

/** A contract may branch on results and ask for more; each round is one simulation + dispatch. */
export const MAX_SIMULATION_ROUNDS = 4
/** How many call shapes (target, selector) seen asking for several inferences at once are remembered. */
const MAX_PARALLEL_SHAPES = 1024

export type SimulatedRun<T> = (vm: VM, env: Block) => Promise<T>

export interface Preparation<T> {
  book: ResultBook
  stats: PreparationStats
  /** Set when the last simulation needed nothing new: its outcome is the real one. */
  final?: { value: T }
}

export interface PreparationStats {
  rounds: number
  dispatched: number
  simulationMs: number
  dispatchMs: number
}

export class InferencePipeline {
  /** Bumped by every block that changes NodeRegistry (see ResultBook: TEE results depend on it). */
  private readonly registryEpoch = { current: 0 }
  /** Call shapes whose runs asked for several unknown inferences at once: `call` simulates them first. */
  private readonly parallelShapes = new Set<string>()

  constructor(
    private readonly chain: Chain,
    private readonly dispatcher: Dispatcher,
    private readonly cache: ResultCache,
  ) {
    chain.onNewBlock((_block, receipts) => {
      if (receipts.some((r) => r.logs.some(([address]) => bytesToHex(address).toLowerCase() === NODE_REGISTRY_ADDRESS.toLowerCase()))) {
        this.registryEpoch.current++
      }
    })
  }

  newBook(): ResultBook {
    return new ResultBook(this.cache, this.registryEpoch)
  }

  /**
   * Gathers every result `run` needs. `run` executes on the head state (rolled back afterwards)
   * with the session this pipeline activates. Transactions use one round, as the published design
   * does: a request their real execution still lacks defers them (see BlockProducer). Calls repeat
   * until nothing new is asked, since their last round is their answer.
   */
  async prepare<T>(run: SimulatedRun<T>, options: { txHash?: Hex; atBlock?: bigint; rounds?: number } = {}): Promise<Preparation<T>> {
    const { txHash, atBlock, rounds = MAX_SIMULATION_ROUNDS } = options
    const book = this.newBook()
    const stats: PreparationStats = { rounds: 0, dispatched: 0, simulationMs: 0, dispatchMs: 0 }
    for (let round = 0; round < rounds; round++) {
      const provider = new SimulationProvider(book)
      const started = performance.now()
      const outcome = await this.chain.exclusive(() =>
        this.chain.withStateAt(atBlock ?? this.chain.head.header.number, async (vm) => {
          this.chain.activeSession = new InferenceSession(provider, txHash)
          try {
            return await run(vm, this.chain.nextBlockEnv())
          } finally {
            this.chain.activeSession = undefined
          }
        }),
      )
      stats.simulationMs += performance.now() - started
      stats.rounds++
      // Nothing new was asked: this run saw only real results, so it *is* the real execution.
      if (provider.pending.size === 0) return { book, stats, final: { value: outcome } }
      const dispatchStarted = performance.now()
      // Read before dispatching: a registry change during the dispatch makes the results stale.
      const registryEpoch = this.registryEpoch.current
      await Promise.all(
        [...provider.pending.values()].map(async ({ key, request, inputHash, requestId }) => {
          book.set(key, await this.dispatcher.dispatch(request, inputHash, { requestId, chainId: this.chain.chainId }), registryEpoch)
        }),
      )
      stats.dispatched += provider.pending.size
      stats.dispatchMs += performance.now() - dispatchStarted
    }
    return { book, stats }
  }

  /**
   * eth_call. The call runs on a VM of its own (`Chain.withCallVm`), so it may wait for an
   * inference node mid-run without holding up the chain, and its state is thrown away, so nothing
   * needs to be simulated first: the first request a run lacks is dispatched on the spot
   * (`CallProvider`) and the run goes on with the real result. A call that makes one inference — or
   * a chain of them, each depending on the last — runs once instead of being simulated and run
   * again. Unknown requests a run makes beyond that one are answered as in a simulation,
   * dispatched together after the run, and the call runs again, as `prepare` does for
   * transactions. A call shape (target, selector) seen asking for several at once is simulated
   * first from then on, which dispatches all of its requests in parallel.
   */
  async call<T>(request: CallRequest, run: SimulatedRun<T>, atBlock: bigint): Promise<T> {
    const book = this.newBook()
    const dispatch: DispatchRequest = (inference, inputHash, requestId) =>
      this.dispatcher.dispatch(inference, inputHash, { requestId, chainId: this.chain.chainId })
    const shape = `${request.to ?? 'create'}:${request.data?.slice(0, 10) ?? ''}`
    const simulateFirst = this.parallelShapes.has(shape)
    for (let round = 0; round < MAX_SIMULATION_ROUNDS; round++) {
      const provider = new CallProvider(book, simulateFirst && round === 0 ? undefined : dispatch, this.registryEpoch)
      const outcome = await this.runCall(run, atBlock, provider)
      if (provider.failure) throw provider.failure.error
      // Nothing was left unanswered: this run saw only real results, so it *is* the call's outcome.
      if (provider.pending.size === 0) return outcome
      if (provider.pending.size + provider.dispatched > 1) this.rememberParallel(shape)
      // Read before dispatching: a registry change during the dispatch makes the results stale.
      const registryEpoch = this.registryEpoch.current
      await Promise.all(
        [...provider.pending.values()].map(async ({ key, request: inference, inputHash, requestId }) => {
          book.set(key, await dispatch(inference, inputHash, requestId), registryEpoch)
        }),
      )
    }
    // Still asking for more after every round: run with what was gathered (the rest reverts).
    return this.runCall(run, atBlock, new PrecomputedProvider(book, true))
  }

  private runCall<T>(run: SimulatedRun<T>, atBlock: bigint, provider: InferenceProvider): Promise<T> {
    return this.chain.withCallVm(atBlock, (vm, slot) => {
      slot.activeSession = new InferenceSession(provider)
      return run(vm, this.chain.nextBlockEnv())
    })
  }

  private rememberParallel(shape: string): void {
    this.parallelShapes.add(shape)
    if (this.parallelShapes.size > MAX_PARALLEL_SHAPES) this.parallelShapes.delete(this.parallelShapes.values().next().value as string)
  }
}
