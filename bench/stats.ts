/** Tiny timing helpers for the benchmarks: repeated runs, median and percentiles in milliseconds. */
export interface Timing {
  runs: number
  medianMs: number
  p90Ms: number
  meanMs: number
}

export async function time(runs: number, task: (i: number) => Promise<unknown>, warmup = Math.min(20, runs)): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await task(-1 - i)
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await task(i)
    samples.push(performance.now() - started)
  }
  samples.sort((a, b) => a - b)
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!
  return { runs, medianMs: at(0.5), p90Ms: at(0.9), meanMs: samples.reduce((a, b) => a + b, 0) / samples.length }
}

export function fmt(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`
}

export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`
}
