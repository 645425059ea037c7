/** What the hub learns from an ONNX file: inputs, outputs, operators, opset and work (MACs). */
import onnxProto from 'onnx-proto'
import { errorMessage } from '../errors.js'
import { computeCid } from './cid.js'
import { elementTypeOf, onnxDataTypeName } from './element-types.js'
import { InvalidModelError } from './errors.js'
import { subgraphs, toNumber, valueInfoDims, type Graph, type ValueInfo } from './onnx-graph.js'
import type { ModelMetadata, TensorSpec } from './types.js'
import { estimateWorkUnits } from './work-units.js'
import { readGgufMetadata } from '../llm/gguf-metadata.js'
import { isGguf } from '../models/gguf-writer.js'

const { onnx } = onnxProto

/** Human fields the uploader gives; everything else is read from the bytes. */
export interface ModelDescription {
  name?: string
  description?: string
}

function tensorSpec(info: ValueInfo, role: 'input' | 'output'): TensorSpec {
  const name = info.name ?? ''
  const tensorType = info.type?.tensorType
  if (!tensorType) throw new InvalidModelError(`${role} "${name}" is not a tensor (sequences, maps and optionals are not supported)`)
  const type = elementTypeOf(tensorType.elemType)
  if (!type) throw new InvalidModelError(`${role} "${name}" has element type ${onnxDataTypeName(tensorType.elemType)}, which the chain does not support`)
  // A tensor without a declared shape is reported like a scalar, as onnxruntime does.
  return { name, type, shape: valueInfoDims(info) ?? [] }
}

/** Operator types of a graph and of its subgraphs (`If` branches, loop bodies), which run too. */
function operatorsOf(graph: Graph, into = new Set<string>()): Set<string> {
  for (const node of graph.node ?? []) {
    into.add(node.opType ?? '')
    for (const sub of subgraphs(node)) operatorsOf(sub, into)
  }
  return into
}

function decode(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  try {
    return onnx.ModelProto.decode(bytes)
  } catch (cause) {
    throw new InvalidModelError(`not an ONNX model (protobuf decoding failed: ${errorMessage(cause)})`, cause)
  }
}

/**
 * Reads a model's metadata from its bytes. Inputs exclude initializers (older exporters list weights
 * as graph inputs); dims are static sizes or -1 for dynamic ones; `operators` include those of
 * subgraphs; `workUnits` are MACs (see `estimateWorkUnits`).
 *
 * @throws InvalidModelError (`INVALID_MODEL`) if the bytes are not an ONNX model with a graph, or use
 *   tensor types the chain cannot carry.
 * @example
 * const metadata = readModelMetadata(buildDemoModel(), { name: 'demo' })
 * metadata.inputs // [{ name: 'input', type: 'float32', shape: [1, 16] }]
 */
export function readModelMetadata(bytes: Uint8Array, human: ModelDescription = {}): ModelMetadata {
  // LLMs are GGUF files (src/llm): stored and addressed like ONNX models, described from their header.
  if (isGguf(bytes)) return readGgufMetadata(bytes, human)
  const model = decode(bytes)
  const graph = model.graph
  if (!graph || !graph.node?.length || !graph.output?.length) throw new InvalidModelError('ONNX model has no graph, nodes or outputs')
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name))
  const defaultOpsets = (model.opsetImport ?? []).filter((o) => !o.domain || o.domain === 'ai.onnx').map((o) => toNumber(o.version))
  return {
    cid: computeCid(bytes),
    size: bytes.length,
    ...(human.name ? { name: human.name } : {}),
    ...(human.description ? { description: human.description } : {}),
    inputs: (graph.input ?? []).filter((i) => !initializers.has(i.name)).map((i) => tensorSpec(i, 'input')),
    outputs: graph.output.map((o) => tensorSpec(o, 'output')),
    opsetVersion: Math.max(0, ...defaultOpsets),
    operators: [...operatorsOf(graph)].sort(),
    workUnits: estimateWorkUnits(graph),
  }
}
