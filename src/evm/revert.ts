/** Solidity-style `Error(string)` revert data, decodable by every client. */
import { encodeAbiParameters, hexToBytes, type Hex } from 'viem'

const ERROR_STRING_SELECTOR = '0x08c379a0'

/** Revert reasons of the precompile: `inference: <CODE>: <message>`; the code is stable. */
export function inferenceRevertReason(code: string, message: string): string {
  return `inference: ${code}: ${message}`
}

export function encodeErrorString(reason: string): Uint8Array {
  return hexToBytes((ERROR_STRING_SELECTOR + encodeAbiParameters([{ type: 'string' }], [reason]).slice(2)) as Hex)
}
