/** The JSON shapes of blocks, transactions and receipts, checked against the ethereumjs objects they come from. */
import { bytesToHex } from '@ethereumjs/util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatBlock, formatBlockReceipts, formatTransaction } from '../../src/rpc/format.js'
import { ADDRESSES, CREATED, startTestNode, type TestNode } from './fixtures.js'

let node: TestNode
beforeAll(async () => {
  node = await startTestNode()
})
afterAll(() => node?.close())

const QUANTITY = /^0x(0|[1-9a-f][0-9a-f]*)$/

describe('blocks', () => {
  it('carries every active fork field and the withdrawals', async () => {
    const stored = (await node.backend.blockByNumber(2n))!
    const json = (await node.rpc('eth_getBlockByNumber', ['0x2', false])).result as Record<string, unknown>
    expect(json).toMatchObject({
      number: '0x2',
      hash: bytesToHex(stored.hash()),
      parentHash: bytesToHex(stored.header.parentHash),
      miner: '0x00000000000000000000000000000000000000c0',
      gasUsed: '0x27100',
      size: `0x${stored.serialize().length.toString(16)}`,
      transactions: stored.transactions.map((t) => bytesToHex(t.hash())),
      uncles: [],
      withdrawals: [],
      withdrawalsRoot: bytesToHex(stored.header.withdrawalsRoot!),
      blobGasUsed: '0x0',
      excessBlobGas: '0x0',
      parentBeaconBlockRoot: bytesToHex(stored.header.parentBeaconBlockRoot!),
      requestsHash: bytesToHex(stored.header.requestsHash!),
      logsBloom: bytesToHex(stored.header.logsBloom),
    })
    expect(json.baseFeePerGas).toBe(`0x${stored.header.baseFeePerGas!.toString(16)}`)
    for (const key of ['number', 'gasLimit', 'gasUsed', 'timestamp', 'difficulty', 'size', 'baseFeePerGas']) expect(json[key]).toMatch(QUANTITY)
    const full = (await node.rpc('eth_getBlockByHash', [json.hash, true])).result as { transactions: unknown[] }
    expect(full.transactions).toEqual(stored.transactions.map((tx, index) => formatTransaction(tx, { block: stored, index })))
  })

  it('counts and indexes transactions by number and by hash', async () => {
    const stored = (await node.backend.blockByNumber(1n))!
    const hash = bytesToHex(stored.hash())
    expect((await node.rpc('eth_getBlockTransactionCountByNumber', ['0x1'])).result).toBe('0x3')
    expect((await node.rpc('eth_getBlockTransactionCountByHash', [hash])).result).toBe('0x3')
    expect((await node.rpc('eth_getUncleCountByBlockNumber', ['0x1'])).result).toBe('0x0')
    const second = (await node.rpc('eth_getTransactionByBlockHashAndIndex', [hash, '0x1'])).result as Record<string, unknown>
    expect(second.hash).toBe(bytesToHex(stored.transactions[1]!.hash()))
    expect((await node.rpc('eth_getTransactionByBlockNumberAndIndex', ['0x1', '0x2'])).result).toMatchObject({ transactionIndex: '0x2' })
    expect((await node.rpc('eth_getTransactionByBlockNumberAndIndex', ['0x1', '0x3'])).result).toBeNull()
  })

  it('never leaks a bigint: every block and its receipts serialise to JSON', async () => {
    for (let n = 0n; n <= node.backend.headNumber(); n++) {
      const block = (await node.backend.blockByNumber(n))!
      const receipts = await node.backend.receipts(block)
      expect(() => JSON.stringify([formatBlock(block, true), formatBlockReceipts(block, receipts)])).not.toThrow()
    }
  })
})

describe('transactions', () => {
  it('writes legacy EIP-155 chain ids, typed yParity and gas under the execution-API names', async () => {
    const { legacy, accessList } = node.scenario
    const l = (await node.rpc('eth_getTransactionByHash', [bytesToHex(legacy.hash())])).result as Record<string, unknown>
    expect(l).toMatchObject({ type: '0x0', chainId: '0x539', gas: '0x5208', gasPrice: '0xb2d05e00', input: '0x', to: ADDRESSES[1], from: ADDRESSES[0] })
    expect(Number(l.v)).toBeGreaterThanOrEqual(1337 * 2 + 35)
    expect(l).not.toHaveProperty('yParity')
    expect(l).not.toHaveProperty('gasLimit')
    expect(l).not.toHaveProperty('data')
    const al = (await node.rpc('eth_getTransactionByHash', [bytesToHex(accessList.hash())])).result as Record<string, unknown>
    expect(al).toMatchObject({ type: '0x1', chainId: '0x539', yParity: al.v, gasPrice: '0x77359400' })
    expect(['0x0', '0x1']).toContain(al.yParity)
  })

  it('shows a pending 1559 transaction at its fee cap with null location', () => {
    const json = formatTransaction(node.scenario.pending)
    expect(json).toMatchObject({ blockHash: null, blockNumber: null, transactionIndex: null, gasPrice: '0xee6b2800', maxFeePerGas: '0xee6b2800', accessList: [] })
  })
})

describe('receipts', () => {
  it('eth_getBlockReceipts: logs indexed across the block, contract address, failure status', async () => {
    const block1 = (await node.rpc('eth_getBlockReceipts', ['0x1'])).result as Array<{ logs: Array<{ logIndex: string; transactionIndex: string }>; type: string; status: string }>
    expect(block1.map((r) => r.type)).toEqual(['0x0', '0x1', '0x2'])
    expect(block1.flatMap((r) => r.logs.map((l) => [l.transactionIndex, l.logIndex]))).toEqual([
      ['0x1', '0x0'],
      ['0x2', '0x1'],
      ['0x2', '0x2'],
    ])
    const block2 = (await node.rpc('eth_getBlockReceipts', [{ blockNumber: '0x2' }])).result as Array<Record<string, unknown>>
    expect(block2.map((r) => [r.status, r.contractAddress, r.to])).toEqual([
      ['0x1', CREATED, null],
      ['0x0', null, bytesToHex(node.scenario.failed.to!.bytes)],
    ])
    expect((await node.rpc('eth_getTransactionReceipt', [bytesToHex(node.scenario.pending.hash())])).result).toBeNull()
  })
})
