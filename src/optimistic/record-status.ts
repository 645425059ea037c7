/**
 * The settlement status of an OPTIMISTIC record, as JSON-RPC shows it: read from InferenceSettlement
 * at the head, so every full node that executed the same blocks reports the same status.
 *   - `challengeable`: inside its window (until `windowEnd`, inclusive);
 *   - `final`: the window passed without a successful challenge (paid once someone calls `finalize`);
 *   - `upheld`: a challenge re-executed it and got the same output;
 *   - `fraudulent`: a challenge re-executed it and got another output; the node was slashed;
 *   - `proven`: a ZK proof of its output closed the window early (escalation).
 */
import type { Hex } from 'viem'
import type { Chain } from '../chain/chain.js'
import { viewCall } from '../chain/view-call.js'
import { ClaimStatus, inferenceSettlementAbi } from '../contracts/system.js'
import { INFERENCE_SETTLEMENT_ADDRESS } from '../params.js'

export type OptimisticStatus = 'challengeable' | 'final' | 'upheld' | 'fraudulent' | 'proven'

export interface OptimisticRecordVerification {
  status: OptimisticStatus
  evidence: 'bonded-claim'
  /** Last block of the challenge window. */
  windowEnd: string
  signer: Hex
  /** Wei the caller's transaction paid, held until the claim settles. */
  fee: string
  /** Whether the fee has been paid out (to the node, or back to the payer after a fraud). */
  settled: boolean
}

/**
 * The claim status of record `requestId`, or undefined when InferenceSettlement holds no such claim.
 *
 * @example
 * const v = await optimisticRecordVerification(chain, record.requestId) // { status: 'challengeable', windowEnd: '0x1d', ... }
 */
export async function optimisticRecordVerification(chain: Chain, requestId: Hex): Promise<OptimisticRecordVerification | undefined> {
  const [, , , node, windowEnd, status, , fee] = await viewCall(chain, INFERENCE_SETTLEMENT_ADDRESS, inferenceSettlementAbi, 'claims', [requestId])
  if (status === ClaimStatus.None) return undefined
  const open = status === ClaimStatus.Open
  const name: OptimisticStatus = open
    ? chain.head.header.number <= windowEnd
      ? 'challengeable'
      : 'final'
    : status === ClaimStatus.Fraudulent
      ? 'fraudulent'
      : status === ClaimStatus.Upheld
        ? 'upheld'
        : status === ClaimStatus.Proven
          ? 'proven'
          : 'final'
  return { status: name, evidence: 'bonded-claim', windowEnd: `0x${windowEnd.toString(16)}`, signer: node, fee: `0x${fee.toString(16)}`, settled: !open }
}
