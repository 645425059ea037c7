/**
 * The DEVELOPMENT enclave. There is no TEE hardware here, so this stands in for the Nitro Security
 * Module: it keeps a certificate authority, issues itself a short-lived leaf certificate, and emits
 * attestation documents in exactly the Nitro format (COSE_Sign1 ES384 over the CBOR document)
 * that the one verifier checks. It isolates nothing and its root key is public: a dev attestation
 * proves only that the document is well-formed. Devnets pin the dev root; a production chain pins
 * the vendor's root instead (`AWS_NITRO_ROOT_G1`) and these documents fail there with UNKNOWN_ROOT.
 *
 * The dev root is derived from a published seed, like the dev accounts from the dev mnemonic, so
 * every node rebuilds the same root certificate byte for byte (ECDSA signing is deterministic)
 * and genesis can pin it without files being passed around.
 */
import { createHash, randomBytes } from 'node:crypto'
import { p384 } from '@noble/curves/nist.js'
import { bytesToHex, type Hex } from 'viem'
import { teeNonce, teeUserData, type TeeBinding } from './binding.js'
import { issueCertificate, p384KeyPair, type DistinguishedName, type P384KeyPair } from './certificate.js'
import { signCoseSign1 } from './cose.js'
import { encodeAttestationPayload } from './document.js'
import { measureEnclaveImage } from './measurement.js'
import { trustedRoot, type TrustedRoot } from './roots.js'
import type { TeeBackend } from './types.js'

/** Public on purpose: anyone can derive the dev root key. Never pin the dev root outside devnets. */
export const DEV_ROOT_SEED = 'inferchain/tee/dev-root/v1 (INSECURE: devnets only)'
export const DEV_ROOT_NAME: DistinguishedName = [
  ['O', 'inferchain'],
  ['OU', 'development enclave'],
  ['CN', 'inferchain dev enclave root (INSECURE: devnets only)'],
]
const DEV_ROOT_VALIDITY = { notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2124-01-01T00:00:00Z') }

const HOUR_MS = 3_600_000
/** A leaf lives a day (Nitro's live hours) and is replaced an hour before it expires. */
const DEFAULT_LEAF_LIFETIME_MS = 24 * HOUR_MS
const LEAF_RENEW_BEFORE_MS = HOUR_MS
/** Leaves start an hour in the past: block timestamps and other nodes' clocks may lag ours. */
const LEAF_BACKDATE_MS = HOUR_MS
/** Nitro documents carry 16 PCRs; the ones this enclave does not use are zero, as on Nitro. */
const PCR_COUNT = 16
const PCR_BYTES = 48

/** A certificate authority of the development PKI: its key and self-signed certificate. */
export interface DevCertificateAuthority {
  name: DistinguishedName
  key: P384KeyPair
  /** DER of the (self-signed) root certificate. */
  certificate: Uint8Array
}

let devRoot: DevCertificateAuthority | undefined

/**
 * The development root CA, the same on every machine.
 *
 * @example
 * const genesis = { ...spec, teeTrustedRoots: [bytesToHex(devRootAuthority().certificate)] }
 */
export function devRootAuthority(): DevCertificateAuthority {
  devRoot ??= createAuthority(DEV_ROOT_NAME, p384KeyPair(scalarFromSeed(DEV_ROOT_SEED)), 1n, DEV_ROOT_VALIDITY)
  return devRoot
}

/** The dev root as a pinned root (what devnet genesis trusts). */
export function devTrustedRoot(): TrustedRoot {
  return trustedRoot(devRootAuthority().certificate, 'inferchain dev enclave root')
}

/**
 * A fresh random root (tests: "a chain to an unknown root").
 *
 * @example
 * const rogue = DevEnclave.create({ authority: generateAuthority('rogue root'), image })
 */
export function generateAuthority(commonName = 'untrusted dev root'): DevCertificateAuthority {
  return createAuthority([['O', 'inferchain'], ['CN', commonName]], p384KeyPair(), randomSerial(), DEV_ROOT_VALIDITY)
}

function createAuthority(name: DistinguishedName, key: P384KeyPair, serial: bigint, validity: { notBefore: Date; notAfter: Date }): DevCertificateAuthority {
  const certificate = issueCertificate({ serial, subject: name, issuer: name, ...validity, subjectPublicPoint: key.publicPoint, ca: true, pathLength: 0 }, key)
  return { name, key, certificate }
}

/** A leaf certificate and its key: what signs documents. */
export interface DevLeaf {
  key: P384KeyPair
  certificate: Uint8Array
  notBefore: number
  notAfter: number
}

export interface DevEnclaveOptions {
  /** Issuing CA (default: the dev root). */
  authority?: DevCertificateAuthority
  /** The image measurement (default: `measureEnclaveImage()` of the built inference node). */
  image?: { pcr0: Uint8Array; pcr1?: Uint8Array; pcr2?: Uint8Array }
  /** The enclave's own key, its `public_key` (default: random per enclave start, as on Nitro). */
  enclaveKey?: P384KeyPair
  leafLifetimeMs?: number
  /** Clock (ms), for tests. */
  now?: () => number
}

/** What `attest` may be told to do differently (tests forge documents with these). */
export interface AttestOverrides {
  leaf?: DevLeaf
  timestamp?: number
  pcr0?: Uint8Array
  userData?: Uint8Array
  nonce?: Uint8Array
}

/**
 * The development enclave backend of `inferchain inference-node --tee dev`.
 *
 * @example
 * const enclave = DevEnclave.create()
 * const document = enclave.attest({ chainId, requestId, modelCid, inputHash, outputHash })
 */
export class DevEnclave implements TeeBackend {
  readonly kind = 'dev'
  readonly moduleId: string
  readonly measurement: Hex
  readonly enclaveKey: Hex
  readonly authority: DevCertificateAuthority
  readonly #pcrs: Map<number, Uint8Array>
  readonly #lifetimeMs: number
  readonly #now: () => number
  #leaf: DevLeaf

  private constructor(options: Required<Pick<DevEnclaveOptions, 'authority' | 'image' | 'enclaveKey'>> & DevEnclaveOptions) {
    this.authority = options.authority
    this.#now = options.now ?? Date.now
    this.#lifetimeMs = options.leafLifetimeMs ?? DEFAULT_LEAF_LIFETIME_MS
    this.enclaveKey = bytesToHex(options.enclaveKey.spki)
    this.moduleId = `inferchain-dev-enclave-${createHash('sha256').update(options.enclaveKey.spki).digest('hex').slice(0, 16)}`
    this.measurement = bytesToHex(options.image.pcr0)
    this.#pcrs = new Map(Array.from({ length: PCR_COUNT }, (_, i) => [i, new Uint8Array(PCR_BYTES)]))
    this.#pcrs.set(0, options.image.pcr0)
    if (options.image.pcr1) this.#pcrs.set(1, options.image.pcr1)
    if (options.image.pcr2) this.#pcrs.set(2, options.image.pcr2)
    const now = this.#now()
    this.#leaf = this.issueLeaf({ notBefore: now - LEAF_BACKDATE_MS, notAfter: now + this.#lifetimeMs })
  }

  /** Starts an enclave; measures the built inference node unless `image` is given. */
  static create(options: DevEnclaveOptions = {}): DevEnclave {
    return new DevEnclave({
      ...options,
      authority: options.authority ?? devRootAuthority(),
      image: options.image ?? measureEnclaveImage(),
      enclaveKey: options.enclaveKey ?? p384KeyPair(),
    })
  }

  /** Issues a leaf certificate for a fresh key, valid over the given window (ms). */
  issueLeaf(validity: { notBefore: number; notAfter: number }): DevLeaf {
    const key = p384KeyPair()
    const certificate = issueCertificate(
      {
        serial: randomSerial(),
        subject: [['O', 'inferchain'], ['OU', 'development enclave'], ['CN', this.moduleId]],
        issuer: this.authority.name,
        notBefore: new Date(Math.floor(validity.notBefore / 1000) * 1000),
        notAfter: new Date(Math.floor(validity.notAfter / 1000) * 1000),
        subjectPublicPoint: key.publicPoint,
        ca: false,
      },
      this.authority.key,
    )
    return { key, certificate, ...validity }
  }

  /** A serialized attestation document (COSE_Sign1, ES384) binding `binding`. */
  attest(binding: TeeBinding, overrides: AttestOverrides = {}): Uint8Array {
    const timestamp = overrides.timestamp ?? this.#now()
    const leaf = overrides.leaf ?? this.#currentLeaf(timestamp)
    const pcrs = new Map(this.#pcrs)
    if (overrides.pcr0) pcrs.set(0, overrides.pcr0)
    const payload = encodeAttestationPayload({
      moduleId: this.moduleId,
      digest: 'SHA384',
      timestamp,
      pcrs,
      certificate: leaf.certificate,
      cabundle: [this.authority.certificate],
      publicKey: Uint8Array.from(Buffer.from(this.enclaveKey.slice(2), 'hex')),
      userData: overrides.userData ?? teeUserData(binding),
      nonce: overrides.nonce ?? teeNonce(binding.requestId),
    })
    return signCoseSign1(payload, leaf.key.privateKey)
  }

  #currentLeaf(now: number): DevLeaf {
    if (now > this.#leaf.notAfter - LEAF_RENEW_BEFORE_MS) {
      this.#leaf = this.issueLeaf({ notBefore: now - LEAF_BACKDATE_MS, notAfter: now + this.#lifetimeMs })
    }
    return this.#leaf
  }
}

/** A valid P-384 secret from a seed: SHA-384 of seed ‖ counter, the first that is in range. */
function scalarFromSeed(seed: string): Uint8Array {
  for (let counter = 0; ; counter++) {
    const candidate = new Uint8Array(createHash('sha384').update(`${seed}#${counter}`).digest())
    if (p384.utils.isValidSecretKey(candidate)) return candidate
  }
}

/** 16 random bytes, top bit cleared: positive and well under RFC 5280's 20 bytes. */
function randomSerial(): bigint {
  const bytes = randomBytes(16)
  bytes[0]! &= 0x7f
  return BigInt(`0x${bytes.toString('hex')}`) || 1n
}
