/**
 * A small, fast ABI codec for the fixed shapes of the inference interface (tensors in nested
 * structs). viem's general codec costs ~150–350 µs per request of the demo model; this one sizes the
 * output first and writes it in one buffer, and decodes with strict bounds and canonical-value checks
 * (offsets inside the data, ints sign-extended, uints and bools clean) — malformed calldata throws.
 * Words that hold small numbers (tensor values, decimals, lengths, offsets: nearly all of them) are
 * read and written with plain arithmetic; only larger ones go through BigInt.
 * `test/evm/abi-codec.test.ts` checks it against viem byte for byte.
 */

export type AbiType =
  | { kind: 'int'; bits: number }
  | { kind: 'uint'; bits: number }
  | { kind: 'bool' }
  | { kind: 'string' }
  | { kind: 'array'; of: AbiType }
  | { kind: 'tuple'; fields: Array<{ key: string; type: AbiType }> }

export class AbiDecodingError extends Error {}

const WORD = 32
/** Words whose value is below 2^47 in magnitude keep it in their last 6 bytes (the rest is sign). */
const SMALL_BYTES = 6
const TWO_POW_48 = 2 ** 48
const SMALL_LIMIT = 1n << 47n
const encoder = new TextEncoder()
const decoder = new TextDecoder()

const dynamicCache = new WeakMap<AbiType, boolean>()
const staticSizeCache = new WeakMap<AbiType, number>()

export function isDynamic(type: AbiType): boolean {
  let dynamic = dynamicCache.get(type)
  if (dynamic === undefined) {
    dynamic = type.kind === 'string' || type.kind === 'array' || (type.kind === 'tuple' && type.fields.some((f) => isDynamic(f.type)))
    dynamicCache.set(type, dynamic)
  }
  return dynamic
}

/** Size of a static type (ints, bools, tuples of them). */
function staticSize(type: AbiType): number {
  let bytes = staticSizeCache.get(type)
  if (bytes === undefined) {
    bytes = type.kind === 'tuple' ? type.fields.reduce((n, f) => n + staticSize(f.type), 0) : WORD
    staticSizeCache.set(type, bytes)
  }
  return bytes
}

/** Bytes of `s` in UTF-8, as TextEncoder writes it (a lone surrogate becomes U+FFFD, 3 bytes). */
function utf8Length(s: string): number {
  let bytes = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

const padded = (length: number) => Math.ceil(length / WORD) * WORD

/** What TextEncoder.encode makes of a value: undefined is the empty string, the rest its String(). */
const asText = (value: unknown): string => (value === undefined ? '' : String(value))

/** Bytes a value occupies where it is written (head for static types, tail for dynamic ones). */
function size(type: AbiType, value: unknown): number {
  if (!isDynamic(type)) return staticSize(type)
  switch (type.kind) {
    case 'string':
      return WORD + padded(utf8Length(asText(value)))
    case 'array': {
      const items = value as unknown[]
      if (!isDynamic(type.of)) return WORD + items.length * staticSize(type.of)
      let total = WORD + items.length * WORD
      for (const item of items) total += size(type.of, item)
      return total
    }
    case 'tuple': {
      let total = 0
      for (const f of type.fields) {
        const v = (value as Record<string, unknown>)[f.key]
        total += isDynamic(f.type) ? WORD + size(f.type, v) : staticSize(f.type)
      }
      return total
    }
    default:
      return WORD
  }
}

/** A non-negative safe integer (lengths, offsets, small uints) into a zeroed word. */
function writeNumber(buf: Uint8Array, offset: number, n: number): void {
  for (let i = offset + WORD - 1; n > 0; i--) {
    buf[i] = n % 256
    n = Math.floor(n / 256)
  }
}

/** Any integer, two's complement in 256 bits, into a zeroed word. */
function writeInt(buf: Uint8Array, offset: number, value: bigint): void {
  if (value < SMALL_LIMIT && value > -SMALL_LIMIT) {
    let n = Number(value)
    if (n < 0) {
      buf.fill(0xff, offset, offset + WORD - SMALL_BYTES)
      n += TWO_POW_48
    }
    writeNumber(buf, offset, n)
    return
  }
  const hex = BigInt.asUintN(256, value).toString(16)
  const bytes = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex')
  buf.set(bytes, offset + WORD - bytes.length)
}

/** Writes `value` at `offset`; returns the bytes written. */
function write(type: AbiType, value: unknown, buf: Uint8Array, offset: number): number {
  switch (type.kind) {
    case 'int':
    case 'uint':
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) writeNumber(buf, offset, value)
      else writeInt(buf, offset, typeof value === 'bigint' ? value : BigInt(value as number))
      return WORD
    case 'bool':
      buf[offset + 31] = value ? 1 : 0
      return WORD
    case 'string': {
      const { written } = encoder.encodeInto(asText(value), buf.subarray(offset + WORD))
      writeNumber(buf, offset, written)
      return WORD + padded(written)
    }
    case 'array': {
      const items = value as unknown[]
      writeNumber(buf, offset, items.length)
      return WORD + writeItems(type.of, items, buf, offset + WORD)
    }
    case 'tuple':
      return writeFields(type.fields, value as Record<string, unknown>, buf, offset)
  }
}

/** An array's elements: heads then tails, offsets relative to the first head. */
function writeItems(of: AbiType, items: unknown[], buf: Uint8Array, start: number): number {
  if (!isDynamic(of)) {
    let at = start
    for (const item of items) at += write(of, item, buf, at)
    return at - start
  }
  let head = start
  let tail = start + items.length * WORD
  for (const item of items) {
    writeNumber(buf, head, tail - start)
    head += WORD
    tail += write(of, item, buf, tail)
  }
  return tail - start
}

/** A tuple's fields: heads then tails, offsets relative to the tuple's start. */
function writeFields(fields: Array<{ key: string; type: AbiType }>, value: Record<string, unknown>, buf: Uint8Array, start: number): number {
  let headLength = 0
  for (const f of fields) headLength += isDynamic(f.type) ? WORD : staticSize(f.type)
  let head = start
  let tail = start + headLength
  for (const f of fields) {
    if (isDynamic(f.type)) {
      writeNumber(buf, head, tail - start)
      head += WORD
      tail += write(f.type, value[f.key], buf, tail)
    } else {
      head += write(f.type, value[f.key], buf, head)
    }
  }
  return tail - start
}

const tuples = new WeakMap<Array<{ key: string; type: AbiType }>, AbiType>()

function tupleOf(fields: Array<{ key: string; type: AbiType }>): AbiType {
  let tuple = tuples.get(fields)
  if (tuple === undefined) {
    tuple = { kind: 'tuple', fields }
    tuples.set(fields, tuple)
  }
  return tuple
}

/** abi.encode of a parameter list `(a, b, ...)` — the tuple of them, encoded in place. */
export function encodeParameters(fields: Array<{ key: string; type: AbiType }>, values: Record<string, unknown>): Uint8Array {
  const tuple = tupleOf(fields)
  const buf = new Uint8Array(size(tuple, values))
  write(tuple, values, buf, 0)
  return buf
}

function checkBounds(buf: Uint8Array, offset: number): void {
  if (offset < 0 || offset + WORD > buf.length) throw new AbiDecodingError(`read past the end of the data at byte ${offset}`)
}

function readWord(buf: Uint8Array, offset: number): bigint {
  checkBounds(buf, offset)
  let v = 0n
  for (let i = offset; i < offset + WORD; i++) v = (v << 8n) | BigInt(buf[i]!)
  return v
}

/** The word's last 6 bytes as a number (a bounds-checked word). */
function low48(buf: Uint8Array, offset: number): number {
  let n = 0
  for (let i = offset + WORD - SMALL_BYTES; i < offset + WORD; i++) n = n * 256 + buf[i]!
  return n
}

/** Whether the word's first 26 bytes all equal `fill` (0 for small non-negative values, 0xff for small negatives). */
function highBytesAre(buf: Uint8Array, offset: number, fill: number): boolean {
  for (let i = offset; i < offset + WORD - SMALL_BYTES; i++) if (buf[i] !== fill) return false
  return true
}

/** A word known to be small and non-negative, else undefined. */
function readSmallUnsigned(buf: Uint8Array, offset: number): number | undefined {
  checkBounds(buf, offset)
  return highBytesAre(buf, offset, 0) ? low48(buf, offset) : undefined
}

function readSmall(buf: Uint8Array, offset: number, what: string): number {
  const small = readSmallUnsigned(buf, offset)
  if (small !== undefined && small <= buf.length) return small
  const v = small ?? readWord(buf, offset)
  throw new AbiDecodingError(`${what} ${v} points outside the data`)
}

/** A signed word whose magnitude is below 2^47, else undefined. */
function readSmallSigned(buf: Uint8Array, offset: number): number | undefined {
  checkBounds(buf, offset)
  const top = buf[offset + WORD - SMALL_BYTES]!
  if (top < 0x80 && highBytesAre(buf, offset, 0)) return low48(buf, offset)
  if (top >= 0x80 && highBytesAre(buf, offset, 0xff)) return low48(buf, offset) - TWO_POW_48
  return undefined
}

function read(type: AbiType, buf: Uint8Array, offset: number): unknown {
  switch (type.kind) {
    case 'uint': {
      const small = readSmallUnsigned(buf, offset)
      if (small !== undefined && (type.bits >= 48 || small < 2 ** type.bits)) return type.bits <= 48 ? small : BigInt(small)
      const v = readWord(buf, offset)
      if (v >> BigInt(type.bits) !== 0n) throw new AbiDecodingError(`uint${type.bits} out of range`)
      return type.bits <= 48 ? Number(v) : v
    }
    case 'int': {
      const small = readSmallSigned(buf, offset)
      if (small !== undefined && (type.bits >= 48 || (small < 2 ** (type.bits - 1) && small >= -(2 ** (type.bits - 1))))) return BigInt(small)
      const v = BigInt.asIntN(256, readWord(buf, offset))
      if (BigInt.asIntN(type.bits, v) !== v) throw new AbiDecodingError(`int${type.bits} out of range`)
      return v
    }
    case 'bool': {
      const small = readSmallUnsigned(buf, offset)
      if (small === 0 || small === 1) return small === 1
      throw new AbiDecodingError('bool is neither 0 nor 1')
    }
    case 'string': {
      const length = readSmall(buf, offset, 'string length')
      const start = offset + WORD
      if (start + length > buf.length) throw new AbiDecodingError('string runs past the end of the data')
      return decoder.decode(buf.subarray(start, start + length))
    }
    case 'array': {
      const length = readSmall(buf, offset, 'array length')
      const start = offset + WORD
      // Every element takes at least one word: a longer claim cannot be honest.
      if (start + length * WORD > buf.length) throw new AbiDecodingError('array length exceeds the data')
      const items = new Array<unknown>(length)
      if (isDynamic(type.of)) {
        for (let i = 0; i < length; i++) items[i] = read(type.of, buf, start + readSmall(buf, start + i * WORD, 'offset'))
      } else {
        const step = staticSize(type.of)
        for (let i = 0; i < length; i++) items[i] = read(type.of, buf, start + i * step)
      }
      return items
    }
    case 'tuple': {
      const out: Record<string, unknown> = {}
      let head = offset
      for (const f of type.fields) {
        if (isDynamic(f.type)) {
          out[f.key] = read(f.type, buf, offset + readSmall(buf, head, 'offset'))
          head += WORD
        } else {
          out[f.key] = read(f.type, buf, head)
          head += staticSize(f.type)
        }
      }
      return out
    }
  }
}

/** Decodes a parameter list encoded by `encodeParameters`. */
export function decodeParameters(fields: Array<{ key: string; type: AbiType }>, data: Uint8Array): Record<string, unknown> {
  return read(tupleOf(fields), data, 0) as Record<string, unknown>
}
