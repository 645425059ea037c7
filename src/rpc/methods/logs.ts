/** eth_getLogs: walks the requested blocks, skipping those whose bloom cannot match. */
import type { Block } from '@ethereumjs/block'
import { hexToBytes } from '@ethereumjs/util'
import { Bloom } from '@ethereumjs/vm'
import type { z } from 'zod'
import { RpcError } from '../errors.js'
import { firstLogIndexes, formatLog } from '../format.js'
import type { BlockSelector, logFilter } from '../params.js'
import { createLogMatcher } from '../subscriptions.js'
import type { RpcBackend } from '../types.js'

export const MAX_LOG_RANGE = 10_000n

type Filter = z.infer<typeof logFilter>

export function createLogQuery(backend: RpcBackend, numberOf: (s: BlockSelector | undefined) => Promise<bigint | undefined>) {
  return async (filter: Filter) => {
    const addresses = filter.address === undefined ? [] : (Array.isArray(filter.address) ? filter.address : [filter.address]).map((a) => a.toLowerCase())
    const topics = (filter.topics ?? []).map((t) => (t === null ? null : (Array.isArray(t) ? t : [t]).filter((x): x is string => x !== null).map((x) => x.toLowerCase())))
    const matches = createLogMatcher(filter)
    let blocks: Block[]
    if (filter.blockHash) {
      const block = await backend.blockByHash(hexToBytes(filter.blockHash as `0x${string}`))
      if (!block) throw new RpcError(-32000, 'unknown block')
      blocks = [block]
    } else {
      const head = backend.headNumber()
      const from = (await numberOf(filter.fromBlock)) ?? head + 1n
      const to = (await numberOf(filter.toBlock)) ?? head
      if (to - from + 1n > MAX_LOG_RANGE) throw new RpcError(-32005, `query exceeds the limit of ${MAX_LOG_RANGE} blocks`)
      blocks = []
      for (let n = from; n <= to; n++) {
        const block = await backend.blockByNumber(n)
        if (block && mayContain(block, addresses, topics)) blocks.push(block)
      }
    }
    const logs: ReturnType<typeof formatLog>[] = []
    for (const block of blocks) {
      const receipts = await backend.receipts(block)
      const starts = firstLogIndexes(receipts)
      receipts.forEach((receipt, txIndex) =>
        receipt.logs.forEach((log, i) => {
          if (matches(log)) logs.push(formatLog(log, block, txIndex, starts[txIndex]! + i))
        }),
      )
    }
    return logs
  }
}

function mayContain(block: Block, addresses: string[], topics: (string[] | null)[]): boolean {
  const bloom = new Bloom(block.header.logsBloom)
  if (addresses.length > 0 && !addresses.some((a) => bloom.check(hexToBytes(a as `0x${string}`)))) return false
  return topics.every((alternatives) => !alternatives || alternatives.length === 0 || alternatives.some((t) => bloom.check(hexToBytes(t as `0x${string}`))))
}
