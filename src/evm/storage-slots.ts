/**
 * Solidity storage addressing, for the system contracts whose storage the precompiles read and write
 * directly (a precompile cannot call a contract): 32-byte words, mapping slots, packed fields.
 */
import type { Address as EthjsAddress } from '@ethereumjs/util'
import { getAddress, type Address } from 'viem'
import { keccak256 } from '../crypto/native.js'

/** The state access a precompile needs to read a system contract (ethereumjs's StateManagerInterface has it). */
export interface StorageReader {
  getStorage(address: EthjsAddress, key: Uint8Array): Promise<Uint8Array>
}
export interface StorageWriter extends StorageReader {
  putStorage(address: EthjsAddress, key: Uint8Array, value: Uint8Array): Promise<void>
}

/** `v` as a 32-byte big-endian word (a storage word, an ABI word). */
export function word(v: bigint): Uint8Array {
  if (v < 0n || v >= 1n << 256n) throw new RangeError(`${v} does not fit 32 bytes`)
  const out = new Uint8Array(32)
  let x = v
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(x & 0xffn)
    x >>= 8n
  }
  return out
}

/** A storage word as a number; leading zeros may be stripped, as ethereumjs's `getStorage` returns them. */
export function wordToBigint(bytes: Uint8Array): bigint {
  let v = 0n
  for (const b of bytes) v = (v << 8n) | BigInt(b)
  return v
}

/** The first slot of `mapping(K => T)` declared at `slot`, for a key already encoded as 32 bytes: keccak256(key ‖ slot). */
export function mappingSlot(key: Uint8Array, slot: bigint): bigint {
  const preimage = new Uint8Array(64)
  preimage.set(key, 0)
  preimage.set(word(slot), 32)
  return wordToBigint(keccak256(preimage))
}

/** The low 160 bits of a packed word, as a checksummed address. */
export function addressField(packed: bigint): Address {
  return getAddress(`0x${(packed & ((1n << 160n) - 1n)).toString(16).padStart(40, '0')}`)
}
