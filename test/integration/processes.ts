import { spawn } from 'node:child_process'
/** Starting the compiled `inferchain` CLI as real processes on loopback (after `npm run build`). */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { spawnCli, type ReadyChild } from '../../src/cli/child.js'
import { createPublicClient, createWalletClient, http, type Chain, type PublicClient, type WalletClient } from 'viem'
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import { httpRequest } from '../../src/inference/http.js'
import { inferchainChain } from '../../src/sdk/chain.js'
import { findProjectRoot } from '../../src/contracts/files.js'
import type { DevnetInfo, InferenceNodeReady } from '../../src/devnet.js'
import { tempDir } from '../chain/helpers.js'

export const ROOT = findProjectRoot()
export const CLI = join(ROOT, 'dist/src/cli/index.js')

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`)
}

export function cli<T>(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ReadyChild<T>> {
  assertBuilt()
  return spawnCli<T>(args, { entry: CLI, env, timeoutMs: 120_000 })
}

export interface RunningDevnet {
  info: DevnetInfo
  dataDir: string
  stop(): Promise<void>
}

/** `inferchain dev --json` on free ports with automine, in a temp data dir. */
export async function startDevnet(extra: string[] = []): Promise<RunningDevnet> {
  const tmp = tempDir('inferchain-devnet-')
  const child = await cli<DevnetInfo>([
    'dev', '--json', '--automine', '--data-dir', tmp.dir,
    '--rpc-port', '0', '--hub-port', '0', '--inference-port', '0', '--p2p-port', '0', '--inference-timeout', '3000', ...extra,
  ])
  return {
    info: child.ready,
    dataDir: tmp.dir,
    stop: async () => {
      await child.stop()
      tmp.remove()
    },
  }
}

export function startInferenceNode(options: { rpcUrl: string; hubUrl: string; privateKey: `0x${string}`; models: string[]; cacheDir: string; extra?: string[] }) {
  const args = ['inference-node', '--json', '--rpc-url', options.rpcUrl, '--hub-url', options.hubUrl, '--port', '0', '--cache-dir', options.cacheDir, ...(options.extra ?? [])]
  for (const m of options.models) args.push('--model', m)
  return cli<InferenceNodeReady>(args, { INFERCHAIN_PRIVATE_KEY: options.privateKey })
}

/** Runs `inferchain <args>` to its end (a command, not a service) and collects its output. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  assertBuilt()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

/** One JSON-RPC call; a JSON-RPC error becomes a thrown Error with its message. */
export async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await httpRequest(url, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  const body = JSON.parse(res.text) as { result: T; error?: { message: string } }
  if (body.error) throw new Error(body.error.message)
  return body.result
}

/** Polls `condition` every 50 ms until it holds, failing after `timeoutMs`. */
export async function until(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const started = Date.now()
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** viem clients on a devnet, signing as its dev account #`index` (50 ms polling: tests wait on receipts). */
export function devnetClients(info: DevnetInfo, index: number): { chain: Chain; account: PrivateKeyAccount; publicClient: PublicClient; walletClient: WalletClient } {
  const chain = inferchainChain(info.rpcUrl, info.chainId)
  const account = privateKeyToAccount(info.accounts[index]!.privateKey)
  const publicClient = createPublicClient({ chain, transport: http(info.rpcUrl), pollingInterval: 50 }) as PublicClient
  const walletClient = createWalletClient({ chain, transport: http(info.rpcUrl), account })
  return { chain, account, publicClient, walletClient }
}
