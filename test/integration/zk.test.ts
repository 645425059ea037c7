/**
 * ZK mode across real processes: a devnet (producer + one follower), the demo model registered for
 * ZK with `inferchain model zk-register` (circuit, keys, verifier contract, ZkInferences entry), and
 * an `inferchain inference-node --zk`. A contract gets a ZK-mode result in its transaction; the
 * record is pending; the inference node proves it and submits the proof within the deadline; the
 * producer and the follower — which runs no model and imports the proof's block like any other —
 * both report the record verified.
 *
 * The registrant's circuit and keys come from the project's .cache/zk (made by the test/zk suites,
 * or here once); registration publishes them to the hub and records their CIDs in ModelRegistry,
 * and the inference node starts on a fresh ZK cache: it fetches them by CID. Then the node is
 * restarted between answering and proving: the proof still arrives.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeEventLog, type Abi, type Hex } from 'viem'
import { compileContracts, getContract } from '../../src/contracts/compile.js'
import { zkInferencesAbi } from '../../src/contracts/system.js'
import { ModelInferenceMode } from '../../src/evm/types.js'
import type { InferenceNodeReady } from '../../src/devnet.js'
import { ZK_INFERENCES_ADDRESS, ZK_PROOF_DEADLINE_BLOCKS } from '../../src/params.js'
import { tempDir } from '../chain/helpers.js'
import { cli, devnetClients, rpc, startDevnet, until, type RunningDevnet } from './processes.js'
import type { ReadyChild } from '../../src/cli/child.js'

interface RpcRecord {
  requestId: Hex
  mode: string
  status: string
  blockNumber: Hex
  output: { numbers: Array<{ values: Array<{ value: string; decimals: string }> }> }
  verification: { status: string; evidence: string; dueBlock?: Hex; signer?: Hex; reason?: string }
}

let devnet: RunningDevnet
let consumer: { abi: Abi; bytecode: Hex }
let prover: ReadyChild<InferenceNodeReady>
const cache = tempDir('inferchain-zk-node-')
/** The inference node's own ZK cache: empty at start, so the registered keys must come from the hub. */
const zkCache = tempDir('inferchain-zk-prover-cache-')
let artifacts: { zkeyCid: string; vkeyCid: string; wasmCid: string; r1csCid: string; ptauSha256: Hex }

/** The ZK inference node (dev account #10) on the fresh ZK cache; `confirmations` delays its proofs. */
function startProver(confirmations = 0): Promise<ReadyChild<InferenceNodeReady>> {
  const { info } = devnet
  return cli<InferenceNodeReady>(
    ['inference-node', '--zk', '--json', '--rpc-url', info.rpcUrl, '--hub-url', info.hubUrl, '--port', '0', '--cache-dir', cache.dir, '--model', info.demoModel.cid],
    { INFERCHAIN_PRIVATE_KEY: info.accounts[10]!.privateKey, INFERCHAIN_ZK_CACHE: zkCache.dir, INFERCHAIN_ZK_CONFIRMATIONS: String(confirmations) },
  )
}

/** A ZK request of the demo model from a fresh DemoConsumer; returns the transaction's record. */
async function zkCall(offset: number): Promise<{ hash: Hex; record: RpcRecord; address: Hex }> {
  const { info } = devnet
  const { chain, account, publicClient, walletClient } = devnetClients(info, 2)
  const deployed = await walletClient.deployContract({ abi: consumer.abi, bytecode: consumer.bytecode, account, chain })
  const address = (await publicClient.waitForTransactionReceipt({ hash: deployed })).contractAddress!
  const request = {
    mode: ModelInferenceMode.ZK,
    modelCID: info.demoModel.cid,
    input: { numbers: [{ name: 'input', values: Array.from({ length: 16 }, (_, i) => ({ value: BigInt((i - 8) * 50_000 + offset), decimals: 6n })), shape: [1, 16] }], strings: [] },
  }
  const hash = await walletClient.writeContract({ address, abi: consumer.abi, functionName: 'runInference', args: [request], account, chain, gas: 5_000_000n })
  expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe('success')
  const [record] = await rpc<RpcRecord[]>(info.rpcUrl, 'inference_getRecordsByTransaction', [hash])
  return { hash, record: record!, address }
}

beforeAll(async () => {
  ;[devnet, consumer] = await Promise.all([startDevnet(['--followers', '1']), compileContracts().then((c) => getContract(c, 'DemoConsumer'))])
  const { info } = devnet
  // The model's owner (dev account #0, which registered the demo model) registers it for ZK.
  const registered = await cli<{ verifier: Hex; descriptor: { modelCommitment: Hex; constraints: number }; artifacts: typeof artifacts }>(
    ['model', 'zk-register', info.demoModel.cid, '--json', '--rpc-url', info.rpcUrl, '--hub-url', info.hubUrl],
    { INFERCHAIN_PRIVATE_KEY: info.accounts[0]!.privateKey },
  ).then((child) => child.ready)
  expect(registered.descriptor.constraints).toBeGreaterThan(1000)
  artifacts = registered.artifacts
  prover = await startProver()
}, 600_000)

afterAll(async () => {
  await prover?.stop()
  await devnet?.stop()
  cache.remove()
  zkCache.remove()
})

describe('ZK mode on a devnet', () => {
  it('a contract gets a ZK result at once; the proof arrives in time; producer and follower mark it verified', async () => {
    const { info } = devnet
    const { chain, account, publicClient, walletClient } = devnetClients(info, 2)
    const deployed = await walletClient.deployContract({ abi: consumer.abi, bytecode: consumer.bytecode, account, chain })
    const address = (await publicClient.waitForTransactionReceipt({ hash: deployed })).contractAddress!
    const request = {
      mode: ModelInferenceMode.ZK,
      modelCID: info.demoModel.cid,
      input: { numbers: [{ name: 'input', values: Array.from({ length: 16 }, (_, i) => ({ value: BigInt((i - 8) * 50_000), decimals: 6n })), shape: [1, 16] }], strings: [] },
    }
    const hash = await walletClient.writeContract({ address, abi: consumer.abi, functionName: 'runInference', args: [request], account, chain, gas: 5_000_000n })
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')
    // The contract used the result in the same transaction: exact binary fixed point, 16 fraction bits.
    const stored = (await publicClient.readContract({ address, abi: consumer.abi, functionName: 'lastValues' })) as bigint[]
    expect(stored).toHaveLength(4)
    expect(await publicClient.readContract({ address, abi: consumer.abi, functionName: 'lastDecimals' })).toBe(16n)
    expect(stored.every((v) => v % 5n ** 16n === 0n)).toBe(true)

    const [record] = await rpc<RpcRecord[]>(info.rpcUrl, 'inference_getRecordsByTransaction', [hash])
    expect(record).toMatchObject({ mode: 'ZK', status: 'ok', verification: { evidence: 'zk-proof', signer: info.accounts[10]!.address } })
    expect(BigInt(record!.verification.dueBlock!)).toBe(BigInt(record!.blockNumber) + ZK_PROOF_DEADLINE_BLOCKS)
    expect(['pending', 'verified']).toContain(record!.verification.status)

    // The inference node proves and submits; the proof's transaction verifies it on chain.
    await until(async () => (await rpc<RpcRecord>(info.rpcUrl, 'inference_getRecord', [record!.requestId])).verification.status !== 'pending', 120_000)
    const proven = await rpc<RpcRecord>(info.rpcUrl, 'inference_getRecord', [record!.requestId])
    expect(proven.verification.status).toBe('verified')
    const logs = await publicClient.getLogs({ address: ZK_INFERENCES_ADDRESS, fromBlock: BigInt(record!.blockNumber), toBlock: 'latest' })
    const events = logs.map((l) => decodeEventLog({ abi: zkInferencesAbi, topics: l.topics, data: l.data }))
    const verified = events.find((e) => e.eventName === 'ZkProofVerified')
    expect(verified?.args).toMatchObject({ requestId: record!.requestId, node: info.accounts[10]!.address })
    const proofBlock = logs[events.indexOf(verified!)]!.blockNumber!
    expect(proofBlock).toBeLessThanOrEqual(BigInt(proven.verification.dueBlock!))

    // The follower imported every block, the proof's included, and reads the same status.
    const followerUrl = info.followers[0]!
    await until(async () => BigInt(await rpc<Hex>(followerUrl, 'eth_blockNumber')) >= proofBlock)
    const seen = await rpc<RpcRecord>(followerUrl, 'inference_getRecord', [record!.requestId])
    expect(seen.verification).toEqual(proven.verification)
    const status = await rpc<{ lastRejection?: string; inferencesDispatched: number }>(followerUrl, 'inferchain_nodeStatus')
    expect(status.lastRejection).toBeUndefined()
    expect(status.inferencesDispatched).toBe(0)
  })
  it('registration published the keys to the hub and ModelRegistry; the node fetched them into its empty cache', async () => {
    const { info } = devnet
    expect(artifacts.zkeyCid).toMatch(/^bafkrei/)
    const shown = await cli<{ cid: string; zkArtifacts: typeof artifacts }>(['model', 'info', info.demoModel.cid, '--json', '--rpc-url', info.rpcUrl, '--hub-url', info.hubUrl]).then((c) => c.ready)
    expect(shown.zkArtifacts).toEqual(artifacts)
    // The node's cache holds the published circuit and keys, never compiled nor set up there.
    const [circuit, ...moreCircuits] = readdirSync(join(zkCache.dir, 'circuits')).filter((n) => !n.includes('.'))
    expect(moreCircuits).toEqual([])
    expect(existsSync(join(zkCache.dir, 'circuits', circuit!, 'model.circom'))).toBe(false)
    expect(existsSync(join(zkCache.dir, 'circuits', circuit!, 'model_js', 'witness_calculator.js'))).toBe(false)
    const [setup] = readdirSync(join(zkCache.dir, 'setups')).filter((n) => !n.includes('.'))
    const manifest = JSON.parse(readFileSync(join(zkCache.dir, 'setups', setup!, 'setup.json'), 'utf8')) as { zkeyCid: string; setupSeconds: number }
    expect(manifest).toMatchObject({ zkeyCid: artifacts.zkeyCid, setupSeconds: 0 })
  })

  it('a node restarted between answering and proving still proves the record', async () => {
    const { info } = devnet
    await prover.stop()
    // This run answers but would prove only 1,000 blocks later: it stops with the proof owed.
    prover = await startProver(1_000)
    const { record } = await zkCall(7)
    expect(record).toMatchObject({ mode: 'ZK', status: 'ok', verification: { status: 'pending', signer: info.accounts[10]!.address } })
    await prover.stop()
    const inputs = readFileSync(join(zkCache.dir, 'provers', info.accounts[10]!.address.toLowerCase(), 'inputs.jsonl'), 'utf8').trim().split('\n')
    expect(inputs.length).toBeGreaterThanOrEqual(2)
    const record2 = await rpc<RpcRecord>(info.rpcUrl, 'inference_getRecord', [record.requestId])
    expect(record2.verification.status).toBe('pending')

    prover = await startProver()
    await until(async () => (await rpc<RpcRecord>(info.rpcUrl, 'inference_getRecord', [record.requestId])).verification.status !== 'pending', 120_000)
    const proven = await rpc<RpcRecord>(info.rpcUrl, 'inference_getRecord', [record.requestId])
    expect(proven.verification.status).toBe('verified')
  })
})
