/** Decoding blocks as importers do (shared Common, derived sender, worker recovery), against @ethereumjs/block's own decoding. */
import { createBlock, createBlockFromRLP } from '@ethereumjs/block'
import { RLP } from '@ethereumjs/rlp'
import { createAccessList2930Tx, createFeeMarket1559Tx, createLegacyTx, createTxFromRLP } from '@ethereumjs/tx'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { createChainCommon } from '../../src/chain/common.js'
import { decodeTransaction } from '../../src/chain/admission.js'
import { decodeBlock, decodingCommon, recoverSendersOffThread } from '../../src/chain/transaction-decoding.js'
import { ACCOUNTS } from './helpers.js'

const common = createChainCommon(424242)
const to = '0x00000000000000000000000000000000000000aa'

function sampleBlock() {
  const transactions = ACCOUNTS.slice(1, 3).flatMap((account, i) => {
    const key = hexToBytes(account.privateKey)
    return [
      createFeeMarket1559Tx({ nonce: 0n, to, value: BigInt(i), gasLimit: 30_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, chainId: 424242n, data: '0x00ff00' }, { common }).sign(key),
      createAccessList2930Tx({ nonce: 1n, to, gasLimit: 30_000n, gasPrice: 10n ** 10n, chainId: 424242n }, { common }).sign(key),
      createLegacyTx({ nonce: 2n, to, gasLimit: 21_000n, gasPrice: 10n ** 10n }, { common }).sign(key),
    ]
  })
  return createBlock({ header: { number: 7n, timestamp: 1_700_000_000n, gasLimit: 30_000_000n, extraData: '0xabcd' }, transactions }, { common, setHardfork: false })
}

describe('decodeBlock', () => {
  const block = sampleBlock()
  const raw = block.serialize()

  it('gives what createBlockFromRLP gives: header, hash, transactions, senders, roots', async () => {
    const reference = createBlockFromRLP(raw, { common, setHardfork: false })
    const decoded = decodeBlock(raw, common)
    expect(bytesToHex(decoded.hash())).toBe(bytesToHex(reference.hash()))
    expect(bytesToHex(decoded.serialize())).toBe(bytesToHex(raw))
    expect(decoded.transactions).toHaveLength(6)
    decoded.transactions.forEach((tx, i) => {
      expect(bytesToHex(tx.hash())).toBe(bytesToHex(reference.transactions[i]!.hash()))
      expect(tx.getSenderAddress().toString()).toBe(reference.transactions[i]!.getSenderAddress().toString())
      expect(tx.getSenderAddress().toString()).toBe(ACCOUNTS[1 + Math.floor(i / 3)]!.address.toLowerCase())
      expect(tx.common).toBe(decodingCommon(common))
      expect(Object.isFrozen(tx)).toBe(true)
    })
    expect(bytesToHex(await decoded.genTxTrie())).toBe(bytesToHex(await reference.genTxTrie()))
    expect(decoded.withdrawals).toEqual(reference.withdrawals)
  })

  it('recovers senders on the worker thread, to the keys the library recovers', async () => {
    const decoded = decodeBlock(raw, common)
    expect(decoded.transactions.every((tx) => tx.cache.senderPubKey === undefined)).toBe(true)
    await recoverSendersOffThread(decoded.transactions)
    const reference = createBlockFromRLP(raw, { common, setHardfork: false })
    decoded.transactions.forEach((tx, i) => {
      // Typed transactions are recovered by the worker; legacy ones are left to the library.
      if (tx.type !== 0) expect(tx.cache.senderPubKey).toBeDefined()
      expect(bytesToHex(tx.getSenderPublicKey())).toBe(bytesToHex(reference.transactions[i]!.getSenderPublicKey()))
      expect(tx.verifySignature()).toBe(true)
    })
  })

  it('keeps a forged signature forged: the worker recovers another sender, not the claimed one', async () => {
    const [header, txs, ...rest] = RLP.decode(raw) as [Uint8Array[], Uint8Array[], ...Uint8Array[]]
    const forged = txs[0]!.slice()
    forged[forged.length - 1] ^= 0x01
    const decoded = decodeBlock(RLP.encode([header, [forged, ...txs.slice(1)], ...rest]), common)
    await recoverSendersOffThread(decoded.transactions)
    expect(decoded.transactions[0]!.getSenderAddress().toString()).not.toBe(ACCOUNTS[1]!.address.toLowerCase())
    expect(decoded.transactions[1]!.getSenderAddress().toString()).toBe(ACCOUNTS[1]!.address.toLowerCase())
  })

  it('refuses what createBlockFromRLP refuses', () => {
    const [header, txs] = RLP.decode(raw) as [Uint8Array[], Uint8Array[]]
    const cases: Uint8Array[] = [
      RLP.encode(Uint8Array.from([1, 2, 3])),
      RLP.encode([header, txs, [], [], [], []]),
      RLP.encode([header, Uint8Array.from([1])]),
      RLP.encode([header, [Uint8Array.from([0x02, 0xc0])]]),
      RLP.encode([header.slice(0, 3), txs]),
      raw.subarray(0, raw.length - 5),
    ]
    for (const bad of cases) {
      expect(() => createBlockFromRLP(bad, { common, setHardfork: false })).toThrow()
      expect(() => decodeBlock(bad, common)).toThrow()
    }
  })
})

describe('calldata gas, counted once with numbers', () => {
  it('equals the library\'s own count for calls, creations, access lists and zero-heavy data', () => {
    const key = hexToBytes(ACCOUNTS[1]!.privateKey)
    const data = (length: number, zeroEvery: number) => Uint8Array.from({ length }, (_, i) => (i % zeroEvery === 0 ? 0 : (i * 37) % 255 + 1))
    const txs = [
      createFeeMarket1559Tx({ nonce: 0n, to, gasLimit: 3_000_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, chainId: 424242n, data: data(8193, 3) }, { common }),
      createFeeMarket1559Tx({ nonce: 0n, gasLimit: 3_000_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, chainId: 424242n, data: data(1000, 2) }, { common }),
      createAccessList2930Tx({ nonce: 1n, to, gasLimit: 3_000_000n, gasPrice: 10n ** 10n, chainId: 424242n, data: data(33, 1), accessList: [{ address: to, storageKeys: [`0x${'01'.padStart(64, '0')}`] }] }, { common }),
      createLegacyTx({ nonce: 2n, gasLimit: 3_000_000n, gasPrice: 10n ** 10n, data: data(65, 7) }, { common }),
      createLegacyTx({ nonce: 3n, to, gasLimit: 21_000n, gasPrice: 10n ** 10n }, { common }),
    ].map((tx) => tx.sign(key))
    for (const tx of txs) {
      const reference = createTxFromRLP(tx.serialize(), { common })
      const decoded = decodeTransaction(tx.serialize(), common)
      expect(decoded.cache.dataFee?.value).toBeDefined()
      expect(decoded.getDataGas()).toBe(reference.getDataGas())
      expect(decoded.getIntrinsicGas()).toBe(reference.getIntrinsicGas())
    }
  })
})
