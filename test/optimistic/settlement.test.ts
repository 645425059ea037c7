/**
 * InferenceSettlement on a bare VM: stakes, the claim the inference precompile opens (written with
 * the precompile's own `openClaim`, so the storage layout is exercised as it is used), finalization,
 * disputes settled by the re-execution precompile, slashing, unbonding.
 */
import { createAddressFromString, createAccount } from '@ethereumjs/util'
import { createBlock } from '@ethereumjs/block'
import { bytesToHex, decodeErrorResult, decodeEventLog, encodeFunctionData, parseAbi, getAddress, hexToBytes, keccak256, stringToHex, type Address, type Hex } from 'viem'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { compileContracts, getContract, type CompiledContracts } from '../../src/contracts/compile.js'
import { inferenceSettlementAbi, modelRegistryAbi, settlementParamsStorage, zkInferencesAbi, ClaimStatus } from '../../src/contracts/system.js'
import { hashModelInput, hashModelOutput, reexecutionAbi } from '../../src/evm/abi.js'
import { InferenceSession } from '../../src/evm/session.js'
import type { ModelInput, ModelOutput } from '../../src/evm/types.js'
import { computeCid } from '../../src/hub/cid.js'
import { buildDemoModel } from '../../src/models/index.js'
import { loadCanonicalModel, runCanonical } from '../../src/optimistic/canonical.js'
import { CanonicalModelStore } from '../../src/optimistic/model-store.js'
import { claimSlots, openClaim, readClaim, readStake, stakeSlots } from '../../src/optimistic/onchain.js'
import { createReexecutionPrecompile } from '../../src/optimistic/reexecution-precompile.js'
import { BLOCK_GAS_LIMIT, DEFAULT_SETTLEMENT_PARAMS, GENESIS_BASE_FEE, INFERENCE_SETTLEMENT_ADDRESS as SETTLEMENT, MODEL_REGISTRY_ADDRESS, REEXECUTION_PRECOMPILE_ADDRESS, ZK_INFERENCES_ADDRESS } from '../../src/params.js'
import { prepareZkModel, quantizeModelInput, releaseZkWorkers, type ZkModel } from '../../src/zk/index.js'
import { ALICE, ALICE_KEY, BOB, BOB_KEY, createHarness, read, revertError, sendTx, write, type Harness } from '../contracts/evm-harness.js'

const ETH = 10n ** 18n
const P = { ...DEFAULT_SETTLEMENT_PARAMS, challengeWindow: 5n, unbondingDelay: 3n }
const BURN: Address = '0x000000000000000000000000000000000000dEaD'
const PAYER: Address = getAddress('0x00000000000000000000000000000000000fee00')
const FEE = 10n ** 15n
const MODEL = buildDemoModel()
const CID = computeCid(MODEL)
const canonical = loadCanonicalModel(MODEL)

let compiled: CompiledContracts
let h: Harness
let sessions: { activeSession: InferenceSession | undefined }

beforeAll(async () => {
  compiled = await compileContracts()
}, 180_000)

beforeEach(async () => {
  sessions = { activeSession: undefined }
  const store = new CanonicalModelStore({ get: async (cid) => ({ cid, bytes: MODEL, metadata: undefined as never }) })
  h = await createHarness(compiled, [createReexecutionPrecompile(sessions, store)])
  for (const [slot, value] of settlementParamsStorage(compiled, P)) {
    await h.vm.stateManager.putStorage(createAddressFromString(SETTLEMENT), hexToBytes(slot), hexToBytes(value))
  }
  await write(h, BOB_KEY, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'registerModel', [CID, 'demo', 0b1001, 640n, '[]', '[]'])
  atBlock(1n)
})

function atBlock(number: bigint): void {
  h.block = createBlock({ header: { number, gasLimit: BLOCK_GAS_LIMIT, baseFeePerGas: GENESIS_BASE_FEE, timestamp: number } }, { common: h.common })
}

function input(values: number[]): ModelInput {
  return { numbers: [{ name: canonical.quantized.input.name, shape: [1, 16], values: values.map((v) => ({ value: BigInt(Math.round(v * 10)), decimals: 1n })) }], strings: [] }
}
const INPUT = input(Array.from({ length: 16 }, (_, i) => (i % 5) / 10))

async function balance(address: Address): Promise<bigint> {
  return (await h.vm.stateManager.getAccount(createAddressFromString(address)))?.balance ?? 0n
}

async function call(key: Hex, functionName: string, args: unknown[], value = 0n) {
  const outcome = await sendTx(h, key, SETTLEMENT, encodeFunctionData({ abi: inferenceSettlementAbi, functionName, args } as never), value)
  if (outcome.status !== 'success') throw revertError(inferenceSettlementAbi, outcome.returnData)
  return outcome
}

function events(outcome: Awaited<ReturnType<typeof call>>): string[] {
  return outcome.logs
    .filter((l) => l.address.toLowerCase() === SETTLEMENT.toLowerCase())
    .map((l) => (decodeEventLog({ abi: inferenceSettlementAbi, data: l.data, topics: l.topics as [Hex] }) as { eventName: string }).eventName)
}

/** What the inference precompile does for an OPTIMISTIC result: the claim, the open count, the fee held. */
async function openTestClaim(requestId: Hex, output: ModelOutput, node = ALICE): Promise<void> {
  await openClaim(h.vm.stateManager, requestId, {
    modelCid: CID, inputHash: hashModelInput(INPUT), outputHash: hashModelOutput(output), node, windowEnd: h.block.header.number + P.challengeWindow, payer: PAYER, fee: FEE,
  })
  const settlement = createAddressFromString(SETTLEMENT)
  const account = (await h.vm.stateManager.getAccount(settlement)) ?? createAccount({})
  account.balance += FEE
  await h.vm.stateManager.putAccount(settlement, account)
}

const honest = () => runCanonical(canonical, INPUT)
function lie(): ModelOutput {
  const output = structuredClone(honest())
  output.numbers[0]!.values[0]!.value += 1n
  return output
}
const id = (n: number): Hex => keccak256(stringToHex(`request-${n}`))

describe('InferenceSettlement storage, as the precompile writes it', () => {
  it('puts claims, stakes and the parameters where solc lays them out', () => {
    const layout = getContract(compiled, 'InferenceSettlement').storageLayout
    const slots = Object.fromEntries(layout.storage.map((s) => [s.label, Number(s.slot)]))
    expect(slots).toMatchObject({ claims: 0, _stakes: 1, challengeWindow: 2, minStake: 3 })
    const claim = Object.values(layout.types ?? {}).find((t) => t.label === 'struct InferenceSettlement.Claim')!
    expect(claim.members!.map((m) => [m.label, Number(m.slot), m.offset])).toEqual([
      ['modelKey', 0, 0], ['inputHash', 1, 0], ['outputHash', 2, 0], ['node', 3, 0], ['windowEnd', 3, 20], ['status', 3, 28], ['payer', 4, 0], ['fee', 5, 0],
    ])
    const stake = Object.values(layout.types ?? {}).find((t) => t.label === 'struct InferenceSettlement.Stake')!
    expect(stake.members!.map((m) => [m.label, Number(m.slot), m.offset])).toEqual([['amount', 0, 0], ['unbonding', 1, 0], ['unbondableAt', 2, 0], ['openClaims', 2, 8]])
    expect(claimSlots(id(0))).toHaveLength(6)
    expect(stakeSlots(ALICE)).toHaveLength(3)
  })

  it('reads back through the contract exactly what openClaim wrote, and counts the open claim', async () => {
    await call(ALICE_KEY, 'stake', [], 2n * ETH)
    await openTestClaim(id(1), honest())
    const [modelKey, inputHash, outputHash, node, windowEnd, status, payer, fee] = await read(h, SETTLEMENT, inferenceSettlementAbi, 'claims', [id(1)])
    expect({ modelKey, inputHash, outputHash, node, windowEnd, status, payer, fee }).toEqual({
      modelKey: keccak256(stringToHex(CID)), inputHash: hashModelInput(INPUT), outputHash: hashModelOutput(honest()), node: ALICE, windowEnd: 6n, status: ClaimStatus.Open, payer: PAYER, fee: FEE,
    })
    expect(await readClaim(h.vm.stateManager, id(1))).toMatchObject({ node: ALICE, windowEnd: 6n, status: ClaimStatus.Open, fee: FEE })
    expect(await read(h, SETTLEMENT, inferenceSettlementAbi, 'stakeOf', [ALICE])).toEqual([2n * ETH, 0n, 2n * ETH, 0n, 1n])
    expect(await readStake(h.vm.stateManager, ALICE)).toEqual({ amount: 2n * ETH, unbonding: 0n, unbondableAt: 0n, openClaims: 1n })
  })
})

describe('InferenceSettlement', () => {
  beforeEach(async () => {
    await call(ALICE_KEY, 'stake', [], 2n * ETH)
  })

  it('finalizes an unchallenged claim only after its window and pays the fee to the node', async () => {
    await openTestClaim(id(2), honest())
    atBlock(6n)
    await expect(call(BOB_KEY, 'finalize', [id(2)])).rejects.toThrow(/WindowOpen/)
    atBlock(7n)
    const before = await balance(ALICE)
    expect(events(await call(BOB_KEY, 'finalize', [id(2)]))).toEqual(['ClaimFinalized'])
    expect((await balance(ALICE)) - before).toBe(FEE)
    expect((await readClaim(h.vm.stateManager, id(2))).status).toBe(ClaimStatus.Finalized)
    expect((await readStake(h.vm.stateManager, ALICE)).openClaims).toBe(0n)
    await expect(call(BOB_KEY, 'finalize', [id(2)])).rejects.toThrow(/NotOpen/)
  })

  it('slashes a node whose output the chain re-executes differently: challenger rewarded, rest burned, payer refunded', async () => {
    await openTestClaim(id(3), lie())
    const [bob, burn, payer] = await Promise.all([balance(BOB), balance(BURN), balance(PAYER)])
    atBlock(4n)
    const outcome = await call(BOB_KEY, 'challenge', [id(3), CID, INPUT], P.challengeBond)
    expect(events(outcome)).toEqual(['ClaimChallenged', 'ClaimFraudulent', 'Slashed'])
    const reward = (P.slashAmount * P.challengerShareBps) / 10_000n
    const gasCost = outcome.gasUsed * (GENESIS_BASE_FEE + 1n)
    expect((await balance(BOB)) - bob + gasCost).toBe(reward)
    expect((await balance(BURN)) - burn).toBe(P.slashAmount - reward)
    expect((await balance(PAYER)) - payer).toBe(FEE)
    expect((await readClaim(h.vm.stateManager, id(3))).status).toBe(ClaimStatus.Fraudulent)
    expect(await readStake(h.vm.stateManager, ALICE)).toEqual({ amount: 2n * ETH - P.slashAmount, unbonding: 0n, unbondableAt: 0n, openClaims: 0n })
    expect(await read(h, SETTLEMENT, inferenceSettlementAbi, 'burned', [])).toBe(P.slashAmount - reward)
  })

  it('upholds an honest claim against a false challenge: the node is paid, the bond split between node and burn', async () => {
    await openTestClaim(id(4), honest())
    const [alice, burn] = await Promise.all([balance(ALICE), balance(BURN)])
    const outcome = await call(BOB_KEY, 'challenge', [id(4), CID, INPUT], P.challengeBond)
    expect(events(outcome)).toEqual(['ClaimChallenged', 'ChallengeRejected', 'ClaimFinalized'])
    expect((await balance(ALICE)) - alice).toBe(FEE + P.challengeBond / 2n)
    expect((await balance(BURN)) - burn).toBe(P.challengeBond / 2n)
    expect((await readClaim(h.vm.stateManager, id(4))).status).toBe(ClaimStatus.Upheld)
    expect((await readStake(h.vm.stateManager, ALICE)).amount).toBe(2n * ETH)
  })

  it('refuses challenges with the wrong bond, model or input, or after the window', async () => {
    await openTestClaim(id(5), lie())
    await expect(call(BOB_KEY, 'challenge', [id(5), CID, INPUT], P.challengeBond - 1n)).rejects.toThrow(/WrongBond/)
    await expect(call(BOB_KEY, 'challenge', [id(5), 'bafkreiother', INPUT], P.challengeBond)).rejects.toThrow(/WrongModel/)
    await expect(call(BOB_KEY, 'challenge', [id(5), CID, input(Array(16).fill(0.3))], P.challengeBond)).rejects.toThrow(/WrongInput/)
    await expect(call(BOB_KEY, 'challenge', [id(99), CID, INPUT], P.challengeBond)).rejects.toThrow(/NotOpen/)
    atBlock(7n)
    await expect(call(BOB_KEY, 'challenge', [id(5), CID, INPUT], P.challengeBond)).rejects.toThrow(/WindowClosed/)
    expect((await readClaim(h.vm.stateManager, id(5))).status).toBe(ClaimStatus.Open)
  })

  it('treats a claim about an input the canonical path refuses as fraudulent', async () => {
    const outOfRange = input(Array(16).fill(500))
    await openClaim(h.vm.stateManager, id(6), {
      modelCid: CID, inputHash: hashModelInput(outOfRange), outputHash: hashModelOutput(honest()), node: ALICE, windowEnd: 6n, payer: PAYER, fee: 0n,
    })
    expect(events(await call(BOB_KEY, 'challenge', [id(6), CID, outOfRange], P.challengeBond))).toContain('ClaimFraudulent')
  })

  it('keeps stake with open claims locked, and releases it after the unbonding delay once they settle', async () => {
    await openTestClaim(id(7), honest())
    await call(ALICE_KEY, 'requestUnbond', [2n * ETH])
    await expect(call(ALICE_KEY, 'requestUnbond', [1n])).rejects.toThrow(/InsufficientStake/)
    await expect(call(ALICE_KEY, 'withdraw', [])).rejects.toThrow(/StillUnbonding/)
    atBlock(4n)
    await expect(call(ALICE_KEY, 'withdraw', [])).rejects.toThrow(/StakeLocked\(1\)/)
    atBlock(7n)
    await call(BOB_KEY, 'finalize', [id(7)])
    const before = await balance(ALICE)
    const outcome = await call(ALICE_KEY, 'withdraw', [])
    expect((await balance(ALICE)) - before + outcome.gasUsed * (GENESIS_BASE_FEE + 1n)).toBe(2n * ETH)
    expect(await readStake(h.vm.stateManager, ALICE)).toMatchObject({ amount: 0n, unbonding: 0n, openClaims: 0n })
  })

  it('lets only ZkInferences slash for a failed proof', async () => {
    await expect(call(BOB_KEY, 'slashZkFailure', [ALICE, id(8), BOB])).rejects.toThrow(/OnlyZkInferences/)
  })

  it('holds a dispute back when this node cannot fetch the model, instead of deciding it', async () => {
    const unavailable = new CanonicalModelStore({ get: async () => Promise.reject(new Error('hub down')) })
    h = await createHarness(compiled, [createReexecutionPrecompile(sessions, unavailable)])
    for (const [slot, value] of settlementParamsStorage(compiled, P)) {
      await h.vm.stateManager.putStorage(createAddressFromString(SETTLEMENT), hexToBytes(slot), hexToBytes(value))
    }
    await write(h, BOB_KEY, MODEL_REGISTRY_ADDRESS, modelRegistryAbi, 'registerModel', [CID, 'demo', 0b1001, 640n, '[]', '[]'])
    await call(ALICE_KEY, 'stake', [], 2n * ETH)
    await openTestClaim(id(9), lie())
    sessions.activeSession = new InferenceSession({ resolve: () => ({ kind: 'simulated' }) })
    const outcome = await sendTx(h, BOB_KEY, SETTLEMENT, encodeFunctionData({ abi: inferenceSettlementAbi, functionName: 'challenge', args: [id(9), CID, INPUT] }), P.challengeBond)
    expect(outcome.status).toBe('reverted')
    expect(sessions.activeSession.missed).toBe(true)
    expect(sessions.activeSession.unavailable).toMatch(/cannot be fetched for re-execution here: hub down/)
    expect((await readClaim(h.vm.stateManager, id(9))).status).toBe(ClaimStatus.Open)
  })
})

describe('escalation: a ZK proof closes an OPTIMISTIC claim early', () => {
  let zk: ZkModel
  let proof: readonly bigint[]

  beforeAll(async () => {
    zk = await prepareZkModel(MODEL)
    const { envelope } = await zk.prove(quantizeModelInput(zk.model, INPUT))
    proof = Array.from({ length: 8 }, (_, i) => BigInt(bytesToHex(envelope.proof.subarray(i * 32, i * 32 + 32))))
  }, 600_000)
  afterAll(releaseZkWorkers)

  beforeEach(async () => {
    await call(ALICE_KEY, 'stake', [], 2n * ETH)
    const contract = await zk.solidityVerifier()
    const created = await sendTx(h, BOB_KEY, undefined, contract.bytecode as Hex)
    const d = zk.descriptor()
    await write(h, BOB_KEY, ZK_INFERENCES_ADDRESS, zkInferencesAbi, 'registerModel', [CID, created.createdAddress!, d.modelCommitment as Hex, d.fractionBits, d.inputBits, d.outputBits, `0x${d.verificationKeySha256}`])
  })

  const abiOutput = (o: ModelOutput) => ({ numbers: o.numbers, strings: o.strings, jsons: o.jsons, is_simulation_result: o.isSimulationResult })

  it('the canonical output is exactly the ZK circuit output, so an honest claim is Proven and paid at once', async () => {
    expect(hashModelOutput(zk.toModelOutput(zk.infer(quantizeModelInput(zk.model, INPUT)).output))).toBe(hashModelOutput(honest()))
    await openTestClaim(id(10), honest())
    const before = await balance(ALICE)
    const outcome = await call(BOB_KEY, 'upgradeWithZkProof', [id(10), CID, INPUT, abiOutput(honest()), proof])
    expect(events(outcome)).toEqual(['ClaimProven', 'ClaimFinalized'])
    expect((await balance(ALICE)) - before).toBe(FEE)
    expect((await readClaim(h.vm.stateManager, id(10))).status).toBe(ClaimStatus.Proven)
    expect((await readStake(h.vm.stateManager, ALICE)).openClaims).toBe(0n)
    await expect(call(BOB_KEY, 'challenge', [id(10), CID, INPUT], P.challengeBond)).rejects.toThrow(/NotOpen/)
  })

  it('refuses a proof of another output, another input, a flipped proof word, ', async () => {
    await openTestClaim(id(11), lie())
    await expect(call(BOB_KEY, 'upgradeWithZkProof', [id(11), CID, INPUT, abiOutput(honest()), proof])).rejects.toThrow(/WrongOutput/)
    // The liar's output is not even a fixed-point output of the model; one that is, but is wrong, fails the proof.
    await expect(call(BOB_KEY, 'upgradeWithZkProof', [id(11), CID, INPUT, abiOutput(lie()), proof])).rejects.toThrow(/ZK_BAD_OUTPUT/)
    const exact = zk.infer(quantizeModelInput(zk.model, INPUT)).output.map((q, i) => (i === 0 ? q + 1n : q))
    await openTestClaim(id(13), zk.toModelOutput(exact))
    await expect(call(BOB_KEY, 'upgradeWithZkProof', [id(13), CID, INPUT, abiOutput(zk.toModelOutput(exact)), proof])).rejects.toThrow(/InvalidProof/)
    await openTestClaim(id(12), honest())
    await expect(call(BOB_KEY, 'upgradeWithZkProof', [id(12), CID, input(Array(16).fill(0.3)), abiOutput(honest()), proof])).rejects.toThrow(/WrongInput/)
    const flipped = proof.map((w, i) => (i === 7 ? w ^ 1n : w))
    await expect(call(BOB_KEY, 'upgradeWithZkProof', [id(12), CID, INPUT, abiOutput(honest()), flipped])).rejects.toThrow(/InvalidProof/)
    expect((await readClaim(h.vm.stateManager, id(12))).status).toBe(ClaimStatus.Open)
  })
})

describe('the re-execution precompile on bad input', () => {
  const errorString = parseAbi(['error Error(string)'])
  async function callPrecompile(data: Hex): Promise<string> {
    const outcome = await sendTx(h, BOB_KEY, REEXECUTION_PRECOMPILE_ADDRESS, data)
    expect(outcome.status).toBe('reverted')
    return decodeErrorResult({ abi: errorString, data: outcome.returnData }).args[0] as string
  }

  it('reverts with a decodable reason, and the chain goes on', async () => {
    expect(await callPrecompile('0xdeadbeef')).toMatch(/^inference: MALFORMED_REQUEST: /)
    const reexecute = (cid: string, input: ModelInput) => encodeFunctionData({ abi: reexecutionAbi, functionName: 'reexecute', args: [cid, input] })
    expect(await callPrecompile(reexecute('bafkreinotregistered', INPUT))).toMatch(/^inference: UNKNOWN_MODEL: /)
    const zkStatement = encodeFunctionData({ abi: reexecutionAbi, functionName: 'zkStatement', args: [CID, INPUT, { numbers: [], strings: [], jsons: [], is_simulation_result: false }] })
    expect(await callPrecompile(zkStatement)).toMatch(/^inference: ZK_NOT_REGISTERED: /)
    expect(await callPrecompile(reexecute(CID, INPUT).slice(0, 100) as Hex)).toMatch(/^inference: MALFORMED_REQUEST: /)
    // Nothing was corrupted: a good re-execution still answers.
    await call(ALICE_KEY, 'stake', [], 2n * ETH)
    await openTestClaim(id(20), lie())
    expect(events(await call(BOB_KEY, 'challenge', [id(20), CID, INPUT], P.challengeBond))).toContain('ClaimFraudulent')
  })
})
