/**
 * A GGUF v3 writer (the file format of llama.cpp): a header, typed key/value metadata, tensor
 * infos, then the tensor data, each aligned. Only what a model built in code needs is supported:
 * scalar, string and array metadata, and F32 tensors.
 *
 * Layout (little endian): "GGUF" u32 version u64 n_tensors u64 n_kv, kv*, tensor_info*, padding,
 * data. Strings are u64 length + UTF-8 bytes. Tensor dims are written fastest-varying first (ggml's
 * `ne[0]`), so a [rows, cols] matrix of PyTorch is written as dims [cols, rows].
 */
import { ModelSpecError } from './errors.js'

const GGUF_MAGIC = 0x46554747 // "GGUF" read as a little-endian u32
const GGUF_VERSION = 3
/** `general.alignment` default: data and each tensor start at a multiple of it. */
export const GGUF_ALIGNMENT = 32
const GGML_TYPE_F32 = 0

/** GGUF metadata value types (gguf.h). */
const enum ValueType {
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
}

/** A metadata value: numbers need an explicit type, arrays hold one element type. */
export type GgufValue =
  | { type: 'u32'; value: number }
  | { type: 'i32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'string[]'; value: readonly string[] }
  | { type: 'f32[]'; value: ArrayLike<number> }
  | { type: 'i32[]'; value: ArrayLike<number> }

export interface GgufTensor {
  name: string
  /** ggml order: fastest-varying dimension first. */
  dims: number[]
  data: Float32Array
}

/** Bytes grow by doubling; a tiny model is a few hundred KiB. */
class ByteSink {
  private buffer = new Uint8Array(1 << 16)
  private view = new DataView(this.buffer.buffer)
  length = 0

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return
    let size = this.buffer.length
    while (size < this.length + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buffer.subarray(0, this.length))
    this.buffer = next
    this.view = new DataView(next.buffer)
  }

  u32(v: number): void {
    this.reserve(4)
    this.view.setUint32(this.length, v, true)
    this.length += 4
  }
  i32(v: number): void {
    this.reserve(4)
    this.view.setInt32(this.length, v, true)
    this.length += 4
  }
  f32(v: number): void {
    this.reserve(4)
    this.view.setFloat32(this.length, v, true)
    this.length += 4
  }
  u64(v: number): void {
    this.reserve(8)
    this.view.setBigUint64(this.length, BigInt(v), true)
    this.length += 8
  }
  u8(v: number): void {
    this.reserve(1)
    this.buffer[this.length++] = v
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length)
    this.buffer.set(b, this.length)
    this.length += b.length
  }
  string(s: string): void {
    const b = new TextEncoder().encode(s)
    this.u64(b.length)
    this.bytes(b)
  }
  pad(alignment: number): void {
    while (this.length % alignment !== 0) this.u8(0)
  }
  result(): Uint8Array {
    return this.buffer.slice(0, this.length)
  }
}

function writeValue(out: ByteSink, value: GgufValue): void {
  switch (value.type) {
    case 'u32':
      return (out.u32(ValueType.UINT32), out.u32(value.value))
    case 'i32':
      return (out.u32(ValueType.INT32), out.i32(value.value))
    case 'f32':
      return (out.u32(ValueType.FLOAT32), out.f32(value.value))
    case 'bool':
      return (out.u32(ValueType.BOOL), out.u8(value.value ? 1 : 0))
    case 'string':
      return (out.u32(ValueType.STRING), out.string(value.value))
    case 'string[]':
      out.u32(ValueType.ARRAY), out.u32(ValueType.STRING), out.u64(value.value.length)
      for (const s of value.value) out.string(s)
      return
    case 'f32[]':
      out.u32(ValueType.ARRAY), out.u32(ValueType.FLOAT32), out.u64(value.value.length)
      for (let i = 0; i < value.value.length; i++) out.f32(value.value[i]!)
      return
    case 'i32[]':
      out.u32(ValueType.ARRAY), out.u32(ValueType.INT32), out.u64(value.value.length)
      for (let i = 0; i < value.value.length; i++) out.i32(value.value[i]!)
      return
  }
}

/**
 * Serializes a GGUF file. Throws `ModelSpecError` when a tensor's data does not fill its dims.
 *
 * @example
 * const bytes = writeGguf({ 'general.architecture': { type: 'string', value: 'llama' } }, [{ name: 'w', dims: [2], data: new Float32Array(2) }])
 */
export function writeGguf(metadata: Record<string, GgufValue>, tensors: readonly GgufTensor[]): Uint8Array {
  const out = new ByteSink()
  out.u32(GGUF_MAGIC)
  out.u32(GGUF_VERSION)
  out.u64(tensors.length)
  out.u64(Object.keys(metadata).length)
  for (const [key, value] of Object.entries(metadata)) {
    out.string(key)
    writeValue(out, value)
  }
  let offset = 0
  const offsets: number[] = []
  for (const t of tensors) {
    const elements = t.dims.reduce((a, b) => a * b, 1)
    if (elements !== t.data.length) throw new ModelSpecError(`tensor ${t.name} has ${t.data.length} values for dims [${t.dims}]`, { tensor: t.name })
    out.string(t.name)
    out.u32(t.dims.length)
    for (const d of t.dims) out.u64(d)
    out.u32(GGML_TYPE_F32)
    out.u64(offset)
    offsets.push(offset)
    offset += Math.ceil((elements * 4) / GGUF_ALIGNMENT) * GGUF_ALIGNMENT
  }
  out.pad(GGUF_ALIGNMENT)
  const dataStart = out.length
  tensors.forEach((t, i) => {
    while (out.length < dataStart + offsets[i]!) out.u8(0)
    out.bytes(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))
  })
  out.pad(GGUF_ALIGNMENT)
  return out.result()
}

/** Whether bytes start like a GGUF file (the hub and the node tell LLMs from ONNX models by this). */
export function isGguf(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0x47 && bytes[1] === 0x47 && bytes[2] === 0x55 && bytes[3] === 0x46
}
