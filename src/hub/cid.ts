/** Content IDs of model files: CIDv1, codec raw (0x55), sha2-256 multihash, base32 (`bafkrei…`). */
import { createHash, type Hash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'

function cidFromSha256(digest: Uint8Array): string {
  return CID.create(1, raw.code, createDigest(sha256.code, digest)).toString()
}

export function computeCid(bytes: Uint8Array): string {
  return cidFromSha256(createHash('sha256').update(bytes).digest())
}

/** Hashes a stream chunk by chunk (uploads are never buffered whole just to be hashed). */
export function createCidHasher(): { update(chunk: Uint8Array): void; digest(): string } {
  const hash: Hash = createHash('sha256')
  return {
    update: (chunk) => void hash.update(chunk),
    digest: () => cidFromSha256(hash.digest()),
  }
}

/** A CIDv1 raw/sha2-256 string, the only kind the hub issues. */
export function isValidCid(value: string): boolean {
  try {
    const cid = CID.parse(value)
    return cid.version === 1 && cid.code === raw.code && cid.multihash.code === sha256.code
  } catch {
    return false
  }
}
