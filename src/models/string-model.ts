/**
 * A real model with string tensors: `text` (string[N]) is lowercased by ONNX `StringNormalizer`
 * into `normalized`, and `length` (int64[1]) counts the strings (Shape).
 */
import { buildModel } from './onnx-builder.js'

export function buildStringModel(): Uint8Array {
  return buildModel({
    name: 'string_normalizer',
    inputs: [{ name: 'text', type: 'string', shape: ['n'] }],
    outputs: [
      { name: 'normalized', type: 'string', shape: ['n'] },
      { name: 'length', type: 'int64', shape: [1] },
    ],
    nodes: [
      { op: 'StringNormalizer', inputs: ['text'], outputs: ['normalized'], attributes: { case_change_action: 'LOWER', locale: 'C.UTF-8' } },
      { op: 'Shape', inputs: ['text'], outputs: ['length'] },
    ],
  })
}

/** A model whose output has `size` elements, for the output-size limit: output = input (float[1]) + zeros[size]. */
export function buildWideOutputModel(size: number): Uint8Array {
  return buildModel({
    name: `wide_${size}`,
    inputs: [{ name: 'input', type: 'float32', shape: [1] }],
    outputs: [{ name: 'output', type: 'float32', shape: [size] }],
    initializers: [{ name: 'zeros', dims: [size], float32: new Array<number>(size).fill(0) }],
    nodes: [{ op: 'Add', inputs: ['input', 'zeros'], outputs: ['output'] }],
  })
}
