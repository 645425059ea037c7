/**
 * What is still being verified, for `inferchain status` and the explorer:
 *
 *   inferchain_openVerifications(blocks?) → { head, fromBlock, zkProofDeadlineBlocks, challengeWindow,
 *     pendingProofs: [{ requestId, blockNumber, modelCid, node, dueBlock }],
 *     openClaims:    [{ requestId, blockNumber, modelCid, node, windowEnd, status }] }
 *   inferchain_attestation(requestId)     → { moduleId, measurement, measurementAllowed, timestamp, enclaveKey } | null
 *
 * Neither ZkInferences nor InferenceSettlement can enumerate their entries (the precompile opens
 * them without an index), so the open ones are found from the records of recent blocks: a ZK proof
 * can only be pending within its deadline and a claim only challengeable within its window, so
 * `max(deadline, window) + 1` blocks back (the default of `blocks`) holds every one of them. A claim
 * past its window that nobody finalized yet is found only within `blocks`; `stakeOf(node).openClaims`
 * (in `inferchain_inferenceNodes`) counts all of them.
 */
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import type { Hex } from 'viem'
import type { Chain } from '../../chain/chain.js'
import { viewCall } from '../../chain/view-call.js'
import { inferenceSettlementAbi, nodeRegistryAbi } from '../../contracts/system.js'
import { ModelInferenceMode } from '../../evm/types.js'
import { optimisticRecordVerification } from '../../optimistic/record-status.js'
import { INFERENCE_SETTLEMENT_ADDRESS, NODE_REGISTRY_ADDRESS, ZK_PROOF_DEADLINE_BLOCKS } from '../../params.js'
import { decodeCoseSign1 } from '../../tee/cose.js'
import { parseAttestationPayload } from '../../tee/document.js'
import { zkRecordVerification } from '../../zk/record-status.js'
import { RpcError } from '../errors.js'
import type { RpcMethodTable } from '../types.js'

/** The most blocks one call scans: the scan reads every record of every block in range. */
const MAX_SCAN_BLOCKS = 1_000n
const hex = (n: bigint) => `0x${n.toString(16)}`

async function openVerifications(chain: Chain, blocksParam: unknown) {
  const challengeWindow = await viewCall(chain, INFERENCE_SETTLEMENT_ADDRESS, inferenceSettlementAbi, 'challengeWindow', [])
  const defaultBlocks = (challengeWindow > ZK_PROOF_DEADLINE_BLOCKS ? challengeWindow : ZK_PROOF_DEADLINE_BLOCKS) + 1n
  if (blocksParam !== undefined && (typeof blocksParam !== 'number' || !Number.isInteger(blocksParam) || blocksParam < 1)) {
    throw new RpcError(-32602, 'invalid params: blocks must be a positive integer')
  }
  const wanted = blocksParam === undefined ? defaultBlocks : BigInt(blocksParam)
  const blocks = wanted > MAX_SCAN_BLOCKS ? MAX_SCAN_BLOCKS : wanted
  const head = chain.head.header.number
  const fromBlock = head + 1n > blocks ? head + 1n - blocks : 0n
  const pendingProofs = []
  const openClaims = []
  for (let n = fromBlock; n <= head; n++) {
    const block = await chain.store.blockByNumber(n)
    if (!block) continue
    for (const record of await chain.recordsOf(block.hash())) {
      if (record.status !== 'ok') continue
      const base = { requestId: record.requestId, blockNumber: hex(n), modelCid: record.modelCid, node: record.node ?? null }
      if (record.mode === ModelInferenceMode.ZK) {
        const v = await zkRecordVerification(chain, record.requestId)
        if (v?.status === 'pending') pendingProofs.push({ ...base, dueBlock: v.dueBlock })
      } else if (record.mode === ModelInferenceMode.OPTIMISTIC) {
        const v = await optimisticRecordVerification(chain, record.requestId)
        if (v && !v.settled) openClaims.push({ ...base, windowEnd: v.windowEnd, status: v.status })
      }
    }
  }
  return { head: hex(head), fromBlock: hex(fromBlock), zkProofDeadlineBlocks: hex(ZK_PROOF_DEADLINE_BLOCKS), challengeWindow: hex(challengeWindow), pendingProofs, openClaims }
}

/** The enclave facts of a TEE record's attestation, decoded (not verified: import verified it). */
async function attestation(chain: Chain, requestId: unknown) {
  if (typeof requestId !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(requestId)) throw new RpcError(-32602, 'invalid params: requestId must be a 32-byte hex string')
  const found = await chain.recordById(requestId.toLowerCase() as Hex)
  if (!found?.record.attestation) return null
  const doc = parseAttestationPayload(decodeCoseSign1(hexToBytes(found.record.attestation)).payload)
  const pcr0 = doc.pcrs.get(0)
  const measurement = pcr0 ? bytesToHex(pcr0) : null
  const measurementAllowed = measurement ? await viewCall(chain, NODE_REGISTRY_ADDRESS, nodeRegistryAbi, 'isTeeMeasurementAllowed', [measurement as Hex]) : false
  return { moduleId: doc.moduleId, measurement, measurementAllowed, timestamp: doc.timestamp, enclaveKey: doc.publicKey ? bytesToHex(doc.publicKey) : null }
}

export function createOpenVerificationMethods(chain: Chain): RpcMethodTable {
  return {
    inferchain_openVerifications: (params) => openVerifications(chain, params[0]),
    inferchain_attestation: (params) => attestation(chain, params[0]),
  }
}
