/**
 * The cost of one OPTIMISTIC dispute, on the chain's own EVM: a fraudulent claim (as the inference
 * precompile opens it) challenged through InferenceSettlement, which re-executes the model with the
 * re-execution precompile and slashes. Measured: the challenge transaction's gas, and its wall time —
 * what every full node spends once while importing the block that settles the dispute.
 */
import { createBlock } from '@ethereumjs/block'
import { createCustomCommon, Mainnet } from '@ethereumjs/common'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { Account, createAddressFromPrivateKey, createAddressFromString } from '@ethereumjs/util'
import { createVM, runTx, type VM } from '@ethereumjs/vm'
import { bytesToHex, encodeEventTopics, encodeFunctionData, hexToBytes, keccak256, stringToHex, type Hex } from 'viem'
import { compileContracts } from '../src/contracts/compile.js'
import { inferenceSettlementAbi, modelRegistryAbi, settlementParamsStorage, systemContractGenesis } from '../src/contracts/system.js'
import { hashModelInput, hashModelOutput } from '../src/evm/abi.js'
import { InferenceSession } from '../src/evm/session.js'
import type { ModelInput } from '../src/evm/types.js'
import { runCanonical, type CanonicalModel } from '../src/optimistic/canonical.js'
import { CanonicalModelStore } from '../src/optimistic/model-store.js'
import { openClaim } from '../src/optimistic/onchain.js'
import { createReexecutionPrecompile } from '../src/optimistic/reexecution-precompile.js'
import {
  BLOCK_GAS_LIMIT, DEFAULT_CHAIN_ID, DEFAULT_SETTLEMENT_PARAMS, GENESIS_BASE_FEE, HARDFORK, INFERENCE_SETTLEMENT_ADDRESS, MODEL_REGISTRY_ADDRESS,
} from '../src/params.js'
import { toTensorNumber } from '../src/zk/fixed-point.js'
import type { DisputeCost } from './optimistic.js'

const NODE_KEY: Hex = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
const CHALLENGER_KEY: Hex = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a'
const RUNS = 5
const FRAUD_TOPIC = encodeEventTopics({ abi: inferenceSettlementAbi, eventName: 'ClaimFraudulent' })[0]

/** `DisputeCostProbe` for `benchOptimistic`: median over a few fresh disputes of the same model. */
export async function measureDispute(model: CanonicalModel, _name: string, onnx: Uint8Array): Promise<DisputeCost> {
  const compiled = await compileContracts()
  const common = createCustomCommon({ chainId: DEFAULT_CHAIN_ID }, Mainnet, { hardfork: HARDFORK })
  const sessions = { activeSession: undefined as InferenceSession | undefined }
  const store = new CanonicalModelStore({ get: async (cid) => ({ cid, bytes: onnx, metadata: undefined as never }) })
  const vm = await createVM({ common, evmOpts: { customPrecompiles: [createReexecutionPrecompile(sessions, store)] } })
  for (const { address, code } of systemContractGenesis(compiled)) await vm.stateManager.putCode(createAddressFromString(address), hexToBytes(code))
  const settlement = createAddressFromString(INFERENCE_SETTLEMENT_ADDRESS)
  for (const [slot, value] of settlementParamsStorage(compiled, DEFAULT_SETTLEMENT_PARAMS)) await vm.stateManager.putStorage(settlement, hexToBytes(slot), hexToBytes(value))
  for (const key of [NODE_KEY, CHALLENGER_KEY]) await vm.stateManager.putAccount(createAddressFromPrivateKey(hexToBytes(key)), new Account(0n, 10n ** 24n))
  const block = createBlock({ header: { number: 1n, gasLimit: BLOCK_GAS_LIMIT, baseFeePerGas: GENESIS_BASE_FEE, timestamp: 1n } }, { common })
  const send = sendFrom(vm, block, common)

  await send(NODE_KEY, MODEL_REGISTRY_ADDRESS, encodeFunctionData({ abi: modelRegistryAbi, functionName: 'registerModel', args: [model.cid, 'bench', 0b1001, BigInt(model.macs), '[]', '[]'] }))
  await send(NODE_KEY, INFERENCE_SETTLEMENT_ADDRESS, encodeFunctionData({ abi: inferenceSettlementAbi, functionName: 'stake' }), 10n ** 20n)
  const node = createAddressFromPrivateKey(hexToBytes(NODE_KEY)).toString() as Hex
  const input = benchInput(model)
  const lie = structuredClone(runCanonical(model, input))
  lie.numbers[0]!.values[0]!.value += 1n
  const samples: Array<{ gas: bigint; ms: number }> = []
  for (let i = 0; i < RUNS; i++) {
    const requestId = keccak256(stringToHex(`dispute-${i}`))
    await openClaim(vm.stateManager, requestId, { modelCid: model.cid, inputHash: hashModelInput(input), outputHash: hashModelOutput(lie), node, windowEnd: 100n, payer: node, fee: 0n })
    const data = encodeFunctionData({ abi: inferenceSettlementAbi, functionName: 'challenge', args: [requestId, model.cid, input] })
    const started = performance.now()
    const result = await send(CHALLENGER_KEY, INFERENCE_SETTLEMENT_ADDRESS, data, DEFAULT_SETTLEMENT_PARAMS.challengeBond)
    const ms = performance.now() - started
    if (!result.topics.includes(FRAUD_TOPIC)) throw new Error(`dispute bench: the challenge did not prove the claim fraudulent (${result.topics.join(', ')})`)
    samples.push({ gas: result.gas, ms })
  }
  // Gas and time have separate medians: the first dispute writes storage slots from zero (~42k gas
  // more), and which dispute is the median by time changes from run to run.
  const gasMedian = [...samples].sort((a, b) => (a.gas < b.gas ? -1 : a.gas > b.gas ? 1 : 0))[Math.floor(samples.length / 2)]!.gas
  samples.sort((a, b) => a.ms - b.ms)
  const median = samples[Math.floor(samples.length / 2)]!
  return { gas: gasMedian, wallMs: median.ms, note: `challenge of a fraudulent claim incl. on-chain re-execution (first run loads the model: ${samples.at(-1)!.ms.toFixed(1)} ms), ${RUNS} disputes, median` }
}

function sendFrom(vm: VM, block: ReturnType<typeof createBlock>, common: VM['common']) {
  return async (key: Hex, to: Hex, data: Hex, value = 0n): Promise<{ gas: bigint; topics: Hex[] }> => {
    const from = createAddressFromPrivateKey(hexToBytes(key))
    const nonce = (await vm.stateManager.getAccount(from))?.nonce ?? 0n
    const tx = createFeeMarket1559Tx(
      { to, data, value, nonce, gasLimit: 16_000_000n, maxFeePerGas: 2n * GENESIS_BASE_FEE, maxPriorityFeePerGas: 1n, chainId: BigInt(DEFAULT_CHAIN_ID) },
      { common },
    ).sign(hexToBytes(key))
    const result = await runTx(vm, { tx, block })
    if (result.execResult.exceptionError) throw new Error(`dispute bench: transaction to ${to} reverted (${result.execResult.exceptionError.error})`)
    return { gas: result.totalGasSpent, topics: (result.execResult.logs ?? []).map(([, topics]) => bytesToHex(topics[0]!)) }
  }
}

function benchInput(model: CanonicalModel): ModelInput {
  const { name, shape, size } = model.quantized.input
  const values = Array.from({ length: size }, (_, i) => toTensorNumber(BigInt(((i * 37) % 200) - 100) << 8n, model.quantized.fractionBits))
  return { numbers: [{ name, shape: [...shape], values }], strings: [] }
}
