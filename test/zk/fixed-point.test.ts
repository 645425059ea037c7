import { describe, expect, it } from 'vitest'
import { fromTensorNumber, quantizeDecimal, quantizeFloat, SNARK_SCALAR_FIELD, toField, toTensorNumber } from '../../src/zk/fixed-point.js'
import { signedBits } from '../../src/zk/fixed-point.js'

describe('ZK fixed point', () => {
  it('quantizes floats exactly, rounding half away from zero', () => {
    expect(quantizeFloat(0.5, 16)).toBe(32768n)
    expect(quantizeFloat(-0.5, 16)).toBe(-32768n)
    // Exactly half a step: away from zero on both sides.
    expect(quantizeFloat(1.5 / 65536, 16)).toBe(2n)
    expect(quantizeFloat(-1.5 / 65536, 16)).toBe(-2n)
    expect(quantizeFloat(2.5 / 65536, 16)).toBe(3n)
    // Just below half a step rounds down (the classic Math.round(x + 0.5) error would round up).
    expect(quantizeFloat(0.49999999999999994 / 65536, 16)).toBe(0n)
    expect(quantizeFloat(Math.fround(0.1), 16)).toBe(6554n)
    expect(() => quantizeFloat(Number.NaN, 16)).toThrow(RangeError)
  })

  it('quantizes chain decimals in exact integer arithmetic', () => {
    expect(quantizeDecimal(15n, 1n, 16)).toBe(98304n) // 1.5
    expect(quantizeDecimal(-15n, 1n, 16)).toBe(-98304n)
    expect(quantizeDecimal(3n, -2n, 4)).toBe(4800n) // 300 · 16
    // 0.1 is not a binary fraction: 6553.6 rounds to 6554, the same as the float path.
    expect(quantizeDecimal(1n, 1n, 16)).toBe(6554n)
    // A tie in decimal (0.5 / 65536 = 0.00000762939453125) is exact and goes away from zero.
    expect(quantizeDecimal(762939453125n, 17n, 16)).toBe(1n)
    expect(quantizeDecimal(-762939453125n, 17n, 16)).toBe(-1n)
  })

  it('writes quantized values as exact chain decimals and reads them back', () => {
    for (const q of [0n, 1n, -1n, 123456789n, -(1n << 40n)]) {
      const n = toTensorNumber(q, 16)
      expect(n.decimals).toBe(16n)
      // value · 10^-16 equals q / 2^16 exactly
      expect(n.value * 2n ** 16n).toBe(q * 10n ** 16n)
      expect(fromTensorNumber(n, 16)).toBe(q)
    }
    expect(fromTensorNumber({ value: 1n, decimals: 16n }, 16)).toBeUndefined() // not a multiple of 5^16
    expect(fromTensorNumber({ value: 5n ** 16n, decimals: 8n }, 16)).toBeUndefined()
  })

  it('maps signed integers into the field and measures two\'s-complement widths', () => {
    expect(toField(-1n)).toBe(SNARK_SCALAR_FIELD - 1n)
    expect(toField(5n)).toBe(5n)
    expect(signedBits(0n, 0n)).toBe(1)
    expect(signedBits(-128n, 127n)).toBe(8)
    expect(signedBits(-129n, 127n)).toBe(9)
    expect(signedBits(0n, 128n)).toBe(9)
  })
})
