/** JSON-RPC and subscriptions over a real WebSocket on the same port as HTTP. */
import { bytesToHex } from '@ethereumjs/util'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { createPublicClient, webSocket, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { ADDRESSES, CREATED, KEYS, TOKEN, startTestNode, transferLog, type TestNode } from './fixtures.js'

let node: TestNode
beforeAll(async () => {
  node = await startTestNode()
})
afterAll(() => node?.close())

type Message = { id?: number; result?: unknown; error?: { code: number; message: string }; method?: string; params?: { subscription: string; result: Record<string, unknown> } }

/** A raw WebSocket client that keeps every message it receives. */
async function connect(): Promise<{ socket: WebSocket; messages: Message[]; request(id: number, method: string, params?: unknown[]): Promise<Message> }> {
  const socket = new WebSocket(node.server.wsUrl)
  const messages: Message[] = []
  socket.on('message', (raw) => messages.push(JSON.parse(raw.toString()) as Message))
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
  return {
    socket,
    messages,
    async request(id, method, params = []) {
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
      await until(() => messages.some((m) => m.id === id))
      return messages.find((m) => m.id === id)!
    },
  }
}

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

const nextTx = (nonce: bigint) =>
  createFeeMarket1559Tx({ nonce, to: TOKEN, gasLimit: 60_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n }, { common: node.backend.common }).sign(KEYS[2]!)

describe('WebSocket', () => {
  it('answers ordinary JSON-RPC, batches included', async () => {
    const ws = await connect()
    expect((await ws.request(1, 'eth_chainId')).result).toBe('0x539')
    ws.socket.send('not json')
    await until(() => ws.messages.some((m) => m.error?.code === -32700))
    ws.socket.close()
  })

  it('pushes new heads, and matching logs only, until unsubscribed', async () => {
    const ws = await connect()
    const heads = (await ws.request(1, 'eth_subscribe', ['newHeads'])).result as string
    const logs = (await ws.request(2, 'eth_subscribe', ['logs', { address: TOKEN, topics: [null, null, `0x${'00'.repeat(12)}${ADDRESSES[1]!.slice(2)}`] }])).result as string
    expect(heads).toMatch(/^0x[0-9a-f]{32}$/)
    expect(logs).not.toBe(heads)

    const [a, b, c] = ADDRESSES as [Hex, Hex, Hex]
    const { block } = node.backend.mine([{ tx: nextTx(1n), gasUsed: 40_000n, logs: [transferLog(a, c, 1n), transferLog(a, b, 2n), transferLog(a, b, 3n, CREATED)] }])
    await until(() => ws.messages.some((m) => m.params?.subscription === logs))
    await until(() => ws.messages.some((m) => m.params?.subscription === heads))
    const head = ws.messages.find((m) => m.method === 'eth_subscription' && m.params!.subscription === heads)!.params!.result
    expect(head).toMatchObject({ number: `0x${block.header.number.toString(16)}`, hash: bytesToHex(block.hash()), gasUsed: '0x9c40' })
    expect(head).not.toHaveProperty('transactions')
    const pushed = ws.messages.filter((m) => m.params?.subscription === logs).map((m) => m.params!.result)
    expect(pushed).toHaveLength(1)
    expect(pushed[0]).toMatchObject({ address: TOKEN, logIndex: '0x1', transactionHash: bytesToHex(block.transactions[0]!.hash()), removed: false })

    expect((await ws.request(3, 'eth_unsubscribe', [heads])).result).toBe(true)
    expect((await ws.request(4, 'eth_unsubscribe', [heads])).result).toBe(false)
    const before = ws.messages.length
    node.backend.mine([])
    await new Promise((r) => setTimeout(r, 50))
    expect(ws.messages.slice(before).filter((m) => m.params?.subscription === heads)).toEqual([])
    ws.socket.close()
  })

  it('refuses unknown subscription kinds and bad filters with -32602; eth_subscribe is WebSocket-only', async () => {
    const ws = await connect()
    expect((await ws.request(1, 'eth_subscribe', ['newPendingTransactions'])).error).toMatchObject({ code: -32602, message: expect.stringContaining('unsupported kind') })
    expect((await ws.request(2, 'eth_subscribe', ['logs', { address: 'nope' }])).error).toMatchObject({ code: -32602, message: expect.stringContaining('filter.address') })
    expect((await node.rpc('eth_subscribe', ['newHeads'])).error?.code).toBe(-32601)
    ws.socket.close()
  })

  it('drops a connection\'s subscriptions when it closes', async () => {
    const baseline = node.backend.listenerCount
    const ws = await connect()
    await ws.request(1, 'eth_subscribe', ['newHeads'])
    await ws.request(2, 'eth_subscribe', ['logs', {}])
    expect(node.backend.listenerCount).toBe(baseline + 2)
    ws.socket.close()
    await until(() => node.backend.listenerCount === baseline)
  })

  it('serves viem\'s webSocket transport, including watchBlocks', async () => {
    const client = createPublicClient({ transport: webSocket(node.server.wsUrl) })
    expect(await client.getBlockNumber()).toBe(node.backend.headNumber())
    const seen: bigint[] = []
    const unwatch = client.watchBlocks({ onBlock: (block) => void seen.push(block.number) })
    await until(() => node.backend.listenerCount > 0)
    const { block } = node.backend.mine([])
    await until(() => seen.includes(block.header.number))
    unwatch()
    await (await client.transport.getRpcClient()).close()
  })

  it('close() ends open WebSocket connections', async () => {
    const other = await startTestNode()
    const socket = new WebSocket(other.server.wsUrl)
    await new Promise((resolve) => socket.once('open', resolve))
    const closed = new Promise((resolve) => socket.once('close', resolve))
    await other.close()
    await closed
    expect(other.backend.listenerCount).toBe(0)
  })
})
