/**
 * The system registries as JSON, for clients that do not speak ABI (the explorer, shell scripts):
 *
 *   inferchain_models()          → [{ cid, name, owner, modes, isPrivate, workUnits, pricePerInference, inputSchema, outputSchema }]
 *   inferchain_inferenceNodes()  → [{ address, endpoint, modes, active, registeredAt, models, enclaveKey }]
 *   inferchain_teeMeasurements() → the enclave measurements (PCR0) NodeRegistry allows
 *
 * `modes` are names (`VANILLA`, `TEE`, …). Read from the head state.
 */
import type { Chain } from '../../chain/chain.js'
import { viewCall } from '../../chain/view-call.js'
import { modelRegistryAbi, nodeRegistryAbi } from '../../contracts/system.js'
import { modeNames } from '../../evm/modes.js'
import { MODEL_REGISTRY_ADDRESS, NODE_REGISTRY_ADDRESS } from '../../params.js'
import type { RpcMethodTable } from '../types.js'

export function createRegistryMethods(chain: Chain): RpcMethodTable {
  return {
    inferchain_models: async () => {
      const count = await viewCall(chain, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'modelCount', [])
      const models = []
      for (let i = 0n; i < count; i++) {
        const m = await viewCall(chain, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'modelAt', [i])
        models.push({
          cid: m.cid,
          name: m.name,
          owner: m.owner,
          modes: modeNames(m.modes),
          isPrivate: m.isPrivate,
          workUnits: m.workUnits.toString(),
          pricePerInference: m.pricePerInference.toString(),
          inputSchema: m.inputSchema,
          outputSchema: m.outputSchema,
        })
      }
      return models
    },
    inferchain_inferenceNodes: async () => {
      const count = await viewCall(chain, NODE_REGISTRY_ADDRESS, nodeRegistryAbi, 'nodeCount', [])
      const nodes = []
      for (let i = 0n; i < count; i++) {
        const address = await viewCall(chain, NODE_REGISTRY_ADDRESS, nodeRegistryAbi, 'nodeAt', [i])
        const n = await viewCall(chain, NODE_REGISTRY_ADDRESS, nodeRegistryAbi, 'getNode', [address])
        const enclaveKey = await viewCall(chain, NODE_REGISTRY_ADDRESS, nodeRegistryAbi, 'enclaveKeyOf', [address])
        nodes.push({ address, endpoint: n.endpoint, modes: modeNames(n.modes), active: n.active, registeredAt: n.registeredAt.toString(), models: n.models, enclaveKey: enclaveKey === '0x' ? null : enclaveKey })
      }
      return nodes
    },
    inferchain_teeMeasurements: async () => viewCall(chain, NODE_REGISTRY_ADDRESS, nodeRegistryAbi, 'teeMeasurements', []),
  }
}
