/** What the hub learns from an ONNX file: inputs, outputs, operators, opset and work (MACs). */
import onnxProto from 'onnx-proto'
import { computeCid } from './cid.js'
import { InvalidModelError } from './errors.js'
import type { ModelMetadata, TensorElementType, TensorSpec } from './types.js'

const { onnx } = onnxProto
const D = onnx.TensorProto.DataType

const ELEMENT_TYPES: Partial<Record<number, TensorElementType>> = {
  [D.FLOAT]: 'float32',
  [D.DOUBLE]: 'float64',
  [D.INT64]: 'int64',
  [D.INT32]: 'int32',
  [D.INT8]: 'int8',
  [D.UINT8]: 'uint8',
  [D.BOOL]: 'bool',
  [D.STRING]: 'string',
}

type Graph = onnxProto.onnx.IGraphProto
type ValueInfo = onnxProto.onnx.IValueInfoProto

function tensorSpec(info: ValueInfo): TensorSpec {
  const tensorType = info.type?.tensorType
  const type = ELEMENT_TYPES[tensorType?.elemType ?? -1]
  const name = info.name ?? ''
  if (!tensorType || !type) throw new InvalidModelError(`tensor ${name} has an unsupported type`)
  const shape = (tensorType.shape?.dim ?? []).map((d) => (d.dimValue !== undefined && d.dimValue !== null && Number(d.dimValue) > 0 ? Number(d.dimValue) : -1))
  return { name, type, shape }
}

const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1)

/**
 * Multiply-accumulates of the ops we can count from static weight shapes (Gemm/MatMul exactly, Conv
 * per output position), never less than the parameter count; subgraphs (If/Loop) and Constant
 * nodes included.
 */
function estimateWork(graph: Graph): number {
  const dims = new Map<string, number[]>()
  let macs = 0
  let params = 0
  const visit = (g: Graph) => {
    for (const t of g.initializer ?? []) {
      const shape = (t.dims ?? []).map(Number)
      dims.set(t.name ?? '', shape)
      params += product(shape)
    }
    for (const node of g.node ?? []) {
      for (const attr of node.attribute ?? []) {
        if (node.opType === 'Constant' && attr.t) {
          const shape = (attr.t.dims ?? []).map(Number)
          dims.set(node.output?.[0] ?? '', shape)
          params += product(shape)
        }
        if (attr.g) visit(attr.g as Graph)
        for (const sub of attr.graphs ?? []) visit(sub as Graph)
      }
      const weight = dims.get(node.input?.[1] ?? '')
      if (!weight) continue
      if ((node.opType === 'Gemm' || node.opType === 'MatMul') && weight.length === 2) macs += weight[0]! * weight[1]!
      if (node.opType === 'Conv') macs += product(weight)
    }
  }
  visit(graph)
  return Math.max(macs, params)
}

export function readModelMetadata(bytes: Uint8Array, human: { name?: string; description?: string } = {}): ModelMetadata {
  let model
  try {
    model = onnx.ModelProto.decode(bytes)
  } catch (cause) {
    throw new InvalidModelError('not an ONNX model (protobuf decoding failed)', cause)
  }
  const graph = model.graph
  if (!graph || !graph.node?.length || !graph.output?.length) throw new InvalidModelError('ONNX model has no graph, nodes or outputs')
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name))
  const defaultOpset = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')
  return {
    cid: computeCid(bytes),
    size: bytes.length,
    ...(human.name ? { name: human.name } : {}),
    ...(human.description ? { description: human.description } : {}),
    inputs: (graph.input ?? []).filter((i) => !initializers.has(i.name)).map(tensorSpec),
    outputs: graph.output.map(tensorSpec),
    opsetVersion: Number(defaultOpset?.version ?? 0),
    operators: [...new Set(graph.node.map((n) => n.opType ?? ''))].sort(),
    workUnits: estimateWork(graph),
  }
}
