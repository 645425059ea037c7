import { describe, expect, it } from 'vitest'
import { ModelInferenceMode, type ModelInferenceRequest, type SignedInferenceResult } from '../../src/evm/types.js'
import { InferenceRequestError } from '../../src/inference/errors.js'
import {
  inferErrorFromWire,
  inferRequestFromWire,
  inferRequestToWire,
  inferResponseFromWire,
  inferResponseToWire,
  modelInputFromWire,
} from '../../src/inference/wire.js'

const request: ModelInferenceRequest = {
  mode: ModelInferenceMode.VANILLA,
  modelCid: 'bafkreiexample',
  input: {
    numbers: [{ name: 'x', values: [{ value: -(2n ** 127n), decimals: 0n }, { value: 2n ** 127n - 1n, decimals: 18n }], shape: [2] }],
    strings: [{ name: 's', values: ['a', ''] }],
  },
}

function badRequest(fn: () => unknown): InferenceRequestError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(InferenceRequestError)
    expect((err as InferenceRequestError).code).toBe('BAD_REQUEST')
    expect((err as InferenceRequestError).status).toBe(400)
    return err as InferenceRequestError
  }
  throw new Error('expected BAD_REQUEST')
}

describe('wire', () => {
  it('round-trips a request through JSON, int128 extremes included', () => {
    const wire = JSON.parse(JSON.stringify(inferRequestToWire(request)))
    expect(wire.input.numbers[0].values[0]).toEqual({ value: '-170141183460469231731687303715884105728', decimals: '0' })
    expect(inferRequestFromWire(wire)).toEqual(request)
  })

  it('round-trips a signed result', () => {
    const result: SignedInferenceResult = {
      modelCid: 'bafkreiexample',
      mode: ModelInferenceMode.VANILLA,
      inputHash: `0x${'ab'.repeat(32)}`,
      outputHash: `0x${'cd'.repeat(32)}`,
      output: { numbers: [{ name: 'y', values: [{ value: 5n, decimals: 8n }], shape: [] }], strings: [], jsons: [{ name: 'j', value: '{}' }], isSimulationResult: false },
      node: `0x${'11'.repeat(20)}`,
      signature: `0x${'22'.repeat(65)}`,
    }
    expect(inferResponseFromWire(JSON.parse(JSON.stringify(inferResponseToWire(result))))).toEqual(result)
  })

  it('rejects what the ABI cannot carry with BAD_REQUEST', () => {
    const wire = () => JSON.parse(JSON.stringify(inferRequestToWire(request)))
    const outOfRange = wire()
    outOfRange.input.numbers[0].values[0].value = (2n ** 127n).toString()
    expect(badRequest(() => inferRequestFromWire(outOfRange)).shortMessage).toContain('int128')
    const notCanonical = wire()
    notCanonical.input.numbers[0].values[0].decimals = '01'
    badRequest(() => inferRequestFromWire(notCanonical))
    const numberNotString = wire()
    numberNotString.input.numbers[0].values[0].value = 5
    badRequest(() => inferRequestFromWire(numberNotString))
    const negativeDim = wire()
    negativeDim.input.numbers[0].shape = [-1]
    badRequest(() => inferRequestFromWire(negativeDim))
    const badMode = wire()
    badMode.mode = 256
    badRequest(() => inferRequestFromWire(badMode))
    badRequest(() => inferRequestFromWire({ ...wire(), modelCid: '' }))
    badRequest(() => inferRequestFromWire(null))
    badRequest(() => modelInputFromWire({ numbers: [] }))
  })

  it('reads exactly what the protocol allows (hand-written readers, the rules of the former zod schemas)', () => {
    const wire = () => JSON.parse(JSON.stringify(inferRequestToWire(request)))
    const at = (mutate: (w: ReturnType<typeof wire>) => void) => {
      const w = wire()
      mutate(w)
      return badRequest(() => inferRequestFromWire(w)).shortMessage
    }
    expect(at((w) => (w.input.numbers[0].values[1].decimals = '-0'))).toBe('invalid request at input.numbers.0.values.1.decimals: expected a canonical decimal integer')
    expect(at((w) => (w.input.numbers[0].shape = [2.5]))).toContain('at input.numbers.0.shape.0')
    expect(at((w) => (w.input.numbers[0].shape = [2 ** 32]))).toContain('at input.numbers.0.shape.0')
    expect(at((w) => (w.input.strings[0].values = ['a', 1]))).toContain('at input.strings.0.values.1')
    expect(at((w) => (w.input = []))).toContain('at input')
    expect(at((w) => (w.binding = null))).toContain('at binding')
    expect(at((w) => (w.binding = { requestId: `0x${'ab'.repeat(31)}`, chainId: '1' }))).toContain('at binding.requestId')
    expect(at((w) => (w.binding = { requestId: `0x${'ab'.repeat(32)}`, chainId: '01' }))).toContain('at binding.chainId')
    expect(at((w) => (w.modelCid = 'x'.repeat(257)))).toContain('at modelCid')
    expect(at((w) => (w.mode = 1.5))).toContain('at mode')
    // Unknown keys are dropped; int128 and uint32 extremes and a binding pass.
    const w = wire()
    w.extra = 1
    w.input.numbers[0].values[0].extra = true
    w.input.numbers[0].shape = [2]
    w.binding = { requestId: `0x${'AB'.repeat(32)}`, chainId: (2n ** 256n - 1n).toString() }
    const read = inferRequestFromWire(w)
    expect(read).toEqual({ ...request, binding: { requestId: `0x${'AB'.repeat(32)}`, chainId: 2n ** 256n - 1n } })
    expect('extra' in read || 'extra' in read.input.numbers[0]!.values[0]!).toBe(false)
    expect(inferRequestFromWire({ ...wire(), input: { numbers: [{ name: 'd', values: [], shape: [2 ** 32 - 1, 0] }], strings: [] } }).input.numbers[0]!.shape).toEqual([2 ** 32 - 1, 0])
  })

  it('checks attestation hex in responses: 1 to 65536 bytes, hex digits only', () => {
    const result = {
      modelCid: 'm', mode: 2, inputHash: `0x${'ab'.repeat(32)}`, outputHash: `0x${'cd'.repeat(32)}`,
      output: { numbers: [], strings: [], jsons: [], isSimulationResult: false }, node: `0x${'11'.repeat(20)}`, signature: `0x${'22'.repeat(65)}`,
    }
    const withDocument = (attestation: unknown) => ({ result: { ...result, attestation } })
    expect(inferResponseFromWire(withDocument(`0x${'0a'.repeat(65_536)}`)).attestation).toHaveLength(2 + 131_072)
    for (const bad of ['0x', '0x0', `0x${'0a'.repeat(65_537)}`, '0xzz', 'abcd', 7, null]) badRequest(() => inferResponseFromWire(withDocument(bad)))
    expect(inferResponseFromWire({ result }).attestation).toBeUndefined()
    expect('attestation' in inferResponseFromWire({ result })).toBe(false)
  })

  it('rejects malformed results (short signature)', () => {
    const body = { result: { modelCid: 'x', mode: 0, inputHash: '0x00', outputHash: '0x00', output: {}, node: '0x', signature: '0x' } }
    badRequest(() => inferResponseFromWire(body))
  })

  it('reads error bodies and refuses anything else', () => {
    expect(inferErrorFromWire({ error: { code: 'BAD_TENSOR_NAME', message: 'm' } })).toEqual({ code: 'BAD_TENSOR_NAME', message: 'm' })
    expect(inferErrorFromWire('<html>')).toBeUndefined()
  })
})
