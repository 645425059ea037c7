/**
 * The published "PIPE" execution: simulate a transaction or call with a SimulationProvider (unknown
 * inferences return an empty output flagged `is_simulation_result`), dispatch the requests it made
 * to inference nodes in parallel, and repeat with the results known until a simulation asks for
 * nothing new. The real execution then reads only these precomputed results.
 */
import type { Block } from '@ethereumjs/block'
import type { VM } from '@ethereumjs/vm'
import type { Dispatcher } from '../evm/dispatcher.js'
import { ResultBook, SimulationProvider, type ResultCache } from '../evm/providers.js'
import { InferenceSession } from '../evm/session.js'
import type { Hex } from 'viem'
import type { Chain } from './chain.js'

/** A contract may branch on results and ask for more; each round is one simulation + dispatch. */
export const MAX_SIMULATION_ROUNDS = 4

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
  constructor(
    private readonly chain: Chain,
    private readonly dispatcher: Dispatcher,
    private readonly cache: ResultCache,
  ) {}

  newBook(): ResultBook {
    return new ResultBook(this.cache)
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
      await Promise.all(
        [...provider.pending.values()].map(async ({ key, request, inputHash }) => {
          book.set(key, await this.dispatcher.dispatch(request, inputHash))
        }),
      )
      stats.dispatched += provider.pending.size
      stats.dispatchMs += performance.now() - dispatchStarted
    }
    return { book, stats }
  }
}
