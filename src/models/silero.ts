/**
 * The real, pretrained Silero VAD model that `@ricky0123/vad-web@0.0.31` ships in `dist/` (no
 * download). It holds three files, checked with onnxruntime-node:
 *   - `silero_vad_legacy.onnx`: inputs `input`, `sr`, `h`, `c` (LSTM state split in two) — NOT the
 *     interface the project documents, despite its name;
 *   - `silero_vad_v5.onnx`: inputs `input` float32 [batch, samples] (512 samples at 16 kHz),
 *     `state` float32 [2, batch, 128], `sr` int64 scalar; outputs `output` [batch, 1] (speech
 *     probability) and `stateN` [2, batch, 128]. Its graph declares the dims without values (-1 in
 *     the hub's metadata), and the model runs inside `If` branches on `sr` (16 kHz / 8 kHz);
 *   - `silero_vad_v6.onnx`: the same interface with newer weights.
 * We use v5: the interface the design names, and the package's own default.
 */
import { createRequire } from 'node:module'

/** The file we use, relative to the package root. */
export const SILERO_VAD_FILE = 'silero_vad_v5.onnx'

/**
 * Absolute path of the Silero VAD `.onnx` file; resolved through Node's module resolution, so it
 * works from `src/` (tsx, vitest) and from compiled `dist/src/` alike.
 *
 * @example
 * const session = await InferenceSession.create(readFileSync(sileroVadModelPath()))
 */
export function sileroVadModelPath(): string {
  return createRequire(import.meta.url).resolve(`@ricky0123/vad-web/dist/${SILERO_VAD_FILE}`)
}
