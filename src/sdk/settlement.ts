/**
 * Staking and OPTIMISTIC claims (InferenceSettlement): what an inference node does to bond itself,
 * and what anyone does to finalize or challenge a claim.
 */
import type { Address, Hex, PublicClient } from 'viem'
import { inferenceSettlementAbi } from '../contracts/system.js'
import type { ModelInput, ModelOutput } from '../evm/types.js'
import { INFERENCE_SETTLEMENT_ADDRESS } from '../params.js'
import { sendAndWait, type WriteClients } from './transact.js'

const settlement = { address: INFERENCE_SETTLEMENT_ADDRESS, abi: inferenceSettlementAbi } as const

export interface NodeStake {
  amount: bigint
  unbonding: bigint
  /** What backs new claims: `amount − unbonding`. */
  bonded: bigint
  unbondableAt: bigint
  openClaims: bigint
}

export interface SettlementParameters {
  challengeWindow: bigint
  minStake: bigint
  challengeBond: bigint
  unbondingDelay: bigint
}

/** @example const { bonded, openClaims } = await getStake(publicClient, nodeAddress) */
export async function getStake(publicClient: PublicClient, node: Address): Promise<NodeStake> {
  const [amount, unbonding, bonded, unbondableAt, openClaims] = await publicClient.readContract({ ...settlement, functionName: 'stakeOf', args: [node] })
  return { amount, unbonding, bonded, unbondableAt, openClaims }
}

/**
 * The chain's OPTIMISTIC parameters (set at genesis).
 *
 * @example
 * const { challengeWindow, minStake, challengeBond } = await getSettlementParameters(publicClient)
 */
export async function getSettlementParameters(publicClient: PublicClient): Promise<SettlementParameters> {
  const read = (functionName: 'challengeWindow' | 'minStake' | 'challengeBond' | 'unbondingDelay') => publicClient.readContract({ ...settlement, functionName })
  const [challengeWindow, minStake, challengeBond, unbondingDelay] = await Promise.all([read('challengeWindow'), read('minStake'), read('challengeBond'), read('unbondingDelay')])
  return { challengeWindow, minStake, challengeBond, unbondingDelay }
}

/**
 * Adds `amount` wei to the caller's stake.
 *
 * @example
 * await stake({ publicClient, walletClient }, parseEther('1'))
 */
export function stake(clients: WriteClients, amount: bigint): Promise<Hex> {
  return sendAndWait(clients, { ...settlement, functionName: 'stake', value: amount, account: clients.walletClient.account!, chain: clients.walletClient.chain })
}

/**
 * Tops the caller's bonded stake up to the chain's minimum (what serving OPTIMISTIC mode needs).
 * Returns the transaction, or undefined when the stake already suffices.
 *
 * @example
 * await ensureBonded({ publicClient, walletClient }) // before registering for OPTIMISTIC mode
 */
export async function ensureBonded(clients: WriteClients): Promise<Hex | undefined> {
  const [{ minStake }, current] = await Promise.all([getSettlementParameters(clients.publicClient), getStake(clients.publicClient, clients.walletClient.account!.address)])
  return current.bonded >= minStake ? undefined : stake(clients, minStake - current.bonded)
}

/**
 * Starts unbonding `amount` wei of the caller's stake: it stops backing new claims at once and can
 * be withdrawn after the chain's unbonding delay.
 *
 * @example
 * await requestUnbond({ publicClient, walletClient }, parseEther('0.5'))
 */
export function requestUnbond(clients: WriteClients, amount: bigint): Promise<Hex> {
  return sendAndWait(clients, { ...settlement, functionName: 'requestUnbond', args: [amount], account: clients.walletClient.account!, chain: clients.walletClient.chain })
}

/**
 * Pays out the caller's unbonded stake (after the delay, with no open claims).
 *
 * @example
 * await withdrawStake({ publicClient, walletClient })
 */
export function withdrawStake(clients: WriteClients): Promise<Hex> {
  return sendAndWait(clients, { ...settlement, functionName: 'withdraw', account: clients.walletClient.account!, chain: clients.walletClient.chain })
}

/**
 * Closes a claim whose window has passed, paying its fee to the node (anyone may).
 *
 * @example
 * await finalizeClaim({ publicClient, walletClient }, requestId)
 */
export function finalizeClaim(clients: WriteClients, requestId: Hex): Promise<Hex> {
  return sendAndWait(clients, { ...settlement, functionName: 'finalize', args: [requestId], account: clients.walletClient.account!, chain: clients.walletClient.chain })
}

/**
 * Challenges a claim with the chain's bond: the model is re-executed on chain in this transaction.
 * Resolves to the transaction hash; read the claim (or the receipt's events) for the verdict.
 *
 * @example
 * const request = await getInferenceRequest(publicClient, requestId) // the input, from the record's transaction
 * const hash = await challengeClaim({ publicClient, walletClient }, request)
 */
export async function challengeClaim(clients: WriteClients, claim: { requestId: Hex; modelCid: string; input: ModelInput }): Promise<Hex> {
  const { challengeBond } = await getSettlementParameters(clients.publicClient)
  return sendAndWait(clients, {
    ...settlement,
    functionName: 'challenge',
    args: [claim.requestId, claim.modelCid, claim.input],
    value: challengeBond,
    account: clients.walletClient.account!,
    chain: clients.walletClient.chain,
  })
}

/**
 * Escalation: closes a claim before its window ends with a Groth16 proof (the eight words of a
 * `ZkProofEnvelope`'s proof) that `output` is the model's output for `input`.
 *
 * @example
 * const { envelope } = await zkModel.prove(quantizeModelInput(zkModel.model, input))
 * await upgradeClaimWithZkProof(clients, { requestId, modelCid, input, output, proof: proofWords(envelope.proof) })
 */
export function upgradeClaimWithZkProof(
  clients: WriteClients,
  claim: { requestId: Hex; modelCid: string; input: ModelInput; output: ModelOutput; proof: readonly bigint[] },
): Promise<Hex> {
  const { numbers, strings, jsons, isSimulationResult } = claim.output
  return sendAndWait(clients, {
    ...settlement,
    functionName: 'upgradeWithZkProof',
    args: [claim.requestId, claim.modelCid, claim.input, { numbers, strings, jsons, is_simulation_result: isSimulationResult }, claim.proof as never],
    account: clients.walletClient.account!,
    chain: clients.walletClient.chain,
  })
}
