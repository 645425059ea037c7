/**
 * ZK mode on chain, in the chain's EVM with the real inference precompile and the ZkInferences
 * system contract: a ZK result is used at once and leaves a pending record stating what its proof
 * must prove; a proof submitted in time verifies through the model's generated verifier contract;
 * an invalid proof, a late proof and a missing proof each fail the record with their reason, and
 * emit ZkProofFailed. The precompile refuses models without a ZK setup and inputs or outputs the
 * circuit cannot take.
 */
import { createBlock } from '@ethereumjs/block'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAddressFromString, hexToBytes } from '@ethereumjs/util'
import { bytesToHex, decodeErrorResult, decodeEventLog, decodeFunctionResult, encodeFunctionData, keccak256, parseAbi, type Address, type Hex } from 'viem'
import { compileContracts, getContract, type CompiledContracts } from '../../src/contracts/compile.js'
import { modelRegistryAbi, zkInferencesAbi } from '../../src/contracts/system.js'
import { encodeRunModelInference, hashModelInput, hashModelOutput } from '../../src/evm/abi.js'
import { createInferencePrecompile } from '../../src/evm/precompile.js'
import { InferenceSession } from '../../src/evm/session.js'
import { ModelInferenceMode, type InferenceProvider, type ModelInferenceRequest, type ModelOutput } from '../../src/evm/types.js'
import { computeRequestId } from '../../src/evm/records.js'
import { computeCid } from '../../src/hub/cid.js'
import { buildDemoModel } from '../../src/models/index.js'
import { BLOCK_GAS_LIMIT, GENESIS_BASE_FEE, INFERENCE_PRECOMPILE_ADDRESS, MODEL_REGISTRY_ADDRESS, ZK_INFERENCES_ADDRESS, ZK_PROOF_DEADLINE_BLOCKS } from '../../src/params.js'
import { signInferenceResult } from '../../src/verify/vanilla.js'
import { prepareZkModel, quantizeModelInput, releaseZkWorkers, type ZkModel } from '../../src/zk/index.js'
import { readZkRecord, zkModelSlot, zkRecordSlots } from '../../src/zk/onchain.js'
import { ALICE, ALICE_KEY, BOB, BOB_KEY, createHarness, deploy, sendTx, write, type Harness } from '../contracts/evm-harness.js'

const CID = computeCid(buildDemoModel())
const UNSET_CID = 'bafkreizkzkzkzkzkzkzkzkzkzkzkzkzkzkzkzkzkzkzkzkzkzkzkzkzkzk'
const errorString = parseAbi(['error Error(string)'])
const BOB_PRIVATE = BOB_KEY

let compiled: CompiledContracts
let zk: ZkModel
let h: Harness
let verifier: Address
/** What the precompile's provider answers next (the inference node's signed result). */
let answer: (request: ModelInferenceRequest) => ModelOutput
let txCounter = 0
let session: InferenceSession | undefined

const provider: InferenceProvider = {
  resolve: (request) => {
    const output = answer(request)
    const fields = { modelCid: request.modelCid, mode: request.mode, inputHash: hashModelInput(request.input), outputHash: hashModelOutput(output) }
    return { kind: 'result', result: { ...fields, output, ...signInferenceResult(BOB_PRIVATE, fields) } }
  },
}

const input = (values: number[]) => ({
  numbers: [{ name: 'input', shape: [1, 16], values: values.map((v) => ({ value: BigInt(Math.round(v * 1000)), decimals: 3n })) }],
  strings: [],
})
const request = (values: number[], modelCid = CID): ModelInferenceRequest => ({ mode: ModelInferenceMode.ZK, modelCid, input: input(values) })
const honest = (req: ModelInferenceRequest) => zk.toModelOutput(zk.infer(quantizeModelInput(zk.model, req.input)).output)

/** Runs one ZK inference in a transaction (to the precompile); returns its request id and outcome. */
async function infer(req: ModelInferenceRequest) {
  const txHash = keccak256(`0x${(++txCounter).toString(16).padStart(8, '0')}`)
  session = new InferenceSession(provider, txHash)
  try {
    const outcome = await sendTx(h, ALICE_KEY, INFERENCE_PRECOMPILE_ADDRESS, encodeRunModelInference(req))
    return { requestId: computeRequestId(txHash, 0), outcome }
  } finally {
    session = undefined
  }
}

function revertString(data: Hex): string {
  return decodeErrorResult({ abi: errorString, data }).args[0] as string
}

function atBlock(number: bigint): void {
  h.block = createBlock({ header: { number, gasLimit: BLOCK_GAS_LIMIT, baseFeePerGas: GENESIS_BASE_FEE, timestamp: number } }, { common: h.common })
}

async function proofWords(values: number[]): Promise<readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint]> {
  const { envelope } = await zk.prove(quantizeModelInput(zk.model, input(values)))
  return Array.from({ length: 8 }, (_, i) => BigInt(`0x${Buffer.from(envelope.proof.subarray(i * 32, i * 32 + 32)).toString('hex')}`)) as never
}

async function submit(key: Hex, requestId: Hex, words: readonly bigint[]) {
  return sendTx(h, key, ZK_INFERENCES_ADDRESS, encodeFunctionData({ abi: zkInferencesAbi, functionName: 'submitProof', args: [requestId, words as never] }))
}

function zkEvents(logs: { address: Address; topics: Hex[]; data: Hex }[]) {
  return logs
    .filter((l) => l.address.toLowerCase() === ZK_INFERENCES_ADDRESS.toLowerCase())
    .map((l) => decodeEventLog({ abi: zkInferencesAbi, topics: l.topics as [Hex], data: l.data }) as unknown as { eventName: string; args: Record<string, unknown> })
}

/** `statusOf` as of the harness's current block (the harness's `read` runs on block 0). */
async function statusOf(requestId: Hex) {
  const data = encodeFunctionData({ abi: zkInferencesAbi, functionName: 'statusOf', args: [requestId] })
  await h.vm.stateManager.checkpoint()
  try {
    const result = await h.vm.evm.runCall({ to: createAddressFromString(ZK_INFERENCES_ADDRESS), data: hexToBytes(data), gasLimit: 1_000_000n, block: h.block })
    return decodeFunctionResult({ abi: zkInferencesAbi, functionName: 'statusOf', data: bytesToHex(result.execResult.returnValue) })
  } finally {
    await h.vm.stateManager.revert()
  }
}

beforeAll(async () => {
  ;[compiled, zk] = await Promise.all([compileContracts(), prepareZkModel(buildDemoModel())])
  h = await createHarness(compiled, [createInferencePrecompile({ get activeSession() { return session } })])
  answer = honest
  const modes = (1 << ModelInferenceMode.VANILLA) | (1 << ModelInferenceMode.ZK)
  for (const cid of [CID, UNSET_CID]) await write(h, ALICE_KEY, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'registerModel', [cid, 'demo', modes, 1000n, '[]', '[]'])
  const contract = await zk.solidityVerifier()
  verifier = await deploy(h, contract.bytecode)
  const d = zk.descriptor()
  await write(h, ALICE_KEY, ZK_INFERENCES_ADDRESS, zkInferencesAbi, 'registerModel', [CID, verifier, d.modelCommitment as Hex, d.fractionBits, d.inputBits, d.outputBits, `0x${d.verificationKeySha256}`])
}, 600_000)

afterAll(releaseZkWorkers)

const X1 = Array.from({ length: 16 }, (_, i) => (i - 8) / 5)
const X2 = Array.from({ length: 16 }, (_, i) => Math.cos(i))

describe('ZkInferences registration', () => {
  it('keeps models and records at the slots the precompile reads and writes', () => {
    const layout = getContract(compiled, 'ZkInferences').storageLayout
    expect(layout.storage.map((s) => [s.label, s.slot])).toEqual([['models', '0'], ['records', '1']])
    const members = (label: string) => Object.values(layout.types ?? {}).find((t) => t.label === label)!.members!.map((m) => [m.label, m.slot, m.offset])
    expect(members('struct ZkInferences.ZkModel').slice(0, 4)).toEqual([['verifier', '0', 0], ['fractionBits', '0', 20], ['inputBits', '0', 21], ['outputBits', '0', 22]])
    expect(members('struct ZkInferences.ZkRecord')).toEqual([
      ['modelKey', '0', 0], ['inputHash', '1', 0], ['outputHash', '2', 0], ['node', '3', 0], ['dueBlock', '3', 20], ['status', '3', 28], ['failure', '3', 29],
    ])
    expect(zkModelSlot(CID)).toHaveLength(32)
    expect(zkRecordSlots(`0x${'11'.repeat(32)}`)).toHaveLength(4)
  })

  it("takes a model's setup from its owner only, and once", async () => {
    const d = zk.descriptor()
    const args = [UNSET_CID, verifier, d.modelCommitment as Hex, d.fractionBits, d.inputBits, d.outputBits, `0x${d.verificationKeySha256}`] as const
    await expect(write(h, BOB_KEY, ZK_INFERENCES_ADDRESS, zkInferencesAbi, 'registerModel', args)).rejects.toThrow(/NotModelOwner/)
    await expect(write(h, ALICE_KEY, ZK_INFERENCES_ADDRESS, zkInferencesAbi, 'registerModel', [CID, ...args.slice(1)] as never)).rejects.toThrow(/ZkModelAlreadyRegistered/)
    await expect(write(h, ALICE_KEY, ZK_INFERENCES_ADDRESS, zkInferencesAbi, 'registerModel', [UNSET_CID, ALICE, ...args.slice(2)] as never)).rejects.toThrow(/InvalidZkModel/)
  })
})

describe('a ZK inference', () => {
  it('is used at once and leaves a pending record of exactly what its proof must state', async () => {
    atBlock(1n)
    const req = request(X1)
    const { requestId, outcome } = await infer(req)
    expect(outcome.status).toBe('success')
    const record = await readZkRecord(h.vm.stateManager, requestId)
    const q = quantizeModelInput(zk.model, req.input)
    const expected = zk.expectedStatement(q, zk.infer(q).output)
    expect(record).toMatchObject({ inputHash: expected.inputHash, outputHash: expected.outputHash, node: BOB, dueBlock: 1n + ZK_PROOF_DEADLINE_BLOCKS, status: 1, failure: 0 })
    expect(await statusOf(requestId)).toEqual([1, 0, 1n + ZK_PROOF_DEADLINE_BLOCKS, BOB])
  })

  it('is verified by a proof submitted in time, through the generated verifier contract', async () => {
    atBlock(1n)
    const { requestId } = await infer(request(X1))
    atBlock(1n + ZK_PROOF_DEADLINE_BLOCKS) // the last block it is due in
    const outcome = await submit(ALICE_KEY, requestId, await proofWords(X1)) // anyone may bring a valid proof
    expect(outcome.status).toBe('success')
    expect(zkEvents(outcome.logs)).toEqual([{ eventName: 'ZkProofVerified', args: { requestId, node: BOB, submitter: ALICE } }])
    expect((await statusOf(requestId))[0]).toBe(2)
    // A record is proven once.
    const again = await submit(BOB_KEY, requestId, await proofWords(X1))
    expect(again.status).toBe('reverted')
  })

  it('fails with InvalidProof when its node submits a proof that does not verify; others cannot fail it', async () => {
    atBlock(1n)
    const { requestId } = await infer(request(X1))
    const wrong = await proofWords(X2) // a valid proof, of another input
    const byStranger = await submit(ALICE_KEY, requestId, wrong)
    expect(byStranger.status).toBe('reverted')
    expect(decodeErrorResult({ abi: zkInferencesAbi, data: byStranger.returnData }).errorName).toBe('InvalidProof')
    const byNode = await submit(BOB_KEY, requestId, wrong)
    expect(byNode.status).toBe('success')
    expect(zkEvents(byNode.logs)).toEqual([{ eventName: 'ZkProofFailed', args: { requestId, node: BOB, reason: 1 } }])
    expect((await statusOf(requestId)).slice(0, 2)).toEqual([3, 1])
  })

  it('fails as Late when the proof arrives after its due block, even a valid one', async () => {
    atBlock(1n)
    const { requestId } = await infer(request(X1))
    atBlock(2n + ZK_PROOF_DEADLINE_BLOCKS)
    const late = await submit(BOB_KEY, requestId, await proofWords(X1))
    expect(late.status).toBe('success')
    expect(zkEvents(late.logs)).toEqual([{ eventName: 'ZkProofFailed', args: { requestId, node: BOB, reason: 2 } }])
    expect((await statusOf(requestId)).slice(0, 2)).toEqual([3, 2])
  })

  it('fails as Missing when no proof came by its due block (read at once, recorded by expire)', async () => {
    atBlock(1n)
    const { requestId } = await infer(request(X2))
    const early = await sendTx(h, ALICE_KEY, ZK_INFERENCES_ADDRESS, encodeFunctionData({ abi: zkInferencesAbi, functionName: 'expire', args: [requestId] }))
    expect(decodeErrorResult({ abi: zkInferencesAbi, data: early.returnData }).errorName).toBe('NotDue')
    atBlock(2n + ZK_PROOF_DEADLINE_BLOCKS)
    expect((await statusOf(requestId)).slice(0, 2)).toEqual([3, 3]) // failed as soon as overdue
    expect((await readZkRecord(h.vm.stateManager, requestId)).status).toBe(1) // while storage still says pending
    const expired = await sendTx(h, ALICE_KEY, ZK_INFERENCES_ADDRESS, encodeFunctionData({ abi: zkInferencesAbi, functionName: 'expire', args: [requestId] }))
    expect(zkEvents(expired.logs)).toEqual([{ eventName: 'ZkProofFailed', args: { requestId, node: BOB, reason: 3 } }])
    expect((await readZkRecord(h.vm.stateManager, requestId)).status).toBe(3)
  })

  it('is refused by the precompile without a ZK setup, with inputs out of range, or a non-ZK output', async () => {
    atBlock(1n)
    const unset = await infer(request(X1, UNSET_CID))
    expect(revertString(unset.outcome.returnData)).toMatch(/^inference: ZK_NOT_REGISTERED: /)
    const tooLarge = await infer(request(X1.map((v, i) => (i === 0 ? 1000 : v))))
    expect(revertString(tooLarge.outcome.returnData)).toMatch(/^inference: BAD_TENSOR_VALUE: input value 0 is outside the model's ZK input range \[-128, 128\)/)
    answer = () => ({ numbers: [{ name: 'output', shape: [1, 4], values: [1n, 2n, 3n, 4n].map((value) => ({ value, decimals: 8n })) }], strings: [], jsons: [], isSimulationResult: false })
    try {
      const notZk = await infer(request(X1))
      expect(revertString(notZk.outcome.returnData)).toMatch(/^inference: ZK_BAD_OUTPUT: /)
      expect((await readZkRecord(h.vm.stateManager, notZk.requestId)).status).toBe(0) // nothing was written
    } finally {
      answer = honest
    }
  })
})
