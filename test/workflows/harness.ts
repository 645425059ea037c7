/** A bare VM with the workflow system contracts placed as the dev genesis places them. */
import { createBlock } from '@ethereumjs/block'
import { createAccount, createAddressFromString, hexToBytes } from '@ethereumjs/util'
import { decodeEventLog, encodeFunctionData, type Abi, type Address, type ContractFunctionArgs, type ContractFunctionName, type Hex } from 'viem'
import type { CustomPrecompile } from '@ethereumjs/evm'
import type { CompiledContracts } from '../../src/contracts/compile.js'
import { BLOCK_GAS_LIMIT, DEFAULT_CHAIN_ID, GENESIS_BASE_FEE } from '../../src/params.js'
import { workflowGenesis } from '../../src/workflows/genesis.js'
import { workflowRunner } from '../../src/workflows/runner.js'
import { ALICE, createHarness, revertError, sendTx, type Harness, type TxOutcome } from '../contracts/evm-harness.js'

export const RUNNER = workflowRunner(DEFAULT_CHAIN_ID)

export async function workflowHarness(compiled: CompiledContracts, precompiles: CustomPrecompile[] = []): Promise<Harness> {
  const h = await createHarness(compiled, precompiles)
  const genesis = workflowGenesis(compiled, DEFAULT_CHAIN_ID, ALICE)
  for (const [address, slots] of genesis.storage) {
    for (const [slot, value] of slots) await h.vm.stateManager.putStorage(createAddressFromString(address), hexToBytes(slot), hexToBytes(value))
  }
  for (const { address, balance } of genesis.accounts) await h.vm.stateManager.putAccount(createAddressFromString(address), createAccount({ balance, nonce: 0n }))
  return h
}

/** Moves the harness to block `number` at `timestamp` (the base fee stays GENESIS_BASE_FEE). */
export function atTime(h: Harness, timestamp: bigint, number = timestamp): void {
  h.block = createBlock({ header: { number, gasLimit: BLOCK_GAS_LIMIT, baseFeePerGas: GENESIS_BASE_FEE, timestamp } }, { common: h.common })
}

/** A transaction to a contract function, payable or not; throws the decoded revert. */
export async function call<const abi extends Abi, name extends ContractFunctionName<abi, 'nonpayable' | 'payable'>>(
  h: Harness,
  key: Hex,
  to: Address,
  abi: abi,
  functionName: name,
  args: ContractFunctionArgs<abi, 'nonpayable' | 'payable', name>,
  value = 0n,
): Promise<TxOutcome> {
  const outcome = await sendTx(h, key, to, encodeFunctionData({ abi, functionName, args } as never), value)
  if (outcome.status !== 'success') throw revertError(abi, outcome.returnData)
  return outcome
}

/** The events of `abi` among a transaction's logs, by name. */
export function eventsOf<const abi extends Abi>(abi: abi, outcome: TxOutcome): Array<{ eventName: string; args: Record<string, unknown> }> {
  const events: Array<{ eventName: string; args: Record<string, unknown> }> = []
  for (const log of outcome.logs) {
    try {
      const event = decodeEventLog({ abi, topics: log.topics as [Hex], data: log.data })
      events.push({ eventName: event.eventName as string, args: (event.args ?? {}) as Record<string, unknown> })
    } catch {
      // another contract's event
    }
  }
  return events
}
