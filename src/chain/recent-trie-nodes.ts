/**
 * A node cache under every trie of one database. The account trie's own cache (its CheckpointDB's
 * LRU) keeps what it *reads* from LevelDB, but a checkpoint commit writes through its batch path,
 * which bypasses that cache: every node a block created was read back from LevelDB by the next
 * block that walked the same paths (~3% of the node's CPU under a stream of transfers). Storage
 * tries are shallow copies without any cache, read afresh by every call. This layer remembers the
 * nodes most recently written or read, for all of them (`shallowCopy` shares it). Nodes are
 * addressed by their hash, so a remembered node can never be stale.
 */
import type { BatchDBOp, DB, EncodingOpts } from '@ethereumjs/util'

export const RECENT_TRIE_NODES = 50_000

export class RecentTrieNodes implements DB<string, string | Uint8Array> {
  private readonly recent = new Map<string, string | Uint8Array>()

  constructor(
    private readonly inner: DB<string, string | Uint8Array>,
    private readonly capacity = RECENT_TRIE_NODES,
  ) {}

  async get(key: string, opts?: EncodingOpts): Promise<string | Uint8Array | undefined> {
    const known = this.recent.get(key)
    if (known !== undefined) return known
    const value = await this.inner.get(key, opts)
    if (value !== undefined) this.remember(key, value)
    return value
  }

  async put(key: string, value: string | Uint8Array, opts?: EncodingOpts): Promise<void> {
    await this.inner.put(key, value, opts)
    this.remember(key, value)
  }

  async del(key: string, opts?: EncodingOpts): Promise<void> {
    this.recent.delete(key)
    await this.inner.del(key, opts)
  }

  async batch(ops: BatchDBOp<string, string | Uint8Array>[]): Promise<void> {
    await this.inner.batch(ops)
    for (const op of ops) {
      // The trie writes string (hex) keys; anything else goes only to the database.
      if (typeof op.key !== 'string') continue
      if (op.type === 'put') this.remember(op.key, op.value)
      else this.recent.delete(op.key)
    }
  }

  /** The same layer: a copy (a storage trie) reads the same database, so it shares what is remembered. */
  shallowCopy(): DB<string, string | Uint8Array> {
    return this
  }

  async open(): Promise<void> {
    await this.inner.open()
  }

  private remember(key: string, value: string | Uint8Array): void {
    this.recent.delete(key)
    this.recent.set(key, value)
    if (this.recent.size > this.capacity) this.recent.delete(this.recent.keys().next().value as string)
  }
}
