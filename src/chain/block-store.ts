/**
 * Blocks, receipts and indices on LevelDB. A block and everything indexed from it is written in
 * one atomic batch together with the new head pointer, so a crash leaves either the old or the new
 * head, never half a block.
 */
import type { Block } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { RLP } from '@ethereumjs/rlp'
import { bytesToBigInt, bytesToHex, bigIntToUnpaddedBytes } from '@ethereumjs/util'
import type { StoredReceipt, TransactionLocation } from '../rpc/types.js'
import type { ChainDatabase } from './database.js'
import { decodeReceipts, encodeReceipts } from './receipts.js'
import { decodeBlock } from './transaction-decoding.js'

const HEAD_KEY = 'head'
const numberKey = (n: bigint) => `n:${n.toString(16).padStart(16, '0')}`
const blockKey = (hash: Uint8Array) => `b:${bytesToHex(hash)}`
const receiptsKey = (hash: Uint8Array) => `r:${bytesToHex(hash)}`
const txKey = (hash: Uint8Array) => `t:${bytesToHex(hash)}`
const extraKey = (kind: string, hash: Uint8Array) => `x:${kind}:${bytesToHex(hash)}`
const pointerKey = (kind: string, key: Uint8Array) => `p:${kind}:${bytesToHex(key)}`

/** Extra per-block payloads stored beside the block (e.g. inference records), by kind. */
export type BlockAttachments = Record<string, Uint8Array>

const CACHE_SIZE = 512

export class BlockStore {
  private readonly blocks = new Map<string, Block>()
  private readonly receiptCache = new Map<string, StoredReceipt[]>()

  constructor(
    private readonly db: ChainDatabase,
    private readonly common: Common,
  ) {}

  async headHash(): Promise<Uint8Array | undefined> {
    return this.db.chain.get(HEAD_KEY)
  }

  /** Writes a block, its receipts, attachments and tx index, and moves the head to it — atomically. */
  async commit(
    block: Block,
    receipts: StoredReceipt[],
    attachments: BlockAttachments = {},
    /** Extra lookups pointing at this block, e.g. inference request ids. */
    pointers: Array<{ kind: string; key: Uint8Array }> = [],
  ): Promise<void> {
    const hash = block.hash()
    const ops: { type: 'put'; key: string; value: Uint8Array }[] = [
      { type: 'put', key: blockKey(hash), value: block.serialize() },
      { type: 'put', key: receiptsKey(hash), value: encodeReceipts(receipts) },
      { type: 'put', key: numberKey(block.header.number), value: hash },
      { type: 'put', key: HEAD_KEY, value: hash },
    ]
    block.transactions.forEach((tx, index) => {
      ops.push({ type: 'put', key: txKey(tx.hash()), value: RLP.encode([hash, bigIntToUnpaddedBytes(BigInt(index))]) })
    })
    for (const [kind, value] of Object.entries(attachments)) ops.push({ type: 'put', key: extraKey(kind, hash), value })
    for (const { kind, key } of pointers) ops.push({ type: 'put', key: pointerKey(kind, key), value: hash })
    await this.db.chain.batch(ops)
    this.remember(this.blocks, bytesToHex(hash), block)
    this.remember(this.receiptCache, bytesToHex(hash), receipts)
  }

  async blockByHash(hash: Uint8Array): Promise<Block | undefined> {
    const key = bytesToHex(hash)
    const cached = this.blocks.get(key)
    if (cached) return cached
    const raw = await this.db.chain.get(blockKey(hash))
    if (!raw) return undefined
    const block = decodeBlock(raw, this.common)
    this.remember(this.blocks, key, block)
    return block
  }

  async hashByNumber(number: bigint): Promise<Uint8Array | undefined> {
    return this.db.chain.get(numberKey(number))
  }

  async blockByNumber(number: bigint): Promise<Block | undefined> {
    const hash = await this.hashByNumber(number)
    return hash ? this.blockByHash(hash) : undefined
  }

  async receipts(blockHash: Uint8Array): Promise<StoredReceipt[]> {
    const key = bytesToHex(blockHash)
    const cached = this.receiptCache.get(key)
    if (cached) return cached
    const raw = await this.db.chain.get(receiptsKey(blockHash))
    const receipts = raw ? decodeReceipts(raw) : []
    this.remember(this.receiptCache, key, receipts)
    return receipts
  }

  async attachment(kind: string, blockHash: Uint8Array): Promise<Uint8Array | undefined> {
    return this.db.chain.get(extraKey(kind, blockHash))
  }

  /** The block a pointer (see `commit`) leads to. */
  async blockHashByPointer(kind: string, key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.db.chain.get(pointerKey(kind, key))
  }

  async transaction(hash: Uint8Array): Promise<TransactionLocation | undefined> {
    const raw = await this.db.chain.get(txKey(hash))
    if (!raw) return undefined
    const [blockHash, index] = RLP.decode(raw) as Uint8Array[]
    const block = await this.blockByHash(blockHash!)
    return block ? { block, index: Number(bytesToBigInt(index!)) } : undefined
  }

  /** Arbitrary node metadata (e.g. genesis parameters), outside consensus data. */
  async getMeta(name: string): Promise<Uint8Array | undefined> {
    return this.db.chain.get(`m:${name}`)
  }

  async putMeta(name: string, value: Uint8Array): Promise<void> {
    await this.db.chain.put(`m:${name}`, value)
  }

  private remember<T>(cache: Map<string, T>, key: string, value: T): void {
    cache.set(key, value)
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string)
  }
}
