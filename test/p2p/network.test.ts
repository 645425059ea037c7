/**
 * Full nodes on a libp2p network, in one process (the multi-process version is
 * test/integration/followers.test.ts): discovery through peers' statuses, gossip, catch-up, relayed
 * transactions, and what happens to peers of another chain or peers serving forged blocks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createBlock } from '@ethereumjs/block'
import { bytesToHex } from '@ethereumjs/util'
import type { Hex } from 'viem'
import { sealBlock } from '../../src/chain/seal.js'
import { RECORDS_ATTACHMENT } from '../../src/chain/chain.js'
import { devGenesis } from '../../src/chain/dev-genesis.js'
import { FullNode } from '../../src/node.js'
import { startP2pHost, type P2pHost } from '../../src/p2p/host.js'
import { serve } from '../../src/p2p/request.js'
import { decodeBlocksRequest, encodeBundles, encodeJson, protocols } from '../../src/p2p/wire.js'
import { ACCOUNTS, signedTransfer, tempDir, testGenesis } from '../chain/helpers.js'
import { DEFAULT_CHAIN_ID } from '../../src/params.js'

const tmp = tempDir('inferchain-p2p-')
const nodes: FullNode[] = []
let producer: FullNode

async function start(name: string, options: Partial<Parameters<typeof FullNode.start>[0]> = {}): Promise<FullNode & { logs: string[] }> {
  const logs: string[] = []
  const node = await FullNode.start({
    dataDir: `${tmp.dir}/${name}`,
    genesis: await testGenesis(),
    rpcPort: 0,
    automine: true,
    syncIntervalMs: 200,
    log: (m) => logs.push(m),
    ...options,
  })
  nodes.push(node)
  return Object.assign(node, { logs })
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const started = Date.now()
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 25))
  }
}

async function transfer(node: FullNode, nonce: bigint): Promise<Hex> {
  const raw = signedTransfer(producer.chain.common, { to: ACCOUNTS[2]!.address, nonce }).serialize()
  return bytesToHex(await node.backend.sendRawTransaction(raw)) as Hex
}

beforeAll(async () => {
  producer = await start('producer')
})

afterAll(async () => {
  for (const node of nodes.reverse()) await node.stop()
  tmp.remove()
})

describe('full nodes on libp2p', () => {
  it('a follower told only of another follower finds the producer, relays its transactions to it and imports the blocks as they are made', async () => {
    const a = await start('a', { peers: producer.network.multiaddrs })
    const b = await start('b', { peers: a.network.multiaddrs })
    expect(a.role).toBe('follower')
    await until(() => b.network.peerCount >= 2) // b met the producer through a's status
    const hash = await transfer(b, 0n)
    await until(async () => (await producer.chain.store.transaction(hexBytes(hash))) !== undefined)
    await until(() => a.chain.head.header.number === producer.chain.head.header.number && b.chain.head.header.number === producer.chain.head.header.number)
    expect(b.chain.head.hash()).toEqual(producer.chain.head.hash())
    expect(b.chain.head.header.stateRoot).toEqual(producer.chain.head.header.stateRoot)
    // The producer's refusal comes back through the follower with its code.
    await expect(transfer(b, 0n)).rejects.toMatchObject({ code: 'NONCE_TOO_LOW' })
    expect(await b.backend.pendingNonce(hexBytes(ACCOUNTS[0]!.address))).toBe(1n)
    // What JSON-RPC clients see of it.
    expect(Number(await rpc(b, 'net_peerCount'))).toBeGreaterThanOrEqual(2)
    expect(await rpc(b, 'eth_syncing')).toBe(false)
    expect(await rpc(b, 'inferchain_nodeStatus')).toMatchObject({ role: 'follower', peerId: b.network.peerId, p2p: b.network.multiaddrs })
  })

  it('a follower with no line to the producer gossips transactions its way', async () => {
    const relay = nodes.find((n) => n.role === 'follower')!
    const lonely = await start('lonely', { peers: relay.network.multiaddrs, maxPeers: 1 })
    await until(() => lonely.chain.head.header.number === producer.chain.head.header.number)
    // Give gossipsub a heartbeat to put the follower into the topic mesh.
    await until(() => lonely.network.host.services.pubsub.getSubscribers(protocols(producer.chain.chainId).transactionsTopic).length > 0)
    expect(lonely.network.peerCount).toBe(1)
    const nonce = await producer.backend.pendingNonce(hexBytes(ACCOUNTS[0]!.address))
    const hash = await transfer(lonely, nonce)
    await until(async () => (await lonely.chain.store.transaction(hexBytes(hash))) !== undefined)
  })

  it('sends transactions only to a producer that proves it holds the sealer key, not to a peer that merely says so', async () => {
    const pretender = await startP2pHost({ privateKey: await generateKeyPair('Ed25519') })
    const p = protocols(producer.chain.chainId)
    const swallowed: Uint8Array[] = []
    await serve(pretender, p.status, async () =>
      encodeJson({ chainId: producer.chain.chainId.toString(), genesisHash: bytesToHex(producer.chain.genesisHash), head: '0', headHash: bytesToHex(producer.chain.genesisHash), role: 'producer', producerClaim: `0x${'11'.repeat(65)}`, peers: [] }),
    )
    await serve(pretender, p.transaction, async (raw) => {
      swallowed.push(raw)
      return new TextEncoder().encode(`0x${'00'.repeat(32)}`)
    })
    const follower = await start('claims', { peers: [...pretender.getMultiaddrs().map(String), ...producer.network.multiaddrs] })
    await until(() => follower.network.peerCount >= 2 && follower.chain.head.header.number === producer.chain.head.header.number)
    await until(async () => (await rpc(follower, 'inferchain_nodeStatus').then((s) => (s as { peers: number }).peers)) >= 2)
    const hash = await transfer(follower, await producer.backend.pendingNonce(hexBytes(ACCOUNTS[0]!.address)))
    await until(async () => (await producer.chain.store.transaction(hexBytes(hash))) !== undefined)
    expect(swallowed).toEqual([])
    await pretender.stop()
  })

  it('drops a peer of another chain', async () => {
    const other = await devGenesis(DEFAULT_CHAIN_ID)
    other.accounts = other.accounts.slice(1) // same chain id, another genesis
    const producerLogs = (producer as FullNode & { logs: string[] }).logs
    const stranger = await start('stranger', { genesis: other, peers: producer.network.multiaddrs })
    // Whichever side reads the other's status first hangs up; both refuse the other's chain.
    const refused = (logs: string[]) => logs.some((l) => /on another chain/.test(l))
    await until(() => refused(stranger.logs) || refused(producerLogs))
    await new Promise((r) => setTimeout(r, 600)) // a few upkeep rounds: whatever it dials, it imports nothing
    expect(stranger.chain.head.header.number).toBe(0n)
    expect(stranger.network.sync!.importedBlocks).toBe(0)
  })

  it('drops a peer that serves forged blocks, keeps its head, and syncs from an honest peer it learned of', async () => {
    const evil = await startEvilPeer()
    const victim = await start('victim', { peers: evil.getMultiaddrs().map(String) })
    await until(() => victim.logs.some((l) => l.startsWith(`disconnecting ${evil.peerId}`)))
    expect(victim.logs.join('\n')).toMatch(/not sealed by the chain's sealer: sealed by 0x[0-9a-f]{40}, not by/)
    expect(victim.network.sync!.lastRejection).toMatch(/block 1 .* rejected: not sealed/)
    // It learned of the producer from the liar's status, and syncs the real chain from it.
    await until(() => victim.chain.head.header.number === producer.chain.head.header.number)
    expect(victim.chain.head.hash()).toEqual(producer.chain.head.hash())
    await evil.stop()
  })

  it('refuses a forged block gossiped to it, does not relay it, and keeps following the real chain', async () => {
    const victim = await start('gossip-victim', { peers: producer.network.multiaddrs })
    const behind = await start('gossip-behind', { peers: victim.network.multiaddrs, maxPeers: 1 })
    await until(() => behind.chain.head.header.number === producer.chain.head.header.number)
    const topic = protocols(producer.chain.chainId).blocksTopic
    const evil = await startP2pHost({ privateKey: await generateKeyPair('Ed25519') })
    evil.services.pubsub.subscribe(topic)
    await evil.dial(victim.network.host.getMultiaddrs()[0]!)
    await until(() => evil.services.pubsub.getSubscribers(topic).length > 0)
    const head = victim.chain.head
    // A block that would replay fine (no transactions) on top of the real head, sealed by a stranger.
    const forged = createBlock(
      { header: { parentHash: head.hash(), number: head.header.number + 1n, timestamp: head.header.timestamp + 1n, gasLimit: head.header.gasLimit, baseFeePerGas: head.header.calcNextBaseFee(), coinbase: head.header.coinbase, stateRoot: head.header.stateRoot } },
      { common: victim.chain.common, setHardfork: false },
    )
    await evil.services.pubsub.publish(topic, encodeBundles([{ block: forged.serialize(), records: new Uint8Array(), seal: sealBlock(forged, hexBytes(ACCOUNTS[1]!.privateKey)) }]))
    await until(() => victim.network.sync!.lastRejection !== undefined)
    expect(victim.network.sync!.lastRejection).toMatch(/not sealed by the chain's sealer/)
    expect(victim.chain.head.hash()).toEqual(head.hash())
    // The real next block still arrives and is imported by both; the node behind never saw the forgery.
    await transfer(producer, await producer.backend.pendingNonce(hexBytes(ACCOUNTS[0]!.address)))
    await until(() => behind.chain.head.header.number === head.header.number + 1n && victim.chain.head.header.number === head.header.number + 1n)
    expect(victim.chain.head.hash()).toEqual(producer.chain.head.hash())
    expect(behind.network.sync!.lastRejection).toBeUndefined()
    await evil.stop()
  })
})

async function rpc(node: FullNode, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(node.rpc.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  return ((await res.json()) as { result: unknown }).result
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), 'hex'))
}

/** A libp2p peer that claims a long chain and serves the producer's blocks sealed by its own key. */
async function startEvilPeer(): Promise<P2pHost> {
  const host = await startP2pHost({ privateKey: await generateKeyPair('Ed25519') })
  const p = protocols(producer.chain.chainId)
  const forgerKey = hexBytes(ACCOUNTS[1]!.privateKey)
  await serve(host, p.status, async () =>
    encodeJson({
      chainId: producer.chain.chainId.toString(),
      genesisHash: bytesToHex(producer.chain.genesisHash),
      head: '1000',
      headHash: bytesToHex(producer.chain.head.hash()),
      role: 'follower',
      peers: producer.network.multiaddrs,
    }),
  )
  await serve(host, p.blocks, async (body) => {
    const wanted = decodeBlocksRequest(body)
    if (!('from' in wanted)) return encodeBundles([])
    const block = await producer.chain.store.blockByNumber(BigInt(wanted.from))
    if (!block) return encodeBundles([])
    const records = (await producer.chain.store.attachment(RECORDS_ATTACHMENT, block.hash())) ?? new Uint8Array()
    return encodeBundles([{ block: block.serialize(), records, seal: sealBlock(block, forgerKey) }])
  })
  return host
}
