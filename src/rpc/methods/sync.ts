/**
 * `inferchain_*` methods other full nodes sync from: a block's RLP with its inference records,
 * exactly as the producer stored them (the header commits to the records).
 *
 *   eth_syncing() → false | { startingBlock, currentBlock, highestBlock } (a follower catching up)
 *   inferchain_getBlockWithRecords(number: quantity) → { block: hex RLP, records: hex, seal: hex } | null
 *   inferchain_nodeStatus() → { role, head, headHash, stateRoot, inferencesDispatched, lastRejection, peerId, p2p, peers }
 */
import { bytesToHex } from '@ethereumjs/util'
import type { Chain } from '../../chain/chain.js'
import { RECORDS_ATTACHMENT } from '../../chain/chain.js'
import { SEAL_ATTACHMENT } from '../../chain/seal.js'
import { RpcError } from '../errors.js'
import { hexQuantity } from '../format.js'
import type { RpcMethodTable } from '../types.js'

export interface NodeStatus {
  role: 'producer' | 'follower'
  /** Inference requests this node sent to inference nodes (a follower that only imports sends none). */
  inferencesDispatched: number
  lastRejection?: string
  /** This node's libp2p identity, its listen multiaddrs and how many peers it is connected to. */
  peerId: string
  p2p: string[]
  peers: number
}

export interface SyncProgress {
  startingBlock: bigint
  currentBlock: bigint
  highestBlock: bigint
}

/**
 * `syncing` says how far a catching-up follower is (undefined when it is at the network's head):
 * `eth_syncing` answers it as geth does, `false` otherwise.
 */
export function createSyncMethods(chain: Chain, status: () => NodeStatus, syncing: () => SyncProgress | undefined = () => undefined): RpcMethodTable {
  return {
    eth_syncing: () => {
      const progress = syncing()
      if (!progress) return false
      return {
        startingBlock: hexQuantity(progress.startingBlock),
        currentBlock: hexQuantity(progress.currentBlock),
        highestBlock: hexQuantity(progress.highestBlock),
      }
    },
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
      const seal = (await chain.store.attachment(SEAL_ATTACHMENT, block.hash())) ?? new Uint8Array()
      return { block: bytesToHex(block.serialize()), records: bytesToHex(records), seal: bytesToHex(seal) }
    },
  }
}
