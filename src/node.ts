/**
 * A full node: chain + mempool/producer + PIPE pipeline + dispatcher + JSON-RPC, composed with one
 * start/stop lifecycle.
 */
import { hexToBytes, type Hex } from 'viem'
import { Chain } from './chain/chain.js'
import { devSealer } from './chain/dev-accounts.js'
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
import { createRegistryMethods } from './rpc/methods/registry.js'
import { createSyncMethods } from './rpc/methods/sync.js'
import { BlockImporter } from './chain/importer.js'
import { ChainNetwork } from './p2p/network.js'
import { defaultVerifiers } from './verify/index.js'
import { createNetMethods } from './rpc/methods/net.js'
import { createWeb3Methods } from './rpc/methods/web3.js'
import { startRpcServer } from './rpc/server.js'
import { explorerRoute } from './explorer/route.js'

import { VERSION } from './version.js'
import { join } from 'node:path'
import { HubClient } from './hub/client.js'
import { ModelCache } from './inference/model-cache.js'
import { Challenger } from './optimistic/challenger.js'
import { CanonicalModelStore } from './optimistic/model-store.js'
import type { SettlementParams } from './params.js'

export { VERSION }

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
  /**
   * Multiaddrs of peers to join (each ending in /p2p/<peer id>). A node given peers is a follower:
   * it imports and verifies the network's blocks, produces none and relays transactions to the producer.
   */
  peers?: string[]
  p2pHost?: string
  /** libp2p TCP port; 0 picks a free one. */
  p2pPort?: number
  /** How often a node refreshes its peers' status and fills gaps (ms). */
  syncIntervalMs?: number
  /** Most peers this node dials itself (default 16). */
  maxPeers?: number
  /** The producer's sealing key; default: the dev sealer of the dev genesis. */
  sealerKey?: Hex
  log?: (message: string) => void
  /**
   * The model hub: where this node gets models to re-execute when an OPTIMISTIC dispute is settled
   * (the only time a full node computes). Without it, such blocks cannot be produced or imported here.
   */
  hubUrl?: string
  /** OPTIMISTIC parameters of a dev genesis (challenge window, stakes, bond); every node of a network must agree. */
  settlement?: Partial<SettlementParams>
  /** Run a challenger with this funded key: re-check OPTIMISTIC results, challenge wrong ones, finalize the rest. */
  challengerKey?: Hex
  /** Followers: after each imported block (progress). */
  onImported?: (number: bigint, target: bigint) => void
}

export class FullNode {
  private constructor(
    readonly chain: Chain,
    readonly producer: BlockProducer,
    readonly dispatcher: Dispatcher,
    readonly backend: ChainRpcBackend,
    readonly rpc: { url: string; wsUrl: string; close(): Promise<void> },
    readonly network: ChainNetwork,
    readonly canonicalModels: CanonicalModelStore,
    readonly challenger: Challenger | undefined,
    private readonly dataDir: string,
  ) {}

  /** Sets the hub models are re-executed from (a devnet starts its hub after its node). */
  connectHub(hubUrl: string): void {
    this.canonicalModels.connect(modelCache(this.dataDir, hubUrl))
  }

  get role(): 'producer' | 'follower' {
    return this.network.sync ? 'follower' : 'producer'
  }

  static async start(options: FullNodeOptions): Promise<FullNode> {
    const genesis = options.genesis ?? (await devGenesis(options.chainId ?? DEFAULT_CHAIN_ID, { settlement: options.settlement }))
    const follower = (options.peers?.length ?? 0) > 0
    // Devnets are sealed by the dev sealer; a follower needs no key (it only checks seals).
    const sealerKey = follower ? undefined : (options.sealerKey ?? devSealer().privateKey)
    const canonicalModels = new CanonicalModelStore(options.hubUrl === undefined ? undefined : modelCache(options.dataDir, options.hubUrl))
    const chain = await Chain.open({ dataDir: options.dataDir, genesis, sealerKey, canonicalModels })
    const dispatcher = new Dispatcher(new RegistryNodeDirectory(chain), { timeoutMs: options.inferenceTimeoutMs })
    const pipeline = new InferencePipeline(chain, dispatcher, new ResultCache())
    const producer = new BlockProducer(chain, pipeline, {
      automine: options.automine ?? false,
      blockTimeMs: options.blockTimeMs ?? 1000,
      log: options.log,
    })
    let backend: ChainRpcBackend | undefined
    const network = await ChainNetwork.start({
      chain,
      role: follower ? 'follower' : 'producer',
      dataDir: options.dataDir,
      host: options.p2pHost,
      port: options.p2pPort,
      peers: options.peers,
      importer: follower ? new BlockImporter(chain, defaultVerifiers()) : undefined,
      producer: follower
        ? undefined
        : { submit: (raw) => producer.submit(raw), pendingNonce: (address) => backend!.pendingNonce(address), sealerKey: hexToBytes(sealerKey!) },
      syncIntervalMs: options.syncIntervalMs,
      maxPeers: options.maxPeers,
      log: options.log,
      onImported: options.onImported,
    })
    backend = new ChainRpcBackend(chain, producer, pipeline, VERSION, follower ? network : undefined)
    const methods = {
      ...createEthMethods(backend),
      ...createFilterMethods(backend),
      ...createNetMethods(backend, () => network.peerCount),
      ...createWeb3Methods(backend),
      ...createInferenceMethods(chain),
      ...createRegistryMethods(chain),
      ...createSyncMethods(chain, () => ({
        role: follower ? 'follower' : 'producer',
        inferencesDispatched: dispatcher.dispatched,
        lastRejection: network.sync?.lastRejection,
        peerId: network.peerId,
        p2p: network.multiaddrs,
        peers: network.peerCount,
      }), () => network.sync?.syncing()),
    }
    const rpc = await startRpcServer({ methods, backend, host: options.rpcHost ?? '127.0.0.1', port: options.rpcPort ?? 0, routes: [explorerRoute()] })
    if (!follower) producer.start()
    const challenger = options.challengerKey === undefined ? undefined : await startChallenger(rpc.url, options.challengerKey, canonicalModels, options.log)
    return new FullNode(chain, producer, dispatcher, backend, rpc, network, canonicalModels, challenger, options.dataDir)
  }

  async stop(): Promise<void> {
    await this.challenger?.stop()
    await this.network.stop()
    await this.producer.stop()
    await this.rpc.close()
    await this.chain.close()
  }
}

function modelCache(dataDir: string, hubUrl: string): ModelCache {
  return new ModelCache({ dir: join(dataDir, 'models'), source: new HubClient(hubUrl) })
}

/** A challenger talking to this node over its own JSON-RPC, as an external one would. */
async function startChallenger(rpcUrl: string, privateKey: Hex, models: CanonicalModelStore, log?: (message: string) => void): Promise<Challenger> {
  const { connect } = await import('./sdk/chain.js')
  const { publicClient, walletClient } = await connect({ rpcUrl, privateKey })
  const challenger = new Challenger({ clients: { publicClient, walletClient: walletClient! }, models, ...(log ? { log } : {}) })
  challenger.start()
  log?.(`challenger ${challenger.address} watching OPTIMISTIC results`)
  return challenger
}
