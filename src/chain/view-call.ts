/**
 * Reading a contract's view function from inside the node (no JSON-RPC round trip): a message call
 * on the head state, rolled back, decoded with viem.
 */
import { bytesToHex } from '@ethereumjs/util'
import { decodeFunctionResult, encodeFunctionData, type Abi, type Address, type ContractFunctionArgs, type ContractFunctionName, type ContractFunctionReturnType, type Hex } from 'viem'
import { defaultCallGas, runMessageCall } from './call.js'
import type { Chain } from './chain.js'
import { InferchainError } from '../errors.js'

export class ViewCallError extends InferchainError {
  override readonly name = 'ViewCallError' as const
  constructor(functionName: string, reason: string) {
    super('VIEW_CALL_FAILED', `${functionName} failed: ${reason}`)
  }
}

/**
 * @example
 * const count = await viewCall(chain, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'modelCount', [])
 */
export async function viewCall<const abi extends Abi, name extends ContractFunctionName<abi, 'view' | 'pure'>, const args extends ContractFunctionArgs<abi, 'view' | 'pure', name>>(
  chain: Chain,
  address: Address,
  abi: abi,
  functionName: name,
  args: args,
): Promise<ContractFunctionReturnType<abi, 'view' | 'pure', name, args>> {
  const data = encodeFunctionData({ abi, functionName, args } as never) as Hex
  const result = await chain.exclusive(() =>
    chain.withStateAt(chain.head.header.number, (vm) => runMessageCall(vm, chain.nextBlockEnv(), { to: address, data }, defaultCallGas())),
  )
  if (result.error) throw new ViewCallError(functionName, String(result.error))
  return decodeFunctionResult({ abi, functionName, data: bytesToHex(result.returnValue) as Hex } as never) as ContractFunctionReturnType<abi, 'view' | 'pure', name, args>
}
