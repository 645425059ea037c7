/**
 * Witness computation with the calculator circom generated for the circuit (`model_js/`): its wasm
 * instance is built once per circuit and reused, so computing a witness takes milliseconds.
 * The calculator asserts every constraint as it goes (`===`, and so every range check): an input
 * the circuit cannot take fails here, before any proving.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { CompiledCircuit } from './circom.js'
import { ZkToolchainError } from './errors.js'

export interface WitnessCalculator {
  /** The full witness (signal 0 is the constant 1, then the public outputs in order). */
  witness(input: Record<string, string[]>): Promise<bigint[]>
  /** The witness in snarkjs's binary `.wtns` layout, ready for `groth16.prove`. */
  wtns(input: Record<string, string[]>): Promise<Uint8Array>
}

interface GeneratedCalculator {
  calculateWitness(input: Record<string, unknown>, sanityCheck: boolean): Promise<bigint[]>
  calculateWTNSBin(input: Record<string, unknown>, sanityCheck: boolean): Promise<Uint8Array>
}

const calculators = new Map<string, Promise<WitnessCalculator>>()

/**
 * The witness calculator of a compiled circuit (one per process and circuit).
 *
 * @example
 * const calc = await loadWitnessCalculator(compiled)
 * const [one, commitment, inputHash, outputHash] = await calc.witness(circuit.witnessInput(x))
 */
export function loadWitnessCalculator(compiled: CompiledCircuit): Promise<WitnessCalculator> {
  let pending = calculators.get(compiled.wasmFile)
  if (!pending) {
    pending = build(compiled)
    calculators.set(compiled.wasmFile, pending)
    pending.catch(() => calculators.delete(compiled.wasmFile))
  }
  return pending
}

async function build(compiled: CompiledCircuit): Promise<WitnessCalculator> {
  const dir = path.dirname(compiled.wasmFile)
  // circom writes CommonJS; the project's package.json says "type": "module", which would apply to it.
  const marker = path.join(dir, 'package.json')
  if (!existsSync(marker)) await writeFile(marker, '{ "type": "commonjs" }\n')
  const builder = calculatorBuilder(dir)
  const calculator = await builder(await readFile(compiled.wasmFile))
  // The calculator is one wasm instance with one shared memory: calls must not interleave.
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(run: () => Promise<T>): Promise<T> => {
    const next = queue.then(run, run)
    queue = next.catch(() => undefined)
    return next
  }
  const wrap = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await serial(run)
    } catch (cause) {
      throw new ZkToolchainError('ZK_PROVE_FAILED', `the circuit refused the witness: ${(cause as Error).message.trim()}`, { cause })
    }
  }
  return {
    witness: (input) => wrap(() => calculator.calculateWitness(input, true)),
    wtns: (input) => wrap(() => calculator.calculateWTNSBin(input, true)),
  }
}

/**
 * The calculator circom generated next to the wasm, or — for a circuit installed from the hub
 * (`artifacts.ts`: only the wasm travels) — circom_runtime's, the same runtime snarkjs computes
 * witnesses with (resolved through snarkjs, whose dependency it is).
 */
function calculatorBuilder(dir: string): (code: Uint8Array) => Promise<GeneratedCalculator> {
  const generated = path.join(dir, 'witness_calculator.js')
  const require = createRequire(import.meta.url)
  if (existsSync(generated)) return require(generated) as (code: Uint8Array) => Promise<GeneratedCalculator>
  const runtime = createRequire(require.resolve('snarkjs'))('circom_runtime') as { WitnessCalculatorBuilder: (code: Uint8Array) => Promise<GeneratedCalculator> }
  return (code) => runtime.WitnessCalculatorBuilder(code)
}
