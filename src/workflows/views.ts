/** Reads of WorkflowScheduler from inside the node (no JSON-RPC round trip). */
import type { Chain } from '../chain/chain.js'
import { viewCall } from '../chain/view-call.js'
import { WORKFLOW_SCHEDULER_ADDRESS } from '../params.js'
import { workflowSchedulerAbi } from './abi.js'
import { activeTaskCount } from './schedule.js'

const NONE = 2n ** 64n - 1n

/** The earliest nextRun among tasks funded at the next block's base fee; undefined if none. */
export async function nextDueTime(chain: Chain): Promise<bigint | undefined> {
  const active = await chain.exclusive(() => chain.readStateAt(chain.head.header.number, (vm) => activeTaskCount(vm)))
  if (active === 0n) return undefined
  const baseFee = chain.nextBlockEnv().header.baseFeePerGas ?? 0n
  const earliest = await viewCall(chain, WORKFLOW_SCHEDULER_ADDRESS, workflowSchedulerAbi, 'nextDueTime', [baseFee])
  return earliest === NONE ? undefined : earliest
}
