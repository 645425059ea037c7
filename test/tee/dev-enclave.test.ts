/**
 * The development enclave: real X.509 (our DER writer, checked by node:crypto), documents in exactly
 * the Nitro format, verified by the same verifier under the dev root, and every rejection reason.
 */
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bytesToHex, keccak256, encodeAbiParameters } from 'viem'
import {
  AWS_NITRO_ROOT_G1,
  checkBinding,
  decodeCoseSign1,
  DevEnclave,
  devRootAuthority,
  devTrustedRoot,
  generateAuthority,
  issueCertificate,
  measureEnclaveImage,
  p384KeyPair,
  parseAttestationPayload,
  teeUserData,
  verifyAttestation,
} from '../../src/tee/index.js'
import { decodeCbor } from '../../src/tee/cbor.js'
import { BINDING, expectTeeError, NITRO_DOCUMENT, TEST_IMAGE } from './helpers.js'

const enclave = DevEnclave.create({ image: TEST_IMAGE })
const DEV = { trustedRoots: [devTrustedRoot()], atMs: Date.now() }

describe('certificates issued in code', () => {
  it('are real X.509 v3: node:crypto parses them and checks issuer, signature, CA flag and validity', () => {
    const root = devRootAuthority()
    const rootCert = new X509Certificate(root.certificate)
    expect(rootCert.ca).toBe(true)
    expect(rootCert.verify(rootCert.publicKey)).toBe(true)
    expect(rootCert.subject).toContain('CN=inferchain dev enclave root (INSECURE: devnets only)')
    // 2124 is past 2049: GeneralizedTime, as RFC 5280 requires.
    expect(rootCert.validTo).toBe('Jan  1 00:00:00 2124 GMT')
    const leaf = p384KeyPair()
    const der = issueCertificate(
      { serial: 2n ** 100n + 1n, subject: [['C', 'US'], ['CN', 'leaf']], issuer: root.name, notBefore: new Date('2030-05-06T07:08:09Z'), notAfter: new Date('2031-01-01T00:00:00Z'), subjectPublicPoint: leaf.publicPoint, ca: false },
      root.key,
    )
    const cert = new X509Certificate(der)
    expect(cert.ca).toBe(false)
    expect(cert.checkIssued(rootCert)).toBe(true)
    expect(cert.verify(rootCert.publicKey)).toBe(true)
    expect(cert.verify(generateAuthority().key.publicKey)).toBe(false)
    expect(cert.validFrom).toBe('May  6 07:08:09 2030 GMT')
    expect(cert.serialNumber.toLowerCase()).toBe((2n ** 100n + 1n).toString(16))
    expect(cert.publicKey.export({ format: 'der', type: 'spki' }).equals(Buffer.from(leaf.spki))).toBe(true)
  })

  it('the dev root is the same bytes on every machine (deterministic key and signature)', () => {
    const again = issueCertificate(
      { serial: 1n, subject: devRootAuthority().name, issuer: devRootAuthority().name, notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2124-01-01T00:00:00Z'), subjectPublicPoint: devRootAuthority().key.publicPoint, ca: true, pathLength: 0 },
      devRootAuthority().key,
    )
    expect(bytesToHex(again)).toBe(bytesToHex(devRootAuthority().certificate))
    // Pinned: a change here changes every devnet's configuration.
    expect(devTrustedRoot().sha256).toBe(DEV_ROOT_FINGERPRINT)
  })
})

describe('dev enclave documents', () => {
  const document = enclave.attest(BINDING)

  it('have exactly the Nitro shape: untagged COSE_Sign1 ES384, the nine fields in Nitro order, 16 × 48-byte PCRs', () => {
    const envelope = decodeCbor(document, 'doc') as unknown[]
    const genuine = decodeCbor(NITRO_DOCUMENT, 'nitro') as unknown[]
    expect(Array.isArray(envelope)).toBe(true)
    expect(bytesToHex(envelope[0] as Uint8Array)).toBe(bytesToHex(genuine[0] as Uint8Array)) // {1: -35}
    expect((envelope[3] as Uint8Array).length).toBe(96)
    const keys = (p: unknown[]) => [...(decodeCbor(p[2] as Uint8Array, 'payload') as Map<string, unknown>).keys()]
    expect(keys(envelope)).toEqual(keys(genuine))
    const doc = parseAttestationPayload(decodeCoseSign1(document).payload)
    expect([...doc.pcrs.keys()]).toEqual([...Array(16).keys()])
    expect([...doc.pcrs.values()].every((p) => p.length === 48)).toBe(true)
    expect(doc.pcrs.get(0)).toEqual(TEST_IMAGE.pcr0)
    expect(bytesToHex(doc.publicKey!)).toBe(enclave.enclaveKey)
    expect(bytesToHex(doc.nonce!)).toBe(BINDING.requestId)
    expect(doc.moduleId).toBe(enclave.moduleId)
  })

  it('verify under the dev root with the same verifier as genuine documents', () => {
    const { document: doc, measurement, root } = verifyAttestation(document, DEV)
    expect(root.name).toBe('inferchain dev enclave root')
    expect(bytesToHex(measurement)).toBe(enclave.measurement)
    checkBinding(doc, BINDING)
  })

  it('bind user_data = keccak256(abi.encode(domain, chainId, requestId, modelCid, inputHash, outputHash))', () => {
    const expected = keccak256(
      encodeAbiParameters(
        [{ type: 'string' }, { type: 'uint256' }, { type: 'bytes32' }, { type: 'string' }, { type: 'bytes32' }, { type: 'bytes32' }],
        ['inferchain.tee.v1', BINDING.chainId, BINDING.requestId, BINDING.modelCid, BINDING.inputHash, BINDING.outputHash],
      ),
    )
    expect(bytesToHex(teeUserData(BINDING))).toBe(expected)
  })

  it('are rejected where only the AWS root is pinned (a production chain)', () => {
    expectTeeError(() => verifyAttestation(document, { ...DEV, trustedRoots: [AWS_NITRO_ROOT_G1] }), 'UNKNOWN_ROOT')
  })

  it('from an enclave under an unpinned root are rejected', () => {
    const rogue = DevEnclave.create({ image: TEST_IMAGE, authority: generateAuthority() })
    expectTeeError(() => verifyAttestation(rogue.attest(BINDING), DEV), 'UNKNOWN_ROOT')
  })

  it('are rejected when the leaf expired or is not valid yet at the verification time', () => {
    const now = Date.now()
    const expired = enclave.issueLeaf({ notBefore: now - 7_200_000, notAfter: now - 3_600_000 })
    expectTeeError(() => verifyAttestation(enclave.attest(BINDING, { leaf: expired }), DEV), 'CERTIFICATE_EXPIRED')
    const future = enclave.issueLeaf({ notBefore: now + 3_600_000, notAfter: now + 7_200_000 })
    expectTeeError(() => verifyAttestation(enclave.attest(BINDING, { leaf: future }), DEV), 'CERTIFICATE_NOT_YET_VALID')
    // The same document at a time inside its window is fine: validity is "as of" the given time.
    verifyAttestation(enclave.attest(BINDING, { leaf: expired }), { ...DEV, atMs: now - 5_000_000 })
  })

  it('signed by a key other than the leaf\'s are rejected', () => {
    const other = enclave.issueLeaf({ notBefore: Date.now() - 1000, notAfter: Date.now() + 60_000 })
    const doc = enclave.attest(BINDING, { leaf: { ...other, certificate: enclave.issueLeaf({ notBefore: Date.now() - 1000, notAfter: Date.now() + 60_000 }).certificate } })
    expectTeeError(() => verifyAttestation(doc, DEV), 'BAD_ATTESTATION_SIGNATURE')
  })

  it('with a leaf not signed by the root are rejected', () => {
    const rogue = generateAuthority()
    const leafKey = p384KeyPair()
    const certificate = issueCertificate(
      { serial: 5n, subject: [['CN', 'rogue leaf']], issuer: devRootAuthority().name, notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 60_000), subjectPublicPoint: leafKey.publicPoint, ca: false },
      rogue.key,
    )
    const doc = enclave.attest(BINDING, { leaf: { key: leafKey, certificate, notBefore: 0, notAfter: 0 } })
    expectTeeError(() => verifyAttestation(doc, DEV), 'BAD_CERTIFICATE_CHAIN')
  })

  it('bound to another request are a replay; bound to another chain, model, input or output are a binding mismatch', () => {
    const doc = verifyAttestation(document, DEV).document
    expectTeeError(() => checkBinding(doc, { ...BINDING, requestId: `0x${'ff'.repeat(32)}` }), 'ATTESTATION_REPLAY')
    for (const other of [{ chainId: 1n }, { modelCid: 'bafkother' }, { inputHash: `0x${'00'.repeat(32)}` }, { outputHash: `0x${'00'.repeat(32)}` }] as const) {
      expectTeeError(() => checkBinding(doc, { ...BINDING, ...other }), 'BINDING_MISMATCH')
    }
    const noUserData = verifyAttestation(enclave.attest(BINDING, { userData: new Uint8Array(0) }), DEV).document
    expectTeeError(() => checkBinding(noUserData, BINDING), 'BINDING_MISMATCH')
  })

  it('renew the leaf certificate before it expires', () => {
    let now = Date.parse('2030-01-01T00:00:00Z')
    const clocked = DevEnclave.create({ image: TEST_IMAGE, now: () => now, leafLifetimeMs: 2 * 3_600_000 })
    const first = parseAttestationPayload(decodeCoseSign1(clocked.attest(BINDING)).payload).certificate
    now += 30 * 60_000
    expect(parseAttestationPayload(decodeCoseSign1(clocked.attest(BINDING)).payload).certificate).toEqual(first)
    now += 60 * 60_000
    const renewed = clocked.attest(BINDING)
    expect(parseAttestationPayload(decodeCoseSign1(renewed).payload).certificate).not.toEqual(first)
    verifyAttestation(renewed, { ...DEV, atMs: now + 3_600_000 })
  })
})

describe('the enclave image measurement', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferchain-measure-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const runtime = { node: 'v20.0.0', 'onnxruntime-node': '1.30.0' }

  it('is a reproducible hash of the .js files (sorted, by content) and the runtime versions', () => {
    mkdirSync(join(dir, 'a', 'sub'), { recursive: true })
    writeFileSync(join(dir, 'a', 'engine.js'), 'export const x = 1\n')
    writeFileSync(join(dir, 'a', 'sub', 'z.js'), 'export const z = 2\n')
    writeFileSync(join(dir, 'a', 'engine.js.map'), '{}')
    writeFileSync(join(dir, 'a', 'engine.d.ts'), 'export declare const x: 1')
    const first = measureEnclaveImage({ codeDirs: [join(dir, 'a')], runtime })
    expect(first.files).toBe(2)
    expect(first.pcr0).toHaveLength(48)
    expect(measureEnclaveImage({ codeDirs: [join(dir, 'a')], runtime }).pcr0).toEqual(first.pcr0)
    // Maps and declarations are not code.
    writeFileSync(join(dir, 'a', 'engine.js.map'), '{"changed":true}')
    expect(measureEnclaveImage({ codeDirs: [join(dir, 'a')], runtime }).pcr0).toEqual(first.pcr0)
    // One byte of code, or another runtime, is another image.
    writeFileSync(join(dir, 'a', 'sub', 'z.js'), 'export const z = 3\n')
    const changed = measureEnclaveImage({ codeDirs: [join(dir, 'a')], runtime })
    expect(changed.pcr0).not.toEqual(first.pcr0)
    expect(changed.pcr1).toEqual(first.pcr1)
    expect(measureEnclaveImage({ codeDirs: [join(dir, 'a')], runtime: { ...runtime, node: 'v22.0.0' } }).pcr0).not.toEqual(changed.pcr0)
  })

  it('says MEASUREMENT_UNAVAILABLE when the code is not built', () => {
    expectTeeError(() => measureEnclaveImage({ codeDirs: [join(dir, 'missing')], runtime }), 'MEASUREMENT_UNAVAILABLE')
  })
})

/** SHA-256 of the dev root certificate: derived from the published seed, the same everywhere. */
const DEV_ROOT_FINGERPRINT = 'fb9b9552b1d12f01a2c91777eddfc041f084b898598c2802bf538399a39835e8'
