/**
 * The devnet end to end, as a user meets it: `inferchain dev` as a real process, contracts compiled
 * by solc, deployed and called with viem and ethers, models run by the real inference node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { ethers } from 'ethers'
import { createPublicClient, createWalletClient, decodeEventLog, decodeFunctionResult, http, type Abi, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { compileContracts, getContract } from '../../src/contracts/compile.js'
import { encodeRunModelInference, ogInferenceAbi } from '../../src/evm/abi.js'
import { buildDemoModel, DEMO_MODEL } from '../../src/models/demo-mlp.js'
import { inferchainChain } from '../../src/sdk/chain.js'
import { startDevnet, type RunningDevnet } from './processes.js'

let devnet: RunningDevnet
let consumer: { abi: Abi; bytecode: Hex }
const INPUT = Array.from({ length: DEMO_MODEL.inputSize }, (_, i) => (i - 7) / 10)
const DECIMALS = 6n

beforeAll(async () => {
  ;[devnet, consumer] = await Promise.all([startDevnet(), compileContracts().then((c) => getContract(c, 'DemoConsumer'))])
})
afterAll(async () => {
  await devnet?.stop()
})

async function onnxReference(): Promise<number[]> {
  const session = await InferenceSession.create(buildDemoModel())
  const out = await session.run({ input: new Tensor('float32', Float32Array.from(INPUT), [1, DEMO_MODEL.inputSize]) })
  return Array.from(out.output!.data as Float32Array)
}

function viemClients() {
  const chain = inferchainChain(devnet.info.rpcUrl, devnet.info.chainId)
  const account = privateKeyToAccount(devnet.info.accounts[1]!.privateKey)
  return {
    publicClient: createPublicClient({ chain, transport: http(devnet.info.rpcUrl), pollingInterval: 50 }),
    walletClient: createWalletClient({ chain, transport: http(devnet.info.rpcUrl), account }),
    account,
  }
}

describe('devnet', () => {
  it('prints a complete ready line', () => {
    const { info } = devnet
    expect(info.precompile).toBe('0x00000000000000000000000000000000000000F4')
    expect(info.accounts[0]!.address).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
    expect(info.demoModel.cid).toMatch(/^bafkrei/)
    expect(info.demoModel.inputs[0]).toMatchObject({ name: 'input', type: 'float32', shape: [1, DEMO_MODEL.inputSize] })
    expect(info.inferenceNodes).toHaveLength(1)
  })

  it('a contract deployed with viem runs the model in a transaction and stores what onnxruntime computes', async () => {
    const { publicClient, walletClient, account } = viemClients()
    const deployHash = await walletClient.deployContract({ abi: consumer.abi, bytecode: consumer.bytecode, account, chain: walletClient.chain })
    const address = (await publicClient.waitForTransactionReceipt({ hash: deployHash })).contractAddress!
    const values = INPUT.map((v) => BigInt(Math.round(v * 10 ** Number(DECIMALS))))
    const hash = await walletClient.writeContract({
      address, abi: consumer.abi, functionName: 'runWithValues', args: [devnet.info.demoModel.cid, values, DECIMALS], account, chain: walletClient.chain,
    })
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')

    const stored = (await publicClient.readContract({ address, abi: consumer.abi, functionName: 'lastValues' })) as bigint[]
    const decimals = (await publicClient.readContract({ address, abi: consumer.abi, functionName: 'lastDecimals' })) as bigint
    const wasSimulation = await publicClient.readContract({ address, abi: consumer.abi, functionName: 'lastWasSimulation' })
    expect(wasSimulation).toBe(false)
    const expected = await onnxReference()
    expect(stored).toHaveLength(expected.length)
    stored.forEach((v, i) => expect(Math.abs(Number(v) / 10 ** Number(decimals) - expected[i]!)).toBeLessThanOrEqual(5e-9 + 1e-12))

    // The precompile's event is in the receipt, from 0x…F4, and names the request.
    const event = receipt.logs.find((l) => l.address.toLowerCase() === devnet.info.precompile.toLowerCase())!
    const decoded = decodeEventLog({ abi: ogInferenceAbi, data: event.data, topics: event.topics })
    expect(decoded.eventName).toBe('ModelInferenceEvent')
    const inferenceId = (decoded.args as { inferenceID: string }).inferenceID
    const record = (await publicClient.request({ method: 'inference_getRecord' as never, params: [inferenceId] as never })) as {
      status: string; node: string; txHash: string; verification: { status: string }
    }
    expect(record).toMatchObject({ status: 'ok', txHash: hash, verification: { status: 'verified' } })
    expect(record.node.toLowerCase()).toBe(devnet.info.accounts[19]!.address.toLowerCase())
  })

  it('eth_call returns real outputs (simulation, dispatch, then the real run)', async () => {
    const { publicClient } = viemClients()
    const values = INPUT.map((v) => BigInt(Math.round(v * 1e6)))
    // Through the consumer contract: it returns the output tensor's raw values (8 decimals).
    const { result } = await publicClient.simulateContract({
      address: devnet.info.demoConsumer, abi: consumer.abi, functionName: 'runWithValues', args: [devnet.info.demoModel.cid, values, 6n],
      account: devnet.info.accounts[0]!.address,
    })
    const expected = await onnxReference()
    ;(result as bigint[]).forEach((v, i) => expect(Math.abs(Number(v) / 1e8 - expected[i]!)).toBeLessThan(1e-8))
    // Straight to the precompile: the ModelOutput says it is not a simulation result.
    const direct = await publicClient.call({
      to: devnet.info.precompile,
      data: encodeRunModelInference({
        mode: 0, modelCid: devnet.info.demoModel.cid,
        input: { numbers: [{ name: 'input', values: values.map((value) => ({ value, decimals: 6n })), shape: [1, values.length] }], strings: [] },
      }),
    })
    const output = decodeFunctionResult({ abi: ogInferenceAbi, functionName: 'runModelInference', data: direct.data! })
    expect(output.is_simulation_result).toBe(false)
    expect(output.numbers[0]!.values.map((v) => v.value)).toEqual(result)
  })

  it('works the same through ethers v6', async () => {
    const provider = new ethers.JsonRpcProvider(devnet.info.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 })
    const wallet = new ethers.Wallet(devnet.info.accounts[2]!.privateKey, provider)
    const factory = new ethers.ContractFactory(consumer.abi as ethers.InterfaceAbi, consumer.bytecode, wallet)
    const contract = await factory.deploy()
    await contract.waitForDeployment()
    const values = INPUT.map((v) => BigInt(Math.round(v * 1e6)))
    const tx = await (contract as ethers.Contract).getFunction('runWithValues')(devnet.info.demoModel.cid, values, 6n)
    const receipt = await tx.wait()
    expect(receipt?.status).toBe(1)
    const stored: bigint[] = await (contract as ethers.Contract).getFunction('lastValues')()
    const expected = await onnxReference()
    stored.forEach((v, i) => expect(Math.abs(Number(v) / 1e8 - expected[i]!)).toBeLessThan(1e-8))
    provider.destroy()
  })
})

describe('a transaction whose second inference depends on the first', () => {
  it('is deferred, re-simulated with the first result known, and mined with both results right', async () => {
    const { abi, bytecode } = getContract(await compileContracts(), 'TwoStepConsumer')
    const { publicClient, walletClient, account } = viemClients()
    const deployed = await walletClient.deployContract({ abi, bytecode, account, chain: walletClient.chain })
    const address = (await publicClient.waitForTransactionReceipt({ hash: deployed })).contractAddress!
    const values = INPUT.map((v) => BigInt(Math.round(v * 1e6)))
    const hash = await walletClient.writeContract({
      address, abi, functionName: 'run', args: [devnet.info.demoModel.cid, values, 6n], account, chain: walletClient.chain, gas: 3_000_000n,
    })
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')
    const [first, second, decimals] = (await publicClient.readContract({ address, abi, functionName: 'results' })) as [bigint[], bigint[], bigint]
    const session = await InferenceSession.create(buildDemoModel())
    const run = async (x: number[]) =>
      Array.from((await session.run({ input: new Tensor('float32', Float32Array.from(x), [1, 16]) })).output!.data as Float32Array)
    const expectedFirst = await run(INPUT)
    first.forEach((v, i) => expect(Math.abs(Number(v) / 1e8 - expectedFirst[i]!)).toBeLessThan(1e-8))
    const expectedSecond = await run(Array.from({ length: 16 }, (_, i) => Number(first[i % 4]!) / 1e8))
    second.forEach((v, i) => expect(Math.abs(Number(v) / 10 ** Number(decimals) - expectedSecond[i]!)).toBeLessThan(1e-7))
    const records = (await publicClient.request({ method: 'inference_getRecordsByTransaction' as never, params: [hash] as never })) as { callIndex: number }[]
    expect(records.map((r) => r.callIndex)).toEqual([0, 1])
  })
})
