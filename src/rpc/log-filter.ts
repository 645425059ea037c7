/**
 * Matching logs against a filter's addresses and topics, and ruling blocks out by their logs bloom
 * before their receipts are read. Block ranges are the caller's business.
 */
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { keccak256 } from 'ethereum-cryptography/keccak.js'
import type { Hex } from 'viem'
import type { LogFilter } from './params.js'
import type { LogTuple } from './types.js'

const BLOOM_BYTES = 256

/** The three bloom bits an entry sets, as [byte index, bit mask] pairs (yellow paper M3:2048). */
function bloomBits(entry: Hex): Array<[number, number]> {
  const hash = keccak256(hexToBytes(entry))
  const bits: Array<[number, number]> = []
  for (let i = 0; i < 3; i++) {
    const position = ((hash[i * 2]! << 8) | hash[i * 2 + 1]!) & 2047
    bits.push([BLOOM_BYTES - (position >> 3) - 1, 1 << (position % 8)])
  }
  return bits
}

function inBloom(bloom: Uint8Array, bits: Array<[number, number]>): boolean {
  return bits.every(([byte, mask]) => (bloom[byte]! & mask) !== 0)
}

/** A filter compiled once, applied to many blocks and logs. */
export interface CompiledLogFilter {
  /** False when the bloom proves no log of the block can match (true may still be a false positive). */
  mayMatchBloom(bloom: Uint8Array): boolean
  matches(log: LogTuple): boolean
}

/**
 * @example
 * const filter = compileLogFilter(parse(logFilter, params[0], 'filter'))
 * if (filter.mayMatchBloom(block.header.logsBloom)) ...
 */
export function compileLogFilter(filter: Pick<LogFilter, 'addresses' | 'topics'>): CompiledLogFilter {
  const addresses = new Set(filter.addresses)
  const topicSets = filter.topics.map((t) => (t === null ? null : new Set<string>(t)))
  const addressBits = filter.addresses.map(bloomBits)
  const topicBits = filter.topics.map((t) => (t === null ? null : t.map(bloomBits)))
  return {
    mayMatchBloom(bloom) {
      if (addressBits.length > 0 && !addressBits.some((bits) => inBloom(bloom, bits))) return false
      return topicBits.every((alternatives) => alternatives === null || alternatives.some((bits) => inBloom(bloom, bits)))
    },
    matches([address, topics]) {
      if (addresses.size > 0 && !addresses.has(bytesToHex(address))) return false
      return topicSets.every((set, i) => set === null || (topics[i] !== undefined && set.has(bytesToHex(topics[i]!))))
    },
  }
}
