import { genTransactionsTrieRoot } from '@ethereumjs/block'
import { createMPT } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { createChainCommon } from '../../src/chain/common.js'
import { orderedTrieRoot } from '../../src/chain/ordered-trie.js'

/** What ethereumjs's trie computes: one put per item. */
async function reference(values: Uint8Array[]): Promise<string> {
  const trie = await createMPT()
  for (const [i, value] of values.entries()) await trie.put(RLP.encode(i), value)
  return bytesToHex(trie.root())
}

function bytesOf(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7) & 0xff)
}

describe('orderedTrieRoot', () => {
  it('is the empty trie root for no items', async () => {
    expect(bytesToHex(orderedTrieRoot([]))).toBe(await reference([]))
  })

  it('equals the trie root for every count up to 300 (short, inlined and hashed nodes)', async () => {
    for (let n = 1; n <= 300; n += n < 40 ? 1 : 13) {
      // Values of 1, 5 and 100 bytes: nodes below and above the 32-byte inlining threshold.
      const values = Array.from({ length: n }, (_, i) => bytesOf([1, 5, 100][i % 3]!, i))
      expect(bytesToHex(orderedTrieRoot(values)), `${n} items`).toBe(await reference(values))
    }
  })

  it('equals genTransactionsTrieRoot for signed transactions', async () => {
    const common = createChainCommon(424242)
    const key = hexToBytes(`0x${'11'.repeat(32)}`)
    const txs = Array.from({ length: 150 }, (_, i) =>
      createFeeMarket1559Tx({ nonce: BigInt(i), to: `0x${(i + 1).toString(16).padStart(40, '0')}`, value: BigInt(i), gasLimit: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, chainId: 424242n }, { common }).sign(key),
    )
    for (const n of [1, 2, 16, 17, 128, 129, 150]) {
      const slice = txs.slice(0, n)
      expect(bytesToHex(orderedTrieRoot(slice.map((tx) => tx.serialize()))), `${n} txs`).toBe(bytesToHex(await genTransactionsTrieRoot(slice)))
    }
  })
})
