/**
 * A small, fast ABI codec for the fixed shapes of the inference interface (tensors in nested
 * structs). viem's general codec costs ~150–350 µs per request of the demo model; this one sizes the
 * output first and writes it in one buffer, and decodes with strict bounds and canonical-value checks
 * (offsets inside the data, ints sign-extended, uints and bools clean) — malformed calldata throws.
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
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function isDynamic(type: AbiType): boolean {
  if (type.kind === 'string' || type.kind === 'array') return true
  return type.kind === 'tuple' && type.fields.some((f) => isDynamic(f.type))
}

/** Size of a static type (ints, bools, tuples of them). */
function staticSize(type: AbiType): number {
  return type.kind === 'tuple' ? type.fields.reduce((n, f) => n + staticSize(f.type), 0) : WORD
}

/** Bytes a value occupies where it is written (head for static types, tail for dynamic ones). */
function size(type: AbiType, value: unknown): number {
  if (!isDynamic(type)) return staticSize(type)
  switch (type.kind) {
    case 'int':
    case 'uint':
    case 'bool':
      return WORD
    case 'string': {
      const length = encoder.encode(value as string).length
      return WORD + Math.ceil(length / WORD) * WORD
    }
    case 'array': {
      const items = value as unknown[]
      let total = WORD
      for (const item of items) total += (isDynamic(type.of) ? WORD : 0) + size(type.of, item)
      return total
    }
    case 'tuple': {
      let total = 0
      for (const f of type.fields) {
        const v = (value as Record<string, unknown>)[f.key]
        total += isDynamic(f.type) ? WORD + size(f.type, v) : size(f.type, v)
      }
      return total
    }
  }
}

function writeInt(buf: Uint8Array, offset: number, value: bigint): void {
  let v = BigInt.asUintN(256, value)
  for (let i = offset + 31; i >= offset && v > 0n; i--) {
    buf[i] = Number(v & 0xffn)
    v >>= 8n
  }
}

/** Writes `value` at `offset`; returns the bytes written. */
function write(type: AbiType, value: unknown, buf: Uint8Array, offset: number): number {
  switch (type.kind) {
    case 'int':
    case 'uint':
      writeInt(buf, offset, BigInt(value as bigint | number))
      return WORD
    case 'bool':
      buf[offset + 31] = value ? 1 : 0
      return WORD
    case 'string': {
      const bytes = encoder.encode(value as string)
      writeInt(buf, offset, BigInt(bytes.length))
      buf.set(bytes, offset + WORD)
      return WORD + Math.ceil(bytes.length / WORD) * WORD
    }
    case 'array': {
      const items = value as unknown[]
      writeInt(buf, offset, BigInt(items.length))
      return WORD + writeSequence(items.map((item) => ({ type: type.of, value: item })), buf, offset + WORD)
    }
    case 'tuple':
      return writeSequence(type.fields.map((f) => ({ type: f.type, value: (value as Record<string, unknown>)[f.key] })), buf, offset)
  }
}

/** Heads then tails, offsets relative to the sequence's start. */
function writeSequence(items: Array<{ type: AbiType; value: unknown }>, buf: Uint8Array, start: number): number {
  let headLength = 0
  for (const item of items) headLength += isDynamic(item.type) ? WORD : size(item.type, item.value)
  let head = start
  let tail = start + headLength
  for (const item of items) {
    if (isDynamic(item.type)) {
      writeInt(buf, head, BigInt(tail - start))
      head += WORD
      tail += write(item.type, item.value, buf, tail)
    } else {
      head += write(item.type, item.value, buf, head)
    }
  }
  return tail - start
}

/** abi.encode of a parameter list `(a, b, ...)` — the tuple of them, encoded in place. */
export function encodeParameters(fields: Array<{ key: string; type: AbiType }>, values: Record<string, unknown>): Uint8Array {
  const tuple: AbiType = { kind: 'tuple', fields }
  const buf = new Uint8Array(size(tuple, values))
  write(tuple, values, buf, 0)
  return buf
}

function readWord(buf: Uint8Array, offset: number): bigint {
  if (offset < 0 || offset + WORD > buf.length) throw new AbiDecodingError(`read past the end of the data at byte ${offset}`)
  let v = 0n
  for (let i = offset; i < offset + WORD; i++) v = (v << 8n) | BigInt(buf[i]!)
  return v
}

function readSmall(buf: Uint8Array, offset: number, what: string): number {
  const v = readWord(buf, offset)
  if (v > BigInt(buf.length)) throw new AbiDecodingError(`${what} ${v} points outside the data`)
  return Number(v)
}

function read(type: AbiType, buf: Uint8Array, offset: number): unknown {
  switch (type.kind) {
    case 'uint': {
      const v = readWord(buf, offset)
      if (v >> BigInt(type.bits) !== 0n) throw new AbiDecodingError(`uint${type.bits} out of range`)
      return type.bits <= 48 ? Number(v) : v
    }
    case 'int': {
      const v = BigInt.asIntN(256, readWord(buf, offset))
      if (BigInt.asIntN(type.bits, v) !== v) throw new AbiDecodingError(`int${type.bits} out of range`)
      return v
    }
    case 'bool': {
      const v = readWord(buf, offset)
      if (v > 1n) throw new AbiDecodingError('bool is neither 0 nor 1')
      return v === 1n
    }
    case 'string': {
      const length = readSmall(buf, offset, 'string length')
      const start = offset + WORD
      if (start + length > buf.length) throw new AbiDecodingError('string runs past the end of the data')
      return decoder.decode(buf.subarray(start, start + length))
    }
    case 'array': {
      const length = readSmall(buf, offset, 'array length')
      // Every element takes at least one word: a longer claim cannot be honest.
      if (offset + WORD + length * WORD > buf.length) throw new AbiDecodingError('array length exceeds the data')
      return readSequence(Array.from({ length }, () => type.of), buf, offset + WORD)
    }
    case 'tuple': {
      const values = readSequence(type.fields.map((f) => f.type), buf, offset)
      const out: Record<string, unknown> = {}
      type.fields.forEach((f, i) => (out[f.key] = values[i]))
      return out
    }
  }
}

function readSequence(types: AbiType[], buf: Uint8Array, start: number): unknown[] {
  const values: unknown[] = []
  let head = start
  for (const t of types) {
    if (isDynamic(t)) {
      values.push(read(t, buf, start + readSmall(buf, head, 'offset')))
      head += WORD
    } else {
      values.push(read(t, buf, head))
      head += staticSize(t)
    }
  }
  return values
}

/** Decodes a parameter list encoded by `encodeParameters`. */
export function decodeParameters(fields: Array<{ key: string; type: AbiType }>, data: Uint8Array): Record<string, unknown> {
  return read({ kind: 'tuple', fields }, data, 0) as Record<string, unknown>
}
