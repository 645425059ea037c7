/**
 * The re-execution precompile at 0x…F5 (`IReexecution` in InferenceSettlement.sol): runs a model's
 * canonical integer path on the given input and returns `(inputHash, outputHash)` exactly as the
 * inference precompile records them. InferenceSettlement.challenge calls it, so every full node runs
 * the disputed inference once while executing the block that settles the dispute — the only time
 * validators compute a model.
 *
 * Outcomes are consensus, so they depend on calldata and state only:
 *   - an input the canonical path refuses returns output hash 0 (no honest node could have answered
 *     it, so any claim about it is fraudulent);
 *   - a model outside the canonical subset reverts `CANONICAL_UNSUPPORTED`.
 * A model this node cannot fetch is not an outcome: the transaction is held back (`session.missed`),
 * and an importing node refuses to decide the block until it has the model (`session.unavailable`).
 *
 * Its second function, `zkStatement(modelCID, input, output)`, serves escalation by ZK proof: the
 * record hashes of a claimed input and output and the Poseidon hashes the model's circuit states for
 * them (with the model's ZK setup from ZkInferences) — hashing only, no model runs.
 */
import type { ExecResult, PrecompileInput } from '@ethereumjs/evm'
import { createAddressFromString } from '@ethereumjs/util'
import { encodeAbiParameters, hexToBytes, type Hex } from 'viem'
import { decodeReexecutionCall, hashModelInput, hashModelOutput, type ReexecutionCall } from '../evm/abi.js'
import { countInputElements } from '../evm/precompile.js'
import { readModelEntry } from '../evm/registry-reader.js'
import { outOfGasResult as outOfGas, PrecompileRevert as Revert, revertResult } from '../evm/revert.js'
import type { InferenceSessionSource } from '../evm/session.js'
import type { ModelInput, ModelOutput } from '../evm/types.js'
import type { StorageReader } from '../evm/storage-slots.js'
import { ZkInputError } from '../zk/errors.js'
import { chainInputHash, chainOutputHash, readZkModelEntry } from '../zk/onchain.js'
import { REEXECUTION_BASE_GAS, REEXECUTION_GAS_PER_KILO_MAC, REEXECUTION_PRECOMPILE_ADDRESS, INFERENCE_GAS_PER_INPUT_ELEMENT, ZK_STATEMENT_BASE_GAS, ZK_STATEMENT_GAS_PER_ELEMENT } from '../params.js'
import { runCanonical, type CanonicalModel } from './canonical.js'
import { CanonicalInputError, CanonicalModelError } from './errors.js'
import type { CanonicalModelStore } from './model-store.js'

const NO_OUTPUT: Hex = `0x${'00'.repeat(32)}`

/**
 * @param models where this node gets models from; without one every re-execution is unavailable here
 * @example
 * createVM({ evmOpts: { customPrecompiles: [createInferencePrecompile(chain), createReexecutionPrecompile(chain, store)] } })
 */
export function createReexecutionPrecompile(sessions: InferenceSessionSource, models: CanonicalModelStore | undefined) {
  return {
    address: createAddressFromString(REEXECUTION_PRECOMPILE_ADDRESS),
    function: async (opts: PrecompileInput): Promise<ExecResult> => {
      try {
        return await reexecute(opts, sessions, models)
      } catch (err) {
        return revertResult(err, opts.gasLimit)
      }
    },
  }
}

async function reexecute(opts: PrecompileInput, sessions: InferenceSessionSource, models: CanonicalModelStore | undefined): Promise<ExecResult> {
  let call: ReexecutionCall
  try {
    call = decodeReexecutionCall(opts.data)
  } catch (err) {
    throw new Revert('MALFORMED_REQUEST', `calldata is not a valid re-execution call (${(err as Error).message})`, REEXECUTION_BASE_GAS)
  }
  if (call.functionName === 'zkStatement') return zkStatement(opts, call)
  let gasUsed = REEXECUTION_BASE_GAS
  if (gasUsed > opts.gasLimit) return outOfGas(opts.gasLimit)
  const entry = await readModelEntry(opts._EVM.stateManager, call.modelCid)
  if (!entry.registered) throw new Revert('UNKNOWN_MODEL', `model ${call.modelCid} is not registered`, gasUsed)
  gasUsed += REEXECUTION_GAS_PER_KILO_MAC * ((entry.workUnits + 999n) / 1000n) + INFERENCE_GAS_PER_INPUT_ELEMENT * BigInt(countInputElements(call.input))
  if (gasUsed > opts.gasLimit) return outOfGas(opts.gasLimit)
  const model = await loadModel(models, call.modelCid, sessions, gasUsed)
  const inputHash = hashModelInput(call.input)
  let outputHash = NO_OUTPUT
  try {
    outputHash = hashModelOutput(runCanonical(model, call.input))
  } catch (err) {
    if (!(err instanceof CanonicalInputError)) throw err
  }
  return {
    executionGasUsed: gasUsed,
    returnValue: hexToBytes(encodeAbiParameters([{ type: 'bytes32' }, { type: 'bytes32' }], [inputHash, outputHash])),
  }
}

/** `zkStatement`: what a ZK proof about this claimed input and output must state. */
async function zkStatement(opts: PrecompileInput, call: { modelCid: string; input: ModelInput; output: ModelOutput }): Promise<ExecResult> {
  const gasUsed = ZK_STATEMENT_BASE_GAS + ZK_STATEMENT_GAS_PER_ELEMENT * BigInt(countInputElements(call.input) + countInputElements(call.output))
  if (gasUsed > opts.gasLimit) return outOfGas(opts.gasLimit)
  const entry = await readZkModelEntry(opts._EVM.stateManager as StorageReader, call.modelCid)
  if (!entry.registered) throw new Revert('ZK_NOT_REGISTERED', `model ${call.modelCid} has no ZK setup in ZkInferences`, gasUsed)
  let zkInputHash: bigint
  try {
    zkInputHash = chainInputHash(entry, call.input)
  } catch (err) {
    if (err instanceof ZkInputError) throw new Revert('BAD_TENSOR_VALUE', err.shortMessage, gasUsed)
    throw err
  }
  const zkOutputHash = chainOutputHash(entry, call.output)
  if (zkOutputHash === undefined) throw new Revert('ZK_BAD_OUTPUT', `the output is not a ZK output of model ${call.modelCid}`, gasUsed)
  return {
    executionGasUsed: gasUsed,
    returnValue: hexToBytes(
      encodeAbiParameters([{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'uint256' }], [hashModelInput(call.input), hashModelOutput(call.output), zkInputHash, zkOutputHash]),
    ),
  }
}

async function loadModel(models: CanonicalModelStore | undefined, cid: string, sessions: InferenceSessionSource, gasUsed: bigint): Promise<CanonicalModel> {
  try {
    if (models === undefined) throw new Error('this node has no model source (start it with --hub-url)')
    return await models.load(cid)
  } catch (err) {
    if (err instanceof CanonicalModelError) throw new Revert('CANONICAL_UNSUPPORTED', err.shortMessage, gasUsed)
    const reason = `model ${cid} cannot be fetched for re-execution here: ${(err as Error).message}`
    const session = sessions.activeSession
    if (session !== undefined) {
      session.missed = true
      session.unavailable = reason
    }
    throw new Revert('REEXECUTION_UNAVAILABLE', reason, gasUsed)
  }
}
