/** eth_getLogs: walks the requested blocks, reading receipts only where the logs bloom may match. */
import { bytes, type BlockSelector, type LogFilter } from '../params.js'
import type { BlockResolver } from '../blocks.js'
import { headerNotFound, invalidParams, limitExceeded, serverError } from '../errors.js'
import { blockLogs } from '../format.js'
import { compileLogFilter } from '../log-filter.js'
import type { RpcBackend } from '../types.js'

/** The most blocks one eth_getLogs may span (geth-style providers cap similarly). */
export const MAX_LOG_BLOCK_RANGE = 10_000n

/** Runs a validated log filter against the chain. */
export type LogQuery = (filter: LogFilter) => Promise<Record<string, unknown>[]>

/**
 * @example
 * const getLogs = createLogQuery(backend, createBlockResolver(backend))
 * await getLogs(parse(logFilter, { fromBlock: '0x0', address: token }, 'filter'))
 */
export function createLogQuery(backend: RpcBackend, blocks: BlockResolver): LogQuery {
  /** A range end as a number; `past` says the selector is a number above the head. */
  async function end(selector: BlockSelector | undefined): Promise<{ number: bigint; past: boolean }> {
    const head = backend.headNumber()
    const number = await blocks.numberOf(selector)
    if (number !== undefined) return { number, past: false }
    if (selector !== undefined && 'hash' in selector) throw headerNotFound()
    return { number: head, past: true }
  }

  return async (filter) => {
    const compiled = compileLogFilter(filter)
    if (filter.blockHash !== undefined) {
      const block = await backend.blockByHash(bytes(filter.blockHash))
      if (!block) throw serverError('unknown block')
      return blockLogs(block, await backend.receipts(block), compiled.matches)
    }
    const from = await end(filter.fromBlock)
    if (from.past) return [] // nothing mined there yet
    const to = (await end(filter.toBlock)).number
    if (from.number > to) throw invalidParams(`filter: fromBlock (${from.number}) is after toBlock (${to})`)
    if (to - from.number + 1n > MAX_LOG_BLOCK_RANGE) {
      throw limitExceeded(`query exceeds the limit of ${MAX_LOG_BLOCK_RANGE} blocks (asked for ${to - from.number + 1n}); narrow fromBlock/toBlock`)
    }
    const logs: Record<string, unknown>[] = []
    for (let n = from.number; n <= to; n++) {
      const block = await backend.blockByNumber(n)
      if (!block || block.transactions.length === 0 || !compiled.mayMatchBloom(block.header.logsBloom)) continue
      logs.push(...blockLogs(block, await backend.receipts(block), compiled.matches))
    }
    return logs
  }
}
