/**
 * Small ONNX graphs for edge cases of the inference node (element types, NaN, huge outputs), built
 * with onnx-proto, plus the TensorSpecs they declare. The demo MLP, string model and Silero VAD come
 * from `src/models/`.
 */
import onnxProto from 'onnx-proto'
import type { TensorElementType, TensorSpec } from '../../src/hub/types.js'

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
  nodes: { op: string; inputs: string[]; outputs: string[]; attrs?: Record<string, number[]> }[]
  initializers?: { name: string; type: 'int64' | 'float32'; dims: number[]; values: number[] }[]
}

/** Serializes a graph to ONNX bytes (opset 17, IR 8). */
export function buildGraph(graph: Graph): Uint8Array {
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
          attribute: Object.entries(n.attrs ?? {}).map(([name, ints]) => ({ name, ints, type: onnx.AttributeProto.AttributeType.INTS })),
        }),
      ),
      initializer: (graph.initializers ?? []).map((t) =>
        onnx.TensorProto.create({
          name: t.name,
          dims: t.dims,
          dataType: t.type === 'int64' ? T.INT64 : T.FLOAT,
          ...(t.type === 'int64' ? { int64Data: t.values } : { floatData: t.values }),
        }),
      ),
    },
  })
  return onnx.ModelProto.encode(model).finish()
}

/** One Identity per element type: `<type>_in` [-1] → `<type>_out` [-1]. */
export function identityModel(types: TensorElementType[]): { bytes: Uint8Array; inputs: TensorSpec[]; outputs: TensorSpec[] } {
  const inputs = types.map((type) => ({ name: `${type}_in`, type, shape: [-1] }))
  const outputs = types.map((type) => ({ name: `${type}_out`, type, shape: [-1] }))
  const nodes = types.map((type) => ({ op: 'Identity', inputs: [`${type}_in`], outputs: [`${type}_out`] }))
  return { bytes: buildGraph({ inputs, outputs, nodes }), inputs, outputs }
}

/** y = sqrt(x): negative inputs give NaN. */
export function sqrtModel() {
  const inputs: TensorSpec[] = [{ name: 'x', type: 'float32', shape: [-1] }]
  const outputs: TensorSpec[] = [{ name: 'y', type: 'float32', shape: [-1] }]
  return { bytes: buildGraph({ inputs, outputs, nodes: [{ op: 'Sqrt', inputs: ['x'], outputs: ['y'] }] }), inputs, outputs }
}

/** y = x expanded to `[count]` (a scalar-ish [1] input broadcast to `count` elements). */
export function expandModel(count: number) {
  const inputs: TensorSpec[] = [{ name: 'x', type: 'float32', shape: [1] }]
  const outputs: TensorSpec[] = [{ name: 'y', type: 'float32', shape: [count] }]
  const bytes = buildGraph({
    inputs,
    outputs,
    nodes: [{ op: 'Expand', inputs: ['x', 'shape'], outputs: ['y'] }],
    initializers: [{ name: 'shape', type: 'int64', dims: [1], values: [count] }],
  })
  return { bytes, inputs, outputs }
}
