/**
 * OPTIMISTIC mode across real processes: a devnet producer, a follower, inference nodes bonded in
 * InferenceSettlement, and a separate challenger full node (`inferchain node --peer … --challenger`)
 * that re-runs every OPTIMISTIC result on the canonical integer path.
 *   - an honest result is challengeable for W blocks, then finalized and paid;
 *   - a false challenge against an honest result is lost (bond split between node and burn);
 *   - a node that lies (`--perturb-outputs`) is challenged automatically, the chain re-executes the
 *     model while importing the challenge block, the node is slashed, the challenger rewarded, the
 *     record marked fraudulent — and every full node agrees on the resulting state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeEventLog, parseEther, type Address, type Hex } from 'viem'
import { tempDir } from '../chain/helpers.js'
import { inferenceSettlementAbi, modelRegistryAbi } from '../../src/contracts/system.js'
import { ModelInferenceMode, type ModelInput } from '../../src/evm/types.js'
import { DEFAULT_SETTLEMENT_PARAMS, INFERENCE_PRECOMPILE_ADDRESS, INFERENCE_SETTLEMENT_ADDRESS, MODEL_REGISTRY_ADDRESS } from '../../src/params.js'
import { encodeRunModelInference } from '../../src/evm/abi.js'
import { runModel } from '../../src/sdk/inference.js'
import { challengeClaim, getStake } from '../../src/sdk/settlement.js'
import type { ReadyChild } from '../../src/cli/child.js'
import { cli, devnetClients, rpc, startDevnet, startInferenceNode, until, type RunningDevnet } from './processes.js'

const WINDOW = 4
const FEE = parseEther('0.001')
const P = DEFAULT_SETTLEMENT_PARAMS
const HONEST = 19
const LIAR = 18
const CHALLENGER = 5

let devnet: RunningDevnet
let challengerNode: ReadyChild<{ rpcUrl: string }>
let honestNode: Awaited<ReturnType<typeof startInferenceNode>>
const dirs: Array<{ remove(): void }> = []

interface Status { head: Hex; headHash: Hex; stateRoot: Hex; inferencesDispatched: number; lastRejection?: string }
interface RpcRecord { mode: string; node: Address; verification?: { status: string; evidence: string; settled: boolean; fee: string } }

function dir(prefix: string): string {
  const d = tempDir(prefix)
  dirs.push(d)
  return d.dir
}

beforeAll(async () => {
  devnet = await startDevnet(['--inference-nodes', '0', '--followers', '1', '--challenge-window', String(WINDOW)])
  const { info } = devnet
  honestNode = await startInferenceNode({
    rpcUrl: info.rpcUrl, hubUrl: info.hubUrl, privateKey: info.accounts[HONEST]!.privateKey, models: [info.demoModel.cid], cacheDir: dir('inferchain-honest-'), extra: ['--optimistic'],
  })
  challengerNode = await cli<{ rpcUrl: string }>([
    'node', '--json', '--data-dir', dir('inferchain-challenger-'), '--rpc-port', '0', '--p2p-port', '0', '--chain-id', String(info.chainId),
    '--peer', info.p2p[0]!, '--hub-url', info.hubUrl, '--challenge-window', String(WINDOW), '--challenger',
  ])
  // The model's owner (dev account #0) prices OPTIMISTIC calls; the caller's transaction pays.
  const owner = devnetClients(info, 0)
  const hash = await owner.walletClient.writeContract({
    address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, functionName: 'setModePrice', args: [info.demoModel.cid, ModelInferenceMode.OPTIMISTIC, FEE], account: owner.account, chain: owner.chain,
  })
  await owner.publicClient.waitForTransactionReceipt({ hash })
}, 180_000)

afterAll(async () => {
  await Promise.all([challengerNode?.stop(), honestNode?.stop()])
  await devnet?.stop()
  for (const d of dirs) d.remove()
})

const input = (seed: number): ModelInput => ({
  numbers: [{ name: 'input', shape: [1, 16], values: Array.from({ length: 16 }, (_, i) => ({ value: BigInt(((i * 7 + seed) % 11) - 5), decimals: 1n })) }],
  strings: [],
})

async function infer(seed: number) {
  const { publicClient, walletClient } = devnetClients(devnet.info, 2)
  return runModel({ publicClient, walletClient }, { modelCid: devnet.info.demoModel.cid, input: input(seed), mode: ModelInferenceMode.OPTIMISTIC })
}

/** Automine makes blocks only for transactions: small transfers move the chain on. */
async function mine(blocks: number): Promise<void> {
  const { account, chain, publicClient, walletClient } = devnetClients(devnet.info, 7)
  for (let i = 0; i < blocks; i++) {
    const hash = await walletClient.sendTransaction({ to: account.address, value: 1n, account, chain })
    await publicClient.waitForTransactionReceipt({ hash })
  }
}

async function record(requestId: Hex, url = devnet.info.rpcUrl): Promise<RpcRecord> {
  return rpc<RpcRecord>(url, 'inference_getRecord', [requestId])
}

describe('OPTIMISTIC mode on a devnet', () => {
  it('an honest result stays challengeable for the window, then the challenger node finalizes it and the node is paid', async () => {
    const { publicClient } = devnetClients(devnet.info, 2)
    const node = devnet.info.accounts[HONEST]!.address
    expect((await getStake(publicClient, node)).bonded).toBe(P.minStake)
    const before = await publicClient.getBalance({ address: node })
    const run = await infer(1)
    expect(run.record.node?.toLowerCase()).toBe(node.toLowerCase())
    expect(await record(run.requestId)).toMatchObject({ mode: 'OPTIMISTIC', verification: { status: 'challengeable', evidence: 'bonded-claim', settled: false, fee: `0x${FEE.toString(16)}` } })
    expect((await getStake(publicClient, node)).openClaims).toBe(1n)

    // Nobody may finalize inside the window; after it, the challenger node (a keeper too) does.
    await until(async () => {
      await mine(1)
      return (await record(run.requestId)).verification?.settled === true
    }, 90_000)
    const head = await publicClient.getBlockNumber()
    expect(head).toBeGreaterThan(run.receipt.blockNumber + BigInt(WINDOW))
    expect((await record(run.requestId)).verification).toMatchObject({ status: 'final', settled: true })
    expect((await publicClient.getBalance({ address: node })) - before).toBe(FEE)
    expect((await getStake(publicClient, node)).openClaims).toBe(0n)
  }, 150_000)

  it('a false challenge against an honest result is lost: the node is paid at once with half the bond, the rest burned', async () => {
    const { info } = devnet
    const node = info.accounts[HONEST]!.address
    const run = await infer(2)
    const challenger = devnetClients(info, 3)
    const [nodeBefore, burnBefore] = await Promise.all([
      challenger.publicClient.getBalance({ address: node }),
      challenger.publicClient.readContract({ address: INFERENCE_SETTLEMENT_ADDRESS, abi: inferenceSettlementAbi, functionName: 'burned' }),
    ])
    const hash = await challengeClaim({ publicClient: challenger.publicClient, walletClient: challenger.walletClient }, { requestId: run.requestId, modelCid: info.demoModel.cid, input: input(2) })
    const receipt = await challenger.publicClient.getTransactionReceipt({ hash })
    const names = receipt.logs.filter((l) => l.address.toLowerCase() === INFERENCE_SETTLEMENT_ADDRESS.toLowerCase()).map((l) => decodeEventLog({ abi: inferenceSettlementAbi, ...l }).eventName)
    expect(names).toEqual(['ClaimChallenged', 'ChallengeRejected', 'ClaimFinalized'])
    expect((await record(run.requestId)).verification).toMatchObject({ status: 'upheld', settled: true })
    expect((await challenger.publicClient.getBalance({ address: node })) - nodeBefore).toBe(FEE + P.challengeBond / 2n)
    expect(await challenger.publicClient.readContract({ address: INFERENCE_SETTLEMENT_ADDRESS, abi: inferenceSettlementAbi, functionName: 'burned' })).toBe(burnBefore + P.challengeBond / 2n)
  }, 120_000)

  it('a lying node is challenged automatically, slashed, the challenger rewarded, the record fraudulent — and all full nodes agree', async () => {
    const { info } = devnet
    const { publicClient } = devnetClients(info, 2)
    const liar = info.accounts[LIAR]!.address
    const challenger = info.accounts[CHALLENGER]!.address
    await honestNode.stop()
    const liarNode = await startInferenceNode({
      rpcUrl: info.rpcUrl, hubUrl: info.hubUrl, privateKey: info.accounts[LIAR]!.privateKey, models: [info.demoModel.cid], cacheDir: dir('inferchain-liar-'), extra: ['--optimistic', '--perturb-outputs'],
    })
    try {
      const stakeBefore = await getStake(publicClient, liar)
      const run = await infer(3)
      expect(run.record.node?.toLowerCase()).toBe(liar.toLowerCase())
      await until(async () => (await record(run.requestId)).verification?.status === 'fraudulent', 90_000)

      const [fraud] = await publicClient.getContractEvents({ address: INFERENCE_SETTLEMENT_ADDRESS, abi: inferenceSettlementAbi, eventName: 'ClaimFraudulent', fromBlock: run.receipt.blockNumber })
      const reward = (P.slashAmount * P.challengerShareBps) / 10_000n
      expect(fraud!.args).toMatchObject({ requestId: run.requestId, node: liar, challenger, slashed: P.slashAmount, reward })
      expect(await getStake(publicClient, liar)).toMatchObject({ amount: stakeBefore.amount - P.slashAmount, openClaims: 0n })
      // The payer got its fee back; the node is now below the minimum and cannot serve OPTIMISTIC calls.
      expect((await getStake(publicClient, liar)).bonded).toBeLessThan(P.minStake)
      await expect(infer(4)).rejects.toThrow(/NODE_NOT_BONDED/)
      // Sent anyway (fixed gas, no estimate), it is mined and reverted with the node's answer on record,
      // and followers replay that record to the same refusal.
      const caller = devnetClients(info, 2)
      const refused = await caller.walletClient.sendTransaction({
        account: caller.account, chain: caller.chain, to: INFERENCE_PRECOMPILE_ADDRESS, gas: 3_000_000n,
        data: encodeRunModelInference({ mode: ModelInferenceMode.OPTIMISTIC, modelCid: info.demoModel.cid, input: input(5) }),
      })
      expect((await publicClient.waitForTransactionReceipt({ hash: refused })).status).toBe('reverted')
      const [onRecord] = await rpc<RpcRecord[]>(info.rpcUrl, 'inference_getRecordsByTransaction', [refused])
      expect(onRecord).toMatchObject({ mode: 'OPTIMISTIC' })
      expect(onRecord!.node.toLowerCase()).toBe(liar.toLowerCase())

      // Every full node executed the challenge (re-running the model once) and agrees on the state.
      const producer = await rpc<Status>(info.rpcUrl, 'inferchain_nodeStatus')
      for (const url of [info.followers[0]!, challengerNode.ready.rpcUrl]) {
        await until(async () => BigInt((await rpc<Status>(url, 'inferchain_nodeStatus')).head) >= BigInt(producer.head))
        const status = await rpc<Status>(url, 'inferchain_nodeStatus')
        expect(status.lastRejection).toBeUndefined()
        const block = await rpc<{ hash: Hex; stateRoot: Hex }>(url, 'eth_getBlockByNumber', [producer.head, false])
        expect(block.stateRoot).toBe(producer.stateRoot)
        expect((await record(run.requestId, url)).verification).toMatchObject({ status: 'fraudulent', settled: true })
      }
    } finally {
      await liarNode.stop()
    }
  }, 180_000)
})
