/**
 * A model's work in multiply-accumulates (MACs), which the precompile prices. Shapes are followed
 * through the graph where they are static (graph inputs, `value_info`, initializers, constants and
 * the common shape-preserving ops), so Gemm/MatMul/Conv are counted exactly: M·K·N, and
 * output positions × kernel size. An unknown dim (a dynamic batch) counts as 1. The result is never
 * less than the number of weight parameters, so a model whose shapes cannot be followed still pays
 * for its size. Deterministic: the same bytes always give the same number.
 */
import {
  attrInt,
  attrInts,
  attrString,
  int64Values,
  sizeOf,
  subgraphs,
  tensorDims,
  valueInfoDims,
  type Graph,
  type Node,
} from './onnx-graph.js'

/** Known facts about a graph's tensors, inherited by subgraphs (which may read outer names). */
class Scope {
  private readonly shapes = new Map<string, number[]>()
  private readonly values = new Map<string, number[]>()
  constructor(private readonly parent?: Scope) {}
  shape(name: string | undefined): number[] | undefined {
    if (!name) return undefined
    return this.shapes.get(name) ?? this.parent?.shape(name)
  }
  value(name: string | undefined): number[] | undefined {
    if (!name) return undefined
    return this.values.get(name) ?? this.parent?.value(name)
  }
  /** Records a shape; where one is already known (declared `value_info`), fills in its unknown dims. */
  setShape(name: string | undefined, dims: number[] | undefined): void {
    if (!name || !dims) return
    const known = this.shapes.get(name)
    if (!known) this.shapes.set(name, dims)
    else if (known.length === dims.length) this.shapes.set(name, known.map((d, i) => (d >= 0 ? d : dims[i]!)))
  }
  setValue(name: string | undefined, values: number[] | undefined): void {
    if (name && values) this.values.set(name, values)
  }
}

const SAME_SHAPE = new Set(
  'Relu LeakyRelu PRelu Sigmoid Tanh Elu Selu Celu HardSigmoid HardSwish Softplus Softsign Gelu Erf Exp Log Sqrt Neg Abs Sign Floor Ceil Round Reciprocal Not Clip Identity Dropout Cast Softmax LogSoftmax BatchNormalization LayerNormalization InstanceNormalization LpNormalization QuantizeLinear DequantizeLinear'.split(' '),
)
const BROADCAST = new Set('Add Sub Mul Div Pow Max Min Sum Mean Equal Less LessOrEqual Greater GreaterOrEqual And Or Xor Where'.split(' '))

/**
 * The MACs of a graph and its subgraphs, at least its parameter count.
 *
 * @example
 * estimateWorkUnits(onnx.ModelProto.decode(bytes).graph!) // 676 for the demo MLP
 */
export function estimateWorkUnits(graph: Graph): number {
  const { macs, params } = visit(graph, new Scope())
  return Math.max(macs, params)
}

function visit(graph: Graph, scope: Scope): { macs: number; params: number } {
  let macs = 0
  let params = 0
  for (const info of [...(graph.input ?? []), ...(graph.valueInfo ?? [])]) scope.setShape(info.name ?? '', valueInfoDims(info))
  for (const t of graph.initializer ?? []) {
    const dims = tensorDims(t)
    params += sizeOf(dims)
    scope.setShape(t.name ?? '', dims)
    scope.setValue(t.name ?? '', int64Values(t))
  }
  for (const node of graph.node ?? []) {
    const constant = node.opType === 'Constant' ? node.attribute?.find((a) => a.name === 'value')?.t : undefined
    if (constant) {
      params += sizeOf(tensorDims(constant))
      scope.setShape(node.output?.[0], tensorDims(constant))
      scope.setValue(node.output?.[0], int64Values(constant))
      continue
    }
    // Subgraphs: an If runs one branch (take the dearer), a loop body is counted once.
    const branches = subgraphs(node).map((g) => visit(g, new Scope(scope)))
    params += branches.reduce((acc, b) => acc + b.params, 0)
    macs += node.opType === 'If' ? Math.max(0, ...branches.map((b) => b.macs)) : branches.reduce((acc, b) => acc + b.macs, 0)
    const result = opWork(node, scope)
    macs += result.macs
    scope.setShape(node.output?.[0], result.shape)
  }
  return { macs, params }
}

type OpWork = { macs: number; shape?: number[] }

function opWork(node: Node, scope: Scope): OpWork {
  const inputs = node.input ?? []
  const first = scope.shape(inputs[0])
  switch (node.opType) {
    case 'Gemm':
      return gemm(node, first, scope.shape(inputs[1]))
    case 'MatMul':
      return matMul(first, scope.shape(inputs[1]))
    case 'Conv':
      return conv(node, first, scope.shape(inputs[1]))
    case 'MaxPool':
    case 'AveragePool':
    case 'LpPool':
      return { macs: 0, shape: pool(node, first) }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
      return { macs: 0, shape: first && first.length > 2 ? [first[0]!, first[1]!, ...first.slice(2).map(() => 1)] : undefined }
    case 'Flatten':
      return { macs: 0, shape: flatten(first, attrInt(node, 'axis', 1)) }
    case 'Reshape':
      return { macs: 0, shape: reshape(first, scope.value(inputs[1])) }
    case 'Transpose':
      return { macs: 0, shape: first && transpose(first, attrInts(node, 'perm')) }
  }
  if (SAME_SHAPE.has(node.opType ?? '')) return { macs: 0, shape: first }
  if (BROADCAST.has(node.opType ?? '')) return { macs: 0, shape: broadcast(inputs.map((name) => scope.shape(name))) }
  return { macs: 0 }
}

function gemm(node: Node, a: number[] | undefined, b: number[] | undefined): OpWork {
  if (!b || b.length !== 2) return { macs: 0 }
  const [k, n] = attrInt(node, 'transB', 0) ? [b[1]!, b[0]!] : [b[0]!, b[1]!]
  const m = a?.length === 2 ? (attrInt(node, 'transA', 0) ? a[1]! : a[0]!) : -1
  return { macs: sizeOf([m, k, n]), shape: [m, n] }
}

function matMul(a: number[] | undefined, b: number[] | undefined): OpWork {
  if (!a && !b) return { macs: 0 }
  const left = a ?? [-1, -1]
  const right = b ?? [-1, -1]
  const lhs = left.length === 1 ? [1, left[0]!] : left
  const rhs = right.length === 1 ? [right[0]!, 1] : right
  const batch = broadcast([lhs.slice(0, -2), rhs.slice(0, -2)]) ?? []
  const [m, k] = [lhs.at(-2)!, lhs.at(-1)!]
  const n = rhs.at(-1)!
  const inner = k >= 0 ? k : rhs.at(-2)!
  const shape = [...batch, ...(left.length === 1 ? [] : [m]), ...(right.length === 1 ? [] : [n])]
  return { macs: sizeOf([...batch, m, inner, n]), shape }
}

function conv(node: Node, x: number[] | undefined, w: number[] | undefined): OpWork {
  if (!w || w.length < 3) return { macs: 0 }
  const spatial = x && x.length === w.length ? outputSpatial(node, x.slice(2), attrInts(node, 'kernel_shape') ?? w.slice(2)) : undefined
  const batch = x?.[0] ?? -1
  const positions = spatial ? sizeOf([batch, ...spatial]) : 1
  return { macs: positions * sizeOf(w), shape: spatial && [batch, w[0]!, ...spatial] }
}

function pool(node: Node, x: number[] | undefined): number[] | undefined {
  const kernel = attrInts(node, 'kernel_shape')
  if (!x || !kernel || x.length !== kernel.length + 2) return undefined
  return [x[0]!, x[1]!, ...outputSpatial(node, x.slice(2), kernel)]
}

/** Output sizes of a sliding window (Conv, pooling), per ONNX's formulas; -1 where unknown. */
function outputSpatial(node: Node, input: number[], kernel: number[]): number[] {
  const rank = input.length
  const strides = attrInts(node, 'strides') ?? new Array<number>(rank).fill(1)
  const dilations = attrInts(node, 'dilations') ?? new Array<number>(rank).fill(1)
  const pads = attrInts(node, 'pads') ?? new Array<number>(2 * rank).fill(0)
  const autoPad = attrString(node, 'auto_pad', 'NOTSET')
  const round = attrInt(node, 'ceil_mode', 0) ? Math.ceil : Math.floor
  return input.map((size, i) => {
    if (size < 0) return -1
    const stride = strides[i] ?? 1
    const span = (dilations[i] ?? 1) * ((kernel[i] ?? 1) - 1) + 1
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(size / stride)
    const padded = autoPad === 'VALID' ? size : size + (pads[i] ?? 0) + (pads[i + rank] ?? 0)
    const out = round((padded - span) / stride) + 1
    return out > 0 ? out : -1
  })
}

function flatten(x: number[] | undefined, axis: number): number[] | undefined {
  if (!x) return undefined
  const at = axis < 0 ? axis + x.length : axis
  const part = (dims: number[]) => (dims.some((d) => d < 0) ? -1 : sizeOf(dims))
  return [part(x.slice(0, at)), part(x.slice(at))]
}

function reshape(x: number[] | undefined, target: number[] | undefined): number[] | undefined {
  if (!target) return undefined
  const dims = target.map((d, i) => (d === 0 ? (x?.[i] ?? -1) : d))
  const free = dims.indexOf(-1)
  if (free >= 0 && x && !x.some((d) => d < 0) && dims.filter((d) => d === -1).length === 1) {
    const known = sizeOf(dims.filter((_, i) => i !== free))
    if (known > 0) dims[free] = sizeOf(x) / known
  }
  return dims
}

function transpose(x: number[], perm: number[] | undefined): number[] {
  return (perm ?? x.map((_, i) => x.length - 1 - i)).map((p) => x[p] ?? -1)
}

/** Numpy-style broadcast of shapes; undefined if any is unknown. */
function broadcast(shapes: Array<number[] | undefined>): number[] | undefined {
  if (shapes.length === 0 || shapes.some((s) => s === undefined)) return undefined
  const rank = Math.max(...shapes.map((s) => s!.length))
  return Array.from({ length: rank }, (_, i) => {
    const dims = shapes.map((s) => s![s!.length - rank + i] ?? 1)
    if (dims.some((d) => d < 0)) return dims.every((d) => d < 0 || d === 1) ? -1 : Math.max(...dims)
    return Math.max(...dims)
  })
}
