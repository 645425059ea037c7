/**
 * Content IDs of model files: CIDv1, codec raw (0x55), sha2-256 multihash, base32 lower case
 * (`bafkrei…`). Hashing uses node:crypto (native, fast); multiformats only frames the digest.
 */
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'

function cidFromSha256(digest: Uint8Array): string {
  return CID.create(1, raw.code, createDigest(sha256.code, digest)).toString()
}

/**
 * The CID of a file's bytes.
 *
 * @example
 * computeCid(new TextEncoder().encode('hello')) // 'bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq'
 */
export function computeCid(bytes: Uint8Array): string {
  return cidFromSha256(createHash('sha256').update(bytes).digest())
}

/** An incremental CID computation: feed chunks as they arrive, then take the CID once. */
export interface CidHasher {
  update(chunk: Uint8Array): void
  /** The CID of everything fed so far; the hasher cannot be used afterwards. */
  digest(): string
}

/**
 * Hashes a stream chunk by chunk (uploads are never buffered whole just to be hashed).
 *
 * @example
 * const hasher = createCidHasher()
 * for await (const chunk of createReadStream(path)) hasher.update(chunk)
 * hasher.digest() // same as computeCid(readFileSync(path))
 */
export function createCidHasher(): CidHasher {
  const hash = createHash('sha256')
  return {
    update: (chunk) => void hash.update(chunk),
    digest: () => cidFromSha256(hash.digest()),
  }
}

/**
 * Whether `value` is a CID the hub issues: CIDv1, raw, sha2-256, in its canonical base32 form. Other
 * spellings of the same CID (base58btc `z…`, upper case) are refused, so that one model has one
 * name, and a valid CID is always a safe file name.
 *
 * @example
 * isValidCid('bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq') // true
 * isValidCid('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG') // false: CIDv0
 */
export function isValidCid(value: string): boolean {
  if (typeof value !== 'string' || !value.startsWith('b')) return false
  let cid: CID
  try {
    cid = CID.parse(value)
  } catch {
    return false // not a CID at all: the answer is "no", not an error
  }
  return cid.version === 1 && cid.code === raw.code && cid.multihash.code === sha256.code && cid.multihash.digest.length === 32 && cid.toString() === value
}

/**
 * The sha2-256 digest inside a CID the hub issues, as 0x-hex: what a signed upload commits to.
 *
 * @example
 * cidDigestHex(computeCid(bytes)) // '0x' + sha256(bytes) in hex
 */
export function cidDigestHex(cid: string): `0x${string}` {
  return `0x${Buffer.from(CID.parse(cid).multihash.digest).toString('hex')}`
}

/** sha2-256 of bytes as 0x-hex (signed requests commit to their JSON body with it). */
export function sha256Hex(bytes: Uint8Array | string): `0x${string}` {
  return `0x${createHash('sha256').update(bytes).digest('hex')}`
}
