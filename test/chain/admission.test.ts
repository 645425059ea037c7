/** Decoding raw transactions with the shared Common and the remembered sender, against @ethereumjs/tx's own decoding. */
import { createAccessList2930Tx, createFeeMarket1559Tx, createLegacyTx, createTxFromRLP, paramsTx } from '@ethereumjs/tx'
import { bigIntToBytes, bytesToHex, hexToBytes, SECP256K1_ORDER, setLengthLeft } from '@ethereumjs/util'
import { RLP } from '@ethereumjs/rlp'
import { describe, expect, it } from 'vitest'
import { admitTransaction, decodeTransaction } from '../../src/chain/admission.js'
import { decodingCommon } from '../../src/chain/transaction-decoding.js'
import { recoverOffThread } from '../../src/chain/sender-recovery.js'
import { recoverPublicKey } from '../../src/crypto/native.js'
import { createChainCommon } from '../../src/chain/common.js'
import { TransactionRejectedError } from '../../src/chain/errors.js'
import { ACCOUNTS } from './helpers.js'

const common = createChainCommon(424242)
const key = hexToBytes(ACCOUNTS[1]!.privateKey)
const to = '0x00000000000000000000000000000000000000aa'

describe('decodeTransaction', () => {
  const signed = [
    createFeeMarket1559Tx({ nonce: 3n, to, value: 5n, gasLimit: 30_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, chainId: 424242n, data: '0x1234' }, { common }).sign(key),
    createAccessList2930Tx({ nonce: 4n, to, gasLimit: 30_000n, gasPrice: 10n ** 10n, chainId: 424242n, accessList: [{ address: to, storageKeys: [`0x${'01'.padStart(64, '0')}`] }] }, { common }).sign(key),
    createLegacyTx({ nonce: 5n, to, gasLimit: 21_000n, gasPrice: 10n ** 10n }, { common }).sign(key),
  ]

  it('gives what @ethereumjs/tx gives: fields, hash, sender, validity', () => {
    for (const tx of signed) {
      const raw = tx.serialize()
      const reference = createTxFromRLP(raw, { common })
      const decoded = decodeTransaction(raw, common)
      expect(bytesToHex(decoded.hash())).toBe(bytesToHex(reference.hash()))
      expect(decoded.getSenderAddress().toString()).toBe(ACCOUNTS[1]!.address.toLowerCase())
      expect(decoded.getSenderAddress().toString()).toBe(reference.getSenderAddress().toString())
      expect(decoded.toJSON()).toEqual(reference.toJSON())
      expect(decoded.getValidationErrors()).toEqual([])
      expect(Object.isFrozen(decoded)).toBe(true)
      // The sender is derived once and then handed out again.
      expect(decoded.getSenderAddress()).toBe(decoded.getSenderAddress())
      // The encoding is made once; every caller gets its own copy.
      expect(bytesToHex(decoded.serialize())).toBe(bytesToHex(raw))
      decoded.serialize().fill(0)
      expect(bytesToHex(decoded.serialize())).toBe(bytesToHex(raw))
    }
  })

  it('shares one Common, parameterised once, that never changes', () => {
    const a = decodeTransaction(signed[0]!.serialize(), common)
    const b = decodeTransaction(signed[2]!.serialize(), common)
    expect(a.common).toBe(b.common)
    expect(a.common).toBe(decodingCommon(common))
    expect(a.common).not.toBe(common)
    expect(a.common.copy()).toBe(a.common)
    expect(a.common.hardfork()).toBe(common.hardfork())
    expect(() => a.common.updateParams({ 1: { extra: 1 } } as never)).toThrow()
    expect(() => a.common.updateParams(paramsTx)).not.toThrow()
    expect(() => a.common.setHardfork('cancun')).toThrow()
    // The chain's own Common is untouched.
    expect(common.hardfork()).toBe(a.common.hardfork())
  })

  it('still refuses what it refused', () => {
    const wrongChain = createFeeMarket1559Tx({ nonce: 0n, to, gasLimit: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n, chainId: 1n }, { common: createChainCommon(1) }).sign(key)
    expect(() => decodeTransaction(wrongChain.serialize(), common)).toThrow(TransactionRejectedError)
    const unsigned = createFeeMarket1559Tx({ nonce: 0n, to, gasLimit: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n, chainId: 424242n }, { common })
    expect(() => decodeTransaction(unsigned.serialize(), common)).toThrow(/signature/)
    // Another s recovers another key: the sender comes from each transaction's own signature.
    const otherSignature = signed[0]!.serialize().slice()
    otherSignature[otherSignature.length - 1] ^= 0x01
    expect(decodeTransaction(otherSignature, common).getSenderAddress().toString()).not.toBe(ACCOUNTS[1]!.address.toLowerCase())
    expect(() => decodeTransaction(hexToBytes('0x02c0'), common)).toThrow(/invalid transaction/)
  })

  it('admitTransaction (sender recovered off the event loop) agrees with decodeTransaction', async () => {
    for (const tx of signed) {
      const raw = tx.serialize()
      const admitted = await admitTransaction(raw, common)
      const decoded = decodeTransaction(raw, common)
      expect(bytesToHex(admitted.hash())).toBe(bytesToHex(decoded.hash()))
      expect(admitted.getSenderAddress().toString()).toBe(decoded.getSenderAddress().toString())
      expect(bytesToHex(admitted.getSenderPublicKey())).toBe(bytesToHex(decoded.getSenderPublicKey()))
    }
    // A high s (the same signature, mirrored) is refused by both, the same way.
    const [type, ...fields] = [signed[0]!.serialize()[0]!, ...(RLP.decode(signed[0]!.serialize().subarray(1)) as Uint8Array[])]
    const s = BigInt(bytesToHex(fields[11]!))
    fields[9] = fields[9]!.length === 0 ? Uint8Array.of(1) : new Uint8Array()
    fields[11] = bigIntToBytes(SECP256K1_ORDER - s)
    const highS = Uint8Array.of(type, ...RLP.encode(fields))
    let refusal = ''
    try {
      decodeTransaction(highS, common)
    } catch (err) {
      refusal = (err as Error).message
    }
    expect(refusal).toMatch(/Invalid Signature/)
    await expect(admitTransaction(highS, common)).rejects.toThrow(refusal)
  })

  it('the worker recovers the key the native library recovers', async () => {
    const tx = signed[0]!
    const digest = tx.getMessageToVerifySignature()
    const signature = Uint8Array.from([...setLengthLeft(bigIntToBytes(tx.r!), 32), ...setLengthLeft(bigIntToBytes(tx.s!), 32)])
    const offThread = await recoverOffThread(digest, signature, Number(tx.v))
    expect(offThread && bytesToHex(offThread)).toBe(bytesToHex(recoverPublicKey(digest, signature, Number(tx.v))))
    // A signature that recovers nothing: the worker says so and the caller recovers (and refuses) itself.
    expect(await recoverOffThread(digest, new Uint8Array(64), 0)).toBeUndefined()
  })
})
