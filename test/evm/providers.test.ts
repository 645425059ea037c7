/** CallProvider: the first request a call's run lacks is dispatched on the spot, the rest are left for later. */
import type { Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { CallProvider, ResultBook, ResultCache, resultKey } from '../../src/evm/providers.js'
import { ModelInferenceMode, type InferenceResolution, type ModelInferenceRequest } from '../../src/evm/types.js'

const request = (cid: string): ModelInferenceRequest => ({ mode: ModelInferenceMode.VANILLA, modelCid: cid, input: { numbers: [], strings: [] } })
const hash = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`
const context = (callIndex: number) => ({ callIndex, requestId: hash(1000 + callIndex) })
const failed = (code: string): InferenceResolution => ({ kind: 'error', code, reason: code })

describe('CallProvider', () => {
  it('dispatches the first unknown request and waits for it; later unknown ones are simulated and left pending', async () => {
    const asked: string[] = []
    const book = new ResultBook(new ResultCache())
    const provider = new CallProvider(book, async (r) => {
      asked.push(r.modelCid)
      return failed(`from ${r.modelCid}`)
    })
    expect(await provider.resolve(request('a'), hash(1), context(0))).toEqual(failed('from a'))
    expect(await provider.resolve(request('b'), hash(2), context(1))).toEqual({ kind: 'simulated' })
    expect(asked).toEqual(['a'])
    expect(provider.dispatched).toBe(1)
    expect([...provider.pending.values()].map((p) => p.request.modelCid)).toEqual(['b'])
    // What was dispatched is in the book for the next run.
    expect(book.get(resultKey('a', ModelInferenceMode.VANILLA, hash(1)))).toEqual(failed('from a'))
  })

  it('answers known requests from the book without dispatching', async () => {
    const book = new ResultBook(new ResultCache())
    book.set(resultKey('a', ModelInferenceMode.VANILLA, hash(1)), failed('known'))
    const provider = new CallProvider(book, async () => {
      throw new Error('must not dispatch')
    })
    expect(await provider.resolve(request('a'), hash(1), context(0))).toEqual(failed('known'))
    expect(provider.dispatched).toBe(0)
    expect(provider.pending.size).toBe(0)
  })

  it('without a dispatcher simulates every unknown request (a plain simulation run)', async () => {
    const provider = new CallProvider(new ResultBook(new ResultCache()))
    expect(await provider.resolve(request('a'), hash(1), context(0))).toEqual({ kind: 'simulated' })
    expect(await provider.resolve(request('b'), hash(2), context(1))).toEqual({ kind: 'simulated' })
    expect(provider.pending.size).toBe(2)
  })

  it('keeps a failed dispatch (not a node answer) for the caller instead of reverting the call', async () => {
    const provider = new CallProvider(new ResultBook(new ResultCache()), async () => {
      throw new Error('registry unreadable')
    })
    expect(await provider.resolve(request('a'), hash(1), context(0))).toEqual({ kind: 'simulated' })
    expect((provider.failure?.error as Error).message).toBe('registry unreadable')
    // Nothing more is dispatched in this run.
    expect(await provider.resolve(request('b'), hash(2), context(1))).toEqual({ kind: 'simulated' })
  })
})
