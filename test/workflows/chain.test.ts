/**
 * Scheduled workflows on a real chain: an automining producer with a real inference node runs a
 * PriceForecastWorkflow every 3 s until its end time (blocks made for it, calls first in their
 * block, inferences dispatched through PIPE), a failing task beside it changes nothing for block
 * production, and a second chain importing every block — recomputing the due calls — reaches the
 * same state root; a block missing a due call or carrying a forged runner transaction is rejected.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Block } from '@ethereumjs/block'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { encodeFunctionData, type Address, type Hex } from 'viem'
import { Chain } from '../../src/chain/chain.js'
import { BlockImporter } from '../../src/chain/importer.js'
import { devAccounts, devSealer } from '../../src/chain/dev-accounts.js'
import { SEAL_ATTACHMENT, sealBlock } from '../../src/chain/seal.js'
import { compileContracts, getContract } from '../../src/contracts/compile.js'
import { HubClient } from '../../src/hub/client.js'
import { startHubServer } from '../../src/hub/server.js'
import { DiskModelStore } from '../../src/hub/store.js'
import { startInferenceNode, type InferenceNode } from '../../src/inference/service.js'
import { buildDemoModel } from '../../src/models/index.js'
import { FullNode } from '../../src/node.js'
import { OG_HISTORICAL_ADDRESS, WORKFLOW_CALL_GAS_LIMIT, WORKFLOW_SCHEDULER_ADDRESS } from '../../src/params.js'
import { connect } from '../../src/sdk/chain.js'
import { registerInferenceNode, registerModel } from '../../src/sdk/registry.js'
import { defaultVerifiers } from '../../src/verify/index.js'
import { ogHistoricalAbi, workflowSchedulerAbi } from '../../src/workflows/abi.js'
import { workflowRunner } from '../../src/workflows/runner.js'
import { tempDir, testGenesis } from '../chain/helpers.js'

const KEYS = devAccounts(20)
const FREQUENCY = 3n
const tmp = tempDir('inferchain-workflows-')
let producer: FullNode
let hub: { url: string; close(): Promise<void> }
let inference: InferenceNode
let owner: Awaited<ReturnType<typeof connect>>
let cid: string
const logs: string[] = []

beforeAll(async () => {
  const genesis = await testGenesis()
  producer = await FullNode.start({ dataDir: join(tmp.dir, 'producer'), genesis, automine: true, rpcPort: 0, log: (m) => logs.push(m) })
  hub = await startHubServer({ store: new DiskModelStore(join(tmp.dir, 'hub')), port: 0 })
  inference = await startInferenceNode({ privateKey: KEYS[19]!.privateKey, hubUrl: hub.url, cacheDir: join(tmp.dir, 'cache') })
  const uploaded = await new HubClient(hub.url).upload(buildDemoModel())
  cid = uploaded.cid
  owner = await connect({ rpcUrl: producer.rpc.url, privateKey: KEYS[0]!.privateKey })
  await registerModel({ publicClient: owner.publicClient, walletClient: owner.walletClient! }, uploaded.metadata)
  const operator = await connect({ rpcUrl: producer.rpc.url, privateKey: KEYS[19]!.privateKey })
  await registerInferenceNode({ publicClient: operator.publicClient, walletClient: operator.walletClient! }, { endpoint: inference.url, models: [cid] })
}, 180_000)

afterAll(async () => {
  await inference?.close()
  await hub?.close()
  await producer?.stop()
  tmp.remove()
})

async function send(to: Address, data: Hex, value = 0n): Promise<void> {
  const hash = await owner.walletClient!.sendTransaction({ to, data, value, gas: 5_000_000n, account: owner.account!, chain: owner.chain })
  const receipt = await owner.publicClient.waitForTransactionReceipt({ hash })
  expect(receipt.status).toBe('success')
}

async function deployWorkflow(base: string): Promise<Address> {
  const { abi, bytecode } = getContract(await compileContracts(), 'PriceForecastWorkflow')
  const hash = await owner.walletClient!.deployContract({ abi, bytecode, args: [WORKFLOW_SCHEDULER_ADDRESS, OG_HISTORICAL_ADDRESS, cid, base, 'USD', 60], account: owner.account!, chain: owner.chain })
  return (await owner.publicClient.waitForTransactionReceipt({ hash })).contractAddress!
}

const task = (id: bigint) => owner.publicClient.readContract({ address: WORKFLOW_SCHEDULER_ADDRESS, abi: workflowSchedulerAbi, functionName: 'getTask', args: [id] })

describe('scheduled workflows on a producing chain', () => {
  it('run at the right blocks until the end time, keep readable results, survive a failing task, and import on a second chain', async () => {
    const candles = Array.from({ length: 20 }, (_, i) => ({ timestamp: BigInt(i + 1), open: 0n, high: 0n, low: 0n, close: BigInt(3_000 + 10 * i) * 10n ** 8n, volume: 0n }))
    await send(OG_HISTORICAL_ADDRESS, encodeFunctionData({ abi: ogHistoricalAbi, functionName: 'pushCandles', args: ['ETH', 'USD', 60, candles] }))
    const forecast = await deployWorkflow('ETH')
    const failing = await deployWorkflow('BTC') // no BTC candles: every run reverts
    const now = BigInt(Math.floor(Date.now() / 1000))
    const register = (executor: Address) =>
      send(WORKFLOW_SCHEDULER_ADDRESS, encodeFunctionData({ abi: workflowSchedulerAbi, functionName: 'registerTask', args: [executor, now + 3n * FREQUENCY, FREQUENCY] }), 10n ** 17n)
    await register(forecast)
    await register(failing)
    const end = now + 3n * FREQUENCY
    // Runs on the grid createdAt, createdAt + F, ... up to the end time.
    const runsOf = async (id: bigint) => Number((end - (await task(id)).createdAt) / FREQUENCY + 1n)
    const start = (await task(0n)).createdAt
    const expectedRuns = BigInt(await runsOf(0n))
    const expectedFailures = await runsOf(1n)
    // Nothing but the scheduler makes blocks from here on (automine has no transactions to mine).
    const deadline = Date.now() + 60_000
    while ((await task(0n)).active || (await task(1n)).active) {
      expect(Date.now()).toBeLessThan(deadline)
      await new Promise((r) => setTimeout(r, 200))
    }
    const [ok, bad] = [await task(0n), await task(1n)]
    expect(ok).toMatchObject({ runs: Number(expectedRuns), failures: 0, active: false })
    expect(bad).toMatchObject({ runs: 0, failures: expectedFailures, active: false })

    // Every call opened its block, from the runner, after its slot and before the next one's.
    const chain = producer.chain
    const runner = workflowRunner(chain.chainId).address.toLowerCase()
    const callBlocks: Block[] = []
    for (let n = 1n; n <= chain.head.header.number; n++) {
      const block = (await chain.store.blockByNumber(n))!
      const fromRunner = block.transactions.map((tx) => tx.getSenderAddress().toString().toLowerCase() === runner)
      if (!fromRunner.includes(true)) continue
      expect(fromRunner.slice(0, fromRunner.lastIndexOf(true) + 1).every(Boolean)).toBe(true)
      expect(block.transactions.filter((_, i) => fromRunner[i]).every((tx) => tx.gasLimit === WORKFLOW_CALL_GAS_LIMIT)).toBe(true)
      callBlocks.push(block)
    }
    const runnerTxs = callBlocks.flatMap((b) => b.transactions.filter((tx) => tx.getSenderAddress().toString().toLowerCase() === runner))
    expect(runnerTxs).toHaveLength(Number(expectedRuns) + expectedFailures)
    const runTask0 = encodeFunctionData({ abi: workflowSchedulerAbi, functionName: 'runTask', args: [0n] })
    const task0Blocks = callBlocks.filter((b) => b.transactions.some((tx) => bytesToHex(tx.data) === runTask0))
    expect(task0Blocks).toHaveLength(Number(expectedRuns))
    for (const [k, block] of task0Blocks.entries()) {
      const parent = (await chain.store.blockByNumber(block.header.number - 1n))!
      // Not before its slot; and no slot was skipped (the next slot had not come when it ran).
      expect(parent.header.timestamp).toBeGreaterThanOrEqual(start + BigInt(k) * FREQUENCY)
      expect(parent.header.timestamp).toBeLessThan(start + BigInt(k + 1) * FREQUENCY)
    }

    // The results: one per successful run, the same as the inference records of the calls.
    const { abi } = getContract(await compileContracts(), 'PriceForecastWorkflow')
    const results = (await owner.publicClient.readContract({ address: forecast, abi, functionName: 'getLastInferenceResults', args: [100n] })) as Array<{ numbers: Array<{ values: Array<{ value: bigint }>; shape: number[] }> }>
    expect(results).toHaveLength(Number(expectedRuns))
    const records = (await Promise.all(callBlocks.map((b) => chain.recordsOf(b.hash())))).flat()
    const okRecords = records.filter((r) => r.status === 'ok')
    expect(records.filter((r) => r.status !== 'ok')).toEqual([]) // the failing task fails before asking for a model
    expect(okRecords).toHaveLength(Number(expectedRuns))
    expect(results.map((r) => r.numbers[0]!.values.map((v) => v.value))).toEqual(okRecords.map((r) => r.output!.numbers[0]!.values.map((v) => v.value)))
    expect(results[0]!.numbers[0]!.shape).toEqual([1, 4])
    expect(logs.some((l) => /workflow task 1 failed/.test(l))).toBe(true)

    // A second chain imports every block, recomputing the due calls from each parent.
    const follower = await Chain.open({ dataDir: join(tmp.dir, 'follower'), genesis: await testGenesis() })
    try {
      const importer = new BlockImporter(follower, defaultVerifiers())
      const bundle = async (n: bigint) => {
        const block = (await chain.store.blockByNumber(n))!
        return { block, records: (await chain.store.attachment('records', block.hash())) ?? new Uint8Array(), seal: (await chain.store.attachment(SEAL_ATTACHMENT, block.hash()))! }
      }
      const firstCall = callBlocks[0]!.header.number
      for (let n = 1n; n < firstCall; n++) {
        const b = await bundle(n)
        await importer.import(b.block, b.records, b.seal)
      }
      // Forged by the sealer itself: the block without its due calls, and one with an extra runner transaction.
      const original = await bundle(firstCall)
      const resealed = (txs: typeof original.block.transactions) => {
        const block = new Block(original.block.header, txs, [], [], { common: follower.common })
        return { block, seal: sealBlock(block, hexToBytes(devSealer().privateKey)) }
      }
      const missing = resealed(original.block.transactions.slice(1))
      await expect(importer.import(missing.block, original.records, missing.seal)).rejects.toThrow(/is not the scheduled workflow call of task|lacks scheduled workflow call/)
      const extraTx = createFeeMarket1559Tx(
        { nonce: 9n, to: WORKFLOW_SCHEDULER_ADDRESS, data: '0x', gasLimit: 50_000n, maxFeePerGas: 10n ** 10n, chainId: follower.chainId },
        { common: follower.common },
      ).sign(hexToBytes(workflowRunner(follower.chainId).privateKey))
      const extra = resealed([...original.block.transactions, extraTx])
      await expect(importer.import(extra.block, original.records, extra.seal)).rejects.toThrow(/from the workflow runner but is not a scheduled call/)
      for (let n = firstCall; n <= chain.head.header.number; n++) {
        const b = await bundle(n)
        expect(await importer.import(b.block, b.records, b.seal)).toBe('imported')
      }
      expect(bytesToHex(follower.head.header.stateRoot)).toBe(bytesToHex(chain.head.header.stateRoot))
    } finally {
      await follower.close()
    }
  }, 120_000)

  it('refuses a transaction signed with the runner key at the door', async () => {
    const { publicClient } = owner
    const runner = workflowRunner(producer.chain.chainId)
    const tx = createFeeMarket1559Tx(
      { nonce: 0n, to: WORKFLOW_SCHEDULER_ADDRESS, data: '0x', gasLimit: 50_000n, maxFeePerGas: 10n ** 10n, chainId: producer.chain.chainId },
      { common: producer.chain.common },
    ).sign(hexToBytes(runner.privateKey))
    await expect(publicClient.request({ method: 'eth_sendRawTransaction' as never, params: [bytesToHex(tx.serialize())] as never })).rejects.toThrow(/workflow runner/)
  })
})
