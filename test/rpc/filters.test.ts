/** Polling filters over HTTP, and ethers' event listener (which is built on them). */
import { bytesToHex } from '@ethereumjs/util'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { ethers } from 'ethers'
import type { Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFilterMethods, FILTER_TIMEOUT_MS } from '../../src/rpc/methods/filters.js'
import { ADDRESSES, KEYS, TOKEN, TRANSFER, startTestNode, transferLog, type TestNode } from './fixtures.js'
import { MemoryBackend } from './memory-backend.js'

let node: TestNode
beforeAll(async () => {
  node = await startTestNode()
})
afterAll(() => node?.close())

const [A, B] = ADDRESSES as [Hex, Hex]
let nonce = 10n
const tx = () =>
  createFeeMarket1559Tx({ nonce: nonce++, to: TOKEN, gasLimit: 60_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n }, { common: node.backend.common }).sign(KEYS[2]!)

describe('polling filters', () => {
  it('reports new matching logs and new block hashes once each', async () => {
    const logFilter = (await node.rpc('eth_newFilter', [{ address: TOKEN, topics: [TRANSFER] }])).result as string
    const blockFilter = (await node.rpc('eth_newBlockFilter')).result as string
    expect((await node.rpc('eth_getFilterChanges', [logFilter])).result).toEqual([])

    const { block } = node.backend.mine([{ tx: tx(), gasUsed: 30_000n, logs: [transferLog(A, B, 5n)] }])
    const empty = node.backend.mine([]).block
    const changes = (await node.rpc('eth_getFilterChanges', [logFilter])).result as Array<{ blockHash: string; data: string }>
    expect(changes.map((l) => l.blockHash)).toEqual([bytesToHex(block.hash())])
    expect((await node.rpc('eth_getFilterChanges', [logFilter])).result).toEqual([])
    expect((await node.rpc('eth_getFilterChanges', [blockFilter])).result).toEqual([bytesToHex(block.hash()), bytesToHex(empty.hash())])
    expect((await node.rpc('eth_getFilterLogs', [logFilter])).result).toHaveLength(0) // default range: the head only

    expect((await node.rpc('eth_uninstallFilter', [logFilter])).result).toBe(true)
    expect((await node.rpc('eth_uninstallFilter', [logFilter])).result).toBe(false)
    expect((await node.rpc('eth_getFilterChanges', [logFilter])).error).toEqual({ code: -32000, message: 'filter not found' })
  })

  it('expires filters nobody polls', async () => {
    let clock = 0
    const methods = createFilterMethods(new MemoryBackend(), () => clock)
    const id = await methods.eth_newBlockFilter!([])
    clock = FILTER_TIMEOUT_MS - 1
    await expect(methods.eth_getFilterChanges!([id])).resolves.toEqual([])
    clock += FILTER_TIMEOUT_MS + 1
    await expect(methods.eth_getFilterChanges!([id])).rejects.toMatchObject({ code: -32000, message: 'filter not found' })
  })

  it('drives an ethers event listener', async () => {
    const provider = new ethers.JsonRpcProvider(node.server.url, undefined, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 20 })
    try {
      const token = new ethers.Contract(TOKEN, ['event Transfer(address indexed from, address indexed to, uint256 value)'], provider)
      const seen: bigint[] = []
      await token.on('Transfer', (_from: string, _to: string, value: bigint) => void seen.push(value))
      // ethers installs its filter asynchronously (slower on a loaded machine): a block mined before
      // that is never reported, so keep mining one until the listener hears of one.
      const started = Date.now()
      while (seen.length === 0 && Date.now() - started < 10_000) {
        node.backend.mine([{ tx: tx(), gasUsed: 30_000n, logs: [transferLog(A, B, 42n)] }])
        const minedAt = Date.now()
        while (seen.length === 0 && Date.now() - minedAt < 500) await new Promise((r) => setTimeout(r, 20))
      }
      expect(seen.length).toBeGreaterThan(0)
      expect(seen.every((v) => v === 42n)).toBe(true)
      await token.removeAllListeners()
    } finally {
      provider.destroy()
    }
  })
})
