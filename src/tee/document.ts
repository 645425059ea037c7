/**
 * The attestation document: the CBOR map an AWS Nitro Enclave's security module signs, field for
 * field (AWS Nitro Enclaves User Guide, "Attestation document specification"):
 *
 *   module_id   text            issuing module (enclave) id
 *   digest      "SHA384"        digest of the PCRs
 *   timestamp   uint            creation time, ms since the Unix epoch
 *   pcrs        {0..31 => bstr} platform configuration registers (32, 48 or 64 bytes); PCR0 = image
 *   certificate bstr            DER leaf certificate whose key signs the COSE envelope
 *   cabundle    [+ bstr]        DER chain, root first
 *   public_key  bstr / null     a key of the enclave's own (here: its registered enclave key)
 *   user_data   bstr / null     data the enclave binds (here: the inference result binding)
 *   nonce       bstr / null     a value from the requester (here: the request id)
 *
 * Fields are written in this order, the order Nitro emits; `parseAttestationPayload` accepts
 * exactly these keys with exactly these types and the AWS size limits.
 */
import { decodeCbor, encodeCbor } from './cbor.js'
import { TeeError } from './errors.js'

export interface AttestationDocument {
  moduleId: string
  digest: 'SHA384'
  /** Milliseconds since the Unix epoch. */
  timestamp: number
  pcrs: Map<number, Uint8Array>
  certificate: Uint8Array
  /** Root first, then intermediates; the leaf is `certificate`. */
  cabundle: Uint8Array[]
  publicKey: Uint8Array | null
  userData: Uint8Array | null
  nonce: Uint8Array | null
}

/** AWS limits: certificates 1..1024 bytes, user fields 0..1024 bytes, PCR indexes 0..31. */
const MAX_CERTIFICATE_BYTES = 1024
const MAX_USER_FIELD_BYTES = 1024
const MAX_PCR_INDEX = 31
const PCR_SIZES = new Set([32, 48, 64])
const FIELDS = ['module_id', 'digest', 'timestamp', 'pcrs', 'certificate', 'cabundle', 'public_key', 'user_data', 'nonce'] as const
const REQUIRED = new Set<string>(['module_id', 'digest', 'timestamp', 'pcrs', 'certificate', 'cabundle'])

/**
 * The document's CBOR bytes (the COSE payload), fields in Nitro's order.
 *
 * @example
 * const payload = encodeAttestationPayload({ moduleId, digest: 'SHA384', timestamp: Date.now(), pcrs, certificate, cabundle, publicKey, userData, nonce })
 */
export function encodeAttestationPayload(doc: AttestationDocument): Uint8Array {
  return encodeCbor(
    new Map<string, unknown>([
      ['module_id', doc.moduleId],
      ['digest', doc.digest],
      ['timestamp', doc.timestamp],
      ['pcrs', doc.pcrs],
      ['certificate', doc.certificate],
      ['cabundle', doc.cabundle],
      ['public_key', doc.publicKey],
      ['user_data', doc.userData],
      ['nonce', doc.nonce],
    ]),
  )
}

/** Decodes and type-checks a document; anything off is `MALFORMED_ATTESTATION` naming the field. */
export function parseAttestationPayload(payload: Uint8Array): AttestationDocument {
  const map = decodeCbor(payload, 'attestation payload')
  if (!(map instanceof Map)) throw malformed('the attestation payload is not a map')
  for (const key of map.keys()) {
    if (typeof key !== 'string' || !(FIELDS as readonly string[]).includes(key)) throw malformed(`unexpected field ${String(key)}`)
  }
  for (const key of REQUIRED) if (!map.has(key)) throw malformed(`field ${key} is missing`)

  const moduleId = map.get('module_id')
  if (typeof moduleId !== 'string' || moduleId.length === 0) throw malformed('module_id must be non-empty text')
  const digest = map.get('digest')
  if (digest !== 'SHA384') throw malformed(`digest must be "SHA384", got ${JSON.stringify(String(digest))}`)
  const timestamp = map.get('timestamp')
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp <= 0) throw malformed('timestamp must be a positive integer (ms)')

  const pcrs = map.get('pcrs')
  if (!(pcrs instanceof Map) || pcrs.size === 0 || pcrs.size > MAX_PCR_INDEX + 1) throw malformed('pcrs must be a map of 1 to 32 registers')
  for (const [index, value] of pcrs) {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > MAX_PCR_INDEX) throw malformed(`PCR index ${String(index)} is not in 0..31`)
    if (!(value instanceof Uint8Array) || !PCR_SIZES.has(value.length)) throw malformed(`PCR${index} must be 32, 48 or 64 bytes`)
  }

  const certificate = certificateBytes(map.get('certificate'), 'certificate')
  const cabundle = map.get('cabundle')
  if (!Array.isArray(cabundle) || cabundle.length === 0) throw malformed('cabundle must be a non-empty array')
  return {
    moduleId,
    digest,
    timestamp,
    pcrs: pcrs as Map<number, Uint8Array>,
    certificate,
    cabundle: cabundle.map((c, i) => certificateBytes(c, `cabundle[${i}]`)),
    publicKey: optionalBytes(map.get('public_key'), 'public_key'),
    userData: optionalBytes(map.get('user_data'), 'user_data'),
    nonce: optionalBytes(map.get('nonce'), 'nonce'),
  }
}

function certificateBytes(value: unknown, field: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length === 0 || value.length > MAX_CERTIFICATE_BYTES) {
    throw malformed(`${field} must be 1 to ${MAX_CERTIFICATE_BYTES} bytes of DER`)
  }
  return value
}

/** Optional user fields: absent or null mean "none". */
function optionalBytes(value: unknown, field: string): Uint8Array | null {
  if (value === undefined || value === null) return null
  if (!(value instanceof Uint8Array) || value.length > MAX_USER_FIELD_BYTES) throw malformed(`${field} must be at most ${MAX_USER_FIELD_BYTES} bytes`)
  return value
}

function malformed(message: string): TeeError {
  return new TeeError('MALFORMED_ATTESTATION', message)
}
