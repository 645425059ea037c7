/** Names of the inference modes in a registry bitmask (bit `1 << mode`). */
import { ModelInferenceMode } from './types.js'

/** @example modeNames(0b101) // ['VANILLA', 'TEE'] */
export function modeNames(bitmask: number): string[] {
  return Object.entries(ModelInferenceMode)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number' && (bitmask & (1 << entry[1])) !== 0)
    .map(([name]) => name)
}
