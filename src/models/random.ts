/** Seeded pseudo-random numbers, so models built in code have the same weights on every machine. */

/**
 * Deterministic numbers in [0, 1) from a 32-bit seed (mulberry32: tiny, fast, good enough for
 * weights; not for anything secret).
 *
 * @example
 * const random = seededRandom(1)
 * random() // 0.6270739405881613, on every run
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
