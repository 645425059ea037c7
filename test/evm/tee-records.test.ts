/**
 * What TEE mode changed in the evm layer: results are looked up by request id as well, stay local to
 * their transaction, go stale when the registry changes, and records carry the attestation while
 * VANILLA records keep their exact bytes.
 */
import { describe, expect, it } from 'vitest'
import type { Hex } from 'viem'
import { decodeRecords, encodeRecords } from '../../src/evm/record-codec.js'
import type { InferenceRecord } from '../../src/evm/records.js'
import { PrecomputedProvider, ResultBook, ResultCache, resultKey } from '../../src/evm/providers.js'
import { ModelInferenceMode, type InferenceResolution, type ModelInferenceRequest } from '../../src/evm/types.js'

const request = (mode: ModelInferenceMode): ModelInferenceRequest => ({ mode, modelCid: 'bafkmodel', input: { numbers: [], strings: [] } })
const INPUT_HASH: Hex = `0x${'11'.repeat(32)}`
const R1: Hex = `0x${'a1'.repeat(32)}`
const R2: Hex = `0x${'a2'.repeat(32)}`
const result = (mode: ModelInferenceMode): InferenceResolution & { kind: 'result' } => ({
  kind: 'result',
  result: {
    modelCid: 'bafkmodel', mode, inputHash: INPUT_HASH, outputHash: `0x${'22'.repeat(32)}`,
    output: { numbers: [], strings: [], jsons: [], isSimulationResult: false }, node: `0x${'33'.repeat(20)}`, signature: `0x${'44'.repeat(65)}`,
    ...(mode === ModelInferenceMode.TEE ? { attestation: '0x84' as Hex } : {}),
  },
})

describe('result lookup', () => {
  it('keys TEE results by request id too; VANILLA results by model, mode and input only', () => {
    expect(resultKey('m', ModelInferenceMode.VANILLA, INPUT_HASH, R1)).toBe(resultKey('m', ModelInferenceMode.VANILLA, INPUT_HASH, R2))
    expect(resultKey('m', ModelInferenceMode.TEE, INPUT_HASH, R1)).not.toBe(resultKey('m', ModelInferenceMode.TEE, INPUT_HASH, R2))
  })

  it('shares VANILLA results between transactions, keeps TEE results to their own', () => {
    const cache = new ResultCache()
    const registry = { current: 0 }
    const first = new ResultBook(cache, registry)
    first.set(resultKey('bafkmodel', 0, INPUT_HASH), result(ModelInferenceMode.VANILLA), 0)
    first.set(resultKey('bafkmodel', 2, INPUT_HASH, R1), result(ModelInferenceMode.TEE), 0)
    const second = new ResultBook(cache, registry)
    const provider = new PrecomputedProvider(second)
    expect(provider.resolve(request(ModelInferenceMode.VANILLA), INPUT_HASH, { callIndex: 0, requestId: R2 }).kind).toBe('result')
    expect(provider.resolve(request(ModelInferenceMode.TEE), INPUT_HASH, { callIndex: 0, requestId: R1 }).kind).toBe('missing')
    expect(new PrecomputedProvider(first).resolve(request(ModelInferenceMode.TEE), INPUT_HASH, { callIndex: 0, requestId: R1 }).kind).toBe('result')
    // Another call of the same transaction (another request id) needs its own attestation.
    expect(new PrecomputedProvider(first).resolve(request(ModelInferenceMode.TEE), INPUT_HASH, { callIndex: 1, requestId: R2 }).kind).toBe('missing')
  })

  it('drops a TEE result once the registry it was checked against changes', () => {
    const registry = { current: 4 }
    const book = new ResultBook(new ResultCache(), registry)
    const key = resultKey('bafkmodel', 2, INPUT_HASH, R1)
    book.set(key, result(ModelInferenceMode.TEE), 4)
    expect(book.get(key)?.kind).toBe('result')
    registry.current++
    expect(book.get(key)).toBeUndefined()
    expect(new PrecomputedProvider(book).resolve(request(ModelInferenceMode.TEE), INPUT_HASH, { callIndex: 0, requestId: R1 }).kind).toBe('missing')
  })
})

describe('record encoding', () => {
  const base = { requestId: R1, txHash: `0x${'55'.repeat(32)}` as Hex, callIndex: 0, modelCid: 'bafkmodel', inputHash: INPUT_HASH, status: 'ok' as const }

  it('keeps VANILLA records byte for byte (no attestation key at all)', () => {
    const vanilla: InferenceRecord = { ...base, ...result(ModelInferenceMode.VANILLA).result }
    const bytes = new TextDecoder().decode(encodeRecords([vanilla]))
    expect(bytes).not.toContain('attestation')
    expect(bytes.endsWith(`"signature":"0x${'44'.repeat(65)}"}]`)).toBe(true)
  })

  it('carries a TEE record\'s attestation through encode and decode', () => {
    const tee: InferenceRecord = { ...base, ...result(ModelInferenceMode.TEE).result }
    expect(decodeRecords(encodeRecords([tee]))).toEqual([tee])
  })
})
