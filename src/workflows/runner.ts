/**
 * The workflow runner: the account that sends the scheduled `runTask` transactions. Its key is a
 * function of the chain id alone, so every node derives it from chain configuration — it is public
 * on purpose: importers accept the runner's transactions only as the exact list of due calls
 * (`scheduledCallsProblem`), and the producer refuses anything else signed with it.
 */
import { encodePacked, keccak256, type Address, type Hex } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { WORKFLOW_RUNNER_SEED } from '../params.js'

export interface WorkflowRunner {
  address: Address
  privateKey: Hex
}

const runners = new Map<bigint, WorkflowRunner>()

/**
 * @example
 * const { address } = workflowRunner(424242n)
 */
export function workflowRunner(chainId: bigint | number): WorkflowRunner {
  const id = BigInt(chainId)
  let runner = runners.get(id)
  if (runner === undefined) {
    const privateKey = keccak256(encodePacked(['string', 'uint256'], [WORKFLOW_RUNNER_SEED, id]))
    runner = { address: privateKeyToAddress(privateKey), privateKey }
    runners.set(id, runner)
  }
  return runner
}
