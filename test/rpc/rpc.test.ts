/**
 * The JSON-RPC surface on a real node (in process, automine), read by viem and ethers: blocks,
 * receipts, logs, fee history, estimates, pending transactions and WebSocket subscriptions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ethers } from 'ethers'
import { WebSocket } from 'ws'
import { createPublicClient, createWalletClient, http, parseEther, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { modelRegistryAbi } from '../../src/contracts/system.js'
import { FullNode } from '../../src/node.js'
import { MODEL_REGISTRY_ADDRESS } from '../../src/params.js'
import { inferchainChain } from '../../src/sdk/chain.js'
import { ACCOUNTS, tempDir, testGenesis } from '../chain/helpers.js'

const tmp = tempDir('inferchain-rpc-')
let node: FullNode
let url: string
const CID = 'bafkreibbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'

beforeAll(async () => {
  node = await FullNode.start({ dataDir: tmp.dir, genesis: await testGenesis(), automine: true, rpcPort: 0 })
  url = node.rpc.url
})
afterAll(async () => {
  await node.stop()
  tmp.remove()
})

function clients() {
  const chain = inferchainChain(url)
  return {
    publicClient: createPublicClient({ chain, transport: http(url), pollingInterval: 20 }),
    walletClient: createWalletClient({ chain, transport: http(url), account: privateKeyToAccount(ACCOUNTS[1]!.privateKey) }),
  }
}

async function rpc(method: string, params: unknown[]): Promise<{ result?: unknown; error?: { code: number; message: string } }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  return (await res.json()) as never
}

describe('JSON-RPC on a real node', () => {
  it('serves blocks, transactions, receipts and logs that viem and ethers parse', async () => {
    const { publicClient, walletClient } = clients()
    const hash = await walletClient.writeContract({
      address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, functionName: 'registerModel',
      args: [CID, 'rpc test', 1, 1000n, '[]', '[]'], chain: walletClient.chain,
    })
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')
    expect(receipt.logs).toHaveLength(1)
    const block = await publicClient.getBlock({ blockNumber: receipt.blockNumber, includeTransactions: true })
    expect(block.transactions[0]!.hash).toBe(hash)
    expect(block.hash).toBe(receipt.blockHash)
    const tx = await publicClient.getTransaction({ hash })
    expect(tx.from.toLowerCase()).toBe(ACCOUNTS[1]!.address.toLowerCase())

    const logs = await publicClient.getContractEvents({ address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, eventName: 'ModelRegistered', fromBlock: 0n })
    expect(logs.map((l) => l.args.cid)).toContain(CID)
    const none = await publicClient.getLogs({ address: '0x000000000000000000000000000000000000dEaD', fromBlock: 0n })
    expect(none).toEqual([])

    const provider = new ethers.JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 })
    const ethersReceipt = await provider.getTransactionReceipt(hash)
    expect(ethersReceipt?.status).toBe(1)
    expect((await provider.getBlock(receipt.blockNumber))?.hash).toBe(receipt.blockHash)
    provider.destroy()
  })

  it('answers fee history, gas price and estimates', async () => {
    const { publicClient } = clients()
    const history = await publicClient.getFeeHistory({ blockCount: 2, rewardPercentiles: [25, 75] })
    expect(history.baseFeePerGas).toHaveLength(3) // the 2 blocks and the next one
    expect(history.reward?.[0]).toHaveLength(2)
    expect(await publicClient.getGasPrice()).toBeGreaterThan(0n)
    const gas = await publicClient.estimateGas({ account: ACCOUNTS[2]!.address, to: '0x000000000000000000000000000000000000bEEF', value: 1n })
    expect(gas).toBe(21_000n)
    // Calldata-heavy, execution-light (a transfer to an EOA with 4 KB of data): EIP-7623's floor
    // (21000 + 10 per token) is what the transaction is charged, so it is what the estimate says.
    const data = `0x${'ab'.repeat(4096)}` as const
    const heavy = await publicClient.estimateGas({ account: ACCOUNTS[2]!.address, to: '0x000000000000000000000000000000000000bEEF', data })
    expect(heavy).toBe(21_000n + 10n * 4n * 4096n)
    const { walletClient } = clients()
    const hash = await walletClient.sendTransaction({ account: walletClient.account!, chain: walletClient.chain, to: '0x000000000000000000000000000000000000bEEF', data, gas: heavy })
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')
    expect(receipt.gasUsed).toBe(heavy)
  })

  it('refuses bad transactions with -32000 and a stable data.code', async () => {
    const { walletClient } = clients()
    const signed = await walletClient.signTransaction({ to: ACCOUNTS[0]!.address, value: parseEther('1'), nonce: 0, gas: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, chain: walletClient.chain })
    const answer = await rpc('eth_sendRawTransaction', [signed])
    expect(answer.error).toMatchObject({ code: -32000, data: { code: 'NONCE_TOO_LOW' } })
    expect((await rpc('eth_sendRawTransaction', ['0x1234'])).error).toMatchObject({ code: -32000, data: { code: 'INVALID_TRANSACTION' } })
    expect((await rpc('eth_getBalance', [ACCOUNTS[1]!.address, '0xffffff'])).error).toMatchObject({ code: -32000, message: 'header not found' })
  })

  it('pushes new heads and matching logs over WebSocket', async () => {
    const socket = new WebSocket(node.rpc.wsUrl)
    await new Promise((r) => socket.once('open', r))
    const messages: Array<{ id?: number; result?: string; method?: string; params?: { subscription: string; result: Record<string, unknown> } }> = []
    socket.on('message', (raw) => messages.push(JSON.parse(raw.toString())))
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }))
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'eth_subscribe', params: ['logs', { address: MODEL_REGISTRY_ADDRESS }] }))
    await until(() => messages.filter((m) => m.id !== undefined).length === 2)
    const [heads, logs] = [messages.find((m) => m.id === 1)!.result, messages.find((m) => m.id === 2)!.result]

    const { publicClient, walletClient } = clients()
    const hash = await walletClient.writeContract({
      address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, functionName: 'registerModel',
      args: [`${CID.slice(0, -1)}c`, 'ws', 1, 1n, '[]', '[]'], chain: walletClient.chain,
    })
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    await until(() => messages.some((m) => m.params?.subscription === logs))
    const head = messages.find((m) => m.params?.subscription === heads && m.params?.result.number === `0x${receipt.blockNumber.toString(16)}`)
    expect(head?.params?.result.hash).toBe(receipt.blockHash)
    const log = messages.find((m) => m.params?.subscription === logs)!
    expect(log.params!.result).toMatchObject({ transactionHash: hash, address: MODEL_REGISTRY_ADDRESS.toLowerCase() })
    socket.close()
  })

  it('shows a pending transaction before it is mined', async () => {
    const { walletClient } = clients()
    // Far-future nonce gap: it waits in the mempool.
    const nonce = (await clients().publicClient.getTransactionCount({ address: ACCOUNTS[1]!.address })) + 1
    const signed = await walletClient.signTransaction({ to: ACCOUNTS[0]!.address, value: 1n, nonce, gas: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, chain: walletClient.chain })
    const hash = (await rpc('eth_sendRawTransaction', [signed])).result as Hex
    const pending = (await rpc('eth_getTransactionByHash', [hash])).result as { blockNumber: string | null; hash: string }
    expect(pending).toMatchObject({ hash, blockNumber: null })
    expect((await rpc('eth_getTransactionReceipt', [hash])).result).toBeNull()
  })
})

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}
