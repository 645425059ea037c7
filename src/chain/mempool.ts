/**
 * Pending transactions: per sender by nonce, with replacement by a higher fee. An entry is
 * `preparing` while the PIPE pipeline gathers its inference results and `ready` once it may be
 * included. The producer takes ready entries in nonce order per sender, best tip first across senders.
 */
import type { TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex } from '@ethereumjs/util'
import type { Hex } from 'viem'
import type { ResultBook } from '../evm/providers.js'
import { TransactionRejectedError } from './errors.js'

/** A replacement must raise both fee caps by this many percent. */
export const REPLACEMENT_BUMP_PERCENT = 10n
export const MAX_POOL_SIZE = 20_000
/** How far beyond its queued sequence a sender may leave a gap. */
export const MAX_NONCE_GAP = 64n

export interface PoolEntry {
  tx: TypedTransaction
  hash: Hex
  sender: Hex
  nonce: bigint
  status: 'preparing' | 'ready'
  book?: ResultBook
  /** Times the real execution found a request that was not precomputed. */
  deferrals: number
}

export class Mempool {
  private readonly bySender = new Map<Hex, Map<bigint, PoolEntry>>()
  private readonly byHash = new Map<Hex, PoolEntry>()

  get size(): number {
    return this.byHash.size
  }

  get(hash: Hex): PoolEntry | undefined {
    return this.byHash.get(hash)
  }

  /** Adds (or replaces by fee) a validated transaction; `accountNonce` is the sender's state nonce. */
  add(tx: TypedTransaction, accountNonce: bigint): PoolEntry {
    const hash = bytesToHex(tx.hash()) as Hex
    if (this.byHash.has(hash)) throw new TransactionRejectedError('ALREADY_KNOWN', 'already known')
    const sender = tx.getSenderAddress().toString() as Hex
    if (tx.nonce < accountNonce) {
      throw new TransactionRejectedError('NONCE_TOO_LOW', `nonce too low: next nonce ${accountNonce}, tx nonce ${tx.nonce}`)
    }
    const next = this.pendingNonce(sender, accountNonce)
    if (tx.nonce > next + MAX_NONCE_GAP) {
      throw new TransactionRejectedError('NONCE_TOO_HIGH', `nonce too high: next nonce ${next}, tx nonce ${tx.nonce}`)
    }
    const queue = this.bySender.get(sender) ?? new Map<bigint, PoolEntry>()
    const existing = queue.get(tx.nonce)
    if (existing) {
      if (!outbids(tx, existing.tx)) {
        throw new TransactionRejectedError('REPLACEMENT_UNDERPRICED', `replacement transaction underpriced: raise fees by at least ${REPLACEMENT_BUMP_PERCENT}%`)
      }
      this.byHash.delete(existing.hash)
    } else if (this.byHash.size >= MAX_POOL_SIZE) {
      throw new TransactionRejectedError('MEMPOOL_FULL', 'mempool is full')
    }
    const entry: PoolEntry = { tx, hash, sender, nonce: tx.nonce, status: 'preparing', deferrals: 0 }
    queue.set(tx.nonce, entry)
    this.bySender.set(sender, queue)
    this.byHash.set(hash, entry)
    return entry
  }

  remove(hash: Hex): void {
    const entry = this.byHash.get(hash)
    if (!entry) return
    this.byHash.delete(hash)
    const queue = this.bySender.get(entry.sender)
    if (queue?.get(entry.nonce) === entry) queue.delete(entry.nonce)
    if (queue?.size === 0) this.bySender.delete(entry.sender)
  }

  /** Highest queued nonce + 1 for a sender, or `accountNonce` if it queues nothing contiguous. */
  pendingNonce(sender: Hex, accountNonce: bigint): bigint {
    const queue = this.bySender.get(sender)
    let nonce = accountNonce
    while (queue?.has(nonce)) nonce++
    return nonce
  }

  /**
   * Ready transactions in includable order. Entries below the account nonce (mined elsewhere or
   * replaced) are dropped; a sender's sequence stops at its first gap or non-ready entry.
   */
  async includable(accountNonce: (sender: Hex) => Promise<bigint>, baseFee: bigint): Promise<PoolEntry[]> {
    const sequences: PoolEntry[][] = []
    for (const [sender, queue] of this.bySender) {
      const first = await accountNonce(sender)
      for (const entry of [...queue.values()]) if (entry.nonce < first) this.remove(entry.hash)
      const sequence: PoolEntry[] = []
      for (let n = first; queue.get(n)?.status === 'ready'; n++) sequence.push(queue.get(n)!)
      if (sequence.length > 0) sequences.push(sequence)
    }
    // Merge the per-sender sequences, best effective tip at the head first.
    const ordered: PoolEntry[] = []
    while (sequences.length > 0) {
      sequences.sort((a, b) => compareBigint(tip(b[0]!.tx, baseFee), tip(a[0]!.tx, baseFee)))
      ordered.push(sequences[0]!.shift()!)
      if (sequences[0]!.length === 0) sequences.shift()
    }
    return ordered
  }

  entries(): PoolEntry[] {
    return [...this.byHash.values()]
  }
}

function feeCaps(tx: TypedTransaction): { maxFee: bigint; tip: bigint } {
  if ('maxFeePerGas' in tx) return { maxFee: tx.maxFeePerGas, tip: tx.maxPriorityFeePerGas }
  const price = (tx as unknown as { gasPrice: bigint }).gasPrice
  return { maxFee: price, tip: price }
}

function outbids(next: TypedTransaction, current: TypedTransaction): boolean {
  const a = feeCaps(next)
  const b = feeCaps(current)
  const bump = (x: bigint) => x + (x * REPLACEMENT_BUMP_PERCENT) / 100n
  return a.maxFee >= bump(b.maxFee) && a.tip >= bump(b.tip)
}

function tip(tx: TypedTransaction, baseFee: bigint): bigint {
  const { maxFee, tip } = feeCaps(tx)
  const room = maxFee - baseFee
  return room < tip ? room : tip
}

function compareBigint(a: bigint, b: bigint): number {
  return a === b ? 0 : a > b ? 1 : -1
}
