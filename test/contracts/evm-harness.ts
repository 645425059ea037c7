/**
 * A bare ethereumjs VM for contract tests: system contracts placed like genesis does, funded dev
 * accounts, signed EIP-1559 transactions and read-only calls, decoded through viem ABIs.
 */
import { createBlock, type Block } from '@ethereumjs/block'
import { createCustomCommon, Mainnet, type Common } from '@ethereumjs/common'
import type { CustomPrecompile } from '@ethereumjs/evm'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { createAccount, createAddressFromPrivateKey, createAddressFromString, hexToBytes } from '@ethereumjs/util'
import { createVM, runTx, type VM } from '@ethereumjs/vm'
import {
  bytesToHex,
  decodeErrorResult,
  decodeFunctionResult,
  encodeFunctionData,
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionReturnType,
  type Hex,
} from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { BLOCK_GAS_LIMIT, DEFAULT_CHAIN_ID, GENESIS_BASE_FEE, HARDFORK } from '../../src/params.js'
import type { CompiledContracts } from '../../src/contracts/compile.js'
import { systemContractGenesis } from '../../src/contracts/system.js'

/** Osaka caps a transaction's gas at 2^24 (EIP-7825). */
const TX_GAS_LIMIT = 16_777_216n

/** Hardhat/Anvil dev keys 0 and 1. */
export const ALICE_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
export const BOB_KEY: Hex = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
export const ALICE = privateKeyToAddress(ALICE_KEY)
export const BOB = privateKeyToAddress(BOB_KEY)

export interface Harness {
  vm: VM
  common: Common
  block: Block
}

/** A VM under the chain's hardfork with the system contracts at their genesis addresses. */
export async function createHarness(
  compiled: CompiledContracts,
  customPrecompiles: CustomPrecompile[] = [],
): Promise<Harness> {
  const common = createCustomCommon({ chainId: DEFAULT_CHAIN_ID }, Mainnet, { hardfork: HARDFORK })
  const vm = await createVM({ common, evmOpts: { customPrecompiles } })
  for (const { address, code } of systemContractGenesis(compiled)) {
    await vm.stateManager.putCode(createAddressFromString(address), hexToBytes(code))
  }
  for (const key of [ALICE_KEY, BOB_KEY]) {
    const account = createAccount({ balance: 10n ** 24n, nonce: 0n })
    await vm.stateManager.putAccount(createAddressFromPrivateKey(hexToBytes(key)), account)
  }
  const block = createBlock(
    { header: { number: 1n, gasLimit: BLOCK_GAS_LIMIT, baseFeePerGas: GENESIS_BASE_FEE, timestamp: 1n } },
    { common },
  )
  return { vm, common, block }
}

export interface TxOutcome {
  status: 'success' | 'reverted'
  returnData: Hex
  createdAddress?: Address
  gasUsed: bigint
  logs: { address: Address; topics: Hex[]; data: Hex }[]
}

/** Signs and runs one transaction from `key`; `to` undefined deploys `data`. */
export async function sendTx(h: Harness, key: Hex, to: Address | undefined, data: Hex, value = 0n): Promise<TxOutcome> {
  const from = createAddressFromPrivateKey(hexToBytes(key))
  const nonce = (await h.vm.stateManager.getAccount(from))?.nonce ?? 0n
  const tx = createFeeMarket1559Tx(
    { to, data, value, nonce, gasLimit: TX_GAS_LIMIT, maxFeePerGas: 2n * GENESIS_BASE_FEE, maxPriorityFeePerGas: 1n, chainId: BigInt(DEFAULT_CHAIN_ID) },
    { common: h.common },
  ).sign(hexToBytes(key))
  const result = await runTx(h.vm, { tx, block: h.block })
  const exec = result.execResult
  return {
    status: exec.exceptionError ? 'reverted' : 'success',
    returnData: bytesToHex(exec.returnValue),
    createdAddress: result.createdAddress?.toString() as Address | undefined,
    gasUsed: result.totalGasSpent,
    logs: (exec.logs ?? []).map(([address, topics, data]) => ({
      address: bytesToHex(address) as Address,
      topics: topics.map((t) => bytesToHex(t)),
      data: bytesToHex(data),
    })),
  }
}

/** Deploys creation code from Alice and returns the new address. */
export async function deploy(h: Harness, bytecode: Hex): Promise<Address> {
  const outcome = await sendTx(h, ALICE_KEY, undefined, bytecode)
  if (outcome.status !== 'success' || !outcome.createdAddress) throw new Error(`deploy failed: ${outcome.returnData}`)
  return outcome.createdAddress
}

/** Sends a contract call as a transaction; throws with the decoded revert if it reverts. */
export async function write<const abi extends Abi, name extends ContractFunctionName<abi, 'nonpayable'>>(
  h: Harness,
  key: Hex,
  to: Address,
  abi: abi,
  functionName: name,
  args: ContractFunctionArgs<abi, 'nonpayable', name>,
): Promise<TxOutcome> {
  const data = encodeFunctionData({ abi, functionName, args } as never)
  const outcome = await sendTx(h, key, to, data)
  if (outcome.status !== 'success') throw revertError(abi, outcome.returnData)
  return outcome
}

/** A read-only call (state changes discarded); throws with the decoded revert if it reverts. */
export async function read<const abi extends Abi, name extends ContractFunctionName<abi, 'view' | 'pure'>>(
  h: Harness,
  to: Address,
  abi: abi,
  functionName: name,
  args: ContractFunctionArgs<abi, 'view' | 'pure', name>,
): Promise<ContractFunctionReturnType<abi, 'view' | 'pure', name>> {
  const data = encodeFunctionData({ abi, functionName, args } as never)
  await h.vm.stateManager.checkpoint()
  try {
    const result = await h.vm.evm.runCall({ to: createAddressFromString(to), data: hexToBytes(data), gasLimit: 30_000_000n })
    const returnData = bytesToHex(result.execResult.returnValue)
    if (result.execResult.exceptionError) throw revertError(abi, returnData)
    return decodeFunctionResult({ abi, functionName, data: returnData } as never) as never
  } finally {
    await h.vm.stateManager.revert()
  }
}

/** The revert decoded against `abi` ("ErrorName(args)"), as an Error whose message tests can match. */
export function revertError(abi: Abi, data: Hex): Error {
  if (data === '0x') return new Error('reverted without data')
  try {
    const decoded = decodeErrorResult({ abi, data })
    return new Error(`${decoded.errorName}(${(decoded.args ?? []).map(String).join(', ')})`)
  } catch (cause) {
    return new Error(`reverted with undecodable data ${data}`, { cause })
  }
}
