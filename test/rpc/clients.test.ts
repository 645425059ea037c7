/** viem and ethers, unmodified, reading the in-memory chain over real HTTP: their parsers accept our shapes. */
import { bytesToHex } from '@ethereumjs/util'
import { ethers } from 'ethers'
import { BaseError, getAddress, ContractFunctionRevertedError, createPublicClient, encodeErrorResult, http, parseAbi, parseAbiItem, hexToBytes, type Hex, type PublicClient } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADDRESSES, CREATED, TOKEN, startTestNode, type TestNode } from './fixtures.js'

let node: TestNode
let client: PublicClient
let provider: ethers.JsonRpcProvider
beforeAll(async () => {
  node = await startTestNode()
  client = createPublicClient({ transport: http(node.server.url) })
  provider = new ethers.JsonRpcProvider(node.server.url, undefined, { staticNetwork: true, cacheTimeout: -1 })
})
afterAll(async () => {
  provider?.destroy()
  await node?.close()
})

const [A, B, C] = ADDRESSES as [Hex, Hex, Hex]
const hash = (tx: { hash(): Uint8Array }) => bytesToHex(tx.hash()) as Hex
const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)')

describe('viem', () => {
  it('reads the block number and blocks with hashes or full transactions', async () => {
    expect(await client.getBlockNumber()).toBe(4n)
    expect(await client.getChainId()).toBe(1337)
    const stored = (await node.backend.blockByNumber(1n))!
    const block = await client.getBlock({ blockNumber: 1n, includeTransactions: true })
    expect(block.hash).toBe(bytesToHex(stored.hash()))
    expect(block.number).toBe(1n)
    expect(block.baseFeePerGas).toBe(stored.header.baseFeePerGas)
    expect(block.gasUsed).toBe(96_000n)
    expect(block.withdrawals).toEqual([])
    expect(block.transactions.map((t) => t.hash)).toEqual(stored.transactions.map(hash))
    expect(block.transactions.map((t) => t.type)).toEqual(['legacy', 'eip2930', 'eip1559'])
    const byHash = await client.getBlock({ blockHash: block.hash })
    expect(byHash.transactions).toEqual(stored.transactions.map(hash))
    expect((await client.getBlock()).number).toBe(4n)
  })

  it('reads every transaction type with its signature and fee fields', async () => {
    const { legacy, accessList, feeMarket, creation, pending } = node.scenario
    const l = await client.getTransaction({ hash: hash(legacy) })
    expect(l).toMatchObject({ type: 'legacy', from: A, to: B, value: 5n, gas: 21_000n, gasPrice: 3_000_000_000n, nonce: 0, chainId: 1337, blockNumber: 1n, transactionIndex: 0 })
    expect(l.v).toBe(legacy.v)
    expect(l.r).toBe(`0x${legacy.r!.toString(16)}`)
    const al = await client.getTransaction({ hash: hash(accessList) })
    expect(al).toMatchObject({ type: 'eip2930', from: B, to: C, yParity: Number(accessList.v), accessList: [{ address: TOKEN, storageKeys: [`0x${'0'.repeat(63)}1`] }] })
    const fm = await client.getTransaction({ hash: hash(feeMarket) })
    expect(fm).toMatchObject({ type: 'eip1559', maxFeePerGas: 5_000_000_000n, maxPriorityFeePerGas: 2_000_000_000n, input: '0xa9059cbb', transactionIndex: 2 })
    const cr = await client.getTransaction({ hash: hash(creation) })
    expect(cr.to).toBeNull()
    const p = await client.getTransaction({ hash: hash(pending) })
    expect(p).toMatchObject({ blockHash: null, blockNumber: null, transactionIndex: null, from: B })
    // Absent transactions: viem throws its own not-found error.
    await expect(client.getTransaction({ hash: `0x${'ab'.repeat(32)}` })).rejects.toThrow(/could not be found/)
  })

  it('reads receipts: status, contract address, effective gas price, logs indexed across the block', async () => {
    const { feeMarket, creation, failed } = node.scenario
    const r = await client.getTransactionReceipt({ hash: hash(feeMarket) })
    expect(r).toMatchObject({ status: 'success', type: 'eip1559', gasUsed: 50_000n, cumulativeGasUsed: 96_000n, transactionIndex: 2, from: A, to: TOKEN, contractAddress: null })
    expect(r.logs.map((l) => l.logIndex)).toEqual([1, 2])
    expect(r.logs[0]!.transactionHash).toBe(hash(feeMarket))
    const base = (await node.backend.blockByNumber(1n))!.header.baseFeePerGas!
    expect(r.effectiveGasPrice).toBe(base + 2_000_000_000n)
    expect(await client.getTransactionReceipt({ hash: hash(creation) })).toMatchObject({ contractAddress: CREATED, to: null, status: 'success' })
    expect(await client.getTransactionReceipt({ hash: hash(failed) })).toMatchObject({ status: 'reverted', cumulativeGasUsed: 160_000n })
  })

  it('filters logs by event, indexed args, address and block range', async () => {
    const all = await client.getLogs({ event: transferEvent, fromBlock: 0n })
    expect(all.map((l) => [l.args.from, l.args.to, l.args.value])).toEqual([
      [B, C, 1n],
      [A, B, 100n],
      [A, C, 7n],
    ].map(([from, to, value]) => [getAddress(from as Hex), getAddress(to as Hex), value]))
    const toC = await client.getLogs({ event: transferEvent, args: { to: C }, fromBlock: 1n, toBlock: 1n })
    expect(toC.map((l) => l.args.value)).toEqual([1n, 7n])
    expect(await client.getLogs({ address: CREATED, fromBlock: 0n })).toHaveLength(1)
    expect(await client.getLogs({ address: TOKEN, fromBlock: 2n })).toEqual([])
  })

  it('reads fee history, gas price and a revert reason', async () => {
    const history = await client.getFeeHistory({ blockCount: 2, rewardPercentiles: [25, 75] })
    expect(history.oldestBlock).toBe(3n)
    expect(history.baseFeePerGas).toHaveLength(3)
    expect(history.reward).toEqual([
      [0n, 0n],
      [0n, 0n],
    ])
    expect(await client.getGasPrice()).toBeGreaterThan(0n)
    const abi = parseAbi(['function transfer(address,uint256) returns (bool)', 'error Error(string)'])
    node.backend.callHandler = () => ({
      returnValue: new Uint8Array(),
      gasUsed: 1n,
      error: { message: 'revert', revertData: hexToBytes(encodeErrorResult({ abi, errorName: 'Error', args: ['not enough tokens'] })) },
    })
    const failure = await client.readContract({ address: TOKEN, abi, functionName: 'transfer', args: [B, 1n] }).catch((e: unknown) => e)
    const reverted = (failure as BaseError).walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError
    expect(reverted.reason).toBe('not enough tokens')
  })
})

describe('ethers v6', () => {
  it('reads blocks, transactions, receipts and logs', async () => {
    const { feeMarket, creation } = node.scenario
    const stored = (await node.backend.blockByNumber(1n))!
    const block = await provider.getBlock(1)
    expect(block?.hash).toBe(bytesToHex(stored.hash()))
    expect(block?.transactions).toEqual(stored.transactions.map(hash))
    expect(block?.baseFeePerGas).toBe(stored.header.baseFeePerGas)
    const receipt = await provider.getTransactionReceipt(hash(feeMarket))
    expect(receipt).toMatchObject({ status: 1, index: 2, blockNumber: 1, gasUsed: 50_000n, from: ethers.getAddress(A) })
    expect(receipt?.logs.map((l) => l.index)).toEqual([1, 2])
    expect((await provider.getTransactionReceipt(hash(creation)))?.contractAddress).toBe(ethers.getAddress(CREATED))
    const tx = await provider.getTransaction(hash(feeMarket))
    expect(tx).toMatchObject({ type: 2, nonce: 1, gasLimit: 80_000n, maxFeePerGas: 5_000_000_000n, chainId: 1337n })
    expect(tx?.from).toBe(ethers.getAddress(A))
    const logs = await provider.getLogs({ fromBlock: 0, address: TOKEN, topics: [ethers.id('Transfer(address,address,uint256)')] })
    expect(logs).toHaveLength(3)
    expect((await provider.getFeeData()).maxPriorityFeePerGas).toBe(10n ** 9n)
  })
})
