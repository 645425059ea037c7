/**
 * What the inference precompile does for a ZK-mode call, around the usual dispatch:
 *   - before: the model must have a ZK setup in ZkInferences (else `ZK_NOT_REGISTERED`), and the
 *     input must quantize into the circuit's range (else `BAD_TENSOR_VALUE`); the Poseidon input hash
 *     the proof must state is computed from the call's own input;
 *   - after a result: its output must be an exact ZK output (else `ZK_BAD_OUTPUT`), and the pending
 *     record — model, input hash, output hash, serving node, due block — is written to ZkInferences'
 *     storage, where the proof is checked when it arrives.
 * Both are pure functions of state and calldata, so producing and replaying a block write the same words.
 */
import type { EVMInterface } from '@ethereumjs/evm'
import type { Address, Hex } from 'viem'
import type { ModelInferenceRequest, ModelOutput } from '../evm/types.js'
import { INFERENCE_GAS_ZK_RECORD, ZK_PROOF_DEADLINE_BLOCKS } from '../params.js'
import { ZkInputError } from './errors.js'
import { chainInputHash, chainOutputHash, readZkModelEntry, writeZkRecord, type StorageWriter, type ZkModelEntry } from './onchain.js'

/** A ZK call refused by the precompile; `code` becomes the revert's `inference: CODE: …`. */
export class ZkCallRefusal {
  constructor(
    readonly code: 'ZK_NOT_REGISTERED' | 'BAD_TENSOR_VALUE' | 'ZK_BAD_OUTPUT',
    readonly message: string,
  ) {}
}

export interface ZkCall {
  entry: ZkModelEntry
  /** The input hash the proof must state (Poseidon, over the quantized input). */
  inputHash: bigint
  /** Gas the call adds (the record's storage). */
  gas: bigint
}

/**
 * Checks a ZK request before dispatch and computes its input hash.
 *
 * @throws ZkCallRefusal
 */
export async function beginZkCall(state: StorageWriter, request: ModelInferenceRequest): Promise<ZkCall> {
  const entry = await readZkModelEntry(state, request.modelCid)
  if (!entry.registered) throw new ZkCallRefusal('ZK_NOT_REGISTERED', `model ${request.modelCid} has no ZK setup in ZkInferences`)
  try {
    return { entry, inputHash: chainInputHash(entry, request.input), gas: INFERENCE_GAS_ZK_RECORD }
  } catch (err) {
    if (err instanceof ZkInputError) throw new ZkCallRefusal('BAD_TENSOR_VALUE', err.shortMessage)
    throw err
  }
}

/**
 * Writes the pending record of a ZK result, due ZK_PROOF_DEADLINE_BLOCKS after the executing block.
 *
 * @throws ZkCallRefusal `ZK_BAD_OUTPUT` when the output is not an exact ZK output of the model
 */
export async function recordZkResult(
  evm: EVMInterface,
  call: ZkCall,
  result: { requestId: Hex; modelCid: string; output: ModelOutput; node: Address },
): Promise<void> {
  const outputHash = chainOutputHash(call.entry, result.output)
  if (outputHash === undefined) {
    throw new ZkCallRefusal('ZK_BAD_OUTPUT', `the output is not a ZK output of model ${result.modelCid} (${call.entry.fractionBits} binary fraction bits)`)
  }
  await writeZkRecord(evm.stateManager as StorageWriter, result.requestId, {
    modelCid: result.modelCid,
    inputHash: call.inputHash,
    outputHash,
    node: result.node,
    dueBlock: executingBlockNumber(evm) + ZK_PROOF_DEADLINE_BLOCKS,
  })
}

/**
 * The number of the block whose transaction is running. Precompiles are not given the block, but
 * the EVM keeps the one `runCall` was given (`_block`; a call without one runs on block 0).
 */
export function executingBlockNumber(evm: EVMInterface): bigint {
  return (evm as unknown as { _block?: { header: { number: bigint } } })._block?.header.number ?? 0n
}
