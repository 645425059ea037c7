/**
 * The genuine AWS Nitro attestation document (test/fixtures/tee, see PROVENANCE.md) through the one
 * verifier: accepted with the real AWS root pinned as of its own timestamp; rejected at today's
 * date, with another root pinned, and after any byte of its signature, payload or certificates
 * changes.
 */
import { describe, expect, it } from 'vitest'
import { X509Certificate } from 'node:crypto'
import {
  AWS_NITRO_ROOT_G1,
  AWS_NITRO_ROOT_G1_DER,
  AWS_NITRO_ROOT_G1_SHA256,
  decodeCoseSign1,
  devTrustedRoot,
  encodeAttestationPayload,
  generateAuthority,
  parseAttestationPayload,
  trustedRoot,
  verifyAttestation,
} from '../../src/tee/index.js'
import { expectTeeError, flip, NITRO_DOCUMENT, NITRO_TIMESTAMP_MS, offsetOf, teeErrorOf } from './helpers.js'

const AT_ITS_TIME = { trustedRoots: [AWS_NITRO_ROOT_G1], atMs: NITRO_TIMESTAMP_MS }

describe('the pinned AWS Nitro Enclaves Root G1', () => {
  it('is cabundle[0] of the genuine document and hashes to the fingerprint AWS publishes', () => {
    const doc = parseAttestationPayload(decodeCoseSign1(NITRO_DOCUMENT).payload)
    expect(Buffer.from(doc.cabundle[0]!).equals(Buffer.from(AWS_NITRO_ROOT_G1_DER))).toBe(true)
    expect(AWS_NITRO_ROOT_G1_SHA256).toBe('641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b')
    const root = new X509Certificate(AWS_NITRO_ROOT_G1_DER)
    expect(root.fingerprint256.replace(/:/g, '').toLowerCase()).toBe(AWS_NITRO_ROOT_G1_SHA256)
    expect(root.subject).toContain('CN=aws.nitro-enclaves')
    expect(root.verify(root.publicKey)).toBe(true)
  })
})

describe('a genuine Nitro document', () => {
  it('is accepted with the AWS root pinned, as of its own timestamp', () => {
    const { document, root, measurement } = verifyAttestation(NITRO_DOCUMENT, AT_ITS_TIME)
    expect(root.sha256).toBe(AWS_NITRO_ROOT_G1_SHA256)
    expect(document).toMatchObject({ moduleId: 'i-0bbf1bfe232b8c2ce-enc0191ba35c9d1b77a', digest: 'SHA384', timestamp: NITRO_TIMESTAMP_MS })
    expect(document.pcrs.size).toBe(16)
    expect(document.cabundle).toHaveLength(4)
    // Debug-mode enclave: PCR0 is all zeros.
    expect(measurement).toEqual(new Uint8Array(48))
  })

  it('decodes to fields that encode back to the very payload bytes AWS signed (our writer is Nitro-exact)', () => {
    const { payload } = decodeCoseSign1(NITRO_DOCUMENT)
    expect(Buffer.from(encodeAttestationPayload(parseAttestationPayload(payload))).equals(Buffer.from(payload))).toBe(true)
  })

  it('is rejected at today\'s date: the leaf (and intermediates) expired', () => {
    expectTeeError(() => verifyAttestation(NITRO_DOCUMENT, { ...AT_ITS_TIME, atMs: Date.now() }), 'CERTIFICATE_EXPIRED')
  })

  it('is rejected before its leaf was issued', () => {
    const err = expectTeeError(() => verifyAttestation(NITRO_DOCUMENT, { ...AT_ITS_TIME, atMs: Date.parse('2024-09-06T04:00:00Z') }), 'CERTIFICATE_NOT_YET_VALID')
    expect(err.message).toContain('i-0bbf1bfe232b8c2ce-enc0191ba35c9d1b77a')
  })

  it('is rejected with the dev root, a random root, or no root pinned instead', () => {
    for (const trustedRoots of [[devTrustedRoot()], [trustedRoot(generateAuthority().certificate)], []]) {
      expectTeeError(() => verifyAttestation(NITRO_DOCUMENT, { ...AT_ITS_TIME, trustedRoots }), 'UNKNOWN_ROOT')
    }
  })

  it('is rejected after flipping any byte of its signature', () => {
    const { signature } = decodeCoseSign1(NITRO_DOCUMENT)
    const start = NITRO_DOCUMENT.length - signature.length
    for (let i = start; i < NITRO_DOCUMENT.length; i++) {
      expectTeeError(() => verifyAttestation(flip(NITRO_DOCUMENT, i), AT_ITS_TIME), 'BAD_ATTESTATION_SIGNATURE')
    }
  })

  it('is rejected after flipping any byte of the payload outside the certificates', () => {
    const { payload } = decodeCoseSign1(NITRO_DOCUMENT)
    const doc = parseAttestationPayload(payload)
    const payloadStart = offsetOf(NITRO_DOCUMENT, payload)
    const certRanges = [...doc.cabundle, doc.certificate].map((c) => {
      const at = offsetOf(NITRO_DOCUMENT, c)
      return [at, at + c.length] as const
    })
    let checked = 0
    for (let i = payloadStart; i < payloadStart + payload.length; i++) {
      if (certRanges.some(([a, b]) => i >= a && i < b)) continue
      const err = teeErrorOf(() => verifyAttestation(flip(NITRO_DOCUMENT, i), AT_ITS_TIME))
      expect(['BAD_ATTESTATION_SIGNATURE', 'MALFORMED_ATTESTATION']).toContain(err.code)
      checked++
    }
    expect(checked).toBeGreaterThan(1000)
  })

  it('is rejected after changing a byte anywhere in any certificate of the chain', () => {
    const doc = parseAttestationPayload(decodeCoseSign1(NITRO_DOCUMENT).payload)
    for (const cert of [...doc.cabundle, doc.certificate]) {
      const at = offsetOf(NITRO_DOCUMENT, cert)
      // 48 positions spread over the certificate, first and last byte included.
      for (let k = 0; k < 48; k++) {
        const i = at + Math.round((k * (cert.length - 1)) / 47)
        const err = teeErrorOf(() => verifyAttestation(flip(NITRO_DOCUMENT, i, 0x40), AT_ITS_TIME))
        expect(['BAD_CERTIFICATE', 'BAD_CERTIFICATE_CHAIN', 'UNKNOWN_ROOT', 'BAD_ATTESTATION_SIGNATURE', 'MALFORMED_ATTESTATION', 'CERTIFICATE_EXPIRED', 'CERTIFICATE_NOT_YET_VALID']).toContain(err.code)
      }
    }
  })

  it('is rejected when truncated or extended, and when tagged (Nitro documents are untagged)', () => {
    for (const length of [0, 1, 4, 100, NITRO_DOCUMENT.length - 1]) {
      expectTeeError(() => verifyAttestation(NITRO_DOCUMENT.subarray(0, length), AT_ITS_TIME), 'MALFORMED_ATTESTATION')
    }
    expectTeeError(() => verifyAttestation(Uint8Array.from([...NITRO_DOCUMENT, 0]), AT_ITS_TIME), 'MALFORMED_ATTESTATION')
    expectTeeError(() => verifyAttestation(Uint8Array.from([0xd2, ...NITRO_DOCUMENT]), AT_ITS_TIME), 'MALFORMED_ATTESTATION')
  })

  it('is rejected when its envelope is re-encoded in a longer CBOR form carrying the same values', () => {
    const { payload } = decodeCoseSign1(NITRO_DOCUMENT)
    const at = offsetOf(NITRO_DOCUMENT, payload)
    // The payload's length is a 2-byte argument (0x59); the same length as a 4-byte one (0x5a).
    expect(NITRO_DOCUMENT[at - 3]).toBe(0x59)
    const longer = Uint8Array.from([...NITRO_DOCUMENT.subarray(0, at - 3), 0x5a, 0, 0, ...NITRO_DOCUMENT.subarray(at - 2)])
    expectTeeError(() => verifyAttestation(longer, AT_ITS_TIME), 'MALFORMED_ATTESTATION')
  })
})
