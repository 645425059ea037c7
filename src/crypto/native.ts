/**
 * secp256k1 through the native library shipped prebuilt in the `secp256k1` npm package
 * (libsecp256k1): ~20× faster than pure-JS recovery, which dominates transaction admission and
 * result verification; it falls back to JS by itself where no prebuilt binary loads.
 * keccak-256 through one reused WebAssembly hasher (`hash-wasm`): 1–4 µs per trie node or
 * transaction, where the `keccak` package's native binding costs 6–10 µs — it builds a stream
 * object per hash — and pure JS 8–40 µs.
 */
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import type { CustomCrypto } from '@ethereumjs/common'
import { calculateSigRecovery, concatBytes, setLengthLeft } from '@ethereumjs/util'
import { createKeccak } from 'hash-wasm'

interface Secp256k1Native {
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number }
  ecdsaRecover(signature64: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array
  publicKeyCreate(privateKey: Uint8Array, compressed: boolean): Uint8Array
}

const require = createRequire(import.meta.url)
const secp = require('secp256k1') as Secp256k1Native
// Synchronous from here on: init → update → digest never yields, so one hasher serves every caller.
const keccakHasher = await createKeccak(256)

export function keccak256(data: Uint8Array): Uint8Array {
  // `digest('binary')` returns a copy, never a view of the WebAssembly memory.
  return keccakHasher.init().update(data).digest('binary')
}

/** Signs a 32-byte digest: 64-byte `r ‖ s` (low-s) and the recovery id. */
export function signDigest(digest: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recovery: number } {
  const { signature, recid } = secp.ecdsaSign(digest, privateKey)
  return { signature, recovery: recid }
}

/** The 65-byte uncompressed public key that signed `digest`; throws on an invalid signature. */
export function recoverPublicKey(digest: Uint8Array, signature64: Uint8Array, recovery: number): Uint8Array {
  return secp.ecdsaRecover(signature64, recovery, digest, false)
}

/** The 65-byte uncompressed public key of a private key. */
export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  return secp.publicKeyCreate(privateKey, false)
}

/** The Ethereum address (20 bytes) of a 65-byte uncompressed public key. */
export function addressOfPublicKey(publicKey: Uint8Array): Uint8Array {
  return keccak256(publicKey.subarray(1)).subarray(12)
}

/**
 * The EIP-55 checksummed form of a 20-byte address, hashed natively (viem's `getAddress` hashes in
 * JavaScript, which shows up when a block's records are verified).
 */
export function checksumAddress(address: Uint8Array): `0x${string}` {
  const hex = Buffer.from(address).toString('hex')
  const hash = keccak256(Buffer.from(hex, 'ascii'))
  let out = '0x'
  for (let i = 0; i < hex.length; i++) {
    const nibble = (hash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0xf
    out += nibble >= 8 ? hex[i]!.toUpperCase() : hex[i]
  }
  return out as `0x${string}`
}

/** What Common's `customCrypto` takes: transaction sender recovery, keccak and sha256, natively. */
export const chainCrypto: CustomCrypto = {
  keccak256,
  sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
  ecrecover: (msgHash, v, r, s, chainId) => {
    const recovery = calculateSigRecovery(v, chainId)
    if (recovery !== 0n && recovery !== 1n) throw new Error('Invalid signature v value')
    return recoverPublicKey(msgHash, concatBytes(setLengthLeft(r, 32), setLengthLeft(s, 32)), Number(recovery)).subarray(1)
  },
}
