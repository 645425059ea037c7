/** Writing to and reading from the system registries (ModelRegistry, NodeRegistry). */
import type { Hex, PublicClient } from 'viem'
import { modelRegistryAbi, nodeRegistryAbi } from '../contracts/system.js'
import { ModelInferenceMode } from '../evm/types.js'
import type { ModelMetadata } from '../hub/types.js'
import { MODEL_REGISTRY_ADDRESS, NODE_REGISTRY_ADDRESS } from '../params.js'
import { sendAndWait, type WriteClients } from './transact.js'

export function modesBitmask(modes: ModelInferenceMode[]): number {
  return modes.reduce((mask, mode) => mask | (1 << mode), 0)
}

type Clients = WriteClients
const send = sendAndWait

/**
 * Registers a model (its CID, schema and work units from the hub's metadata) in ModelRegistry.
 * Does nothing if it is registered already.
 *
 * @example
 * await registerModel(clients, metadata, [ModelInferenceMode.VANILLA])
 */
export async function registerModel(clients: Clients, metadata: ModelMetadata, modes = [ModelInferenceMode.VANILLA]): Promise<Hex | undefined> {
  const registered = await clients.publicClient.readContract({
    address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, functionName: 'isRegistered', args: [metadata.cid],
  })
  if (registered) return undefined
  return send(clients, {
    address: MODEL_REGISTRY_ADDRESS,
    abi: modelRegistryAbi,
    functionName: 'registerModel',
    args: [metadata.cid, metadata.name ?? '', modesBitmask(modes), BigInt(metadata.workUnits), JSON.stringify(metadata.inputs), JSON.stringify(metadata.outputs)],
    account: clients.walletClient.account!,
    chain: clients.walletClient.chain,
  })
}

/**
 * Registers (or updates) the calling key as an inference node serving `models` at `endpoint`.
 *
 * @example
 * await registerInferenceNode(clients, { endpoint: 'http://127.0.0.1:7000', models: [cid] })
 */
export async function registerInferenceNode(
  clients: Clients,
  options: { endpoint: string; models: string[]; modes?: ModelInferenceMode[]; enclaveKey?: Hex },
): Promise<Hex> {
  const node = await clients.publicClient.readContract({
    address: NODE_REGISTRY_ADDRESS, abi: nodeRegistryAbi, functionName: 'getNode', args: [clients.walletClient.account!.address],
  })
  const modes = modesBitmask(options.modes ?? [ModelInferenceMode.VANILLA])
  // The enclave key first: once the node is routed to for TEE, its attestations must verify.
  if (options.enclaveKey !== undefined) await setEnclaveKey(clients, options.enclaveKey)
  return send(clients, {
    address: NODE_REGISTRY_ADDRESS,
    abi: nodeRegistryAbi,
    functionName: node.active ? 'update' : 'register',
    args: [options.endpoint, modes, options.models],
    account: clients.walletClient.account!,
    chain: clients.walletClient.chain,
  })
}

/**
 * Registers the calling node's enclave key (SPKI DER, 0x-hex): the `public_key` its TEE attestations carry.
 *
 * @example
 * await setEnclaveKey(clients, node.tee.enclaveKey)
 */
export function setEnclaveKey(clients: Clients, enclaveKey: Hex): Promise<Hex> {
  return send(clients, {
    address: NODE_REGISTRY_ADDRESS,
    abi: nodeRegistryAbi,
    functionName: 'setEnclaveKey',
    args: [enclaveKey],
    account: clients.walletClient.account!,
    chain: clients.walletClient.chain,
  })
}

/**
 * Governance: allows (or, with `allowed: false`, withdraws) an enclave image measurement (PCR0).
 * Only NodeRegistry's admin may (dev account #0 on devnets). Does nothing if already so.
 *
 * @example
 * await setTeeMeasurementAllowed(adminClients, enclave.measurement, true)
 */
export async function setTeeMeasurementAllowed(clients: Clients, measurement: Hex, allowed: boolean): Promise<Hex | undefined> {
  if ((await isTeeMeasurementAllowed(clients.publicClient, measurement)) === allowed) return undefined
  return send(clients, {
    address: NODE_REGISTRY_ADDRESS,
    abi: nodeRegistryAbi,
    functionName: allowed ? 'addTeeMeasurement' : 'removeTeeMeasurement',
    args: [measurement],
    account: clients.walletClient.account!,
    chain: clients.walletClient.chain,
  })
}

/** Whether NodeRegistry's allowlist holds `measurement`. */
export function isTeeMeasurementAllowed(publicClient: PublicClient, measurement: Hex): Promise<boolean> {
  return publicClient.readContract({ address: NODE_REGISTRY_ADDRESS, abi: nodeRegistryAbi, functionName: 'isTeeMeasurementAllowed', args: [measurement] })
}

/** Every model in ModelRegistry (owner, modes, schema, work units, price, privacy). */
export async function listModels(publicClient: PublicClient) {
  const count = await publicClient.readContract({ address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, functionName: 'modelCount' })
  const models = []
  for (let i = 0n; i < count; i++) {
    models.push(await publicClient.readContract({ address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, functionName: 'modelAt', args: [i] }))
  }
  return models
}

/** Every inference node NodeRegistry has seen, with its endpoint, modes, models and whether it is active. */
export async function listInferenceNodes(publicClient: PublicClient) {
  const count = await publicClient.readContract({ address: NODE_REGISTRY_ADDRESS, abi: nodeRegistryAbi, functionName: 'nodeCount' })
  const nodes = []
  for (let i = 0n; i < count; i++) {
    const address = await publicClient.readContract({ address: NODE_REGISTRY_ADDRESS, abi: nodeRegistryAbi, functionName: 'nodeAt', args: [i] })
    const node = await publicClient.readContract({ address: NODE_REGISTRY_ADDRESS, abi: nodeRegistryAbi, functionName: 'getNode', args: [address] })
    nodes.push({ address, ...node })
  }
  return nodes
}
