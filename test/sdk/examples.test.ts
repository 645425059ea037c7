/** Every example in examples/ runs, as a user would run it, against a fresh devnet. */
import { execFile } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, startDevnet, type RunningDevnet } from '../integration/processes.js'

const run = promisify(execFile)
const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.ts'))
let devnet: RunningDevnet

beforeAll(async () => {
  devnet = await startDevnet()
})

afterAll(async () => {
  await devnet?.stop()
})

describe('examples/', () => {
  it('has the examples the README promises', () => {
    expect(examples).toEqual(expect.arrayContaining(['quickstart.ts', 'errors.ts']))
  })

  it.each(examples)('%s runs to completion against a fresh devnet', async (file) => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join('examples', file)], {
      cwd: ROOT,
      env: { ...process.env, INFERCHAIN_RPC_URL: devnet.info.rpcUrl },
      timeout: 90_000,
    })
    if (file === 'quickstart.ts') {
      expect(stdout).toMatch(/verified offline: verified/)
      const [call, tx] = [/eth_call output\s+(.*)/, /transaction output\s+(.*)/].map((re) => stdout.match(re)![1])
      expect(tx).toBe(call) // the same model, the same input: the same output either way
    }
    if (file === 'errors.ts') expect(stdout).toMatch(/UNKNOWN_MODEL[\s\S]*BAD_TENSOR_SHAPE[\s\S]*every failure came back with its code/)
  })

  it('examples/hardhat: Hardhat compiles (offline, with the npm solc), deploys and runs a model-calling contract through its network config', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'node_modules/hardhat/internal/cli/bootstrap.js'), '--config', 'hardhat.config.cjs', 'run', '--network', 'inferchain', 'deploy-and-infer.cjs'], {
      cwd: join(ROOT, 'examples/hardhat'),
      env: { ...process.env, INFERCHAIN_RPC_URL: devnet.info.rpcUrl, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true' },
      timeout: 240_000,
    })
    expect(stdout).toMatch(/RiskScore at 0x[0-9a-fA-F]{40}/)
    expect(stdout).toMatch(/score -?\d+(\.\d+)? in block \d+/)
    expect(stdout).toMatch(/computed by 0x[0-9a-fA-F]{40}, verified/)
  })
})
