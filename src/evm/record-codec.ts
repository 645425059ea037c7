/**
 * Byte encoding of a block's inference records, and the commitment the header carries in
 * `extraData` (keccak256 of those bytes): changing one byte of one record changes the block hash.
 */
import { bytesToHex, type Hex } from 'viem'
import { keccak256 } from '../crypto/native.js'
import type { InferenceRecord } from './records.js'

/**
 * JSON, with every bigint written as its decimal digits followed by `n` ("-12n"), so that it comes
 * back a bigint. A string that looks like that (a model or an LLM may well answer "12n") gets one
 * more `n` ("12nn"), which decoding takes off again: without it, such an output would come back a
 * bigint on every other node, and their replay would disagree with the producer's.
 *
 * The bigints are turned into strings by a walk before `JSON.stringify` and back by a walk after
 * `JSON.parse`, not by a replacer and a reviver: called once per value, those took 2–3× as long on
 * records with large outputs (a 1024-number output is ~2,000 values).
 */
export function encodeRecords(records: InferenceRecord[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(bigintsToStrings(records)))
}

export function decodeRecords(bytes: Uint8Array): InferenceRecord[] {
  return stringsToBigints(JSON.parse(new TextDecoder().decode(bytes))) as InferenceRecord[]
}

/** A copy of `value` with every bigint as `${value}n`; everything else as JSON.stringify would see it. */
function bigintsToStrings(value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'string') return endsWithN(value) && NUMBER_THEN_NS.test(value) ? `${value}n` : value
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) out[i] = bigintsToStrings(value[i])
    return out
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value)) out[key] = bigintsToStrings((value as Record<string, unknown>)[key])
    return out
  }
  return value
}

/** Turns every `-?digits n` string of a parsed JSON tree back into a bigint, in place, and unescapes `-?digits nn…`. */
function stringsToBigints(value: unknown): unknown {
  if (typeof value === 'string') {
    // The last-character test first: most strings are not numbers.
    if (!endsWithN(value) || !NUMBER_THEN_NS.test(value)) return value
    return value.charCodeAt(value.length - 2) === 110 ? value.slice(0, -1) : BigInt(value.slice(0, -1))
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = stringsToBigints(value[i])
    return value
  }
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>
    for (const key of Object.keys(object)) object[key] = stringsToBigints(object[key])
  }
  return value
}

/** Decimal digits then one `n` or more: a bigint (one) or an escaped string (more). */
const NUMBER_THEN_NS = /^-?\d+n+$/

function endsWithN(text: string): boolean {
  return text.charCodeAt(text.length - 1) === 110 /* n */
}

/** Empty when a block has no records, so ordinary blocks keep an empty extraData. */
export function recordsCommitment(encoded: Uint8Array, count: number): Uint8Array {
  return count === 0 ? new Uint8Array() : keccak256(encoded)
}

export function commitmentHex(encoded: Uint8Array, count: number): Hex {
  return bytesToHex(recordsCommitment(encoded, count))
}
