/**
 * ZK mode across real processes: a devnet (producer + one follower), the demo model registered for
 * ZK with `inferchain model zk-register` (circuit, keys, verifier contract, ZkInferences entry), and
 * an `inferchain inference-node --zk`. A contract gets a ZK-mode result in its transaction; the
 * record is pending; the inference node proves it and submits the proof within the deadline; the
 * producer and the follower — which runs no model and imports the proof's block like any other —
 * both report the record verified.
 *
 * The circuit and keys come from the project's .cache/zk (made by the test/zk suites, or here once).
 */
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

beforeAll(async () => {
  ;[devnet, consumer] = await Promise.all([startDevnet(['--followers', '1']), compileContracts().then((c) => getContract(c, 'DemoConsumer'))])
  const { info } = devnet
  // The model's owner (dev account #0, which registered the demo model) registers it for ZK.
  const registered = await cli<{ verifier: Hex; descriptor: { modelCommitment: Hex; constraints: number } }>(
    ['model', 'zk-register', info.demoModel.cid, '--json', '--rpc-url', info.rpcUrl, '--hub-url', info.hubUrl],
    { INFERCHAIN_PRIVATE_KEY: info.accounts[0]!.privateKey },
  ).then((child) => child.ready)
  expect(registered.descriptor.constraints).toBeGreaterThan(1000)
  prover = await cli<InferenceNodeReady>(
    ['inference-node', '--zk', '--json', '--rpc-url', info.rpcUrl, '--hub-url', info.hubUrl, '--port', '0', '--cache-dir', cache.dir, '--model', info.demoModel.cid],
    { INFERCHAIN_PRIVATE_KEY: info.accounts[10]!.privateKey },
  )
}, 600_000)

afterAll(async () => {
  await prover?.stop()
  await devnet?.stop()
  cache.remove()
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
})
