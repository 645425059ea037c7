/**
 * The boundary between the chain's tensors (decimal fixed point, `src/evm/types.ts`) and
 * onnxruntime's typed tensors, checked against the model's declared inputs and outputs.
 *
 * Input: each model input is given exactly once, by name; numeric inputs as number tensors, `string`
 * inputs as string tensors. Float inputs are `value · 10^-decimals` rounded to the nearest float;
 * integer and bool inputs must be exact integers in the element type's range after scaling.
 *
 * Output: float elements become `round(x · 10^OUTPUT_DECIMALS)` with decimals OUTPUT_DECIMALS, computed
 * exactly on the float64 value of the element, rounding half away from zero (see `floatToFixed`);
 * integer and bool elements are exact with decimals 0; string tensors stay strings. Tensors come in
 * the order of the model's outputs. Every rule here is deterministic, so an honest node's 4xx answer
 * is the same on every node.
 */
import { Tensor, type InferenceSession } from 'onnxruntime-node'
import type { ModelInput, ModelOutput, NumberTensor, StringTensor, TensorNumber } from '../evm/types.js'
import type { TensorElementType, TensorSpec } from '../hub/types.js'
import { MAX_OUTPUT_ELEMENTS, OUTPUT_DECIMALS } from '../params.js'
import { InferenceRequestError } from './errors.js'
import { MAX_INPUT_DECIMALS, decimalToFloat, decimalToInteger, floatToFixed } from './fixed-point.js'

type IntegerType = 'int64' | 'int32' | 'int8' | 'uint8' | 'bool'

/** Inclusive range of each integer element type (bool is 0/1). */
const INTEGER_RANGE: Record<IntegerType, readonly [bigint, bigint]> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int8: [-128n, 127n],
  uint8: [0n, 255n],
  bool: [0n, 1n],
}

const INT128_MIN = -(2n ** 127n)
const INT128_MAX = 2n ** 127n - 1n

type GivenTensor = { kind: 'number'; tensor: NumberTensor } | { kind: 'string'; tensor: StringTensor }

/**
 * Builds onnxruntime feeds for a model from a chain input. Throws `InferenceRequestError` with
 * `BAD_TENSOR_NAME`, `BAD_TENSOR_TYPE`, `BAD_TENSOR_SHAPE` or `BAD_TENSOR_VALUE`.
 *
 * @example
 * const feeds = toFeeds(metadata.inputs, input)
 * const results = await session.run(feeds)
 */
export function toFeeds(specs: readonly TensorSpec[], input: ModelInput): Record<string, Tensor> {
  const given = indexGiven(specs, input)
  const feeds: Record<string, Tensor> = {}
  for (const spec of specs) {
    const entry = given.get(spec.name)
    if (entry === undefined) throw tensorError('BAD_TENSOR_NAME', `model input "${spec.name}" is missing`, spec.name)
    const wantsString = spec.type === 'string'
    if (wantsString !== (entry.kind === 'string')) {
      throw tensorError('BAD_TENSOR_TYPE', `input "${spec.name}" is ${spec.type}, given as a ${entry.kind} tensor`, spec.name)
    }
    feeds[spec.name] = entry.kind === 'string' ? stringFeed(spec, entry.tensor) : numberFeed(spec, entry.tensor)
  }
  return feeds
}

function indexGiven(specs: readonly TensorSpec[], input: ModelInput): Map<string, GivenTensor> {
  const known = new Set(specs.map((s) => s.name))
  const given = new Map<string, GivenTensor>()
  const all: GivenTensor[] = [
    ...input.numbers.map((tensor) => ({ kind: 'number' as const, tensor })),
    ...input.strings.map((tensor) => ({ kind: 'string' as const, tensor })),
  ]
  for (const entry of all) {
    const name = entry.tensor.name
    if (!known.has(name)) throw tensorError('BAD_TENSOR_NAME', `the model has no input "${name}"`, name)
    if (given.has(name)) throw tensorError('BAD_TENSOR_NAME', `input "${name}" is given more than once`, name)
    given.set(name, entry)
  }
  return given
}

function numberFeed(spec: TensorSpec, tensor: NumberTensor): Tensor {
  checkShape(spec, tensor.shape, tensor.values.length)
  for (const v of tensor.values) {
    if (v.decimals > MAX_INPUT_DECIMALS || v.decimals < -MAX_INPUT_DECIMALS) {
      throw tensorError('BAD_TENSOR_VALUE', `input "${spec.name}": |decimals| must be at most ${MAX_INPUT_DECIMALS}`, spec.name)
    }
  }
  const type = spec.type as Exclude<TensorElementType, 'string'>
  const dims = tensor.shape
  switch (type) {
    case 'float32':
      return new Tensor('float32', Float32Array.from(tensor.values, (v) => toFloat(spec, v, Math.fround)), dims)
    case 'float64':
      return new Tensor('float64', Float64Array.from(tensor.values, (v) => toFloat(spec, v, (x) => x)), dims)
    case 'int64':
      return new Tensor('int64', BigInt64Array.from(tensor.values, (v) => toInteger(spec, type, v)), dims)
    case 'int32':
      return new Tensor('int32', Int32Array.from(tensor.values, (v) => Number(toInteger(spec, type, v))), dims)
    case 'int8':
      return new Tensor('int8', Int8Array.from(tensor.values, (v) => Number(toInteger(spec, type, v))), dims)
    case 'uint8':
      return new Tensor('uint8', Uint8Array.from(tensor.values, (v) => Number(toInteger(spec, type, v))), dims)
    case 'bool':
      return new Tensor('bool', Uint8Array.from(tensor.values, (v) => Number(toInteger(spec, type, v))), dims)
  }
}

function toFloat(spec: TensorSpec, v: TensorNumber, narrow: (x: number) => number): number {
  const x = narrow(decimalToFloat(v.value, v.decimals))
  if (!Number.isFinite(x)) {
    throw tensorError('BAD_TENSOR_VALUE', `input "${spec.name}": ${show(v)} overflows ${spec.type}`, spec.name)
  }
  return x
}

function toInteger(spec: TensorSpec, type: IntegerType, v: TensorNumber): bigint {
  const n = decimalToInteger(v.value, v.decimals)
  if (n === undefined) {
    throw tensorError('BAD_TENSOR_VALUE', `input "${spec.name}" is ${type}: ${show(v)} is not an integer`, spec.name)
  }
  const [min, max] = INTEGER_RANGE[type]
  if (n < min || n > max) {
    throw tensorError('BAD_TENSOR_VALUE', `input "${spec.name}": ${n} is out of ${type} range [${min}, ${max}]`, spec.name)
  }
  return n
}

/** Same rank, every static dim equal (a dynamic dim, -1, matches any), values fill the shape exactly. */
function checkShape(spec: TensorSpec, shape: readonly number[], length: number): void {
  const fail = (why: string) =>
    new InferenceRequestError('BAD_TENSOR_SHAPE', `input "${spec.name}": ${why}`, {
      details: { name: spec.name, expected: spec.shape, given: shape, values: length },
    })
  if (shape.length !== spec.shape.length) throw fail(`rank ${shape.length} given, the model expects [${spec.shape}]`)
  shape.forEach((dim, i) => {
    if (spec.shape[i] !== -1 && spec.shape[i] !== dim) throw fail(`dim ${i} is ${dim}, the model expects [${spec.shape}]`)
  })
  const size = shape.reduce((a, b) => a * b, 1)
  if (size !== length) throw fail(`shape [${shape}] holds ${size} values, ${length} given`)
}

/**
 * String tensors carry no shape on chain, so it is taken from the model: static dims as declared, the
 * last dynamic dim absorbs the values, other dynamic dims are 1 (a scalar takes exactly one value).
 */
function stringFeed(spec: TensorSpec, tensor: StringTensor): Tensor {
  const length = tensor.values.length
  const staticSize = spec.shape.reduce((a, d) => (d === -1 ? a : a * d), 1)
  const lastDynamic = spec.shape.lastIndexOf(-1)
  const fits = lastDynamic === -1 ? staticSize === length : staticSize === 0 ? length === 0 : length % staticSize === 0
  if (!fits) {
    throw new InferenceRequestError('BAD_TENSOR_SHAPE', `input "${spec.name}": ${length} strings do not fill [${spec.shape}]`, {
      details: { name: spec.name, expected: spec.shape, values: length },
    })
  }
  const dims = spec.shape.map((d, i) => (i === lastDynamic ? (staticSize === 0 ? 0 : length / staticSize) : d === -1 ? 1 : d))
  return new Tensor('string', [...tensor.values], dims)
}

function show(v: TensorNumber): string {
  return `${v.value}e${-v.decimals}`
}

function tensorError(code: 'BAD_TENSOR_NAME' | 'BAD_TENSOR_TYPE' | 'BAD_TENSOR_VALUE', message: string, name: string) {
  return new InferenceRequestError(code, message, { details: { name } })
}

/**
 * Converts onnxruntime results into a chain output (`isSimulationResult` false), in the order of the
 * model's outputs. Throws `OUTPUT_TOO_LARGE` beyond MAX_OUTPUT_ELEMENTS elements in total and
 * `INFERENCE_FAILED` for NaN/±Inf, values beyond int128, or element types the chain cannot carry.
 *
 * @example
 * const output = fromResults(metadata.outputs, await session.run(feeds))
 */
export function fromResults(specs: readonly TensorSpec[], results: InferenceSession.ReturnType): ModelOutput {
  const tensors = specs.map((spec) => {
    const value = results[spec.name]
    if (!isTensorLike(value)) {
      throw new InferenceRequestError('INFERENCE_FAILED', `model output "${spec.name}" is missing or not a tensor`)
    }
    return { name: spec.name, tensor: value as Tensor }
  })
  const total = tensors.reduce((sum, t) => sum + t.tensor.size, 0)
  if (total > MAX_OUTPUT_ELEMENTS) {
    throw new InferenceRequestError('OUTPUT_TOO_LARGE', `the model produced ${total} output elements, at most ${MAX_OUTPUT_ELEMENTS} are allowed`, {
      details: { elements: total, max: MAX_OUTPUT_ELEMENTS },
    })
  }
  const output: ModelOutput = { numbers: [], strings: [], jsons: [], isSimulationResult: false }
  for (const { name, tensor } of tensors) {
    if (tensor.type === 'string') output.strings.push({ name, values: [...(tensor.data as string[])] })
    else output.numbers.push({ name, values: numbersOf(name, tensor), shape: [...tensor.dims] })
  }
  return output
}

function isTensorLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'data' in value && 'dims' in value && 'type' in value
}

function numbersOf(name: string, tensor: Tensor): TensorNumber[] {
  const data = tensor.data as ArrayLike<number | bigint>
  const values = new Array<TensorNumber>(data.length)
  switch (tensor.type) {
    case 'float32':
    case 'float64':
      for (let i = 0; i < data.length; i++) values[i] = { value: fixedOf(name, data[i] as number), decimals: BigInt(OUTPUT_DECIMALS) }
      return values
    case 'bool':
      for (let i = 0; i < data.length; i++) values[i] = { value: data[i] ? 1n : 0n, decimals: 0n }
      return values
    case 'int64':
    case 'uint64':
    case 'int32':
    case 'uint32':
    case 'int16':
    case 'uint16':
    case 'int8':
    case 'uint8':
      for (let i = 0; i < data.length; i++) values[i] = { value: BigInt(data[i]!), decimals: 0n }
      return values
    default:
      throw new InferenceRequestError('INFERENCE_FAILED', `model output "${name}" has element type ${tensor.type}, which the chain cannot carry`, {
        status: 422,
      })
  }
}

function fixedOf(name: string, x: number): bigint {
  if (!Number.isFinite(x)) {
    // Deterministic for this model and input: any honest node computes the same NaN/Inf.
    throw new InferenceRequestError('INFERENCE_FAILED', `model output "${name}" contains ${x}`, { status: 422 })
  }
  const value = floatToFixed(x, OUTPUT_DECIMALS)
  if (value < INT128_MIN || value > INT128_MAX) {
    throw new InferenceRequestError('INFERENCE_FAILED', `model output "${name}" value ${x} overflows int128 at ${OUTPUT_DECIMALS} decimals`, {
      status: 422,
    })
  }
  return value
}
