import { describe, expect, it } from 'vitest'
import { decimalToFloat, decimalToInteger, floatToFixed } from '../../src/inference/fixed-point.js'

describe('floatToFixed', () => {
  it('rounds exact halves away from zero', () => {
    // 2^-9 · 10^8 = 195312.5 exactly in binary and decimal
    expect(floatToFixed(2 ** -9, 8)).toBe(195313n)
    expect(floatToFixed(-(2 ** -9), 8)).toBe(-195313n)
    expect(floatToFixed(0.5, 0)).toBe(1n)
    expect(floatToFixed(-0.5, 0)).toBe(-1n)
    expect(floatToFixed(2.5, 0)).toBe(3n)
    expect(floatToFixed(1.4999999999999998, 0)).toBe(1n)
  })

  it('uses the exact binary value of the float, not a float product', () => {
    // float32(0.1) = 0.100000001490116119384765625
    expect(floatToFixed(Math.fround(0.1), 8)).toBe(10000000n)
    expect(floatToFixed(Math.fround(0.1), 12)).toBe(100000001490n)
    // 0.29 · 1e8 in float64 is 28999999.999999996; the exact value rounds to 29000000
    expect(0.29 * 1e8).not.toBe(29000000)
    expect(floatToFixed(0.29, 8)).toBe(29000000n)
  })

  it('handles zero, subnormals, large values and rejects non-finite', () => {
    expect(floatToFixed(0, 8)).toBe(0n)
    expect(floatToFixed(-0, 8)).toBe(0n)
    expect(floatToFixed(5e-324, 8)).toBe(0n)
    expect(floatToFixed(2 ** 60, 8)).toBe(2n ** 60n * 10n ** 8n)
    expect(floatToFixed(-3.4028234663852886e38, 0)).toBe(-340282346638528859811704183484516925440n)
    expect(() => floatToFixed(Number.NaN, 8)).toThrow(RangeError)
    expect(() => floatToFixed(Number.POSITIVE_INFINITY, 8)).toThrow(RangeError)
  })

  it('matches Math.round on values where the float product is exact', () => {
    for (const x of [0, 1, -1, 123.25, -7.75, 1024.5, 0.375]) {
      expect(floatToFixed(x, 8)).toBe(BigInt(Math.round(Math.abs(x) * 1e8) * Math.sign(x)))
    }
  })
})

describe('decimalToFloat / decimalToInteger', () => {
  it('scales by powers of ten, both directions', () => {
    expect(decimalToFloat(15n, 1n)).toBe(1.5)
    expect(decimalToFloat(-15n, 1n)).toBe(-1.5)
    expect(decimalToFloat(3n, -2n)).toBe(300)
    expect(decimalToFloat(1n, 400n)).toBe(0)
    expect(decimalToFloat(1n, -400n)).toBe(Number.POSITIVE_INFINITY)
    expect(decimalToFloat(123456789012345678901234567890n, 29n)).toBe(1.2345678901234568)
  })

  it('gives integers only when there is no fraction', () => {
    expect(decimalToInteger(1600n, 2n)).toBe(16n)
    expect(decimalToInteger(-1600n, 2n)).toBe(-16n)
    expect(decimalToInteger(1601n, 2n)).toBeUndefined()
    expect(decimalToInteger(16n, -3n)).toBe(16000n)
    expect(decimalToInteger(0n, 50n)).toBe(0n)
  })
})
