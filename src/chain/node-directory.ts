/**
 * Reads NodeRegistry at the head to learn which inference nodes serve a model (in a mode), cached
 * per head, and hands the dispatcher the verification context of the next block.
 */
import { decodeFunctionResult, encodeFunctionData, type Hex } from 'viem'
import { nodeRegistryAbi } from '../contracts/system.js'
import type { NodeDirectory, RegisteredNode } from '../evm/dispatcher.js'
import type { ModelInferenceMode } from '../evm/types.js'
import { NODE_REGISTRY_ADDRESS } from '../params.js'
import type { VerificationContext } from '../verify/types.js'
import type { Chain } from './chain.js'
import { defaultCallGas, runMessageCall } from './call.js'
import { verificationContextAtHead } from './verification-context.js'

export class RegistryNodeDirectory implements NodeDirectory {
  private cacheHead?: bigint
  private readonly cache = new Map<string, RegisteredNode[]>()

  constructor(private readonly chain: Chain) {}

  async nodesFor(modelCid: string, mode?: ModelInferenceMode): Promise<RegisteredNode[]> {
    const head = this.chain.head.header.number
    if (this.cacheHead !== head) {
      this.cache.clear()
      this.cacheHead = head
    }
    const key = mode === undefined ? modelCid : `${modelCid}|${mode}`
    const cached = this.cache.get(key)
    if (cached) return cached
    const nodes = await this.read(modelCid, mode)
    this.cache.set(key, nodes)
    return nodes
  }

  /** The registry as importers of the next block will see it (the head is its parent). */
  verificationContext(): VerificationContext {
    const env = this.chain.nextBlockEnv()
    return verificationContextAtHead(this.chain, { blockNumber: env.header.number, blockTimestamp: env.header.timestamp, insideExclusive: false })
  }

  private async read(modelCid: string, mode: ModelInferenceMode | undefined): Promise<RegisteredNode[]> {
    const data =
      mode === undefined
        ? encodeFunctionData({ abi: nodeRegistryAbi, functionName: 'nodesForModel', args: [modelCid] })
        : encodeFunctionData({ abi: nodeRegistryAbi, functionName: 'nodesForModelAndMode', args: [modelCid, mode] })
    const result = await this.chain.exclusive(() =>
      this.chain.withStateAt(this.chain.head.header.number, (vm) =>
        runMessageCall(vm, this.chain.nextBlockEnv(), { to: NODE_REGISTRY_ADDRESS, data }, defaultCallGas(this.chain.common)),
      ),
    )
    if (result.error) throw new Error(`NodeRegistry.${mode === undefined ? 'nodesForModel' : 'nodesForModelAndMode'} failed: ${result.error.message}`)
    // Both views return (address[] nodes, string[] endpoints).
    const [addresses, endpoints] = decodeFunctionResult({
      abi: nodeRegistryAbi,
      functionName: 'nodesForModel',
      data: Buffer.from(result.returnValue).toString('hex').replace(/^/, '0x') as Hex,
    })
    return addresses.map((address, i) => ({ address, endpoint: endpoints[i]! }))
  }
}
