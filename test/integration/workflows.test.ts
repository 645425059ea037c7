/**
 * Scheduled workflows on a real devnet (processes on loopback): a PriceForecastWorkflow fed by
 * OGHistorical candles is registered with `inferchain workflow register`, runs every 2 s until its
 * end, its results are read with `inferchain workflow results`, and a follower that imported the
 * blocks — recomputing each block's due calls — has the producer's head and state root without
 * running a model.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import type { Address, Hex } from 'viem'
import { compileContracts, getContract } from '../../src/contracts/compile.js'
import { OG_HISTORICAL_ADDRESS, WORKFLOW_SCHEDULER_ADDRESS } from '../../src/params.js'
import { pushCandles } from '../../src/sdk/workflows.js'
import { CLI, devnetClients, rpc, startDevnet, until } from './processes.js'

const run = promisify(execFile)
const cleanups: Array<() => Promise<void> | void> = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})

interface Status { head: Hex; headHash: Hex; stateRoot: Hex; inferencesDispatched: number; lastRejection?: string }
interface TaskJson { id: string; active: boolean; runs: number; failures: number; createdAt: string; endTime: string; frequency: string }

async function inferchain<T>(args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, [CLI, ...args], { timeout: 60_000 })
  return JSON.parse(stdout) as T
}

describe('workflows on a devnet with a follower', () => {
  it('a registered workflow runs on schedule, its results are readable, and the follower reaches the same state root', async () => {
    const devnet = await startDevnet(['--followers', '1', '--no-llm'])
    cleanups.push(devnet.stop)
    const { info } = devnet
    const { chain, account, publicClient, walletClient } = devnetClients(info, 0)
    const candles = Array.from({ length: 16 }, (_, i) => ({ timestamp: BigInt(1_700_000_000 + 3600 * i), open: 0n, high: 0n, low: 0n, close: BigInt(2_000 + 7 * i) * 10n ** 8n, volume: 0n }))
    await pushCandles({ publicClient, walletClient }, { base: 'ETH', quote: 'USD', durationMins: 60, candles })
    const { abi, bytecode } = getContract(await compileContracts(), 'PriceForecastWorkflow')
    const deployed = await walletClient.deployContract({ abi, bytecode, args: [WORKFLOW_SCHEDULER_ADDRESS, OG_HISTORICAL_ADDRESS, info.demoModel.cid, 'ETH', 'USD', 60], account, chain })
    const workflow = (await publicClient.waitForTransactionReceipt({ hash: deployed })).contractAddress as Address

    const registered = await inferchain<{ taskId: string }>(['workflow', 'register', workflow, '--frequency', '2', '--duration', '6', '--deposit', '0.05', '--json', '--rpc-url', info.rpcUrl])
    let tasks: TaskJson[] = []
    await until(async () => {
      tasks = await inferchain<TaskJson[]>(['workflow', 'list', '--json', '--rpc-url', info.rpcUrl])
      return tasks.length === 1 && !tasks[0]!.active
    }, 60_000)
    const task = tasks[0]!
    expect(task.id).toBe(registered.taskId)
    const expectedRuns = Math.floor((Number(task.endTime) - Number(task.createdAt)) / 2) + 1
    expect(task).toMatchObject({ runs: expectedRuns, failures: 0 })

    const results = await inferchain<Array<Array<{ name: string; shape: number[]; values: number[] }>>>(['workflow', 'results', workflow, '-n', '10', '--json', '--rpc-url', info.rpcUrl])
    expect(results).toHaveLength(expectedRuns)
    expect(results[0]![0]).toMatchObject({ name: 'output', shape: [1, 4] })
    // Same candles, same model: every forecast is the same.
    expect(new Set(results.map((r) => JSON.stringify(r[0]!.values))).size).toBe(1)

    const producer = await rpc<Status>(info.rpcUrl, 'inferchain_nodeStatus')
    await until(async () => (await rpc<Status>(info.followers[0]!, 'inferchain_nodeStatus')).head === producer.head)
    const follower = await rpc<Status>(info.followers[0]!, 'inferchain_nodeStatus')
    expect(follower).toMatchObject({ headHash: producer.headHash, stateRoot: producer.stateRoot, inferencesDispatched: 0 })
    expect(follower.lastRejection).toBeUndefined()
  }, 180_000)
})
