/**
 * COSE_Sign1 (RFC 9052 §4.2) with ES384, the envelope of an AWS Nitro attestation document:
 *
 *   [ protected: bstr(map{1: -35}), unprotected: {}, payload: bstr, signature: bstr(r ‖ s) ]
 *
 * The signature is ECDSA P-384 over SHA-384 of the Sig_structure
 * `["Signature1", protected, external_aad = h'', payload]`, and COSE carries it raw — r ‖ s,
 * 48 bytes each — not DER (hence `dsaEncoding: 'ieee-p1363'`).
 *
 * Only the exact form Nitro emits is accepted: untagged, an empty unprotected header (it is not
 * signed, so anything in it could be changed by anyone), alg ES384 alone in the protected header,
 * and CBOR in its one canonical form. A document that verifies is therefore the one that was
 * signed, byte for byte.
 */
import { sign, verify, type KeyObject } from 'node:crypto'
import { decodeCbor, encodeCbor } from './cbor.js'
import { TeeError } from './errors.js'

/** COSE algorithm id of ECDSA w/ SHA-384 (RFC 9053 §2.1). */
export const COSE_ALG_ES384 = -35
const HEADER_ALG = 1
/** r ‖ s for P-384. */
export const ES384_SIGNATURE_BYTES = 96

export interface CoseSign1 {
  /** The serialized protected header, exactly as signed. */
  protectedHeader: Uint8Array
  payload: Uint8Array
  signature: Uint8Array
}

/** The ES384 protected header, `{1: -35}`, serialized. */
export const ES384_PROTECTED_HEADER = encodeCbor(new Map([[HEADER_ALG, COSE_ALG_ES384]]))

/** What the signature signs: the CBOR Sig_structure for a COSE_Sign1 with empty external AAD. */
export function sigStructure(protectedHeader: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeCbor(['Signature1', protectedHeader, new Uint8Array(0), payload])
}

/**
 * Signs `payload` into a COSE_Sign1 (untagged, as Nitro emits it).
 *
 * @example
 * const cose = signCoseSign1(encodeAttestationPayload(doc), leaf.privateKey)
 */
export function signCoseSign1(payload: Uint8Array, privateKey: KeyObject): Uint8Array {
  const signature = sign('sha384', sigStructure(ES384_PROTECTED_HEADER, payload), { key: privateKey, dsaEncoding: 'ieee-p1363' })
  return encodeCbor([ES384_PROTECTED_HEADER, new Map(), payload, new Uint8Array(signature)])
}

/**
 * Parses a COSE_Sign1 envelope without checking the signature. Throws `MALFORMED_ATTESTATION` for
 * anything but the exact Nitro form and `UNSUPPORTED_ALGORITHM` for another algorithm.
 */
export function decodeCoseSign1(bytes: Uint8Array): CoseSign1 {
  const item = decodeCbor(bytes, 'attestation document')
  if (!Array.isArray(item) || item.length !== 4) throw malformed('COSE_Sign1 must be an untagged array of 4 items')
  const [protectedHeader, unprotected, payload, signature] = item as unknown[]
  if (!(protectedHeader instanceof Uint8Array)) throw malformed('COSE protected header must be a byte string')
  if (!(unprotected instanceof Map) || unprotected.size !== 0) throw malformed('COSE unprotected header must be an empty map')
  if (!(payload instanceof Uint8Array) || payload.length === 0) throw malformed('COSE payload must be a non-empty byte string')
  if (!(signature instanceof Uint8Array) || signature.length !== ES384_SIGNATURE_BYTES) {
    throw malformed(`COSE signature must be ${ES384_SIGNATURE_BYTES} bytes (r ‖ s)`)
  }
  const header = decodeCbor(protectedHeader, 'COSE protected header')
  if (!(header instanceof Map) || header.size !== 1 || !header.has(HEADER_ALG)) throw malformed('COSE protected header must hold the algorithm alone')
  const alg = header.get(HEADER_ALG)
  if (alg !== COSE_ALG_ES384) {
    throw new TeeError('UNSUPPORTED_ALGORITHM', `COSE algorithm ${String(alg)} is not ES384 (${COSE_ALG_ES384})`, { details: { alg: String(alg) } })
  }
  // No re-encoding check is needed for the envelope to be canonical: strict decoding admits only
  // shortest-form lengths, no tags, no indefinite lengths and no trailing bytes, so an untagged
  // array of (bstr, empty map, bstr, bstr) has exactly one encoding (test/tee/fuzz.test.ts).
  return { protectedHeader, payload, signature }
}

/** Whether the signature verifies with `publicKey` (a P-384 key). */
export function verifyCoseSign1(cose: CoseSign1, publicKey: KeyObject): boolean {
  try {
    return verify('sha384', sigStructure(cose.protectedHeader, cose.payload), { key: publicKey, dsaEncoding: 'ieee-p1363' }, cose.signature)
  } catch {
    // OpenSSL refuses some out-of-range r/s outright instead of returning false: same verdict.
    return false
  }
}

function malformed(message: string): TeeError {
  return new TeeError('MALFORMED_ATTESTATION', message)
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0
}
