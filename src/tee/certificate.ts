/**
 * X.509 v3 certificates with ECDSA P-384 keys, issued in code (the development enclave's PKI).
 *
 * The profile follows what AWS Nitro's PKI issues, so one verifier serves both: ecdsa-with-SHA384
 * signatures, P-384 subject keys, BasicConstraints and KeyUsage marked critical, subject and
 * authority key identifiers. Signing uses @noble/curves, whose ECDSA is deterministic (RFC 6979):
 * the same key and fields give the same certificate bytes, which is what lets every node rebuild
 * and pin the same development root.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { p384 } from '@noble/curves/nist.js'
import { bitString, boolean, explicit, implicitPrimitive, integer, namedBits, octetString, oid, printableString, sequence, set, time, utf8String } from './der.js'

const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  secp384r1: '1.3.132.0.34',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
} as const

const NAME_OIDS = { C: '2.5.4.6', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3' } as const

/** KeyUsage bits (RFC 5280 §4.2.1.3). */
const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const

export type NameAttribute = keyof typeof NAME_OIDS
/** A distinguished name as ordered (attribute, value) pairs, e.g. `[['C', 'US'], ['CN', 'root']]`. */
export type DistinguishedName = ReadonlyArray<readonly [NameAttribute, string]>

/** A P-384 key pair in the three forms its users need: raw scalar (noble), KeyObjects (node:crypto), SPKI DER. */
export interface P384KeyPair {
  secretKey: Uint8Array
  /** Uncompressed point, 0x04 ‖ X ‖ Y (97 bytes). */
  publicPoint: Uint8Array
  /** SubjectPublicKeyInfo DER, the form certificates and COSE documents carry. */
  spki: Uint8Array
  privateKey: KeyObject
  publicKey: KeyObject
}

/**
 * A P-384 key pair from a secret scalar (random when omitted).
 *
 * @example
 * const key = p384KeyPair()
 * sign('sha384', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
 */
export function p384KeyPair(secretKey: Uint8Array = p384.utils.randomSecretKey()): P384KeyPair {
  const publicPoint = p384.getPublicKey(secretKey, false)
  const spki = sequence(sequence(oid(OID.ecPublicKey), oid(OID.secp384r1)), bitString(publicPoint))
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')
  const privateKey = createPrivateKey({
    key: { kty: 'EC', crv: 'P-384', d: b64(secretKey), x: b64(publicPoint.subarray(1, 49)), y: b64(publicPoint.subarray(49)) },
    format: 'jwk',
  })
  const publicKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' })
  return { secretKey, publicPoint, spki, privateKey, publicKey }
}

export interface CertificateSpec {
  /** Positive, at most 20 bytes (RFC 5280). */
  serial: bigint
  subject: DistinguishedName
  issuer: DistinguishedName
  notBefore: Date
  notAfter: Date
  /** The certified key's uncompressed P-384 point. */
  subjectPublicPoint: Uint8Array
  /** A CA may sign certificates (keyCertSign); a leaf only signs data (digitalSignature). */
  ca: boolean
  /** CA only: how many CAs may follow below it. */
  pathLength?: number
}

/**
 * Issues a DER certificate for `spec`, signed by `issuerKey` (the subject's own key for a root).
 *
 * @example
 * const root = p384KeyPair()
 * const der = issueCertificate({ serial: 1n, subject: name, issuer: name, notBefore, notAfter, subjectPublicPoint: root.publicPoint, ca: true }, root)
 * new X509Certificate(der).verify(root.publicKey) // true
 */
export function issueCertificate(spec: CertificateSpec, issuerKey: Pick<P384KeyPair, 'secretKey' | 'publicPoint'>): Uint8Array {
  if (spec.serial <= 0n || spec.serial >= 1n << 159n) throw new RangeError('certificate serial must be positive and at most 20 bytes')
  const algorithm = sequence(oid(OID.ecdsaWithSha384))
  const spki = sequence(sequence(oid(OID.ecPublicKey), oid(OID.secp384r1)), bitString(spec.subjectPublicPoint))
  const extensions = [
    extension(OID.basicConstraints, true, spec.ca ? sequence(boolean(true), ...(spec.pathLength === undefined ? [] : [integer(BigInt(spec.pathLength))])) : sequence()),
    extension(OID.keyUsage, true, namedBits(spec.ca ? [KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign] : [KEY_USAGE.digitalSignature])),
    extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spec.subjectPublicPoint))),
    extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, keyIdentifier(issuerKey.publicPoint)))),
  ]
  const tbs = sequence(
    explicit(0, integer(2n)), // v3
    integer(spec.serial),
    algorithm,
    encodeName(spec.issuer),
    sequence(time(spec.notBefore), time(spec.notAfter)),
    encodeName(spec.subject),
    spki,
    explicit(3, sequence(...extensions)),
  )
  // noble hashes with the curve's hash (SHA-384 for P-384) and signs deterministically.
  const signature = p384.sign(tbs, issuerKey.secretKey, { format: 'der' })
  return sequence(tbs, algorithm, bitString(signature))
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value))
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(publicPoint: Uint8Array): Uint8Array {
  return createHash('sha1').update(publicPoint).digest()
}

function encodeName(name: DistinguishedName): Uint8Array {
  return sequence(
    ...name.map(([attribute, value]) => set(sequence(oid(NAME_OIDS[attribute]), attribute === 'C' ? printableString(value) : utf8String(value)))),
  )
}
