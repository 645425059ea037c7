/**
 * `inferchain stake deposit|unbond|withdraw|show`, `inferchain challenge` and `inferchain finalize`
 * against a running devnet (2-block challenge window, no challenger: this test is the only one to
 * finalize or challenge), happy paths and typed errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../src/sdk/chain.js'
import { runModel } from '../../src/sdk/inference.js'
import { modelInput } from '../../src/sdk/tensors.js'
import { ModelInferenceMode } from '../../src/evm/types.js'
import { runCli, startDevnet, type RunningDevnet } from '../integration/processes.js'

const run = runCli

let devnet: RunningDevnet
const rpc = () => ['--rpc-url', devnet.info.rpcUrl]
const key = (i: number) => ['--private-key', devnet.info.accounts[i]!.privateKey]

beforeAll(async () => {
  devnet = await startDevnet(['--challenge-window', '2'])
}, 180_000)
afterAll(async () => {
  await devnet?.stop()
})

async function infer(mode: ModelInferenceMode, seed: number) {
  const { publicClient, walletClient } = await connect({ rpcUrl: devnet.info.rpcUrl, privateKey: devnet.info.accounts[3]!.privateKey })
  return runModel({ publicClient, walletClient: walletClient! }, { modelCid: devnet.info.demoModel.cid, mode, input: modelInput({ input: { values: new Array(16).fill(seed), shape: [1, 16] } }) })
}

describe('inferchain stake', () => {
  it('deposits, shows, unbonds; withdrawing too early or with nothing unbonding fails with a typed code', async () => {
    const deposit = await run(['stake', 'deposit', '1.5', ...rpc(), ...key(9), '--json'])
    expect(deposit.code).toBe(0)
    const after = JSON.parse(deposit.stdout) as { action: string; txHash: string; node: string; stake: { bonded: string; openClaims: string } }
    expect(after).toMatchObject({ action: 'deposit', node: devnet.info.accounts[9]!.address, stake: { bonded: '1500000000000000000', openClaims: '0' } })
    const show = await run(['stake', 'show', devnet.info.accounts[9]!.address, ...rpc()])
    expect(show.code).toBe(0)
    expect(show.stdout).toMatch(/bonded\s+1\.5 ETH/)
    const unbond = await run(['stake', 'unbond', '0.5', ...rpc(), ...key(9)])
    expect(unbond.code).toBe(0)
    expect(unbond.stdout).toMatch(/bonded\s+1 ETH/)
    expect(unbond.stdout).toMatch(/unbonding\s+0\.5 ETH \(withdrawable from block \d+\)/)
    const early = await run(['stake', 'withdraw', ...rpc(), ...key(9), '--json'])
    expect(early.code).toBe(1)
    expect(JSON.parse(early.stdout)).toMatchObject({ error: { code: 'STILL_UNBONDING' } })
    expect(early.stderr).toMatch(/error \[STILL_UNBONDING\]/)
    const nothing = await run(['stake', 'withdraw', ...rpc(), ...key(10)])
    expect(nothing.code).toBe(1)
    expect(nothing.stderr).toMatch(/error \[NOTHING_UNBONDING\]/)
    const tooMuch = await run(['stake', 'unbond', '5', ...rpc(), ...key(9)])
    expect(tooMuch.stderr).toMatch(/error \[INSUFFICIENT_STAKE\]/)
    const bad = await run(['stake', 'deposit', 'lots', ...rpc()])
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toContain('an amount is in ETH')
  }, 60_000)

  it('has --help for every verb', async () => {
    for (const verb of [['stake', 'deposit'], ['stake', 'unbond'], ['stake', 'withdraw'], ['stake', 'show'], ['challenge'], ['finalize']]) {
      const help = await run([...verb, '--help'])
      expect(help.code).toBe(0)
      expect(help.stdout).toContain('--json')
    }
  })
})

describe('inferchain challenge / finalize', () => {
  it('finalize refuses inside the window (WINDOW_OPEN), then pays the node after it', async () => {
    const opt = await infer(ModelInferenceMode.OPTIMISTIC, 0.1)
    const early = await run(['finalize', opt.requestId, ...rpc(), ...key(4), '--json'])
    expect(early.code).toBe(1)
    expect(JSON.parse(early.stdout)).toMatchObject({ error: { code: 'WINDOW_OPEN' } })
    // The record says where its claim stands.
    const record = await run(['record', opt.requestId, ...rpc()])
    expect(record.stdout).toMatch(/claim\s+challengeable until block \d+ · open in InferenceSettlement/)
    // Two blocks later the window has passed.
    for (let i = 0; i < 2; i++) await infer(ModelInferenceMode.VANILLA, 0.2 + i / 10)
    const done = await run(['finalize', opt.requestId, ...rpc(), ...key(4), '--json'])
    expect(done.code).toBe(0)
    expect(JSON.parse(done.stdout)).toMatchObject({ requestId: opt.requestId, claim: { status: 'finalized' } })
    const again = await run(['finalize', opt.requestId, ...rpc(), ...key(4)])
    expect(again.stderr).toMatch(/error \[NOT_OPEN\]/)
  }, 60_000)

  it('challenge resubmits the request from the transaction: an honest result is upheld; a VANILLA record cannot be challenged', async () => {
    const opt = await infer(ModelInferenceMode.OPTIMISTIC, 0.3)
    const text = await run(['challenge', opt.requestId, ...rpc(), ...key(5)])
    expect(text.stderr).toBe('')
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(`challenged ${opt.requestId}`)
    expect(text.stdout).toContain('upheld')
    const record = JSON.parse((await run(['record', opt.requestId, ...rpc(), '--json'])).stdout) as { verification: { status: string }; claim: { status: string } }
    expect(record).toMatchObject({ verification: { status: 'upheld' }, claim: { status: 'upheld' } })
    const vanilla = await infer(ModelInferenceMode.VANILLA, 0.4)
    const refused = await run(['challenge', vanilla.requestId, ...rpc(), ...key(5), '--json'])
    expect(refused.code).toBe(1)
    expect(JSON.parse(refused.stdout)).toMatchObject({ error: { code: 'NOT_OPTIMISTIC' } })
    const unknown = await run(['challenge', `0x${'22'.repeat(32)}`, ...rpc(), ...key(5)])
    expect(unknown.stderr).toMatch(/error \[NO_RECORD\]/)
  }, 60_000)
})
