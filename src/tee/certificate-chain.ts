/**
 * Certificate chain validation for attestation documents, with node:crypto's `X509Certificate`:
 * `cabundle[0]` is the root and must be one of the pinned roots byte for byte; every following
 * certificate, then the leaf, must be issued (names) and signed (ECDSA) by the one before it, which
 * must be a CA; the leaf must carry a P-384 key (it signs the ES384 envelope); and every
 * certificate must be valid at the given time.
 *
 * Parsing and checking signatures cost ~0.3 ms and ~1 ms per certificate, and a node presents the
 * same chain for hours (Nitro) or a day (the development enclave), so the time-independent part of
 * a successful validation is cached by the chain's exact bytes, and parsed leaf keys by the leaf's
 * bytes. The root pin (checked first: it is one hash) and the validity times are checked on every
 * call.
 */
import { X509Certificate, type KeyObject } from 'node:crypto'
import { TeeError } from './errors.js'
import { sha256Hex, type TrustedRoot } from './roots.js'

interface CheckedChain {
  leafKey: KeyObject
  rootSha256: string
  /** Root first, leaf last. */
  certificates: Array<{ subject: string; notBefore: number; notAfter: number }>
}

const CACHE_LIMIT = 256
const cache = new Map<string, CheckedChain>()
const leafKeys = new Map<string, KeyObject>()

export interface ChainValidation {
  /** The leaf certificate's public key (it verifies the COSE signature). */
  leafKey: KeyObject
  /** The pinned root the chain ends in. */
  root: TrustedRoot
}

/**
 * Validates `cabundle` (root first) + `certificate` (leaf) against `trustedRoots` at time `atMs`.
 *
 * @throws TeeError BAD_CERTIFICATE, BAD_CERTIFICATE_CHAIN, UNKNOWN_ROOT, CERTIFICATE_EXPIRED, CERTIFICATE_NOT_YET_VALID
 */
export function validateCertificateChain(
  cabundle: readonly Uint8Array[],
  certificate: Uint8Array,
  trustedRoots: readonly TrustedRoot[],
  atMs: number,
): ChainValidation {
  const rootSha256 = certificateSha256(cabundle[0]!)
  const root = trustedRoots.find((r) => r.sha256 === rootSha256)
  if (root === undefined) {
    throw new TeeError('UNKNOWN_ROOT', `the certificate chain ends in root ${rootSha256}, which is not pinned (pinned: ${trustedRoots.map((r) => r.name).join(', ') || 'none'})`, {
      details: { root: rootSha256, pinned: trustedRoots.map((r) => r.sha256) },
    })
  }
  const key = chainKey(cabundle, certificate)
  let chain = cache.get(key)
  if (chain === undefined) {
    chain = checkChain([...cabundle, certificate])
    remember(cache, key, chain)
  }
  for (const cert of chain.certificates) {
    if (atMs >= cert.notBefore && atMs <= cert.notAfter) continue
    const at = new Date(atMs).toISOString()
    if (atMs < cert.notBefore) {
      throw new TeeError('CERTIFICATE_NOT_YET_VALID', `certificate "${cert.subject}" is not valid before ${new Date(cert.notBefore).toISOString()} (checked at ${at})`, {
        details: { subject: cert.subject, notBefore: cert.notBefore, at: atMs },
      })
    }
    if (atMs > cert.notAfter) {
      throw new TeeError('CERTIFICATE_EXPIRED', `certificate "${cert.subject}" expired at ${new Date(cert.notAfter).toISOString()} (checked at ${at})`, {
        details: { subject: cert.subject, notAfter: cert.notAfter, at: atMs },
      })
    }
  }
  return { leafKey: chain.leafKey, root }
}

/**
 * The public key of a leaf certificate (what verifies the COSE signature), before and
 * independently of validating its chain.
 *
 * @throws TeeError BAD_CERTIFICATE when it does not parse or holds no P-384 key
 */
export function leafPublicKey(certificate: Uint8Array): KeyObject {
  const key = certificateSha256(certificate)
  let publicKey = leafKeys.get(key)
  if (publicKey === undefined) {
    publicKey = p384KeyOf(parse(certificate, 'leaf certificate'))
    remember(leafKeys, key, publicKey)
  }
  return publicKey
}

function remember<T>(map: Map<string, T>, key: string, value: T): void {
  if (map.size >= CACHE_LIMIT) map.delete(map.keys().next().value as string)
  map.set(key, value)
}

function checkChain(ders: Uint8Array[]): CheckedChain {
  const certs = ders.map((der, i) => parse(der, i === ders.length - 1 ? 'leaf certificate' : `cabundle[${i}]`))
  for (let i = 1; i < certs.length; i++) {
    const issuer = certs[i - 1]!
    const cert = certs[i]!
    if (!issuer.ca) throw new TeeError('BAD_CERTIFICATE', `"${name(issuer)}" is not a CA but issues "${name(cert)}"`)
    if (!issuedBy(cert, issuer)) {
      throw new TeeError('BAD_CERTIFICATE_CHAIN', `certificate "${name(cert)}" is not signed by "${name(issuer)}"`, {
        details: { subject: name(cert), issuer: name(issuer) },
      })
    }
  }
  const leaf = certs[certs.length - 1]!
  if (leaf.ca) throw new TeeError('BAD_CERTIFICATE', `the leaf certificate "${name(leaf)}" is a CA`)
  return {
    leafKey: p384KeyOf(leaf),
    rootSha256: sha256Hex(ders[0]!),
    certificates: certs.map((c) => ({ subject: name(c), notBefore: parseTime(c.validFrom), notAfter: parseTime(c.validTo) })),
  }
}

/** The certificate's key if it is a well-formed P-384 key (OpenSSL throws on points off the curve). */
function p384KeyOf(cert: X509Certificate): KeyObject {
  let key: KeyObject
  try {
    key = cert.publicKey
  } catch (cause) {
    throw new TeeError('BAD_CERTIFICATE', `certificate "${name(cert)}" holds an unreadable public key`, { cause })
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'secp384r1') {
    throw new TeeError('BAD_CERTIFICATE', `certificate "${name(cert)}" does not hold a P-384 key`)
  }
  return key
}

/** Names match and the issuer's key verifies the signature; a key OpenSSL cannot use is a failed link. */
function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey)
  } catch {
    return false
  }
}

function parse(der: Uint8Array, what: string): X509Certificate {
  try {
    return new X509Certificate(der)
  } catch (cause) {
    throw new TeeError('BAD_CERTIFICATE', `${what} is not a DER X.509 certificate`, { cause })
  }
}

/** OpenSSL's "Sep  6 04:33:09 2024 GMT"; an unreadable time would make the certificate unusable. */
function parseTime(text: string): number {
  const ms = Date.parse(text)
  if (!Number.isFinite(ms)) throw new TeeError('BAD_CERTIFICATE', `certificate time "${text}" is unreadable`)
  return ms
}

function name(cert: X509Certificate): string {
  return cert.subject.replace(/\n/g, ', ')
}

/** The chain's exact bytes as a key: the SHA-256 of each certificate, in order. */
function chainKey(cabundle: readonly Uint8Array[], certificate: Uint8Array): string {
  let key = ''
  for (const der of cabundle) key += `${certificateSha256(der)}:`
  return key + certificateSha256(certificate)
}

const RECENT_LIMIT = 16
/** Recently hashed certificates, by value (copies, so a caller reusing its buffer cannot match a stale entry). */
const recentHashes: Array<{ der: Buffer; sha256: string }> = []

/**
 * SHA-256 (hex) of a certificate. A node presents the same few certificates in every document, and
 * comparing bytes is cheaper than hashing them again for the root pin, the chain cache and the
 * leaf key, record after record.
 */
function certificateSha256(der: Uint8Array): string {
  for (const entry of recentHashes) if (entry.der.length === der.length && entry.der.equals(der)) return entry.sha256
  const sha256 = sha256Hex(der)
  if (recentHashes.length >= RECENT_LIMIT) recentHashes.shift()
  recentHashes.push({ der: Buffer.from(der), sha256 })
  return sha256
}
