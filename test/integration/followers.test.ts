/**
 * A network of full nodes as separate processes talking libp2p: followers import and verify the
 * producer's blocks (never running a model), survive kill -9 during an import and mid-sync, and sync
 * from an empty data dir through a peer they were told about.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { createPublicClient, createWalletClient, encodeFunctionData, http, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { compileContracts, getContract } from '../../src/contracts/compile.js'
import { inferchainChain } from '../../src/sdk/chain.js'
import { tempDir } from '../chain/helpers.js'
import { cli, rpc, startDevnet, until } from './processes.js'

const cleanups: Array<() => Promise<void> | void> = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})

interface Status { role: string; head: Hex; headHash: Hex; stateRoot: Hex; inferencesDispatched: number; lastRejection?: string; peers: number }
interface NodeReady { role: string; rpcUrl: string; head: string; p2p: string[] }

describe('producer and followers', () => {
  it('reach the same head and state root after mixed transactions with inferences; followers ran no model', async () => {
    const devnet = await startDevnet(['--followers', '2'])
    cleanups.push(devnet.stop)
    const { info } = devnet
    expect(info.followers).toHaveLength(2)
    const { abi, bytecode } = getContract(await compileContracts(), 'TwoStepConsumer')
    const chain = inferchainChain(info.rpcUrl, info.chainId)
    const account = privateKeyToAccount(info.accounts[5]!.privateKey)
    const producerClient = createPublicClient({ chain, transport: http(info.rpcUrl), pollingInterval: 50 })
    // Transactions go in through a follower too: it forwards them to the producer.
    const viaFollower = createWalletClient({ chain, transport: http(info.followers[0]!), account })
    const deployed = await viaFollower.deployContract({ abi, bytecode, account, chain })
    const consumer = (await producerClient.waitForTransactionReceipt({ hash: deployed })).contractAddress!
    for (let k = 0; k < 4; k++) {
      const data = encodeFunctionData({ abi, functionName: 'run', args: [info.demoModel.cid, Array.from({ length: 16 }, (_, i) => BigInt((i * k + 1) * 50_000)), 6n] })
      const hash = await viaFollower.sendTransaction({ to: consumer, data, gas: 3_000_000n, account, chain })
      expect((await producerClient.waitForTransactionReceipt({ hash })).status).toBe('success')
      const transfer = await viaFollower.sendTransaction({ to: info.accounts[6]!.address, value: BigInt(k + 1), account, chain })
      await producerClient.waitForTransactionReceipt({ hash: transfer })
    }
    const producer = await rpc<Status>(info.rpcUrl, 'inferchain_nodeStatus')
    for (const url of info.followers) {
      await until(async () => (await rpc<Status>(url, 'inferchain_nodeStatus')).head === producer.head)
      const follower = await rpc<Status>(url, 'inferchain_nodeStatus')
      expect(follower).toMatchObject({ role: 'follower', headHash: producer.headHash, stateRoot: producer.stateRoot, inferencesDispatched: 0 })
      expect(follower.lastRejection).toBeUndefined()
      // The records came along: the follower serves who computed each inference.
      const records = await rpc<unknown[]>(url, 'inference_getRecordsByBlock', [producer.head])
      expect(records).toEqual(await rpc<unknown[]>(info.rpcUrl, 'inference_getRecordsByBlock', [producer.head]))
    }
    expect(producer.inferencesDispatched).toBeGreaterThan(0)
  })

  it('a follower killed with -9 during an import, and again mid-sync, restarts on a consistent head and catches up; a new one syncs 500+ blocks from empty', async () => {
    const tmp = tempDir('inferchain-sync-')
    cleanups.push(tmp.remove)
    const producer = await cli<NodeReady>(['node', '--json', '--block-time', '10', '--data-dir', `${tmp.dir}/producer`, '--rpc-port', '0', '--p2p-port', '0'])
    cleanups.push(producer.stop)
    expect(producer.ready.role).toBe('producer')
    const head = async (url: string) => BigInt(await rpc<Hex>(url, 'eth_blockNumber'))
    await until(async () => (await head(producer.ready.rpcUrl)) >= 250n)

    const followerArgs = ['node', '--json', '--data-dir', `${tmp.dir}/follower`, '--rpc-port', '0', '--p2p-port', '0', '--peer', producer.ready.p2p[0]!]
    // Killed by SIGKILL at the worst moment: block 120's state is written, the block and head are not.
    let follower = await cli<NodeReady>(followerArgs, { INFERCHAIN_CRASH_AT: 'import-after-state:120' })
    expect(follower.ready.role).toBe('follower')
    const [, signal] = (await new Promise((r) => follower.process.once('exit', (...a) => r(a)))) as [number | null, string | null]
    expect(signal).toBe('SIGKILL')

    follower = await cli<NodeReady>(followerArgs)
    expect(follower.ready.head).toBe('119')
    await until(async () => (await head(follower.ready.rpcUrl)) >= 180n)
    follower.process.kill('SIGKILL')
    await new Promise((r) => follower.process.once('exit', r))

    follower = await cli<NodeReady>(followerArgs)
    cleanups.push(follower.stop)
    await until(async () => (await head(follower.ready.rpcUrl)) >= 250n)
    const sameBlock = async (url: string, n: bigint) => rpc<{ hash: Hex; stateRoot: Hex }>(url, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false])
    for (const n of [119n, 120n, 250n]) expect(await sameBlock(follower.ready.rpcUrl, n)).toEqual(await sameBlock(producer.ready.rpcUrl, n))

    await until(async () => (await head(producer.ready.rpcUrl)) >= 500n)
    // The newcomer is only told about the follower: it finds the producer through it, and syncs.
    const fresh = await cli<NodeReady>(['node', '--json', '--data-dir', `${tmp.dir}/fresh`, '--rpc-port', '0', '--p2p-port', '0', '--peer', follower.ready.p2p[0]!])
    cleanups.push(fresh.stop)
    let sawProgress: { startingBlock: Hex; currentBlock: Hex; highestBlock: Hex } | undefined
    await until(async () => {
      const syncing = await rpc<false | { startingBlock: Hex; currentBlock: Hex; highestBlock: Hex }>(fresh.ready.rpcUrl, 'eth_syncing')
      if (syncing) sawProgress ??= syncing
      return (await head(fresh.ready.rpcUrl)) >= 500n
    }, 120_000)
    // While it caught up, eth_syncing said so, as geth does.
    expect(sawProgress).toMatchObject({ startingBlock: '0x0' })
    expect(BigInt(sawProgress!.highestBlock)).toBeGreaterThanOrEqual(500n)
    expect((await sameBlock(fresh.ready.rpcUrl, 500n)).hash).toBe((await sameBlock(producer.ready.rpcUrl, 500n)).hash)
    await until(async () => (await rpc<Status>(fresh.ready.rpcUrl, 'inferchain_nodeStatus')).peers >= 2)
  })
})
