/**
 * What the hub learns from a GGUF file (an LLM): architecture, name, context length and parameter
 * count, read from the header without loading the model. The hub stores GGUF files like ONNX
 * models (content ID), and registries price them by `workUnits` = parameters (≈ MACs per token).
 */
import { computeCid } from '../hub/cid.js'
import { InvalidModelError } from '../hub/errors.js'
import type { ModelDescription } from '../hub/metadata.js'
import type { ModelMetadata } from '../hub/types.js'

/** Byte sizes of GGUF scalar value types (gguf.h numbering); 8 = string, 9 = array. */
const SCALAR_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 }

class Reader {
  offset = 0
  private readonly view: DataView
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
  need(n: number): void {
    if (this.offset + n > this.bytes.length) throw new InvalidModelError('GGUF file is truncated')
  }
  u32(): number {
    this.need(4)
    return (this.offset += 4), this.view.getUint32(this.offset - 4, true)
  }
  u64(): number {
    this.need(8)
    const v = this.view.getBigUint64(this.offset, true)
    this.offset += 8
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidModelError('GGUF count out of range')
    return Number(v)
  }
  string(): string {
    const n = this.u64()
    this.need(n)
    return new TextDecoder().decode(this.bytes.subarray(this.offset, (this.offset += n)))
  }
  /** A value of `type`: strings and u32s are returned, everything else skipped. */
  value(type: number): string | number | undefined {
    if (type === 8) return this.string()
    if (type === 4) return this.u32()
    if (type === 9) {
      const elem = this.u32()
      const count = this.u64()
      for (let i = 0; i < count; i++) this.value(elem)
      return undefined
    }
    const size = SCALAR_SIZE[type]
    if (size === undefined) throw new InvalidModelError(`GGUF value type ${type} is unknown`)
    this.need(size)
    this.offset += size
    return undefined
  }
}

/**
 * @throws InvalidModelError when the bytes are not a GGUF v2/v3 file with a `general.architecture`.
 * @example
 * readGgufMetadata(buildTinyLlamaGguf()).operators // ['gguf:llama']
 */
export function readGgufMetadata(bytes: Uint8Array, human: ModelDescription = {}): ModelMetadata {
  const r = new Reader(bytes)
  if (r.u32() !== 0x46554747) throw new InvalidModelError('not a GGUF file')
  const version = r.u32()
  if (version !== 2 && version !== 3) throw new InvalidModelError(`GGUF version ${version} is not supported`)
  const tensors = r.u64()
  const kvs = r.u64()
  const kv = new Map<string, string | number | undefined>()
  for (let i = 0; i < kvs; i++) {
    const key = r.string()
    kv.set(key, r.value(r.u32()))
  }
  let parameters = 0
  for (let i = 0; i < tensors; i++) {
    r.string()
    const dims = r.u32()
    let elements = 1
    for (let d = 0; d < dims; d++) elements *= r.u64()
    r.u32() // ggml type
    r.u64() // offset
    parameters += elements
  }
  const arch = kv.get('general.architecture')
  if (typeof arch !== 'string') throw new InvalidModelError('GGUF file has no general.architecture')
  const name = human.name ?? (typeof kv.get('general.name') === 'string' ? (kv.get('general.name') as string) : undefined)
  return {
    cid: computeCid(bytes),
    size: bytes.length,
    ...(name ? { name } : {}),
    ...(human.description ? { description: human.description } : {}),
    inputs: [{ name: 'prompt', type: 'string', shape: [-1] }],
    outputs: [{ name: 'text', type: 'string', shape: [-1] }],
    opsetVersion: 0,
    operators: [`gguf:${arch}`],
    workUnits: parameters,
  }
}
