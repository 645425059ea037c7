/**
 * Tensors as the chain carries them: decimal fixed point (`{ value, decimals }` = value · 10^-decimals)
 * in row-major order. These helpers turn plain numbers into model inputs and outputs back into
 * numbers, with the same exact conversions the nodes use.
 */
import { decimalToFloat, floatToFixed } from '../inference/fixed-point.js'
import type { ModelInput, ModelOutput, NumberTensor } from '../evm/types.js'
import { SdkError } from './errors.js'

/**
 * A number tensor from plain numbers, each rounded to `decimals` places (half away from zero).
 *
 * @example
 * numberTensor('input', [0.1, 0.2, 0.3, 0.4], [1, 4])
 */
export function numberTensor(name: string, values: readonly number[], shape: readonly number[] = [1, values.length], decimals = 6): NumberTensor {
  const size = shape.reduce((a, b) => a * b, 1)
  if (size !== values.length) throw new SdkError('BAD_TENSOR', `tensor ${name}: shape [${shape}] holds ${size} values, got ${values.length}`)
  const bigDecimals = BigInt(decimals)
  return {
    name,
    shape: [...shape],
    values: values.map((v, i) => {
      if (!Number.isFinite(v)) throw new SdkError('BAD_TENSOR', `tensor ${name}: value ${i} is ${v}`)
      return { value: floatToFixed(v, decimals), decimals: bigDecimals }
    }),
  }
}

/**
 * A model input of number tensors (and, for string models, string tensors).
 *
 * @example
 * modelInput({ input: [0.1, 0.2, 0.3] })               // one tensor "input" of shape [1, 3]
 * modelInput({}, { text: ['Hello World'] })             // one string tensor
 */
export function modelInput(numbers: Record<string, readonly number[] | { values: readonly number[]; shape: readonly number[] }>, strings: Record<string, readonly string[]> = {}, decimals = 6): ModelInput {
  return {
    numbers: Object.entries(numbers).map(([name, t]) => ('shape' in t ? numberTensor(name, t.values, t.shape, decimals) : numberTensor(name, t as readonly number[], undefined, decimals))),
    strings: Object.entries(strings).map(([name, values]) => ({ name, values: [...values] })),
  }
}

/** A number tensor's values as floats (nearest float64 to each decimal). */
export function tensorValues(tensor: NumberTensor): number[] {
  return tensor.values.map((v) => decimalToFloat(v.value, v.decimals))
}

/**
 * The values of an output tensor (the first one when no name is given).
 *
 * @example
 * outputValues(output) // [0.0123, -0.5, ...]
 */
export function outputValues(output: ModelOutput, name?: string): number[] {
  const tensor = name === undefined ? output.numbers[0] : output.numbers.find((t) => t.name === name)
  if (!tensor) throw new SdkError('NO_SUCH_TENSOR', `the output has no number tensor${name === undefined ? '' : ` named ${name}`} (it has ${output.numbers.map((t) => t.name).join(', ') || 'none'})`)
  return tensorValues(tensor)
}
