/**
 * (c) Validation-Computation Separation: the producer builds a block of N inference transactions
 * (admission, simulation, dispatch to the inference node, execution) vs. a follower importing the
 * same block (decode it from its bytes as it arrives from the network, verify every record against
 * the registry, replay, compare roots, store). Next to the import, two baselines measured on the
 * same block: executing its transactions alone (with the recorded results, on a second follower at
 * the parent state, nothing verified or stored), and its signature checks alone (every sender and
 * every record's signer recovered). Each figure is the median of `REPEATS` blocks. Sync speed over
 * the network is bench/sync.ts.
 */
import { join } from 'node:path'
import type { Block } from '@ethereumjs/block'
import { bytesToHex, encodeFunctionData, keccak256, type Hex } from 'viem'
import { encodeRunModelInference } from '../src/evm/abi.js'
import { ModelInferenceMode } from '../src/evm/types.js'
import { Chain, RECORDS_ATTACHMENT } from '../src/chain/chain.js'
import { devAccounts } from '../src/chain/dev-accounts.js'
import { devGenesis } from '../src/chain/dev-genesis.js'
import { DEFAULT_CHAIN_ID, INFERENCE_PRECOMPILE_ADDRESS } from '../src/params.js'
import { SEAL_ATTACHMENT } from '../src/chain/seal.js'
import { BlockImporter } from '../src/chain/importer.js'
import { decodeBlock } from '../src/chain/transaction-decoding.js'
import { decodeRecords } from '../src/evm/record-codec.js'
import type { InferenceRecord } from '../src/evm/records.js'
import { ReplayProvider } from '../src/evm/replay.js'
import { InferenceSession } from '../src/evm/session.js'
import { recoverInferenceSigner } from '../src/verify/vanilla.js'
import { compileContracts, getContract } from '../src/contracts/compile.js'
import { HubClient } from '../src/hub/client.js'
import { startHubServer } from '../src/hub/server.js'
import { DiskModelStore } from '../src/hub/store.js'
import { startInferenceNode } from '../src/inference/service.js'
import { buildMlpModel, DEMO_MODEL, type MlpSpec } from '../src/models/index.js'
import { median } from './stats.js'
import { FullNode } from '../src/node.js'
import { connect } from '../src/sdk/chain.js'
import { registerInferenceNode, registerModel } from '../src/sdk/registry.js'
import { defaultVerifiers } from '../src/verify/index.js'

export interface ImportRow {
  model: string
  /** How the transactions call the model: through a Solidity consumer, or straight to the precompile. */
  path: 'DemoConsumer' | 'direct'
  inferences: number
  /** Medians over `REPEATS` blocks. */
  produceMs: number
  importMs: number
  /** The block's transactions executed with the recorded results, state root computed; nothing checked or stored. */
  executeMs: number
  /** Every transaction's sender and every record's signer recovered, on this thread. */
  signaturesMs: number
}
export interface ImportResult {
  rows: ImportRow[]
  /** Blocks measured per row. */
  repeats: number
}

/** Blocks measured per row (the median is reported): one block is one sample, and this machine is noisy. */
const REPEATS = 3

export const LARGE_MODEL: MlpSpec = { inputSize: 256, hiddenSize: 1024, outputSize: 64, seed: 7 }
/** ~8.4 M multiply-accumulates: a model whose inference, not the EVM, dominates building a block. */
export const XL_MODEL: MlpSpec = { inputSize: 1024, hiddenSize: 4096, outputSize: 1024, seed: 11 }
/**
 * As much work as XL (~8.5 M multiply-accumulates) with ten outputs, like most classifiers: what a
 * follower handles per record (output, hash, encoding) stays small while the producer's inference grows.
 */
export const CLASSIFIER_MODEL: MlpSpec = { inputSize: 1024, hiddenSize: 8192, outputSize: 10, seed: 13 }

export async function benchImport(dir: string): Promise<ImportResult> {
  const keys = devAccounts(20)
  const genesis = await devGenesis(DEFAULT_CHAIN_ID)
  const producer = await FullNode.start({ dataDir: join(dir, 'producer'), genesis, rpcPort: 0, automine: true })
  const hub = await startHubServer({ store: new DiskModelStore(join(dir, 'hub')), port: 0 })
  const inference = await startInferenceNode({ privateKey: keys[19]!.privateKey, hubUrl: hub.url, cacheDir: join(dir, 'cache') })
  const follower = await Chain.open({ dataDir: join(dir, 'follower'), genesis })
  const importer = new BlockImporter(follower, defaultVerifiers())
  // A second follower, kept one block behind while a block is measured: the baselines run there, on
  // state as cold as the follower's was.
  const shadow = await Chain.open({ dataDir: join(dir, 'shadow'), genesis })
  const shadowImporter = new BlockImporter(shadow, defaultVerifiers())
  /** What a follower receives for block `n`: its bytes (decoded on arrival, as block sync does), records and seal. */
  const fetch = async (n: bigint) => {
    const block = (await producer.chain.store.blockByNumber(n))!
    const attachment = (kind: string) => producer.chain.store.attachment(kind, block.hash())
    return { bytes: block.serialize(), records: (await attachment(RECORDS_ATTACHMENT)) ?? new Uint8Array(), seal: (await attachment(SEAL_ATTACHMENT))! }
  }
  const importInto = async (chain: Chain, into: BlockImporter, to: bigint) => {
    for (let n = chain.head.header.number + 1n; n <= to; n++) {
      const { bytes, records, seal } = await fetch(n)
      await into.import(decodeBlock(bytes, chain.common), records, seal)
    }
  }
  const syncFollower = async () => {
    await importInto(follower, importer, producer.chain.head.header.number)
    await importInto(shadow, shadowImporter, producer.chain.head.header.number)
  }
  /** The baselines for block `n`, on the shadow follower at its parent; then the shadow imports it. */
  const baselines = async (n: bigint): Promise<{ executeMs: number; signaturesMs: number }> => {
    await importInto(shadow, shadowImporter, n - 1n)
    const { bytes, records: encoded, seal } = await fetch(n)
    const records = encoded.length > 0 ? decodeRecords(encoded) : []
    // Signature checks alone, on a copy of the block as it arrives.
    const fresh = decodeBlock(bytes, shadow.common)
    const signaturesStarted = performance.now()
    for (const tx of fresh.transactions) if (!tx.verifySignature()) throw new Error('benchmark block has a bad signature')
    for (const r of records) if (r.signature !== undefined) recoverInferenceSigner({ ...r, outputHash: r.outputHash!, signature: r.signature })
    const signaturesMs = performance.now() - signaturesStarted
    // Execution alone: senders known (that was the line above), results handed over from the records.
    const block = decodeBlock(bytes, shadow.common)
    for (const tx of block.transactions) tx.getSenderAddress()
    const executeMs = await executeAlone(shadow, block, records)
    await shadowImporter.import(decodeBlock(bytes, shadow.common), encoded, seal)
    return { executeMs, signaturesMs }
  }
  try {
    const owner = await connect({ rpcUrl: producer.rpc.url, privateKey: keys[0]!.privateKey })
    const models: Array<[string, MlpSpec]> = [['demo 16→32→4', DEMO_MODEL], ['large 256→1024→64', LARGE_MODEL], ['xl 1024→4096→1024', XL_MODEL], ['classifier 1024→8192→10', CLASSIFIER_MODEL]]
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
      { model: 3, path: 'direct', counts: [10, 100] },
    ]
    for (const { model: i, path, counts } of plan) {
      const [name, spec] = models[i]!
      const to = path === 'direct' ? INFERENCE_PRECOMPILE_ADDRESS : consumer
      const calldata = () => (path === 'direct' ? direct(cids[i]!, spec.inputSize) : viaConsumer(cids[i]!, spec.inputSize))
      for (const count of counts) {
        // Gas from an estimate (+20%), so a block holds as many of them as the gas limit allows.
        const gas = ((await owner.publicClient.estimateGas({ account: owner.account!, to, data: calldata() })) * 12n) / 10n
        const samples: Array<Omit<ImportRow, 'model' | 'path' | 'inferences'> & { blocks: bigint }> = []
        for (let repeat = 0; repeat < REPEATS; repeat++) {
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
          await importInto(follower, importer, producer.chain.head.header.number)
          const importMs = performance.now() - importStarted
          let executeMs = 0
          let signaturesMs = 0
          for (let n = before + 1n; n <= producer.chain.head.header.number; n++) {
            const baseline = await baselines(n)
            executeMs += baseline.executeMs
            signaturesMs += baseline.signaturesMs
          }
          samples.push({ produceMs, importMs, executeMs, signaturesMs, blocks: producer.chain.head.header.number - before })
        }
        const blocks = samples[0]!.blocks
        const mid = (pick: (s: (typeof samples)[number]) => number) => median(samples.map(pick))
        rows.push({
          model: `${name}${blocks > 1n ? ` (${blocks} blocks)` : ''}`, path, inferences: count,
          produceMs: mid((s) => s.produceMs), importMs: mid((s) => s.importMs), executeMs: mid((s) => s.executeMs), signaturesMs: mid((s) => s.signaturesMs),
        })
      }
    }

    return { rows, repeats: REPEATS }
  } finally {
    await shadow.close()
    await follower.close()
    await inference.close()
    await hub.close()
    await producer.stop()
  }
}

/**
 * Executes `block` on `chain`'s head with the recorded results handed to the precompile, computes
 * the state root and rolls everything back: the EVM's share of an import, without evidence checks,
 * receipts, roots or storage.
 */
async function executeAlone(chain: Chain, block: Block, records: InferenceRecord[]): Promise<number> {
  const byTx = new Map<string, InferenceRecord[]>()
  for (const r of records) byTx.set(r.txHash, [...(byTx.get(r.txHash) ?? []), r])
  return chain.exclusive(async () => {
    const started = performance.now()
    const { outcome } = await chain.executeOnHead(
      block,
      block.transactions,
      (tx) => {
        const hash = bytesToHex(tx.hash())
        return new InferenceSession(new ReplayProvider(byTx.get(hash) ?? []), hash)
      },
      async () => false,
    )
    const ms = performance.now() - started
    if (outcome.executed.length !== block.transactions.length) throw new Error('benchmark block did not execute in full')
    return ms
  })
}
