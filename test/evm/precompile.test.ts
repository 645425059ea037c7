/**
 * The precompile inside the real chain and EVM, with an in-test InferenceProvider (the provider is
 * the precompile's seam: producing, simulating and replaying are all providers).
 */
import { devSealer } from '../../src/chain/dev-accounts.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeErrorResult, decodeFunctionResult, encodeFunctionData, bytesToHex, type Hex } from 'viem'
import { Chain } from '../../src/chain/chain.js'
import { defaultCallGas, runMessageCall } from '../../src/chain/call.js'
import { InferencePipeline } from '../../src/chain/pipeline.js'
import { BlockProducer } from '../../src/chain/producer.js'
import { modelRegistryAbi } from '../../src/contracts/system.js'
import { encodeRunModelInference, hashModelInput, hashModelOutput, ogInferenceAbi } from '../../src/evm/abi.js'
import { Dispatcher } from '../../src/evm/dispatcher.js'
import { ResultCache } from '../../src/evm/providers.js'
import { InferenceSession } from '../../src/evm/session.js'
import { ModelInferenceMode, type InferenceProvider, type ModelInferenceRequest, type ModelOutput } from '../../src/evm/types.js'
import { INFERENCE_BASE_GAS, INFERENCE_PRECOMPILE_ADDRESS, MAX_OUTPUT_ELEMENTS, MODEL_REGISTRY_ADDRESS } from '../../src/params.js'
import { signInferenceResult } from '../../src/verify/vanilla.js'
import { ACCOUNTS, signedTransfer, tempDir, testGenesis } from '../chain/helpers.js'

const CID = 'bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
const errorAbi = [{ type: 'error', name: 'Error', inputs: [{ type: 'string', name: 'reason' }] }] as const
const tmp = tempDir()
let chain: Chain

beforeAll(async () => {
  chain = await Chain.open({ dataDir: tmp.dir, genesis: await testGenesis(), sealerKey: devSealer().privateKey })
  const producer = new BlockProducer(chain, new InferencePipeline(chain, new Dispatcher({ nodesFor: async () => [] }), new ResultCache()), {
    automine: false,
    blockTimeMs: 1000,
  })
  const data = encodeFunctionData({ abi: modelRegistryAbi, functionName: 'registerModel', args: [CID, 'test', 1, 5_000n, '[]', '[]'] })
  await producer.submit(signedTransfer(chain.common, { to: MODEL_REGISTRY_ADDRESS, nonce: 0n, value: 0n, gasLimit: 1_000_000n, data }).serialize())
  await new Promise((r) => setTimeout(r, 50))
  const { receipts } = await producer.produceBlock()
  expect(receipts[0]!.status).toBe(1)
})
afterAll(async () => {
  await chain.close()
  tmp.remove()
})

const request = (over: Partial<ModelInferenceRequest> = {}): ModelInferenceRequest => ({
  mode: ModelInferenceMode.VANILLA,
  modelCid: CID,
  input: { numbers: [{ name: 'input', values: [{ value: 15n, decimals: 1n }, { value: -2n, decimals: 0n }], shape: [1, 2] }], strings: [] },
  ...over,
})

function signedResult(req: ModelInferenceRequest, output: ModelOutput) {
  const fields = { modelCid: req.modelCid, mode: req.mode, inputHash: hashModelInput(req.input), outputHash: hashModelOutput(output) }
  return { ...fields, output, ...signInferenceResult(ACCOUNTS[1]!.privateKey, fields) }
}

async function callPrecompile(data: Hex, provider: InferenceProvider, gas = defaultCallGas()) {
  const session = new InferenceSession(provider)
  return chain.exclusive(() =>
    chain.withStateAt(chain.head.header.number, async (vm) => {
      chain.activeSession = session
      try {
        return { result: await runMessageCall(vm, chain.nextBlockEnv(), { to: INFERENCE_PRECOMPILE_ADDRESS, data }, gas), session }
      } finally {
        chain.activeSession = undefined
      }
    }),
  )
}

function revertReason(result: { error?: { revertData?: Uint8Array } }): string {
  expect(result.error?.revertData).toBeDefined()
  const decoded = decodeErrorResult({ abi: errorAbi, data: bytesToHex(result.error!.revertData!) })
  return decoded.args[0] as string
}

const never: InferenceProvider = { resolve: () => expect.unreachable('provider must not be asked') as never }

describe('inference precompile', () => {
  const output: ModelOutput = {
    numbers: [{ name: 'output', values: [{ value: 123n, decimals: 8n }], shape: [1, 1] }],
    strings: [],
    jsons: [],
    isSimulationResult: false,
  }

  it('returns the provider result to the caller, charges work-based gas and records the call', async () => {
    const req = request()
    const { result, session } = await callPrecompile(encodeRunModelInference(req), { resolve: () => ({ kind: 'result', result: signedResult(req, output) }) })
    expect(result.error).toBeUndefined()
    const decoded = decodeFunctionResult({ abi: ogInferenceAbi, functionName: 'runModelInference', data: bytesToHex(result.returnValue) })
    expect(decoded.numbers[0]!.values[0]!.value).toBe(123n)
    expect(decoded.is_simulation_result).toBe(false)
    // base + 5 kMAC + 2 input elements + 1 output element, plus intrinsic gas of the call
    const precompileGas = INFERENCE_BASE_GAS + 5n * 100n + 2n * 20n + 1n * 40n
    expect(result.gasUsed).toBeGreaterThan(precompileGas)
    expect(session.records).toHaveLength(1)
    expect(session.records[0]).toMatchObject({ status: 'ok', callIndex: 0, modelCid: CID, inputHash: hashModelInput(req.input) })
  })

  it('answers a simulation with an empty output flagged is_simulation_result', async () => {
    const { result } = await callPrecompile(encodeRunModelInference(request()), { resolve: () => ({ kind: 'simulated' }) })
    const decoded = decodeFunctionResult({ abi: ogInferenceAbi, functionName: 'runModelInference', data: bytesToHex(result.returnValue) })
    expect(decoded.is_simulation_result).toBe(true)
    expect(decoded.numbers).toHaveLength(0)
  })

  it.each([
    ['malformed ABI', '0x7289e9c2deadbeef' as Hex, 'inference: MALFORMED_REQUEST'],
    ['unknown selector', '0x12345678' as Hex, 'inference: MALFORMED_REQUEST'],
    ['unknown model', encodeRunModelInference(request({ modelCid: 'bafkunknown' })), 'inference: UNKNOWN_MODEL: model bafkunknown is not registered'],
    ['ZK mode on a model registered for VANILLA only', encodeRunModelInference(request({ mode: ModelInferenceMode.ZK })), 'inference: MODE_NOT_SUPPORTED'],
    ['TEE mode on a model registered for VANILLA only', encodeRunModelInference(request({ mode: ModelInferenceMode.TEE })), 'inference: MODE_NOT_SUPPORTED'],
  ])('reverts with a decodable reason for %s', async (_name, data, reason) => {
    const { result } = await callPrecompile(data, never)
    expect(revertReason(result)).toContain(reason)
  })

  it('hands the LLM functions to the LLM path (src/evm/llm-precompile.ts; end to end in test/integration/llm.test.ts)', async () => {
    const data = encodeFunctionData({
      abi: ogInferenceAbi,
      functionName: 'runLLMCompletion',
      args: [{ mode: 0, modelCID: 'bafkunknown', prompt: 'hi', max_tokens: 4, stop_sequence: [], temperature: 0 }],
    })
    const { result } = await callPrecompile(data, never)
    expect(revertReason(result)).toBe('inference: UNKNOWN_MODEL: model bafkunknown is not registered')
  })

  it('passes provider errors through as the revert reason', async () => {
    const { result, session } = await callPrecompile(encodeRunModelInference(request()), {
      resolve: () => ({ kind: 'error', code: 'BAD_TENSOR_SHAPE', reason: 'tensor input has shape [1,2], expected [1,16]' }),
    })
    expect(revertReason(result)).toBe('inference: BAD_TENSOR_SHAPE: tensor input has shape [1,2], expected [1,16]')
    expect(session.records[0]).toMatchObject({ status: 'error', errorCode: 'BAD_TENSOR_SHAPE' })
  })

  it('refuses outputs over the size limit', async () => {
    const req = request()
    const big: ModelOutput = { ...output, numbers: [{ name: 'o', values: Array.from({ length: MAX_OUTPUT_ELEMENTS + 1 }, () => ({ value: 1n, decimals: 0n })), shape: [MAX_OUTPUT_ELEMENTS + 1] }] }
    const { result } = await callPrecompile(encodeRunModelInference(req), { resolve: () => ({ kind: 'result', result: signedResult(req, big) }) })
    expect(revertReason(result)).toContain('inference: OUTPUT_TOO_LARGE')
  })

  it('runs out of gas, without asking the provider, when the gas cannot cover the base cost', async () => {
    // Exactly the EIP-7623 calldata floor: a valid call, whose execution budget (floor − intrinsic)
    // is below the precompile's 30,000 base.
    const data = encodeRunModelInference(request())
    const bytes = Buffer.from(data.slice(2), 'hex')
    const zeros = BigInt(bytes.filter((b) => b === 0).length)
    const floor = 21_000n + 10n * (zeros + 4n * (BigInt(bytes.length) - zeros))
    const { result } = await callPrecompile(data, never, floor)
    expect(result.error?.message).toBe('out of gas')
  })
})
