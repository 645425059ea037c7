/**
 * Validation-Computation Separation: a second chain imports the producer's blocks and replays their
 * inference records without any inference node; every kind of tampering is rejected with its own
 * reason and leaves the importer on its valid head.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Block, createBlockHeader } from '@ethereumjs/block'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { encodeFunctionData, type Hex } from 'viem'
import { Chain } from '../../src/chain/chain.js'
import { BlockImporter } from '../../src/chain/importer.js'
import { compileContracts, getContract } from '../../src/contracts/compile.js'
import { decodeRecords, encodeRecords, recordsCommitment } from '../../src/evm/record-codec.js'
import { computeRequestId, type InferenceRecord } from '../../src/evm/records.js'
import { ModelInferenceMode } from '../../src/evm/types.js'
import { HubClient } from '../../src/hub/client.js'
import { startHubServer } from '../../src/hub/server.js'
import { DiskModelStore } from '../../src/hub/store.js'
import { startInferenceNode, type InferenceNode } from '../../src/inference/service.js'
import { buildDemoModel } from '../../src/models/index.js'
import { FullNode } from '../../src/node.js'
import { connect } from '../../src/sdk/chain.js'
import { registerInferenceNode, registerModel } from '../../src/sdk/registry.js'
import { signInferenceResult } from '../../src/verify/vanilla.js'
import { defaultVerifiers } from '../../src/verify/index.js'
import { devAccounts, devSealer } from '../../src/chain/dev-accounts.js'
import { SEAL_ATTACHMENT, sealBlock } from '../../src/chain/seal.js'
import { tempDir, testGenesis } from './helpers.js'

const KEYS = devAccounts(20)
const tmp = tempDir('inferchain-import-')
let producer: FullNode
let hub: { url: string; close(): Promise<void> }
let inference: InferenceNode
let follower: Chain
let importer: BlockImporter
interface Bundle { block: Block; records: Uint8Array; seal: Uint8Array }
let inferenceBlock: Bundle

async function blockAt(n: bigint): Promise<Bundle> {
  const block = (await producer.chain.store.blockByNumber(n))!
  const attachment = (kind: string) => producer.chain.store.attachment(kind, block.hash())
  return { block, records: (await attachment('records')) ?? new Uint8Array(), seal: (await attachment(SEAL_ATTACHMENT))! }
}

/**
 * The same block with other records and (unless told otherwise) a header committing to them, sealed
 * again with the sealer's key: the forger here is the producer itself, the strongest adversary.
 */
function withRecords(original: Bundle, records: InferenceRecord[], recommit = true): Bundle {
  const encoded = encodeRecords(records)
  if (!recommit) return { ...original, records: encoded }
  const header = createBlockHeader({ ...original.block.header.toJSON(), extraData: recordsCommitment(encoded, records.length) }, { common: follower.common, setHardfork: false })
  const block = new Block(header, original.block.transactions, [], [], { common: follower.common })
  return { block, records: encoded, seal: sealBlock(block, hexToBytes(devSealer().privateKey)) }
}

beforeAll(async () => {
  const genesis = await testGenesis()
  producer = await FullNode.start({ dataDir: join(tmp.dir, 'producer'), genesis, automine: true, rpcPort: 0 })
  hub = await startHubServer({ store: new DiskModelStore(join(tmp.dir, 'hub')), port: 0 })
  inference = await startInferenceNode({ privateKey: KEYS[19]!.privateKey, hubUrl: hub.url, cacheDir: join(tmp.dir, 'cache') })
  const { cid, metadata } = await new HubClient(hub.url).upload(buildDemoModel())
  const owner = await connect({ rpcUrl: producer.rpc.url, privateKey: KEYS[0]!.privateKey })
  const clients = { publicClient: owner.publicClient, walletClient: owner.walletClient! }
  await registerModel(clients, metadata)
  const operator = await connect({ rpcUrl: producer.rpc.url, privateKey: KEYS[19]!.privateKey })
  await registerInferenceNode({ publicClient: operator.publicClient, walletClient: operator.walletClient! }, { endpoint: inference.url, models: [cid] })
  const { abi, bytecode } = getContract(await compileContracts(), 'TwoStepConsumer')
  const deployed = await owner.walletClient!.deployContract({ abi, bytecode, account: owner.account!, chain: owner.chain })
  const consumer = (await owner.publicClient.waitForTransactionReceipt({ hash: deployed })).contractAddress!
  // Two inferences in one transaction (the second depends on the first), a few times.
  for (let k = 0; k < 3; k++) {
    const data = encodeFunctionData({ abi, functionName: 'run', args: [cid, Array.from({ length: 16 }, (_, i) => BigInt((i + k) * 100_000)), 6n] })
    const hash = await owner.walletClient!.sendTransaction({ to: consumer, data, gas: 3_000_000n, account: owner.account!, chain: owner.chain })
    expect((await owner.publicClient.waitForTransactionReceipt({ hash })).status).toBe('success')
  }
  for (let n = producer.chain.head.header.number; n > 0n; n--) {
    const candidate = await blockAt(n)
    if (decodeRecords(candidate.records.length ? candidate.records : new TextEncoder().encode('[]')).length === 2) {
      inferenceBlock = candidate
      break
    }
  }
  follower = await Chain.open({ dataDir: join(tmp.dir, 'follower'), genesis })
  importer = new BlockImporter(follower, defaultVerifiers())
})

afterAll(async () => {
  await follower?.close()
  await inference?.close()
  await hub?.close()
  await producer?.stop()
  tmp.remove()
})

describe('importing without running a model', () => {
  it('replays every block of the producer to the same head and state root, with zero inferences', async () => {
    expect(inferenceBlock).toBeDefined()
    const executionsBefore = inference.stats().inferences
    for (let n = 1n; n < inferenceBlock.block.header.number; n++) {
      const { block, records, seal } = await blockAt(n)
      expect(await importer.import(block, records, seal)).toBe('imported')
    }
    expect(inference.stats().inferences).toBe(executionsBefore)
    expect(bytesToHex(follower.head.hash())).toBe(bytesToHex((await producer.chain.store.blockByNumber(follower.head.header.number))!.hash()))
  })

  const tamper = (records: InferenceRecord[]) => structuredClone(records)
  const cases: Array<[string, (r: InferenceRecord[]) => { records: InferenceRecord[]; recommit?: boolean }, RegExp]> = [
    ['output changed', (r) => { const t = tamper(r); t[0]!.output!.numbers[0]!.values[0]!.value += 1n; return { records: t } }, /OUTPUT_HASH_MISMATCH|does not match the output/],
    ['input hash changed', (r) => { const t = tamper(r); t[0]!.inputHash = `0x${'ab'.repeat(32)}`; return { records: t } }, /signature recovers to|input hash/],
    ['record removed', (r) => ({ records: tamper(r).slice(0, 1) }), /call 1 has no record|never asked|differ/],
    ['record added', (r) => {
      const t = tamper(r)
      const extra = { ...structuredClone(t[1]!), callIndex: 2 }
      extra.requestId = computeRequestId(extra.txHash, 2)
      return { records: [...t, extra] }
    }, /never asked for/],
    ['records reordered', (r) => ({ records: tamper(r).reverse() }), /call index|order/],
    ['signature by an unregistered key', (r) => {
      const t = tamper(r)
      Object.assign(t[0]!, signInferenceResult(KEYS[18]!.privateKey, { modelCid: t[0]!.modelCid, mode: t[0]!.mode, inputHash: t[0]!.inputHash, outputHash: t[0]!.outputHash! }))
      return { records: t }
    }, /is not registered for model/],
    ['signature over other data', (r) => {
      const t = tamper(r)
      t[0]!.signature = signInferenceResult(KEYS[19]!.privateKey, { modelCid: 'bafkother', mode: t[0]!.mode, inputHash: t[0]!.inputHash, outputHash: t[0]!.outputHash! }).signature
      return { records: t }
    }, /signature recovers to/],
    ['evidence of a mode this node cannot verify', (r) => { const t = tamper(r); t[0]!.mode = 7 as ModelInferenceMode; return { records: t } }, /cannot verify/],
    ['VANILLA evidence relabelled as TEE', (r) => { const t = tamper(r); t[0]!.mode = ModelInferenceMode.TEE; return { records: t } }, /signature recovers to|MISSING_ATTESTATION/],
    ['records changed without a new commitment', (r) => { const t = tamper(r); t[0]!.output!.numbers[0]!.values[0]!.value += 1n; return { records: t, recommit: false } }, /do not match the commitment/],
  ]

  it.each(cases)('rejects a block with %s, and stays on its head', async (_name, change, reason) => {
    const head = follower.head.hash()
    const original = decodeRecords(inferenceBlock.records)
    const { records, recommit } = change(original)
    const forged = withRecords(inferenceBlock, records, recommit ?? true)
    await expect(importer.import(forged.block, forged.records, forged.seal)).rejects.toThrow(reason)
    expect(follower.head.hash()).toEqual(head)
  })

  it('rejects blocks not sealed by the chain\'s sealer, whatever else is right about them', async () => {
    const head = follower.head.hash()
    const { block, records, seal } = inferenceBlock
    const opts = { common: follower.common, setHardfork: false }
    const sealedBy = (key: Hex) => sealBlock(block, hexToBytes(key))
    await expect(importer.import(block, records, sealedBy(KEYS[3]!.privateKey))).rejects.toThrow(/not sealed by the chain's sealer: sealed by 0x[0-9a-f]{40}, not by/)
    const flipped = seal.slice()
    flipped[10]! ^= 1
    await expect(importer.import(block, records, flipped)).rejects.toThrow(/not sealed by the chain's sealer/)
    const changed = new Block(createBlockHeader({ ...block.header.toJSON(), timestamp: block.header.timestamp + 1n }, opts), block.transactions, [], [], opts)
    await expect(importer.import(changed, records, seal)).rejects.toThrow(/not sealed by the chain's sealer/)
    await expect(importer.import(block, records, new Uint8Array())).rejects.toThrow(/the seal is 0 bytes/)
    expect(follower.head.hash()).toEqual(head)
  })

  it('then imports the valid block and the rest, reaching the producer head', async () => {
    for (let n = inferenceBlock.block.header.number; n <= producer.chain.head.header.number; n++) {
      const { block, records, seal } = await blockAt(n)
      await importer.import(block, records, seal)
    }
    expect(follower.head.hash()).toEqual(producer.chain.head.hash())
    expect(follower.head.header.stateRoot).toEqual(producer.chain.head.header.stateRoot)
    expect(await follower.recordsOf(inferenceBlock.block.hash())).toHaveLength(2)
  })
})
