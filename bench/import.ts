/**
 * (c) Validation-Computation Separation: the producer builds a block of N inference transactions
 * (simulation, dispatch to the inference node, execution) vs. a follower importing the same block
 * (verify every record's signature against the registry, replay, compare roots) — and blocks/s a
 * follower imports while syncing.
 */
import { join } from 'node:path'
import { encodeFunctionData, keccak256, type Hex } from 'viem'
import { Chain, RECORDS_ATTACHMENT } from '../src/chain/chain.js'
import { devAccounts } from '../src/chain/dev-accounts.js'
import { devGenesis } from '../src/chain/dev-genesis.js'
import { DEFAULT_CHAIN_ID } from '../src/params.js'
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
  inferences: number
  produceMs: number
  importMs: number
}
export interface ImportResult {
  rows: ImportRow[]
  syncBlocksPerSec: number
  syncBlocks: number
}

export const LARGE_MODEL: MlpSpec = { inputSize: 256, hiddenSize: 1024, outputSize: 64, seed: 7 }

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
      await importer.import(block, (await producer.chain.store.attachment(RECORDS_ATTACHMENT, block.hash())) ?? new Uint8Array())
    }
  }
  try {
    const owner = await connect({ rpcUrl: producer.rpc.url, privateKey: keys[0]!.privateKey })
    const models: Array<[string, MlpSpec]> = [['demo 16→32→4', DEMO_MODEL], ['large 256→1024→64', LARGE_MODEL]]
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
    for (const [i, [name, spec]] of models.entries()) {
      for (const count of i === 0 ? [1, 10, 100] : [10]) {
        // Signed up front (by several senders), so the timing is the node's work only.
        const signed: Hex[] = []
        // Gas from an estimate (+20%), so a block holds as many of them as the gas limit allows.
        const probe = encodeFunctionData({ abi, functionName: 'runWithValues', args: [cids[i]!, Array.from({ length: spec.inputSize }, () => 1000n), 6n] })
        const gas = ((await owner.publicClient.estimateGas({ account: owner.account!, to: consumer, data: probe })) * 12n) / 10n
        for (let t = 0; t < count; t++) {
          const sender = await connect({ rpcUrl: producer.rpc.url, privateKey: keys[1 + (t % 10)]!.privateKey })
          const nonce = await sender.publicClient.getTransactionCount({ address: sender.account!.address, blockTag: 'pending' })
          const values = Array.from({ length: spec.inputSize }, (_, k) => BigInt(((k * 7919 + salt++) % 2000) - 1000) * 1000n)
          const data = encodeFunctionData({ abi, functionName: 'runWithValues', args: [cids[i]!, values, 6n] })
          signed.push(await sender.walletClient!.signTransaction({
            account: sender.account!, chain: sender.chain, to: consumer, data, gas, nonce: nonce + Math.floor(t / 10),
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
        rows.push({ model: `${name}${blocks > 1n ? ` (${blocks} blocks)` : ''}`, inferences: count, produceMs, importMs })
      }
    }

    // Sync speed: blocks of 10 transfers each, imported back to back.
    const sender = await connect({ rpcUrl: producer.rpc.url, privateKey: keys[12]!.privateKey })
    let nonce = await sender.publicClient.getTransactionCount({ address: sender.account!.address })
    const from = follower.head.header.number
    for (let b = 0; b < 100; b++) {
      const batch = []
      for (let t = 0; t < 10; t++) {
        batch.push(await sender.walletClient!.signTransaction({
          account: sender.account!, chain: sender.chain, to: keys[13]!.address, value: 1n, gas: 21_000n, nonce: nonce++,
          maxFeePerGas: 100n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n,
        }))
      }
      await Promise.all(batch.map((raw) => producer.backend.sendRawTransaction(Buffer.from(raw.slice(2), 'hex'))))
      await producer.producer.produceBlock()
    }
    const syncStarted = performance.now()
    await syncFollower()
    const syncBlocks = Number(follower.head.header.number - from)
    return { rows, syncBlocks, syncBlocksPerSec: syncBlocks / ((performance.now() - syncStarted) / 1000) }
  } finally {
    await follower.close()
    await inference.close()
    await hub.close()
    await producer.stop()
  }
}
