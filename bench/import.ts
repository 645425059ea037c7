/**
 * (c) Validation-Computation Separation: the producer builds a block of N inference transactions
 * (simulation, dispatch to the inference node, execution) vs. a follower importing the same block
 * (verify every record's signature against the registry, replay, compare roots). Sync speed over
 * the network is bench/sync.ts.
 */
import { join } from 'node:path'
import { encodeFunctionData, keccak256, type Hex } from 'viem'
import { encodeRunModelInference } from '../src/evm/abi.js'
import { ModelInferenceMode } from '../src/evm/types.js'
import { Chain, RECORDS_ATTACHMENT } from '../src/chain/chain.js'
import { devAccounts } from '../src/chain/dev-accounts.js'
import { devGenesis } from '../src/chain/dev-genesis.js'
import { DEFAULT_CHAIN_ID, INFERENCE_PRECOMPILE_ADDRESS } from '../src/params.js'
import { SEAL_ATTACHMENT } from '../src/chain/seal.js'
import { BlockImporter } from '../src/chain/importer.js'
import { compileContracts, getContract } from '../src/contracts/compile.js'
import { HubClient } from '../src/hub/client.js'
import { startHubServer } from '../src/hub/server.js'
import { DiskModelStore } from '../src/hub/store.js'
import { startInferenceNode } from '../src/inference/service.js'
import { buildMlpModel, DEMO_MODEL, type MlpSpec } from '../src/models/index.js'
import { FullNode } from '../src/node.js'
import { connect } from '../src/sdk/chain.js'
import { registerInferenceNode, registerModel } from '../src/sdk/registry.js'
import { defaultVerifiers } from '../src/verify/index.js'

export interface ImportRow {
  model: string
  /** How the transactions call the model: through a Solidity consumer, or straight to the precompile. */
  path: 'DemoConsumer' | 'direct'
  inferences: number
  produceMs: number
  importMs: number
}
export interface ImportResult {
  rows: ImportRow[]
}

export const LARGE_MODEL: MlpSpec = { inputSize: 256, hiddenSize: 1024, outputSize: 64, seed: 7 }
/** ~8.4 M multiply-accumulates: a model whose inference, not the EVM, dominates building a block. */
export const XL_MODEL: MlpSpec = { inputSize: 1024, hiddenSize: 4096, outputSize: 1024, seed: 11 }

export async function benchImport(dir: string): Promise<ImportResult> {
  const keys = devAccounts(20)
  const genesis = await devGenesis(DEFAULT_CHAIN_ID)
  const producer = await FullNode.start({ dataDir: join(dir, 'producer'), genesis, rpcPort: 0, automine: true })
  const hub = await startHubServer({ store: new DiskModelStore(join(dir, 'hub')), port: 0 })
  const inference = await startInferenceNode({ privateKey: keys[19]!.privateKey, hubUrl: hub.url, cacheDir: join(dir, 'cache') })
  const follower = await Chain.open({ dataDir: join(dir, 'follower'), genesis })
  const importer = new BlockImporter(follower, defaultVerifiers())
  const syncFollower = async () => {
    for (let n = follower.head.header.number + 1n; n <= producer.chain.head.header.number; n++) {
      const block = (await producer.chain.store.blockByNumber(n))!
      const attachment = (kind: string) => producer.chain.store.attachment(kind, block.hash())
      await importer.import(block, (await attachment(RECORDS_ATTACHMENT)) ?? new Uint8Array(), (await attachment(SEAL_ATTACHMENT))!)
    }
  }
  try {
    const owner = await connect({ rpcUrl: producer.rpc.url, privateKey: keys[0]!.privateKey })
    const models: Array<[string, MlpSpec]> = [['demo 16→32→4', DEMO_MODEL], ['large 256→1024→64', LARGE_MODEL], ['xl 1024→4096→1024', XL_MODEL]]
    const cids: string[] = []
    for (const [name, spec] of models) {
      const { cid, metadata } = await new HubClient(hub.url).upload(buildMlpModel(spec), { name })
      await registerModel({ publicClient: owner.publicClient, walletClient: owner.walletClient! }, metadata)
      cids.push(cid)
    }
    const operator = await connect({ rpcUrl: producer.rpc.url, privateKey: keys[19]!.privateKey })
    await registerInferenceNode({ publicClient: operator.publicClient, walletClient: operator.walletClient! }, { endpoint: inference.url, models: cids })
    const { abi, bytecode } = getContract(await compileContracts(), 'DemoConsumer')
    const deploy = await owner.walletClient!.deployContract({ abi, bytecode, account: owner.account!, chain: owner.chain })
    const consumer = (await owner.publicClient.waitForTransactionReceipt({ hash: deploy })).contractAddress!
    await syncFollower()

    const rows: ImportRow[] = []
    let salt = 0
    const values = (size: number) => Array.from({ length: size }, (_, k) => BigInt(((k * 7919 + salt++) % 2000) - 1000) * 1000n)
    // Two ways to call a model: through DemoConsumer (Solidity builds the tensor: the EVM does real
    // work per call) and straight to the precompile (the EVM does almost nothing: what is left is the
    // inference the producer runs and the follower skips).
    const viaConsumer = (cid: string, size: number): Hex => encodeFunctionData({ abi, functionName: 'runWithValues', args: [cid, values(size), 6n] })
    const direct = (cid: string, size: number): Hex =>
      encodeRunModelInference({ mode: ModelInferenceMode.VANILLA, modelCid: cid, input: { numbers: [{ name: 'input', shape: [1, size], values: values(size).map((value) => ({ value, decimals: 6n })) }], strings: [] } })
    const plan: Array<{ model: number; path: 'DemoConsumer' | 'direct'; counts: number[] }> = [
      { model: 0, path: 'DemoConsumer', counts: [1, 10, 100] },
      { model: 0, path: 'direct', counts: [1, 10, 100] },
      { model: 1, path: 'DemoConsumer', counts: [10] },
      { model: 1, path: 'direct', counts: [10, 100] },
      { model: 2, path: 'direct', counts: [10] },
    ]
    for (const { model: i, path, counts } of plan) {
      const [name, spec] = models[i]!
      const to = path === 'direct' ? INFERENCE_PRECOMPILE_ADDRESS : consumer
      const calldata = () => (path === 'direct' ? direct(cids[i]!, spec.inputSize) : viaConsumer(cids[i]!, spec.inputSize))
      for (const count of counts) {
        // Gas from an estimate (+20%), so a block holds as many of them as the gas limit allows.
        const gas = ((await owner.publicClient.estimateGas({ account: owner.account!, to, data: calldata() })) * 12n) / 10n
        // Signed up front (by several senders), so the timing is the node's work only.
        const signed: Hex[] = []
        for (let t = 0; t < count; t++) {
          const sender = await connect({ rpcUrl: producer.rpc.url, privateKey: keys[1 + (t % 10)]!.privateKey })
          const nonce = await sender.publicClient.getTransactionCount({ address: sender.account!.address, blockTag: 'pending' })
          signed.push(await sender.walletClient!.signTransaction({
            account: sender.account!, chain: sender.chain, to, data: calldata(), gas, nonce: nonce + Math.floor(t / 10),
            maxFeePerGas: 100n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n,
          }))
        }
        // One block with all of them: stop automining, let PIPE prepare every transaction, then seal.
        await producer.producer.stop()
        const started = performance.now()
        await Promise.all(signed.map((raw) => producer.backend.sendRawTransaction(Buffer.from(raw.slice(2), 'hex'))))
        while (producer.producer.mempool.entries().some((e) => e.status !== 'ready')) await new Promise((r) => setTimeout(r, 1))
        const before = producer.chain.head.header.number
        while (!(await producer.chain.store.transaction(Buffer.from(keccak256(signed.at(-1)!).slice(2), 'hex')))) await producer.producer.produceBlock()
        const produceMs = performance.now() - started
        const importStarted = performance.now()
        await syncFollower()
        const importMs = performance.now() - importStarted
        const blocks = producer.chain.head.header.number - before
        rows.push({ model: `${name}${blocks > 1n ? ` (${blocks} blocks)` : ''}`, path, inferences: count, produceMs, importMs })
      }
    }

    return { rows }
  } finally {
    await follower.close()
    await inference.close()
    await hub.close()
    await producer.stop()
  }
}
