/**
 * eth_feeHistory computed from the blocks themselves: base fees (plus the next block's), gas used
 * ratios, blob fees, and the effective priority fees paid at gas-weighted percentiles, as geth does.
 */
import type { Block } from '@ethereumjs/block'
import { hexQuantity } from '../format.js'
import type { RpcBackend, StoredReceipt } from '../types.js'

/** The most blocks one eth_feeHistory returns (geth's cap). */
export const MAX_FEE_HISTORY_BLOCKS = 1024n

export interface FeeHistory {
  oldestBlock: string
  baseFeePerGas: string[]
  gasUsedRatio: number[]
  baseFeePerBlobGas: string[]
  blobGasUsedRatio: number[]
  reward?: string[][]
}

/**
 * Fee history of the `count` blocks ending at `newest` (clipped at genesis).
 *
 * @example
 * await feeHistory(backend, 4n, backend.headNumber(), [25, 75])
 */
export async function feeHistory(backend: RpcBackend, count: bigint, newest: bigint, percentiles: number[]): Promise<FeeHistory> {
  const oldest = newest - count + 1n > 0n ? newest - count + 1n : 0n
  const history: FeeHistory = { oldestBlock: hexQuantity(oldest), baseFeePerGas: [], gasUsedRatio: [], baseFeePerBlobGas: [], blobGasUsedRatio: [] }
  if (percentiles.length > 0) history.reward = []
  let last: Block | undefined
  for (let n = oldest; n <= newest && count > 0n; n++) {
    const block = await backend.blockByNumber(n)
    if (!block) throw new Error(`block ${n} at or below the head is missing from the store`)
    last = block
    const h = block.header
    history.baseFeePerGas.push(hexQuantity(h.baseFeePerGas ?? 0n))
    history.gasUsedRatio.push(h.gasLimit === 0n ? 0 : Number(h.gasUsed) / Number(h.gasLimit))
    history.baseFeePerBlobGas.push(hexQuantity(h.excessBlobGas !== undefined ? h.getBlobGasPrice() : 0n))
    history.blobGasUsedRatio.push(blobGasUsedRatio(block))
    if (history.reward) history.reward.push(rewards(block, block.transactions.length > 0 ? await backend.receipts(block) : [], percentiles))
  }
  if (last) {
    // The fees of the block after the newest one, as every client appends them.
    const h = last.header
    history.baseFeePerGas.push(hexQuantity(h.baseFeePerGas !== undefined ? h.calcNextBaseFee() : 0n))
    history.baseFeePerBlobGas.push(hexQuantity(h.excessBlobGas !== undefined ? h.calcNextBlobGasPrice(last.common) : 0n))
  }
  return history
}

function blobGasUsedRatio(block: Block): number {
  if (block.header.blobGasUsed === undefined) return 0
  const max = block.common.getBlobGasSchedule().maxBlobGasPerBlock
  return max === 0n ? 0 : Number(block.header.blobGasUsed) / Number(max)
}

/**
 * The effective tip at each percentile of the block's gas: transactions sorted by tip, the first
 * whose cumulative gas reaches `p`% of the block's gas used (geth's algorithm). Empty block → zeros.
 */
function rewards(block: Block, receipts: StoredReceipt[], percentiles: number[]): string[] {
  if (block.transactions.length === 0) return percentiles.map(() => '0x0')
  const baseFee = block.header.baseFeePerGas ?? 0n
  const txs = receipts
    .map((r) => ({ tip: r.effectiveGasPrice - baseFee, gas: r.gasUsed }))
    .sort((a, b) => (a.tip < b.tip ? -1 : a.tip > b.tip ? 1 : 0))
  const total = block.header.gasUsed
  let i = 0
  let sum = txs[0]!.gas
  return percentiles.map((p) => {
    // Percentiles are floats (e.g. 12.5): scale to basis points of a basis point to stay in bigint.
    const threshold = (total * BigInt(Math.round(p * 10_000))) / 1_000_000n
    while (sum < threshold && i < txs.length - 1) sum += txs[++i]!.gas
    return hexQuantity(txs[i]!.tip)
  })
}
