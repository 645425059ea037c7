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

  it('rejects malformed results (short signature)', () => {
    const body = { result: { modelCid: 'x', mode: 0, inputHash: '0x00', outputHash: '0x00', output: {}, node: '0x', signature: '0x' } }
    badRequest(() => inferResponseFromWire(body))
  })

  it('reads error bodies and refuses anything else', () => {
    expect(inferErrorFromWire({ error: { code: 'BAD_TENSOR_NAME', message: 'm' } })).toEqual({ code: 'BAD_TENSOR_NAME', message: 'm' })
    expect(inferErrorFromWire('<html>')).toBeUndefined()
  })
})
