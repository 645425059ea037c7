/** Small models with unusual tensors (strings, wide outputs) that exercise the whole path. */
import { buildModel } from './onnx-builder.js'

/**
 * A real model with string tensors: `text` (string [n]) is lowercased by ONNX `StringNormalizer`
 * into `normalized` (string [n]); `length` (int64 [1]) is the number of strings (`Shape`), a
 * numeric side output.
 *
 * @example
 * const out = await (await InferenceSession.create(buildStringModel())).run({ text: new Tensor('string', ['Hi'], [1]) })
 * out.normalized.data // ['hi']
 */
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

/**
 * A model whose output has `size` elements, to hit output-size limits: `output = input + zeros`,
 * input float32 [1], output float32 [size].
 *
 * @example
 * buildWideOutputModel(70_000)
 */
export function buildWideOutputModel(size: number): Uint8Array {
  return buildModel({
    name: `wide_${size}`,
    inputs: [{ name: 'input', type: 'float32', shape: [1] }],
    outputs: [{ name: 'output', type: 'float32', shape: [size] }],
    initializers: [{ name: 'zeros', dims: [size], float32: new Float32Array(size) }],
    nodes: [{ op: 'Add', inputs: ['input', 'zeros'], outputs: ['output'] }],
  })
}
