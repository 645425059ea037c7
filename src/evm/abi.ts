/**
 * The `OGInference` ABI and its canonical codec. Everything that hashes a request or a result
 * (precompile, inference node, verifiers, SDK) goes through these functions, so the hashes agree.
 */
import { bytesToHex, decodeFunctionData, encodeEventTopics, hexToBytes, parseAbi, toFunctionSelector, type AbiFunction, type Hex } from 'viem'
import { keccak256 } from '../crypto/native.js'
import { AbiDecodingError, decodeParameters, encodeParameters, type AbiType } from './abi-codec.js'
import type { ModelInferenceRequest, ModelInput, ModelOutput } from './types.js'

const structs = [
  'struct Number { int128 value; int128 decimals; }',
  'struct MultiDimensionalNumberTensor { string name; Number[] values; uint32[] shape; }',
  'struct StringTensor { string name; string[] values; }',
  'struct JsonScalar { string name; string value; }',
  'struct ModelInput { MultiDimensionalNumberTensor[] numbers; StringTensor[] strings; }',
  'struct ModelOutput { MultiDimensionalNumberTensor[] numbers; StringTensor[] strings; JsonScalar[] jsons; bool is_simulation_result; }',
  'struct ModelInferenceRequest { uint8 mode; string modelCID; ModelInput input; }',
  'struct LLMCompletionRequest { uint8 mode; string modelCID; string prompt; uint32 max_tokens; string[] stop_sequence; uint32 temperature; }',
  'struct LLMCompletionResponse { string answer; }',
  'struct ToolCall { string id; string name; string arguments; }',
  'struct ChatMessage { string role; string content; string name; string tool_call_id; ToolCall[] tool_calls; }',
  'struct ToolDefinition { string description; string name; string parameters; }',
  'struct LLMChatRequest { uint8 mode; string modelCID; ChatMessage[] messages; ToolDefinition[] tools; string tool_choice; uint32 max_tokens; string[] stop_sequence; uint32 temperature; }',
  'struct LLMChatResponse { string finish_reason; ChatMessage message; }',
] as const

/** The precompile's interface, exactly as `src/contracts/OGInference.sol` declares it. */
export const ogInferenceAbi = parseAbi([
  ...structs,
  'function runModelInference(ModelInferenceRequest request) returns (ModelOutput)',
  'function runLLMCompletion(LLMCompletionRequest request) returns (LLMCompletionResponse)',
  'function runLLMChat(LLMChatRequest request) returns (LLMChatResponse)',
  'event ModelInferenceEvent(string inferenceID, ModelInferenceRequest request, ModelOutput response)',
  'event LLMCompletionEvent(string inferenceID, LLMCompletionRequest request, LLMCompletionResponse response)',
  'event LLMChat(string inferenceID, LLMChatRequest request, LLMChatResponse response)',
])

// The same structs for the fast codec (field keys are our TypeScript names).
const int128: AbiType = { kind: 'int', bits: 128 }
const str: AbiType = { kind: 'string' }
const array = (of: AbiType): AbiType => ({ kind: 'array', of })
const tuple = (fields: Record<string, AbiType>): AbiType => ({ kind: 'tuple', fields: Object.entries(fields).map(([key, type]) => ({ key, type })) })
const NUMBER_TENSOR = tuple({ name: str, values: array(tuple({ value: int128, decimals: int128 })), shape: array({ kind: 'uint', bits: 32 }) })
const STRING_TENSOR = tuple({ name: str, values: array(str) })
const MODEL_INPUT = tuple({ numbers: array(NUMBER_TENSOR), strings: array(STRING_TENSOR) })
const MODEL_OUTPUT = tuple({ numbers: array(NUMBER_TENSOR), strings: array(STRING_TENSOR), jsons: array(tuple({ name: str, value: str })), isSimulationResult: { kind: 'bool' } })
const REQUEST = tuple({ mode: { kind: 'uint', bits: 8 }, modelCid: str, input: MODEL_INPUT })
const INPUT_PARAMS = [{ key: 'input', type: MODEL_INPUT }]
const OUTPUT_PARAMS = [{ key: 'output', type: MODEL_OUTPUT }]
const REQUEST_PARAMS = [{ key: 'request', type: REQUEST }]
const EVENT_PARAMS = [{ key: 'inferenceId', type: str }, { key: 'request', type: REQUEST }, { key: 'output', type: MODEL_OUTPUT }]

const runModelInferenceItem = ogInferenceAbi.find(isFn('runModelInference')) as AbiFunction
export const RUN_MODEL_INFERENCE_SELECTOR = toFunctionSelector(runModelInferenceItem)
export const MODEL_INFERENCE_EVENT_TOPIC = encodeEventTopics({ abi: ogInferenceAbi, eventName: 'ModelInferenceEvent' })[0]

function isFn(name: string) {
  return (item: (typeof ogInferenceAbi)[number]) => item.type === 'function' && item.name === name
}

export type DecodedPrecompileCall =
  | { functionName: 'runModelInference'; request: ModelInferenceRequest }
  | { functionName: 'runLLMCompletion' | 'runLLMChat' }

const SELECTOR_BYTES = hexToBytes(RUN_MODEL_INFERENCE_SELECTOR)

/**
 * Decodes precompile calldata (bytes or hex). `runModelInference` goes through the fast strict codec;
 * the LLM functions through viem. Throws on malformed input (the caller maps it to a revert).
 */
export function decodePrecompileCall(data: Uint8Array | Hex): DecodedPrecompileCall {
  const bytes = typeof data === 'string' ? hexToBytes(data) : data
  if (bytes.length >= 4 && SELECTOR_BYTES.every((b, i) => bytes[i] === b)) {
    const { request } = decodeParameters(REQUEST_PARAMS, bytes.subarray(4)) as { request: ModelInferenceRequest }
    return { functionName: 'runModelInference', request }
  }
  const decoded = decodeFunctionData({ abi: ogInferenceAbi, data: bytesToHex(bytes) })
  if (decoded.functionName === 'runModelInference') throw new AbiDecodingError('unreachable: selector mismatch')
  return { functionName: decoded.functionName }
}

/** Return data of `runModelInference`. */
export function encodeModelOutputResult(output: ModelOutput): Uint8Array {
  return encodeParameters(OUTPUT_PARAMS, { output })
}

/** Decodes the return data of `runModelInference` (what `eth_call` to the precompile answers). */
export function decodeModelOutputResult(data: Uint8Array | Hex): ModelOutput {
  return (decodeParameters(OUTPUT_PARAMS, typeof data === 'string' ? hexToBytes(data) : data) as { output: ModelOutput }).output
}

/** Decodes the data of a `ModelInferenceEvent` log. */
export function decodeModelInferenceEventData(data: Uint8Array | Hex): { inferenceId: string; request: ModelInferenceRequest; output: ModelOutput } {
  return decodeParameters(EVENT_PARAMS, typeof data === 'string' ? hexToBytes(data) : data) as { inferenceId: string; request: ModelInferenceRequest; output: ModelOutput }
}

/** Calldata for `runModelInference` (used by clients and tests that call the precompile directly). */
export function encodeRunModelInference(request: ModelInferenceRequest): Hex {
  return (RUN_MODEL_INFERENCE_SELECTOR + bytesToHex(encodeParameters(REQUEST_PARAMS, { request })).slice(2)) as Hex
}

/** Canonical hash of a model input: keccak256(abi.encode(ModelInput)). */
export function hashModelInput(input: ModelInput): Hex {
  return bytesToHex(keccak256(encodeParameters(INPUT_PARAMS, { input })))
}

/** Canonical hash of a model output: keccak256(abi.encode(ModelOutput)) with `is_simulation_result` false. */
export function hashModelOutput(output: ModelOutput): Hex {
  return bytesToHex(keccak256(encodeParameters(OUTPUT_PARAMS, { output: { ...output, isSimulationResult: false } })))
}

/** Data of the `ModelInferenceEvent` log the precompile emits. */
export function encodeModelInferenceEventData(inferenceId: string, request: ModelInferenceRequest, output: ModelOutput): Uint8Array {
  return encodeParameters(EVENT_PARAMS, { inferenceId, request, output })
}

export function emptyModelOutput(isSimulationResult: boolean): ModelOutput {
  return { numbers: [], strings: [], jsons: [], isSimulationResult }
}

/** The re-execution precompile's one function (src/contracts/InferenceSettlement.sol `IReexecution`). */
export const reexecutionAbi = parseAbi([
  ...structs,
  'function reexecute(string modelCID, ModelInput input) returns (bytes32 inputHash, bytes32 outputHash)',
  'function zkStatement(string modelCID, ModelInput input, ModelOutput output) returns (bytes32 inputHash, bytes32 outputHash, uint256 zkInputHash, uint256 zkOutputHash)',
])
export const REEXECUTE_SELECTOR = toFunctionSelector(reexecutionAbi.find((item) => item.type === 'function' && item.name === 'reexecute') as AbiFunction)
const REEXECUTE_SELECTOR_BYTES = hexToBytes(REEXECUTE_SELECTOR)
const REEXECUTE_PARAMS = [{ key: 'modelCid', type: str }, { key: 'input', type: MODEL_INPUT }]
export const ZK_STATEMENT_SELECTOR = toFunctionSelector(reexecutionAbi.find((item) => item.type === 'function' && item.name === 'zkStatement') as AbiFunction)
const ZK_STATEMENT_SELECTOR_BYTES = hexToBytes(ZK_STATEMENT_SELECTOR)
const ZK_STATEMENT_PARAMS = [...REEXECUTE_PARAMS, { key: 'output', type: MODEL_OUTPUT }]

export type ReexecutionCall =
  | { functionName: 'reexecute'; modelCid: string; input: ModelInput }
  | { functionName: 'zkStatement'; modelCid: string; input: ModelInput; output: ModelOutput }

/** Decodes calldata of the re-execution precompile with the strict codec; throws on anything else. */
export function decodeReexecutionCall(bytes: Uint8Array): ReexecutionCall {
  const has = (selector: Uint8Array) => bytes.length >= 4 && selector.every((b, i) => bytes[i] === b)
  if (has(REEXECUTE_SELECTOR_BYTES)) return { functionName: 'reexecute', ...(decodeParameters(REEXECUTE_PARAMS, bytes.subarray(4)) as { modelCid: string; input: ModelInput }) }
  if (has(ZK_STATEMENT_SELECTOR_BYTES)) {
    return { functionName: 'zkStatement', ...(decodeParameters(ZK_STATEMENT_PARAMS, bytes.subarray(4)) as { modelCid: string; input: ModelInput; output: ModelOutput }) }
  }
  throw new AbiDecodingError('not a reexecute(string,ModelInput) or zkStatement(string,ModelInput,ModelOutput) call')
}
