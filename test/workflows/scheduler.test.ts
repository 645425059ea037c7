/**
 * WorkflowScheduler and OGHistorical on a bare VM: registration rules, the due list the producer and
 * importers derive, runs by the runner only, the schedule grid (missed slots skipped, end time),
 * failing executors, deposits charged and refunded, out of funds, cancel and withdraw.
 */
import { encodeDeployData, toEventSelector, type Abi, type Address, type Hex } from 'viem'
import { formatAbiItem } from 'viem/utils'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createAddressFromString } from '@ethereumjs/util'
import { compileContracts, getContract, type CompiledContracts } from '../../src/contracts/compile.js'
import { GENESIS_BASE_FEE, MAX_WORKFLOW_CALLS_PER_BLOCK, OG_HISTORICAL_ADDRESS, WORKFLOW_CALL_GAS_LIMIT, WORKFLOW_SCHEDULER_ADDRESS } from '../../src/params.js'
import { CandleOrder, CandleType, ogHistoricalAbi, workflowSchedulerAbi } from '../../src/workflows/abi.js'
import { ACTIVE_TASKS_SLOT } from '../../src/workflows/schedule.js'
import { ALICE, ALICE_KEY, BOB, BOB_KEY, deploy, read, type Harness } from '../contracts/evm-harness.js'
import { RUNNER, atTime, call, eventsOf, workflowHarness } from './harness.js'

let compiled: CompiledContracts
let h: Harness
const MIN_DEPOSIT = WORKFLOW_CALL_GAS_LIMIT * GENESIS_BASE_FEE
const S = WORKFLOW_SCHEDULER_ADDRESS

beforeAll(async () => {
  compiled = await compileContracts()
}, 180_000)

beforeEach(async () => {
  h = await workflowHarness(compiled)
  atTime(h, 100n)
})

const sig = (abi: Abi) => abi.map((i) => formatAbiItem(i as never)).sort()

/** Any contract with code serves as an executor whose run() fails (a feed with no candles). */
async function failingExecutor(): Promise<Address> {
  const { abi, bytecode } = getContract(compiled, 'PriceForecastWorkflow')
  return deploy(h, encodeDeployData({ abi, bytecode, args: [S, OG_HISTORICAL_ADDRESS, 'model', 'ETH', 'USD', 60] }))
}

async function register(executor: Address, endTime: bigint, frequency: bigint, deposit = 10n ** 18n): Promise<bigint> {
  const before = await read(h, S, workflowSchedulerAbi, 'taskCount', [])
  await call(h, ALICE_KEY, S, workflowSchedulerAbi, 'registerTask', [executor, endTime, frequency], deposit)
  return before
}

const runTask = (id: bigint) => call(h, RUNNER.privateKey, S, workflowSchedulerAbi, 'runTask', [id])
const due = (at: bigint, max = 8n) => read(h, S, workflowSchedulerAbi, 'dueTasks', [at, GENESIS_BASE_FEE, max])
const balanceOf = async (a: Address) => (await h.vm.stateManager.getAccount(createAddressFromString(a)))?.balance ?? 0n

describe('WorkflowScheduler', () => {
  it('has the typed ABI, genesis runner, constants and storage slot the node relies on', async () => {
    expect(sig(workflowSchedulerAbi)).toEqual(sig(getContract(compiled, 'WorkflowScheduler').abi))
    expect(sig(ogHistoricalAbi)).toEqual(sig(getContract(compiled, 'OGHistorical').abi))
    expect(await read(h, S, workflowSchedulerAbi, 'runner', [])).toBe(RUNNER.address)
    expect(await read(h, OG_HISTORICAL_ADDRESS, ogHistoricalAbi, 'admin', [])).toBe(ALICE)
    expect(await read(h, S, workflowSchedulerAbi, 'CALL_GAS_LIMIT', [])).toBe(WORKFLOW_CALL_GAS_LIMIT)
    expect(BigInt(MAX_WORKFLOW_CALLS_PER_BLOCK) * WORKFLOW_CALL_GAS_LIMIT).toBeLessThan(30_000_000n)
    const active = getContract(compiled, 'WorkflowScheduler').storageLayout.storage.find((s) => s.label === '_active')!
    expect(BigInt(active.slot)).toBe(ACTIVE_TASKS_SLOT)
    expect(toEventSelector(workflowSchedulerAbi.find((i) => i.type === 'event' && i.name === 'TaskFailed') as never)).toMatch(/^0x/)
  })

  it('refuses executors without code, empty schedules and deposits below one run', async () => {
    const executor = await failingExecutor()
    await expect(call(h, ALICE_KEY, S, workflowSchedulerAbi, 'registerTask', [BOB, 200n, 10n], MIN_DEPOSIT)).rejects.toThrow(`NotAContract(${BOB})`)
    await expect(call(h, ALICE_KEY, S, workflowSchedulerAbi, 'registerTask', [executor, 200n, 0n], MIN_DEPOSIT)).rejects.toThrow('InvalidSchedule(200, 0)')
    await expect(call(h, ALICE_KEY, S, workflowSchedulerAbi, 'registerTask', [executor, 100n, 10n], MIN_DEPOSIT)).rejects.toThrow('InvalidSchedule(100, 10)')
    await expect(call(h, ALICE_KEY, S, workflowSchedulerAbi, 'registerTask', [executor, 200n, 10n], MIN_DEPOSIT - 1n)).rejects.toThrow(`InsufficientDeposit(${MIN_DEPOSIT - 1n}, ${MIN_DEPOSIT})`)
  })

  it('runs on its grid from registration to the end time, only by the runner, then refunds the rest', async () => {
    const executor = await failingExecutor()
    const id = await register(executor, 150n, 10n)
    expect(await due(100n)).toEqual([id])
    expect(await due(99n)).toEqual([])
    atTime(h, 101n)
    await expect(call(h, BOB_KEY, S, workflowSchedulerAbi, 'runTask', [id])).rejects.toThrow(`NotRunner(${BOB})`)
    await runTask(id)
    expect((await read(h, S, workflowSchedulerAbi, 'getTask', [id])).nextRun).toBe(110n)
    expect(await due(109n)).toEqual([])
    await expect(runTask(id)).rejects.toThrow('TaskNotDue(0, 110)')
    // The chain stalled from 110 to 135: the missed slots are skipped, the grid kept.
    atTime(h, 135n)
    await runTask(id)
    expect((await read(h, S, workflowSchedulerAbi, 'getTask', [id])).nextRun).toBe(140n)
    atTime(h, 140n)
    await runTask(id)
    atTime(h, 150n)
    const last = await runTask(id)
    expect(eventsOf(workflowSchedulerAbi, last).map((e) => e.eventName)).toEqual(['TaskFailed', 'TaskFinished'])
    const task = await read(h, S, workflowSchedulerAbi, 'getTask', [id])
    expect(task).toMatchObject({ active: false, failures: 4, runs: 0, deposit: 0n })
    expect(await read(h, S, workflowSchedulerAbi, 'activeTasks', [])).toEqual([])
    const refund = await read(h, S, workflowSchedulerAbi, 'withdrawable', [ALICE])
    expect(refund).toBeGreaterThan(10n ** 18n - 4n * MIN_DEPOSIT)
    await call(h, ALICE_KEY, S, workflowSchedulerAbi, 'withdraw', [])
    expect(await read(h, S, workflowSchedulerAbi, 'withdrawable', [ALICE])).toBe(0n)
  })

  it('records a failing run with its reason and charges the deposit what the runner spent', async () => {
    const executor = await failingExecutor()
    const id = await register(executor, 1_000n, 10n)
    const runnerBefore = await balanceOf(RUNNER.address)
    atTime(h, 101n)
    const outcome = await runTask(id)
    const [failed] = eventsOf(workflowSchedulerAbi, outcome)
    expect(failed!.eventName).toBe('TaskFailed')
    // OGHistorical's UnknownFeed("ETH", "USD", 60), passed through as the reason.
    expect(failed!.args.reason as Hex).toMatch(/^0x/)
    expect((failed!.args.reason as Hex).length).toBeGreaterThan(10)
    const charged = failed!.args.charged as bigint
    const task = await read(h, S, workflowSchedulerAbi, 'getTask', [id])
    expect(task.deposit).toBe(10n ** 18n - charged)
    // The refund covers the runner's gas to within the fixed overhead's error (a few thousand gas).
    const drift = (await balanceOf(RUNNER.address)) - runnerBefore
    expect(drift < 0n ? -drift : drift).toBeLessThan(15_000n * (GENESIS_BASE_FEE + 1n))
    expect(charged).toBe(outcome.gasUsed * (GENESIS_BASE_FEE + 1n) + drift)
  })

  it('lists due tasks longest-waiting first, funded only, at most max; out of funds until topped up', async () => {
    const executor = await failingExecutor()
    const a = await register(executor, 1_000n, 50n) // nextRun 100
    atTime(h, 103n)
    const b = await register(executor, 1_000n, 50n) // nextRun 103
    atTime(h, 102n)
    const c = await register(executor, 1_000n, 50n, MIN_DEPOSIT) // nextRun 102, one run's deposit
    expect(await due(110n)).toEqual([a, c, b])
    expect(await due(110n, 2n)).toEqual([a, c])
    atTime(h, 110n)
    const outcome = await runTask(c)
    expect(eventsOf(workflowSchedulerAbi, outcome).map((e) => e.eventName)).toEqual(['TaskFailed', 'TaskOutOfFunds'])
    expect(await due(500n)).toEqual([a, b])
    await call(h, BOB_KEY, S, workflowSchedulerAbi, 'topUp', [c], MIN_DEPOSIT)
    expect(await due(500n)).toEqual([a, b, c])
    await expect(call(h, BOB_KEY, S, workflowSchedulerAbi, 'cancelTask', [c])).rejects.toThrow(`NotTaskOwner(${c}, ${BOB})`)
    await call(h, ALICE_KEY, S, workflowSchedulerAbi, 'cancelTask', [c])
    expect(await due(500n)).toEqual([a, b])
    await expect(runTask(c)).rejects.toThrow(`TaskNotActive(${c})`)
  })
})

describe('OGHistorical', () => {
  const candle = (t: bigint, close: bigint) => ({ timestamp: t, open: close - 1n, high: close + 2n, low: close - 2n, close, volume: 7n })
  const query = (total: number, order: number, types: number[]) => ({ base: 'ETH', quote: 'USD', total_candles: total, candle_duration_in_mins: 60, order, candle_types: types })

  it('takes candles from the admin and its oracles only, in time order, and serves them as model input', async () => {
    const H = OG_HISTORICAL_ADDRESS
    await expect(call(h, BOB_KEY, H, ogHistoricalAbi, 'pushCandles', ['ETH', 'USD', 60, [candle(1n, 10n)]])).rejects.toThrow(`NotOracle(${BOB})`)
    await expect(call(h, BOB_KEY, H, ogHistoricalAbi, 'setOracle', [BOB, true])).rejects.toThrow(`NotAdmin(${BOB})`)
    await call(h, ALICE_KEY, H, ogHistoricalAbi, 'setOracle', [BOB, true])
    await call(h, BOB_KEY, H, ogHistoricalAbi, 'pushCandles', ['ETH', 'USD', 60, [candle(1n, 10n), candle(2n, 20n)]])
    await call(h, ALICE_KEY, H, ogHistoricalAbi, 'pushCandles', ['ETH', 'USD', 60, [candle(3n, 30n)]])
    await expect(call(h, ALICE_KEY, H, ogHistoricalAbi, 'pushCandles', ['ETH', 'USD', 60, [candle(3n, 31n)]])).rejects.toThrow('TimestampNotIncreasing(3, 3)')
    expect(await read(h, H, ogHistoricalAbi, 'candleCount', ['ETH', 'USD', 60])).toBe(3n)
    const desc = await read(h, H, ogHistoricalAbi, 'getCandles', [query(2, CandleOrder.Descending, [])])
    expect(desc.map((c) => c.close)).toEqual([30n, 20n])
    const [values, decimals] = await read(h, H, ogHistoricalAbi, 'queryValues', [query(2, CandleOrder.Ascending, [CandleType.Close, CandleType.High])])
    expect(values).toEqual([20n, 22n, 30n, 32n])
    expect(decimals).toBe(8n)
    await expect(read(h, H, ogHistoricalAbi, 'queryValues', [query(4, CandleOrder.Ascending, [CandleType.Close])])).rejects.toThrow('NotEnoughCandles(3, 4)')
    await expect(read(h, H, ogHistoricalAbi, 'getCandles', [{ ...query(1, 0, []), quote: 'EUR' }])).rejects.toThrow('UnknownFeed(ETH, EUR, 60)')
  })
})
