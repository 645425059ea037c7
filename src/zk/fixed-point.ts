/**
 * The binary fixed point of ZK mode. A real number x is the integer q = round(x · 2^F), F the model's
 * `fractionBits`; weights, biases, inputs, activations and outputs all use the same F. Rounding is
 * half away from zero and exact: floats are converted from their exact binary value and chain
 * decimals (`value · 10^-decimals`) in bigint arithmetic, so every node gets the same integers.
 *
 * On chain, q goes back out as the decimal `q · 5^F · 10^-F` — exactly q / 2^F, no rounding — so a
 * ZK output can be turned back into the integers that were proven without any loss.
 */
import type { TensorNumber } from '../evm/types.js'

/** The BN254 scalar field: circuits compute modulo this prime. */
export const SNARK_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

/**
 * `round(x · 2^fractionBits)`, half away from zero, exactly. `x` must be finite.
 *
 * @example
 * quantizeFloat(0.5, 16) // 32768n
 * quantizeFloat(-1.5 / 65536, 16) // -2n
 */
export function quantizeFloat(x: number, fractionBits: number): bigint {
  if (!Number.isFinite(x)) throw new RangeError(`cannot quantize ${x}`)
  // x · 2^F is exact in float64 (only the exponent changes) unless it overflows, which finite
  // float32 weights at F ≤ 64 never do; splitting off the integer part is exact below 2^52.
  const scaled = x * 2 ** fractionBits
  const magnitude = Math.abs(scaled)
  if (magnitude >= 2 ** 52) return BigInt(Math.sign(scaled) * magnitude) // already an integer
  const whole = Math.trunc(magnitude)
  const rounded = BigInt(magnitude - whole >= 0.5 ? whole + 1 : whole)
  return scaled < 0 ? -rounded : rounded
}

/**
 * `round(value · 10^-decimals · 2^fractionBits)`, half away from zero, in exact bigint arithmetic.
 *
 * @example
 * quantizeDecimal(15n, 1n, 16) // 1.5 → 98304n
 */
export function quantizeDecimal(value: bigint, decimals: bigint, fractionBits: number): bigint {
  const numerator = (value < 0n ? -value : value) << BigInt(fractionBits)
  let magnitude: bigint
  if (decimals <= 0n) {
    magnitude = numerator * 10n ** -decimals
  } else {
    const denominator = 10n ** decimals
    const quotient = numerator / denominator
    magnitude = 2n * (numerator - quotient * denominator) >= denominator ? quotient + 1n : quotient
  }
  return value < 0n ? -magnitude : magnitude
}

/** `q / 2^fractionBits` as the chain's decimal number, exactly: `{ value: q · 5^F, decimals: F }`. */
export function toTensorNumber(q: bigint, fractionBits: number): TensorNumber {
  return { value: q * 5n ** BigInt(fractionBits), decimals: BigInt(fractionBits) }
}

/**
 * The integer q of a number written by `toTensorNumber`, or undefined when the number is not of that
 * form (other decimals, or not a multiple of 5^F): a ZK output is always exactly representable.
 */
export function fromTensorNumber(n: TensorNumber, fractionBits: number): bigint | undefined {
  if (n.decimals !== BigInt(fractionBits)) return undefined
  const unit = 5n ** BigInt(fractionBits)
  return n.value % unit === 0n ? n.value / unit : undefined
}

/** q as a float, for error reports (never used in anything proven). */
export function dequantize(q: bigint, fractionBits: number): number {
  return Number(q) / 2 ** fractionBits
}

/** A signed integer as a field element (negative values wrap to p − |v|). */
export function toField(v: bigint): bigint {
  const r = v % SNARK_SCALAR_FIELD
  return r < 0n ? r + SNARK_SCALAR_FIELD : r
}

/** Smallest n such that every v in [lo, hi] satisfies −2^(n−1) ≤ v < 2^(n−1) (two's-complement width). */
export function signedBits(lo: bigint, hi: bigint): number {
  let n = 1
  while (lo < -(1n << BigInt(n - 1)) || hi >= 1n << BigInt(n - 1)) n++
  return n
}
