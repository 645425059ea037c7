/**
 * Registering a model for ZK mode on chain, as its owner: prepare it (compile and set up, cached;
 * refusals first), deploy its generated verifier contract, record the setup in ZkInferences
 * (verifier, weights commitment, scale, value widths, verification key hash) and add ZK to the
 * model's modes in ModelRegistry. The model must be registered in ModelRegistry already.
 */
import type { Address, Hex, PublicClient, WalletClient } from 'viem'
import { modelRegistryAbi, zkInferencesAbi } from '../contracts/system.js'
import { ModelInferenceMode } from '../evm/types.js'
import { MODEL_REGISTRY_ADDRESS, ZK_INFERENCES_ADDRESS } from '../params.js'
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
  options: PrepareZkModelOptions = {},
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
    return { descriptor, verifier: existing, verifierCodeSize: verifierContract.codeSize, registered: false, timings: zk.timings }
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
  return { descriptor, verifier, verifierCodeSize: verifierContract.codeSize, registered: true, timings: zk.timings }
}

async function send(publicClient: PublicClient, walletClient: WalletClient, call: Parameters<WalletClient['writeContract']>[0] | Record<string, unknown>): Promise<void> {
  const hash = await walletClient.writeContract({ account: walletClient.account!, chain: walletClient.chain, ...(call as object) } as Parameters<WalletClient['writeContract']>[0])
  const receipt = await publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success') throw new ZkToolchainError('ZK_SETUP_FAILED', `transaction ${hash} reverted`)
}
