/**
 * Fuzz: 10,000 seeded random mutations (byte flips, truncations, insertions, deletions) of valid
 * documents — one from the development enclave, one genuine Nitro document — never make the
 * verifier throw anything but a TeeError, and are never accepted unless byte-identical to the
 * original. The seed is fixed, so a failure reproduces.
 */
import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../src/models/random.js'
import { AWS_NITRO_ROOT_G1, checkBinding, DevEnclave, devTrustedRoot, TeeError, verifyAttestation, type TeeErrorCode } from '../../src/tee/index.js'
import { BINDING, NITRO_DOCUMENT, NITRO_TIMESTAMP_MS, TEST_IMAGE } from './helpers.js'

const MUTATIONS = 10_000
const random = seededRandom(0x7ee)
const int = (n: number) => Math.floor(random() * n)

function mutate(doc: Uint8Array): Uint8Array {
  const bytes = Array.from(doc)
  // Mostly one change, sometimes a few, so that combined changes get a chance too.
  const changes = random() < 0.8 ? 1 : 2 + int(3)
  for (let c = 0; c < changes; c++) {
    const kind = int(4)
    const at = int(bytes.length + 1)
    if (kind === 0 && bytes.length > 0) bytes[at % bytes.length]! ^= 1 + int(255) // flip some bits
    else if (kind === 1) bytes.length = int(bytes.length) // truncate
    else if (kind === 2) bytes.splice(at, 0, ...Array.from({ length: 1 + int(3) }, () => int(256))) // insert
    else bytes.splice(at % Math.max(1, bytes.length), 1 + int(3)) // delete
  }
  return Uint8Array.from(bytes)
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0
}

describe('fuzzing the attestation verifier', () => {
  it(`${MUTATIONS} random mutations: only TeeErrors, never an acceptance unless byte-identical`, () => {
    const devDoc = DevEnclave.create({ image: TEST_IMAGE }).attest(BINDING)
    const cases = [
      { doc: devDoc, check: (d: Uint8Array) => checkBinding(verifyAttestation(d, { trustedRoots: [devTrustedRoot()], atMs: Date.now() }).document, BINDING) },
      { doc: NITRO_DOCUMENT, check: (d: Uint8Array) => void verifyAttestation(d, { trustedRoots: [AWS_NITRO_ROOT_G1], atMs: NITRO_TIMESTAMP_MS }) },
    ]
    for (const { doc, check } of cases) check(doc) // the originals are valid
    const codes = new Map<TeeErrorCode, number>()
    let identical = 0
    for (let i = 0; i < MUTATIONS; i++) {
      const { doc, check } = cases[i % 4 === 3 ? 1 : 0]! // three dev documents to one Nitro document
      const mutated = mutate(doc)
      let accepted = false
      try {
        check(mutated)
        accepted = true
      } catch (err) {
        if (!(err instanceof TeeError)) throw new Error(`mutation ${i} threw a ${(err as Error)?.constructor?.name}: ${String(err)}`, { cause: err })
        codes.set(err.code, (codes.get(err.code) ?? 0) + 1)
      }
      if (same(mutated, doc)) {
        identical++
        expect(accepted, `mutation ${i} is byte-identical and must be accepted`).toBe(true)
      } else {
        expect(accepted, `mutation ${i} (${mutated.length} bytes) was accepted`).toBe(false)
      }
    }
    // The mutations reach every layer: CBOR, COSE, the document, the chain and the signature.
    for (const code of ['MALFORMED_ATTESTATION', 'BAD_ATTESTATION_SIGNATURE', 'BAD_CERTIFICATE'] as const) expect(codes.get(code) ?? 0).toBeGreaterThan(0)
    expect(identical).toBeLessThan(MUTATIONS / 100)
  }, 60_000)
})
