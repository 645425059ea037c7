/**
 * A full node on the libp2p network. Every node serves its status and its blocks (request/response)
 * and joins two gossip topics: new blocks, and transactions for the producer's mempool. The producer
 * publishes each block it makes; followers import what they hear and fill gaps from the peer with the
 * highest head (`BlockSync`). Nodes find each other from the `--peer` addresses they are given and
 * the peer lists in each other's status; peers of another chain are dropped.
 *
 * A follower relays transactions to the producer: directly by request/response when connected to it
 * (the producer's answer, refusal included, goes back to the client unchanged), by gossip otherwise.
 */
import './node20.js'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import type { Connection, PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { join } from 'node:path'
import type { Hex } from 'viem'
import { decodeTransaction } from '../chain/admission.js'
import type { Block } from '@ethereumjs/block'
import { RECORDS_ATTACHMENT, type Chain } from '../chain/chain.js'
import { isProducerClaimValid, producerClaim, SEAL_ATTACHMENT } from '../chain/seal.js'
import type { BlockImporter } from '../chain/importer.js'
import { errorMessage } from '../errors.js'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { BlockSync } from './block-sync.js'
import { P2pError } from './errors.js'
import { startP2pHost, type P2pHost } from './host.js'
import { loadOrCreatePeerKey } from './peer-key.js'
import { request, serve } from './request.js'
import {
  decodeBlocksRequest,
  decodeBundle,
  decodeBundles,
  decodeStatus,
  encodeBundle,
  encodeBundles,
  encodeJson,
  protocols,
  type BlockBundle,
  type BlocksRequest,
  type Protocols,
  type Status,
} from './wire.js'

export type NodeRole = 'producer' | 'follower'

/** What only the producer can answer: admission to its mempool and the nonces it has queued. */
export interface ProducerHooks {
  submit(raw: Uint8Array): Promise<Hex>
  pendingNonce(address: Uint8Array): Promise<bigint>
  /** Signs with the sealer key (the producer proves its peer id speaks for the sealer). */
  sealerKey: Uint8Array
}

export interface NetworkOptions {
  chain: Chain
  role: NodeRole
  /** The peer key lives in `<dataDir>/p2p/peer-key`. */
  dataDir: string
  host?: string
  /** 0 picks a free port. */
  port?: number
  /** Multiaddrs (with /p2p/<peer id>) to join through; redialled whenever disconnected. */
  peers?: string[]
  /** Followers: verifies and imports what the network sends. */
  importer?: BlockImporter
  /** The producer: admits relayed transactions. */
  producer?: ProducerHooks
  /** How often statuses are refreshed, new peers dialled and gaps filled. */
  syncIntervalMs?: number
  maxPeers?: number
  log?: (message: string) => void
  onImported?: (number: bigint, target: bigint) => void
}

/** Peer-book size: addresses beyond it are not remembered (a peer cannot flood the book). */
const MAX_LEARNED_ADDRESSES = 256
/** Blocks served per range request. */
const MAX_BLOCKS_PER_REQUEST = 128

export class ChainNetwork {
  readonly sync?: BlockSync
  private readonly statuses = new Map<string, { peer: PeerId; status: Status }>()
  private readonly badPeers = new Set<string>()
  /** Addresses learned from peers' statuses: the peer book new connections are made from. */
  private readonly learned = new Set<string>()
  private readonly protocols: Protocols
  private timer?: NodeJS.Timeout
  private stopped = false
  private unsubscribeBlocks?: () => void

  private constructor(
    readonly host: P2pHost,
    private readonly options: NetworkOptions,
  ) {
    this.protocols = protocols(options.chain.chainId)
    if (options.importer) {
      this.sync = new BlockSync(options.chain, options.importer, this, { log: options.log, onImported: options.onImported })
    }
  }

  static async start(options: NetworkOptions): Promise<ChainNetwork> {
    if (options.role === 'follower' && !options.importer) throw new Error('a follower needs an importer')
    if (options.role === 'producer' && !options.producer) throw new Error('a producer needs its hooks')
    const privateKey = await loadOrCreatePeerKey(join(options.dataDir, 'p2p', 'peer-key'))
    const host = await startP2pHost({ privateKey, host: options.host, port: options.port })
    const network = new ChainNetwork(host, options)
    await network.listen()
    network.tick()
    return network
  }

  get peerId(): string {
    return this.host.peerId.toString()
  }

  /** Where others reach this node, each ending in /p2p/<peer id>. */
  get multiaddrs(): string[] {
    return this.host.getMultiaddrs().map(String)
  }

  get peerCount(): number {
    return this.host.getPeers().length
  }

  /** The connected peer with the highest head (`SyncPeers`). */
  bestPeer(): { peer: PeerId; head: bigint } | undefined {
    let best: { peer: PeerId; head: bigint } | undefined
    for (const { peer, status } of this.statuses.values()) {
      const head = BigInt(status.head)
      if (!best || head > best.head) best = { peer, head }
    }
    return best
  }

  async requestBlocks(peer: PeerId, blocks: BlocksRequest): Promise<BlockBundle[]> {
    return decodeBundles(await request(this.host, peer, this.protocols.blocks, encodeJson(blocks), { timeoutMs: 30_000 }))
  }

  /** A follower's `eth_sendRawTransaction`. */
  async sendRawTransaction(raw: Uint8Array): Promise<Uint8Array> {
    const producer = this.producerPeer()
    if (producer) {
      const hash = new TextDecoder().decode(await request(this.host, producer, this.protocols.transaction, raw))
      if (!/^0x[0-9a-f]{64}$/.test(hash)) throw new P2pError('P2P_BAD_MESSAGE', `the producer answered a transaction with ${hash.slice(0, 80)}`)
      return hexToBytes(hash as Hex)
    }
    // No direct line to the producer: check what can be checked here, then gossip it its way.
    const tx = decodeTransaction(raw, this.options.chain.common)
    if (this.host.services.pubsub.getSubscribers(this.protocols.transactionsTopic).length === 0) {
      throw new P2pError('P2P_NO_PRODUCER', 'no peer to relay the transaction to')
    }
    await this.host.services.pubsub.publish(this.protocols.transactionsTopic, raw)
    return tx.hash()
  }

  /** A follower's pending nonce: the producer's mempool orders nonces, so ask it when reachable. */
  async pendingNonce(address: Uint8Array): Promise<bigint | undefined> {
    const producer = this.producerPeer()
    if (!producer) return undefined
    return BigInt(new TextDecoder().decode(await request(this.host, producer, this.protocols.pendingNonce, address)))
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    this.unsubscribeBlocks?.()
    await this.sync?.stop()
    await this.host.stop()
  }

  private async listen(): Promise<void> {
    const { chain } = this.options
    await serve(this.host, this.protocols.status, async () => encodeJson(await this.ownStatus()))
    await serve(this.host, this.protocols.blocks, (body) => this.serveBlocks(decodeBlocksRequest(body)))
    const pubsub = this.host.services.pubsub
    pubsub.subscribe(this.protocols.blocksTopic)
    pubsub.subscribe(this.protocols.transactionsTopic)
    // A block is relayed only once this node has verified and imported it; gossipsub scores down the
    // peers whose blocks are rejected. The producer makes the blocks and never imports gossip.
    pubsub.topicValidators.set(this.protocols.blocksTopic, (peer, message) => this.validateBlockGossip(peer, message.data))
    pubsub.addEventListener('message', ({ detail }) => {
      if (detail.topic === this.protocols.transactionsTopic) this.onTransactionGossip(detail.data)
    })
    this.host.addEventListener('connection:open', ({ detail }) => void this.greet(detail))
    this.host.addEventListener('peer:disconnect', ({ detail }) => this.statuses.delete(detail.toString()))
    if (this.options.producer) {
      const producer = this.options.producer
      await serve(this.host, this.protocols.transaction, async (raw) => new TextEncoder().encode(await producer.submit(raw)))
      await serve(this.host, this.protocols.pendingNonce, async (address) => {
        if (address.length !== 20) throw new P2pError('P2P_BAD_MESSAGE', 'an address is 20 bytes')
        return new TextEncoder().encode((await producer.pendingNonce(address)).toString())
      })
      this.unsubscribeBlocks = chain.onNewBlock((block) => {
        void this.publishBlock(block.hash())
      })
    }
  }

  private async publishBlock(hash: Uint8Array): Promise<void> {
    const { chain } = this.options
    try {
      const block = await chain.store.blockByHash(hash)
      if (!block) return
      const bundle = await bundleOf(chain, block)
      await this.host.services.pubsub.publish(this.protocols.blocksTopic, encodeBundle(bundle))
    } catch (err) {
      // Followers that miss the gossip catch up by request/response on their next tick.
      this.options.log?.(`publishing block ${bytesToHex(hash)} failed: ${errorMessage(err)}`)
    }
  }

  private async validateBlockGossip(from: PeerId, data: Uint8Array): Promise<TopicValidatorResult> {
    if (!this.sync) return TopicValidatorResult.Ignore
    let bundle: BlockBundle
    try {
      bundle = decodeBundle(data)
    } catch (err) {
      this.options.log?.(`undecodable block gossip from ${from}: ${errorMessage(err)}`)
      return TopicValidatorResult.Reject
    }
    const verdict = await this.sync.onGossip(bundle, (number) => {
      // The relaying peer has this block, so it is at least this far ahead (catch-up may ask it).
      const known = this.statuses.get(from.toString())
      if (known && number > BigInt(known.status.head)) known.status = { ...known.status, head: number.toString() }
    })
    return verdict === 'accept' ? TopicValidatorResult.Accept : verdict === 'reject' ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore
  }

  /** `SyncPeers`: a peer that served a block the importer refused is dropped for this run. */
  misbehaved(peer: PeerId, reason: string): void {
    const id = peer.toString()
    this.badPeers.add(id)
    this.statuses.delete(id)
    this.options.log?.(`disconnecting ${id}: ${reason}`)
    void this.host.hangUp(peer).catch((err) => this.options.log?.(`hang-up of ${id} failed: ${errorMessage(err)}`))
  }

  private onTransactionGossip(raw: Uint8Array): void {
    // Only the producer admits; followers just relay (gossipsub forwards for them).
    this.options.producer?.submit(raw).catch((err) => this.options.log?.(`gossiped transaction refused: ${errorMessage(err)}`))
  }

  private async serveBlocks(wanted: BlocksRequest): Promise<Uint8Array> {
    const { chain } = this.options
    const bundles: BlockBundle[] = []
    if ('hash' in wanted) {
      const block = await chain.store.blockByHash(hexToBytes(wanted.hash as Hex))
      if (block) bundles.push(await bundleOf(chain, block))
    } else {
      const from = BigInt(wanted.from)
      const count = Math.min(wanted.count, MAX_BLOCKS_PER_REQUEST)
      for (let n = from; n < from + BigInt(count); n++) {
        const block = await chain.store.blockByNumber(n)
        if (!block) break
        bundles.push(await bundleOf(chain, block))
      }
    }
    return encodeBundles(bundles)
  }

  private async ownStatus(): Promise<Status> {
    const { chain } = this.options
    const peers = [...this.multiaddrs]
    for (const { peer } of this.statuses.values()) peers.push(...(await this.addressesOf(peer)))
    return {
      chainId: chain.chainId.toString(),
      genesisHash: bytesToHex(chain.genesisHash),
      head: chain.head.header.number.toString(),
      headHash: bytesToHex(chain.head.hash()),
      role: this.options.role,
      ...(this.options.producer && { producerClaim: this.ownClaim() }),
      peers: peers.slice(0, 64),
    }
  }

  private claim?: Hex
  private ownClaim(): Hex {
    this.claim ??= bytesToHex(producerClaim(this.options.chain.chainId, this.peerId, this.options.producer!.sealerKey)) as Hex
    return this.claim
  }

  private async addressesOf(peer: PeerId): Promise<string[]> {
    try {
      const known = await this.host.peerStore.get(peer)
      return known.addresses.map((a) => a.multiaddr.encapsulate(`/p2p/${peer}`).toString())
    } catch {
      return [] // not in the peer store (yet): identify has not run
    }
  }

  /** Asks a newly connected peer for its status; a peer of another chain is dropped. */
  private async greet(connection: Connection): Promise<void> {
    if (this.badPeers.has(connection.remotePeer.toString())) {
      await connection.close().catch((err) => connection.abort(err instanceof Error ? err : new Error(String(err))))
      return
    }
    await this.refreshStatus(connection.remotePeer)
    void this.sync?.catchUp()
  }

  private async refreshStatus(peer: PeerId): Promise<Status | undefined> {
    const id = peer.toString()
    let status: Status
    try {
      status = decodeStatus(await request(this.host, peer, this.protocols.status, new Uint8Array(), { timeoutMs: 5_000 }))
    } catch (err) {
      this.statuses.delete(id)
      if (!this.stopped) this.options.log?.(`status of ${id} unavailable: ${errorMessage(err)}`)
      return undefined
    }
    const { chain } = this.options
    if (status.chainId !== chain.chainId.toString() || status.genesisHash !== bytesToHex(chain.genesisHash)) {
      this.misbehaved(peer, `it is on another chain (chain id ${status.chainId}, genesis ${status.genesisHash})`)
      return undefined
    }
    this.statuses.set(id, { peer, status })
    for (const address of status.peers) if (this.learned.size < MAX_LEARNED_ADDRESSES) this.learned.add(address)
    return status
  }

  /** A connected peer that proved it speaks for the sealer (a bare `role: producer` is not enough). */
  private producerPeer(): PeerId | undefined {
    const { chain } = this.options
    for (const { peer, status } of this.statuses.values()) {
      if (status.role === 'producer' && status.producerClaim && isProducerClaimValid(chain.chainId, peer.toString(), hexToBytes(status.producerClaim as Hex), chain.sealer.bytes)) return peer
    }
    return undefined
  }

  /** Periodic upkeep: keep the given peers dialled, refresh statuses, meet their peers, fill gaps. */
  private tick(): void {
    if (this.stopped) return
    this.upkeep()
      .catch((err) => this.options.log?.(`network upkeep failed: ${errorMessage(err)}`))
      .finally(() => {
        if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.options.syncIntervalMs ?? 1000)
      })
  }

  private async upkeep(): Promise<void> {
    const connected = new Set(this.host.getPeers().map(String))
    const wanted = new Set([...(this.options.peers ?? []), ...this.learned])
    const maxPeers = this.options.maxPeers ?? 16
    for (const address of wanted) {
      if (connected.size >= maxPeers) break
      const id = address.split('/p2p/')[1]
      if (!id || id === this.peerId || connected.has(id) || this.badPeers.has(id)) continue
      connected.add(id)
      await this.host.dial(multiaddr(address), { signal: AbortSignal.timeout(3_000) }).catch((err) => {
        if ((this.options.peers ?? []).includes(address)) this.options.log?.(`cannot reach peer ${address}: ${errorMessage(err)}`)
      })
    }
    const live = this.host.getPeers().filter((peer) => !this.badPeers.has(peer.toString()))
    await Promise.all(live.map((peer) => this.refreshStatus(peer)))
    await this.sync?.catchUp()
  }
}

/** A stored block as it travels: with its records and seal, exactly as they were stored. */
async function bundleOf(chain: Chain, block: Block): Promise<BlockBundle> {
  const hash = block.hash()
  return {
    block: block.serialize(),
    records: (await chain.store.attachment(RECORDS_ATTACHMENT, hash)) ?? new Uint8Array(),
    seal: (await chain.store.attachment(SEAL_ATTACHMENT, hash)) ?? new Uint8Array(),
  }
}
