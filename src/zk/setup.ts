/**
 * Per-circuit Groth16 setup (phase 2), run when a model is registered for ZK mode: the proving key
 * (zkey) from the circuit and the universal setup, one random contribution whose entropy is thrown
 * away (the "toxic waste" never exists outside this process), and the verification key.
 *
 * A single contributor is a trusted setup by the registrant: enough for a devnet and for a model
 * owner proving their own model; a production network runs more contributions (snarkjs
 * `zkey contribute`, one per party) before publishing — the format stays the same.
 *
 * Cached per (circuit id, universal setup): `<cache>/setups/<circuitId>-<ptau sha256 prefix>/` holds
 * `circuit.zkey`, `verification_key.json` and `setup.json` (the hashes and CIDs that name them).
 */
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { zKey, type VerificationKey } from 'snarkjs'
import type { CompiledCircuit } from './circom.js'
import { cachedDirectory, fileDigest, readJson, sha256Hex, writeJson } from './cache.js'
import { ZkModelError, ZkToolchainError } from './errors.js'
import { CONTRIBUTE_STEPS, ProgressReporter, SETUP_STEPS, snarkjsLogger } from './progress.js'
import { maxConstraints, type UniversalSetup } from './ptau.js'

export interface CircuitSetup {
  circuitId: string
  dir: string
  zkeyFile: string
  verificationKey: VerificationKey
  /** What names the artifacts (also in `setup.json`). */
  manifest: SetupManifest
}

export interface SetupManifest {
  circuitId: string
  ptauSha256: string
  zkeySha256: string
  zkeyCid: string
  /** sha256 of the canonical verification key JSON (`canonicalVerificationKey`). */
  verificationKeySha256: string
  constraints: number
  /** Wall time of the setup that made this entry (seconds). */
  setupSeconds: number
}

/**
 * The circuit's proving and verification keys, from the cache or made now (with progress).
 *
 * @throws ZkModelError `ZK_MODEL_TOO_LARGE` when the circuit does not fit the universal setup
 * @throws ZkToolchainError `ZK_SETUP_FAILED`
 * @example
 * const setup = await setupCircuit(compiled, { ptau: await loadUniversalSetup(), cacheDir })
 */
export async function setupCircuit(
  compiled: CompiledCircuit,
  options: { ptau: UniversalSetup; cacheDir: string; reporter?: ProgressReporter },
): Promise<CircuitSetup> {
  const { ptau } = options
  const publicSignals = compiled.info.publicOutputs + compiled.info.publicInputs
  const limit = maxConstraints(ptau, publicSignals)
  if (compiled.info.constraints > limit) {
    throw new ZkModelError('ZK_MODEL_TOO_LARGE', `the circuit has ${compiled.info.constraints} constraints; the universal setup (power ${ptau.power}) takes at most ${limit}`, {
      constraints: compiled.info.constraints,
      limit,
    })
  }
  const reporter = options.reporter ?? new ProgressReporter()
  const dir = setupCacheDir(options.cacheDir, compiled.circuitId, ptau)
  await cachedDirectory(dir, async (tmp) => {
    const started = performance.now()
    const initial = path.join(tmp, 'circuit_0000.zkey')
    const final = path.join(tmp, 'circuit.zkey')
    reporter.stage('setup')
    const logger = snarkjsLogger(reporter, SETUP_STEPS)
    const created = await zKey.newZKey(compiled.r1csFile, ptau.file, initial, logger)
    if (created === -1 || !existsSync(initial)) {
      throw new ZkToolchainError('ZK_SETUP_FAILED', `snarkjs could not create the proving key: ${logger.errors.join('; ') || 'unknown error'}`)
    }
    reporter.stage('contribute')
    await zKey.contribute(initial, final, 'inferchain registration', randomBytes(32).toString('hex'), snarkjsLogger(reporter, CONTRIBUTE_STEPS))
    await rm(initial)
    reporter.stage('export')
    const vk = await zKey.exportVerificationKey(final)
    const zkeyHash = await fileDigest(final)
    const manifest: SetupManifest = {
      circuitId: compiled.circuitId,
      ptauSha256: ptau.sha256,
      zkeySha256: zkeyHash.sha256,
      zkeyCid: zkeyHash.cid,
      verificationKeySha256: sha256Hex(canonicalVerificationKey(vk)),
      constraints: compiled.info.constraints,
      setupSeconds: Math.round((performance.now() - started) / 100) / 10,
    }
    await writeJson(path.join(tmp, 'verification_key.json'), vk)
    await writeJson(path.join(tmp, 'setup.json'), manifest)
  })
  return loadCircuitSetup(dir)
}

/** The cache entry of a circuit's setup under a universal setup (also filled from the hub, `artifacts.ts`). */
export function setupCacheDir(cacheDir: string, circuitId: string, ptau: Pick<UniversalSetup, 'sha256'>): string {
  return path.join(cacheDir, 'setups', `${circuitId}-${ptau.sha256.slice(0, 16)}`)
}

/** Reads a setup directory written by `setupCircuit`. */
export async function loadCircuitSetup(dir: string): Promise<CircuitSetup> {
  const manifest = await readJson<SetupManifest>(path.join(dir, 'setup.json'))
  const verificationKey = await readJson<VerificationKey>(path.join(dir, 'verification_key.json'))
  if (sha256Hex(canonicalVerificationKey(verificationKey)) !== manifest.verificationKeySha256) {
    throw new ZkToolchainError('ZK_ARTIFACT_INVALID', `the verification key in ${dir} does not match its manifest`)
  }
  return { circuitId: manifest.circuitId, dir, zkeyFile: path.join(dir, 'circuit.zkey'), verificationKey, manifest }
}

/**
 * The verification key as canonical JSON (the fields a verifier uses, in a fixed order): what its
 * sha256 content address is taken over, so the same key always has the same address.
 */
export function canonicalVerificationKey(vk: VerificationKey): string {
  const { protocol, curve, nPublic, vk_alpha_1, vk_beta_2, vk_gamma_2, vk_delta_2, IC } = vk
  return JSON.stringify({ protocol, curve, nPublic, vk_alpha_1, vk_beta_2, vk_gamma_2, vk_delta_2, IC })
}
