/**
 * A full node: chain + mempool/producer + PIPE pipeline + dispatcher + JSON-RPC, composed with one
 * start/stop lifecycle.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Chain } from './chain/chain.js'
import { devGenesis } from './chain/dev-genesis.js'
import { RegistryNodeDirectory } from './chain/node-directory.js'
import { InferencePipeline } from './chain/pipeline.js'
import { BlockProducer } from './chain/producer.js'
import { ChainRpcBackend } from './chain/rpc-backend.js'
import type { GenesisSpec } from './chain/genesis.js'
import { Dispatcher } from './evm/dispatcher.js'
import { ResultCache } from './evm/providers.js'
import { DEFAULT_CHAIN_ID } from './params.js'
import { createEthMethods } from './rpc/methods/eth.js'
import { createFilterMethods } from './rpc/methods/filters.js'
import { createInferenceMethods } from './rpc/methods/inference.js'
import { createSyncMethods } from './rpc/methods/sync.js'
import { BlockImporter } from './chain/importer.js'
import { HttpBlockSync } from './p2p/http-sync.js'
import { defaultVerifiers } from './verify/index.js'
import { createNetMethods } from './rpc/methods/net.js'
import { createWeb3Methods } from './rpc/methods/web3.js'
import { startRpcServer } from './rpc/server.js'

import { findProjectRoot } from './contracts/files.js'

export const VERSION: string = (JSON.parse(readFileSync(join(findProjectRoot(), 'package.json'), 'utf8')) as { version: string }).version

export interface FullNodeOptions {
  dataDir: string
  chainId?: number
  genesis?: GenesisSpec
  rpcHost?: string
  /** 0 picks a free port. */
  rpcPort?: number
  automine?: boolean
  blockTimeMs?: number
  inferenceTimeoutMs?: number
  /** Run as a follower of the node at this RPC URL: import its blocks, produce none, forward transactions. */
  follow?: string
  log?: (message: string) => void
}

export class FullNode {
  private constructor(
    readonly chain: Chain,
    readonly producer: BlockProducer,
    readonly dispatcher: Dispatcher,
    readonly backend: ChainRpcBackend,
    readonly rpc: { url: string; wsUrl: string; close(): Promise<void> },
    readonly sync?: HttpBlockSync,
  ) {}

  static async start(options: FullNodeOptions): Promise<FullNode> {
    const genesis = options.genesis ?? (await devGenesis(options.chainId ?? DEFAULT_CHAIN_ID))
    const chain = await Chain.open({ dataDir: options.dataDir, genesis })
    const dispatcher = new Dispatcher(new RegistryNodeDirectory(chain), { timeoutMs: options.inferenceTimeoutMs })
    const pipeline = new InferencePipeline(chain, dispatcher, new ResultCache())
    const producer = new BlockProducer(chain, pipeline, {
      automine: options.automine ?? false,
      blockTimeMs: options.blockTimeMs ?? 1000,
      log: options.log,
    })
    const backend = new ChainRpcBackend(chain, producer, pipeline, VERSION, options.follow)
    let sync: HttpBlockSync | undefined
    const methods = {
      ...createEthMethods(backend),
      ...createFilterMethods(backend),
      ...createNetMethods(backend),
      ...createWeb3Methods(backend),
      ...createInferenceMethods(chain),
      ...createSyncMethods(chain, () => ({
        role: options.follow ? 'follower' : 'producer',
        inferencesDispatched: dispatcher.dispatched,
        lastRejection: sync?.lastRejection,
      })),
    }
    const rpc = await startRpcServer({ methods, backend, host: options.rpcHost ?? '127.0.0.1', port: options.rpcPort ?? 0 })
    if (options.follow) {
      sync = new HttpBlockSync(chain, new BlockImporter(chain, defaultVerifiers()), { peerUrl: options.follow, log: options.log })
      sync.start()
    } else {
      producer.start()
    }
    return new FullNode(chain, producer, dispatcher, backend, rpc, sync)
  }

  async stop(): Promise<void> {
    await this.sync?.stop()
    await this.producer.stop()
    await this.rpc.close()
    await this.chain.close()
  }
}
