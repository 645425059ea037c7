/** The `inferchain` command: help for every command, a happy path and an error path per command. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDemoModel } from '../../src/models/index.js'
import { tempDir } from '../chain/helpers.js'
import { cli, runCli } from '../integration/processes.js'

const run = runCli

const tmp = tempDir('inferchain-cli-')
let hub: Awaited<ReturnType<typeof cli<{ hubUrl: string }>>>
beforeAll(async () => {
  hub = await cli<{ hubUrl: string }>(['hub', '--json', '--port', '0', '--data-dir', join(tmp.dir, 'hub')])
})
afterAll(async () => {
  await hub?.stop()
  tmp.remove()
})

describe('inferchain --help', () => {
  it.each([
    [['--help'], ['dev', 'node', 'inference-node', 'hub', 'model', 'infer', 'status', 'record']],
    [['status', '--help'], ['--rpc-url', '--json']],
    [['record', '--help'], ['<requestId>', '--rpc-url', '--json']],
    [['dev', '--help'], ['--data-dir', '--rpc-port', '--hub-port', '--inference-port', '--automine', '--json', '--inference-nodes']],
    [['node', '--help'], ['--data-dir', '--rpc-port', '--block-time', '--peer <multiaddr>', '--p2p-port']],
    [['inference-node', '--help'], ['--hub-url', '--rpc-url', '--private-key', '--model']],
    [['hub', '--help'], ['--data-dir', '--port']],
    [['model', 'upload', '--help'], ['--hub-url', '--name', '--no-register']],
    [['model', 'info', '--help'], ['--hub-url', '--json']],
    [['infer', '--help'], ['--input', '--consumer', '--decimals']],
  ])('%j documents its options', async (args, words) => {
    const { code, stdout } = await run(args)
    expect(code).toBe(0)
    for (const word of words) expect(stdout).toContain(word)
  })
})

describe('commands', () => {
  it('model upload (no chain) then model info, as text and JSON', async () => {
    const file = join(tmp.dir, 'demo.onnx')
    writeFileSync(file, buildDemoModel())
    const upload = await run(['model', 'upload', file, '--hub-url', hub.ready.hubUrl, '--no-register', '--json', '--name', 'demo'])
    expect(upload.code).toBe(0)
    const { cid } = JSON.parse(upload.stdout) as { cid: string }
    expect(cid).toMatch(/^bafkrei/)
    const info = await run(['model', 'info', cid, '--hub-url', hub.ready.hubUrl])
    expect(info.code).toBe(0)
    expect(info.stdout).toContain('operators   Gemm, Relu')
    expect(info.stdout).toContain('input: float32[1, 16]')
  })

  it('model upload refuses a file that is not ONNX, with the hub’s code', async () => {
    const file = join(tmp.dir, 'junk.onnx')
    writeFileSync(file, 'not a model')
    const { code, stderr } = await run(['model', 'upload', file, '--hub-url', hub.ready.hubUrl, '--no-register'])
    expect(code).toBe(1)
    expect(stderr).toMatch(/error \[INVALID_MODEL\]/)
  })

  it('model info against an unreachable hub says so', async () => {
    const { code, stderr } = await run(['model', 'info', 'bafkreiceqr2feczlcugpeshtc3fpysvhwplq43r2audqkbsxqgdwjcyyje', '--hub-url', 'http://127.0.0.1:9'])
    expect(code).toBe(1)
    expect(stderr).toContain('[HUB_UNAVAILABLE]')
  })

  it('infer refuses a malformed input before touching the chain', async () => {
    const { code, stderr } = await run(['infer', 'bafk', '--input', '[1, "x"]', '--consumer', '0x0000000000000000000000000000000000000001'])
    expect(code).toBe(1)
    expect(stderr).toContain('--input must be a non-empty JSON array of finite numbers')
  })

  it('infer against a node that is not there fails with a clear message', async () => {
    const { code, stderr } = await run(['infer', 'bafk', '--input', '[1]', '--consumer', '0x0000000000000000000000000000000000000001', '--rpc-url', 'http://127.0.0.1:9'])
    expect(code).toBe(1)
    expect(stderr).toMatch(/^error/)
  })

  it('record refuses a malformed request id; status against a node that is not there fails clearly', async () => {
    const bad = await run(['record', '0x12'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('a request id is 0x followed by 64 hex digits')
    const away = await run(['status', '--rpc-url', 'http://127.0.0.1:9'])
    expect(away.code).toBe(1)
    expect(away.stderr).toMatch(/^error/)
  })

  it('node and hub reject bad ports; inference-node requires a key', async () => {
    expect((await run(['node', '--rpc-port', 'abc'])).stderr).toContain('a port is a whole number')
    expect((await run(['hub', '--port', '70000'])).stderr).toContain('a port is a whole number')
    const noKey = await run(['inference-node', '--no-register'], { INFERCHAIN_PRIVATE_KEY: '' })
    expect(noKey.code).toBe(1)
    expect(noKey.stderr).toContain('give --private-key or set INFERCHAIN_PRIVATE_KEY')
  })
})
