/** eth_getLogs semantics over HTTP: topic wildcards and OR-lists, blockHash, ranges, bloom skipping, the range cap. */
import { pad, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createEthMethods } from '../../src/rpc/methods/eth.js'
import { MAX_LOG_BLOCK_RANGE } from '../../src/rpc/methods/logs.js'
import { APPROVAL, ADDRESSES, CREATED, TOKEN, TRANSFER, startTestNode, type TestNode } from './fixtures.js'
import { MemoryBackend } from './memory-backend.js'

let node: TestNode
beforeAll(async () => {
  node = await startTestNode()
})
afterAll(() => node?.close())

const [A, B, C] = ADDRESSES as [Hex, Hex, Hex]
type Log = { address: string; topics: string[]; logIndex: string; blockNumber: string; transactionIndex: string; removed: boolean }

async function logs(filter: Record<string, unknown>): Promise<Log[]> {
  const answer = await node.rpc('eth_getLogs', [filter])
  if (answer.error) throw new Error(`${answer.error.code} ${answer.error.message}`)
  return answer.result as Log[]
}
const positions = (found: Log[]) => found.map((l) => `${Number(l.blockNumber)}/${Number(l.transactionIndex)}/${Number(l.logIndex)}`)

describe('eth_getLogs', () => {
  it('returns every log of the range with block-wide log indexes', async () => {
    const found = await logs({ fromBlock: 'earliest', toBlock: 'latest' })
    expect(positions(found)).toEqual(['1/1/0', '1/2/1', '1/2/2', '2/0/0'])
    expect(found.every((l) => l.removed === false)).toBe(true)
    expect(await logs({})).toEqual([]) // default range: the head block only, which is empty
  })

  it('matches addresses (one or many, any case) and topics with null and OR-list wildcards', async () => {
    expect(positions(await logs({ fromBlock: '0x0', address: CREATED.toUpperCase().replace('0X', '0x') }))).toEqual(['2/0/0'])
    expect(positions(await logs({ fromBlock: '0x0', address: [TOKEN, CREATED] }))).toHaveLength(4)
    expect(positions(await logs({ fromBlock: '0x0', topics: [TRANSFER, null, pad(C)] }))).toEqual(['1/1/0', '1/2/2'])
    expect(positions(await logs({ fromBlock: '0x0', topics: [[TRANSFER, APPROVAL], [pad(A), pad(C)]] }))).toEqual(['1/2/1', '1/2/2', '2/0/0'])
    expect(positions(await logs({ fromBlock: '0x0', topics: [[APPROVAL, null]] }))).toHaveLength(4) // null inside a list: any
    expect(positions(await logs({ fromBlock: '0x0', topics: [null, null, null, pad(B)] }))).toEqual([]) // no 4th topic
    expect(await logs({ fromBlock: '0x0', address: [] })).toHaveLength(4)
  })

  it('serves a single block by hash, and refuses blockHash with a range', async () => {
    const block1 = (await node.backend.blockByNumber(1n))!
    const hash = `0x${Buffer.from(block1.hash()).toString('hex')}`
    expect(positions(await logs({ blockHash: hash }))).toEqual(['1/1/0', '1/2/1', '1/2/2'])
    expect((await node.rpc('eth_getLogs', [{ blockHash: hash, fromBlock: '0x1' }])).error).toEqual({
      code: -32602,
      message: 'invalid params: filter.blockHash: cannot specify both blockHash and fromBlock/toBlock',
    })
    expect((await node.rpc('eth_getLogs', [{ blockHash: `0x${'00'.repeat(32)}` }])).error).toEqual({ code: -32000, message: 'unknown block' })
  })

  it('handles ranges past the head and reversed ranges', async () => {
    expect(await logs({ fromBlock: '0x64' })).toEqual([])
    expect(positions(await logs({ fromBlock: '0x2', toBlock: '0x64' }))).toEqual(['2/0/0'])
    expect((await node.rpc('eth_getLogs', [{ fromBlock: '0x3', toBlock: '0x1' }])).error?.code).toBe(-32602)
    expect((await node.rpc('eth_getLogs', [{ topics: [1] }])).error?.message).toContain('filter.topics.0')
    expect((await node.rpc('eth_getLogs', [{ topics: [null, null, null, null, null] }])).error?.message).toContain('at most 4 topic positions')
  })

  it('reads receipts only of blocks whose bloom may match', async () => {
    const spy = vi.spyOn(node.backend, 'receipts')
    try {
      await logs({ fromBlock: '0x0', address: CREATED })
      expect(spy.mock.calls.map(([block]) => block.header.number)).toEqual([2n])
      spy.mockClear()
      await logs({ fromBlock: '0x0', topics: [null, pad('0x000000000000000000000000000000000000dead')] })
      expect(spy).not.toHaveBeenCalled()
    } finally {
      spy.mockRestore()
    }
  })

  it(`refuses a range over ${MAX_LOG_BLOCK_RANGE} blocks with -32005`, async () => {
    // A head 20,000 blocks up; only blocks 0..4 exist (the range is checked before any is read).
    class TallChain extends MemoryBackend {
      override headNumber(): bigint {
        return 20_000n
      }
    }
    const backend = new TallChain()
    const { eth_getLogs: getLogs } = createEthMethods(backend)
    await expect(getLogs([{ fromBlock: '0x0', toBlock: 'latest' }])).rejects.toMatchObject({ code: -32005, message: expect.stringContaining('limit of 10000 blocks') })
    await expect(getLogs([{ fromBlock: '0x2711', toBlock: 'latest' }])).resolves.toEqual([])
    await expect(getLogs([{ fromBlock: '0x2710', toBlock: 'latest' }])).rejects.toMatchObject({ code: -32005 })
  })
})
