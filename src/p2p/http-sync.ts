/**
 * Follower sync over a peer's JSON-RPC: poll the peer's head, fetch each missing block with its
 * inference records (`inferchain_getBlockWithRecords`) and import it — verify, replay, never run a
 * model. A rejected block is logged with its reason and retried later (the follower stays on its
 * valid head). This is the transport until libp2p gossip lands (see docs/architecture.md).
 */
import { createBlockFromRLP } from '@ethereumjs/block'
import { hexToBytes } from '@ethereumjs/util'
import type { Hex } from 'viem'
import type { Chain } from '../chain/chain.js'
import type { BlockImporter } from '../chain/importer.js'
import { errorMessage } from '../errors.js'
import { httpRequest } from '../inference/http.js'
import { RpcError } from '../rpc/errors.js'

export interface SyncOptions {
  peerUrl: string
  pollMs?: number
  log?: (message: string) => void
  /** Called after each imported block (progress). */
  onImported?: (number: bigint, peerHead: bigint) => void
}

export class HttpBlockSync {
  private timer?: NodeJS.Timeout
  private running?: Promise<void>
  private stopped = false
  /** Last rejection, for status and tests. */
  lastRejection?: string

  constructor(
    private readonly chain: Chain,
    private readonly importer: BlockImporter,
    private readonly options: SyncOptions,
  ) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return
      this.running = this.syncOnce()
        .catch((err) => this.options.log?.(`sync from ${this.options.peerUrl} failed: ${errorMessage(err)}`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.pollMs ?? 200)
        })
    }
    tick()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
  }

  /** Imports every block the peer has beyond our head. */
  async syncOnce(): Promise<void> {
    const peerHead = BigInt((await this.call('eth_blockNumber', [])) as Hex)
    for (let n = this.chain.head.header.number + 1n; n <= peerHead && !this.stopped; n++) {
      const answer = (await this.call('inferchain_getBlockWithRecords', [`0x${n.toString(16)}`])) as { block: Hex; records: Hex } | null
      if (answer === null) return
      const block = createBlockFromRLP(hexToBytes(answer.block), { common: this.chain.common, setHardfork: false })
      try {
        await this.importer.import(block, hexToBytes(answer.records))
      } catch (err) {
        this.lastRejection = errorMessage(err)
        this.options.log?.(this.lastRejection)
        return
      }
      this.options.onImported?.(n, peerHead)
    }
  }

  private call(method: string, params: unknown[]): Promise<unknown> {
    return forward(this.options.peerUrl, method, params)
  }
}

/** Forwards raw transactions a follower receives to the producer. */
export async function forwardRawTransaction(peerUrl: string, raw: Uint8Array): Promise<Uint8Array> {
  return hexToBytes(await forward<Hex>(peerUrl, 'eth_sendRawTransaction', [`0x${Buffer.from(raw).toString('hex')}`]))
}

/** The producer's pending nonce of an account (its mempool decides the next nonce). */
export async function forwardPendingNonce(peerUrl: string, address: Hex): Promise<bigint> {
  return BigInt(await forward<Hex>(peerUrl, 'eth_getTransactionCount', [address, 'pending']))
}

async function forward<T>(peerUrl: string, method: string, params: unknown[]): Promise<T> {
  const res = await httpRequest(peerUrl, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const body = JSON.parse(res.text) as { result?: T; error?: { code: number; message: string; data?: unknown } }
  // The producer's own JSON-RPC error goes back to the client unchanged.
  if (body.error) throw new RpcError(body.error.code, body.error.message, body.error.data)
  return body.result as T
}
