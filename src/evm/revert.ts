/** Solidity-style `Error(string)` revert data, decodable by every client, and the precompiles' failures. */
import { EVMError, type ExecResult } from '@ethereumjs/evm'
import { encodeAbiParameters, hexToBytes, type Hex } from 'viem'

const ERROR_STRING_SELECTOR = '0x08c379a0'

/** Revert reasons of the precompile: `inference: <CODE>: <message>`; the code is stable. */
export function inferenceRevertReason(code: string, message: string): string {
  return `inference: ${code}: ${message}`
}

export function encodeErrorString(reason: string): Uint8Array {
  return hexToBytes((ERROR_STRING_SELECTOR + encodeAbiParameters([{ type: 'string' }], [reason]).slice(2)) as Hex)
}

/**
 * A precompile's clean failure: thrown inside a precompile and turned into revert data by
 * `revertResult` at its boundary (a precompile must never throw into the EVM, see DESIGN §8).
 */
export class PrecompileRevert {
  constructor(
    readonly code: string,
    readonly message: string,
    readonly gasUsed: bigint,
  ) {}
}

/**
 * The EVM result of a failed precompile call: `Error("inference: CODE: message")`, charging the gas
 * used so far. Anything but a `PrecompileRevert` is a bug of ours and reverts as `INTERNAL`, all gas.
 */
export function revertResult(err: unknown, gasLimit: bigint): ExecResult {
  const r = err instanceof PrecompileRevert ? err : new PrecompileRevert('INTERNAL', String((err as Error)?.message ?? err), gasLimit)
  return {
    executionGasUsed: r.gasUsed > gasLimit ? gasLimit : r.gasUsed,
    returnValue: encodeErrorString(inferenceRevertReason(r.code, r.message)),
    exceptionError: new EVMError(EVMError.errorMessages.REVERT),
  }
}

export function outOfGasResult(gasLimit: bigint): ExecResult {
  return { executionGasUsed: gasLimit, returnValue: new Uint8Array(), exceptionError: new EVMError(EVMError.errorMessages.OUT_OF_GAS) }
}
