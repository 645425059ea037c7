/**
 * How a follower keeps up. A gossiped block that extends the head is imported while gossipsub
 * validates the message, so a node relays only blocks it has verified and a peer sending a bad one is
 * scored down by gossipsub. A gap (a node that was down, or is new) is filled by asking the peer with
 * the highest head for ranges of blocks; a peer that serves a block the importer refuses is dropped.
 * Every block goes through the importer — verify the records, replay, never run a model — and a
 * refused block is logged with its reason while the node stays on its valid head.
 */
import type { Block } from '@ethereumjs/block'
import type { PeerId } from '@libp2p/interface'
import type { Chain } from '../chain/chain.js'
import { BlockRejectedError, BlockUndecidedError, type BlockImporter } from '../chain/importer.js'
import { SerialQueue } from '../chain/serial-queue.js'
import { errorMessage } from '../errors.js'
import type { BlockBundle, BlocksRequest } from './wire.js'
import { decodeBlock } from '../chain/transaction-decoding.js'

/** What sync needs from the network: who is ahead, a way to ask them for blocks, and to drop liars. */
export interface SyncPeers {
  /** The connected peer with the highest head known, if any. */
  bestPeer(): { peer: PeerId; head: bigint } | undefined
  requestBlocks(peer: PeerId, request: BlocksRequest): Promise<BlockBundle[]>
  /** `peer` served a block the importer refused. */
  misbehaved(peer: PeerId, reason: string): void
}

export interface BlockSyncOptions {
  /** Blocks asked for per request while catching up. */
  batchSize?: number
  log?: (message: string) => void
  /** Called after each imported block, e.g. for a progress bar. */
  onImported?: (number: bigint, target: bigint) => void
}

/** What gossipsub should do with a block message: relay it, drop it quietly, or penalise the sender. */
export type GossipVerdict = 'accept' | 'ignore' | 'reject'

/** `undecided`: this node lacks something to verify the block (BlockUndecidedError); nobody is blamed, it is retried. */
type ImportOutcome = 'imported' | 'known' | 'not-next' | 'rejected' | 'undecided'

export class BlockSync {
  /** Why the last block was refused (for `inferchain_nodeStatus` and tests). */
  lastRejection?: string
  importedBlocks = 0
  /** Imports in block order: a gossiped block and a catch-up batch never interleave. */
  private readonly imports = new SerialQueue()
  private catchingUp?: Promise<void>
  /** While catching up: where this round started and the head it is heading for (`eth_syncing`). */
  private progress?: { startingBlock: bigint; highestBlock: bigint }
  private stopped = false

  constructor(
    private readonly chain: Chain,
    private readonly importer: BlockImporter,
    private readonly peers: SyncPeers,
    private readonly options: BlockSyncOptions = {},
  ) {}

  /**
   * A gossiped block: imported if it is the next one (and relayed only if that succeeds); one further
   * ahead starts a catch-up. `seen` learns the block's number (the relaying peer has it).
   */
  async onGossip(bundle: BlockBundle, seen: (number: bigint) => void): Promise<GossipVerdict> {
    let block: Block
    try {
      block = this.decode(bundle)
    } catch (err) {
      this.reject(`gossiped block is undecodable: ${errorMessage(err)}`)
      return 'reject'
    }
    seen(block.header.number)
    const head = this.chain.head.header.number
    if (block.header.number > head + 1n) {
      void this.catchUp()
      return 'ignore' // cannot be verified before the gap is filled
    }
    if (block.header.number <= head) return 'ignore'
    const outcome = await this.imports.run(() => this.importBlock(block, bundle, block.header.number))
    if (outcome === 'rejected') return 'reject'
    return outcome === 'imported' ? 'accept' : 'ignore'
  }

  /** `eth_syncing`'s answer: undefined when not catching up. */
  syncing(): { startingBlock: bigint; currentBlock: bigint; highestBlock: bigint } | undefined {
    return this.progress && { ...this.progress, currentBlock: this.chain.head.header.number }
  }

  /** Fills the gap to the best peer's head; concurrent calls share one run. */
  catchUp(): Promise<void> {
    if (this.stopped) return Promise.resolve()
    this.catchingUp ??= this.fillGap()
      .catch((err) => this.options.log?.(`sync failed: ${errorMessage(err)}`))
      .finally(() => {
        this.catchingUp = undefined
        this.progress = undefined
      })
    return this.catchingUp
  }

  async stop(): Promise<void> {
    this.stopped = true
    await this.catchingUp
    await this.imports.run(async () => {})
  }

  private async fillGap(): Promise<void> {
    const batchSize = BigInt(this.options.batchSize ?? 64)
    const best = this.peers.bestPeer()
    let from = this.chain.head.header.number + 1n
    if (!best || best.head < from) return
    this.progress = { startingBlock: from - 1n, highestBlock: best.head }
    const fetch = (start: bigint): Promise<BlockBundle[]> | undefined => {
      if (start > best.head || this.stopped) return undefined
      const count = best.head - start + 1n < batchSize ? best.head - start + 1n : batchSize
      const batch = this.peers.requestBlocks(best.peer, { from: start.toString(), count: Number(count) })
      batch.catch(() => {}) // observed when awaited below; a batch abandoned mid-way must not surface as unhandled
      return batch
    }
    // The next batch is on the wire while this one is imported.
    let pending = fetch(from)
    while (pending) {
      const bundles = await pending
      if (bundles.length === 0) return
      from += BigInt(bundles.length)
      pending = fetch(from)
      if (!(await this.importBatch(best.peer, bundles, best.head))) return
    }
    // The peer may have moved on meanwhile: the next tick (or gossip) starts another round.
  }

  /** Imports a batch from `peer` in order; false (and the peer reported) at the first refused block. */
  private async importBatch(peer: PeerId, bundles: BlockBundle[], target: bigint): Promise<boolean> {
    for (const bundle of bundles) {
      if (this.stopped) return false
      let block: Block
      try {
        block = this.decode(bundle)
      } catch (err) {
        this.reject(`block from ${peer} is undecodable: ${errorMessage(err)}`)
        this.peers.misbehaved(peer, this.lastRejection!)
        return false
      }
      const outcome = await this.imports.run(() => this.importBlock(block, bundle, target))
      if (outcome === 'rejected' || outcome === 'not-next') {
        this.peers.misbehaved(peer, outcome === 'rejected' ? this.lastRejection! : 'served blocks out of order')
        return false
      }
      if (outcome === 'undecided') return false
    }
    return true
  }

  private async importBlock(block: Block, bundle: BlockBundle, target: bigint): Promise<ImportOutcome> {
    const head = this.chain.head.header.number
    if (block.header.number <= head) return 'known'
    if (block.header.number !== head + 1n) return 'not-next'
    try {
      if ((await this.importer.import(block, bundle.records, bundle.seal)) === 'known') return 'known'
    } catch (err) {
      if (err instanceof BlockUndecidedError) {
        this.options.log?.(err.message)
        return 'undecided'
      }
      if (!(err instanceof BlockRejectedError)) throw err
      this.reject(err.message)
      return 'rejected'
    }
    this.importedBlocks++
    this.options.onImported?.(block.header.number, target)
    return 'imported'
  }

  private decode(bundle: BlockBundle): Block {
    return decodeBlock(bundle.block, this.chain.common)
  }

  private reject(reason: string): void {
    this.lastRejection = reason
    this.options.log?.(reason)
  }
}
