/**
 * OPTIMISTIC disputes from a client's side: find what a record's transaction asked (to re-run or
 * challenge it), read its claim, and turn InferenceSettlement's reverts into typed errors.
 */
import { BaseError, ContractFunctionRevertedError, decodeEventLog, type Address, type Hex, type PublicClient, type TransactionReceipt } from 'viem'
import { ClaimStatus, inferenceSettlementAbi } from '../contracts/system.js'
import { InferchainError } from '../errors.js'
import { decodeModelInferenceEventData, MODEL_INFERENCE_EVENT_TOPIC } from '../evm/abi.js'
import { ModelInferenceMode, type ModelInput, type ModelOutput } from '../evm/types.js'
import { INFERENCE_PRECOMPILE_ADDRESS, INFERENCE_SETTLEMENT_ADDRESS } from '../params.js'
import { SdkError } from './errors.js'
import { getInferenceRecord } from './records.js'

/**
 * `NOT_OPTIMISTIC`: the record is not an OPTIMISTIC one, so it has no claim. `NO_CLAIM`: the chain
 * holds no claim for it. Any other code is InferenceSettlement's revert in SCREAMING_SNAKE_CASE
 * (`WINDOW_OPEN`, `WINDOW_CLOSED`, `NOT_OPEN`, `WRONG_BOND`, `INSUFFICIENT_STAKE`, `STAKE_LOCKED`,
 * `STILL_UNBONDING`, `NOTHING_UNBONDING`, `NOTHING_STAKED`, `ZERO_AMOUNT`, …), its arguments in `details`.
 */
export class SettlementError extends InferchainError {
  override readonly name = 'SettlementError' as const
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, { details })
  }
}

/** What a record's transaction asked of the model, read from its `ModelInferenceEvent`. */
export interface InferenceRequest {
  requestId: Hex
  txHash: Hex
  blockNumber: bigint
  mode: ModelInferenceMode
  modelCid: string
  input: ModelInput
  output: ModelOutput
}

/**
 * The request behind record `requestId`: the record names its transaction, whose receipt holds the
 * precompile's `ModelInferenceEvent` with the full input — what a challenge must resubmit.
 *
 * @example
 * const request = await getInferenceRequest(publicClient, requestId)
 * if (request.mode === ModelInferenceMode.OPTIMISTIC) await challengeClaim(clients, request)
 */
export async function getInferenceRequest(publicClient: PublicClient, requestId: Hex): Promise<InferenceRequest> {
  const record = await getInferenceRecord(publicClient, requestId)
  if (!record) throw new SdkError('NO_RECORD', `no inference record ${requestId} on this chain`, { requestId })
  const receipt = await publicClient.getTransactionReceipt({ hash: record.txHash })
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== INFERENCE_PRECOMPILE_ADDRESS.toLowerCase() || log.topics[0] !== MODEL_INFERENCE_EVENT_TOPIC) continue
    const event = decodeModelInferenceEventData(log.data)
    if (event.inferenceId.toLowerCase() !== requestId.toLowerCase()) continue
    return { requestId: record.requestId, txHash: record.txHash, blockNumber: receipt.blockNumber, mode: event.request.mode, modelCid: event.request.modelCid, input: event.request.input, output: event.output }
  }
  throw new SdkError('NO_INFERENCE_EVENT', `transaction ${record.txHash} has no ModelInferenceEvent for ${requestId}`, { requestId, txHash: record.txHash })
}

export type ClaimStatusName = 'none' | 'open' | 'finalized' | 'fraudulent' | 'upheld' | 'proven'

export interface Claim {
  status: ClaimStatusName
  node: Address
  /** Last block in which the claim can be challenged. */
  windowEnd: bigint
  payer: Address
  /** Wei held until the claim settles. */
  fee: bigint
}

const STATUS_NAMES = Object.fromEntries(Object.entries(ClaimStatus).map(([name, value]) => [value, name.toLowerCase()])) as Record<number, ClaimStatusName>

/**
 * The claim InferenceSettlement holds for an OPTIMISTIC record (`status: 'none'` when there is none).
 *
 * @example
 * const { status, windowEnd } = await getClaim(publicClient, requestId)
 */
export async function getClaim(publicClient: PublicClient, requestId: Hex): Promise<Claim> {
  const [, , , node, windowEnd, status, payer, fee] = await publicClient.readContract({ address: INFERENCE_SETTLEMENT_ADDRESS, abi: inferenceSettlementAbi, functionName: 'claims', args: [requestId] })
  return { status: STATUS_NAMES[status] ?? 'none', node, windowEnd, payer, fee }
}

/** What a challenge's transaction decided, from InferenceSettlement's events in its receipt. */
export type ChallengeVerdict = 'fraudulent' | 'upheld'

/**
 * @example
 * const verdict = challengeVerdict(await publicClient.getTransactionReceipt({ hash })) // 'fraudulent' | 'upheld' | undefined
 */
export function challengeVerdict(receipt: TransactionReceipt): ChallengeVerdict | undefined {
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== INFERENCE_SETTLEMENT_ADDRESS.toLowerCase()) continue
    try {
      const { eventName } = decodeEventLog({ abi: inferenceSettlementAbi, data: log.data, topics: log.topics })
      if (eventName === 'ClaimFraudulent') return 'fraudulent'
      if (eventName === 'ChallengeRejected') return 'upheld'
    } catch {
      // another event of the contract's, or one this ABI does not know
    }
  }
  return undefined
}

/**
 * Turns a viem error carrying an InferenceSettlement custom error (`WindowOpen(requestId, windowEnd)`)
 * into a `SettlementError` (`WINDOW_OPEN`, args in `details`); anything else is returned unchanged.
 *
 * @example
 * try { await finalizeClaim(clients, requestId) } catch (err) { throw asSettlementError(err) }
 */
export function asSettlementError(err: unknown): unknown {
  if (!(err instanceof BaseError)) return err
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null
  const name = reverted?.data?.errorName
  if (!name || name === 'Error' || name === 'Panic') return err
  const code = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()
  const args = (reverted.data?.args ?? []).map((a) => (typeof a === 'bigint' ? a.toString() : a))
  return new SettlementError(code, `InferenceSettlement rejected the transaction: ${name}(${args.join(', ')})`, { errorName: name, args })
}
