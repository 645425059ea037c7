/** `inferchain status` and `inferchain record` against a running devnet (happy and error paths). */
import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../src/sdk/chain.js'
import { runModel } from '../../src/sdk/inference.js'
import { modelInput } from '../../src/sdk/tensors.js'
import { ModelInferenceMode } from '../../src/evm/types.js'
import { CLI, startDevnet, type RunningDevnet } from '../integration/processes.js'

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args])
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

let devnet: RunningDevnet
beforeAll(async () => {
  devnet = await startDevnet()
})
afterAll(async () => {
  await devnet?.stop()
})

describe('inferchain status / record', () => {
  it('status shows the node, its models and inference nodes, as text and JSON', async () => {
    const text = await run(['status', '--rpc-url', devnet.info.rpcUrl])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^producer · chain 424242 · head \d+ 0x[0-9a-f]{64}/)
    expect(text.stdout).toContain(devnet.info.demoModel.cid)
    const json = JSON.parse((await run(['status', '--rpc-url', devnet.info.rpcUrl, '--json'])).stdout) as { role: string; models: Array<{ cid: string }>; inferenceNodes: Array<{ endpoint: string; active: boolean }> }
    expect(json.role).toBe('producer')
    expect(json.models.map((m) => m.cid)).toEqual([devnet.info.demoModel.cid])
    expect(json.inferenceNodes).toEqual([expect.objectContaining({ endpoint: devnet.info.inferenceNodes[0], active: true })])
  })

  it('record shows who computed an inference and verifies its evidence itself; an unknown id exits 2', async () => {
    const { publicClient, walletClient } = await connect({ rpcUrl: devnet.info.rpcUrl, privateKey: devnet.info.accounts[3]!.privateKey })
    const { requestId } = await runModel({ publicClient, walletClient: walletClient! }, { modelCid: devnet.info.demoModel.cid, input: modelInput({ input: { values: new Array(16).fill(0.25), shape: [1, 16] } }) })
    const text = await run(['record', requestId, '--rpc-url', devnet.info.rpcUrl])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/verified\s+verified \(checked by this CLI/)
    const json = JSON.parse((await run(['record', requestId, '--rpc-url', devnet.info.rpcUrl, '--json'])).stdout) as { requestId: string; checkedHere: { status: string } }
    expect(json).toMatchObject({ requestId, checkedHere: { status: 'verified' } })
    // A TEE-mode record: the CLI checks the attestation (certificate chain to the dev root the devnet pins).
    const tee = await runModel({ publicClient, walletClient: walletClient! }, { modelCid: devnet.info.demoModel.cid, mode: ModelInferenceMode.TEE, input: modelInput({ input: { values: new Array(16).fill(0.5), shape: [1, 16] } }) })
    const teeText = await run(['record', tee.requestId, '--rpc-url', devnet.info.rpcUrl])
    expect(teeText.stdout).toMatch(/mode TEE/)
    expect(teeText.stdout).toMatch(/evidence tee-attestation/)
    expect(teeText.stdout).toMatch(/verified\s+verified \(checked by this CLI/)
    const missing = await run(['record', `0x${'11'.repeat(32)}`, '--rpc-url', devnet.info.rpcUrl])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('no inference record')
  })
})
