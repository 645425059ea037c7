/**
 * Writes ONNX models in code (onnx-proto's protobuf classes), so tests and the devnet never download
 * weights. Covers what our models need: float32/int64 initializers, nodes with typed attributes,
 * graph inputs/outputs with static or symbolic dims, and opset imports (default domain 17, plus
 * `ai.onnx.ml` as soon as a node uses it).
 */
import onnxProto from 'onnx-proto'
import { ONNX_DATA_TYPES } from '../hub/element-types.js'
import type { TensorElementType } from '../hub/types.js'
import { ModelSpecError } from './errors.js'

const { onnx } = onnxProto
export { onnx }

/** Element types a graph input/output may have (onnxruntime's names). */
export type ElementType = TensorElementType

/** Default-domain opset written unless a spec asks for another. */
export const DEFAULT_OPSET = 17
/** Opset of the `ai.onnx.ml` domain, imported when a node uses that domain. */
export const ML_OPSET = 3
/** The IR version that goes with opset 17 (ONNX 1.12). */
const IR_VERSION = 8
const ML_DOMAIN = 'ai.onnx.ml'

/** A dim is a static size, or a name (dim_param) for a dynamic one. */
export type Dim = number | string

export interface TensorValue {
  name: string
  type: ElementType
  shape: Dim[]
}

/**
 * An attribute value. Plain forms: a string, an integer (INT), a non-integer number (FLOAT), an
 * array of integers (INTS). Explicit forms for the ambiguous cases: `{ float: 1 }` is FLOAT 1.0,
 * `{ int }`, `{ floats }`, `{ ints }`, `{ strings }`.
 */
export type AttributeValue =
  | number
  | string
  | number[]
  | { float: number }
  | { int: number }
  | { floats: number[] }
  | { ints: number[] }
  | { strings: string[] }

export interface NodeSpec {
  op: string
  inputs: string[]
  outputs: string[]
  attributes?: Record<string, AttributeValue>
  /** Operator domain: '' (default ONNX) or e.g. 'ai.onnx.ml'. */
  domain?: string
  /** Node name; `<op>_<index>` unless given. */
  name?: string
}

/** A constant tensor stored in the graph (weights, biases, shapes). Data is row-major. */
export type InitializerSpec =
  | { name: string; dims: number[]; float32: ArrayLike<number>; int64?: undefined }
  | { name: string; dims: number[]; int64: ArrayLike<number | bigint>; float32?: undefined }

export interface ModelSpec {
  name: string
  inputs: TensorValue[]
  outputs: TensorValue[]
  nodes: NodeSpec[]
  initializers?: InitializerSpec[]
  /** Default-domain opset (17 unless given). */
  opset?: number
  /** Other opsets, e.g. `{ 'ai.onnx.ml': 3 }`; `ai.onnx.ml` is added by itself when a node uses it. */
  extraOpsets?: Record<string, number>
}

const encoder = new TextEncoder()

function checkDims(what: string, dims: readonly Dim[]): void {
  for (const d of dims) {
    if (typeof d === 'number' && !(Number.isInteger(d) && d >= 0)) {
      throw new ModelSpecError(`${what} has an invalid dim ${d} (a static dim is an integer >= 0)`, { what, dims })
    }
    if (typeof d === 'string' && d.length === 0) throw new ModelSpecError(`${what} has an empty symbolic dim name`, { what })
  }
}

function valueInfo(t: TensorValue): onnxProto.onnx.ValueInfoProto {
  checkDims(`tensor ${t.name}`, t.shape)
  return onnx.ValueInfoProto.create({
    name: t.name,
    type: {
      tensorType: {
        elemType: ONNX_DATA_TYPES[t.type],
        shape: { dim: t.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  })
}

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType
  if (typeof value === 'string') return { name, type: A.STRING, s: encoder.encode(value) }
  if (typeof value === 'number') return Number.isInteger(value) ? { name, type: A.INT, i: value } : { name, type: A.FLOAT, f: value }
  if (Array.isArray(value)) return { name, type: A.INTS, ints: checkInts(name, value) }
  if ('float' in value) return { name, type: A.FLOAT, f: value.float }
  if ('int' in value) return { name, type: A.INT, i: checkInts(name, [value.int])[0] }
  if ('floats' in value) return { name, type: A.FLOATS, floats: value.floats }
  if ('ints' in value) return { name, type: A.INTS, ints: checkInts(name, value.ints) }
  if ('strings' in value) return { name, type: A.STRINGS, strings: value.strings.map((s) => encoder.encode(s)) }
  throw new ModelSpecError(`attribute ${name} has an unknown form`, { attribute: name })
}

function checkInts(name: string, values: number[]): number[] {
  const bad = values.find((v) => !Number.isSafeInteger(v))
  if (bad !== undefined) throw new ModelSpecError(`attribute ${name} holds ${bad}, not an integer`, { attribute: name })
  return values
}

function initializer(init: InitializerSpec): onnxProto.onnx.ITensorProto {
  checkDims(`initializer ${init.name}`, init.dims)
  const data = init.float32 ?? init.int64
  const expected = init.dims.reduce((a, b) => a * b, 1)
  if (!data || data.length !== expected) {
    throw new ModelSpecError(`initializer ${init.name} has ${data?.length ?? 0} values for dims [${init.dims.join(',')}] (${expected})`, {
      initializer: init.name,
    })
  }
  if (init.float32) return { name: init.name, dims: init.dims, dataType: ONNX_DATA_TYPES.float32, floatData: Array.from(init.float32) }
  // protobufjs takes int64 as a number or a decimal string (for values beyond 2^53).
  const int64Data = Array.from(init.int64, (v) => (typeof v === 'bigint' ? v.toString() : v)) as unknown as number[]
  return { name: init.name, dims: init.dims, dataType: ONNX_DATA_TYPES.int64, int64Data }
}

function opsetImports(spec: ModelSpec): onnxProto.onnx.IOperatorSetIdProto[] {
  const extra = { ...spec.extraOpsets }
  if (spec.nodes.some((n) => n.domain === ML_DOMAIN) && extra[ML_DOMAIN] === undefined) extra[ML_DOMAIN] = ML_OPSET
  return [{ domain: '', version: spec.opset ?? DEFAULT_OPSET }, ...Object.entries(extra).map(([domain, version]) => ({ domain, version }))]
}

/**
 * The model as an `onnx.ModelProto` (to inspect or adjust before encoding).
 *
 * @example
 * const proto = createModelProto({ name: 'id', inputs: [x], outputs: [y], nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }] })
 */
export function createModelProto(spec: ModelSpec): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'inferchain',
    opsetImport: opsetImports(spec),
    graph: {
      name: spec.name,
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
      node: spec.nodes.map((n, i) => ({
        name: n.name ?? `${n.op.toLowerCase()}_${i}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer: (spec.initializers ?? []).map(initializer),
    },
  })
}

/** Serialises a `ModelProto` to the bytes of an `.onnx` file. */
export function encodeModel(model: onnxProto.onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish()
}

/**
 * Builds a model and returns its ONNX bytes (deterministic: the same spec gives the same bytes).
 *
 * @example
 * const bytes = buildModel({
 *   name: 'relu',
 *   inputs: [{ name: 'x', type: 'float32', shape: ['n'] }],
 *   outputs: [{ name: 'y', type: 'float32', shape: ['n'] }],
 *   nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
 * })
 */
export function buildModel(spec: ModelSpec): Uint8Array {
  return encodeModel(createModelProto(spec))
}
