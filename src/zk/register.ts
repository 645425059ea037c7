/**
 * Registering a model for ZK mode on chain, as its owner: prepare it (compile and set up, cached;
 * refusals first), deploy its generated verifier contract, record the setup in ZkInferences
 * (verifier, weights commitment, scale, value widths, verification key hash) and add ZK to the
 * model's modes in ModelRegistry. The model must be registered in ModelRegistry already.
 *
 * With a hub (`options.hubUrl`), the artifacts a prover needs (zkey, verification key, wasm, r1cs)
 * are published there by content and their CIDs recorded with `ModelRegistry.setZkArtifacts`, so
 * an inference node on any machine can fetch the registered keys (`artifacts.ts`).
 */
import type { Address, Hex, PublicClient, WalletClient } from 'viem'
import { modelRegistryAbi, zkInferencesAbi } from '../contracts/system.js'
import { ModelInferenceMode } from '../evm/types.js'
import { MODEL_REGISTRY_ADDRESS, ZK_INFERENCES_ADDRESS } from '../params.js'
import { publishZkArtifacts, readZkArtifacts, type ZkArtifactCids } from './artifacts.js'
import { ZkToolchainError } from './errors.js'
import { modelKey } from './onchain.js'
import { prepareZkModel, type PrepareZkModelOptions } from './prepare.js'
import type { ZkStage } from './progress.js'
import type { ZkModelDescriptor } from './zk-model.js'

export interface ZkRegistration {
  descriptor: ZkModelDescriptor
  verifier: Address
  /** Runtime code size of the verifier (bytes). */
  verifierCodeSize: number
  /** Whether this call registered it (false: it already was, with these keys). */
  registered: boolean
  /** Seconds per preparation stage that ran (cached stages are absent). */
  timings: Partial<Record<ZkStage, number>>
  /** The artifacts' CIDs as ModelRegistry records them (absent without a hub). */
  artifacts?: ZkArtifactCids
}

export interface RegisterZkModelOptions extends PrepareZkModelOptions {
  /** Publish the artifacts to this hub and record their CIDs on chain. */
  hubUrl?: string
}

/**
 * @throws ZkModelError when the model cannot be proven (before anything is sent)
 * @throws ZkToolchainError `ZK_SETUP_FAILED` when ZkInferences holds another setup for the model
 * @example
 * const { verifier, descriptor } = await registerZkModel({ publicClient, walletClient }, cid, onnxBytes, { onProgress })
 */
export async function registerZkModel(
  clients: { publicClient: PublicClient; walletClient: WalletClient },
  cid: string,
  onnx: Uint8Array,
  options: RegisterZkModelOptions = {},
): Promise<ZkRegistration> {
  const { publicClient, walletClient } = clients
  const account = walletClient.account
  if (!account) throw new TypeError('registerZkModel needs a wallet client with an account (the model owner)')
  const zk = await prepareZkModel(onnx, options)
  const descriptor = zk.descriptor()
  const verifierContract = await zk.solidityVerifier()
  const vkHash = `0x${descriptor.verificationKeySha256}` as Hex
  const [existing, , , , commitment, registeredVk] = await publicClient.readContract({
    address: ZK_INFERENCES_ADDRESS,
    abi: zkInferencesAbi,
    functionName: 'models',
    args: [modelKey(cid)],
  })
  if (BigInt(existing) !== 0n) {
    if (commitment !== descriptor.modelCommitment || registeredVk !== vkHash) {
      throw new ZkToolchainError('ZK_SETUP_FAILED', `model ${cid} is registered for ZK with other keys (commitment ${commitment}, key ${registeredVk})`)
    }
    const artifacts = options.hubUrl ? await publish(clients, cid, zk, options.hubUrl) : undefined
    return { descriptor, verifier: existing, verifierCodeSize: verifierContract.codeSize, registered: false, timings: zk.timings, ...(artifacts ? { artifacts } : {}) }
  }
  const deployed = await walletClient.deployContract({ abi: verifierContract.abi, bytecode: verifierContract.bytecode, account, chain: walletClient.chain })
  const receipt = await publicClient.waitForTransactionReceipt({ hash: deployed })
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new ZkToolchainError('ZK_SETUP_FAILED', `deploying the verifier failed (${deployed})`)
  const verifier = receipt.contractAddress
  await send(publicClient, walletClient, {
    address: ZK_INFERENCES_ADDRESS,
    abi: zkInferencesAbi,
    functionName: 'registerModel',
    args: [cid, verifier, descriptor.modelCommitment as Hex, descriptor.fractionBits, descriptor.inputBits, descriptor.outputBits, vkHash],
  })
  const model = await publicClient.readContract({ address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, functionName: 'getModel', args: [cid] })
  const zkBit = 1 << ModelInferenceMode.ZK
  if ((model.modes & zkBit) === 0) {
    await send(publicClient, walletClient, { address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, functionName: 'setModes', args: [cid, model.modes | zkBit] })
  }
  const artifacts = options.hubUrl ? await publish(clients, cid, zk, options.hubUrl) : undefined
  return { descriptor, verifier, verifierCodeSize: verifierContract.codeSize, registered: true, timings: zk.timings, ...(artifacts ? { artifacts } : {}) }
}

/**
 * Uploads the artifacts (idempotent on the hub: same bytes, same CID) and records them in
 * ModelRegistry unless it holds exactly these already (a re-run costs no transaction).
 */
async function publish(
  clients: { publicClient: PublicClient; walletClient: WalletClient },
  cid: string,
  zk: Awaited<ReturnType<typeof prepareZkModel>>,
  hubUrl: string,
): Promise<ZkArtifactCids> {
  const started = performance.now()
  const artifacts = await publishZkArtifacts(hubUrl, zk)
  const recorded = await readZkArtifacts(clients.publicClient, cid)
  const same = recorded && (Object.keys(artifacts) as Array<keyof ZkArtifactCids>).every((k) => recorded[k].toLowerCase() === artifacts[k].toLowerCase())
  if (!same) {
    await send(clients.publicClient, clients.walletClient, { address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, functionName: 'setZkArtifacts', args: [cid, artifacts] })
  }
  zk.timings.publish = Math.round((performance.now() - started) / 10) / 100
  return artifacts
}

async function send(publicClient: PublicClient, walletClient: WalletClient, call: Parameters<WalletClient['writeContract']>[0] | Record<string, unknown>): Promise<void> {
  const hash = await walletClient.writeContract({ account: walletClient.account!, chain: walletClient.chain, ...(call as object) } as Parameters<WalletClient['writeContract']>[0])
  const receipt = await publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success') throw new ZkToolchainError('ZK_SETUP_FAILED', `transaction ${hash} reverted`)
}
