/**
 * What the inference precompile does for an OPTIMISTIC call, around the usual dispatch:
 *   - before: the chain must have the settlement parameters (a challenge window), else
 *     `OPTIMISTIC_NOT_CONFIGURED`;
 *   - after a result: the serving node must have at least `minStake` bonded (else `NODE_NOT_BONDED`:
 *     an unbonded result could not be slashed), then the claim is opened in InferenceSettlement —
 *     model, input and output hashes, node, payer, fee, last block of the window — the node's open
 *     claims count up (locking its stake), and the fee moves from the transaction's sender into the
 *     settlement contract, which pays it out when the claim settles.
 * All of it is a pure function of state and calldata, so producing and replaying a block write the same words.
 */
import type { EVMInterface } from '@ethereumjs/evm'
import type { Address, Hex } from 'viem'
import { transferFee } from '../evm/fees.js'
import type { StorageWriter } from '../evm/storage-slots.js'
import { INFERENCE_GAS_OPTIMISTIC_CLAIM, INFERENCE_SETTLEMENT_ADDRESS } from '../params.js'
import { executingBlockNumber } from '../zk/precompile-calls.js'
import { bondedStake, openClaim, readClaimParams, readStake } from './onchain.js'

/** An OPTIMISTIC call refused by the precompile; `code` becomes the revert's `inference: CODE: …`. */
export class OptimisticCallRefusal {
  constructor(
    readonly code: 'OPTIMISTIC_NOT_CONFIGURED' | 'NODE_NOT_BONDED',
    readonly message: string,
  ) {}
}

export interface OptimisticCall {
  challengeWindow: bigint
  minStake: bigint
  /** Gas the call adds (the claim's storage). */
  gas: bigint
}

/** @throws OptimisticCallRefusal */
export async function beginOptimisticCall(state: StorageWriter): Promise<OptimisticCall> {
  const { challengeWindow, minStake } = await readClaimParams(state)
  if (challengeWindow === 0n) throw new OptimisticCallRefusal('OPTIMISTIC_NOT_CONFIGURED', 'this chain has no challenge window for OPTIMISTIC mode (InferenceSettlement parameters unset)')
  return { challengeWindow, minStake, gas: INFERENCE_GAS_OPTIMISTIC_CLAIM }
}

/**
 * Opens the claim of an OPTIMISTIC result, open to challenges until `windowEnd` (inclusive).
 *
 * @throws OptimisticCallRefusal `NODE_NOT_BONDED`
 * @throws FeeRefusal when the sender cannot pay the fee
 */
export async function recordOptimisticResult(
  evm: EVMInterface,
  call: OptimisticCall,
  result: { requestId: Hex; modelCid: string; inputHash: Hex; outputHash: Hex; node: Address; payer: Address | undefined; fee: bigint },
): Promise<void> {
  const state = evm.stateManager as StorageWriter
  const bonded = bondedStake(await readStake(state, result.node))
  if (bonded < call.minStake) {
    throw new OptimisticCallRefusal('NODE_NOT_BONDED', `node ${result.node} has ${bonded} wei bonded in InferenceSettlement, OPTIMISTIC mode needs ${call.minStake}`)
  }
  await transferFee(evm, result.payer, INFERENCE_SETTLEMENT_ADDRESS, result.fee)
  await openClaim(state, result.requestId, {
    modelCid: result.modelCid,
    inputHash: result.inputHash,
    outputHash: result.outputHash,
    node: result.node,
    windowEnd: executingBlockNumber(evm) + call.challengeWindow,
    payer: result.payer ?? '0x0000000000000000000000000000000000000000',
    fee: result.fee,
  })
}
