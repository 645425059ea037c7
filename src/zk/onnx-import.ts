/**
 * Reads the part of an ONNX graph that ZK mode can turn into a circuit: a chain of dense layers.
 *
 * Supported: `Gemm` (transA 0, any transB, alpha/beta folded into the weights), `MatMul` by a 2-D
 * initializer, an `Add` of a constant bias right after either, `Relu`, `Sigmoid` or `Tanh` after a
 * dense layer (the last two by a piecewise-linear approximation, `activations.ts`), and the
 * shape-only ops `Flatten`, `Reshape`, `Identity`, `Dropout` (inference: identity), which move no
 * value on a batch of one. Everything else is refused here, with the operator and node named, so
 * a model fails at registration for ZK mode and never at inference time.
 *
 * The result is still float: quantization is a separate step (`quantize.ts`).
 */
import onnxProto from 'onnx-proto'
import { attrInt, tensorDims, toNumber, valueInfoDims, type Graph, type Node, type TensorProto } from '../hub/onnx-graph.js'
import type { Activation } from './activations.js'
import { ZkModelError } from './errors.js'

const { onnx } = onnxProto

/** The operators a ZK circuit can be built from (shown in every refusal). */
export const ZK_SUPPORTED_OPS = ['Gemm', 'MatMul', 'Add', 'Relu', 'Sigmoid', 'Tanh', 'Flatten', 'Reshape', 'Identity', 'Dropout'] as const

const ACTIVATIONS: Record<string, Activation> = { Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh' }

/** y = activation(W · x + b) for one example; `weights` is row-major [outSize][inSize]. */
export interface FloatDenseLayer {
  inSize: number
  outSize: number
  weights: Float64Array
  bias: Float64Array
  activation: Activation
  /** The ONNX nodes this layer was fused from, for messages. */
  nodes: string[]
}

export interface FloatNetwork {
  input: { name: string; shape: number[]; size: number }
  output: { name: string; shape: number[]; size: number }
  layers: FloatDenseLayer[]
}

const PASS_THROUGH = new Set(['Flatten', 'Reshape', 'Identity', 'Dropout'])

/**
 * The dense layers of an ONNX model, in order.
 *
 * @throws ZkModelError `ZK_UNSUPPORTED_OP` or `ZK_UNSUPPORTED_GRAPH`
 * @example
 * const net = importOnnxNetwork(buildDemoModel()) // 2 layers: 16→32 relu, 32→4
 */
export function importOnnxNetwork(bytes: Uint8Array): FloatNetwork {
  let graph: Graph
  try {
    graph = onnx.ModelProto.decode(bytes).graph ?? {}
  } catch (cause) {
    throw new ZkModelError('ZK_UNSUPPORTED_GRAPH', `not an ONNX model (${(cause as Error).message})`)
  }
  const initializers = new Map<string, TensorProto>()
  for (const t of graph.initializer ?? []) initializers.set(t.name ?? '', t)
  const inputs = (graph.input ?? []).filter((i) => !initializers.has(i.name ?? ''))
  const outputs = graph.output ?? []
  if (inputs.length !== 1 || outputs.length !== 1) {
    throw new ZkModelError('ZK_UNSUPPORTED_GRAPH', `ZK mode takes models with one input and one output (this one has ${inputs.length} and ${outputs.length})`)
  }
  const input = tensorInfo(inputs[0]!, 'input')
  const output = tensorInfo(outputs[0]!, 'output')

  const layers: FloatDenseLayer[] = []
  let current = input.name
  let size = input.size
  /** The layer whose output is `current`, while only shape ops followed it (a bias or Relu may still fuse into it). */
  let open: FloatDenseLayer | undefined
  for (const node of graph.node ?? []) {
    const op = node.opType ?? ''
    const name = node.name || op
    const [first, ...rest] = node.input ?? []
    const where = `${op} (node ${name})`
    if (node.domain && node.domain !== 'ai.onnx') unsupported(node, `operator ${node.domain}.${op}`)
    if (op === 'Constant') unsupported(node, 'a Constant node (give weights as initializers)')
    if (first !== current) {
      throw new ZkModelError('ZK_UNSUPPORTED_GRAPH', `${where} does not read the previous layer's output "${current}": ZK mode takes a chain of layers`, { node: name })
    }
    if ((node.output ?? []).length !== 1 && op !== 'Dropout') {
      throw new ZkModelError('ZK_UNSUPPORTED_GRAPH', `${where} has ${(node.output ?? []).length} outputs`, { node: name })
    }
    switch (op) {
      case 'Gemm':
      case 'MatMul': {
        open = denseLayer(node, op, size, rest, initializers)
        layers.push(open)
        size = open.outSize
        break
      }
      case 'Add': {
        if (!open || open.activation !== 'none') {
          throw new ZkModelError('ZK_UNSUPPORTED_GRAPH', `${where}: an Add must add a constant bias right after Gemm/MatMul`, { node: name })
        }
        const bias = floatValues(constant(node, rest[0], initializers), where)
        addBias(open, bias, where)
        open.nodes.push(name)
        break
      }
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh': {
        if (!open || open.activation !== 'none') {
          throw new ZkModelError('ZK_UNSUPPORTED_GRAPH', `${where}: a ${op} must follow a Gemm/MatMul layer`, { node: name })
        }
        open.activation = ACTIVATIONS[op]!
        open.nodes.push(name)
        break
      }
      default:
        if (!PASS_THROUGH.has(op)) unsupported(node, `operator ${op}`)
        if (op === 'Dropout' && (node.input ?? []).length > 2) unsupported(node, 'Dropout with training_mode')
    }
    current = node.output![0]!
  }
  if (current !== output.name) {
    throw new ZkModelError('ZK_UNSUPPORTED_GRAPH', `the graph output "${output.name}" is not the end of the layer chain ("${current}")`)
  }
  if (layers.length === 0) throw new ZkModelError('ZK_UNSUPPORTED_GRAPH', 'the model has no Gemm/MatMul layer to prove')
  if (size !== output.size) {
    throw new ZkModelError('ZK_UNSUPPORTED_GRAPH', `the last layer has ${size} outputs, the graph output "${output.name}" holds ${output.size}`)
  }
  return { input, output, layers }
}

function unsupported(node: Node, what: string): never {
  throw new ZkModelError(
    'ZK_UNSUPPORTED_OP',
    `${what} (node ${node.name || node.opType}) is not supported in ZK mode; supported: ${ZK_SUPPORTED_OPS.join(', ')}`,
    { op: node.opType, node: node.name },
  )
}

/** A graph input/output of static size with a batch of one: a leading dynamic dim counts as 1. */
function tensorInfo(info: onnxProto.onnx.IValueInfoProto, what: string): { name: string; shape: number[]; size: number } {
  const name = info.name ?? ''
  const elemType = info.type?.tensorType?.elemType
  if (elemType !== onnx.TensorProto.DataType.FLOAT) {
    throw new ZkModelError('ZK_UNSUPPORTED_GRAPH', `the ${what} "${name}" must be float32 for ZK mode`, { tensor: name })
  }
  const dims = valueInfoDims(info)
  if (!dims || dims.length === 0) throw new ZkModelError('ZK_UNSUPPORTED_GRAPH', `the ${what} "${name}" needs a static shape`, { tensor: name })
  const shape = dims.map((d, i) => (d < 0 && i === 0 ? 1 : d))
  if (shape.some((d) => d < 0)) throw new ZkModelError('ZK_UNSUPPORTED_GRAPH', `the ${what} "${name}" has a dynamic dim other than the batch`, { tensor: name })
  if (shape.length > 1 && shape[0] !== 1) throw new ZkModelError('ZK_UNSUPPORTED_GRAPH', `the ${what} "${name}" must have a batch of one`, { tensor: name })
  return { name, shape, size: shape.reduce((a, b) => a * b, 1) }
}

function denseLayer(node: Node, op: string, inSize: number, rest: string[], initializers: Map<string, TensorProto>): FloatDenseLayer {
  const where = `${op} (node ${node.name || op})`
  const wTensor = constant(node, rest[0], initializers)
  const dims = tensorDims(wTensor)
  const values = floatValues(wTensor, where)
  if (dims.length !== 2) throw new ZkModelError('ZK_UNSUPPORTED_OP', `${where}: the weight must be a 2-D initializer, not [${dims}]`, { node: node.name })
  let alpha = 1
  let beta = 1
  let transB = 0
  if (op === 'Gemm') {
    if (attrInt(node, 'transA', 0) !== 0) unsupported(node, 'Gemm with transA=1')
    transB = attrInt(node, 'transB', 0)
    alpha = attrFloat(node, 'alpha', 1)
    beta = attrFloat(node, 'beta', 1)
  }
  const [k, n] = transB ? [dims[1]!, dims[0]!] : [dims[0]!, dims[1]!]
  if (k !== inSize) {
    throw new ZkModelError('ZK_UNSUPPORTED_GRAPH', `${where}: the weight takes ${k} inputs, the previous layer gives ${inSize}`, { node: node.name })
  }
  // Row-major [out][in], each weight as float64 (exact for float32) times alpha: alpha·(A·B) = A·(alpha·B).
  const weights = new Float64Array(n * k)
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < k; i++) weights[j * k + i] = alpha * values[transB ? j * k + i : i * n + j]!
  }
  const layer: FloatDenseLayer = { inSize: k, outSize: n, weights, bias: new Float64Array(n), activation: 'none', nodes: [node.name || op] }
  if (op === 'Gemm' && rest[1]) addBias(layer, floatValues(constant(node, rest[1], initializers), where).map((v) => beta * v), where)
  if (op === 'MatMul' && rest.length !== 1) unsupported(node, 'MatMul with extra inputs')
  return layer
}

/** Adds a bias that broadcasts to [outSize] (a scalar, [n] or [1, n]). */
function addBias(layer: FloatDenseLayer, bias: Float64Array, where: string): void {
  if (bias.length !== 1 && bias.length !== layer.outSize) {
    throw new ZkModelError('ZK_UNSUPPORTED_GRAPH', `${where}: a bias of ${bias.length} values does not fit ${layer.outSize} outputs`)
  }
  for (let j = 0; j < layer.outSize; j++) layer.bias[j]! += bias.length === 1 ? bias[0]! : bias[j]!
}

function constant(node: Node, name: string | undefined, initializers: Map<string, TensorProto>): TensorProto {
  const tensor = name === undefined ? undefined : initializers.get(name)
  if (!tensor) {
    throw new ZkModelError('ZK_UNSUPPORTED_GRAPH', `${node.opType} (node ${node.name || node.opType}): "${name}" must be an initializer (a constant)`, {
      node: node.name,
    })
  }
  return tensor
}

/** The values of a float32 or float64 initializer (from its typed field or raw little-endian data). */
function floatValues(tensor: TensorProto, where: string): Float64Array {
  const D = onnx.TensorProto.DataType
  const count = tensorDims(tensor).reduce((a, b) => a * b, 1)
  let values: Float64Array | undefined
  if (tensor.dataType === D.FLOAT) {
    if (tensor.floatData?.length) values = Float64Array.from(tensor.floatData, (v) => Math.fround(v))
    else if (tensor.rawData?.length) values = Float64Array.from(new Float32Array(copy(tensor.rawData, 4)))
  } else if (tensor.dataType === D.DOUBLE) {
    if (tensor.doubleData?.length) values = Float64Array.from(tensor.doubleData)
    else if (tensor.rawData?.length) values = new Float64Array(copy(tensor.rawData, 8))
  } else {
    throw new ZkModelError('ZK_UNSUPPORTED_OP', `${where}: initializer "${tensor.name}" is not float (ONNX type ${tensor.dataType})`)
  }
  if (!values || values.length !== count) {
    throw new ZkModelError('ZK_UNSUPPORTED_GRAPH', `${where}: initializer "${tensor.name}" holds ${values?.length ?? 0} values for ${count} elements (external data is not supported)`)
  }
  if (values.some((v) => !Number.isFinite(v))) throw new ZkModelError('ZK_VALUE_RANGE', `${where}: initializer "${tensor.name}" holds a non-finite value`)
  return values
}

/** Raw tensor bytes as an aligned little-endian buffer (protobufjs may hand out unaligned views). */
function copy(raw: Uint8Array, width: number): ArrayBuffer {
  if (raw.length % width !== 0) return new ArrayBuffer(0)
  const out = new Uint8Array(raw.length)
  out.set(raw)
  return out.buffer
}

function attrFloat(node: Node, name: string, fallback: number): number {
  const a = node.attribute?.find((x) => x.name === name)
  return a?.f !== undefined && a.f !== null && Object.hasOwn(a, 'f') ? Math.fround(toNumber(a.f)) : fallback
}
