/**
 * Sigmoid and Tanh in ZK mode, by a documented approximation: piecewise-linear interpolation between
 * breakpoints spaced 2^-s apart on [−R, R), clamped outside (σ: R = 8, steps of 1/2; tanh: R = 4,
 * steps of 1/4 — 32 segments each). Breakpoint values are quantized at the model's F. With q an
 * activation at scale 2^-F, W = F − s bits per segment and u = q + R·2^F:
 *
 *     u < 0            → Y[0]
 *     u ≥ K·2^W        → Y[K]
 *     otherwise        → Y[k] + floor(r · (Y[k+1] − Y[k]) / 2^W),  k = u >> W,  r = u mod 2^W
 *
 * exactly in integers, in the reference executor and in the circuit alike. The interpolation error
 * is at most h²/8 · max|f''| (σ: 0.003, tanh: 0.006) plus the clamp (σ: 3.4e-4, tanh: 6.7e-4);
 * `test/zk/activations.test.ts` measures it against onnxruntime.
 *
 * The tables come from the platform's `Math.exp`/`Math.tanh`; they are part of the model's
 * architecture digest, so every party that proves or checks a model uses the registered numbers.
 */
import { quantizeFloat } from './fixed-point.js'

export type Activation = 'none' | 'relu' | 'sigmoid' | 'tanh'
export type PlaActivation = 'sigmoid' | 'tanh'

interface PlaSpec {
  f: (x: number) => number
  /** Half-width of the interpolated domain [−R, R). */
  range: number
  /** log2 of the segments per unit. */
  stepBits: number
}

const SPECS: Record<PlaActivation, PlaSpec> = {
  sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), range: 8, stepBits: 1 },
  tanh: { f: Math.tanh, range: 4, stepBits: 2 },
}

export function isPla(activation: Activation): activation is PlaActivation {
  return activation === 'sigmoid' || activation === 'tanh'
}

/** One approximated activation at one scale: everything the executor and the circuit need. */
export interface PlaTable {
  activation: PlaActivation
  range: number
  stepBits: number
  /** Segments: 2R · 2^s. */
  segments: number
  /** Bits of q per segment: F − s. */
  segmentBits: number
  /** Y[0..segments], the activation at each breakpoint, scale 2^-F. */
  values: bigint[]
}

const tables = new Map<string, PlaTable>()

/**
 * The breakpoint table of `activation` at `fractionBits`.
 *
 * @example
 * plaTable('sigmoid', 16).values[16] // σ(0) = 0.5 → 32768n
 */
export function plaTable(activation: PlaActivation, fractionBits: number): PlaTable {
  const key = `${activation}/${fractionBits}`
  let table = tables.get(key)
  if (!table) {
    const { f, range, stepBits } = SPECS[activation]
    const segments = 2 * range * 2 ** stepBits
    const values = Array.from({ length: segments + 1 }, (_, k) => quantizeFloat(f(-range + k / 2 ** stepBits), fractionBits))
    table = { activation, range, stepBits, segments, segmentBits: fractionBits - stepBits, values }
    tables.set(key, table)
  }
  return table
}

/** The approximated activation of q (scale 2^-F), exactly. */
export function applyPla(table: PlaTable, fractionBits: number, q: bigint): bigint {
  const u = q + (BigInt(table.range) << BigInt(fractionBits))
  const W = BigInt(table.segmentBits)
  if (u < 0n) return table.values[0]!
  const k = u >> W
  if (k >= BigInt(table.segments)) return table.values[table.segments]!
  const r = u & ((1n << W) - 1n)
  const y0 = table.values[Number(k)]!
  return y0 + ((r * (table.values[Number(k) + 1]! - y0)) >> W)
}

/** Smallest and largest table value: the range of the activation's output. */
export function plaBounds(table: PlaTable): [bigint, bigint] {
  let lo = table.values[0]!
  let hi = lo
  for (const v of table.values) {
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  return [lo, hi]
}

/** Smallest and largest difference between neighbouring breakpoints (the interpolation slopes). */
export function plaSlopes(table: PlaTable): [bigint, bigint] {
  let lo = table.values[1]! - table.values[0]!
  let hi = lo
  for (let k = 1; k < table.segments; k++) {
    const d = table.values[k + 1]! - table.values[k]!
    if (d < lo) lo = d
    if (d > hi) hi = d
  }
  return [lo, hi]
}
