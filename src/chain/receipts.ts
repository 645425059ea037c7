/** Compact RLP encoding of stored receipts (what the RPC serves, not the consensus receipt encoding). */
import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, bytesToBigInt } from '@ethereumjs/util'
import type { LogTuple, StoredReceipt } from '../rpc/types.js'

export function encodeReceipts(receipts: StoredReceipt[]): Uint8Array {
  return RLP.encode(
    receipts.map((r) => [
      Uint8Array.of(r.status),
      bigIntToUnpaddedBytes(r.cumulativeGasUsed),
      bigIntToUnpaddedBytes(r.gasUsed),
      r.bloom,
      r.logs.map(([address, topics, data]) => [address, topics, data]),
      r.contractAddress ?? new Uint8Array(),
      bigIntToUnpaddedBytes(r.effectiveGasPrice),
    ]),
  )
}

export function decodeReceipts(bytes: Uint8Array): StoredReceipt[] {
  const rows = RLP.decode(bytes) as unknown as Uint8Array[][]
  return rows.map((row) => {
    const [status, cumulative, gasUsed, bloom, logs, contractAddress, price] = row as unknown as [
      Uint8Array, Uint8Array, Uint8Array, Uint8Array, [Uint8Array, Uint8Array[], Uint8Array][], Uint8Array, Uint8Array,
    ]
    return {
      status: status[0] === 1 ? 1 : 0,
      cumulativeGasUsed: bytesToBigInt(cumulative),
      gasUsed: bytesToBigInt(gasUsed),
      bloom,
      logs: logs.map(([a, t, d]) => [a, t, d] as LogTuple),
      contractAddress: contractAddress.length > 0 ? contractAddress : undefined,
      effectiveGasPrice: bytesToBigInt(price),
    }
  })
}
