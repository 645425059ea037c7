/**
 * A minimal ASN.1 DER writer: exactly the types an X.509 v3 certificate with EC keys needs.
 *
 * node:crypto parses and verifies certificates (`X509Certificate`) but cannot create one, and the
 * development enclave must issue real certificates; the writer is small enough to own. Every
 * function returns the complete TLV (tag, definite minimal length, content), so nesting is
 * composition: `sequence(integer(1n), oid('1.2.840.10045.4.3.3'))`.
 */

const enum Tag {
  Boolean = 0x01,
  Integer = 0x02,
  BitString = 0x03,
  OctetString = 0x04,
  Oid = 0x06,
  Utf8String = 0x0c,
  PrintableString = 0x13,
  UtcTime = 0x17,
  GeneralizedTime = 0x18,
  Sequence = 0x30,
  Set = 0x31,
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}

/** Definite length: one byte below 128, else 0x80|count followed by the big-endian count bytes. */
function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length)
  const bytes: number[] = []
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff)
  return Uint8Array.of(0x80 | bytes.length, ...bytes)
}

export function tlv(tag: number, content: Uint8Array): Uint8Array {
  return concat([Uint8Array.of(tag), encodeLength(content.length), content])
}

export function sequence(...items: Uint8Array[]): Uint8Array {
  return tlv(Tag.Sequence, concat(items))
}

export function set(...items: Uint8Array[]): Uint8Array {
  return tlv(Tag.Set, concat(items))
}

/** A non-negative INTEGER in its shortest two's-complement form (a leading 0x00 when the top bit is set). */
export function integer(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError('DER integer: negative values are not needed here')
  let hex = value.toString(16)
  if (hex.length % 2 === 1) hex = `0${hex}`
  let bytes: Uint8Array = Uint8Array.from(Buffer.from(hex, 'hex'))
  if (bytes[0]! & 0x80) bytes = concat([Uint8Array.of(0), bytes])
  return tlv(Tag.Integer, bytes)
}

export function boolean(value: boolean): Uint8Array {
  return tlv(Tag.Boolean, Uint8Array.of(value ? 0xff : 0x00))
}

/** OBJECT IDENTIFIER from dotted form; arcs after the first two are base-128, high bit = "more". */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => BigInt(a))
  if (arcs.length < 2) throw new RangeError(`OID ${dotted} needs at least two arcs`)
  const out: number[] = []
  const push = (arc: bigint) => {
    const groups: number[] = [Number(arc & 0x7fn)]
    for (let n = arc >> 7n; n > 0n; n >>= 7n) groups.unshift(Number(n & 0x7fn) | 0x80)
    out.push(...groups)
  }
  push(arcs[0]! * 40n + arcs[1]!)
  for (const arc of arcs.slice(2)) push(arc)
  return tlv(Tag.Oid, Uint8Array.from(out))
}

export function utf8String(value: string): Uint8Array {
  return tlv(Tag.Utf8String, new TextEncoder().encode(value))
}

export function printableString(value: string): Uint8Array {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value)) throw new RangeError(`"${value}" is not a PrintableString`)
  return tlv(Tag.PrintableString, new TextEncoder().encode(value))
}

/**
 * A named-bit BIT STRING (KeyUsage): bit 0 is the most significant bit of the first byte; DER drops
 * trailing zero bits and says how many bits of the last byte are unused.
 */
export function namedBits(bits: readonly number[]): Uint8Array {
  if (bits.length === 0) return tlv(Tag.BitString, Uint8Array.of(0))
  const highest = Math.max(...bits)
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1)
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7)
  const unused = 7 - (highest & 7)
  return tlv(Tag.BitString, concat([Uint8Array.of(unused), bytes]))
}

/** `[n] IMPLICIT OCTET STRING`-like primitive context tag (AuthorityKeyIdentifier.keyIdentifier). */
export function implicitPrimitive(tagNumber: number, content: Uint8Array): Uint8Array {
  return tlv(0x80 | tagNumber, content)
}

/** BIT STRING of whole bytes (0 unused bits). */
export function bitString(bytes: Uint8Array): Uint8Array {
  return tlv(Tag.BitString, concat([Uint8Array.of(0), bytes]))
}

export function octetString(bytes: Uint8Array): Uint8Array {
  return tlv(Tag.OctetString, bytes)
}

/**
 * A certificate validity time as RFC 5280 §4.1.2.5 requires: UTCTime (YYMMDDHHMMSSZ) through 2049,
 * GeneralizedTime (YYYYMMDDHHMMSSZ) from 2050; whole seconds, always UTC.
 */
export function time(date: Date): Uint8Array {
  const iso = date.toISOString() // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '')
  const year = date.getUTCFullYear()
  if (year < 1950 || year > 9999) throw new RangeError(`certificate time ${iso} is out of range`)
  const ascii = (s: string) => new TextEncoder().encode(`${s}Z`)
  return year < 2050 ? tlv(Tag.UtcTime, ascii(digits.slice(2))) : tlv(Tag.GeneralizedTime, ascii(digits))
}

/** `[n] EXPLICIT` — context-specific, constructed, wrapping one complete TLV. */
export function explicit(tagNumber: number, inner: Uint8Array): Uint8Array {
  return tlv(0xa0 | tagNumber, inner)
}
