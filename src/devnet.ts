/**
 * `inferchain dev`: a whole network on loopback — full node, model hub, one inference node (a child
 * process) — with the demo model uploaded and registered and a demo consumer contract deployed.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Address, Hex } from 'viem'
import { devAccounts, type DevAccount } from './chain/dev-accounts.js'
import { spawnCli, type ReadyChild } from './cli/child.js'
import { compileContracts, getContract } from './contracts/compile.js'
import { HubClient } from './hub/client.js'
import { startHubServer } from './hub/server.js'
import { DiskModelStore } from './hub/store.js'
import type { TensorSpec } from './hub/types.js'
import { buildDemoModel } from './models/demo-mlp.js'
import { FullNode } from './node.js'
import { DEFAULT_CHAIN_ID, DEFAULT_P2P_PORT, DEV_ACCOUNT_COUNT, INFERENCE_PRECOMPILE_ADDRESS } from './params.js'
import { connect } from './sdk/chain.js'
import { registerModel, setTeeMeasurementAllowed } from './sdk/registry.js'
import { ModelInferenceMode } from './evm/types.js'

export interface DevnetOptions {
  dataDir: string
  chainId?: number
  rpcPort?: number
  hubPort?: number
  inferencePort?: number
  /** The producer's libp2p port (followers pick free ones). */
  p2pPort?: number
  automine?: boolean
  blockTimeMs?: number
  inferenceTimeoutMs?: number
  /** How many inference nodes to start (each a child process with its own dev key). Default 1. */
  inferenceNodes?: number
  /** How many follower full nodes to start (child processes importing and verifying the producer's blocks). */
  followers?: number
  log?: (message: string) => void
}

/** What `dev --json` prints: everything a script needs to use the devnet. */
export interface DevnetInfo {
  rpcUrl: string
  wsUrl: string
  chainId: number
  precompile: Address
  hubUrl: string
  inferenceNodes: string[]
  accounts: DevAccount[]
  demoModel: { cid: string; inputs: TensorSpec[]; outputs: TensorSpec[] }
  demoConsumer: Address
  /** JSON-RPC URLs of the follower full nodes. */
  followers: string[]
  /** The producer's libp2p multiaddrs: `inferchain node --peer <one of them>` joins this devnet. */
  p2p: string[]
}

export interface InferenceNodeReady {
  url: string
  address: Address
  /** Set when the node serves TEE mode (`--tee dev`): its enclave's measurement and key. */
  tee?: { kind: string; measurement: Hex; enclaveKey: Hex }
}

/** Dev account of the first inference node (the last one, so #0 stays the user's); the next use #18, #17, ... */
export const DEV_INFERENCE_KEY_INDEX = DEV_ACCOUNT_COUNT - 1

export class Devnet {
  private constructor(
    readonly node: FullNode,
    private readonly hub: { url: string; close(): Promise<void> },
    readonly inferenceNodes: ReadyChild<InferenceNodeReady>[],
    readonly followers: ReadyChild<{ rpcUrl: string }>[],
    readonly info: DevnetInfo,
  ) {}

  static async start(options: DevnetOptions): Promise<Devnet> {
    const log = options.log ?? (() => {})
    const chainId = options.chainId ?? DEFAULT_CHAIN_ID
    const accounts = devAccounts(DEV_ACCOUNT_COUNT)
    const node = await FullNode.start({
      dataDir: join(options.dataDir, 'chain'),
      chainId,
      rpcPort: options.rpcPort ?? 8545,
      p2pPort: options.p2pPort ?? DEFAULT_P2P_PORT,
      automine: options.automine,
      blockTimeMs: options.blockTimeMs,
      inferenceTimeoutMs: options.inferenceTimeoutMs,
      log,
    })
    log(`full node: ${node.rpc.url}`)
    const hub = await startHubServer({ store: new DiskModelStore(join(options.dataDir, 'hub')), port: options.hubPort ?? 8546 })
    log(`model hub: ${hub.url}`)
    const { cid, metadata } = await new HubClient(hub.url).upload(buildDemoModel(), { name: 'demo-mlp' })
    const clients = await connect({ rpcUrl: node.rpc.url, privateKey: accounts[0]!.privateKey })
    await registerModel({ publicClient: clients.publicClient, walletClient: clients.walletClient! }, metadata, [ModelInferenceMode.VANILLA, ModelInferenceMode.TEE])
    log(`demo model ${cid} registered`)
    const demoConsumer = await deployDemoConsumer(options.dataDir, clients)
    log(`demo consumer at ${demoConsumer}`)
    const inferenceNodes: ReadyChild<InferenceNodeReady>[] = []
    for (let i = 0; i < (options.inferenceNodes ?? 1); i++) {
      const basePort = options.inferencePort ?? 8547
      const inference = await startDevInferenceNode({
        rpcUrl: node.rpc.url,
        hubUrl: hub.url,
        privateKey: accounts[DEV_INFERENCE_KEY_INDEX - i]!.privateKey,
        port: basePort === 0 ? 0 : basePort + i,
        cacheDir: join(options.dataDir, `inference-cache-${i}`),
        models: [cid],
      })
      inferenceNodes.push(inference)
      log(`inference node: ${inference.ready.url} (${inference.ready.address})`)
    }
    // TEE: dev account #0, NodeRegistry's admin on devnets, allows the dev enclave's measurement.
    for (const measurement of new Set(inferenceNodes.flatMap((n) => (n.ready.tee ? [n.ready.tee.measurement] : [])))) {
      await setTeeMeasurementAllowed({ publicClient: clients.publicClient, walletClient: clients.walletClient! }, measurement, true)
      log(`TEE measurement ${measurement} allowed`)
    }
    const followers: ReadyChild<{ rpcUrl: string }>[] = []
    for (let i = 0; i < (options.followers ?? 0); i++) {
      const args = ['node', '--json', '--data-dir', join(options.dataDir, `follower-${i}`), '--rpc-port', '0', '--p2p-port', '0', '--chain-id', String(chainId)]
      for (const address of node.network.multiaddrs) args.push('--peer', address)
      followers.push(await spawnCli<{ rpcUrl: string }>(args))
      log(`follower: ${followers.at(-1)!.ready.rpcUrl}`)
    }
    const info: DevnetInfo = {
      rpcUrl: node.rpc.url,
      wsUrl: node.rpc.wsUrl,
      chainId,
      precompile: INFERENCE_PRECOMPILE_ADDRESS,
      hubUrl: hub.url,
      inferenceNodes: inferenceNodes.map((n) => n.ready.url),
      accounts,
      demoModel: { cid, inputs: metadata.inputs, outputs: metadata.outputs },
      demoConsumer,
      followers: followers.map((f) => f.ready.rpcUrl),
      p2p: node.network.multiaddrs,
    }
    return new Devnet(node, hub, inferenceNodes, followers, info)
  }

  async stop(): Promise<void> {
    await Promise.all([...this.followers, ...this.inferenceNodes].map((n) => n.stop()))
    await this.hub.close()
    await this.node.stop()
  }
}

/** Starts an `inferchain inference-node` child that registers itself and prints its ready line. */
export function startDevInferenceNode(options: {
  rpcUrl: string
  hubUrl: string
  privateKey: Hex
  port: number
  cacheDir: string
  models: string[]
}): Promise<ReadyChild<InferenceNodeReady>> {
  const args = ['inference-node', '--json', '--rpc-url', options.rpcUrl, '--hub-url', options.hubUrl, '--port', String(options.port), '--cache-dir', options.cacheDir]
  for (const model of options.models) args.push('--model', model)
  // Devnets serve TEE mode with the development enclave (its root is pinned by the dev genesis).
  args.push('--tee', 'dev')
  return spawnCli<InferenceNodeReady>(args, { env: { INFERCHAIN_PRIVATE_KEY: options.privateKey } })
}

/** Deploys DemoConsumer once per data dir (its address is remembered across restarts). */
async function deployDemoConsumer(dataDir: string, clients: Awaited<ReturnType<typeof connect>>): Promise<Address> {
  const file = join(dataDir, 'devnet.json')
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { demoConsumer?: Address }
    if (saved.demoConsumer && (await clients.publicClient.getCode({ address: saved.demoConsumer }))) return saved.demoConsumer
  }
  const { abi, bytecode } = getContract(await compileContracts(), 'DemoConsumer')
  const hash = await clients.walletClient!.deployContract({ abi, bytecode, account: clients.account!, chain: clients.chain })
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash })
  const address = receipt.contractAddress!
  writeFileSync(file, JSON.stringify({ demoConsumer: address }, null, 2))
  return address
}
