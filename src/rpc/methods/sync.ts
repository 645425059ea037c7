/**
 * `inferchain_*` methods other full nodes sync from: a block's RLP with its inference records,
 * exactly as the producer stored them (the header commits to the records).
 *
 *   inferchain_getBlockWithRecords(number: quantity) → { block: hex RLP, records: hex } | null
 *   inferchain_nodeStatus() → { role, head, headHash, inferencesDispatched, lastRejection }
 */
import { bytesToHex } from '@ethereumjs/util'
import type { Chain } from '../../chain/chain.js'
import { RECORDS_ATTACHMENT } from '../../chain/chain.js'
import { RpcError } from '../errors.js'
import type { RpcMethodTable } from '../types.js'

export interface NodeStatus {
  role: 'producer' | 'follower'
  /** Inference requests this node sent to inference nodes (a follower that only imports sends none). */
  inferencesDispatched: number
  lastRejection?: string
}

export function createSyncMethods(chain: Chain, status: () => NodeStatus): RpcMethodTable {
  return {
    inferchain_nodeStatus: () => ({
      ...status(),
      head: `0x${chain.head.header.number.toString(16)}`,
      headHash: bytesToHex(chain.head.hash()),
      stateRoot: bytesToHex(chain.head.header.stateRoot),
    }),
    inferchain_getBlockWithRecords: async ([number]) => {
      if (typeof number !== 'string' || !/^0x[0-9a-fA-F]+$/.test(number)) throw new RpcError(-32602, 'invalid params: block number must be a hex quantity')
      const block = await chain.store.blockByNumber(BigInt(number))
      if (!block) return null
      const records = (await chain.store.attachment(RECORDS_ATTACHMENT, block.hash())) ?? new Uint8Array()
      return { block: bytesToHex(block.serialize()), records: bytesToHex(records) }
    },
  }
}
