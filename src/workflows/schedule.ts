/**
 * The scheduled calls of a block: a pure function of the parent block's state and header, so the
 * producer (which adds them) and every importer (which checks them) derive the same list.
 *
 * Due means `nextRun <= parent.timestamp`; the list is `WorkflowScheduler.dueTasks` (longest-waiting
 * first, funded at the block's base fee), cut to MAX_WORKFLOW_CALLS_PER_BLOCK and to what the runner
 * can front. Call i is `runTask(id_i)` from the runner with nonce `runnerNonce + i`, gas
 * WORKFLOW_CALL_GAS_LIMIT, max fee = the block's base fee, no tip, no value.
 */
import type { Block } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { createFeeMarket1559Tx, type FeeMarket1559Tx } from '@ethereumjs/tx'
import { bytesToBigInt, createAddressFromString, hexToBytes, setLengthLeft } from '@ethereumjs/util'
import type { VM } from '@ethereumjs/vm'
import { bytesToHex, decodeFunctionResult, encodeFunctionData, type Hex } from 'viem'
import { defaultCallGas, runMessageCall } from '../chain/call.js'
import { MAX_WORKFLOW_CALLS_PER_BLOCK, WORKFLOW_CALL_GAS_LIMIT, WORKFLOW_SCHEDULER_ADDRESS } from '../params.js'
import { workflowSchedulerAbi } from './abi.js'
import { workflowRunner } from './runner.js'

/** Storage slot of `WorkflowScheduler._active` (its length): pinned by test/workflows/scheduler.test.ts. */
export const ACTIVE_TASKS_SLOT = 2n

export interface ScheduledCall {
  taskId: bigint
  tx: FeeMarket1559Tx
}

const scheduler = createAddressFromString(WORKFLOW_SCHEDULER_ADDRESS)

/**
 * The calls that must open the block after `parent`, read from `vm` (whose state must be the
 * parent's; changes are rolled back). `env` is the new block's context (its base fee matters).
 */
export async function scheduledCalls(vm: VM, common: Common, parent: Block, env: Block): Promise<ScheduledCall[]> {
  const state = vm.stateManager
  // Most blocks of most chains have no task at all: one storage read, no EVM call.
  if ((await activeTaskCount(vm)) === 0n) return []
  const runner = workflowRunner(common.chainId())
  const account = await state.getAccount(createAddressFromString(runner.address))
  const baseFee = env.header.baseFeePerGas ?? 0n
  const upfront = WORKFLOW_CALL_GAS_LIMIT * baseFee
  const affordable = upfront === 0n ? BigInt(MAX_WORKFLOW_CALLS_PER_BLOCK) : (account?.balance ?? 0n) / upfront
  const max = affordable < BigInt(MAX_WORKFLOW_CALLS_PER_BLOCK) ? affordable : BigInt(MAX_WORKFLOW_CALLS_PER_BLOCK)
  if (max === 0n) return []
  const ids = await dueTasks(vm, env, parent.header.timestamp, baseFee, max)
  const nonce = account?.nonce ?? 0n
  return ids.map((taskId, i) => ({
    taskId,
    tx: createFeeMarket1559Tx(
      {
        nonce: nonce + BigInt(i),
        to: WORKFLOW_SCHEDULER_ADDRESS,
        data: encodeFunctionData({ abi: workflowSchedulerAbi, functionName: 'runTask', args: [taskId] }),
        value: 0n,
        gasLimit: WORKFLOW_CALL_GAS_LIMIT,
        maxFeePerGas: baseFee,
        maxPriorityFeePerGas: 0n,
        chainId: common.chainId(),
      },
      { common },
    ).sign(hexToBytes(runner.privateKey)),
  }))
}

/** How many tasks are active (the length of `_active`), read straight from storage. */
export async function activeTaskCount(vm: VM): Promise<bigint> {
  const value = await vm.stateManager.getStorage(scheduler, setLengthLeft(hexToBytes(`0x${ACTIVE_TASKS_SLOT.toString(16).padStart(2, '0')}`), 32))
  return value.length === 0 ? 0n : bytesToBigInt(value)
}

async function dueTasks(vm: VM, env: Block, atTime: bigint, baseFee: bigint, max: bigint): Promise<readonly bigint[]> {
  const data = encodeFunctionData({ abi: workflowSchedulerAbi, functionName: 'dueTasks', args: [atTime, baseFee, max] })
  await vm.stateManager.checkpoint()
  try {
    const result = await runMessageCall(vm, env, { to: WORKFLOW_SCHEDULER_ADDRESS, data }, defaultCallGas())
    // Cannot happen with the genesis code (a bounded view); if it did, every node would see the same: no calls.
    if (result.error) return []
    return decodeFunctionResult({ abi: workflowSchedulerAbi, functionName: 'dueTasks', data: bytesToHex(result.returnValue) as Hex })
  } finally {
    await vm.stateManager.revert()
  }
}
