/** Reads NodeRegistry at the head to learn which inference nodes serve a model (cached per head). */
import { decodeFunctionResult, encodeFunctionData, type Hex } from 'viem'
import { nodeRegistryAbi } from '../contracts/system.js'
import type { NodeDirectory, RegisteredNode } from '../evm/dispatcher.js'
import { NODE_REGISTRY_ADDRESS } from '../params.js'
import type { Chain } from './chain.js'
import { defaultCallGas, runMessageCall } from './call.js'

export class RegistryNodeDirectory implements NodeDirectory {
  private cacheHead?: bigint
  private readonly cache = new Map<string, RegisteredNode[]>()

  constructor(private readonly chain: Chain) {}

  async nodesFor(modelCid: string): Promise<RegisteredNode[]> {
    const head = this.chain.head.header.number
    if (this.cacheHead !== head) {
      this.cache.clear()
      this.cacheHead = head
    }
    const cached = this.cache.get(modelCid)
    if (cached) return cached
    const nodes = await this.read(modelCid)
    this.cache.set(modelCid, nodes)
    return nodes
  }

  private async read(modelCid: string): Promise<RegisteredNode[]> {
    const data = encodeFunctionData({ abi: nodeRegistryAbi, functionName: 'nodesForModel', args: [modelCid] })
    const result = await this.chain.exclusive(() =>
      this.chain.withStateAt(this.chain.head.header.number, (vm) =>
        runMessageCall(vm, this.chain.nextBlockEnv(), { to: NODE_REGISTRY_ADDRESS, data }, defaultCallGas(this.chain.common)),
      ),
    )
    if (result.error) throw new Error(`NodeRegistry.nodesForModel failed: ${result.error.message}`)
    const [addresses, endpoints] = decodeFunctionResult({
      abi: nodeRegistryAbi,
      functionName: 'nodesForModel',
      data: Buffer.from(result.returnValue).toString('hex').replace(/^/, '0x') as Hex,
    })
    return addresses.map((address, i) => ({ address, endpoint: endpoints[i]! }))
  }
}
