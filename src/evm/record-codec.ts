/**
 * Byte encoding of a block's inference records, and the commitment the header carries in
 * `extraData` (keccak256 of those bytes): changing one byte of one record changes the block hash.
 */
import { bytesToHex, type Hex } from 'viem'
import { keccak256 } from '../crypto/native.js'
import type { InferenceRecord } from './records.js'

export function encodeRecords(records: InferenceRecord[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(records, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)))
}

export function decodeRecords(bytes: Uint8Array): InferenceRecord[] {
  return JSON.parse(new TextDecoder().decode(bytes), (_k, v) =>
    typeof v === 'string' && /^-?\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v,
  ) as InferenceRecord[]
}

/** Empty when a block has no records, so ordinary blocks keep an empty extraData. */
export function recordsCommitment(encoded: Uint8Array, count: number): Uint8Array {
  return count === 0 ? new Uint8Array() : keccak256(encoded)
}

export function commitmentHex(encoded: Uint8Array, count: number): Hex {
  return bytesToHex(recordsCommitment(encoded, count))
}
