/**
 * The universal setup: a "powers of tau" file prepared for phase 2, made once and committed to the
 * repository under `zk/ptau/` with a manifest pinning its sha256 (how it was made: its README).
 * Every per-circuit setup reads it; nothing ever regenerates it. A circuit fits if its constraints,
 * public signals and the constant one fit 2^power.
 */
import { existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { findProjectRoot } from '../contracts/files.js'
import { fileDigest } from './cache.js'
import { ZkToolchainError } from './errors.js'

export interface UniversalSetup {
  /** Absolute path of the `.ptau` file. */
  file: string
  /** Supports circuits of up to 2^power constraints (+ public signals + 1). */
  power: number
  sha256: string
  /** CIDv1 (raw, sha2-256) of the file, as the hub names content. */
  cid: string
}

/** `zk/ptau/ptau.json`: what the committed file is. */
interface PtauManifest {
  file: string
  power: number
  sha256: string
  cid: string
}

/** `<project root>/zk/ptau`, where the committed universal setup lives. */
export function defaultPtauDir(): string {
  return path.join(findProjectRoot(), 'zk', 'ptau')
}

/** Verified files, by path and modification time: hashing 18 MB once per process is enough. */
const verified = new Map<string, Promise<UniversalSetup>>()

/**
 * The committed universal setup, its hash checked against the manifest (once per process).
 *
 * @throws ZkToolchainError `ZK_PTAU_INVALID` when the file is missing or not the pinned one
 * @example
 * const ptau = await loadUniversalSetup()
 * maxConstraints(ptau, 3) // 16380 at power 14
 */
export function loadUniversalSetup(dir: string = defaultPtauDir()): Promise<UniversalSetup> {
  const manifestFile = path.join(dir, 'ptau.json')
  const key = `${manifestFile}:${existsSync(manifestFile) ? statSync(manifestFile).mtimeMs : 0}`
  let pending = verified.get(key)
  if (!pending) {
    pending = check(dir, manifestFile)
    verified.set(key, pending)
    pending.catch(() => verified.delete(key))
  }
  return pending
}

async function check(dir: string, manifestFile: string): Promise<UniversalSetup> {
  if (!existsSync(manifestFile)) throw new ZkToolchainError('ZK_PTAU_INVALID', `no universal setup manifest at ${manifestFile}`)
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as PtauManifest
  const file = path.join(dir, manifest.file)
  if (!existsSync(file)) throw new ZkToolchainError('ZK_PTAU_INVALID', `the universal setup file ${file} is missing`)
  const { sha256: digest, cid } = await fileDigest(file)
  if (digest !== manifest.sha256) {
    throw new ZkToolchainError('ZK_PTAU_INVALID', `${file} has sha256 ${digest}, the manifest pins ${manifest.sha256}`, {
      details: { file, sha256: digest, expected: manifest.sha256 },
    })
  }
  return { file, power: manifest.power, sha256: digest, cid }
}

/** The most constraints a circuit with `publicSignals` public signals may have under this setup. */
export function maxConstraints(setup: Pick<UniversalSetup, 'power'>, publicSignals: number): number {
  return 2 ** setup.power - publicSignals - 1
}
