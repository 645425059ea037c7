/**
 * Quantization of a float network to the integers ZK mode proves (and OPTIMISTIC mode re-executes).
 *
 * Scale: one binary fixed point for everything, `q = round(x · 2^F)` with F = `fractionBits`
 * (default 16, so steps of 1/65536). A dense layer computes, exactly in integers,
 *
 *     acc_j = bias_j · 2^F + Σ_i w_ji · x_i          (scale 2^-2F)
 *     y_j   = floor((acc_j + 2^(F-1)) / 2^F)         (back to 2^-F: round half up)
 *     y_j   = max(0, y_j)                             (when the layer ends in Relu)
 *     y_j   = PLA(y_j)                                (Sigmoid / Tanh: `activations.ts`)
 *
 * Ranges. Inputs are clamped by nothing: an input must fit `inputBits` (two's complement, sign
 * included) and is refused otherwise. Every weight and bias fits `paramBits`. From these two widths
 * alone — not from the weight values — interval arithmetic gives each layer's accumulator range, and
 * `accBits` is the width that holds it: the circuit range-checks it, which bounds every value a
 * prover can use, and an honest input always fits. Because the ranges depend on the architecture
 * (sizes, activations, F, inputBits, paramBits) and not on the weights, two models of the same
 * architecture get the same circuit when their weights are a private input of it.
 */
import { isPla, plaBounds, plaTable, type Activation } from './activations.js'
import { ZkModelError } from './errors.js'
import { quantizeFloat, signedBits } from './fixed-point.js'
import type { FloatNetwork } from './onnx-import.js'

export interface QuantizationParams {
  /** F: binary digits after the point, for weights, biases and activations alike (4..32). */
  fractionBits: number
  /** Width of an input value in two's complement, sign included (F+2..F+32): inputs lie in ±2^(inputBits−1−F). */
  inputBits: number
  /**
   * Width of every weight and bias, sign included. Default: the least that holds the model's
   * quantized weights. Fix it to give models of one architecture one circuit (private weights).
   */
  paramBits?: number
}

/** 16 fraction bits (error ≈ 1e-4 on the demo model); inputs in [−128, 128). */
export const DEFAULT_QUANTIZATION: Readonly<QuantizationParams> = Object.freeze({ fractionBits: 16, inputBits: 24 })

/** The widest accumulator the circuit range-checks: 2^252 stays below the BN254 scalar field. */
export const MAX_ACC_BITS = 250
/** The widest weight: beyond it a model's scale is wrong for fixed point, not merely large. */
export const MAX_PARAM_BITS = 64

export interface QuantizedLayer {
  inSize: number
  outSize: number
  /** Row-major [outSize][inSize], scale 2^-F. */
  weights: bigint[]
  /** [outSize], scale 2^-F (added as bias · 2^F to the accumulator). */
  bias: bigint[]
  activation: Activation
  /** Two's-complement width of every `acc + 2^(F-1)` this layer can produce (from interval arithmetic). */
  accBits: number
}

export interface QuantizedModel {
  /** Format version of this description (part of the model commitment). */
  version: 1
  fractionBits: number
  inputBits: number
  input: { name: string; shape: number[]; size: number }
  output: { name: string; shape: number[]; size: number }
  layers: QuantizedLayer[]
  /** Two's-complement width that holds every weight and bias (what the weight commitment packs). */
  paramBits: number
  /** Two's-complement width that holds every output value (what the output hash packs). */
  outputBits: number
}

/**
 * Quantizes a float network and computes its value ranges.
 *
 * @throws ZkModelError `ZK_BAD_PARAMS` for parameters outside their range, `ZK_VALUE_RANGE` when a
 *   weight does not fit `paramBits` or an accumulator could need more than MAX_ACC_BITS bits
 * @example
 * const model = quantizeNetwork(importOnnxNetwork(buildDemoModel()))
 */
export function quantizeNetwork(net: FloatNetwork, params: QuantizationParams = DEFAULT_QUANTIZATION): QuantizedModel {
  checkParams(params)
  const F = params.fractionBits
  const quantized = net.layers.map((layer) => ({
    layer,
    weights: Array.from(layer.weights, (w) => quantizeFloat(w, F)),
    bias: Array.from(layer.bias, (b) => quantizeFloat(b, F)),
  }))
  let paramLo = 0n
  let paramHi = 0n
  for (const { weights, bias } of quantized) {
    for (const v of [...weights, ...bias]) {
      if (v < paramLo) paramLo = v
      if (v > paramHi) paramHi = v
    }
  }
  const needed = signedBits(paramLo, paramHi)
  const paramBits = params.paramBits ?? needed
  if (paramBits < needed || paramBits > MAX_PARAM_BITS) {
    throw new ZkModelError('ZK_VALUE_RANGE', `the weights need ${needed} bits at ${F} fraction bits; ${paramBits} are allowed (at most ${MAX_PARAM_BITS})`, {
      needed,
      paramBits,
    })
  }

  const half = 1n << BigInt(F - 1)
  // |w|, |b| ≤ W; activations lie in [lo, hi], one range per layer (every unit has the same bounds).
  const W = 1n << BigInt(paramBits - 1)
  let lo = -(1n << BigInt(params.inputBits - 1))
  let hi = (1n << BigInt(params.inputBits - 1)) - 1n
  const layers: QuantizedLayer[] = quantized.map(({ layer, weights, bias }, index) => {
    const magnitude = (lo < 0n ? -lo : lo) > hi ? (lo < 0n ? -lo : lo) : hi
    const reach = BigInt(layer.inSize) * W * magnitude + (W << BigInt(F))
    const accLo = -reach + half
    const accHi = reach + half
    // At least F+1 bits, so that the F fraction bits and a sign bit always exist in the decomposition;
    // an approximated activation also needs the segment index of [−R, R) inside it (activations.ts).
    const pla = isPla(layer.activation) ? plaTable(layer.activation, F) : undefined
    const least = pla ? 2 * F + 2 + Math.ceil(Math.log2(pla.range)) : F + 1
    const accBits = Math.max(signedBits(accLo, accHi), least)
    if (accBits > MAX_ACC_BITS) {
      throw new ZkModelError('ZK_VALUE_RANGE', `layer ${index} (${layer.nodes.join(', ')}) could accumulate ${accBits}-bit values; at most ${MAX_ACC_BITS} fit the proof field`, {
        layer: index,
        accBits,
      })
    }
    // floor division by 2^F of the rounded accumulator (bigint >> floors), then the activation.
    lo = accLo >> BigInt(F)
    hi = accHi >> BigInt(F)
    if (layer.activation === 'relu') lo = 0n
    if (pla) [lo, hi] = plaBounds(pla)
    return { inSize: layer.inSize, outSize: layer.outSize, weights, bias, activation: layer.activation, accBits }
  })
  // An output is round(acc/2^F) of the last layer: it always fits accBits − F bits (relu only narrows
  // it); an approximated activation's output is one of its table's values or between two of them.
  const last = layers.at(-1)!
  const outputBits = isPla(last.activation) ? signedBits(...plaBounds(plaTable(last.activation, F))) : last.accBits - F
  return {
    version: 1,
    fractionBits: F,
    inputBits: params.inputBits,
    input: { ...net.input, shape: [...net.input.shape] },
    output: { ...net.output, shape: [...net.output.shape] },
    layers,
    paramBits,
    outputBits,
  }
}

function checkParams(p: QuantizationParams): void {
  const F = p.fractionBits
  if (!Number.isInteger(F) || F < 4 || F > 32) {
    throw new ZkModelError('ZK_BAD_PARAMS', `fractionBits must be an integer in 4..32, not ${F}`, { fractionBits: F })
  }
  if (!Number.isInteger(p.inputBits) || p.inputBits < F + 2 || p.inputBits > F + 32) {
    throw new ZkModelError('ZK_BAD_PARAMS', `inputBits must be an integer in ${F + 2}..${F + 32} for fractionBits ${F}, not ${p.inputBits}`, {
      inputBits: p.inputBits,
    })
  }
  if (p.paramBits !== undefined && (!Number.isInteger(p.paramBits) || p.paramBits < 2)) {
    throw new ZkModelError('ZK_BAD_PARAMS', `paramBits must be an integer ≥ 2, not ${p.paramBits}`, { paramBits: p.paramBits })
  }
}

/** Number of weight and bias values. */
export function parameterCount(model: QuantizedModel): number {
  return model.layers.reduce((n, l) => n + l.weights.length + l.bias.length, 0)
}
