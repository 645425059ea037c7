/**
 * The proof status of a ZK record, as JSON-RPC shows it: read from ZkInferences at the head, so every
 * full node that executed the same blocks reports the same status. A record past its due block
 * without a proof reads `failed` (`missing`) even before anyone calls `expire`.
 */
import type { Hex } from 'viem'
import type { Chain } from '../chain/chain.js'
import { viewCall } from '../chain/view-call.js'
import { zkInferencesAbi } from '../contracts/system.js'
import { ZK_INFERENCES_ADDRESS } from '../params.js'

export type ZkProofStatus = 'pending' | 'verified' | 'failed'

export interface ZkRecordVerification {
  status: ZkProofStatus
  evidence: 'zk-proof'
  /** Block by which the proof is due (inclusive). */
  dueBlock: string
  /** The node that owes the proof. */
  signer: Hex
  /** Why it failed: `invalid-proof`, `late` or `missing`. */
  reason?: string
}

const STATUS: Record<number, ZkProofStatus> = { 1: 'pending', 2: 'verified', 3: 'failed' }
const FAILURE: Record<number, string> = { 1: 'invalid-proof', 2: 'late', 3: 'missing' }

/**
 * The proof status of record `requestId`, or undefined when ZkInferences holds no such record
 * (a failed call, or not a ZK record).
 *
 * @example
 * const v = await zkRecordVerification(chain, record.requestId) // { status: 'pending', dueBlock: '0x1d', ... }
 */
export async function zkRecordVerification(chain: Chain, requestId: Hex): Promise<ZkRecordVerification | undefined> {
  const [status, failure, dueBlock, node] = await viewCall(chain, ZK_INFERENCES_ADDRESS, zkInferencesAbi, 'statusOf', [requestId])
  const name = STATUS[status]
  if (name === undefined) return undefined
  return {
    status: name,
    evidence: 'zk-proof',
    dueBlock: `0x${dueBlock.toString(16)}`,
    signer: node,
    ...(name === 'failed' ? { reason: FAILURE[failure] ?? String(failure) } : {}),
  }
}
