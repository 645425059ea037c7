/**
 * `eth_subscribe` / `eth_unsubscribe` for one WebSocket connection: `newHeads` pushes each new
 * head's header, `logs` each matching log of each new block, as `eth_subscription` notifications.
 */
import { randomBytes } from 'node:crypto'
import type { Block } from '@ethereumjs/block'
import { invalidParams, limitExceeded } from './errors.js'
import { blockLogs, formatHeader } from './format.js'
import { compileLogFilter } from './log-filter.js'
import { logFilter, parse } from './params.js'
import type { RpcBackend, RpcMethodTable, StoredReceipt } from './types.js'

/** Subscriptions one connection may hold, so that a client cannot grow the node's listener list without bound. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 128

export const SUBSCRIPTION_KINDS = ['newHeads', 'logs'] as const

export interface ConnectionSubscriptions {
  /** `eth_subscribe` and `eth_unsubscribe`, bound to this connection. */
  methods: RpcMethodTable
  /** Ends every subscription (the connection closed). */
  close(): void
}

/**
 * @param send writes one serialised notification to the connection
 * @param onError told when formatting a notification fails (the subscription stays)
 *
 * @example
 * const subs = createSubscriptions(backend, (text) => socket.send(text), console.error)
 * socket.on('close', () => subs.close())
 */
export function createSubscriptions(
  backend: Pick<RpcBackend, 'onNewBlock'>,
  send: (text: string) => void,
  onError: (err: unknown) => void,
): ConnectionSubscriptions {
  const active = new Map<string, () => void>()

  function notify(subscription: string, result: unknown): void {
    send(JSON.stringify({ jsonrpc: '2.0', method: 'eth_subscription', params: { subscription, result } }))
  }

  /** A listener must never throw into the node's block announcement. */
  function guarded<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return (...args) => {
      try {
        fn(...args)
      } catch (err) {
        onError(err)
      }
    }
  }

  return {
    methods: {
      eth_subscribe: ([kind, filterParam]) => {
        if (active.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) throw limitExceeded(`at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection`)
        const id = `0x${randomBytes(16).toString('hex')}`
        if (kind === 'newHeads') {
          active.set(id, backend.onNewBlock(guarded((block) => notify(id, formatHeader(block)))))
        } else if (kind === 'logs') {
          const filter = compileLogFilter(parse(logFilter, filterParam ?? {}, 'filter'))
          const listener = guarded((block: Block, receipts: StoredReceipt[]) => {
            if (!filter.mayMatchBloom(block.header.logsBloom)) return
            for (const log of blockLogs(block, receipts, filter.matches)) notify(id, log)
          })
          active.set(id, backend.onNewBlock(listener))
        } else {
          throw invalidParams(`subscription: unsupported kind ${JSON.stringify(kind)} (supported: ${SUBSCRIPTION_KINDS.join(', ')})`)
        }
        return id
      },
      eth_unsubscribe: ([id]) => {
        const stop = typeof id === 'string' ? active.get(id) : undefined
        if (!stop) return false
        stop()
        active.delete(id as string)
        return true
      },
    },
    close() {
      for (const stop of active.values()) stop()
      active.clear()
    },
  }
}
