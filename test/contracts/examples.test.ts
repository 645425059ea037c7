import { EVMError, type PrecompileFunc } from '@ethereumjs/evm'
import { bytesToHex, decodeEventLog, encodeErrorResult, encodeFunctionData, hexToBytes, parseAbi, type Abi, type Address, type Hex } from 'viem'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { compileContracts, getContract, type CompiledContracts } from '../../src/contracts/compile.js'
import { decodePrecompileCall, emptyModelOutput, encodeModelOutputResult, encodeRunModelInference } from '../../src/evm/abi.js'
import { ModelInferenceMode, type ModelInferenceRequest, type ModelOutput, type NumberTensor } from '../../src/evm/types.js'
import { INFERENCE_PRECOMPILE_ADDRESS } from '../../src/params.js'
import { ALICE, ALICE_KEY, createHarness, deploy, read, sendTx, write, type Harness } from './evm-harness.js'

/**
 * A stand-in for the inference precompile (built elsewhere): it decodes calls with the canonical
 * codec of src/evm/abi.ts and answers per model id, so these tests check that the example contracts
 * encode requests and decode results the way the real precompile does.
 */
function stubPrecompile(seen: ModelInferenceRequest[]): PrecompileFunc {
  const errorAbi = parseAbi(['error Error(string)'])
  const revert = (reason: string) => ({
    executionGasUsed: 1_000n,
    returnValue: hexToBytes(encodeErrorResult({ abi: errorAbi, errorName: 'Error', args: [reason] })),
    exceptionError: new EVMError(EVMError.errorMessages.REVERT),
  })
  return (input) => {
    let call: ReturnType<typeof decodePrecompileCall>
    try {
      call = decodePrecompileCall(bytesToHex(input.data))
    } catch {
      return revert('malformed calldata')
    }
    if (call.functionName !== 'runModelInference') return revert('unsupported')
    seen.push(call.request)
    const output = answer(call.request)
    return { executionGasUsed: 50_000n, returnValue: encodeModelOutputResult(output) }
  }
}

const VAD_STATE = 256

function answer(request: ModelInferenceRequest): ModelOutput {
  const out = emptyModelOutput(false)
  const [first] = request.input.numbers
  switch (request.modelCid) {
    case 'sim':
      return emptyModelOutput(true)
    case 'double':
      out.numbers = [{ name: 'output', shape: first!.shape, values: first!.values.map((v) => ({ value: v.value * 2n, decimals: v.decimals })) }]
      return out
    case 'upper':
      out.strings = [{ name: 'output', values: request.input.strings[0]!.values.map((s) => s.toUpperCase()) }]
      return out
    case 'vad': {
      const state = request.input.numbers.find((t) => t.name === 'state')!
      const probability: NumberTensor = { name: 'output', shape: [1, 1], values: [{ value: 91_234_567n, decimals: 8n }] }
      const next = state.values.map((v, i) => ({ value: v.value + BigInt(i + 1), decimals: 8n }))
      out.numbers = [probability, { name: 'stateN', shape: [2, 1, 128], values: next }]
      return out
    }
    default:
      return out
  }
}

let compiled: CompiledContracts
let h: Harness
let seen: ModelInferenceRequest[]

beforeAll(async () => {
  compiled = await compileContracts()
}, 180_000)

beforeEach(async () => {
  seen = []
  h = await createHarness(compiled, [{ address: INFERENCE_PRECOMPILE_ADDRESS, function: stubPrecompile(seen) }])
})

async function deployExample(name: string): Promise<{ address: Address; abi: Abi }> {
  const { abi, bytecode } = getContract(compiled, name)
  return { address: await deploy(h, bytecode), abi }
}

const num = (value: bigint, decimals: bigint) => ({ value, decimals })

describe('DemoConsumer', () => {
  it('builds the [1, n] input tensor, stores the first output tensor and emits InferenceResult', async () => {
    const { address, abi } = await deployExample('DemoConsumer')
    const outcome = await write(h, ALICE_KEY, address, abi, 'runWithValues', ['double', [1n, -2n, 3n], 2n])
    expect(seen).toEqual([
      {
        mode: ModelInferenceMode.VANILLA,
        modelCid: 'double',
        input: { numbers: [{ name: 'input', shape: [1, 3], values: [num(1n, 2n), num(-2n, 2n), num(3n, 2n)] }], strings: [] },
      },
    ])
    expect(await read(h, address, abi, 'lastValues', [])).toEqual([2n, -4n, 6n])
    expect(await read(h, address, abi, 'lastDecimals', [])).toBe(2n)
    expect(await read(h, address, abi, 'lastWasSimulation', [])).toBe(false)
    const event = decodeEventLog({ abi, ...outcome.logs[0]! } as never) as unknown as { eventName: string; args: unknown }
    expect(event).toEqual({ eventName: 'InferenceResult', args: { caller: ALICE, values: [2n, -4n, 6n], decimals: 2n } })

    await write(h, ALICE_KEY, address, abi, 'runWithValues', ['sim', [5n], 0n])
    expect(await read(h, address, abi, 'lastValues', [])).toEqual([])
    expect(await read(h, address, abi, 'lastWasSimulation', [])).toBe(true)
    expect(await read(h, address, abi, 'runCount', [])).toBe(2n)
  })

  it('passes a caller-built request through unchanged', async () => {
    const { address, abi } = await deployExample('DemoConsumer')
    const request = {
      mode: ModelInferenceMode.TEE,
      modelCID: 'double',
      input: {
        numbers: [{ name: 'x', values: [num(7n, 0n), num(8n, 1n)], shape: [2] }],
        strings: [{ name: 'note', values: ['a', 'b'] }],
      },
    }
    await write(h, ALICE_KEY, address, abi, 'runInference', [request])
    expect(seen).toEqual([{ mode: request.mode, modelCid: 'double', input: request.input }])
    expect(await read(h, address, abi, 'lastValues', [])).toEqual([14n, 16n])
  })
})

describe('StringConsumer', () => {
  it('sends a string tensor and keeps the first output string', async () => {
    const { address, abi } = await deployExample('StringConsumer')
    await write(h, ALICE_KEY, address, abi, 'runWithStrings', ['upper', 'text', ['hello', 'world']])
    expect(seen[0]!.input).toEqual({ numbers: [], strings: [{ name: 'text', values: ['hello', 'world'] }] })
    expect(await read(h, address, abi, 'lastString', [])).toBe('HELLO')
    expect(await read(h, address, abi, 'runCount', [])).toBe(1n)
  })
})

describe('VadConsumer', () => {
  const samples = Array.from({ length: 512 }, (_, i) => BigInt(i % 7) - 3n)

  it('sends input [1,512], state [2,1,128] and sr [], then carries the returned state', async () => {
    const { address, abi } = await deployExample('VadConsumer')
    const first = await write(h, ALICE_KEY, address, abi, 'detect', ['vad', samples, 4n])
    const [input, state, sr] = seen[0]!.input.numbers
    expect(input).toEqual({ name: 'input', shape: [1, 512], values: samples.map((s) => num(s, 4n)) })
    expect(state).toEqual({ name: 'state', shape: [2, 1, 128], values: Array.from({ length: VAD_STATE }, () => num(0n, 0n)) })
    expect(sr).toEqual({ name: 'sr', shape: [], values: [num(16000n, 0n)] })
    expect(await read(h, address, abi, 'lastProbability', [])).toBe(91_234_567n)
    expect(await read(h, address, abi, 'lastDecimals', [])).toBe(8n)
    const expectedState = Array.from({ length: VAD_STATE }, (_, i) => BigInt(i + 1))
    expect(await read(h, address, abi, 'state', [])).toEqual([expectedState, 8n])

    const second = await write(h, ALICE_KEY, address, abi, 'detect', ['vad', samples, 4n])
    expect(seen[1]!.input.numbers[1]!.values).toEqual(expectedState.map((v) => num(v, 8n)))
    expect(await read(h, address, abi, 'state', [])).toEqual([expectedState.map((v, i) => v + BigInt(i + 1)), 8n])
    // Rewriting the state in place must stay well under the 2^24 transaction gas cap.
    expect(first.gasUsed).toBeLessThan(8_000_000n)
    expect(second.gasUsed).toBeLessThan(first.gasUsed)
  })

  it('keeps the state on a simulation result and rejects a wrong window', async () => {
    const { address, abi } = await deployExample('VadConsumer')
    await write(h, ALICE_KEY, address, abi, 'detect', ['sim', samples, 4n])
    expect(await read(h, address, abi, 'lastWasSimulation', [])).toBe(true)
    expect(((await read(h, address, abi, 'state', [])) as readonly unknown[])[0]).toEqual(Array.from({ length: VAD_STATE }, () => 0n))
    await expect(write(h, ALICE_KEY, address, abi, 'detect', ['vad', [1n, 2n, 3n], 0n])).rejects.toThrow('WrongWindow(3, 512)')
  })
})

describe('ForwardCall', () => {
  it('returns the precompile return data and bubbles its revert data unchanged', async () => {
    const { address, abi } = await deployExample('ForwardCall')
    const request: ModelInferenceRequest = { mode: ModelInferenceMode.VANILLA, modelCid: 'sim', input: { numbers: [], strings: [] } }
    const ok = await read(h, address, abi, 'forward', [encodeRunModelInference(request)])
    expect(ok).toBe(bytesToHex(encodeModelOutputResult(emptyModelOutput(true))))

    const bad = await sendTx(h, ALICE_KEY, address, encodeFunctionData({ abi, functionName: 'forward', args: ['0xdeadbeef' as Hex] }))
    expect(bad.status).toBe('reverted')
    expect(bad.returnData).toBe(encodeErrorResult({ abi: parseAbi(['error Error(string)']), errorName: 'Error', args: ['malformed calldata'] }))
  })
})
