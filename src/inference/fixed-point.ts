/**
 * Exact conversions between the chain's decimal fixed point (`value · 10^-decimals`, bigints) and
 * IEEE-754 floats. Every node must produce the same integers from the same floats, so nothing here
 * goes through float multiplication: conversions are either correctly rounded by the platform's
 * decimal parser (input) or done in exact bigint arithmetic (output).
 */

/**
 * Largest |decimals| accepted on input. 10^77 exceeds int128 by far, so no integral or finite value
 * needs more; the bound keeps bigint powers of ten small for hostile requests.
 */
export const MAX_INPUT_DECIMALS = 77n

/**
 * The float64 nearest to `value · 10^-decimals` (round half to even). V8's decimal parser is correctly
 * rounded for any number of digits (ECMAScript only demands it up to 20 significant digits; int128
 * has up to 39), and every node runs on V8. A float32 input is then rounded once more when stored in
 * a Float32Array: a double rounding, but the same one on every node.
 */
export function decimalToFloat(value: bigint, decimals: bigint): number {
  return Number(`${value}e${-decimals}`)
}

/** `value · 10^-decimals` as an exact integer, or undefined when it has a fractional part. */
export function decimalToInteger(value: bigint, decimals: bigint): bigint | undefined {
  if (decimals <= 0n) return value * 10n ** -decimals
  const scale = 10n ** decimals
  return value % scale === 0n ? value / scale : undefined
}

const view = new DataView(new ArrayBuffer(8))

/**
 * `round(x · 10^decimals)` computed exactly, rounding half away from zero. `x` is taken as the exact
 * binary value of the float64 (a float32 output is first widened, which is exact), so e.g.
 * 2^-9 · 10^8 = 195312.5 becomes 195313 and -2^-9 becomes -195313. `x` must be finite.
 *
 * @example
 * floatToFixed(Math.fround(0.1), 8) // 10000000n  (0.100000001490116... · 10^8 rounds to 10000000)
 */
export function floatToFixed(x: number, decimals: number): bigint {
  if (!Number.isFinite(x)) throw new RangeError(`cannot convert ${x} to fixed point`)
  view.setFloat64(0, x)
  const bits = view.getBigUint64(0)
  const negative = bits >> 63n === 1n
  const biasedExponent = Number((bits >> 52n) & 0x7ffn)
  const fraction = bits & ((1n << 52n) - 1n)
  // x = mantissa · 2^exponent exactly (subnormals have no implicit leading 1).
  const mantissa = biasedExponent === 0 ? fraction : fraction | (1n << 52n)
  const exponent = biasedExponent === 0 ? -1074 : biasedExponent - 1075
  const scaled = mantissa * 10n ** BigInt(decimals)
  let magnitude: bigint
  if (exponent >= 0) {
    magnitude = scaled << BigInt(exponent)
  } else {
    const denominator = 1n << BigInt(-exponent)
    const quotient = scaled / denominator
    const remainder = scaled - quotient * denominator
    magnitude = 2n * remainder >= denominator ? quotient + 1n : quotient
  }
  return negative ? -magnitude : magnitude
}
