/**
 * Starting `inferchain` subcommands as child processes that announce readiness with one JSON line
 * on stdout (`--json`). Used by `dev` for inference nodes and by integration tests.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { InferchainError } from '../errors.js'

export class ChildStartError extends InferchainError {
  override readonly name = 'ChildStartError' as const
  constructor(message: string) {
    super('CHILD_START_FAILED', message)
  }
}

/** This CLI's entry file, whether running compiled (dist) or from source (tsx). */
export const CLI_ENTRY = fileURLToPath(new URL(`./index${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url))

export interface ReadyChild<T> {
  process: ChildProcess
  ready: T
  stop(): Promise<void>
}

export interface SpawnCliOptions {
  timeoutMs?: number
  env?: NodeJS.ProcessEnv
  /** The CLI file to run (default: this CLI, with this process's loader flags). */
  entry?: string
}

/** Spawns `inferchain <args>` and resolves with the first JSON line it prints. */
export function spawnCli<T>(args: string[], options: SpawnCliOptions = {}): Promise<ReadyChild<T>> {
  const nodeArgs = options.entry ? [options.entry] : [...process.execArgv, CLI_ENTRY]
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...options.env },
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new ChildStartError(`inferchain ${args[0]} did not become ready in time`))
    }, options.timeoutMs ?? 60_000)
    const lines = createInterface({ input: child.stdout! })
    lines.once('line', (line) => {
      clearTimeout(timer)
      try {
        resolve({ process: child, ready: JSON.parse(line) as T, stop: () => stopChild(child) })
      } catch {
        reject(new ChildStartError(`inferchain ${args[0]} printed no JSON ready line: ${line}`))
      }
      // Keep draining so the child never blocks on a full pipe.
      lines.on('line', (l) => process.stderr.write(`${l}\n`))
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new ChildStartError(`inferchain ${args[0]} exited with code ${code} before it was ready`))
    })
  })
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000)
    child.once('exit', () => {
      clearTimeout(force)
      resolve()
    })
    child.kill(signal)
  })
}
