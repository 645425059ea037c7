/** The fast codec against viem's general one, byte for byte, and its strictness on bad input. */
import { describe, expect, it } from 'vitest'
import { bytesToHex, decodeFunctionData, encodeAbiParameters, encodeFunctionData, encodeFunctionResult, hexToBytes, keccak256, parseAbi } from 'viem'
import { decodePrecompileCall, encodeModelInferenceEventData, encodeModelOutputResult, encodeRunModelInference, hashModelInput, hashModelOutput, ogInferenceAbi } from '../../src/evm/abi.js'
import { ModelInferenceMode, type ModelInferenceRequest, type ModelOutput } from '../../src/evm/types.js'
import { seededRandom } from '../../src/models/index.js'


function randomRequest(seed: number): ModelInferenceRequest {
  const r = seededRandom(seed)
  const n = 1 + Math.floor(r() * 20)
  const big = (bits: number) => (BigInt(Math.floor(r() * 2 ** 52)) << BigInt(Math.floor(r() * (bits - 53)))) * (r() < 0.5 ? -1n : 1n)
  return {
    mode: ModelInferenceMode.VANILLA,
    modelCid: `bafk${'x'.repeat(Math.floor(r() * 60))}é`,
    input: {
      numbers: Array.from({ length: 1 + Math.floor(r() * 3) }, (_, t) => ({
        name: `t${t}`,
        values: Array.from({ length: n }, () => ({ value: big(128), decimals: BigInt(Math.floor(r() * 18)) })),
        shape: [1, n],
      })),
      strings: r() < 0.5 ? [] : [{ name: 's', values: ['', 'hello', 'ü'.repeat(Math.floor(r() * 40))] }],
    },
  }
}

const toAbiRequest = (q: ModelInferenceRequest) => ({ mode: q.mode, modelCID: q.modelCid, input: q.input })
const toAbiOutput = (o: ModelOutput) => ({ numbers: o.numbers, strings: o.strings, jsons: o.jsons, is_simulation_result: o.isSimulationResult })
const inputParams = parseAbi([
  'struct Number { int128 value; int128 decimals; }',
  'struct T { string name; Number[] values; uint32[] shape; }',
  'struct S { string name; string[] values; }',
  'struct ModelInput { T[] numbers; S[] strings; }',
  'function f(ModelInput input)',
])[0]!.inputs

describe('fast ABI codec', () => {
  it('encodes calls, results, hashes and event data exactly as viem does', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const request = randomRequest(seed)
      expect(encodeRunModelInference(request)).toBe(encodeFunctionData({ abi: ogInferenceAbi, functionName: 'runModelInference', args: [toAbiRequest(request)] }))
      expect(hashModelInput(request.input)).toBe(keccak256(encodeAbiParameters(inputParams, [request.input] as never)))
      const output: ModelOutput = { numbers: request.input.numbers, strings: request.input.strings, jsons: [{ name: 'j', value: '{"a":1}' }], isSimulationResult: seed % 2 === 0 }
      expect(bytesToHex(encodeModelOutputResult(output))).toBe(encodeFunctionResult({ abi: ogInferenceAbi, functionName: 'runModelInference', result: toAbiOutput(output) }))
      const falseFlag = encodeFunctionResult({ abi: ogInferenceAbi, functionName: 'runModelInference', result: toAbiOutput({ ...output, isSimulationResult: false }) })
      expect(hashModelOutput(output)).toBe(keccak256(falseFlag))
      const event = ogInferenceAbi.find((i) => i.type === 'event')!
      expect(bytesToHex(encodeModelInferenceEventData('id', request, output))).toBe(
        encodeAbiParameters(event.inputs as never, ['id', toAbiRequest(request), toAbiOutput(output)] as never),
      )
    }
  })

  it('decodes what viem encodes, to the same values', () => {
    for (let seed = 100; seed < 120; seed++) {
      const request = randomRequest(seed)
      const data = encodeFunctionData({ abi: ogInferenceAbi, functionName: 'runModelInference', args: [toAbiRequest(request)] })
      const decoded = decodePrecompileCall(hexToBytes(data))
      expect(decoded).toEqual({ functionName: 'runModelInference', request })
      const viem = decodeFunctionData({ abi: ogInferenceAbi, data })
      expect((viem.args[0] as { modelCID: string }).modelCID).toBe(request.modelCid)
    }
  })

  it('rejects truncated data, offsets outside the data, huge lengths and dirty values', () => {
    const data = hexToBytes(encodeRunModelInference(randomRequest(7)))
    expect(() => decodePrecompileCall(data.subarray(0, data.length - 40))).toThrow()
    const badOffset = Uint8Array.from(data)
    badOffset.fill(0x7f, 4 + 24, 4 + 32) // the request's offset: far past the end
    expect(() => decodePrecompileCall(badOffset)).toThrow(/outside|past the end/)
    const hugeLength = Uint8Array.from(data)
    hugeLength.fill(0xff, 4 + 32 * 4, 4 + 32 * 5) // somewhere inside: a length or offset of 2^256-1
    expect(() => decodePrecompileCall(hugeLength)).toThrow()
    const dirtyMode = Uint8Array.from(data)
    dirtyMode[4 + 32 + 30] = 1 // mode (uint8) with a bit above 8 bits
    expect(() => decodePrecompileCall(dirtyMode)).toThrow(/uint8 out of range/)
    expect(() => decodePrecompileCall(hexToBytes('0x12345678'))).toThrow()
  })
})

describe('fast ABI codec: small-number fast paths', () => {
  const edges = [0n, 1n, -1n, 255n, -256n, 2n ** 47n - 1n, -(2n ** 47n) + 1n, 2n ** 47n, -(2n ** 47n), 2n ** 53n, -(2n ** 53n) - 1n, 2n ** 127n - 1n, -(2n ** 127n)]

  it('encodes and decodes values around the 2^47 boundary exactly as viem does', () => {
    const request: ModelInferenceRequest = {
      mode: ModelInferenceMode.VANILLA,
      modelCid: 'bafk-edges',
      input: { numbers: [{ name: 'x', values: edges.map((value, i) => ({ value, decimals: BigInt(i) })), shape: [1, edges.length] }], strings: [] },
    }
    const data = encodeRunModelInference(request)
    expect(data).toBe(encodeFunctionData({ abi: ogInferenceAbi, functionName: 'runModelInference', args: [toAbiRequest(request)] }))
    expect(decodePrecompileCall(hexToBytes(data))).toEqual({ functionName: 'runModelInference', request })
  })

  it('rejects small values outside their type and dirty high bytes', () => {
    const request: ModelInferenceRequest = { mode: ModelInferenceMode.VANILLA, modelCid: 'c', input: { numbers: [{ name: 'x', values: [{ value: -5n, decimals: 6n }], shape: [7, 9] }], strings: [] } }
    const data = hexToBytes(encodeRunModelInference(request))
    // Word-aligned (after the selector) position of the first word holding exactly `bytes` at its end, the rest `fill`.
    const wordAt = (last: number, fill: number) => {
      for (let i = 4; i + 32 <= data.length; i += 32) if (data[i + 31] === last && data.subarray(i, i + 31).every((b) => b === fill)) return i
      throw new Error('word not found')
    }
    const tooBig = Uint8Array.from(data)
    tooBig[wordAt(9, 0) + 27] = 1 // shape[1] = 2^32 + 9 in a uint32
    expect(() => decodePrecompileCall(tooBig)).toThrow(/uint32 out of range/)
    const notSignExtended = Uint8Array.from(data)
    notSignExtended[wordAt(0xfb, 0xff)] = 0x7f // -5 with its top byte cleared: not a sign-extended int128
    expect(() => decodePrecompileCall(notSignExtended)).toThrow(/int128 out of range/)
  })

  it('sizes strings as TextEncoder writes them (multi-byte, astral, lone surrogates)', () => {
    for (const text of ['', 'a', 'é', '€', '😀', 'a😀b', '\ud800', 'x\udc00y', '\ud83d', '\ud83d\ud83d\ude00']) {
      const request: ModelInferenceRequest = { mode: ModelInferenceMode.VANILLA, modelCid: text, input: { numbers: [], strings: [{ name: text, values: [text, 'plain'] }] } }
      expect(encodeRunModelInference(request), JSON.stringify(text)).toBe(encodeFunctionData({ abi: ogInferenceAbi, functionName: 'runModelInference', args: [toAbiRequest(request)] }))
    }
  })
})
