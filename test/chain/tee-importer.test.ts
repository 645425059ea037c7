/**
 * TEE mode end to end inside one process: a contract gets a TEE result in the same transaction
 * (dev enclave behind a real inference node, attestation checked by the producer before use), a
 * follower verifies every attestation at import without running a model and reaches the same state,
 * and every listed forgery is rejected at import with its own reason, leaving the follower on its head.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Block, createBlockHeader } from '@ethereumjs/block'
import { bytesToHex as ethBytesToHex, hexToBytes } from '@ethereumjs/util'
import { bytesToHex, encodeFunctionData, type Address, type Hex } from 'viem'
import { Chain } from '../../src/chain/chain.js'
import { devAccounts, devSealer } from '../../src/chain/dev-accounts.js'
import { BlockImporter } from '../../src/chain/importer.js'
import { SEAL_ATTACHMENT, sealBlock } from '../../src/chain/seal.js'
import { compileContracts, getContract } from '../../src/contracts/compile.js'
import { hashModelOutput } from '../../src/evm/abi.js'
import { decodeRecords, encodeRecords, recordsCommitment } from '../../src/evm/record-codec.js'
import type { InferenceRecord } from '../../src/evm/records.js'
import { InferenceSession } from '../../src/evm/session.js'
import { PrecomputedProvider, ResultCache } from '../../src/evm/providers.js'
import { InferencePipeline } from '../../src/chain/pipeline.js'
import { runTx } from '@ethereumjs/vm'
import { ModelInferenceMode, type InferenceProvider, type ModelInferenceRequest } from '../../src/evm/types.js'
import { HubClient } from '../../src/hub/client.js'
import { startHubServer } from '../../src/hub/server.js'
import { DiskModelStore } from '../../src/hub/store.js'
import { InferenceNodeClient } from '../../src/inference/client.js'
import { startInferenceNode, type InferenceNode } from '../../src/inference/service.js'
import { buildDemoModel } from '../../src/models/index.js'
import { FullNode } from '../../src/node.js'
import { connect } from '../../src/sdk/chain.js'
import { isTeeMeasurementAllowed, registerInferenceNode, registerModel, setTeeMeasurementAllowed } from '../../src/sdk/registry.js'
import { DevEnclave, generateAuthority, type TeeBinding } from '../../src/tee/index.js'
import { defaultVerifiers } from '../../src/verify/index.js'
import { signInferenceResult } from '../../src/verify/vanilla.js'
import { TEST_IMAGE } from '../tee/helpers.js'
import { signedTransfer, tempDir, testGenesis } from './helpers.js'

const KEYS = devAccounts(20)
const NODE_KEY = KEYS[19]!.privateKey
const tmp = tempDir('inferchain-tee-import-')
const enclave = DevEnclave.create({ image: TEST_IMAGE })
interface Bundle { block: Block; records: Uint8Array; seal: Uint8Array }

let producer: FullNode
let hub: { url: string; close(): Promise<void> }
let inference: InferenceNode
let follower: Chain
let importer: BlockImporter
let cid: string
let consumer: Address
let consumerAbi: ReturnType<typeof getContract>['abi']
let owner: Awaited<ReturnType<typeof connect>>
/** Two blocks with one TEE record each: the same model and input, so they differ only in the request. */
let earlier: Bundle
let tee: Bundle
let teeOutput: readonly bigint[]

const INPUT = Array.from({ length: 16 }, (_, i) => BigInt((i - 7) * 125_000))
const teeRequest = (mode = ModelInferenceMode.TEE) => ({
  mode,
  modelCID: cid,
  input: { numbers: [{ name: 'input', values: INPUT.map((value) => ({ value, decimals: 6n })), shape: [1, 16] }], strings: [] },
})

async function bundleOf(chain: Chain, n: bigint): Promise<Bundle> {
  const block = (await chain.store.blockByNumber(n))!
  const attachment = (kind: string) => chain.store.attachment(kind, block.hash())
  return { block, records: (await attachment('records')) ?? new Uint8Array(), seal: (await attachment(SEAL_ATTACHMENT))! }
}

const recordsOf = (b: Bundle): InferenceRecord[] => (b.records.length ? decodeRecords(b.records) : [])

/** The same block with other records, recommitted and sealed again: the forger is the producer itself. */
function withRecords(original: Bundle, records: InferenceRecord[]): Bundle {
  const encoded = encodeRecords(records)
  const header = createBlockHeader({ ...original.block.header.toJSON(), extraData: recordsCommitment(encoded, records.length) }, { common: follower.common, setHardfork: false })
  const block = new Block(header, original.block.transactions, [], [], { common: follower.common })
  return { block, records: encoded, seal: sealBlock(block, hexToBytes(devSealer().privateKey)) }
}

async function sendConsumer(args: unknown[], functionName = 'runInference'): Promise<{ status: string; blockNumber: bigint }> {
  const data = encodeFunctionData({ abi: consumerAbi, functionName, args } as never)
  const hash = await owner.walletClient!.sendTransaction({ to: consumer, data, gas: 3_000_000n, account: owner.account!, chain: owner.chain })
  return owner.publicClient.waitForTransactionReceipt({ hash })
}

beforeAll(async () => {
  const genesis = await testGenesis()
  producer = await FullNode.start({ dataDir: join(tmp.dir, 'producer'), genesis, automine: true, rpcPort: 0 })
  hub = await startHubServer({ store: new DiskModelStore(join(tmp.dir, 'hub')), port: 0 })
  inference = await startInferenceNode({ privateKey: NODE_KEY, hubUrl: hub.url, cacheDir: join(tmp.dir, 'cache'), tee: enclave })
  const uploaded = await new HubClient(hub.url).upload(buildDemoModel())
  cid = uploaded.cid
  owner = await connect({ rpcUrl: producer.rpc.url, privateKey: KEYS[0]!.privateKey })
  // Dev account #0 owns the model and is NodeRegistry's admin on devnets.
  const admin = { publicClient: owner.publicClient, walletClient: owner.walletClient! }
  await registerModel(admin, uploaded.metadata, [ModelInferenceMode.VANILLA, ModelInferenceMode.TEE])
  const operator = await connect({ rpcUrl: producer.rpc.url, privateKey: NODE_KEY })
  await registerInferenceNode(
    { publicClient: operator.publicClient, walletClient: operator.walletClient! },
    { endpoint: inference.url, models: [cid], modes: inference.modes, enclaveKey: inference.tee!.enclaveKey },
  )
  await setTeeMeasurementAllowed(admin, enclave.measurement, true)
  const compiled = getContract(await compileContracts(), 'DemoConsumer')
  consumerAbi = compiled.abi
  const deployed = await owner.walletClient!.deployContract({ abi: compiled.abi, bytecode: compiled.bytecode, account: owner.account!, chain: owner.chain })
  consumer = (await owner.publicClient.waitForTransactionReceipt({ hash: deployed })).contractAddress!

  const first = await sendConsumer([teeRequest()])
  expect(first.status).toBe('success')
  earlier = await bundleOf(producer.chain, first.blockNumber)
  const second = await sendConsumer([teeRequest()])
  expect(second.status).toBe('success')
  tee = await bundleOf(producer.chain, second.blockNumber)
  teeOutput = (await owner.publicClient.readContract({ address: consumer, abi: consumerAbi, functionName: 'lastValues' } as never)) as bigint[]

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

describe('TEE mode, produced and imported', () => {
  it('gives the contract the enclave-attested result in the same transaction, recorded with its attestation', async () => {
    // The same model run in VANILLA mode gives the same output: TEE changes the evidence, not the result.
    expect(teeOutput).toHaveLength(4)
    const vanilla = await owner.publicClient.simulateContract({ address: consumer, abi: consumerAbi, functionName: 'runInference', args: [teeRequest(ModelInferenceMode.VANILLA)], account: owner.account! } as never)
    expect(((vanilla.result as unknown as { numbers: Array<{ values: Array<{ value: bigint }> }> }).numbers[0]!.values.map((v) => v.value))).toEqual(teeOutput)
    const [a] = recordsOf(earlier)
    const [b] = recordsOf(tee)
    for (const record of [a!, b!]) {
      expect(record).toMatchObject({ status: 'ok', mode: ModelInferenceMode.TEE, modelCid: cid, node: inference.address })
      expect(record.attestation).toMatch(/^0x84/) // a 4-item CBOR array: COSE_Sign1
    }
    // One attestation per request: same model, input and output, different documents.
    expect(a!.outputHash).toBe(b!.outputHash)
    expect(a!.requestId).not.toBe(b!.requestId)
    expect(a!.attestation).not.toBe(b!.attestation)
  })

  it('a follower verifies each attestation at import and replays up to the TEE block without running a model', async () => {
    const runs = inference.stats().inferences
    for (let n = 1n; n < tee.block.header.number; n++) {
      const { block, records, seal } = await bundleOf(producer.chain, n)
      expect(await importer.import(block, records, seal)).toBe('imported')
    }
    expect(inference.stats().inferences).toBe(runs)
  })

  const sign = (r: InferenceRecord) => signInferenceResult(NODE_KEY, { modelCid: r.modelCid, mode: r.mode, inputHash: r.inputHash, outputHash: r.outputHash! })
  const bindingOf = (r: InferenceRecord, over: Partial<TeeBinding> = {}): TeeBinding => ({
    chainId: BigInt(producer.chain.chainId), requestId: r.requestId, modelCid: r.modelCid, inputHash: r.inputHash, outputHash: r.outputHash!, ...over,
  })
  const attest = (r: InferenceRecord, over: Partial<TeeBinding> = {}, overrides: Parameters<DevEnclave['attest']>[1] = {}) =>
    bytesToHex(enclave.attest(bindingOf(r, over), overrides))
  const blockMs = () => Number(tee.block.header.timestamp) * 1000
  const other: Hex = `0x${'5a'.repeat(32)}`

  const cases: Array<[string, (r: InferenceRecord) => void, RegExp]> = [
    ['a wrong COSE signature', (r) => { r.attestation = `${r.attestation!.slice(0, -2)}${r.attestation!.endsWith('00') ? '01' : '00'}` as Hex }, /BAD_ATTESTATION_SIGNATURE/],
    ['a certificate chain to an unknown root', (r) => { r.attestation = bytesToHex(DevEnclave.create({ image: TEST_IMAGE, authority: generateAuthority() }).attest(bindingOf(r))) }, /UNKNOWN_ROOT/],
    ['an expired certificate', (r) => { r.attestation = attest(r, {}, { leaf: enclave.issueLeaf({ notBefore: blockMs() - 7_200_000, notAfter: blockMs() - 1000 }) }) }, /CERTIFICATE_EXPIRED/],
    ['a certificate not valid yet', (r) => { r.attestation = attest(r, {}, { leaf: enclave.issueLeaf({ notBefore: blockMs() + 60_000, notAfter: blockMs() + 7_200_000 }) }) }, /CERTIFICATE_NOT_YET_VALID/],
    ['a measurement not on the allowlist', (r) => { r.attestation = attest(r, {}, { pcr0: new Uint8Array(48).fill(7) }) }, /MEASUREMENT_NOT_ALLOWED/],
    ['user_data bound to another output (output changed, re-signed by the node key)', (r) => {
      r.output!.numbers[0]!.values[0]!.value += 1n
      r.outputHash = hashModelOutput(r.output!)
      r.signature = sign(r).signature
    }, /BINDING_MISMATCH/],
    ['user_data bound to another input', (r) => { r.attestation = attest(r, { inputHash: other }) }, /BINDING_MISMATCH/],
    ['user_data bound to another model', (r) => { r.attestation = attest(r, { modelCid: 'bafkreiothermodel' }) }, /BINDING_MISMATCH/],
    ['user_data bound to another chain', (r) => { r.attestation = attest(r, { chainId: 1n }) }, /BINDING_MISMATCH/],
    ['the attestation of an earlier request (same model, input and output)', (r) => { r.attestation = recordsOf(earlier)[0]!.attestation }, /ATTESTATION_REPLAY/],
    ['a truncated document', (r) => { r.attestation = r.attestation!.slice(0, 2 + 2 * 700) as Hex }, /MALFORMED_ATTESTATION/],
    ['a malformed CBOR document', (r) => { r.attestation = '0x84ff00aa' }, /MALFORMED_ATTESTATION/],
    ['an attestation that is not hex', (r) => { (r as { attestation: unknown }).attestation = { cose: r.attestation } }, /MALFORMED_ATTESTATION/],
    ['no attestation at all', (r) => { delete r.attestation }, /MISSING_ATTESTATION/],
    ['an attestation from an enclave the node did not register', (r) => { r.attestation = bytesToHex(DevEnclave.create({ image: TEST_IMAGE }).attest(bindingOf(r))) }, /ENCLAVE_KEY_MISMATCH/],
  ]

  it.each(cases)('rejects a block whose TEE record has %s, and stays on its head', async (_name, change, reason) => {
    const head = follower.head.hash()
    const records = structuredClone(recordsOf(tee))
    change(records[0]!)
    const forged = withRecords(tee, records)
    await expect(importer.import(forged.block, forged.records, forged.seal)).rejects.toThrow(reason)
    expect(follower.head.hash()).toEqual(head)
  })

  it('then imports the genuine TEE block and the rest, reaching the producer\'s head and state root', async () => {
    for (let n = tee.block.header.number; n <= producer.chain.head.header.number; n++) {
      const { block, records, seal } = await bundleOf(producer.chain, n)
      await importer.import(block, records, seal)
    }
    expect(follower.head.hash()).toEqual(producer.chain.head.hash())
    expect(follower.head.header.stateRoot).toEqual(producer.chain.head.header.stateRoot)
    expect(await follower.recordsOf(tee.block.hash())).toEqual(recordsOf(tee))
  })
})

describe('a measurement withdrawn by governance', () => {
  it('turns a TEE result prepared before the withdrawal stale: the producer prepares the transaction again', async () => {
    const pipeline = new InferencePipeline(producer.chain, producer.dispatcher, new ResultCache())
    const data = encodeFunctionData({ abi: consumerAbi, functionName: 'runInference', args: [teeRequest()] } as never)
    const tx = signedTransfer(producer.chain.common, { from: 1, to: consumer, nonce: 0n, value: 0n, gasLimit: 3_000_000n, data, maxFeePerGas: 10n ** 11n })
    const txHash = ethBytesToHex(tx.hash()) as Hex
    const { book } = await pipeline.prepare((vm, env) => runTx(vm, { tx, block: env, skipNonce: true, skipBalance: true, skipHardForkValidation: true }), { txHash, rounds: 1 })
    const session = () => new InferenceSession(new PrecomputedProvider(book), txHash)
    // Still usable while the registry is unchanged: a dry run executes it with the prepared result.
    const dry = await producer.chain.exclusive(() => producer.chain.executeOnHead(producer.chain.nextBlockEnv(), [tx], session, async () => false))
    expect(dry.outcome.executed.map((e) => e.records[0]?.mode)).toEqual([ModelInferenceMode.TEE])

    await setTeeMeasurementAllowed({ publicClient: owner.publicClient, walletClient: owner.walletClient! }, enclave.measurement, false)
    const produced = await producer.chain.exclusive(() => producer.chain.produceBlock([tx], session))
    expect(produced.outcome.missed).toEqual([tx])
    expect(produced.records).toEqual([])
  })

  it('makes the producer refuse the enclave\'s results, and importers reject a block that uses one anyway', async () => {
    expect(await isTeeMeasurementAllowed(owner.publicClient, enclave.measurement)).toBe(false)
    // The producer checks evidence as importers will: the call fails instead of producing a bad block.
    const refused = await sendConsumer([teeRequest()])
    expect(refused.status).toBe('reverted')
    const records = recordsOf(await bundleOf(producer.chain, refused.blockNumber))
    expect(records[0]).toMatchObject({ status: 'error', errorCode: 'NODE_UNAVAILABLE' })
    expect(records[0]!.errorReason).toContain('MEASUREMENT_NOT_ALLOWED')

    // A producer that skips the check: a chain at the same head builds and seals a block with a TEE
    // result from the same enclave, attested for exactly this request.
    const forger = await Chain.open({ dataDir: join(tmp.dir, 'forger'), genesis: await testGenesis(), sealerKey: devSealer().privateKey })
    try {
      const forgerImporter = new BlockImporter(forger, defaultVerifiers())
      const syncer = new BlockImporter(follower, defaultVerifiers())
      for (let n = 1n; n <= producer.chain.head.header.number; n++) {
        const b = await bundleOf(producer.chain, n)
        await forgerImporter.import(b.block, b.records, b.seal)
        if (n > follower.head.header.number) await syncer.import(b.block, b.records, b.seal)
      }
      const nonce = await owner.publicClient.getTransactionCount({ address: KEYS[0]!.address })
      const data = encodeFunctionData({ abi: consumerAbi, functionName: 'runInference', args: [teeRequest()] } as never)
      const tx = signedTransfer(forger.common, { to: consumer, nonce: BigInt(nonce), value: 0n, gasLimit: 3_000_000n, data, maxFeePerGas: 10n ** 11n })
      const client = new InferenceNodeClient(inference.url)
      const provider: InferenceProvider = {
        resolve: async (request: ModelInferenceRequest, _inputHash, context) => ({
          kind: 'result',
          result: await client.infer(request, { binding: { requestId: context.requestId, chainId: forger.chainId } }),
        }),
      }
      const produced = await forger.exclusive(() => forger.produceBlock([tx], (t) => new InferenceSession(provider, ethBytesToHex(t.hash()) as Hex)))
      expect(produced.records[0]).toMatchObject({ status: 'ok', mode: ModelInferenceMode.TEE })
      const forged = await bundleOf(forger, produced.block.header.number)
      const head = follower.head.hash()
      await expect(importer.import(forged.block, forged.records, forged.seal)).rejects.toThrow(/MEASUREMENT_NOT_ALLOWED/)
      expect(follower.head.hash()).toEqual(head)
    } finally {
      await forger.close()
    }
  })
})
