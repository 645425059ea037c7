/**
 * A private model as its node holds it: the ONNX bytes read from a local file (never uploaded), its
 * weights commitment and id, and the public metadata (schema, work units) the node registers.
 */
import { readFile } from 'node:fs/promises'
import { errorMessage } from '../errors.js'
import { readModelMetadata } from '../hub/metadata.js'
import type { ModelMetadata } from '../hub/types.js'
import type { LoadedModel } from '../inference/runtime.js'
import { importOnnxNetwork } from '../zk/onnx-import.js'
import { quantizeNetwork } from '../zk/quantize.js'
import { modelCommitment } from '../zk/statement.js'
import { PrivateModelError } from './errors.js'
import { commitmentOfId, privateModelId } from './model-id.js'

export interface PrivateModel extends LoadedModel {
  /** `private:0x…`: the id contracts pass as `modelCID`. */
  cid: string
  /** bytes32 hex of the weights commitment (ModelRegistry's `weightsCommitment`). */
  commitment: `0x${string}`
  /** Public description: schema and work units; `cid` is the private id, never the file's hub CID. */
  metadata: ModelMetadata
}

/**
 * Commits to a model's weights and describes it, from its bytes.
 *
 * @throws PrivateModelError PRIVATE_MODEL_UNREADABLE (not ONNX), PRIVATE_MODEL_UNSUPPORTED (cannot be quantized)
 * @example
 * const model = privateModelFromBytes(buildDemoModel())
 * model.cid // 'private:0x…'
 */
export function privateModelFromBytes(bytes: Uint8Array, name?: string): PrivateModel {
  let described: ModelMetadata
  try {
    described = readModelMetadata(bytes, name === undefined ? {} : { name })
  } catch (cause) {
    throw new PrivateModelError('PRIVATE_MODEL_UNREADABLE', `not an ONNX model: ${errorMessage(cause)}`, { cause })
  }
  let commitment: bigint
  try {
    // The same quantization ZK registration uses (default parameters), so the id is the commitment
    // a ZK proof for this model states.
    commitment = modelCommitment(quantizeNetwork(importOnnxNetwork(bytes)))
  } catch (cause) {
    throw new PrivateModelError('PRIVATE_MODEL_UNSUPPORTED', `the model has no weights commitment: ${errorMessage(cause)}`, { cause })
  }
  const cid = privateModelId(commitment)
  // The file's content CID would let anyone holding a copy link it to this id: it is not published.
  const metadata: ModelMetadata = { ...described, cid }
  return { cid, bytes, metadata, commitment: commitmentOfId(cid) }
}

/** Reads and commits to the private model in `file`. */
export async function loadPrivateModel(file: string, name?: string): Promise<PrivateModel> {
  let bytes: Uint8Array
  try {
    bytes = new Uint8Array(await readFile(file))
  } catch (cause) {
    throw new PrivateModelError('PRIVATE_MODEL_UNREADABLE', `cannot read ${file}: ${errorMessage(cause)}`, { cause })
  }
  return privateModelFromBytes(bytes, name)
}
