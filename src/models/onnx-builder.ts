/**
 * Writes ONNX models in code (onnx-proto's protobuf classes), so tests and the devnet never download
 * weights. Covers what our models need: float/int64 initializers, nodes with attributes, typed graph
 * inputs/outputs with static or symbolic dims, and opset imports.
 */
import onnxProto from 'onnx-proto'

const { onnx } = onnxProto
export { onnx }

export type ElementType = 'float32' | 'int64' | 'int32' | 'string' | 'bool'

const DATA_TYPES: Record<ElementType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  string: onnx.TensorProto.DataType.STRING,
  bool: onnx.TensorProto.DataType.BOOL,
}

/** A dim is a size, or a name for a dynamic one. */
export type Dim = number | string

export interface TensorValue {
  name: string
  type: ElementType
  shape: Dim[]
}

export type AttributeValue = number | string | number[] | { floats: number[] } | { int: number } | { float: number }

export interface NodeSpec {
  op: string
  inputs: string[]
  outputs: string[]
  attributes?: Record<string, AttributeValue>
  domain?: string
}

export interface ModelSpec {
  name: string
  inputs: TensorValue[]
  outputs: TensorValue[]
  nodes: NodeSpec[]
  initializers?: Array<{ name: string; dims: number[]; float32?: number[]; int64?: number[] }>
  /** Default-domain opset (17 unless given) and others, e.g. { 'ai.onnx.ml': 3 }. */
  opset?: number
  extraOpsets?: Record<string, number>
}

function valueInfo(t: TensorValue) {
  return onnx.ValueInfoProto.create({
    name: t.name,
    type: {
      tensorType: {
        elemType: DATA_TYPES[t.type],
        shape: { dim: t.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  })
}

function attribute(name: string, value: AttributeValue) {
  const A = onnx.AttributeProto.AttributeType
  if (typeof value === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(value) }
  if (typeof value === 'number') return Number.isInteger(value) ? { name, type: A.INT, i: value } : { name, type: A.FLOAT, f: value }
  if (Array.isArray(value)) return { name, type: A.INTS, ints: value }
  if ('floats' in value) return { name, type: A.FLOATS, floats: value.floats }
  if ('int' in value) return { name, type: A.INT, i: value.int }
  return { name, type: A.FLOAT, f: value.float }
}

/** Serialises a model to ONNX bytes. */
export function buildModel(spec: ModelSpec): Uint8Array {
  const opsetImport = [{ domain: '', version: spec.opset ?? 17 }, ...Object.entries(spec.extraOpsets ?? {}).map(([domain, version]) => ({ domain, version }))]
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'inferchain',
    opsetImport,
    graph: {
      name: spec.name,
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
      node: spec.nodes.map((n, i) => ({
        name: `${n.op.toLowerCase()}_${i}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer: (spec.initializers ?? []).map((init) =>
        init.float32
          ? { name: init.name, dims: init.dims, dataType: DATA_TYPES.float32, floatData: init.float32 }
          : { name: init.name, dims: init.dims, dataType: DATA_TYPES.int64, int64Data: init.int64 ?? [] },
      ),
    },
  })
  return onnx.ModelProto.encode(model).finish()
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), for reproducible weights. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
