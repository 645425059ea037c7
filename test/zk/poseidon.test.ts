import { buildPoseidon } from 'circomlibjs'
import { describe, expect, it } from 'vitest'
import { packedHash, poseidon } from '../../src/zk/index.js'
import { packedHashTag, packValues, SPONGE_RATE } from '../../src/zk/poseidon.js'
import { SNARK_SCALAR_FIELD } from '../../src/zk/fixed-point.js'

describe('Poseidon (BN254, circomlib parameters)', () => {
  it('equals circomlibjs for every width 1..16, on edge and random field elements', async () => {
    const reference = await buildPoseidon()
    const ref = (xs: bigint[]) => reference.F.toObject(reference(xs))
    expect(poseidon([1n, 2n])).toBe(7853200120776062878684798364095072458815029376092732009249414926327459813530n)
    let seed = 12345n
    const next = () => (seed = (seed * 6364136223846793005n + 1442695040888963407n) % SNARK_SCALAR_FIELD)
    for (let n = 1; n <= 16; n++) {
      for (const xs of [new Array<bigint>(n).fill(0n), new Array<bigint>(n).fill(SNARK_SCALAR_FIELD - 1n), Array.from({ length: n }, next)]) {
        expect(poseidon(xs)).toBe(ref(xs))
      }
    }
    expect(() => poseidon([])).toThrow(RangeError)
    expect(() => poseidon([SNARK_SCALAR_FIELD])).toThrow(RangeError)
  })

  it('hashes packed vectors as a sponge whose tag binds the domain, count and width', () => {
    // 3 values of 100 bits: 2 per limb → 2 limbs → one call Poseidon(tag, l0, l1).
    const values = [1n, 2n, 3n]
    const limbs = packValues(values, 100)
    expect(limbs).toEqual([1n | (2n << 100n), 3n])
    expect(packedHash('input', values, 100)).toBe(poseidon([packedHashTag('input', 3, 100), ...limbs]))
    // Another domain, count or width is another hash, also for the same limbs.
    expect(packedHash('output', values, 100)).not.toBe(packedHash('input', values, 100))
    expect(packedHash('input', [1n, 2n, 3n, 0n], 100)).not.toBe(packedHash('input', values, 100))
    // More than 15 limbs: full calls chain the state.
    const many = Array.from({ length: SPONGE_RATE + 2 }, (_, i) => BigInt(i))
    const tag = packedHashTag('weights', many.length, 253)
    const first = poseidon([tag, ...many.slice(0, SPONGE_RATE)])
    expect(packedHash('weights', many, 253)).toBe(poseidon([first, ...many.slice(SPONGE_RATE)]))
    expect(() => packValues([1n << 8n], 8)).toThrow(RangeError)
  })
})
