/**
 * The system registries as JSON, for clients that do not speak ABI (the explorer, shell scripts):
 *
 *   inferchain_models()          → [{ cid, name, owner, modes, isPrivate, workUnits, pricePerInference, prices, inputSchema, outputSchema }]
 *   inferchain_inferenceNodes()  → [{ address, endpoint, modes, active, registeredAt, models, enclaveKey, stake }]
 *   inferchain_teeMeasurements() → the enclave measurements (PCR0) NodeRegistry allows
 *   inferchain_openVerifications, inferchain_attestation: see ./open-verifications.ts
 *
 * `modes` are names (`VANILLA`, `TEE`, …); `prices` maps each supported mode to its price in wei
 * (`priceOf`: a mode's own price, else `pricePerInference`); `stake` is the node's InferenceSettlement
 * stake in wei (`bonded` backs new OPTIMISTIC claims, `openClaims` are unsettled ones). Amounts are
 * decimal strings. Read from the head state.
 */
import type { Chain } from '../../chain/chain.js'
import { viewCall } from '../../chain/view-call.js'
import { inferenceSettlementAbi, modelRegistryAbi, nodeRegistryAbi } from '../../contracts/system.js'
import { modeNames } from '../../evm/modes.js'
import { ModelInferenceMode } from '../../evm/types.js'
import { INFERENCE_SETTLEMENT_ADDRESS, MODEL_REGISTRY_ADDRESS, NODE_REGISTRY_ADDRESS } from '../../params.js'
import type { RpcMethodTable } from '../types.js'
import { createOpenVerificationMethods } from './open-verifications.js'

async function pricesOf(chain: Chain, cid: string, modes: string[]): Promise<Record<string, string>> {
  const prices: Record<string, string> = {}
  for (const mode of modes) {
    const value = ModelInferenceMode[mode as keyof typeof ModelInferenceMode]
    if (value !== undefined) prices[mode] = (await viewCall(chain, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'priceOf', [cid, value])).toString()
  }
  return prices
}

async function stakeOf(chain: Chain, node: `0x${string}`) {
  const [amount, unbonding, bonded, unbondableAt, openClaims] = await viewCall(chain, INFERENCE_SETTLEMENT_ADDRESS, inferenceSettlementAbi, 'stakeOf', [node])
  return { amount: amount.toString(), unbonding: unbonding.toString(), bonded: bonded.toString(), unbondableAt: unbondableAt.toString(), openClaims: Number(openClaims) }
}

export function createRegistryMethods(chain: Chain): RpcMethodTable {
  return {
    inferchain_models: async () => {
      const count = await viewCall(chain, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'modelCount', [])
      const models = []
      for (let i = 0n; i < count; i++) {
        const m = await viewCall(chain, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'modelAt', [i])
        const modes = modeNames(m.modes)
        models.push({
          cid: m.cid,
          name: m.name,
          owner: m.owner,
          modes,
          isPrivate: m.isPrivate,
          workUnits: m.workUnits.toString(),
          pricePerInference: m.pricePerInference.toString(),
          prices: await pricesOf(chain, m.cid, modes),
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
        nodes.push({ address, endpoint: n.endpoint, modes: modeNames(n.modes), active: n.active, registeredAt: n.registeredAt.toString(), models: n.models, enclaveKey: enclaveKey === '0x' ? null : enclaveKey, stake: await stakeOf(chain, address) })
      }
      return nodes
    },
    inferchain_teeMeasurements: async () => viewCall(chain, NODE_REGISTRY_ADDRESS, nodeRegistryAbi, 'teeMeasurements', []),
    ...createOpenVerificationMethods(chain),
  }
}
