/**
 * The hashes a ZK statement is made of, computed off-circuit exactly as the circuit computes them
 * (`circuit.ts` emits the same construction in circom; tests compare the two).
 *
 * Poseidon is circomlib's (BN254; `poseidon-bn254.ts`). Vectors of small integers are
 * hashed by a **packed sponge**: each value must lie in [0, 2^bits) (signed values are offset by
 * 2^(bits−1) first); ⌊253 / bits⌋ values are packed into one field element ("limb", first value in
 * the low bits); the state starts at a tag that binds the domain, the count and the width, and
 * absorbs 15 limbs per Poseidon call: `h ← Poseidon(h, limb₁ … limb₁₅)`, the last call taking
 * what is left. Packing is why the circuit range-checks what it hashes: without the bound two
 * different vectors could pack to the same limbs.
 */

import { poseidon } from './poseidon-bn254.js'

export { poseidon }

/** Domains of the packed hashes (part of every tag, so a hash of one kind never equals one of another). */
export const HASH_DOMAIN = { weights: 1n, input: 2n, output: 3n } as const
export type HashDomain = keyof typeof HASH_DOMAIN

/** Bits of a limb: 2^253 < p, so a full limb never wraps the field. */
export const LIMB_BITS = 253
/** Limbs absorbed per Poseidon call (Poseidon takes at most 16 inputs; one is the running state). */
export const SPONGE_RATE = 15

/** The sponge's initial state: `domain · 2^48 + count · 2^8 + bits` (count < 2^40, bits < 256). */
export function packedHashTag(domain: HashDomain, count: number, bits: number): bigint {
  return (HASH_DOMAIN[domain] << 48n) | (BigInt(count) << 8n) | BigInt(bits)
}

/** Values per limb at this width. */
export function valuesPerLimb(bits: number): number {
  return Math.floor(LIMB_BITS / bits)
}

/**
 * Packs non-negative values below 2^bits into limbs.
 *
 * @throws RangeError for a value outside [0, 2^bits) (a caller's bug: ranges are checked before hashing)
 */
export function packValues(values: readonly bigint[], bits: number): bigint[] {
  const per = valuesPerLimb(bits)
  const limit = 1n << BigInt(bits)
  const limbs: bigint[] = new Array<bigint>(Math.ceil(values.length / per)).fill(0n)
  values.forEach((v, i) => {
    if (v < 0n || v >= limit) throw new RangeError(`value ${v} at ${i} is outside [0, 2^${bits})`)
    limbs[Math.floor(i / per)]! |= v << BigInt(bits * (i % per))
  })
  return limbs
}

/**
 * The packed-sponge hash of `values` (each in [0, 2^bits)) in `domain`.
 *
 * @example
 * packedHash('output', [5n, 0n, 7n], 20)
 */
export function packedHash(domain: HashDomain, values: readonly bigint[], bits: number): bigint {
  const limbs = packValues(values, bits)
  let state = packedHashTag(domain, values.length, bits)
  // Full calls of SPONGE_RATE limbs, then one call with the rest (1..15 limbs; the circuit does the same).
  const full = limbs.length === 0 ? 0 : Math.floor((limbs.length - 1) / SPONGE_RATE)
  for (let c = 0; c < full; c++) state = poseidon([state, ...limbs.slice(c * SPONGE_RATE, (c + 1) * SPONGE_RATE)])
  return poseidon([state, ...limbs.slice(full * SPONGE_RATE)])
}

/** Signed values in two's-complement width `bits`, offset into [0, 2^bits) for hashing. */
export function offsetSigned(values: readonly bigint[], bits: number): bigint[] {
  const offset = 1n << BigInt(bits - 1)
  return values.map((v) => v + offset)
}
