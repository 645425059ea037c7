/**
 * Scheduled model workflows from a client: register an IModelExecutor with WorkflowScheduler, list
 * tasks, read a workflow's results, write price candles to OGHistorical (admin or oracle keys).
 */
import { decodeEventLog, type Address, type Hex, type PublicClient } from 'viem'
import { OG_HISTORICAL_ADDRESS, WORKFLOW_SCHEDULER_ADDRESS } from '../params.js'
import { modelExecutorAbi, ogHistoricalAbi, workflowSchedulerAbi } from '../workflows/abi.js'
import { WorkflowArgumentError } from '../workflows/errors.js'
import type { WriteClients } from './transact.js'

export interface WorkflowTask {
  id: bigint
  owner: Address
  executor: Address
  endTime: bigint
  frequency: bigint
  nextRun: bigint
  createdAt: bigint
  runs: number
  failures: number
  active: boolean
  deposit: bigint
}

export interface RegisterWorkflowTaskParameters {
  executor: Address
  /** Unix seconds after which the task stops. */
  endTime: bigint
  /** Seconds between runs. */
  frequency: bigint
  /** Wei held by the scheduler to pay the runs (what is left is withdrawable after the end). */
  deposit: bigint
}

/**
 * Registers `executor` (an IModelExecutor) to be run every `frequency` seconds until `endTime`.
 *
 * @example
 * const { taskId } = await registerWorkflowTask(clients, { executor, endTime: now + 3600n, frequency: 60n, deposit: 10n ** 17n })
 */
export async function registerWorkflowTask(clients: WriteClients, params: RegisterWorkflowTaskParameters): Promise<{ taskId: bigint; hash: Hex }> {
  if (params.frequency <= 0n) throw new WorkflowArgumentError('the frequency must be at least one second', { frequency: params.frequency })
  const hash = await clients.walletClient.writeContract({
    address: WORKFLOW_SCHEDULER_ADDRESS,
    abi: workflowSchedulerAbi,
    functionName: 'registerTask',
    args: [params.executor, params.endTime, params.frequency],
    value: params.deposit,
    account: clients.walletClient.account!,
    chain: clients.walletClient.chain,
  })
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 })
  if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`)
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== WORKFLOW_SCHEDULER_ADDRESS.toLowerCase()) continue
    const event = decodeEventLog({ abi: workflowSchedulerAbi, topics: log.topics, data: log.data })
    if (event.eventName === 'TaskRegistered') return { taskId: event.args.taskId, hash }
  }
  throw new Error(`transaction ${hash} registered no task`)
}

/**
 * Every task WorkflowScheduler knows (or only the active ones), oldest first.
 *
 * @example
 * const active = await listWorkflowTasks(publicClient, { activeOnly: true })
 */
export async function listWorkflowTasks(publicClient: PublicClient, options: { activeOnly?: boolean } = {}): Promise<WorkflowTask[]> {
  const read = { address: WORKFLOW_SCHEDULER_ADDRESS, abi: workflowSchedulerAbi } as const
  const ids = options.activeOnly
    ? [...(await publicClient.readContract({ ...read, functionName: 'activeTasks' }))].sort((a, b) => (a < b ? -1 : 1))
    : Array.from({ length: Number(await publicClient.readContract({ ...read, functionName: 'taskCount' })) }, (_, i) => BigInt(i))
  return Promise.all(
    ids.map(async (id) => {
      const t = await publicClient.readContract({ ...read, functionName: 'getTask', args: [id] })
      return { id, owner: t.owner, executor: t.executor, endTime: t.endTime, frequency: t.frequency, nextRun: t.nextRun, createdAt: t.createdAt, runs: t.runs, failures: t.failures, active: t.active, deposit: t.deposit }
    }),
  )
}

/**
 * The last `n` results of a workflow keeping a history (`getLastInferenceResults`), oldest first.
 *
 * @example
 * const [latest] = (await getWorkflowResults(publicClient, workflow, 1)).map((o) => o.numbers[0].values)
 */
export async function getWorkflowResults(publicClient: PublicClient, executor: Address, n: number) {
  return publicClient.readContract({ address: executor, abi: modelExecutorAbi, functionName: 'getLastInferenceResults', args: [BigInt(n)] })
}

export interface CandleInput {
  timestamp: bigint
  open: bigint
  high: bigint
  low: bigint
  close: bigint
  volume: bigint
}

/**
 * Appends candles (fixed point, 8 decimals) to an OGHistorical feed; the key must be its admin or an oracle.
 *
 * @example
 * await pushCandles(clients, { base: 'ETH', quote: 'USD', durationMins: 60, candles })
 */
export async function pushCandles(clients: WriteClients, params: { base: string; quote: string; durationMins: number; candles: CandleInput[] }): Promise<Hex> {
  const hash = await clients.walletClient.writeContract({
    address: OG_HISTORICAL_ADDRESS,
    abi: ogHistoricalAbi,
    functionName: 'pushCandles',
    args: [params.base, params.quote, params.durationMins, params.candles],
    account: clients.walletClient.account!,
    chain: clients.walletClient.chain,
  })
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 })
  if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`)
  return hash
}
