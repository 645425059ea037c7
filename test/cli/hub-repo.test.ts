/** `inferchain hub create-repo | create-version | upload | list-files` against a devnet, as a user runs them. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { computeCid } from '../../src/hub/cid.js'
import { buildDemoModel } from '../../src/models/index.js'
import { tempDir } from '../chain/helpers.js'
import { runCli, startDevnet, type RunningDevnet } from '../integration/processes.js'

/** The CLI without a key in the environment: these tests choose the key per command. */
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { INFERCHAIN_PRIVATE_KEY: '', ...env })

const tmp = tempDir('inferchain-cli-hub-')
let devnet: RunningDevnet
let at: string[]
beforeAll(async () => {
  devnet = await startDevnet()
  at = ['--hub-url', devnet.info.hubUrl, '--rpc-url', devnet.info.rpcUrl]
}, 180_000)
afterAll(async () => {
  await devnet?.stop()
  tmp.remove()
})

describe('inferchain hub (repositories)', () => {
  it.each([
    [['hub', '--help'], ['create-repo', 'create-version', 'upload', 'list-files', '--rpc-url']],
    [['hub', 'create-repo', '--help'], ['--description', '--task', '--license', '--tag', '--private', '--private-key', '--json']],
    [['hub', 'create-version', '--help'], ['--version', '--private-key', '--json']],
    [['hub', 'upload', '--help'], ['--repo', '--version', '--name', '--private-key', '--json']],
    [['hub', 'list-files', '--help'], ['--version', '--hub-url', '--json']],
  ])('%j documents its options', async (args, words) => {
    const { code, stdout } = await run(args)
    expect(code).toBe(0)
    for (const word of words) expect(stdout).toContain(word)
  })

  it('create-repo → create-version → upload → list-files, signing as dev account #0 by default', async () => {
    const created = await run(['hub', 'create-repo', 'cli-demo', '--description', 'demo MLP', '--task', 'tabular-regression', '--license', 'apache-2.0', '--tag', 'demo', 'mlp', '--json', ...at])
    expect(created.code, created.stderr).toBe(0)
    const { repository, transaction } = JSON.parse(created.stdout) as { repository: { owner: string; tags: string[]; versions: { version: string }[] }; transaction: string }
    expect(repository).toMatchObject({ owner: devnet.info.accounts[0]!.address, tags: ['demo', 'mlp'], versions: [{ version: '1.00' }] })
    expect(transaction).toMatch(/^0x[0-9a-f]{64}$/)

    const version = await run(['hub', 'create-version', 'cli-demo', '--version', '1.10', ...at])
    expect([version.code, version.stdout]).toEqual([0, 'cli-demo 1.10\n'])

    const file = join(tmp.dir, 'demo.onnx')
    writeFileSync(file, buildDemoModel())
    const upload = await run(['hub', 'upload', file, '--repo', 'cli-demo', '--version', '1.10', ...at])
    expect(upload.code, upload.stderr).toBe(0)
    // The progress bar draws on a terminal only (cli-progress); piped, stdout is the result alone.
    expect(upload.stdout).toBe(`${computeCid(buildDemoModel())}  cli-demo 1.10 demo.onnx (${buildDemoModel().length} bytes)\n`)

    const list = await run(['hub', 'list-files', 'cli-demo', '--json', ...at])
    expect(list.code, list.stderr).toBe(0)
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'demo.onnx', cid: computeCid(buildDemoModel()), size: buildDemoModel().length })])
    const text = await run(['hub', 'list-files', 'cli-demo', '--version', '1.00', ...at])
    expect(text.stdout).toBe('(no files)\n')
  })

  it('refuses another key with the hub\'s typed error and exit code 1', async () => {
    const other = { INFERCHAIN_PRIVATE_KEY: devnet.info.accounts[1]!.privateKey }
    const version = await run(['hub', 'create-version', 'cli-demo', ...at], other)
    expect(version.code).toBe(1)
    expect(version.stderr).toMatch(/^error \[NOT_REPOSITORY_OWNER\]: 0x[0-9a-fA-F]{40} does not own cli-demo/)
    const claim = await run(['hub', 'create-repo', 'cli-demo', ...at], other)
    expect([claim.code, claim.stderr]).toEqual([1, expect.stringContaining('[NOT_REPOSITORY_OWNER]')])
  })
})
