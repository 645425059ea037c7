/**
 * A private inference node on a devnet, as real processes: `inferchain inference-node --private-model
 * file.onnx` registers the id private:0x<commitment> and serves it to contracts; an impostor is
 * refused on chain; the owner's caller allowlist reverts others with NOT_ALLOWED; a follower
 * verifies every block; and the weights' bytes are found nowhere outside the node's own file — not in
 * the hub, the chain databases, any RPC response, nor any process's output.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeFunctionData, getAddress, type Abi, type Hex } from 'viem'
import { stopChild } from '../../src/cli/child.js'
import { compileContracts, getContract } from '../../src/contracts/compile.js'
import { nodeRegistryAbi } from '../../src/contracts/system.js'
import type { DevnetInfo, InferenceNodeReady } from '../../src/devnet.js'
import { ModelInferenceMode } from '../../src/evm/types.js'
import { httpRequest } from '../../src/inference/http.js'
import { buildMlpModel, mlpWeights } from '../../src/models/index.js'
import { NODE_REGISTRY_ADDRESS } from '../../src/params.js'
import { setCallerAllowed, setCallersRestricted } from '../../src/private/registry.js'
import { setTeeMeasurementAllowed } from '../../src/sdk/registry.js'
import { tempDir } from '../chain/helpers.js'
import { assertBuilt, CLI, devnetClients, until } from './processes.js'

/** A process whose every byte of stdout and stderr is kept, to be searched afterwards. */
interface Captured<T> { process: ChildProcess; ready: T; output: () => Buffer }

function spawnCaptured<T>(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Captured<T>> {
  assertBuilt()
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  const chunks: Buffer[] = []
  child.stderr!.on('data', (d: Buffer) => chunks.push(d))
  const lines = createInterface({ input: child.stdout! })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} not ready in time`)), 120_000)
    lines.once('line', (line) => {
      clearTimeout(timer)
      chunks.push(Buffer.from(`${line}\n`))
      lines.on('line', (l) => chunks.push(Buffer.from(`${l}\n`)))
      resolve({ process: child, ready: JSON.parse(line) as T, output: () => Buffer.concat(chunks) })
    })
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}: ${Buffer.concat(chunks).toString()}`)))
  })
}

/** Every RPC / HTTP response body this test received, searched for the weights at the end. */
const responses: string[] = []
async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await httpRequest(url, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  responses.push(res.text)
  const body = JSON.parse(res.text) as { result: T; error?: { message: string } }
  if (body.error) throw new Error(body.error.message)
  return body.result
}

const SPEC = { inputSize: 16, hiddenSize: 32, outputSize: 4, seed: 31_337 }
const modelBytes = buildMlpModel(SPEC)
/** 48 bytes of the first layer's float32 weights, as the ONNX file stores them (little endian). */
const pattern = Buffer.from(new Float32Array(mlpWeights(SPEC).w1.slice(0, 12)).buffer)
/** The pattern in every encoding a process might write it in: raw, hex, base64 at each alignment. */
const needles = [pattern, Buffer.from(pattern.toString('hex')), ...[0, 1, 2].map((o) => Buffer.from(pattern.subarray(o, o + 45).toString('base64')))]
const holds = (haystack: Buffer) => needles.some((n) => haystack.includes(n))

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    return e.isDirectory() ? filesUnder(path) : e.isFile() ? [path] : []
  })
}

const workDir = tempDir('inferchain-private-it-')
const privateDir = join(workDir.dir, 'private-node')
const modelFile = join(privateDir, 'model.onnx')
let devnet: Captured<DevnetInfo>
let node: Captured<InferenceNodeReady & { models: string[]; privateModel: { id: string; commitment: Hex } }>
let consumer: { abi: Abi; bytecode: Hex }

beforeAll(async () => {
  mkdirSync(privateDir, { recursive: true })
  writeFileSync(modelFile, modelBytes)
  ;[devnet, consumer] = await Promise.all([
    spawnCaptured<DevnetInfo>([
      'dev', '--json', '--automine', '--data-dir', join(workDir.dir, 'devnet'), '--rpc-port', '0', '--hub-port', '0', '--inference-port', '0',
      '--p2p-port', '0', '--inference-timeout', '3000', '--followers', '1',
    ]),
    compileContracts().then((c) => getContract(c, 'DemoConsumer')),
  ])
  const info = devnet.ready
  node = await spawnCaptured(
    ['inference-node', '--json', '--rpc-url', info.rpcUrl, '--hub-url', info.hubUrl, '--port', '0', '--cache-dir', join(privateDir, 'cache'), '--private-model', modelFile, '--tee', 'dev'],
    { INFERCHAIN_PRIVATE_KEY: info.accounts[5]!.privateKey },
  )
}, 240_000)

afterAll(async () => {
  if (node) await stopChild(node.process)
  if (devnet) await stopChild(devnet.process)
  workDir.remove()
})

describe('a private inference node on a devnet', () => {
  it('serves its model to an allowed contract, refuses impostors and other callers, and never leaks the weights', async () => {
    const info = devnet.ready
    const id = node.ready.privateModel.id
    expect(id).toMatch(/^private:0x[0-9a-f]{64}$/)
    expect(node.ready.models).toEqual([id])
    const owner = devnetClients(info, 5)
    const ownerClients = { publicClient: owner.publicClient, walletClient: owner.walletClient }
    // The devnet allowlists its own enclave's measurement; make sure this node's is too (governance: account #0).
    const admin = devnetClients(info, 0)
    await setTeeMeasurementAllowed({ publicClient: admin.publicClient, walletClient: admin.walletClient }, node.ready.tee!.measurement, true)

    // An impostor claiming the same id is refused on chain, and routing names the private node only.
    const impostor = devnetClients(info, 6)
    await expect(
      impostor.publicClient.simulateContract({ address: NODE_REGISTRY_ADDRESS, abi: nodeRegistryAbi, functionName: 'register', args: ['http://127.0.0.1:9', 1, [id]], account: impostor.account }),
    ).rejects.toThrow(/NodeNotAuthorizedForModel/)
    const refused = await impostor.walletClient.writeContract({ address: NODE_REGISTRY_ADDRESS, abi: nodeRegistryAbi, functionName: 'register', args: ['http://127.0.0.1:9', 1, [id]], account: impostor.account, chain: impostor.chain, gas: 1_000_000n })
    expect((await impostor.publicClient.waitForTransactionReceipt({ hash: refused })).status).toBe('reverted')
    const [servers] = await impostor.publicClient.readContract({ address: NODE_REGISTRY_ADDRESS, abi: nodeRegistryAbi, functionName: 'nodesForModel', args: [id] })
    expect(servers).toEqual([node.ready.address])

    // Two consumer contracts; the owner restricts the model to the first.
    const user = devnetClients(info, 2)
    const deploy = async () => (await user.publicClient.waitForTransactionReceipt({ hash: await user.walletClient.deployContract({ abi: consumer.abi, bytecode: consumer.bytecode, account: user.account, chain: user.chain }) })).contractAddress!
    const allowed = await deploy()
    const other = await deploy()
    await setCallersRestricted(ownerClients, id, true)
    await setCallerAllowed(ownerClients, id, allowed, true)

    const request = (mode: ModelInferenceMode) => ({
      mode, modelCID: id,
      input: { numbers: [{ name: 'input', values: Array.from({ length: 16 }, (_, i) => ({ value: BigInt((i - 8) * 40_000), decimals: 6n })), shape: [1, 16] }], strings: [] },
    })
    const run = async (address: Hex, mode: ModelInferenceMode) => {
      const hash = await user.walletClient.writeContract({ address, abi: consumer.abi, functionName: 'runInference', args: [request(mode)], account: user.account, chain: user.chain, gas: 3_000_000n })
      return { hash, receipt: await user.publicClient.waitForTransactionReceipt({ hash }) }
    }

    const vanilla = await run(allowed, ModelInferenceMode.VANILLA)
    expect(vanilla.receipt.status).toBe('success')
    const values = (await user.publicClient.readContract({ address: allowed, abi: consumer.abi, functionName: 'lastValues' })) as bigint[]
    expect(values).toHaveLength(4)
    const [vanillaRecord] = await rpc<Array<{ modelCid: string; node: Hex; verification: Record<string, unknown> }>>(info.rpcUrl, 'inference_getRecordsByTransaction', [vanilla.hash])
    expect(vanillaRecord).toMatchObject({ modelCid: id, node: node.ready.address, verification: { evidence: 'vanilla-signature', privateModel: true, trust: 'trust-the-node' } })

    const tee = await run(allowed, ModelInferenceMode.TEE)
    expect(tee.receipt.status).toBe('success')
    const [teeRecord] = await rpc<Array<{ verification: Record<string, unknown> }>>(info.rpcUrl, 'inference_getRecordsByTransaction', [tee.hash])
    expect(teeRecord!.verification).toMatchObject({ evidence: 'tee-attestation', privateModel: true, trust: 'attested' })

    // A contract not on the allowlist: the call reverts with the reason, in simulation and in a block.
    const data = encodeFunctionData({ abi: consumer.abi, functionName: 'runInference', args: [request(ModelInferenceMode.VANILLA)] })
    await expect(rpc(info.rpcUrl, 'eth_call', [{ from: user.account.address, to: other, data, gas: '0x2dc6c0' }, 'latest'])).rejects.toThrow(
      `inference: NOT_ALLOWED: caller ${getAddress(other)} (transaction from ${user.account.address}) is not on the allowlist of model ${id}`,
    )
    expect((await run(other, ModelInferenceMode.VANILLA)).receipt.status).toBe('reverted')

    // The follower replays every block — the refusals and the private results — and agrees.
    type Status = { head: Hex; headHash: Hex; stateRoot: Hex; lastRejection?: string; inferencesDispatched: number }
    const producer = await rpc<Status>(info.rpcUrl, 'inferchain_nodeStatus')
    const follower = info.followers[0]!
    await until(async () => (await rpc<Status>(follower, 'inferchain_nodeStatus')).head === producer.head)
    const followed = await rpc<Status>(follower, 'inferchain_nodeStatus')
    expect(followed).toMatchObject({ headHash: producer.headHash, stateRoot: producer.stateRoot, inferencesDispatched: 0 })
    expect(followed.lastRejection).toBeUndefined()
    expect(await rpc(follower, 'inference_getRecordsByTransaction', [vanilla.hash])).toEqual([vanillaRecord])

    // What else a client could read: every block with its transactions, receipts, logs, the node's health.
    for (let n = 0n; n <= BigInt(producer.head); n++) await rpc(info.rpcUrl, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, true])
    await rpc(info.rpcUrl, 'eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }])
    for (const { hash } of [vanilla, tee]) await rpc(info.rpcUrl, 'eth_getTransactionReceipt', [hash])
    responses.push((await httpRequest(`${node.ready.url}/v1/health`, { method: "GET" })).text)

    await stopChild(node.process)
    await stopChild(devnet.process)

    // The search finds the weights where they are (its own check), and nowhere else.
    expect(holds(readFileSync(modelFile))).toBe(true)
    const leaks = filesUnder(join(workDir.dir, 'devnet')).filter((f) => statSync(f).size > 0 && holds(readFileSync(f)))
    leaks.push(...filesUnder(join(privateDir, 'cache')).filter((f) => holds(readFileSync(f))))
    expect(leaks).toEqual([])
    expect(filesUnder(join(workDir.dir, 'devnet')).some((f) => f.includes('chain'))).toBe(true)
    expect(holds(devnet.output())).toBe(false)
    expect(holds(node.output())).toBe(false)
    expect(responses.length).toBeGreaterThan(5)
    expect(responses.filter((r) => holds(Buffer.from(r)))).toEqual([])
  }, 300_000)
})
