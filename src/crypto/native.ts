/**
 * secp256k1 and keccak-256 through the native libraries shipped prebuilt in the `secp256k1` and
 * `keccak` npm packages (libsecp256k1 and XKCP): ~20× faster than pure-JS recovery, which
 * dominates transaction admission and result verification. Both packages fall back to JS by themselves
 * where no prebuilt binary loads.
 */
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import type { CustomCrypto } from '@ethereumjs/common'
import { calculateSigRecovery, concatBytes, setLengthLeft } from '@ethereumjs/util'

interface Secp256k1Native {
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number }
  ecdsaRecover(signature64: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array
}
type KeccakFactory = (algorithm: 'keccak256') => { update(data: Uint8Array): { digest(): Buffer } }

const require = createRequire(import.meta.url)
const secp = require('secp256k1') as Secp256k1Native
const keccak = require('keccak') as KeccakFactory

export function keccak256(data: Uint8Array): Uint8Array {
  return new Uint8Array(keccak('keccak256').update(asBuffer(data)).digest())
}

// The native bindings take Buffers only; this view copies nothing.
function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
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

/** The Ethereum address (20 bytes) of a 65-byte uncompressed public key. */
export function addressOfPublicKey(publicKey: Uint8Array): Uint8Array {
  return keccak256(publicKey.subarray(1)).subarray(12)
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
