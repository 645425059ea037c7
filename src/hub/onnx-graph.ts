/**
 * Small readers over decoded `onnx.ModelProto` parts (protobufjs gives int64 fields as `Long`,
 * oneofs as a discriminator, attributes as a list): one place that knows those quirks.
 */
import type onnxProto from 'onnx-proto'

export type Graph = onnxProto.onnx.IGraphProto
export type Node = onnxProto.onnx.INodeProto
export type ValueInfo = onnxProto.onnx.IValueInfoProto
export type TensorProto = onnxProto.onnx.ITensorProto

/** An int64 field as a JS number (protobufjs decodes int64 as `Long`). */
export function toNumber(value: number | { toString(): string } | null | undefined): number {
  if (value === null || value === undefined) return 0
  return typeof value === 'number' ? value : Number(value.toString())
}

/**
 * A tensor value's dims: the static size, or -1 for a symbolic (`dim_param`) or absent one; undefined
 * when the shape itself is unknown (no `shape` at all, which differs from a scalar's empty shape).
 */
export function valueInfoDims(info: ValueInfo): number[] | undefined {
  const shape = info.type?.tensorType?.shape
  if (!shape) return undefined
  // Decoded messages carry a set field as an own property (the prototype holds the default 0), so
  // an own `dimValue` is a static dim and anything else (dim_param, or neither) is dynamic.
  return (shape.dim ?? []).map((d) => (Object.hasOwn(d, 'dimValue') && d.dimValue !== null && d.dimValue !== undefined ? Math.max(-1, toNumber(d.dimValue)) : -1))
}

/** Product of dims, counting an unknown (-1) dim as 1. */
export function sizeOf(dims: readonly number[]): number {
  return dims.reduce((acc, d) => acc * (d >= 0 ? d : 1), 1)
}

/** The tensor's dims (initializers and `Constant` values always have static dims). */
export function tensorDims(tensor: TensorProto): number[] {
  return (tensor.dims ?? []).map(toNumber)
}

/** The values of an int64 tensor (e.g. a `Reshape` target), from `int64_data` or `raw_data`. */
export function int64Values(tensor: TensorProto): number[] | undefined {
  if (tensor.dataType !== 7) return undefined // TensorProto.DataType.INT64
  if (tensor.int64Data?.length) return tensor.int64Data.map(toNumber)
  const raw = tensor.rawData
  if (!raw || raw.length % 8 !== 0) return undefined
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
  return Array.from({ length: raw.length / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)))
}

function attr(node: Node, name: string) {
  return node.attribute?.find((a) => a.name === name)
}

/** An INT attribute, or `fallback`. */
export function attrInt(node: Node, name: string, fallback: number): number {
  const a = attr(node, name)
  return a?.i !== undefined && a.i !== null ? toNumber(a.i) : fallback
}

/** An INTS attribute, or undefined. */
export function attrInts(node: Node, name: string): number[] | undefined {
  const a = attr(node, name)
  return a?.ints?.length ? a.ints.map(toNumber) : undefined
}

/** A STRING attribute, or `fallback`. */
export function attrString(node: Node, name: string, fallback: string): string {
  const s = attr(node, name)?.s
  return s?.length ? new TextDecoder().decode(s) : fallback
}

/** The graphs a node carries (`If` branches, `Loop`/`Scan` bodies). */
export function subgraphs(node: Node): Graph[] {
  return (node.attribute ?? []).flatMap((a) => [...(a.g ? [a.g] : []), ...(a.graphs ?? [])])
}
