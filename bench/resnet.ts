/**
 * Mid-size vision models for the benchmarks, built in code: the ResNet-18 and ResNet-50
 * architectures (He et al. 2015) on a 224×224 image, with seeded random weights. Batch normalisation
 * is folded into the convolutions' biases, as inference exports do. Weights do not change what
 * running the model costs, which is all the benchmarks measure.
 *
 * Weights go into the file as raw little-endian bytes: protobuf's packed `float_data` would take
 * tens of seconds to encode for 25 M parameters.
 */
import { createModelProto, encodeModel, seededRandom, type InitializerSpec, type NodeSpec } from '../src/models/index.js'

export interface ResNetSpec {
  name: string
  /** Residual blocks per stage. */
  blocks: readonly [number, number, number, number]
  /** Bottleneck blocks (1×1, 3×3, 1×1 with 4× expansion: ResNet-50) or basic ones (two 3×3: ResNet-18). */
  bottleneck: boolean
}

export const RESNET18: ResNetSpec = { name: 'ResNet-18', blocks: [2, 2, 2, 2], bottleneck: false }
export const RESNET50: ResNetSpec = { name: 'ResNet-50', blocks: [3, 4, 6, 3], bottleneck: true }
export const RESNET_INPUT_SHAPE = [1, 3, 224, 224] as const
const CLASSES = 1000

export function buildResNet(spec: ResNetSpec, seed = 50): Uint8Array {
  const random = seededRandom(seed)
  const nodes: NodeSpec[] = []
  const weights = new Map<string, { dims: number[]; data: Float32Array }>()
  let n = 0
  // He initialisation keeps activations in range through the whole depth.
  const tensor = (name: string, dims: number[], fanIn: number) => {
    const scale = Math.sqrt(2 / fanIn)
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1))
    if (fanIn > 0) for (let i = 0; i < data.length; i++) data[i] = (random() * 2 - 1) * scale
    weights.set(name, { dims, data })
  }
  const conv = (input: string, inC: number, outC: number, kernel: number, stride: number, relu: boolean): string => {
    const id = n++
    tensor(`w${id}`, [outC, inC, kernel, kernel], inC * kernel * kernel)
    tensor(`b${id}`, [outC], 0)
    const pad = Math.floor(kernel / 2)
    nodes.push({ op: 'Conv', inputs: [input, `w${id}`, `b${id}`], outputs: [`c${id}`], attributes: { kernel_shape: [kernel, kernel], strides: [stride, stride], pads: [pad, pad, pad, pad] } })
    if (!relu) return `c${id}`
    nodes.push({ op: 'Relu', inputs: [`c${id}`], outputs: [`r${id}`] })
    return `r${id}`
  }
  const block = (input: string, inC: number, width: number, stride: number): { out: string; channels: number } => {
    const id = n++
    const outC = spec.bottleneck ? width * 4 : width
    const main = spec.bottleneck
      ? conv(conv(conv(input, inC, width, 1, 1, true), width, width, 3, stride, true), width, outC, 1, 1, false)
      : conv(conv(input, inC, width, 3, stride, true), width, width, 3, 1, false)
    const shortcut = stride === 1 && inC === outC ? input : conv(input, inC, outC, 1, stride, false)
    nodes.push({ op: 'Add', inputs: [main, shortcut], outputs: [`s${id}`] })
    nodes.push({ op: 'Relu', inputs: [`s${id}`], outputs: [`o${id}`] })
    return { out: `o${id}`, channels: outC }
  }
  let x = conv('input', 3, 64, 7, 2, true)
  nodes.push({ op: 'MaxPool', inputs: [x], outputs: ['pool'], attributes: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } })
  x = 'pool'
  let channels = 64
  for (const [stage, width] of [64, 128, 256, 512].entries()) {
    for (let b = 0; b < spec.blocks[stage]!; b++) {
      const next = block(x, channels, width, b === 0 && stage > 0 ? 2 : 1)
      x = next.out
      channels = next.channels
    }
  }
  nodes.push({ op: 'GlobalAveragePool', inputs: [x], outputs: ['gap'] })
  nodes.push({ op: 'Flatten', inputs: ['gap'], outputs: ['flat'] })
  tensor('fc_w', [channels, CLASSES], channels)
  tensor('fc_b', [CLASSES], 0)
  nodes.push({ op: 'Gemm', inputs: ['flat', 'fc_w', 'fc_b'], outputs: ['output'] })
  // Placeholders through the builder (it checks the graph), then the real dims and raw bytes.
  const placeholders: InitializerSpec[] = [...weights.keys()].map((name) => ({ name, dims: [1], float32: [0] }))
  const proto = createModelProto({
    name: spec.name.toLowerCase(),
    inputs: [{ name: 'input', type: 'float32', shape: [...RESNET_INPUT_SHAPE] }],
    outputs: [{ name: 'output', type: 'float32', shape: [1, CLASSES] }],
    nodes,
    initializers: placeholders,
  })
  for (const init of proto.graph!.initializer!) {
    const { dims, data } = weights.get(init.name!)!
    init.dims = dims
    init.floatData = []
    init.rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  }
  return encodeModel(proto)
}
