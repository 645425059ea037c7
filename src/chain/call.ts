/**
 * Message calls that never change state (eth_call, eth_estimateGas, reads of system contracts).
 * The caller runs them inside `Chain.withStateAt` or `Chain.withCallVm`, which roll every change back.
 */
import type { Block } from '@ethereumjs/block'
import { bytesToUnprefixedHex, createAddressFromString, hexToBytes, type Address as EthAddress } from '@ethereumjs/util'
import type { VM } from '@ethereumjs/vm'
import type { Common } from '@ethereumjs/common'
import type { CallRequest, CallResult } from '../rpc/types.js'
import { INITCODE_WORD_GAS, TX_BASE_GAS, TX_CREATION_GAS, TX_DATA_NONZERO_GAS, TX_DATA_ZERO_GAS, TX_FLOOR_GAS_PER_TOKEN, TX_GAS_LIMIT_CAP } from '../params.js'

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000'

/** Gas given to calls that do not say how much (the per-transaction cap of the hardfork). */
export function defaultCallGas(_common?: Common): bigint {
  return TX_GAS_LIMIT_CAP
}

export async function runMessageCall(vm: VM, env: Block, request: CallRequest, gasLimit: bigint): Promise<CallResult> {
  const data = request.data ? calldata(request.data) : new Uint8Array()
  const intrinsic = intrinsicGas(request, data)
  const floor = calldataFloorGas(data)
  // A transaction with less gas than the EIP-7623 floor is invalid: so is the call (estimates search past it).
  if (gasLimit < floor) return { returnValue: new Uint8Array(), gasUsed: floor, error: { message: `intrinsic gas too low: the calldata floor is ${floor}` } }
  const executionGas = gasLimit > intrinsic ? gasLimit - intrinsic : 0n
  const caller = createAddressFromString(request.from ?? ZERO_ADDRESS)
  const to = request.to ? createAddressFromString(request.to) : undefined
  await warmLikeATransaction(vm, caller, to, env)
  const result = await vm.evm.runCall({
    caller,
    to,
    data,
    value: request.value ?? 0n,
    gasLimit: executionGas,
    gasPrice: request.gasPrice ?? request.maxFeePerGas ?? 0n,
    block: env,
    skipBalance: true,
  })
  const exec = result.execResult
  // What the transaction would be charged: execution, or the calldata floor when that is higher.
  const gasUsed = maxBigInt(intrinsic + exec.executionGasUsed, floor)
  if (exec.exceptionError === undefined) return { returnValue: exec.returnValue, gasUsed }
  const reverted = exec.exceptionError.error === 'revert'
  return {
    returnValue: exec.returnValue,
    gasUsed,
    error: { message: reverted ? 'execution reverted' : exec.exceptionError.error, revertData: reverted ? exec.returnValue : undefined },
  }
}

/**
 * Starts from a clean EIP-2929 access set warmed exactly as `runTx` warms it (precompiles, sender,
 * recipient, coinbase). Without this, slots warmed by an earlier call would make the next one
 * cheaper — and gas estimates too low.
 */
async function warmLikeATransaction(vm: VM, caller: EthAddress, to: EthAddress | undefined, env: Block): Promise<void> {
  const journal = vm.evm.journal
  await journal.cleanup()
  for (const address of (vm.evm as unknown as { precompiles: Map<string, unknown> }).precompiles.keys()) journal.addAlwaysWarmAddress(address)
  journal.addAlwaysWarmAddress(caller.toString())
  if (to) journal.addAlwaysWarmAddress(bytesToUnprefixedHex(to.bytes))
  journal.addAlwaysWarmAddress(bytesToUnprefixedHex(env.header.coinbase.bytes))
}

/**
 * Hex calldata to bytes with Node's decoder (ethereumjs's `hexToBytes` checks every character with
 * a regular expression first: ~30 µs for the kilobyte of an inference request). Input Node stops
 * decoding early on (odd length, a bad digit) goes to `hexToBytes`, which throws as before.
 */
function calldata(hex: string): Uint8Array {
  const decoded = Buffer.from(hex.slice(2), 'hex')
  return decoded.length * 2 === hex.length - 2 && hex.startsWith('0x') ? new Uint8Array(decoded) : hexToBytes(hex as `0x${string}`)
}

/** Zero bytes of `data` (an indexed loop: the iterator costs ~3× as much on a kilobyte of calldata). */
function zeroBytes(data: Uint8Array): number {
  let zeros = 0
  for (let i = 0; i < data.length; i++) if (data[i] === 0) zeros++
  return zeros
}

/** EIP-7623's minimum charge for a transaction carrying `data`. */
function calldataFloorGas(data: Uint8Array): bigint {
  const zeros = zeroBytes(data)
  const tokens = BigInt(zeros) + 4n * BigInt(data.length - zeros)
  return TX_BASE_GAS + TX_FLOOR_GAS_PER_TOKEN * tokens
}

const maxBigInt = (a: bigint, b: bigint): bigint => (a > b ? a : b)

/** What a transaction of this shape pays before execution (base, calldata, creation), as runTx charges it. */
function intrinsicGas(request: CallRequest, data: Uint8Array): bigint {
  const zeros = zeroBytes(data)
  let gas = TX_BASE_GAS + TX_DATA_ZERO_GAS * BigInt(zeros) + TX_DATA_NONZERO_GAS * BigInt(data.length - zeros)
  if (request.to === undefined) gas += TX_CREATION_GAS + INITCODE_WORD_GAS * BigInt(Math.ceil(data.length / 32))
  return gas
}
