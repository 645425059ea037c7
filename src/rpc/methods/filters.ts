/**
 * Polling filters (`eth_newFilter`, `eth_newBlockFilter`, `eth_getFilterChanges`, `eth_getFilterLogs`,
 * `eth_uninstallFilter`), which ethers' `contract.on(...)` over HTTP relies on. A filter remembers
 * the next block it has not reported; each poll answers from there to the head, so no per-block
 * work is done for filters nobody polls. Idle filters expire, as in geth.
 */
import { randomBytes } from 'node:crypto'
import { bytesToHex } from '@ethereumjs/util'
import { createBlockResolver } from '../blocks.js'
import { invalidParams, limitExceeded, serverError } from '../errors.js'
import { logFilter, parse, type LogFilter } from '../params.js'
import type { RpcBackend, RpcMethodTable } from '../types.js'
import { createLogQuery } from './logs.js'

/** A filter not polled for this long is removed. */
export const FILTER_TIMEOUT_MS = 5 * 60 * 1000
/** Filters one node keeps at once. */
export const MAX_FILTERS = 1_000

type Filter = { kind: 'logs'; filter: LogFilter; next: bigint; lastPoll: number } | { kind: 'blocks'; next: bigint; lastPoll: number }

/**
 * @example
 * const methods = { ...createEthMethods(backend), ...createFilterMethods(backend) }
 */
export function createFilterMethods(backend: RpcBackend, now: () => number = Date.now): RpcMethodTable {
  const blocks = createBlockResolver(backend)
  const getLogs = createLogQuery(backend, blocks)
  const filters = new Map<string, Filter>()

  function install(filter: Filter): string {
    for (const [id, f] of filters) if (now() - f.lastPoll > FILTER_TIMEOUT_MS) filters.delete(id)
    if (filters.size >= MAX_FILTERS) throw limitExceeded(`at most ${MAX_FILTERS} filters are kept; uninstall some`)
    const id = `0x${randomBytes(16).toString('hex')}`
    filters.set(id, filter)
    return id
  }
  function lookup(id: unknown): Filter {
    const filter = typeof id === 'string' ? filters.get(id) : undefined
    if (!filter || now() - filter.lastPoll > FILTER_TIMEOUT_MS) throw serverError('filter not found')
    filter.lastPoll = now()
    return filter
  }

  return {
    eth_newFilter: async ([param]) => {
      const filter = parse(logFilter, param ?? {}, 'filter')
      if (filter.blockHash !== undefined) throw invalidParams('filter.blockHash: not supported by eth_newFilter (use eth_getLogs)')
      return install({ kind: 'logs', filter, next: backend.headNumber() + 1n, lastPoll: now() })
    },
    eth_newBlockFilter: () => install({ kind: 'blocks', next: backend.headNumber() + 1n, lastPoll: now() }),
    eth_uninstallFilter: ([id]) => typeof id === 'string' && filters.delete(id),
    eth_getFilterLogs: async ([id]) => {
      const filter = lookup(id)
      if (filter.kind !== 'logs') throw serverError('filter not found')
      return getLogs(filter.filter)
    },
    eth_getFilterChanges: async ([id]) => {
      const filter = lookup(id)
      const head = backend.headNumber()
      if (filter.next > head) return []
      const from = filter.next
      filter.next = head + 1n
      if (filter.kind === 'blocks') {
        const hashes: string[] = []
        for (let n = from; n <= head; n++) {
          const block = await backend.blockByNumber(n)
          if (block) hashes.push(bytesToHex(block.hash()))
        }
        return hashes
      }
      // The new blocks, narrowed by the filter's own range; an already-passed toBlock means nothing new.
      const { fromBlock, toBlock } = filter.filter
      const start = fromBlock && 'number' in fromBlock && fromBlock.number > from ? fromBlock.number : from
      const end = toBlock && 'number' in toBlock && toBlock.number < head ? toBlock.number : head
      if (start > end) return []
      return getLogs({ ...filter.filter, fromBlock: { number: start }, toBlock: { number: end } })
    },
  }
}
