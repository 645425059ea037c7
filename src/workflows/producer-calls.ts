/**
 * The producer's side of workflows: for each head, the due calls of the next block are derived
 * (`scheduledCalls`) and their inferences gathered through the PIPE pipeline — simulation, dispatch
 * — before the block is built, like any transaction's; the block then opens with them. A call whose
 * results are not ready runs anyway (its missing inference reverts INFERENCE_UNAVAILABLE, the task
 * records a failure): workflow calls are never deferred, so a follower can always recompute them.
 */
import type { Block } from '@ethereumjs/block'
import type { TypedTransaction } from '@ethereumjs/tx'
import { runTx } from '@ethereumjs/vm'
import { bytesToHex, decodeEventLog, type Hex } from 'viem'
import { errorMessage } from '../errors.js'
import { PrecomputedProvider, type ResultBook } from '../evm/providers.js'
import { InferenceSession } from '../evm/session.js'
import type { Chain, ProducedBlock } from '../chain/chain.js'
import type { InferencePipeline } from '../chain/pipeline.js'
import { INFERENCE_NODE_TIMEOUT_MS, WORKFLOW_SCHEDULER_ADDRESS } from '../params.js'
import { workflowSchedulerAbi } from './abi.js'
import { RunnerTransactionError } from './errors.js'
import { workflowRunner } from './runner.js'
import { scheduledCalls, type ScheduledCall } from './schedule.js'
import { nextDueTime } from './views.js'

/** Simulation rounds for a workflow call (a run may chain inferences, each depending on the last). */
const WORKFLOW_SIMULATION_ROUNDS = 2

interface Preparation {
  parentHash: Hex
  done: Promise<void>
  calls?: number
  books: Map<Hex, ResultBook>
}

export interface NextBlockCalls {
  txs: TypedTransaction[]
  /** The session of a workflow call, undefined for any other transaction. */
  session(tx: TypedTransaction): InferenceSession | undefined
}

export class WorkflowCalls {
  private preparation?: Preparation
  private readonly runner: string

  constructor(
    private readonly chain: Chain,
    private readonly pipeline: InferencePipeline,
    private readonly log: (message: string) => void = () => {},
  ) {
    this.runner = workflowRunner(chain.chainId).address.toLowerCase()
  }

  /** Refuses a submitted transaction signed with the runner's key. */
  assertNotRunner(tx: TypedTransaction): void {
    if (tx.getSenderAddress().toString().toLowerCase() === this.runner) throw new RunnerTransactionError(this.runner)
  }

  /** Starts (once per head) gathering the inference results of the next block's calls; resolves with their count. */
  async prepare(): Promise<number> {
    const head = this.chain.head
    const parentHash = bytesToHex(head.hash()) as Hex
    if (this.preparation?.parentHash !== parentHash) {
      const preparation: Preparation = { parentHash, books: new Map(), done: Promise.resolve() }
      preparation.done = this.gather(head, preparation).catch((err) => this.log(`workflow calls of block ${head.header.number + 1n} not prepared: ${errorMessage(err)}`))
      this.preparation = preparation
    }
    const current = this.preparation!
    await current.done
    return current.calls ?? 0
  }

  /** Waits for the head's preparation, at most about one inference timeout (the calls run anyway). */
  async ready(timeoutMs = 2 * INFERENCE_NODE_TIMEOUT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))
    await Promise.race([this.prepare().then(() => undefined), timeout])
    clearTimeout(timer)
  }

  /** The calls that open the next block, with their sessions. Must be called inside `exclusive`. */
  async forNextBlock(env: Block): Promise<NextBlockCalls> {
    const head = this.chain.head
    const calls = await this.chain.withStateAt(head.header.number, (vm) => scheduledCalls(vm, this.chain.common, head, env))
    const prepared = this.preparation?.parentHash === (bytesToHex(head.hash()) as Hex) ? this.preparation.books : new Map<Hex, ResultBook>()
    const sessions = new Map<Hex, InferenceSession>()
    for (const { tx } of calls) {
      const hash = bytesToHex(tx.hash()) as Hex
      // Final attempt: an unknown request reverts inside run() instead of deferring the call.
      sessions.set(hash, new InferenceSession(new PrecomputedProvider(prepared.get(hash) ?? this.pipeline.newBook(), true), hash))
    }
    return { txs: calls.map((c) => c.tx), session: (tx) => sessions.get(bytesToHex(tx.hash()) as Hex) }
  }

  /** Logs what the block's workflow calls did: failures and tasks that ran out of funds. */
  report(produced: ProducedBlock): void {
    produced.outcome.executed.forEach(({ tx, receipt }) => {
      if (tx.getSenderAddress().toString().toLowerCase() !== this.runner) return
      if (receipt.status !== 1) this.log(`workflow call ${bytesToHex(tx.hash())} reverted`)
      for (const [address, topics, data] of receipt.logs) {
        if (bytesToHex(address).toLowerCase() !== WORKFLOW_SCHEDULER_ADDRESS.toLowerCase()) continue
        let event
        try {
          event = decodeEventLog({ abi: workflowSchedulerAbi, topics: topics.map((t) => bytesToHex(t)) as [Hex], data: bytesToHex(data) as Hex })
        } catch {
          continue
        }
        if (event.eventName === 'TaskFailed' && event.args) this.log(`workflow task ${event.args.taskId} failed (run ${event.args.failures} failed, reason ${event.args.reason}) in block ${produced.block.header.number}`)
        if (event.eventName === 'TaskOutOfFunds' && event.args) this.log(`workflow task ${event.args.taskId} is out of funds (deposit ${event.args.deposit} < ${event.args.required}): skipped until topped up`)
      }
    })
  }

  /** When the earliest funded task is due, or undefined without one (automine uses it to make a block). */
  async nextDueTime(): Promise<bigint | undefined> {
    return nextDueTime(this.chain)
  }

  private async gather(head: Block, preparation: Preparation): Promise<void> {
    const calls: ScheduledCall[] = await this.chain.exclusive(() =>
      this.chain.withStateAt(head.header.number, (vm) => scheduledCalls(vm, this.chain.common, head, this.chain.nextBlockEnv())),
    )
    preparation.calls = calls.length
    await Promise.all(
      calls.map(async ({ tx }) => {
        const txHash = bytesToHex(tx.hash()) as Hex
        const { book } = await this.pipeline.prepare(
          (vm, env) => runTx(vm, { tx, block: env, skipNonce: true, skipBalance: true, skipHardForkValidation: true }),
          { txHash, atBlock: head.header.number, rounds: WORKFLOW_SIMULATION_ROUNDS },
        )
        preparation.books.set(txHash, book)
      }),
    )
  }
}
