/**
 * The deterministic quantized reference executor: the canonical integer semantics of a quantized
 * model (`quantize.ts`), which ZK circuits prove and OPTIMISTIC mode re-executes. Exact on every
 * platform: either bigint arithmetic, or — where a layer's interval bounds show every partial sum
 * stays below 2^53 — float64 holding integers, where +, × and division by a power of two are exact
 * and `Math.floor` is exact, so both paths give the same integers bit for bit (tests pin that).
 *
 * It also converts between the chain's tensors and the model's integers: inputs are quantized
 * exactly from their decimals (`quantizeDecimal`), outputs leave as exact decimals (`toTensorNumber`).
 */
import type { ModelInput, ModelOutput, NumberTensor } from '../evm/types.js'
import { applyPla, isPla, plaBounds, plaTable } from './activations.js'
import { ZkInputError } from './errors.js'
import { fromTensorNumber, quantizeDecimal, quantizeFloat, toTensorNumber } from './fixed-point.js'
import type { QuantizedLayer, QuantizedModel } from './quantize.js'

/** Everything the executor computed, layer by layer (for tests and fraud proofs). */
export interface QuantizedTrace {
  input: bigint[]
  /** The output of each layer (after its activation); the last one is the model's output. */
  layers: bigint[][]
}

const SAFE = 2 ** 53

/**
 * Runs the quantized model on quantized inputs; returns the quantized outputs.
 *
 * @throws ZkInputError if the input has the wrong length or a value outside `inputBits`
 * @example
 * const y = runQuantized(model, quantizeInputVector(model, [0.5, -1, ...]))
 */
export function runQuantized(model: QuantizedModel, input: readonly bigint[]): bigint[] {
  return traceQuantized(model, input).layers.at(-1)!
}

/**
 * The definition: the same computation in bigint arithmetic only, never the float64 shortcut.
 * `runQuantized` must equal it bit for bit (tests compare them on random and extreme inputs).
 */
export function runQuantizedExact(model: QuantizedModel, input: readonly bigint[]): bigint[] {
  checkInput(model, input)
  let x: bigint[] = [...input]
  for (const layer of model.layers) x = denseBigint(layer, x, model.fractionBits)
  return x
}

/** `runQuantized` keeping every layer's output. */
export function traceQuantized(model: QuantizedModel, input: readonly bigint[]): QuantizedTrace {
  checkInput(model, input)
  const plan = planOf(model)
  const layers: bigint[][] = []
  let x: bigint[] = [...input]
  for (const [index, layer] of model.layers.entries()) {
    x = plan[index]!.useNumbers ? denseNumber(layer, plan[index]!, x, model.fractionBits) : denseBigint(layer, x, model.fractionBits)
    layers.push(x)
  }
  return { input: [...input], layers }
}

function denseBigint(layer: QuantizedLayer, x: readonly bigint[], F: number): bigint[] {
  const shift = BigInt(F)
  const half = 1n << (shift - 1n)
  const out = new Array<bigint>(layer.outSize)
  for (let j = 0; j < layer.outSize; j++) {
    let acc = (layer.bias[j]! << shift) + half
    const row = j * layer.inSize
    for (let i = 0; i < layer.inSize; i++) acc += layer.weights[row + i]! * x[i]!
    const y = acc >> shift // arithmetic shift: floor, also for negative values
    out[j] = activate(layer, F, y)
  }
  return out
}

function activate(layer: QuantizedLayer, F: number, y: bigint): bigint {
  if (layer.activation === 'relu') return y < 0n ? 0n : y
  if (isPla(layer.activation)) return applyPla(plaTable(layer.activation, F), F, y)
  return y
}

function denseNumber(layer: QuantizedLayer, plan: LayerPlan, x: readonly bigint[], F: number): bigint[] {
  const scale = 2 ** F
  const half = 2 ** (F - 1)
  const xs = Float64Array.from(x, Number)
  const out = new Array<bigint>(layer.outSize)
  for (let j = 0; j < layer.outSize; j++) {
    let acc = plan.biasTerms![j]! + half
    const row = j * layer.inSize
    for (let i = 0; i < layer.inSize; i++) acc += plan.weights![row + i]! * xs[i]!
    out[j] = activate(layer, F, BigInt(Math.floor(acc / scale)))
  }
  return out
}

interface LayerPlan {
  useNumbers: boolean
  weights?: Float64Array
  biasTerms?: Float64Array
}

/** Per model: which layers may run in float64 (every partial sum provably below 2^53), computed once. */
const plans = new WeakMap<QuantizedModel, LayerPlan[]>()

function planOf(model: QuantizedModel): LayerPlan[] {
  let plan = plans.get(model)
  if (plan) return plan
  const F = BigInt(model.fractionBits)
  let bound = 1n << BigInt(model.inputBits - 1) // |x| ≤ bound for this layer's inputs
  plan = model.layers.map((layer) => {
    let worst = 0n
    for (let j = 0; j < layer.outSize; j++) {
      let sum = abs(layer.bias[j]! << F) + (1n << (F - 1n))
      for (let i = 0; i < layer.inSize; i++) sum += abs(layer.weights[j * layer.inSize + i]!) * bound
      if (sum > worst) worst = sum
    }
    bound = (worst >> F) + 1n
    if (isPla(layer.activation)) {
      const [lo, hi] = plaBounds(plaTable(layer.activation, model.fractionBits))
      bound = (abs(lo) > abs(hi) ? abs(lo) : abs(hi)) + 1n
    }
    if (worst >= BigInt(SAFE)) return { useNumbers: false }
    return {
      useNumbers: true,
      weights: Float64Array.from(layer.weights, Number),
      biasTerms: Float64Array.from(layer.bias, (b) => Number(b << F)),
    }
  })
  plans.set(model, plan)
  return plan
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v
}

function checkInput(model: QuantizedModel, input: readonly bigint[]): void {
  if (input.length !== model.input.size) {
    throw new ZkInputError(`input "${model.input.name}" needs ${model.input.size} values, ${input.length} given`, {
      name: model.input.name,
      expected: model.input.size,
      given: input.length,
    })
  }
  const limit = 1n << BigInt(model.inputBits - 1)
  const index = input.findIndex((v) => v < -limit || v >= limit)
  if (index >= 0) {
    const range = 2 ** (model.inputBits - 1 - model.fractionBits)
    throw new ZkInputError(`input "${model.input.name}"[${index}] is outside the model's ZK input range [-${range}, ${range})`, {
      name: model.input.name,
      index,
    })
  }
}

/**
 * Quantizes float inputs (e.g. from a test or a benchmark) exactly as chain inputs are.
 *
 * @example
 * quantizeInputVector(model, [0.25, -1]) // [16384n, -65536n] at F = 16
 */
export function quantizeInputVector(model: QuantizedModel, values: ArrayLike<number>): bigint[] {
  const q = Array.from(values, (v) => quantizeFloat(v, model.fractionBits))
  checkInput(model, q)
  return q
}

/**
 * The quantized input of a chain request: the one number tensor named like the model's input, its
 * shape equal to the model's (a leading batch of one may be left out), each value quantized exactly
 * from its decimals. String tensors and other names are refused.
 *
 * @throws ZkInputError
 */
export function quantizeModelInput(model: QuantizedModel, input: ModelInput): bigint[] {
  if (input.strings.length > 0 || input.numbers.length !== 1 || input.numbers[0]!.name !== model.input.name) {
    throw new ZkInputError(`a ZK request takes exactly one number tensor "${model.input.name}"`, { name: model.input.name })
  }
  const tensor = input.numbers[0]!
  const shape = model.input.shape
  const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i])
  if (!sameShape(tensor.shape, shape) && !(shape[0] === 1 && sameShape(tensor.shape, shape.slice(1)))) {
    throw new ZkInputError(`input "${model.input.name}" has shape [${tensor.shape}], the model takes [${shape}]`, { name: model.input.name })
  }
  const q = tensor.values.map((v) => quantizeDecimal(v.value, v.decimals, model.fractionBits))
  checkInput(model, q)
  return q
}

/**
 * The chain output of quantized outputs: one number tensor (the model's output name and shape),
 * each value `q / 2^F` written exactly with F decimals.
 */
export function toModelOutput(model: QuantizedModel, output: readonly bigint[]): ModelOutput {
  const tensor: NumberTensor = {
    name: model.output.name,
    shape: [...model.output.shape],
    values: output.map((q) => toTensorNumber(q, model.fractionBits)),
  }
  return { numbers: [tensor], strings: [], jsons: [], isSimulationResult: false }
}

/**
 * The quantized outputs a chain output carries, or undefined when it is not exactly what
 * `toModelOutput` writes for this model (other names, shape, decimals, or not multiples of 5^F).
 */
export function fromModelOutput(model: QuantizedModel, output: ModelOutput): bigint[] | undefined {
  if (output.strings.length || output.jsons.length || output.numbers.length !== 1) return undefined
  const tensor = output.numbers[0]!
  if (tensor.name !== model.output.name || tensor.values.length !== model.output.size) return undefined
  if (tensor.shape.length !== model.output.shape.length || tensor.shape.some((d, i) => d !== model.output.shape[i])) return undefined
  const values: bigint[] = []
  for (const v of tensor.values) {
    const q = fromTensorNumber(v, model.fractionBits)
    if (q === undefined) return undefined
    values.push(q)
  }
  return values
}
