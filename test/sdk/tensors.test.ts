import { describe, expect, it } from 'vitest'
import { ContractFunctionRevertedError, BaseError } from 'viem'
import { asInferenceError, InferenceRevertedError } from '../../src/sdk/errors.js'
import { modelInput, numberTensor, outputValues, tensorValues } from '../../src/sdk/tensors.js'

describe('SDK tensors', () => {
  it('turns numbers into the chain\'s fixed point and back', () => {
    const t = numberTensor('x', [0.1, -2.5, 3], [1, 3], 6)
    expect(t.values).toEqual([
      { value: 100000n, decimals: 6n },
      { value: -2500000n, decimals: 6n },
      { value: 3000000n, decimals: 6n },
    ])
    expect(tensorValues(t)).toEqual([0.1, -2.5, 3])
    expect(modelInput({ a: [1, 2] }, { s: ['hi'] })).toEqual({ numbers: [numberTensor('a', [1, 2])], strings: [{ name: 's', values: ['hi'] }] })
  })

  it('refuses shapes that do not fit and values that are not finite, with codes', () => {
    expect(() => numberTensor('x', [1, 2, 3], [2, 2])).toThrow(expect.objectContaining({ code: 'BAD_TENSOR' }))
    expect(() => numberTensor('x', [Number.NaN])).toThrow(expect.objectContaining({ code: 'BAD_TENSOR' }))
    const output = { numbers: [numberTensor('y', [0.5])], strings: [], jsons: [], isSimulationResult: false }
    expect(outputValues(output, 'y')).toEqual([0.5])
    expect(() => outputValues(output, 'z')).toThrow(expect.objectContaining({ code: 'NO_SUCH_TENSOR' }))
  })

  it('recognises the precompile\'s revert reasons in viem errors', () => {
    const reverted = new ContractFunctionRevertedError({ abi: [], functionName: 'runModelInference', message: 'inference: UNKNOWN_MODEL: model x is not registered.' })
    const mapped = asInferenceError(new BaseError('call failed', { cause: reverted }))
    expect(mapped).toBeInstanceOf(InferenceRevertedError)
    expect(mapped).toMatchObject({ code: 'UNKNOWN_MODEL', reason: 'inference: UNKNOWN_MODEL: model x is not registered.' })
    const other = new Error('boom')
    expect(asInferenceError(other)).toBe(other)
  })
})
