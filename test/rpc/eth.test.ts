/** eth_* methods over real HTTP against the in-memory chain: params, tags, state reads, calls, refusals. */
import { hexToBytes } from '@ethereumjs/util'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { bytesToHex, encodeErrorResult, keccak256, parseAbi, type Hex } from 'viem'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ADDRESSES, KEYS, startTestNode, type TestNode } from './fixtures.js'

let node: TestNode
beforeAll(async () => {
  node = await startTestNode()
})
afterAll(() => node?.close())
beforeEach(() => {
  node.backend.stateReads.length = 0
  node.backend.callHandler = () => ({ returnValue: new Uint8Array(), gasUsed: 21_000n })
})

const [A, B] = ADDRESSES as [Hex, Hex]
const errorAbi = parseAbi(['error Error(string)', 'error InsufficientBalance(uint256 have, uint256 want)'])

describe('parameters', () => {
  it('refuses a bad address or block tag with -32602 naming the parameter', async () => {
    expect((await node.rpc('eth_getBalance', ['0x1234', 'latest'])).error).toEqual({ code: -32602, message: 'invalid params: address: expected a 20-byte hex address' })
    const tag = await node.rpc('eth_getBalance', [A, 'latests'])
    expect(tag.error?.code).toBe(-32602)
    expect(tag.error?.message).toBe('invalid params: block: expected a block tag (latest, pending, earliest, safe, finalized), a hex block number, { blockHash } or { blockNumber }')
    expect((await node.rpc('eth_getBlockByNumber', ['0x01x', false])).error?.code).toBe(-32602)
    expect((await node.rpc('eth_getBlockByNumber', ['latest', 'yes'])).error?.message).toBe('invalid params: fullTransactions: expected a boolean')
    expect((await node.rpc('eth_call', [{ to: '0xzz' }, 'latest'])).error?.message).toBe('invalid params: transaction.to: expected a 20-byte hex address')
    expect((await node.rpc('eth_call', [{ to: A, data: '0x01', input: '0x02' }])).error?.message).toContain('transaction.input: both "data" and "input"')
    expect((await node.rpc('eth_getTransactionByHash', ['0xabc'])).error?.message).toBe('invalid params: transactionHash: expected a 32-byte hex hash')
    expect((await node.rpc('eth_getTransactionByBlockNumberAndIndex', ['0x1', '0x01'])).error?.message).toContain('index:')
    expect((await node.rpc('eth_call', [{ to: A }, 'latest', { [A]: { balance: '0x1' } }])).error?.message).toBe('invalid params: stateOverrides: not supported by this node')
  })

  it('resolves tags, numbers and EIP-1898 objects to block numbers for state reads', async () => {
    const block2 = (await node.rpc('eth_getBlockByNumber', ['0x2', false])).result as { hash: Hex }
    for (const tag of ['latest', 'pending', 'safe', 'finalized', undefined]) await node.rpc('eth_getBalance', tag === undefined ? [A] : [A, tag])
    await node.rpc('eth_getBalance', [A, 'earliest'])
    await node.rpc('eth_getBalance', [A, '0x3'])
    await node.rpc('eth_getBalance', [A, { blockHash: block2.hash, requireCanonical: true }])
    await node.rpc('eth_getBalance', [A, { blockNumber: '0x1' }])
    expect(node.backend.stateReads.map((r) => r.block)).toEqual([4n, 4n, 4n, 4n, 4n, 0n, 3n, 2n, 1n])
    expect((await node.rpc('eth_getBalance', [A, 'latest'])).result).toBe('0xde0b6b3a7640000')
  })

  it('answers state reads above the head with -32000 "header not found" and block getters with null', async () => {
    expect((await node.rpc('eth_getBalance', [A, '0x5'])).error).toEqual({ code: -32000, message: 'header not found' })
    expect((await node.rpc('eth_getCode', [A, { blockHash: `0x${'11'.repeat(32)}` }])).error).toEqual({ code: -32000, message: 'header not found' })
    expect((await node.rpc('eth_getBlockByNumber', ['0x5', false])).result).toBeNull()
    expect((await node.rpc('eth_getBlockByHash', [`0x${'11'.repeat(32)}`, false])).result).toBeNull()
    expect((await node.rpc('eth_getBlockTransactionCountByNumber', ['0x63'])).result).toBeNull()
    expect((await node.rpc('eth_getBlockReceipts', ['0x63'])).result).toBeNull()
    expect(node.backend.stateReads).toEqual([])
  })

  it('pads storage slots and counts pending nonces through the mempool', async () => {
    expect((await node.rpc('eth_getStorageAt', [A, '0x1', 'latest'])).result).toBe(`0x${'0'.repeat(63)}1`)
    expect((await node.rpc('eth_getTransactionCount', [B, 'latest'])).result).toBe('0x1')
    expect((await node.rpc('eth_getTransactionCount', [B, 'pending'])).result).toBe('0x2') // one queued
    expect((await node.rpc('eth_getTransactionCount', [B, 'earliest'])).result).toBe('0x1') // the double keeps head state only
    expect(node.backend.stateReads.find((r) => r.what === 'nonce' && r.block === 0n)).toBeDefined()
  })
})

describe('simple methods', () => {
  it('answers chain, client and fee methods', async () => {
    const results = await Promise.all(
      ['eth_chainId', 'net_version', 'net_listening', 'net_peerCount', 'web3_clientVersion', 'eth_blockNumber', 'eth_accounts', 'eth_syncing', 'eth_mining', 'eth_hashrate', 'eth_coinbase', 'eth_gasPrice', 'eth_maxPriorityFeePerGas'].map(
        async (m) => (await node.rpc(m)).result,
      ),
    )
    const head = (await node.backend.blockByNumber(4n))!
    expect(results).toEqual(['0x539', '1337', true, '0x0', 'inferchain-test/v0.0.0', '0x4', [], false, true, '0x0', '0x0000000000000000000000000000000000000000', `0x${(head.header.calcNextBaseFee() + 10n ** 9n).toString(16)}`, '0x3b9aca00'])
    expect((await node.rpc('web3_sha3', ['0x68656c6c6f'])).result).toBe(keccak256('0x68656c6c6f'))
  })
})

describe('calls and transactions', () => {
  it('answers a revert with code 3, the decoded reason and the revert data', async () => {
    const data = encodeErrorResult({ abi: errorAbi, errorName: 'Error', args: ['not enough tokens'] })
    node.backend.callHandler = () => ({ returnValue: new Uint8Array(), gasUsed: 30_000n, error: { message: 'revert', revertData: hexToBytes(data) } })
    expect((await node.rpc('eth_call', [{ to: A, input: '0x12345678' }, 'latest'])).error).toEqual({ code: 3, message: 'execution reverted: not enough tokens', data })
    expect((await node.rpc('eth_estimateGas', [{ to: A }])).error).toEqual({ code: 3, message: 'execution reverted: not enough tokens', data })
  })

  it('keeps custom-error and empty revert data undecoded, and a halt as -32000', async () => {
    const custom = encodeErrorResult({ abi: errorAbi, errorName: 'InsufficientBalance', args: [1n, 2n] })
    node.backend.callHandler = () => ({ returnValue: new Uint8Array(), gasUsed: 1n, error: { message: 'revert', revertData: hexToBytes(custom) } })
    expect((await node.rpc('eth_call', [{ to: A }])).error).toEqual({ code: 3, message: 'execution reverted', data: custom })
    node.backend.callHandler = () => ({ returnValue: new Uint8Array(), gasUsed: 1n, error: { message: 'revert', revertData: new Uint8Array() } })
    expect((await node.rpc('eth_call', [{ to: A }])).error).toEqual({ code: 3, message: 'execution reverted', data: '0x' })
    node.backend.callHandler = () => ({ returnValue: new Uint8Array(), gasUsed: 1n, error: { message: 'out of gas' } })
    expect((await node.rpc('eth_call', [{ to: A }])).error).toEqual({ code: -32000, message: 'out of gas' })
    expect((await node.rpc('eth_estimateGas', [{ to: A }])).error).toEqual({ code: -32000, message: 'gas required exceeds allowance: out of gas' })
  })

  it('passes the parsed call request to the node (input preferred, quantities as bigint)', async () => {
    let seen: unknown
    node.backend.callHandler = (request) => {
      seen = request
      return { returnValue: Uint8Array.of(0xca, 0xfe), gasUsed: 45_000n }
    }
    const request = { from: A.toUpperCase().replace('0X', '0x'), to: B, data: '0xab', input: '0xAB', gas: '0x5208', value: '0x10', maxFeePerGas: '0x3b9aca00' }
    expect((await node.rpc('eth_call', [request, 'latest'])).result).toBe('0xcafe')
    expect(seen).toEqual({ from: A.toLowerCase(), to: B.toLowerCase(), data: '0xAB', gas: 21_000n, value: 16n, maxFeePerGas: 10n ** 9n })
    expect((await node.rpc('eth_estimateGas', [request])).result).toBe('0xafc8')
  })

  it('queues a raw transaction and maps typed refusals to -32000 with data.code', async () => {
    const tx = createFeeMarket1559Tx({ nonce: 3n, to: B, value: 1n, gasLimit: 21_000n, maxFeePerGas: 4n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n }, { common: node.backend.common }).sign(KEYS[0]!)
    const sent = await node.rpc('eth_sendRawTransaction', [bytesToHex(tx.serialize())])
    expect(sent.result).toBe(bytesToHex(tx.hash()))
    const pending = (await node.rpc('eth_getTransactionByHash', [sent.result])).result
    expect(pending).toMatchObject({ hash: sent.result, blockHash: null, blockNumber: null, transactionIndex: null, gasPrice: '0xee6b2800', nonce: '0x3' })

    const stale = createFeeMarket1559Tx({ nonce: 0n, to: B, gasLimit: 21_000n, maxFeePerGas: 4n * 10n ** 9n }, { common: node.backend.common }).sign(KEYS[0]!)
    expect((await node.rpc('eth_sendRawTransaction', [bytesToHex(stale.serialize())])).error).toEqual({ code: -32000, message: 'nonce too low: next nonce 4, tx nonce 0', data: { code: 'NONCE_TOO_LOW' } })
    expect((await node.rpc('eth_sendRawTransaction', ['0x1234'])).error).toEqual({ code: -32000, message: 'invalid transaction', data: { code: 'INVALID_TRANSACTION' } })
    expect((await node.rpc('eth_sendRawTransaction', ['0x123'])).error?.code).toBe(-32602)
    node.backend.pending.delete(bytesToHex(tx.hash()))
  })
})

describe('eth_feeHistory', () => {
  it('computes base fees, ratios and gas-weighted reward percentiles from the blocks', async () => {
    const result = (await node.rpc('eth_feeHistory', ['0x3', '0x3', [0, 50, 100]])).result as Record<string, unknown>
    const blocks = await Promise.all([1n, 2n, 3n].map(async (n) => (await node.backend.blockByNumber(n))!))
    const base = blocks.map((b) => b.header.baseFeePerGas!)
    expect(result.oldestBlock).toBe('0x1')
    expect(result.baseFeePerGas).toEqual([...base, blocks[2]!.header.calcNextBaseFee()].map((n) => `0x${n.toString(16)}`))
    expect(result.gasUsedRatio).toEqual([96_000 / 30e6, 160_000 / 30e6, 0])
    // Block 1 tips (sorted): 2930 (2 gwei price) 25k gas, 1559 (tip 2 gwei) 50k gas, legacy (3 gwei price) 21k gas.
    const tip = (price: bigint, b: bigint) => `0x${(price - b).toString(16)}`
    const tip1559 = `0x${(2n * 10n ** 9n < 5n * 10n ** 9n - base[0]! ? 2n * 10n ** 9n : 5n * 10n ** 9n - base[0]!).toString(16)}`
    expect((result.reward as string[][])[0]).toEqual([tip(2n * 10n ** 9n, base[0]!), tip1559, tip(3n * 10n ** 9n, base[0]!)])
    expect((result.reward as string[][])[2]).toEqual(['0x0', '0x0', '0x0'])
    expect(result.baseFeePerBlobGas).toHaveLength(4)
  })

  it('clips at genesis and validates its parameters', async () => {
    const clipped = (await node.rpc('eth_feeHistory', [10, 'latest', []])).result as Record<string, unknown[]>
    expect(clipped.oldestBlock).toBe('0x0')
    expect(clipped.baseFeePerGas).toHaveLength(6)
    expect(clipped.reward).toBeUndefined()
    expect((await node.rpc('eth_feeHistory', ['0x2', 'latest', [50, 10]])).error?.message).toContain('rewardPercentiles: percentiles must be monotonically increasing')
    expect((await node.rpc('eth_feeHistory', ['0x401', 'latest', []])).error?.message).toBe('invalid params: blockCount: at most 1024')
    expect((await node.rpc('eth_feeHistory', ['0x2', '0x10', []])).error).toEqual({ code: -32000, message: 'header not found' })
  })
})
