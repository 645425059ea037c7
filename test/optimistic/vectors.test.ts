/**
 * The pinned test vectors of the canonical integer path, recomputed on two independent executors:
 * the reference executor (`runCanonical`, and its bigint-only definition `runQuantizedExact`) and an
 * integer ONNX graph on onnxruntime-web's wasm backend. Every integer must equal the pinned one.
 * If a pinned model's bytes, its quantization or an activation table drift, the test says which.
 * Regenerate only on purpose: `npx tsx test/optimistic/regenerate-vectors.ts`.
 */
import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { CANONICAL_QUANTIZATION, loadCanonicalModel, quantizeCanonicalInput, runCanonical, type CanonicalModel } from '../../src/optimistic/canonical.js'
import { createWasmIntegerExecutor, type WasmIntegerExecutor } from '../../src/optimistic/second-path.js'
import { fromModelOutput, runQuantized, runQuantizedExact } from '../../src/zk/reference.js'
import { computeCid } from '../../src/hub/cid.js'
import { plaDigests, quantizedDigest, sha256, VECTOR_MODELS, vectorInput, VECTORS_FILE, VECTORS_FORMAT, type VectorFile } from './vectors.js'

const pinned = JSON.parse(readFileSync(VECTORS_FILE, 'utf8')) as VectorFile
const big = (values: readonly string[]) => values.map(BigInt)

describe('pinned canonical test vectors', () => {
  it('are for the canonical fixed point and its activation tables', () => {
    expect(pinned.format).toBe(VECTORS_FORMAT)
    expect(pinned.fractionBits).toBe(CANONICAL_QUANTIZATION.fractionBits)
    expect(pinned.inputBits).toBe(CANONICAL_QUANTIZATION.inputBits)
    // The tables come from Math.exp / Math.tanh: a platform whose libm rounds a breakpoint differently shows here first.
    expect(plaDigests(pinned.fractionBits)).toEqual(pinned.plaTables)
    expect(pinned.models.map((m) => m.name)).toEqual(VECTOR_MODELS.map((m) => m.name))
  })

  const models = new Map<string, CanonicalModel>()
  for (const spec of VECTOR_MODELS) {
    describe(spec.name, () => {
      const entry = pinned.models.find((m) => m.name === spec.name)!
      const bytes = spec.build()
      const model = loadCanonicalModel(bytes)
      models.set(spec.name, model)

      it('is built from the pinned model bytes and quantizes to the pinned integers', () => {
        expect(sha256(bytes), `${spec.name}: the ONNX builder drifted (regenerate the vectors only if that is intended)`).toBe(entry.sha256)
        expect(computeCid(bytes)).toBe(entry.cid)
        expect(model.cid).toBe(entry.cid)
        expect(quantizedDigest(model.quantized), `${spec.name}: the quantizer drifted`).toBe(entry.quantizedSha256)
        expect(model.macs).toBe(entry.macs)
      })

      it('reference executor reproduces every vector bit for bit', () => {
        for (const vector of entry.vectors) {
          const input = vectorInput(model, vector)
          const q = quantizeCanonicalInput(model, input)
          expect(q.map(String), `${spec.name} / ${vector.label}: input quantization`).toEqual(vector.quantized)
          const output = fromModelOutput(model.quantized, runCanonical(model, input))
          expect(output?.map(String), `${spec.name} / ${vector.label}: runCanonical`).toEqual(vector.output)
          // The definition in bigint only (runCanonical may take the float64-holding-integers shortcut).
          expect(runQuantizedExact(model.quantized, q).map(String), `${spec.name} / ${vector.label}: bigint definition`).toEqual(vector.output)
        }
      })

      let wasm: WasmIntegerExecutor | undefined
      afterAll(async () => wasm?.release())
      it('second path (int64 ONNX graph on onnxruntime-web wasm) reproduces every vector bit for bit', async () => {
        wasm = await createWasmIntegerExecutor(model.quantized)
        for (const vector of entry.vectors) {
          const output = await wasm.run(big(vector.quantized))
          expect(output.map(String), `${spec.name} / ${vector.label}: onnxruntime-web`).toEqual(vector.output)
        }
      })

      it('would catch a drift of any layer by 1/256 (the vectors are sensitive to every layer)', () => {
        // One unit (2^-16) of one weight can vanish in rounding or a saturated Tanh; 1/256 on every
        // bias of a layer must show in some output, or the vectors would not pin that layer at all.
        const step = 1n << BigInt(pinned.fractionBits - 8)
        for (const [index] of model.quantized.layers.entries()) {
          const layers = model.quantized.layers.map((l, i) => (i === index ? { ...l, bias: l.bias.map((b) => b + step) } : l))
          const tampered = { ...model.quantized, layers }
          const differs = entry.vectors.some((v) => runQuantized(tampered, big(v.quantized)).some((y, j) => String(y) !== v.output[j]))
          expect(differs, `${spec.name}: layer ${index}'s biases moved by 1/256 and no vector noticed`).toBe(true)
        }
      })

      it('cover the edges of the input range and rounding ties', () => {
        const labels = entry.vectors.map((v) => v.label)
        expect(labels).toEqual(expect.arrayContaining(['zeros', 'max', 'min', 'alternating max/min']))
        const limit = 1n << BigInt(pinned.inputBits - 1)
        expect(big(entry.vectors.find((v) => v.label === 'max')!.quantized).every((q) => q === limit - 1n)).toBe(true)
        expect(big(entry.vectors.find((v) => v.label === 'min')!.quantized).every((q) => q === -limit)).toBe(true)
        // ±(k+½)·2^-16 rounds half away from zero to ±(k+1).
        const ties = big(entry.vectors.find((v) => v.label.startsWith('rounding ties'))!.quantized)
        expect(ties).toEqual(ties.map((_, k) => (k % 2 ? -1n : 1n) * BigInt(k + 1)))
      })
    })
  }

  it('span relu, sigmoid, tanh and linear layers across the pinned models', () => {
    const activations = new Set([...models.values()].flatMap((m) => m.quantized.layers.map((l) => l.activation)))
    expect([...activations].sort()).toEqual(['none', 'relu', 'sigmoid', 'tanh'])
  })
})
