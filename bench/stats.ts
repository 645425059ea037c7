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
  return summarise(samples)
}

/**
 * CPU time per run (user + system, every thread of this process: work handed to libuv's pool counts
 * too), where `time` gives wall-clock time. Same shape as `time`, in milliseconds.
 */
export async function cpuTime(runs: number, task: (i: number) => Promise<unknown>, warmup = Math.min(20, runs)): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await task(-1 - i)
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = process.cpuUsage()
    await task(i)
    const used = process.cpuUsage(started)
    samples.push((used.user + used.system) / 1000)
  }
  return summarise(samples)
}

/**
 * Times several tasks round-robin — one run of each per round, in a rotating order — so that all of
 * them see the same machine: on a shared machine, load that comes and goes would otherwise land on
 * whichever task happened to run then, and parts measured one after the other would not add up.
 */
export async function timeInterleaved<K extends string>(runs: number, tasks: Record<K, (i: number) => Promise<unknown>>, warmup = Math.min(20, runs)): Promise<Record<K, Timing>> {
  const names = Object.keys(tasks) as K[]
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>
  for (let i = -warmup; i < runs; i++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(j + i + warmup) % names.length]!
      const started = performance.now()
      await tasks[name](i)
      if (i >= 0) samples[name].push(performance.now() - started)
    }
  }
  return Object.fromEntries(names.map((name) => [name, summarise(samples[name])])) as Record<K, Timing>
}

/** The median of a few samples (the middle one; the upper middle one of an even count, as `summarise`). */
export function median(samples: readonly number[]): number {
  return summarise([...samples]).medianMs
}

function summarise(samples: number[]): Timing {
  samples.sort((a, b) => a - b)
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!
  return { runs: samples.length, medianMs: at(0.5), p90Ms: at(0.9), meanMs: samples.reduce((a, b) => a + b, 0) / samples.length }
}

export function fmt(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`
}

export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`
}
