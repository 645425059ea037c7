/**
 * The chain as record verifiers see it: NodeRegistry read at the head — which, when a block is
 * imported or produced next, is its parent — plus the chain's configuration (chain id, pinned TEE
 * roots). The importer and the dispatcher build their contexts here, so a producer uses a result only
 * when importers will accept it, and neither knows what the verifiers of each mode ask.
 *
 * Reads are memoised per context: a block's records mostly come from a few nodes and models.
 */
import { decodeFunctionResult, encodeFunctionData, type Hex } from 'viem'
import { nodeRegistryAbi } from '../contracts/system.js'
import { NODE_REGISTRY_ADDRESS } from '../params.js'
import type { VerificationContext } from '../verify/types.js'
import { defaultCallGas, runMessageCall } from './call.js'
import type { Chain } from './chain.js'

type RegistryView = 'isServing' | 'isTeeMeasurementAllowed' | 'enclaveKeyOf'

export interface ContextOptions {
  /** Number and timestamp of the block being verified (or about to be produced). */
  blockNumber: bigint
  blockTimestamp: bigint
  /**
   * True when the caller already holds `chain.exclusive` (the importer); otherwise each read takes
   * it (the dispatcher, which runs between simulations).
   */
  insideExclusive: boolean
}

/**
 * A verification context whose registry reads see the state after the current head.
 *
 * @example
 * const context = verificationContextAtHead(chain, { blockNumber: block.header.number, blockTimestamp: block.header.timestamp, insideExclusive: true })
 */
export function verificationContextAtHead(chain: Chain, options: ContextOptions): VerificationContext {
  const head = chain.head.header.number
  const memo = new Map<string, Promise<unknown>>()
  const read = <T>(functionName: RegistryView, args: readonly unknown[], fallback: T): Promise<T> => {
    const key = `${functionName}:${args.join(',').toLowerCase()}`
    let pending = memo.get(key) as Promise<T> | undefined
    if (pending === undefined) {
      const run = () => readRegistry(chain, head, functionName, args, fallback)
      pending = options.insideExclusive ? run() : chain.exclusive(run)
      memo.set(key, pending)
    }
    return pending
  }
  return {
    blockNumber: options.blockNumber,
    blockTimestamp: options.blockTimestamp,
    chainId: chain.chainId,
    isServing: (node, cid) => read('isServing', [node, cid], false),
    tee: {
      trustedRoots: chain.teeTrustedRoots,
      isMeasurementAllowed: (measurement) => read('isTeeMeasurementAllowed', [measurement], false),
      enclaveKeyOf: async (node) => {
        const key = await read<Hex>('enclaveKeyOf', [node], '0x')
        return key === '0x' ? undefined : key
      },
    },
  }
}

/** One view call on NodeRegistry at block `at`; a failed call reads as `fallback` (the safe answer). */
async function readRegistry<T>(chain: Chain, at: bigint, functionName: RegistryView, args: readonly unknown[], fallback: T): Promise<T> {
  const data = encodeFunctionData({ abi: nodeRegistryAbi, functionName, args } as never)
  // A message call touches state (the caller's account): withStateAt rolls it back.
  const result = await chain.withStateAt(at, (vm) => runMessageCall(vm, chain.nextBlockEnv(), { to: NODE_REGISTRY_ADDRESS, data }, defaultCallGas()))
  if (result.error) return fallback
  return decodeFunctionResult({ abi: nodeRegistryAbi, functionName, data: `0x${Buffer.from(result.returnValue).toString('hex')}` } as never) as T
}
