/**
 * Per-model ZK artifacts on the hub and on chain: registration publishes what a prover needs —
 * the proving key (zkey), the verification key JSON, the circuit's witness generator (wasm) and its
 * constraint system (r1cs) — as content-addressed hub artifacts and records their CIDs in
 * `ModelRegistry.setZkArtifacts`; an inference node with a fresh cache installs them into its ZK
 * cache by CID instead of compiling and setting up (a setup of its own would make other keys).
 *
 * Why these four: proving needs the wasm (witness) and the zkey; the node checks its keys against
 * ZkInferences with the verification key; the r1cs gives the circuit's exact sizes (and lets anyone
 * run `snarkjs zkey verify r1cs ptau zkey`). Every download is checked against its CID, the
 * verification key against the hash ZkInferences holds, and the zkey against the verification key
 * (the key exported from the zkey must be the same), so a hub cannot hand out other keys.
 */
import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Hex, PublicClient } from 'viem'
import { zKey, type VerificationKey } from 'snarkjs'
import { modelRegistryAbi } from '../contracts/system.js'
import { HubClient } from '../hub/client.js'
import { MODEL_REGISTRY_ADDRESS } from '../params.js'
import { cachedDirectory, fileDigest, readJson, sha256Hex, writeJson } from './cache.js'
import { readR1csHeader, circuitCacheDir, type CircuitInfo } from './circom.js'
import type { EmittedCircuit } from './circuit.js'
import { ZkToolchainError } from './errors.js'
import type { UniversalSetup } from './ptau.js'
import { canonicalVerificationKey, setupCacheDir, type SetupManifest } from './setup.js'
import type { ZkModel } from './zk-model.js'

/** What `ModelRegistry.zkArtifacts(cid)` holds. */
export interface ZkArtifactCids {
  zkeyCid: string
  vkeyCid: string
  wasmCid: string
  r1csCid: string
  /** 0x-hex sha256 of the universal setup the zkey was made from. */
  ptauSha256: Hex
}

/** Where a prover gets a model's artifacts: a hub, their CIDs, and the key hash registered on chain. */
export interface ZkArtifactSource {
  hubUrl: string
  artifacts: ZkArtifactCids
  /** 0x-hex sha256 of the canonical verification key, as ZkInferences records it (checked on install). */
  verificationKeyHash?: Hex
}

/**
 * Uploads a prepared model's artifacts to the hub.
 *
 * @throws ZkToolchainError `ZK_SETUP_FAILED` if the model was prepared without keys; HubError
 * @example
 * const cids = await publishZkArtifacts('http://127.0.0.1:8546', await prepareZkModel(onnx))
 */
export async function publishZkArtifacts(hubUrl: string, zk: ZkModel): Promise<ZkArtifactCids> {
  const setup = zk.setup
  if (!setup) throw new ZkToolchainError('ZK_SETUP_FAILED', 'this model was prepared without keys (setup: false): nothing to publish')
  const hub = new HubClient(hubUrl)
  // One at a time: the zkey is the large one, and the hub streams each to disk anyway.
  const zkey = await hub.uploadArtifact(setup.zkeyFile)
  const vkey = await hub.uploadArtifact(path.join(setup.dir, 'verification_key.json'))
  const wasm = await hub.uploadArtifact(zk.compiled.wasmFile)
  const r1cs = await hub.uploadArtifact(zk.compiled.r1csFile)
  return { zkeyCid: zkey.cid, vkeyCid: vkey.cid, wasmCid: wasm.cid, r1csCid: r1cs.cid, ptauSha256: `0x${zk.ptau.sha256}` }
}

/**
 * The artifacts `ModelRegistry` records for `cid`, or undefined when none were published.
 *
 * @example
 * const artifacts = await readZkArtifacts(publicClient, cid)
 */
export async function readZkArtifacts(publicClient: PublicClient, cid: string): Promise<ZkArtifactCids | undefined> {
  const a = await publicClient.readContract({ address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, functionName: 'zkArtifacts', args: [cid] })
  if (a.zkeyCid.length === 0) return undefined
  return { zkeyCid: a.zkeyCid, vkeyCid: a.vkeyCid, wasmCid: a.wasmCid, r1csCid: a.r1csCid, ptauSha256: a.ptauSha256 }
}

/** Largest artifact a node downloads (the committed setup's largest circuits make ~40 MB zkeys). */
const MAX_ARTIFACT_BYTES = 512 * 1024 * 1024

/**
 * Fills the ZK cache entries of `circuit` (compiled circuit, setup) from the hub, for those that
 * are missing; entries already cached are left alone. Afterwards `prepareZkModel` finds both and
 * neither compiles nor sets up.
 *
 * @throws ZkToolchainError `ZK_PTAU_INVALID` (made from another universal setup),
 *   `ZK_ARTIFACT_INVALID` (keys that are not the registered ones, or do not belong together); HubError
 * @example
 * await installZkArtifacts({ hubUrl, artifacts }, emitCircuit(model), ptau, cacheDir)
 */
export async function installZkArtifacts(source: ZkArtifactSource, circuit: EmittedCircuit, ptau: UniversalSetup, cacheDir: string): Promise<void> {
  const { artifacts } = source
  if (artifacts.ptauSha256.toLowerCase() !== `0x${ptau.sha256}`) {
    throw new ZkToolchainError('ZK_PTAU_INVALID', `the model's keys were made from universal setup ${artifacts.ptauSha256}, this node has 0x${ptau.sha256}`)
  }
  const hub = new HubClient(source.hubUrl)
  const get = (cid: string, file: string) => hub.downloadArtifact(cid, file, { maxBytes: MAX_ARTIFACT_BYTES })
  await cachedDirectory(circuitCacheDir(cacheDir, circuit.circuitId), async (tmp) => {
    await mkdir(path.join(tmp, 'model_js'))
    await get(artifacts.wasmCid, path.join(tmp, 'model_js', 'model.wasm'))
    await get(artifacts.r1csCid, path.join(tmp, 'model.r1cs'))
    const info: CircuitInfo = { ...readR1csHeader(await readFile(path.join(tmp, 'model.r1cs'))), compileSeconds: 0 }
    // No witness_calculator.js: `witness.ts` runs the wasm with circom_runtime's calculator then.
    await writeJson(path.join(tmp, 'circuit.json'), { circuitId: circuit.circuitId, weights: circuit.weights, ...info, source: { hub: source.hubUrl, wasmCid: artifacts.wasmCid, r1csCid: artifacts.r1csCid } })
  })
  await cachedDirectory(setupCacheDir(cacheDir, circuit.circuitId, ptau), async (tmp) => {
    const zkeyFile = path.join(tmp, 'circuit.zkey')
    const vkFile = path.join(tmp, 'verification_key.json')
    await get(artifacts.vkeyCid, vkFile)
    const vk = await readJson<VerificationKey>(vkFile)
    const vkSha = sha256Hex(canonicalVerificationKey(vk))
    if (source.verificationKeyHash && `0x${vkSha}` !== source.verificationKeyHash.toLowerCase()) {
      throw new ZkToolchainError('ZK_ARTIFACT_INVALID', `verification key ${artifacts.vkeyCid} hashes to 0x${vkSha}, ZkInferences registered ${source.verificationKeyHash}`)
    }
    await get(artifacts.zkeyCid, zkeyFile)
    // The zkey holds its verification key: it must be the one published, or proofs would not verify.
    if (sha256Hex(canonicalVerificationKey(await zKey.exportVerificationKey(zkeyFile))) !== vkSha) {
      throw new ZkToolchainError('ZK_ARTIFACT_INVALID', `proving key ${artifacts.zkeyCid} does not belong to verification key ${artifacts.vkeyCid}`)
    }
    const info = await readJson<CircuitInfo>(path.join(circuitCacheDir(cacheDir, circuit.circuitId), 'circuit.json'))
    const digest = await fileDigest(zkeyFile)
    const manifest: SetupManifest = {
      circuitId: circuit.circuitId,
      ptauSha256: ptau.sha256,
      zkeySha256: digest.sha256,
      zkeyCid: digest.cid,
      verificationKeySha256: vkSha,
      constraints: info.constraints,
      setupSeconds: 0,
    }
    await writeJson(path.join(tmp, 'setup.json'), manifest)
  })
}
