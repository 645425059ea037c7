/**
 * What genesis needs for workflows: the runner funded (it fronts each call's gas, which the task's
 * deposit refunds), WorkflowScheduler told who the runner is, OGHistorical given its admin.
 * Slots come from solc's storage layout, so they follow the contracts' sources.
 */
import { pad, toHex, type Address, type Hex } from 'viem'
import { getContract, type CompiledContracts } from '../contracts/compile.js'
import { OG_HISTORICAL_ADDRESS, WORKFLOW_RUNNER_GENESIS_BALANCE, WORKFLOW_SCHEDULER_ADDRESS } from '../params.js'
import { workflowRunner } from './runner.js'

export interface WorkflowGenesis {
  accounts: Array<{ address: Address; balance: bigint }>
  storage: Map<Address, Array<[slot: Hex, value: Hex]>>
}

/**
 * @example
 * const { accounts, storage } = workflowGenesis(compiled, chainId, devAccounts(1)[0].address)
 */
export function workflowGenesis(compiled: CompiledContracts, chainId: number, candleAdmin: Address): WorkflowGenesis {
  const runner = workflowRunner(chainId).address
  return {
    accounts: [{ address: runner, balance: WORKFLOW_RUNNER_GENESIS_BALANCE }],
    storage: new Map([
      [WORKFLOW_SCHEDULER_ADDRESS, [addressSlot(compiled, 'WorkflowScheduler', '_runner', runner)]],
      [OG_HISTORICAL_ADDRESS, [addressSlot(compiled, 'OGHistorical', '_admin', candleAdmin)]],
    ]),
  }
}

function addressSlot(compiled: CompiledContracts, contract: string, label: string, value: Address): [Hex, Hex] {
  const entry = getContract(compiled, contract).storageLayout.storage.find((s) => s.label === label)
  if (entry === undefined || entry.offset !== 0) throw new Error(`${contract} has no ${label} in a slot of its own`)
  return [pad(toHex(BigInt(entry.slot)), { size: 32 }), pad(value.toLowerCase() as Hex, { size: 32 })]
}
