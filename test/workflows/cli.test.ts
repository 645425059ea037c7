/** `inferchain workflow`: help for each subcommand and clear refusals of bad arguments (built CLI). */
import { execFile } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { assertBuilt, CLI } from '../integration/processes.js'

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  assertBuilt()
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

describe('inferchain workflow', () => {
  it.each([
    [['--help'], ['workflow']],
    [['workflow', '--help'], ['register', 'list', 'results']],
    [['workflow', 'register', '--help'], ['<executor>', '--frequency', '--end', '--duration', '--deposit', '--rpc-url', '--private-key', '--json']],
    [['workflow', 'list', '--help'], ['--active', '--rpc-url', '--json']],
    [['workflow', 'results', '--help'], ['<executor>', '--count', '--json']],
  ])('%j documents its options', async (args, expected) => {
    const { code, stdout } = await run(args)
    expect(code).toBe(0)
    for (const word of expected) expect(stdout).toContain(word)
  })

  it('refuses a bad address, a missing schedule, a bad amount, and a node that is not there', async () => {
    const executor = '0x' + '11'.repeat(20)
    expect((await run(['workflow', 'register', '0x1234', '--frequency', '5', '--duration', '60'])).stderr).toMatch(/an address is 0x followed by 40 hex digits/)
    expect((await run(['workflow', 'register', executor, '--frequency', '5'])).stderr).toMatch(/exactly one of --end and --duration/)
    expect((await run(['workflow', 'register', executor, '--frequency', '0', '--duration', '60'])).stderr).toMatch(/positive whole number/)
    expect((await run(['workflow', 'register', executor, '--frequency', '5', '--duration', '60', '--deposit', 'lots'])).stderr).toMatch(/an amount of ETH/)
    const offline = await run(['workflow', 'list', '--rpc-url', 'http://127.0.0.1:9'])
    expect(offline.code).not.toBe(0)
    expect(offline.stderr).toMatch(/^error/)
  })
})
