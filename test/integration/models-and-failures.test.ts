/**
 * Real models of every kind through contracts (string tensors, the pretrained Silero VAD), and every
 * failure the precompile documents, each reaching the client as a decodable revert reason — while
 * the node keeps serving.
 */
import { createServer, type Server } from 'node:net'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { BaseError, ContractFunctionRevertedError, createPublicClient, createWalletClient, encodeFunctionData, http, type Abi, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { compileContracts, getContract, type CompiledContracts } from '../../src/contracts/compile.js'
import { nodeRegistryAbi } from '../../src/contracts/system.js'
import { encodeRunModelInference } from '../../src/evm/abi.js'
import { ModelInferenceMode, type ModelInput } from '../../src/evm/types.js'
import { HubClient } from '../../src/hub/client.js'
import { buildMlpModel, buildStringModel, buildWideOutputModel, sileroVadModelPath } from '../../src/models/index.js'
import { NODE_REGISTRY_ADDRESS } from '../../src/params.js'
import { inferchainChain } from '../../src/sdk/chain.js'
import { registerModel } from '../../src/sdk/registry.js'
import { startDevnet, type RunningDevnet } from './processes.js'

let devnet: RunningDevnet
let compiled: CompiledContracts
let silentServer: Server
const cids: Record<'string' | 'vad' | 'wide' | 'orphan' | 'slow', string> = { string: '', vad: '', wide: '', orphan: '', slow: '' }

function clients(accountIndex: number) {
  const chain = inferchainChain(devnet.info.rpcUrl, devnet.info.chainId)
  const account = privateKeyToAccount(devnet.info.accounts[accountIndex]!.privateKey)
  const publicClient = createPublicClient({ chain, transport: http(devnet.info.rpcUrl), pollingInterval: 50 })
  const walletClient = createWalletClient({ chain, transport: http(devnet.info.rpcUrl), account })
  return { publicClient, walletClient, account, chain }
}

async function send(accountIndex: number, to: Address, abi: Abi, functionName: string, args: unknown[]) {
  const c = clients(accountIndex)
  const hash = await c.walletClient.writeContract({ address: to, abi, functionName, args, account: c.account, chain: c.chain } as never)
  const receipt = await c.publicClient.waitForTransactionReceipt({ hash })
  expect(receipt.status).toBe('success')
  return receipt
}

async function deploy(name: string): Promise<{ address: Address; abi: Abi }> {
  const { abi, bytecode } = getContract(compiled, name)
  const c = clients(3)
  const hash = await c.walletClient.deployContract({ abi, bytecode, account: c.account, chain: c.chain })
  return { address: (await c.publicClient.waitForTransactionReceipt({ hash })).contractAddress!, abi }
}

/** eth_call straight to the precompile; resolves with the JSON-RPC error. */
async function callPrecompile(data: Hex): Promise<{ code: number; message: string; data?: string }> {
  const res = await fetch(devnet.info.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_call', params: [{ to: devnet.info.precompile, data }, 'latest'] }),
  })
  const body = (await res.json()) as { error?: { code: number; message: string; data?: string } }
  expect(body.error).toBeDefined()
  return body.error!
}

const demoInput = (values: number[], name = 'input', shape = [1, values.length]): ModelInput => ({
  numbers: [{ name, values: values.map((v) => ({ value: BigInt(Math.round(v * 1e6)), decimals: 6n })), shape }],
  strings: [],
})
const request = (modelCid: string, input: ModelInput) => encodeRunModelInference({ mode: ModelInferenceMode.VANILLA, modelCid, input })

beforeAll(async () => {
  ;[devnet, compiled] = await Promise.all([startDevnet(), compileContracts()])
  silentServer = createServer(() => {}) // accepts connections, never answers
  await new Promise<void>((r) => silentServer.listen(0, '127.0.0.1', r))
  const hub = new HubClient(devnet.info.hubUrl)
  const owner = clients(0)
  const models = {
    string: buildStringModel(),
    vad: new Uint8Array(readFileSync(sileroVadModelPath())),
    wide: buildWideOutputModel(70_000),
    orphan: buildMlpModel({ inputSize: 4, hiddenSize: 4, outputSize: 2, seed: 99 }),
    slow: buildMlpModel({ inputSize: 4, hiddenSize: 4, outputSize: 2, seed: 100 }),
  }
  for (const [key, bytes] of Object.entries(models) as [keyof typeof cids, Uint8Array][]) {
    const { cid, metadata } = await hub.upload(bytes, { name: key })
    cids[key] = cid
    await registerModel({ publicClient: owner.publicClient as never, walletClient: owner.walletClient as never }, metadata)
  }
  // The dev inference node (account #19) also serves these; #17 claims the slow one at a silent endpoint.
  for (const key of ['string', 'vad', 'wide'] as const) await send(19, NODE_REGISTRY_ADDRESS, nodeRegistryAbi, 'addModel', [cids[key]])
  const port = (silentServer.address() as { port: number }).port
  await send(17, NODE_REGISTRY_ADDRESS, nodeRegistryAbi, 'register', [`http://127.0.0.1:${port}`, 1, [cids.slow]])
})

afterAll(async () => {
  silentServer?.close()
  await devnet?.stop()
})

describe('real models through contracts', () => {
  it('string tensors in and out (StringNormalizer)', async () => {
    const consumer = await deploy('StringConsumer')
    await send(3, consumer.address, consumer.abi, 'runWithStrings', [cids.string, 'text', ['Hello', 'WORLD']])
    const { publicClient } = clients(3)
    expect(await publicClient.readContract({ address: consumer.address, abi: consumer.abi, functionName: 'lastString' })).toBe('hello')
    expect(await publicClient.readContract({ address: consumer.address, abi: consumer.abi, functionName: 'lastWasSimulation' })).toBe(false)
  })

  it('the pretrained Silero VAD: three inputs (int64 sr), recurrent state kept on chain', async () => {
    const consumer = await deploy('VadConsumer')
    const samples = Array.from({ length: 512 }, (_, i) => Math.sin(i / 3) * 0.5)
    const scaled = samples.map((s) => BigInt(Math.round(s * 1e6)))
    const receipt = await send(3, consumer.address, consumer.abi, 'detect', [cids.vad, scaled, 6n])
    expect(receipt.gasUsed).toBeLessThan(8_000_000n)
    const { publicClient } = clients(3)
    const probability = (await publicClient.readContract({ address: consumer.address, abi: consumer.abi, functionName: 'lastProbability' })) as bigint
    const decimals = (await publicClient.readContract({ address: consumer.address, abi: consumer.abi, functionName: 'lastDecimals' })) as bigint
    const session = await InferenceSession.create(readFileSync(sileroVadModelPath()))
    const reference = await session.run({
      input: new Tensor('float32', Float32Array.from(scaled.map((v) => Number(v) / 1e6)), [1, 512]),
      state: new Tensor('float32', new Float32Array(256), [2, 1, 128]),
      sr: new Tensor('int64', BigInt64Array.from([16000n]), []),
    })
    const expected = (reference.output!.data as Float32Array)[0]!
    expect(Math.abs(Number(probability) / 10 ** Number(decimals) - expected)).toBeLessThan(1e-7)
    const [state] = (await publicClient.readContract({ address: consumer.address, abi: consumer.abi, functionName: 'state' })) as [bigint[], bigint]
    expect(state).toHaveLength(256)
    expect(state.some((v) => v !== 0n)).toBe(true)
  })
})

describe('failures reach the client as revert reasons', () => {
  it.each([
    ['malformed ABI', () => '0x7289e9c2ffff' as Hex, 'inference: MALFORMED_REQUEST'],
    ['unknown model', () => request('bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', demoInput(new Array(16).fill(0))), 'inference: UNKNOWN_MODEL'],
    ['wrong tensor name', () => request(devnet.info.demoModel.cid, demoInput(new Array(16).fill(0), 'pixels')), 'inference: BAD_TENSOR_NAME'],
    ['wrong tensor shape', () => request(devnet.info.demoModel.cid, demoInput([1, 2, 3])), 'inference: BAD_TENSOR_SHAPE'],
    ['wrong tensor type', () => request(devnet.info.demoModel.cid, { numbers: [], strings: [{ name: 'input', values: ['x'] }] }), 'inference: BAD_TENSOR_TYPE'],
    ['output too large', () => request(cids.wide, demoInput([1], 'input', [1])), 'inference: OUTPUT_TOO_LARGE'],
    ['no inference node', () => request(cids.orphan, demoInput([1, 2, 3, 4])), 'inference: NO_INFERENCE_NODE'],
    ['inference node timeout', () => request(cids.slow, demoInput([1, 2, 3, 4])), 'inference: NODE_TIMEOUT'],
  ])('%s', async (_name, data, reason) => {
    const error = await callPrecompile(data())
    expect(error.code).toBe(3)
    expect(error.message).toContain(`execution reverted: ${reason}`)
    expect(error.data).toMatch(/^0x08c379a0/)
  })

  it('a contract call reverts with the reason viem decodes, and the node keeps serving', async () => {
    const { publicClient } = clients(0)
    const { abi } = getContract(compiled, 'DemoConsumer')
    const error = await publicClient
      .simulateContract({ address: devnet.info.demoConsumer, abi, functionName: 'runWithValues', args: [cids.orphan, [1n], 0n], account: devnet.info.accounts[0]!.address })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BaseError)
    const revert = (error as BaseError).walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError
    expect(revert.reason).toMatch(/^inference: NO_INFERENCE_NODE: no inference node is registered for model/)

    const values = Array.from({ length: 16 }, () => 100_000n)
    const data = encodeFunctionData({ abi, functionName: 'runWithValues', args: [devnet.info.demoModel.cid, values, 6n] })
    const ok = await publicClient.call({ to: devnet.info.demoConsumer, data })
    expect(ok.data).toMatch(/^0x/)
  })

  it('a mined transaction whose inference fails is included, reverted, with its record', async () => {
    const c = clients(4)
    const { abi } = getContract(compiled, 'DemoConsumer')
    const hash = await c.walletClient.writeContract({
      address: devnet.info.demoConsumer, abi, functionName: 'runWithValues', args: [cids.orphan, [1n, 2n, 3n, 4n], 0n],
      account: c.account, chain: c.chain, gas: 1_000_000n,
    })
    const receipt = await c.publicClient.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('reverted')
    const records = (await c.publicClient.request({ method: 'inference_getRecordsByTransaction' as never, params: [hash] as never })) as Array<{ status: string; error: { code: string } }>
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ status: 'error', error: { code: 'NO_INFERENCE_NODE' } })
  })
})
