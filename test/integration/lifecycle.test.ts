/**
 * Processes coming and going: inference nodes killed and replaced without restarting the chain, a
 * full node stopped (and killed) and restarted on its data dir, the dev command's printed command.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { afterAll, describe, expect, it } from 'vitest'
import { createPublicClient, createWalletClient, encodeFunctionData, http, parseEther, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { devAccounts } from '../../src/chain/dev-accounts.js'
import { compileContracts, getContract } from '../../src/contracts/compile.js'
import { modelRegistryAbi } from '../../src/contracts/system.js'
import { MODEL_REGISTRY_ADDRESS } from '../../src/params.js'
import { inferchainChain } from '../../src/sdk/chain.js'
import { tempDir } from '../chain/helpers.js'
import { CLI, cli, startDevnet, startInferenceNode } from './processes.js'

const cleanups: Array<() => Promise<void> | void> = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})

const ACCOUNTS = devAccounts(20)

async function rpc(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) })
  return res.json()
}

describe('inference nodes come and go', () => {
  it('killing the only node fails calls with a clear reason; a second node brings them back, chain untouched', async () => {
    const devnet = await startDevnet(['--inference-nodes', '0'])
    cleanups.push(devnet.stop)
    const { info } = devnet
    const { abi } = getContract(await compileContracts(), 'DemoConsumer')
    // Verified results are cached by input: each call below uses a new input so it must reach a node.
    const call = (seed: number) => {
      const data = encodeFunctionData({ abi, functionName: 'runWithValues', args: [info.demoModel.cid, Array.from({ length: 16 }, (_, i) => BigInt(i * seed) * 1000n), 6n] })
      return rpc(info.rpcUrl, { jsonrpc: '2.0', id: 1, method: 'eth_call', params: [{ to: info.demoConsumer, data }, 'latest'] }) as Promise<{ result?: Hex; error?: { message: string } }>
    }

    expect((await call(1)).error?.message).toContain('inference: NO_INFERENCE_NODE')
    const first = await startInferenceNode({ rpcUrl: info.rpcUrl, hubUrl: info.hubUrl, privateKey: ACCOUNTS[19]!.privateKey, models: [info.demoModel.cid], cacheDir: `${devnet.dataDir}/a` })
    const good = await call(2)
    expect(good.result).toMatch(/^0x/)

    first.process.kill('SIGKILL')
    await new Promise((r) => first.process.once('exit', r))
    const down = await call(3)
    expect(down.error?.message).toContain('inference: NODE_UNAVAILABLE: every inference node for')
    const headBefore = await rpc(info.rpcUrl, { jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] })

    const second = await startInferenceNode({ rpcUrl: info.rpcUrl, hubUrl: info.hubUrl, privateKey: ACCOUNTS[18]!.privateKey, models: [info.demoModel.cid], cacheDir: `${devnet.dataDir}/b` })
    cleanups.push(second.stop)
    const again = await call(3)
    expect(again.result).toMatch(/^0x/)
    expect(again.result).not.toBe(good.result)
    expect((await call(2)).result).toBe(good.result)
    // The chain kept running all along (the registration was a new block on the same chain).
    const headAfter = (await rpc(info.rpcUrl, { jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] })) as { result: Hex }
    expect(BigInt(headAfter.result)).toBeGreaterThan(BigInt((headBefore as { result: Hex }).result))
  })
})

describe('a full node on its data dir', () => {
  it('resumes head, balances and contract storage after a stop and after a kill -9; JSON-RPC errors are standard', async () => {
    const tmp = tempDir('inferchain-node-')
    cleanups.push(tmp.remove)
    const args = ['node', '--json', '--automine', '--data-dir', tmp.dir, '--rpc-port', '0', '--p2p-port', '0']
    let node = await cli<{ rpcUrl: string; head: number }>(args)
    const clients = (url: string) => {
      const chain = inferchainChain(url)
      return {
        publicClient: createPublicClient({ chain, transport: http(url), pollingInterval: 50 }),
        walletClient: createWalletClient({ chain, transport: http(url), account: privateKeyToAccount(ACCOUNTS[5]!.privateKey) }),
      }
    }
    let c = clients(node.ready.rpcUrl)
    const recipient = ACCOUNTS[6]!.address
    const transfer = await c.walletClient.sendTransaction({ to: recipient, value: parseEther('1.5'), chain: c.walletClient.chain })
    await c.publicClient.waitForTransactionReceipt({ hash: transfer })
    const register = await c.walletClient.writeContract({
      address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, functionName: 'registerModel',
      args: ['bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'persisted', 1, 10n, '[]', '[]'], chain: c.walletClient.chain,
    })
    await c.publicClient.waitForTransactionReceipt({ hash: register })
    const snapshot = async () => ({
      block: await c.publicClient.getBlock(),
      balance: await c.publicClient.getBalance({ address: recipient }),
      registered: await c.publicClient.readContract({ address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, functionName: 'isRegistered', args: ['bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'] }),
      count: await c.publicClient.readContract({ address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, functionName: 'modelCount' }),
    })
    const before = await snapshot()
    expect(before.balance).toBe(10_000n * 10n ** 18n + parseEther('1.5'))
    expect(before.registered).toBe(true)

    // JSON-RPC error codes on the real node.
    const url = node.ready.rpcUrl
    expect(await rpc(url, '{"jsonrpc":"2.0","id":1,"method":')).toMatchObject({ error: { code: -32700 } })
    expect(await rpc(url, { jsonrpc: '2.0', id: 1, method: 'eth_nope', params: [] })).toMatchObject({ error: { code: -32601 } })
    expect(await rpc(url, { jsonrpc: '2.0', id: 1, method: 'eth_getBalance', params: ['0x1234', 'latest'] })).toMatchObject({ error: { code: -32602 } })
    expect(await rpc(url, { id: 1, method: 'eth_chainId' })).toMatchObject({ error: { code: -32600 } })
    const batch = (await rpc(url, [
      { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] },
      { jsonrpc: '2.0', id: 2, method: 'eth_nope', params: [] },
      { jsonrpc: '2.0', method: 'eth_blockNumber', params: [] },
      { jsonrpc: '2.0', id: 3, method: 'net_version', params: [] },
    ])) as Array<{ id: number; result?: string; error?: { code: number } }>
    expect(batch.map((r) => r.id)).toEqual([1, 2, 3])
    expect(batch[0]!.result).toBe('0x67932')
    expect(batch[1]!.error?.code).toBe(-32601)
    expect(batch[2]!.result).toBe('424242')

    await node.stop()
    node = await cli(args)
    c = clients(node.ready.rpcUrl)
    const afterStop = await snapshot()
    expect(afterStop.block.hash).toBe(before.block.hash)
    expect(afterStop).toMatchObject({ balance: before.balance, registered: true, count: before.count })

    node.process.kill('SIGKILL')
    await new Promise((r) => node.process.once('exit', r))
    node = await cli(args)
    cleanups.push(node.stop)
    c = clients(node.ready.rpcUrl)
    const afterKill = await snapshot()
    expect(afterKill.block.hash).toBe(before.block.hash)
    expect(afterKill).toMatchObject({ balance: before.balance, registered: true })
  })
})

describe('inferchain dev', () => {
  it('prints an inference command that works as printed', async () => {
    const tmp = tempDir('inferchain-dev-')
    cleanups.push(tmp.remove)
    const child = spawn(process.execPath, [CLI, 'dev', '--automine', '--data-dir', tmp.dir, '--rpc-port', '0', '--hub-port', '0', '--inference-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    cleanups.push(() => {
      child.kill('SIGTERM')
      return new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)))
    })
    const printed = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! })
      lines.on('line', (line) => line.trim().startsWith('npx inferchain infer') && resolve(line.trim()))
      child.once('exit', (code) => reject(new Error(`dev exited with ${code}`)))
    })
    // `npx inferchain` is this package's bin: run the same arguments through it.
    const argv = printed.replace(/^npx inferchain /, '').match(/'[^']*'|\S+/g)!.map((a) => a.replace(/^'|'$/g, ''))
    const run = spawn(process.execPath, [CLI, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    run.stdout!.on('data', (d) => (out += d))
    run.stderr!.on('data', (d) => (err += d))
    const code = await new Promise((r) => run.once('exit', r))
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(out).toMatch(/^tx {5}0x[0-9a-f]{64}$/m)
    const values = /^output \[(.*)\]$/m.exec(out)![1]!.split(', ').map(Number)
    expect(values).toHaveLength(4)
    expect(values.every(Number.isFinite)).toBe(true)
  })
})
