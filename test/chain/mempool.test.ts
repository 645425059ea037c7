import { describe, expect, it } from 'vitest'
import { createChainCommon } from '../../src/chain/common.js'
import { TransactionRejectedError } from '../../src/chain/errors.js'
import { Mempool } from '../../src/chain/mempool.js'
import { DEFAULT_CHAIN_ID } from '../../src/params.js'
import { ACCOUNTS, signedTransfer } from './helpers.js'

const common = createChainCommon(DEFAULT_CHAIN_ID)
const to = ACCOUNTS[2]!.address
const ready = <T extends { status: string }>(e: T) => ((e.status = 'ready'), e)

describe('Mempool', () => {
  it('orders each sender by nonce and stops at a gap', async () => {
    const pool = new Mempool()
    ready(pool.add(signedTransfer(common, { to, nonce: 2n }), 0n))
    ready(pool.add(signedTransfer(common, { to, nonce: 0n }), 0n))
    ready(pool.add(signedTransfer(common, { to, nonce: 1n }), 0n))
    ready(pool.add(signedTransfer(common, { to, nonce: 4n }), 0n))
    const order = await pool.includable(async () => 0n, 0n)
    expect(order.map((e) => e.nonce)).toEqual([0n, 1n, 2n])
    expect(pool.pendingNonce(ACCOUNTS[0]!.address.toLowerCase() as `0x${string}`, 0n)).toBe(3n)
  })

  it('puts the sender with the better tip first but keeps nonce order within a sender', async () => {
    const pool = new Mempool()
    ready(pool.add(signedTransfer(common, { from: 0, to, nonce: 0n, tip: 1n }), 0n))
    ready(pool.add(signedTransfer(common, { from: 0, to, nonce: 1n, tip: 50n }), 0n))
    ready(pool.add(signedTransfer(common, { from: 1, to, nonce: 0n, tip: 10n }), 0n))
    const order = await pool.includable(async () => 0n, 0n)
    expect(order.map((e) => [e.sender === ACCOUNTS[0]!.address.toLowerCase() ? 'a' : 'b', e.nonce])).toEqual([
      ['b', 0n],
      ['a', 0n],
      ['a', 1n],
    ])
  })

  it('replaces a transaction only for 10% more on both fee caps', () => {
    const pool = new Mempool()
    const first = pool.add(signedTransfer(common, { to, nonce: 0n, maxFeePerGas: 1000n, tip: 100n }), 0n)
    expect(() => pool.add(signedTransfer(common, { to, nonce: 0n, maxFeePerGas: 1099n, tip: 110n, value: 2n }), 0n)).toThrowError(
      expect.objectContaining({ code: 'REPLACEMENT_UNDERPRICED' }),
    )
    const second = pool.add(signedTransfer(common, { to, nonce: 0n, maxFeePerGas: 1100n, tip: 110n, value: 3n }), 0n)
    expect(pool.get(first.hash)).toBeUndefined()
    expect(pool.get(second.hash)).toBe(second)
    expect(pool.size).toBe(1)
  })

  it('refuses stale nonces, duplicates and far-future nonces with typed errors', () => {
    const pool = new Mempool()
    const tx = signedTransfer(common, { to, nonce: 5n })
    expect(() => pool.add(tx, 6n)).toThrowError(TransactionRejectedError)
    expect(() => pool.add(tx, 6n)).toThrowError(expect.objectContaining({ code: 'NONCE_TOO_LOW' }))
    pool.add(tx, 5n)
    expect(() => pool.add(tx, 5n)).toThrowError(expect.objectContaining({ code: 'ALREADY_KNOWN' }))
    expect(() => pool.add(signedTransfer(common, { to, nonce: 500n }), 0n)).toThrowError(expect.objectContaining({ code: 'NONCE_TOO_HIGH' }))
  })

  it('drops entries the chain has moved past', async () => {
    const pool = new Mempool()
    ready(pool.add(signedTransfer(common, { to, nonce: 0n }), 0n))
    ready(pool.add(signedTransfer(common, { to, nonce: 1n }), 0n))
    const order = await pool.includable(async () => 1n, 0n)
    expect(order.map((e) => e.nonce)).toEqual([1n])
    expect(pool.size).toBe(1)
  })
})
