/**
 * Admits transactions, prepares their inference results (PIPE) and produces blocks: at once when a
 * transaction becomes ready (`automine`) or every `blockTimeMs`.
 */
import type { TypedTransaction } from '@ethereumjs/tx'
import { createAddressFromString } from '@ethereumjs/util'
import { runTx } from '@ethereumjs/vm'
import type { Hex } from 'viem'
import { errorMessage } from '../errors.js'
import { INFERENCE_PRECOMPILE_ADDRESS } from '../params.js'
import { PrecomputedProvider } from '../evm/providers.js'
import { InferenceSession } from '../evm/session.js'
import { admitTransaction, checkAffordable } from './admission.js'
import type { Chain, ProducedBlock } from './chain.js'
import { txHashHex } from './executor.js'
import { Mempool, type PoolEntry } from './mempool.js'
import type { InferencePipeline } from './pipeline.js'
import { WorkflowCalls } from '../workflows/producer-calls.js'

/** How often automine looks for a scheduled workflow that is due (it needs a block to run in). */
const WORKFLOW_POLL_MS = 1_000

/** After this many deferrals a transaction runs with whatever results exist (missing ones revert). */
export const MAX_DEFERRALS = 3

export interface ProducerOptions {
  automine: boolean
  /** Interval between blocks when not automining. */
  blockTimeMs: number
  log?: (message: string) => void
}

export class BlockProducer {
  readonly mempool = new Mempool()
  private timer?: NodeJS.Timeout
  private scheduled = false
  private stopped = false
  private producing?: Promise<void>
  /** Scheduled workflow calls: every block opens with the due ones (src/workflows/). */
  private readonly workflows: WorkflowCalls
  private workflowTimer?: NodeJS.Timeout
  private unsubscribe?: () => void

  constructor(
    private readonly chain: Chain,
    private readonly pipeline: InferencePipeline,
    private readonly options: ProducerOptions,
  ) {
    this.workflows = new WorkflowCalls(chain, pipeline, options.log)
  }

  start(): void {
    if (!this.options.automine) this.timer = setInterval(() => this.schedule(), this.options.blockTimeMs)
    // Each new head: gather the next block's workflow inferences at once (automine: and make that block).
    this.unsubscribe = this.chain.onNewBlock(() => void this.prepareWorkflows())
    if (this.options.automine) this.workflowTimer = setInterval(() => void this.pollWorkflows(), WORKFLOW_POLL_MS)
    void this.prepareWorkflows()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.timer)
    clearInterval(this.workflowTimer)
    this.unsubscribe?.()
    await this.producing
  }

  /** Validates and queues a signed transaction; returns its hash at once (results come later). */
  async submit(raw: Uint8Array): Promise<Hex> {
    const tx = await admitTransaction(raw, this.chain.common)
    this.workflows.assertNotRunner(tx)
    const { entry, mayInfer } = await this.chain.exclusive(() =>
      this.chain.readStateAt(this.chain.head.header.number, async (vm) => {
        const account = await vm.stateManager.getAccount(tx.getSenderAddress())
        checkAffordable(tx, account)
        // Only code can call the precompile: a transfer to an account without code needs no simulation.
        const mayInfer =
          tx.to === undefined ||
          tx.to.toString().toLowerCase() === INFERENCE_PRECOMPILE_ADDRESS.toLowerCase() ||
          (await vm.stateManager.getCode(tx.to)).length > 0
        return { entry: this.mempool.add(tx, account?.nonce ?? 0n), mayInfer }
      }),
    )
    if (mayInfer) void this.prepare(entry)
    else this.markReady(entry)
    return entry.hash
  }

  async pendingNonce(address: Hex, accountNonce: bigint): Promise<bigint> {
    return this.mempool.pendingNonce(address, accountNonce)
  }

  /** Produces one block now with whatever is ready (used by tests and interval mining). */
  async produceBlock(): Promise<ProducedBlock> {
    // Outside the lock: gathering the workflow calls' inferences simulates and dispatches.
    await this.workflows.ready()
    const run = this.chain.exclusive(() => this.produceLocked())
    this.producing = run.then(() => undefined, () => undefined)
    return run
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      this.produceBlock().catch((err) => this.options.log?.(`block production failed: ${errorMessage(err)}`))
    })
  }

  private markReady(entry: PoolEntry): void {
    entry.status = 'ready'
    if (this.options.automine) this.schedule()
  }

  private async prepare(entry: PoolEntry): Promise<void> {
    try {
      const { book } = await this.pipeline.prepare(
        (vm, env) => runTx(vm, { tx: entry.tx, block: env, skipNonce: true, skipBalance: true, skipHardForkValidation: true }),
        { txHash: entry.hash, rounds: 1 },
      )
      entry.book = book
    } catch (err) {
      // A transaction that cannot even be simulated still goes to the block: the EVM gives it its verdict.
      this.options.log?.(`simulation of ${entry.hash} failed: ${errorMessage(err)}`)
    }
    this.markReady(entry)
  }

  private async produceLocked(): Promise<ProducedBlock> {
    const env = this.chain.nextBlockEnv()
    const entries = await this.chain.readStateAt(this.chain.head.header.number, async (vm) =>
      this.mempool.includable(
        async (sender) => (await vm.stateManager.getAccount(createAddressFromString(sender)))?.nonce ?? 0n,
        env.header.baseFeePerGas ?? 0n,
      ),
    )
    const byHash = new Map(entries.map((e) => [e.hash, e]))
    const workflowCalls = await this.workflows.forNextBlock(env)
    const produced = await this.chain.produceBlock(
      [...workflowCalls.txs, ...entries.map((e) => e.tx)],
      (tx) => workflowCalls.session(tx) ?? this.sessionFor(byHash.get(txHashHex(tx))!),
    )
    this.workflows.report(produced)
    for (const { tx } of produced.outcome.executed) this.mempool.remove(txHashHex(tx))
    for (const { tx, reason } of produced.outcome.rejected) {
      this.options.log?.(`dropped ${txHashHex(tx)}: ${reason}`)
      this.mempool.remove(txHashHex(tx))
    }
    for (const tx of produced.outcome.missed) {
      const entry = byHash.get(txHashHex(tx))
      if (entry) this.requeue(entry)
    }
    return produced
  }

  /** Gathers the next block's workflow inferences; with automine, makes that block when there are calls. */
  private async prepareWorkflows(): Promise<void> {
    if (this.stopped) return
    const calls = await this.workflows.prepare()
    if (calls > 0 && this.options.automine) this.schedule()
  }

  /**
   * Automine makes blocks only for transactions; a task is due once a block's parent is as late as
   * its time (docs/decisions/workflows.md), so when one falls due an empty block moves time on.
   */
  private async pollWorkflows(): Promise<void> {
    try {
      const due = await this.workflows.nextDueTime()
      if (due === undefined) return
      if (due > this.chain.head.header.timestamp && due <= BigInt(Math.floor(Date.now() / 1000))) this.schedule()
      else if (due <= this.chain.head.header.timestamp) await this.prepareWorkflows()
    } catch (err) {
      this.options.log?.(`workflow poll failed: ${errorMessage(err)}`)
    }
  }

  private sessionFor(entry: PoolEntry): InferenceSession {
    const provider = new PrecomputedProvider(entry.book ?? this.pipeline.newBook(), entry.deferrals >= MAX_DEFERRALS)
    return new InferenceSession(provider, entry.hash)
  }

  /** A deferred transaction is prepared again against the new head. */
  private requeue(entry: PoolEntry): void {
    entry.deferrals++
    entry.status = 'preparing'
    void this.prepare(entry)
  }
}


export type { TypedTransaction }
