/**
 * What a ZK proof states, as three public signals, in this order:
 *
 *   modelCommitment = Poseidon(architectureDigest, packedHash(weights, all params))
 *   inputHash       = packedHash(input,  quantized input)
 *   outputHash      = packedHash(output, quantized output)
 *
 * so a proof is about one model, one input and one output, and never verifies for any other. The
 * commitment binds every quantized weight and bias (in layer order: weights row-major, then biases)
 * and, through the architecture digest, the layer sizes, activations, scale and value widths: two
 * models share a commitment only if they compute the same function with the same integers. The
 * weights themselves need not be published — the commitment is what the chain keeps.
 */
import { createHash } from 'node:crypto'
import { isPla, plaTable } from './activations.js'
import { offsetSigned, packedHash, poseidon } from './poseidon.js'
import type { QuantizedModel } from './quantize.js'

export interface ZkStatement {
  modelCommitment: bigint
  inputHash: bigint
  outputHash: bigint
}

/** The statement as snarkjs's public signals (decimal strings), in circuit order. */
export function publicSignals(statement: ZkStatement): string[] {
  return [statement.modelCommitment, statement.inputHash, statement.outputHash].map(String)
}

/** Domain string of the architecture digest (changes with the format). */
const ARCHITECTURE_DOMAIN = 'inferchain.zk.architecture.v1'

/**
 * Everything about a quantized model except its weight values, as canonical JSON.
 * (The circuit of a model with private weights is a function of exactly this.)
 */
export function architectureOf(model: QuantizedModel): string {
  return JSON.stringify({
    domain: ARCHITECTURE_DOMAIN,
    version: model.version,
    fractionBits: model.fractionBits,
    inputBits: model.inputBits,
    input: model.input,
    output: model.output,
    layers: model.layers.map((l) => ({
      inSize: l.inSize,
      outSize: l.outSize,
      activation: l.activation,
      accBits: l.accBits,
      // An approximated activation is defined by its table: the registered numbers are the ones used.
      ...(isPla(l.activation) ? { table: plaTable(l.activation, model.fractionBits).values.map(String) } : {}),
    })),
    paramBits: model.paramBits,
    outputBits: model.outputBits,
  })
}

/** sha256 of `architectureOf(model)`, its first 31 bytes as a field element (248 bits < p). */
export function architectureDigest(model: QuantizedModel): bigint {
  const digest = createHash('sha256').update(architectureOf(model)).digest()
  return BigInt(`0x${digest.subarray(0, 31).toString('hex')}`)
}

/** Every weight and bias in commitment order. */
export function flattenParameters(model: QuantizedModel): bigint[] {
  return model.layers.flatMap((l) => [...l.weights, ...l.bias])
}

/** Per model: its commitment never changes, and hashing 100k weights takes a while. */
const commitments = new WeakMap<QuantizedModel, bigint>()

/**
 * The model's weights commitment.
 *
 * @example
 * const commitment = modelCommitment(model)
 */
export function modelCommitment(model: QuantizedModel): bigint {
  let commitment = commitments.get(model)
  if (commitment === undefined) {
    const weights = packedHash('weights', offsetSigned(flattenParameters(model), model.paramBits), model.paramBits)
    commitment = poseidon([architectureDigest(model), weights])
    commitments.set(model, commitment)
  }
  return commitment
}

/** The hash of a quantized input (values must fit `inputBits`, as the executor checks). */
export function inputHash(model: QuantizedModel, input: readonly bigint[]): bigint {
  return packedHash('input', offsetSigned(input, model.inputBits), model.inputBits)
}

/** The hash of a quantized output. */
export function outputHash(model: QuantizedModel, output: readonly bigint[]): bigint {
  return packedHash('output', offsetSigned(output, model.outputBits), model.outputBits)
}

/**
 * The statement of `output = model(input)`.
 *
 * @example
 * const statement = zkStatement(model, input, runQuantized(model, input))
 */
export function zkStatement(model: QuantizedModel, input: readonly bigint[], output: readonly bigint[]): ZkStatement {
  return { modelCommitment: modelCommitment(model), inputHash: inputHash(model, input), outputHash: outputHash(model, output) }
}
