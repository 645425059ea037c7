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
import { chainOwnership } from './hub/chain.js'
import { HubClient } from './hub/client.js'
import { DEFAULT_MAX_MODEL_BYTES, startHubServer } from './hub/server.js'
import { checkGgufFile, publishDevnetLlm } from './llm/devnet.js'
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
  /** Blocks an OPTIMISTIC result stays challengeable (genesis parameter; default DEFAULT_SETTLEMENT_PARAMS). */
  challengeWindow?: number
  /** Run a challenger in the producer (dev account #5 pays its bonds). */
  challenger?: boolean
  /** The LLM to upload and register: a GGUF file, undefined = the built-in tiny model, false = none. */
  llm?: string | false
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
  /** The LLM served for runLLMCompletion / runLLMChat (VANILLA and TEE), unless started with `--no-llm`. */
  llmModel?: { cid: string; name: string; size: number }
}

export interface InferenceNodeReady {
  url: string
  address: Address
  /** Set when the node serves TEE mode (`--tee dev`): its enclave's measurement and key. */
  tee?: { kind: string; measurement: Hex; enclaveKey: Hex }
}

/** Dev account of the first inference node (the last one, so #0 stays the user's); the next use #18, #17, ... */
export const DEV_INFERENCE_KEY_INDEX = DEV_ACCOUNT_COUNT - 1
/** Dev account that owns the devnet's LLM in ModelRegistry (its own nonce: published in parallel). */
export const DEV_LLM_OWNER_INDEX = 10
/** Dev account that pays the bonds of a devnet's challenger (`--challenger`). */
export const DEV_CHALLENGER_INDEX = 5

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
      ...(options.challengeWindow === undefined ? {} : { settlement: { challengeWindow: BigInt(options.challengeWindow) } }),
      ...(options.challenger ? { challengerKey: accounts[DEV_CHALLENGER_INDEX]!.privateKey } : {}),
      log,
    })
    log(`full node: ${node.rpc.url}`)
    const llmBytes = typeof options.llm === 'string' ? await checkGgufFile(options.llm) : 0
    const hub = await startHubServer({
      store: new DiskModelStore(join(options.dataDir, 'hub')),
      port: options.hubPort ?? 8546,
      // Repositories too, their ownership read from this node's ModelRegistry (`inferchain hub create-repo`).
      repositories: { dir: join(options.dataDir, 'hub', 'repositories'), ownership: chainOwnership(node.rpc.url) },
      ...(llmBytes > DEFAULT_MAX_MODEL_BYTES ? { maxModelBytes: llmBytes } : {}),
    })
    log(`model hub: ${hub.url}`)
    node.connectHub(hub.url)
    const { cid, metadata } = await new HubClient(hub.url).upload(buildDemoModel(), { name: 'demo-mlp' })
    const clients = await connect({ rpcUrl: node.rpc.url, privateKey: accounts[0]!.privateKey })
    // The LLM is published from its own dev account, beside the demo model: no extra block to wait for.
    const llmPublished =
      options.llm === false
        ? undefined
        : publishDevnetLlm({ hubUrl: hub.url, rpcUrl: node.rpc.url, privateKey: accounts[DEV_LLM_OWNER_INDEX]!.privateKey, ...(options.llm === undefined ? {} : { file: options.llm }) }).then(
            (published) => ({ published }),
            (error: unknown) => ({ error }), // settled here, rethrown below: never an unhandled rejection
          )
    await registerModel({ publicClient: clients.publicClient, walletClient: clients.walletClient! }, metadata, [ModelInferenceMode.VANILLA, ModelInferenceMode.TEE, ModelInferenceMode.OPTIMISTIC])
    log(`demo model ${cid} registered`)
    const demoConsumer = await deployDemoConsumer(options.dataDir, clients)
    log(`demo consumer at ${demoConsumer}`)
    const llmOutcome = await llmPublished
    if (llmOutcome && 'error' in llmOutcome) throw llmOutcome.error
    const llmModel = llmOutcome?.published
    if (llmModel) log(`LLM ${llmModel.name} ${llmModel.cid} registered`)
    const inferenceNodes: ReadyChild<InferenceNodeReady>[] = []
    for (let i = 0; i < (options.inferenceNodes ?? 1); i++) {
      const basePort = options.inferencePort ?? 8547
      const inference = await startDevInferenceNode({
        rpcUrl: node.rpc.url,
        hubUrl: hub.url,
        privateKey: accounts[DEV_INFERENCE_KEY_INDEX - i]!.privateKey,
        port: basePort === 0 ? 0 : basePort + i,
        cacheDir: join(options.dataDir, `inference-cache-${i}`),
        models: llmModel ? [cid, llmModel.cid] : [cid],
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
      const args = ['node', '--json', '--data-dir', join(options.dataDir, `follower-${i}`), '--rpc-port', '0', '--p2p-port', '0', '--chain-id', String(chainId), '--hub-url', hub.url]
      if (options.challengeWindow !== undefined) args.push('--challenge-window', String(options.challengeWindow))
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
      ...(llmModel ? { llmModel } : {}),
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
  // Devnets serve TEE mode with the development enclave (its root is pinned by the dev genesis), and
  // OPTIMISTIC mode bonded by the dev account's stake.
  args.push('--tee', 'dev', '--optimistic')
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
