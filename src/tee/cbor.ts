/**
 * The one CBOR configuration attestation documents are read and written with (`cborg`; not
 * `cbor-x`, which tags Maps and breaks other decoders).
 *
 * Reading is strict — shortest-form lengths and integers, no indefinite lengths, no undefined, no
 * tags, no duplicate map keys, Maps kept as Maps (Nitro's PCR map has integer keys) — so one value
 * has one encoding. Writing keeps map keys in insertion order, which is the field order AWS Nitro
 * emits: decoding a genuine document and encoding it again gives the same bytes.
 */
import { decode, encode } from 'cborg'
import { TeeError } from './errors.js'

const DECODE_OPTIONS = {
  useMaps: true,
  strict: true,
  rejectDuplicateMapKeys: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowInfinity: false,
  allowNaN: false,
  tags: [],
} as const

const ENCODE_OPTIONS = { mapSorter: () => 0 } as const

/** Decodes one complete CBOR item; any failure (truncation, trailing bytes, bad form) is `MALFORMED_ATTESTATION`. */
export function decodeCbor(bytes: Uint8Array, what: string): unknown {
  try {
    return decode(bytes, DECODE_OPTIONS)
  } catch (cause) {
    throw new TeeError('MALFORMED_ATTESTATION', `${what} is not valid CBOR: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
  }
}

export function encodeCbor(value: unknown): Uint8Array {
  return encode(value, ENCODE_OPTIONS)
}
