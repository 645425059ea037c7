/** `inferchain status` and `inferchain record` against a running devnet (happy and error paths). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../src/sdk/chain.js'
import { runModel } from '../../src/sdk/inference.js'
import { modelInput } from '../../src/sdk/tensors.js'
import { ModelInferenceMode } from '../../src/evm/types.js'
import { runCli, startDevnet, type RunningDevnet } from '../integration/processes.js'

const run = runCli

let devnet: RunningDevnet
beforeAll(async () => {
  devnet = await startDevnet()
})
afterAll(async () => {
  await devnet?.stop()
})

describe('inferchain status / record', () => {
  it('status shows the node, open verifications, its models and inference nodes with their stakes, as text and JSON', async () => {
    // An OPTIMISTIC result: its claim stays open for the devnet's challenge window (10 blocks).
    const { publicClient, walletClient } = await connect({ rpcUrl: devnet.info.rpcUrl, privateKey: devnet.info.accounts[3]!.privateKey })
    const optimistic = await runModel(
      { publicClient, walletClient: walletClient! },
      { modelCid: devnet.info.demoModel.cid, mode: ModelInferenceMode.OPTIMISTIC, input: modelInput({ input: { values: new Array(16).fill(0.1), shape: [1, 16] } }) },
    )
    const text = await run(['status', '--rpc-url', devnet.info.rpcUrl])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^producer · chain 424242 · head \d+ 0x[0-9a-f]{64}/)
    expect(text.stdout).toContain(devnet.info.demoModel.cid)
    expect(text.stdout).toMatch(/ZK proofs\s+0 pending/)
    expect(text.stdout).toMatch(/claims\s+1 OPTIMISTIC claim\(s\) open, 1 challengeable \(window 10 blocks\)/)
    expect(text.stdout).toMatch(new RegExp(`${optimistic.requestId}\\s+block \\d+\\s+node 0x[0-9a-fA-F]{40}\\s+challengeable until block \\d+`))
    expect(text.stdout).toMatch(/stake 1 ETH bonded, 1 open claim\(s\)/)
    const json = JSON.parse((await run(['status', '--rpc-url', devnet.info.rpcUrl, '--json'])).stdout) as {
      role: string
      models: Array<{ cid: string }>
      inferenceNodes: Array<{ endpoint: string; active: boolean; stake: { bonded: string; openClaims: string } }>
      pendingProofs: unknown[]
      openClaims: number
      challengeable: Array<{ requestId: string; status: string }>
    }
    expect(json.role).toBe('producer')
    // The demo model (the devnet registers its LLM beside it).
    expect(json.models.map((m) => m.cid)).toContain(devnet.info.demoModel.cid)
    expect(json.inferenceNodes).toEqual([expect.objectContaining({ endpoint: devnet.info.inferenceNodes[0], active: true, stake: expect.objectContaining({ bonded: '1000000000000000000', openClaims: '1' }) })])
    expect(json.pendingProofs).toEqual([])
    expect(json.openClaims).toBe(1)
    expect(json.challengeable).toEqual([expect.objectContaining({ requestId: optimistic.requestId, status: 'challengeable' })])
    // The record names its claim.
    const record = await run(['record', optimistic.requestId, '--rpc-url', devnet.info.rpcUrl])
    expect(record.stdout).toMatch(/mode OPTIMISTIC/)
    expect(record.stdout).toMatch(/claim\s+challengeable until block \d+ · open in InferenceSettlement/)
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
