import { describe, expect, it } from 'vitest'
import { RLP } from '@ethereumjs/rlp'
import { decodeBlocksRequest, decodeBundle, decodeBundles, decodeStatus, encodeBundles, encodeJson, protocols } from '../../src/p2p/wire.js'

describe('p2p wire format', () => {
  it('scopes every protocol and topic by chain id', () => {
    const a = Object.values(protocols(1n))
    const b = Object.values(protocols(2n))
    expect(a.every((p) => p.startsWith('/inferchain/1/'))).toBe(true)
    expect(a.filter((p) => b.includes(p))).toEqual([])
  })

  it('round-trips block bundles byte for byte', () => {
    const bundles = [
      { block: Uint8Array.of(1, 2, 3), records: new Uint8Array(), seal: new Uint8Array(65).fill(7) },
      { block: Uint8Array.of(4), records: new TextEncoder().encode('[{"x":1}]'), seal: new Uint8Array(65).fill(9) },
    ]
    expect(decodeBundles(encodeBundles(bundles))).toEqual(bundles)
    expect(decodeBundle(encodeBundles([bundles[0]!]))).toEqual(bundles[0])
  })

  it.each([
    ['not RLP', Uint8Array.of(0xb9, 0xff)],
    ['not a list', RLP.encode(Uint8Array.of(1))],
    ['a bundle without a seal', RLP.encode([[Uint8Array.of(1), Uint8Array.of(2)]])],
    ['a bundle with a nested list', RLP.encode([[Uint8Array.of(1), [Uint8Array.of(2)], Uint8Array.of(3)]])],
  ])('refuses %s with P2P_BAD_MESSAGE', (_name, bytes) => {
    expect(() => decodeBundles(bytes)).toThrow(expect.objectContaining({ code: 'P2P_BAD_MESSAGE' }))
  })

  it('validates control messages like any untrusted input', () => {
    const status = { chainId: '424242', genesisHash: '0xabcd', head: '12', headHash: '0x01', role: 'producer', peers: [] }
    expect(decodeStatus(encodeJson(status))).toEqual(status)
    expect(() => decodeStatus(encodeJson({ ...status, role: 'king' }))).toThrow(/status is malformed/)
    expect(() => decodeStatus(new TextEncoder().encode('{'))).toThrow(/status is not JSON/)
    expect(decodeBlocksRequest(encodeJson({ from: '5', count: 10 }))).toEqual({ from: '5', count: 10 })
    expect(() => decodeBlocksRequest(encodeJson({ from: '-1', count: 10 }))).toThrow(/blocks request is malformed/)
    expect(() => decodeBlocksRequest(encodeJson({ from: '1', count: 100_000 }))).toThrow(/blocks request is malformed/)
  })
})
