/**
 * Hand-written readers of the inference protocol's wire JSON, on the hot path of every inference
 * (the node reads each request, the full node each answer). They accept exactly what the former
 * zod schemas accepted — same types, same regexes, same ranges, unknown keys dropped, fresh objects
 * out — at a fraction of the cost (zod's generic machinery was ~150 µs per round trip here).
 *
 * Each reader stops at the first problem and throws a `WireIssue` naming where it is (the path, as
 * zod's first issue did) and what is wrong; `./wire.ts` turns it into `BAD_REQUEST`.
 */
import type { Hex } from 'viem'
import type { ModelInput, ModelOutput, NumberTensor, StringTensor, TensorNumber } from '../evm/types.js'

const INT128_MIN = -(2n ** 127n)
const INT128_MAX = 2n ** 127n - 1n
const UINT32_MAX = 2 ** 32 - 1
/** Attestation documents are a few KiB; 64 KiB of hex leaves room for long certificate chains. */
const MAX_ATTESTATION_BYTES = 65_536
const MAX_MODEL_CID_LENGTH = 256

const CANONICAL_INT128 = /^(0|-?[1-9][0-9]{0,38})$/
const CANONICAL_UINT256 = /^(0|[1-9][0-9]{0,77})$/
const HEX_32 = /^0x[0-9a-fA-F]{64}$/
const HEX_20 = /^0x[0-9a-fA-F]{40}$/
const HEX_65 = /^0x[0-9a-fA-F]{130}$/
const HEX_DIGITS = /^0x[0-9a-fA-F]*$/

/** The first problem found in a wire value: where (object keys and array indexes) and what. */
export class WireIssue extends Error {
  constructor(
    readonly path: ReadonlyArray<string | number>,
    message: string,
  ) {
    super(message)
  }
}

/** Keys and indexes from the root to the value being read; copied into an issue when one is found. */
const path: Array<string | number> = []

function issue(message: string): never {
  throw new WireIssue([...path], message)
}

/** Runs a reader from the root: a fresh path, whatever an earlier failed read left behind. */
export function readWire<T>(value: unknown, read: (value: unknown) => T): T {
  path.length = 0
  return read(value)
}

function kind(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

function expected(what: string, value: unknown): never {
  return issue(`Invalid input: expected ${what}, received ${kind(value)}`)
}

function object(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) expected('object', value)
  return value as Record<string, unknown>
}

function field<T>(o: Record<string, unknown>, key: string, read: (value: unknown) => T): T {
  path.push(key)
  const out = read(o[key])
  path.pop()
  return out
}

/** An absent key reads as undefined (as zod's `.optional()`); null is not absent. */
function optionalField<T>(o: Record<string, unknown>, key: string, read: (value: unknown) => T): T | undefined {
  return o[key] === undefined ? undefined : field(o, key, read)
}

function array<T>(value: unknown, read: (value: unknown) => T): T[] {
  if (!Array.isArray(value)) expected('array', value)
  const out = new Array<T>(value.length)
  for (let i = 0; i < value.length; i++) {
    path.push(i)
    out[i] = read(value[i])
    path.pop()
  }
  return out
}

function string(value: unknown): string {
  if (typeof value !== 'string') expected('string', value)
  return value
}

function boolean(value: unknown): boolean {
  if (typeof value !== 'boolean') expected('boolean', value)
  return value
}

function integer(value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') expected('number', value)
  if (!Number.isSafeInteger(value)) expected('int', value)
  if (value < min) issue(`Too small: expected number to be >=${min}`)
  if (value > max) issue(`Too big: expected number to be <=${max}`)
  return value
}

function matching(value: unknown, pattern: RegExp, message: string): string {
  const s = string(value)
  if (!pattern.test(s)) issue(message)
  return s
}

/** A canonical decimal integer in int128 range ("0", "-15", never "+1", "01" or "-0"). */
function int128(value: unknown): bigint {
  const n = BigInt(matching(value, CANONICAL_INT128, 'expected a canonical decimal integer'))
  if (n < INT128_MIN || n > INT128_MAX) issue('out of int128 range')
  return n
}

function hex32(value: unknown): Hex {
  return matching(value, HEX_32, 'expected 32 bytes of 0x-hex') as Hex
}

function hex20(value: unknown): Hex {
  return matching(value, HEX_20, 'expected 20 bytes of 0x-hex') as Hex
}

function hex65(value: unknown): Hex {
  return matching(value, HEX_65, 'expected 65 bytes of 0x-hex') as Hex
}

/** 1 to MAX_ATTESTATION_BYTES bytes of 0x-hex. */
function attestation(value: unknown): Hex {
  const s = string(value)
  const bytes = (s.length - 2) / 2
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > MAX_ATTESTATION_BYTES || !HEX_DIGITS.test(s)) issue('expected 0x-hex bytes')
  return s as Hex
}

export function readMode(value: unknown): number {
  return integer(value, 0, 255)
}

function tensorNumber(value: unknown): TensorNumber {
  const o = object(value)
  return { value: field(o, 'value', int128), decimals: field(o, 'decimals', int128) }
}

function dim(value: unknown): number {
  return integer(value, 0, UINT32_MAX)
}

function numberTensor(value: unknown): NumberTensor {
  const o = object(value)
  return {
    name: field(o, 'name', string),
    values: field(o, 'values', (v) => array(v, tensorNumber)),
    shape: field(o, 'shape', (v) => array(v, dim)),
  }
}

function stringTensor(value: unknown): StringTensor {
  const o = object(value)
  return { name: field(o, 'name', string), values: field(o, 'values', (v) => array(v, string)) }
}

function jsonEntry(value: unknown): { name: string; value: string } {
  const o = object(value)
  return { name: field(o, 'name', string), value: field(o, 'value', string) }
}

/** `WireModelInput` → `ModelInput`. */
export function readModelInput(value: unknown): ModelInput {
  const o = object(value)
  return {
    numbers: field(o, 'numbers', (v) => array(v, numberTensor)),
    strings: field(o, 'strings', (v) => array(v, stringTensor)),
  }
}

/** `WireModelOutput` → `ModelOutput`. */
export function readModelOutput(value: unknown): ModelOutput {
  const o = object(value)
  return {
    numbers: field(o, 'numbers', (v) => array(v, numberTensor)),
    strings: field(o, 'strings', (v) => array(v, stringTensor)),
    jsons: field(o, 'jsons', (v) => array(v, jsonEntry)),
    isSimulationResult: field(o, 'isSimulationResult', boolean),
  }
}

function modelCid(value: unknown): string {
  const s = string(value)
  if (s.length < 1) issue('Too small: expected string to have >=1 characters')
  if (s.length > MAX_MODEL_CID_LENGTH) issue(`Too big: expected string to have <=${MAX_MODEL_CID_LENGTH} characters`)
  return s
}

function binding(value: unknown): { requestId: Hex; chainId: bigint } {
  const o = object(value)
  return {
    requestId: field(o, 'requestId', hex32),
    chainId: field(o, 'chainId', (v) => BigInt(matching(v, CANONICAL_UINT256, 'expected a canonical decimal integer'))),
  }
}

export interface WireRequest {
  modelCid: string
  mode: number
  input: ModelInput
  binding?: { requestId: Hex; chainId: bigint }
}

/** `InferRequestBody` → its in-memory form (the mode not yet checked against what a node serves). */
export function readInferRequest(value: unknown): WireRequest {
  const o = object(value)
  const request: WireRequest = { modelCid: field(o, 'modelCid', modelCid), mode: field(o, 'mode', readMode), input: field(o, 'input', readModelInput) }
  const bound = optionalField(o, 'binding', binding)
  if (bound !== undefined) request.binding = bound
  return request
}

export interface WireResult {
  modelCid: string
  mode: number
  inputHash: Hex
  outputHash: Hex
  output: ModelOutput
  node: Hex
  signature: Hex
  attestation?: Hex
}

function signedResult(value: unknown): WireResult {
  const o = object(value)
  const result: WireResult = {
    modelCid: field(o, 'modelCid', string),
    mode: field(o, 'mode', readMode),
    inputHash: field(o, 'inputHash', hex32),
    outputHash: field(o, 'outputHash', hex32),
    output: field(o, 'output', readModelOutput),
    node: field(o, 'node', hex20),
    signature: field(o, 'signature', hex65),
  }
  const document = optionalField(o, 'attestation', attestation)
  if (document !== undefined) result.attestation = document
  return result
}

/** `InferResponseBody` → the signed result it carries. */
export function readInferResponse(value: unknown): WireResult {
  return field(object(value), 'result', signedResult)
}

/** `InferErrorBody` → its error. */
export function readInferError(value: unknown): { code: string; message: string } {
  const error = field(object(value), 'error', object)
  return { code: field(error, 'code', string), message: field(error, 'message', string) }
}
