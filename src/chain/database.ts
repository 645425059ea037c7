/**
 * One LevelDB per node data dir. Sublevels keep concerns apart:
 *   state/  Merkle-Patricia trie nodes of the world state (written by the trie on commit)
 *   chain/  blocks, receipts, indices and the head pointer (written by BlockStore in one batch per block)
 */
import { ClassicLevel } from 'classic-level'
import type { BatchDBOp, DB, EncodingOpts } from '@ethereumjs/util'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'

/** The slice of a LevelDB sublevel the chain uses (string keys, byte values). */
export interface Sublevel {
  get(key: string): Promise<Uint8Array | undefined>
  put(key: string, value: Uint8Array): Promise<void>
  del(key: string): Promise<void>
  batch(ops: Array<{ type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string }>): Promise<void>
}

export class ChainDatabase {
  private constructor(
    private readonly level: ClassicLevel<string, Uint8Array>,
    readonly state: Sublevel,
    readonly chain: Sublevel,
  ) {}

  /** Opens (creating if needed) `<dataDir>/db`. */
  static async open(dataDir: string): Promise<ChainDatabase> {
    mkdirSync(dataDir, { recursive: true })
    const level = new ClassicLevel<string, Uint8Array>(join(dataDir, 'db'), { keyEncoding: 'utf8', valueEncoding: 'view' })
    await level.open()
    const sub = (name: string) =>
      level.sublevel<string, Uint8Array>(name, { keyEncoding: 'utf8', valueEncoding: 'view' }) as unknown as Sublevel
    return new ChainDatabase(level, sub('state'), sub('chain'))
  }

  async close(): Promise<void> {
    await this.level.close()
  }
}

/** Adapts a sublevel to the `DB` interface the ethereumjs trie writes through (hex string keys, byte values). */
export class LevelTrieDB implements DB<string, string | Uint8Array> {
  constructor(private readonly sublevel: Sublevel) {}

  async get(key: string, _opts?: EncodingOpts): Promise<Uint8Array | undefined> {
    return this.sublevel.get(key)
  }

  async put(key: string, value: string | Uint8Array, _opts?: EncodingOpts): Promise<void> {
    await this.sublevel.put(key, toBytes(value))
  }

  async del(key: string, _opts?: EncodingOpts): Promise<void> {
    await this.sublevel.del(key)
  }

  async batch(ops: BatchDBOp<string, string | Uint8Array>[]): Promise<void> {
    await this.sublevel.batch(
      ops.map((op) =>
        op.type === 'put'
          ? { type: 'put' as const, key: keyString(op.key), value: toBytes(op.value) }
          : { type: 'del' as const, key: keyString(op.key) },
      ),
    )
  }

  shallowCopy(): DB<string, string | Uint8Array> {
    return new LevelTrieDB(this.sublevel)
  }

  async open(): Promise<void> {}
}

// The checkpoint DB flushes with byte keys; the trie itself uses hex strings. Store both as hex.
function keyString(key: string | Uint8Array): string {
  return typeof key === 'string' ? key : Buffer.from(key).toString('hex')
}

function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value, 'hex') : value
}
