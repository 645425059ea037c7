import { CID } from 'multiformats/cid'
import { base58btc } from 'multiformats/bases/base58'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { describe, expect, it } from 'vitest'
import { computeCid, createCidHasher, isValidCid } from '../../src/hub/cid.js'
import { buildDemoModel } from '../../src/models/index.js'

/** The independent reference: multiformats' own (pure JS) sha2-256 and CID framing. */
async function referenceCid(bytes: Uint8Array): Promise<string> {
  return CID.create(1, raw.code, await sha256.digest(bytes)).toString()
}

describe('computeCid', () => {
  it('matches known answers computed once with multiformats', async () => {
    const hello = new TextEncoder().encode('hello')
    expect(computeCid(hello)).toBe('bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq')
    expect(computeCid(new Uint8Array())).toBe('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku')
    expect(computeCid(hello)).toBe(await referenceCid(hello))
  })

  it('is stable for the demo model (deterministic builder) and equals the reference', async () => {
    const bytes = buildDemoModel()
    expect(computeCid(bytes)).toBe('bafkreiceqr2feczlcugpeshtc3fpysvhwplq43r2audqkbsxqgdwjcyyje')
    expect(computeCid(bytes)).toBe(await referenceCid(bytes))
  })

  it('changes when one bit of the file changes', () => {
    const bytes = Uint8Array.from(buildDemoModel())
    const before = computeCid(bytes)
    bytes[bytes.length >> 1]! ^= 1
    expect(computeCid(bytes)).not.toBe(before)
  })
})

describe('createCidHasher', () => {
  it('gives the same CID over any chunking, including empty chunks', async () => {
    const bytes = buildDemoModel()
    for (const cuts of [[0], [1, 100], [7, 7, 500, bytes.length - 1]]) {
      const hasher = createCidHasher()
      let offset = 0
      for (const cut of [...cuts, bytes.length]) {
        hasher.update(bytes.subarray(offset, cut))
        offset = cut
      }
      expect(hasher.digest()).toBe(await referenceCid(bytes))
    }
  })
})

describe('isValidCid', () => {
  it('accepts only canonical CIDv1 raw sha2-256 base32 strings', async () => {
    const bytes = new TextEncoder().encode('hello')
    const cid = await referenceCid(bytes)
    expect(isValidCid(cid)).toBe(true)
    // The same CID in another base, CIDv0, another codec, another hash, junk: all refused.
    expect(isValidCid(CID.parse(cid).toString(base58btc))).toBe(false)
    expect(isValidCid(cid.toUpperCase())).toBe(false)
    expect(isValidCid('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG')).toBe(false)
    expect(isValidCid(CID.create(1, 0x71, await sha256.digest(bytes)).toString())).toBe(false) // dag-cbor
    const identity = CID.create(1, raw.code, { code: 0x00, size: 5, digest: bytes, bytes: Uint8Array.from([0, 5, ...bytes]) })
    expect(isValidCid(identity.toString())).toBe(false)
    expect(isValidCid(`${cid}x`)).toBe(false)
    expect(isValidCid('../../etc/passwd')).toBe(false)
    expect(isValidCid('')).toBe(false)
  })
})
