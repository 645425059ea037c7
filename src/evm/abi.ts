/**
 * The `OGInference` ABI and its canonical codec. Everything that hashes a request or a result
 * (precompile, inference node, verifiers, SDK) goes through these functions, so the hashes agree.
 */
import {
  decodeFunctionData,
  encodeAbiParameters,
  encodeEventTopics,
  encodeFunctionResult,
  keccak256,
  parseAbi,
  toFunctionSelector,
  type AbiFunction,
  type Hex,
} from 'viem'
import type { ModelInferenceMode, ModelInferenceRequest, ModelInput, ModelOutput, NumberTensor } from './types.js'

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
])

const modelInputParams = parseAbi([...structs, 'function f(ModelInput input)'])[0]!.inputs
const modelOutputParams = parseAbi([...structs, 'function f(ModelOutput output)'])[0]!.inputs

const runModelInferenceItem = ogInferenceAbi.find(isFn('runModelInference')) as AbiFunction
export const RUN_MODEL_INFERENCE_SELECTOR = toFunctionSelector(runModelInferenceItem)
export const MODEL_INFERENCE_EVENT_TOPIC = encodeEventTopics({ abi: ogInferenceAbi, eventName: 'ModelInferenceEvent' })[0]

function isFn(name: string) {
  return (item: (typeof ogInferenceAbi)[number]) => item.type === 'function' && item.name === name
}

type AbiNumberTensor = { name: string; values: readonly { value: bigint; decimals: bigint }[]; shape: readonly number[] }
type AbiModelInput = { numbers: readonly AbiNumberTensor[]; strings: readonly { name: string; values: readonly string[] }[] }
type AbiModelOutput = AbiModelInput & { jsons: readonly { name: string; value: string }[]; is_simulation_result: boolean }

export type DecodedPrecompileCall =
  | { functionName: 'runModelInference'; request: ModelInferenceRequest }
  | { functionName: 'runLLMCompletion' | 'runLLMChat' }

/** Decodes precompile calldata. Throws viem's decoding errors on malformed input (caller maps them). */
export function decodePrecompileCall(data: Hex): DecodedPrecompileCall {
  const decoded = decodeFunctionData({ abi: ogInferenceAbi, data })
  if (decoded.functionName !== 'runModelInference') return { functionName: decoded.functionName }
  const [raw] = decoded.args as unknown as [{ mode: number; modelCID: string; input: AbiModelInput }]
  return {
    functionName: 'runModelInference',
    request: { mode: raw.mode as ModelInferenceMode, modelCid: raw.modelCID, input: fromAbiInput(raw.input) },
  }
}

/** Return data of `runModelInference`. */
export function encodeModelOutputResult(output: ModelOutput): Hex {
  return encodeFunctionResult({ abi: ogInferenceAbi, functionName: 'runModelInference', result: toAbiOutput(output) })
}

/** Calldata for `runModelInference` (used by clients and tests that call the precompile directly). */
export function encodeRunModelInference(request: ModelInferenceRequest): Hex {
  return (RUN_MODEL_INFERENCE_SELECTOR + encodeAbiParameters(runModelInferenceItem.inputs, [toAbiRequest(request)]).slice(2)) as Hex
}

/** Canonical hash of a model input: keccak256(abi.encode(ModelInput)). */
export function hashModelInput(input: ModelInput): Hex {
  return keccak256(encodeAbiParameters(modelInputParams, [toAbiInput(input)] as never))
}

/** Canonical hash of a model output: keccak256(abi.encode(ModelOutput)) with `is_simulation_result` false. */
export function hashModelOutput(output: ModelOutput): Hex {
  return keccak256(encodeAbiParameters(modelOutputParams, [toAbiOutput({ ...output, isSimulationResult: false })] as never))
}

/** Data of the `ModelInferenceEvent` log the precompile emits. */
export function encodeModelInferenceEventData(inferenceId: string, request: ModelInferenceRequest, output: ModelOutput): Hex {
  const event = ogInferenceAbi.find((i) => i.type === 'event' && i.name === 'ModelInferenceEvent')!
  return encodeAbiParameters(event.inputs as never, [inferenceId, toAbiRequest(request), toAbiOutput(output)] as never)
}

export function emptyModelOutput(isSimulationResult: boolean): ModelOutput {
  return { numbers: [], strings: [], jsons: [], isSimulationResult }
}

function toAbiRequest(request: ModelInferenceRequest) {
  return { mode: request.mode, modelCID: request.modelCid, input: toAbiInput(request.input) }
}

function toAbiInput(input: ModelInput): AbiModelInput {
  return { numbers: input.numbers, strings: input.strings }
}

function toAbiOutput(output: ModelOutput): AbiModelOutput {
  return { numbers: output.numbers, strings: output.strings, jsons: output.jsons, is_simulation_result: output.isSimulationResult }
}

function fromAbiTensor(t: AbiNumberTensor): NumberTensor {
  return { name: t.name, values: t.values.map((v) => ({ value: v.value, decimals: v.decimals })), shape: [...t.shape] }
}

function fromAbiInput(input: AbiModelInput): ModelInput {
  return {
    numbers: input.numbers.map(fromAbiTensor),
    strings: input.strings.map((s) => ({ name: s.name, values: [...s.values] })),
  }
}

/** Decodes `runModelInference` return data (clients, tests). */
export function decodeModelOutput(abiOutput: AbiModelOutput): ModelOutput {
  return {
    ...fromAbiInput(abiOutput),
    jsons: abiOutput.jsons.map((j) => ({ name: j.name, value: j.value })),
    isSimulationResult: abiOutput.is_simulation_result,
  }
}
