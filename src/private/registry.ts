/**
 * Private models in the registries, through viem: the owner registers the id with its commitment and
 * public schema, authorises the nodes that may serve it and keeps the callers' allowlist.
 */
import type { Address, Hex, PublicClient } from 'viem'
import { modelRegistryAbi } from '../contracts/system.js'
import { ModelInferenceMode } from '../evm/types.js'
import { MODEL_REGISTRY_ADDRESS } from '../params.js'
import { modesBitmask } from '../sdk/registry.js'
import { sendAndWait, type WriteClients } from '../sdk/transact.js'
import { PrivateModelError } from './errors.js'
import type { PrivateModel } from './local-model.js'

type ModelWrite = 'registerModel' | 'setPrivacy' | 'setNodeAuthorized' | 'setCallersRestricted' | 'setCallerAllowed'

function write(clients: WriteClients, functionName: ModelWrite, args: readonly unknown[]): Promise<Hex> {
  return sendAndWait(clients, {
    address: MODEL_REGISTRY_ADDRESS,
    abi: modelRegistryAbi,
    functionName,
    args,
    account: clients.walletClient.account!,
    chain: clients.walletClient.chain,
  } as never)
}

function getModel(publicClient: PublicClient, cid: string) {
  return publicClient.readContract({ address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, functionName: 'getModel', args: [cid] })
}

function isRegistered(publicClient: PublicClient, cid: string): Promise<boolean> {
  return publicClient.readContract({ address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, functionName: 'isRegistered', args: [cid] })
}

export function isNodeAuthorized(publicClient: PublicClient, cid: string, node: Address): Promise<boolean> {
  return publicClient.readContract({ address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, functionName: 'isNodeAuthorized', args: [cid, node] })
}

/**
 * Makes sure `model` is registered as a private model the calling key may serve: registers it (the
 * caller becomes its owner, commitment and schema public, weights not) and authorises the caller, or
 * checks that the owner who registered it already authorised the caller. Only the commitment, the
 * schema and the work units reach the chain.
 *
 * @throws PrivateModelError NODE_NOT_AUTHORIZED (another owner, caller not authorised), PRIVATE_MODEL_MISMATCH
 * @example
 * await ensurePrivateModel(clients, await loadPrivateModel('model.onnx'), [ModelInferenceMode.VANILLA])
 */
export async function ensurePrivateModel(clients: WriteClients, model: PrivateModel, modes: ModelInferenceMode[] = [ModelInferenceMode.VANILLA]): Promise<void> {
  const self = clients.walletClient.account!.address
  const { metadata } = model
  if (!(await isRegistered(clients.publicClient, model.cid))) {
    const schema = [JSON.stringify(metadata.inputs), JSON.stringify(metadata.outputs)]
    await write(clients, 'registerModel', [model.cid, metadata.name ?? '', modesBitmask(modes), BigInt(metadata.workUnits), ...schema])
    await write(clients, 'setPrivacy', [model.cid, true, model.commitment])
    await write(clients, 'setNodeAuthorized', [model.cid, self, true])
    return
  }
  const entry = await getModel(clients.publicClient, model.cid)
  if (entry.owner.toLowerCase() === self.toLowerCase()) {
    if (!entry.isPrivate || entry.weightsCommitment.toLowerCase() !== model.commitment) await write(clients, 'setPrivacy', [model.cid, true, model.commitment])
    if (!(await isNodeAuthorized(clients.publicClient, model.cid, self))) await write(clients, 'setNodeAuthorized', [model.cid, self, true])
    return
  }
  if (!(await isNodeAuthorized(clients.publicClient, model.cid, self))) {
    throw new PrivateModelError('NODE_NOT_AUTHORIZED', `model ${model.cid} is owned by ${entry.owner}, who has not authorised node ${self} to serve it (ModelRegistry.setNodeAuthorized)`, {
      details: { cid: model.cid, owner: entry.owner, node: self },
    })
  }
}

/**
 * The modes a private model can be served in, of those a node serves: VANILLA (trust the node) and
 * TEE (attested). Not OPTIMISTIC — no challenger holds the weights to re-execute — and not ZK until
 * a private-weights setup is registered for the id in ZkInferences.
 */
export function privateModelModes(nodeModes: readonly ModelInferenceMode[]): ModelInferenceMode[] {
  return nodeModes.filter((m) => m === ModelInferenceMode.VANILLA || m === ModelInferenceMode.TEE)
}

/**
 * Owner only: authorises (or withdraws) `node` to serve `cid`.
 *
 * @example
 * await setNodeAuthorized(ownerClients, model.cid, secondNode, true)
 */
export function setNodeAuthorized(clients: WriteClients, cid: string, node: Address, authorized: boolean): Promise<Hex> {
  return write(clients, 'setNodeAuthorized', [cid, node, authorized])
}

/**
 * Owner only: restricts `cid` to its allowlist (`restricted: true`) or opens it to every caller.
 *
 * @example
 * await setCallersRestricted(ownerClients, model.cid, true)
 */
export function setCallersRestricted(clients: WriteClients, cid: string, restricted: boolean): Promise<Hex> {
  return write(clients, 'setCallersRestricted', [cid, restricted])
}

/**
 * Owner only: puts `caller` (a contract, or an account sending transactions) on, or off, the allowlist of `cid`.
 *
 * @example
 * await setCallerAllowed(ownerClients, model.cid, consumerContract, true)
 */
export function setCallerAllowed(clients: WriteClients, cid: string, caller: Address, allowed: boolean): Promise<Hex> {
  return write(clients, 'setCallerAllowed', [cid, caller, allowed])
}
