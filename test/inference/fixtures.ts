/**
 * Small ONNX graphs for edge cases of the inference node. `src/models`' builder covers the common
 * element types; the identity model needs all eight the chain carries (float64, int8, uint8 too), so
 * it is written here with onnx-proto directly.
 */
import onnxProto from 'onnx-proto'
import type { TensorElementType, TensorSpec } from '../../src/hub/types.js'
import { buildModel } from '../../src/models/index.js'

const { onnx } = onnxProto
const T = onnx.TensorProto.DataType

const ELEM: Record<TensorElementType, number> = {
  float32: T.FLOAT,
  float64: T.DOUBLE,
  int64: T.INT64,
  int32: T.INT32,
  int8: T.INT8,
  uint8: T.UINT8,
  bool: T.BOOL,
  string: T.STRING,
}

function valueInfo(spec: TensorSpec) {
  return onnx.ValueInfoProto.create({
    name: spec.name,
    type: {
      tensorType: {
        elemType: ELEM[spec.type],
        shape: { dim: spec.shape.map((d, i) => (d === -1 ? { dimParam: `${spec.name}_d${i}` } : { dimValue: d })) },
      },
    },
  })
}

interface Graph {
  inputs: TensorSpec[]
  outputs: TensorSpec[]
  nodes: { op: string; inputs: string[]; outputs: string[] }[]
}

/** Serializes a graph to ONNX bytes (opset 17, IR 8). */
function buildGraph(graph: Graph): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'inferchain-test',
    graph: {
      name: 'g',
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
      node: graph.nodes.map((n, i) =>
        onnx.NodeProto.create({
          name: `n${i}`,
          opType: n.op,
          input: n.inputs,
          output: n.outputs,
        }),
      ),
    },
  })
  return onnx.ModelProto.encode(model).finish()
}

/** One Identity per element type: `<type>_in` [-1] → `<type>_out` [-1]. */
export function identityModel(types: TensorElementType[]): Uint8Array {
  const inputs = types.map((type) => ({ name: `${type}_in`, type, shape: [-1] }))
  const outputs = types.map((type) => ({ name: `${type}_out`, type, shape: [-1] }))
  const nodes = types.map((type) => ({ op: 'Identity', inputs: [`${type}_in`], outputs: [`${type}_out`] }))
  return buildGraph({ inputs, outputs, nodes })
}

/** y = sqrt(x): negative inputs give NaN. */
export function sqrtModel(): Uint8Array {
  return buildModel({
    name: 'sqrt',
    inputs: [{ name: 'x', type: 'float32', shape: ['n'] }],
    outputs: [{ name: 'y', type: 'float32', shape: ['n'] }],
    nodes: [{ op: 'Sqrt', inputs: ['x'], outputs: ['y'] }],
  })
}
