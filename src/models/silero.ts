/**
 * The real, pretrained Silero VAD model that `@ricky0123/vad-web` ships (no download): inputs
 * `input` float32 [1,512] (16 kHz audio), `state` float32 [2,1,128], `sr` int64 scalar; outputs
 * `output` [1,1] (speech probability) and `stateN` [2,1,128].
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export const SILERO_VAD_FILE = 'silero_vad_v5.onnx'

export function sileroVadModelPath(): string {
  const packageJson = createRequire(import.meta.url).resolve('@ricky0123/vad-web/package.json')
  return join(dirname(packageJson), 'dist', SILERO_VAD_FILE)
}
