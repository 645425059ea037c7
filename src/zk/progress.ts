/**
 * Progress of the slow ZK steps (compile, setup, prove), reported as stages with an optional
 * fraction, so a CLI can drive a progress bar and a service can log timings. snarkjs reports its
 * own progress as log lines ("... 1024/16384"); `snarkjsLogger` turns those into fractions.
 */
import type { Logger } from 'snarkjs'

export type ZkStage =
  | 'import'
  | 'quantize'
  /** Loading the universal setup (its hash is checked once per process). */
  | 'load'
  | 'emit'
  /** Downloading registered artifacts from the hub (a prover with a fresh cache). */
  | 'fetch'
  | 'compile'
  | 'setup'
  | 'contribute'
  | 'export'
  | 'verifier'
  /** Uploading the artifacts to the hub at registration. */
  | 'publish'
  | 'witness'
  | 'prove'
  | 'done'

export interface ZkProgress {
  stage: ZkStage
  /** 0..1 within the stage when known. */
  fraction?: number
  /** The tool's last message, for a status line. */
  message?: string
  /** Seconds since the operation started. */
  elapsed: number
}

export type ZkProgressListener = (progress: ZkProgress) => void

/** Reports stages of one operation with elapsed time; a no-op without a listener. */
export class ProgressReporter {
  readonly #started = performance.now()
  readonly #listener: ZkProgressListener | undefined
  readonly timings: Partial<Record<ZkStage, number>> = {}
  #stage: ZkStage | undefined
  #stageStarted = performance.now()

  constructor(listener?: ZkProgressListener) {
    this.#listener = listener
  }

  /** Enters a stage (closing the previous one's timing). */
  stage(stage: ZkStage): void {
    this.#close()
    this.#stage = stage
    this.#stageStarted = performance.now()
    this.#emit({ stage })
  }

  /** Progress within the current stage. */
  update(fraction: number | undefined, message?: string): void {
    if (this.#stage) this.#emit({ stage: this.#stage, fraction, message })
  }

  /** Ends the operation: the last stage's timing is recorded and `done` is reported. */
  finish(): Partial<Record<ZkStage, number>> {
    this.#close()
    this.#stage = undefined
    this.#emit({ stage: 'done', fraction: 1 })
    return this.timings
  }

  #close(): void {
    if (this.#stage) this.timings[this.#stage] = round((performance.now() - this.#stageStarted) / 1000)
  }

  #emit(p: Omit<ZkProgress, 'elapsed'>): void {
    this.#listener?.({ ...p, elapsed: round((performance.now() - this.#started) / 1000) })
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100
}

/** The steps snarkjs logs while making a proving key (`zkey new`), in order. */
export const SETUP_STEPS = [
  'Reading r1cs',
  'Reading tauG1',
  'Reading tauG2',
  'Reading alphatauG1',
  'Reading betatauG1',
  'processing constraints',
  'writing coeffs',
  'Writing points start IC',
  'splitting buffer',
  'HashingHPoints',
  'Writing points start C',
  'Writing points start A',
  'Writing points start B1',
  'Writing points start B2',
  'Circuit hash',
] as const

/** The steps snarkjs logs while proving (`groth16 prove`), in order. */
export const PROVE_STEPS = ['Reading Wtns', 'Reading Coeffs', 'Building ABC', 'Join ABC', 'Reading A Points', 'Reading B1 Points', 'Reading B2 Points', 'Reading C Points', 'Reading H Points'] as const

/** The steps of a phase-2 contribution (`zkey contribute`). */
export const CONTRIBUTE_STEPS = ['Applying key: L', 'Applying key: H', 'Circuit Hash', 'Contribution Hash'] as const

/**
 * A snarkjs logger that turns its log lines into progress of the current stage: with `steps` (the
 * labels snarkjs logs, in order), the fraction is (steps passed + the line's own "n/m") / steps, and
 * never goes back; without, only "n/m" lines count. Errors are kept: snarkjs reports some failures
 * only through `logger.error` and a return value of -1.
 */
export function snarkjsLogger(reporter: ProgressReporter, steps: readonly string[] = []): Logger & { errors: string[] } {
  const errors: string[] = []
  let step = -1
  let reached = 0
  const onLine = (message: string) => {
    const m = /(\d+)\s*\/\s*(\d+)\s*$/.exec(message)
    const within = m && Number(m[2]) > 0 ? Math.min(1, Number(m[1]) / Number(m[2])) : 0
    const found = steps.findIndex((label, i) => i >= step && message.startsWith(label))
    if (found >= 0) step = found
    let fraction: number | undefined
    if (steps.length > 0 && step >= 0) fraction = Math.max(reached, (step + within) / steps.length)
    else if (m) fraction = within
    if (fraction !== undefined && steps.length > 0) reached = fraction
    reporter.update(fraction, message)
  }
  return {
    errors,
    debug: onLine,
    info: onLine,
    warn: onLine,
    error: (message: string) => void errors.push(message),
  }
}
