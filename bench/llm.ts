/**
 * (h) LLM inference: tokens/s of the inference node's LLM path (HTTP `/v1/completions`, request
 * validation, llama.cpp generation in a fresh context, response hashing and signing) against
 * node-llama-cpp called directly on the same model with the same settings (one thread, fresh
 * context, greedy), and the latency a TEE attestation adds per response. The model is the built-in
 * tiny GGUF model, or the file in $INFERCHAIN_BENCH_LLM.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LlamaCompletion } from 'node-llama-cpp'
import type { Hex } from 'viem'
import { HubClient } from '../src/hub/client.js'
import { startHubServer } from '../src/hub/server.js'
import { DiskModelStore } from '../src/hub/store.js'
import { startInferenceNode } from '../src/inference/service.js'
import { loadLlama } from '../src/llm/runner.js'
import { buildTinyLlamaGguf } from '../src/models/gguf-tiny-llama.js'
import { LLM_CONTEXT_SIZE, LLM_THREADS } from '../src/params.js'
import { DevEnclave } from '../src/tee/index.js'
import { fmt, ratio, timeInterleaved, type Timing } from './stats.js'

const KEY: Hex = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
const PROMPT = 'The chain said'

export interface LlmBenchResult {
  model: string
  tokensPerRequest: number
  direct: Timing & { tokensPerSec: number }
  node: Timing & { tokensPerSec: number }
  vanillaOnTeeNode: Timing
  teeOnTeeNode: Timing
  attestOnly: Timing
}

export async function benchLlm(options: { runs?: number; tokens?: number } = {}): Promise<LlmBenchResult> {
  const runs = options.runs ?? 30
  const tokens = options.tokens ?? 64
  const dir = mkdtempSync(join(tmpdir(), 'inferchain-bench-llm-'))
  const file = process.env['INFERCHAIN_BENCH_LLM'] ?? join(dir, 'tiny.gguf')
  if (process.env['INFERCHAIN_BENCH_LLM'] === undefined) writeFileSync(file, buildTinyLlamaGguf())
  const hub = await startHubServer({ store: new DiskModelStore(join(dir, 'hub')), port: 0, maxModelBytes: 8 * 2 ** 30 })
  const { cid } = await new HubClient(hub.url).upload(file)
  const enclave = await DevEnclave.create()
  const node = await startInferenceNode({ privateKey: KEY, hubUrl: hub.url, cacheDir: join(dir, 'cache') })
  const teeNode = await startInferenceNode({ privateKey: KEY, hubUrl: hub.url, cacheDir: join(dir, 'cache-tee'), tee: enclave })
  const model = await (await loadLlama()).loadModel({ modelPath: file, gpuLayers: 0 })
  const contextSize = Math.min(LLM_CONTEXT_SIZE, model.trainContextSize)
  let generated = { direct: 0, node: 0 }
  try {
    const post = async (url: string, mode: 'VANILLA' | 'TEE') => {
      const res = await fetch(`${url}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: cid, prompt: PROMPT, max_tokens: tokens, temperature: 0, inferchain: { mode } }),
      })
      const body = (await res.json()) as { usage: { completion_tokens: number } }
      return body.usage.completion_tokens
    }
    const direct = async () => {
      const context = await model.createContext({ contextSize, sequences: 1, threads: LLM_THREADS, batchSize: Math.min(512, contextSize) })
      let n = 0
      await new LlamaCompletion({ contextSequence: context.getSequence() }).generateCompletion(PROMPT, { maxTokens: tokens, temperature: 0, onToken: (t) => void (n += t.length) })
      await context.dispose()
      return n
    }
    const binding = { chainId: 1n, requestId: `0x${'11'.repeat(32)}` as Hex, modelCid: cid, inputHash: `0x${'22'.repeat(32)}` as Hex, outputHash: `0x${'33'.repeat(32)}` as Hex }
    const t = await timeInterleaved(runs, {
      direct: async () => void (generated.direct = await direct()),
      node: async () => void (generated.node = await post(node.url, 'VANILLA')),
      vanillaOnTeeNode: () => post(teeNode.url, 'VANILLA'),
      teeOnTeeNode: () => post(teeNode.url, 'TEE'),
      attestOnly: async () => enclave.attest(binding),
    }, 3)
    return {
      model: process.env['INFERCHAIN_BENCH_LLM'] ?? 'built-in tiny llama (src/models/gguf-tiny-llama.ts)',
      tokensPerRequest: tokens,
      direct: { ...t.direct, tokensPerSec: (generated.direct * 1000) / t.direct.medianMs },
      node: { ...t.node, tokensPerSec: (generated.node * 1000) / t.node.medianMs },
      vanillaOnTeeNode: t.vanillaOnTeeNode,
      teeOnTeeNode: t.teeOnTeeNode,
      attestOnly: t.attestOnly,
    }
  } finally {
    await model.dispose()
    await node.close()
    await teeNode.close()
    await hub.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

export function llmTable(r: LlmBenchResult): string[] {
  return [
    `Model: ${r.model}; ${r.tokensPerRequest} tokens per request from a fresh context, greedy, ${LLM_THREADS} thread(s); medians.`,
    '',
    '| path | median per request | tokens/s | vs direct |',
    '|---|---|---|---|',
    `| node-llama-cpp called directly (baseline) | ${fmt(r.direct.medianMs)} | ${r.direct.tokensPerSec.toFixed(0)} | 1.00× |`,
    `| inference node \`/v1/completions\` (HTTP, validation, generation, hashing, signature) | ${fmt(r.node.medianMs)} | ${r.node.tokensPerSec.toFixed(0)} | ${ratio(r.node.tokensPerSec, r.direct.tokensPerSec)} |`,
    '',
    '| TEE attestation | median |',
    '|---|---|',
    `| VANILLA request on the TEE node | ${fmt(r.vanillaOnTeeNode.medianMs)} |`,
    `| TEE request on the TEE node (attested response) | ${fmt(r.teeOnTeeNode.medianMs)} |`,
    `| added by attestation per response (TEE − VANILLA; within noise when below the next row) | ${signed(r.teeOnTeeNode.medianMs - r.vanillaOnTeeNode.medianMs)} |`,
    `| the development enclave's \`attest\` alone | ${fmt(r.attestOnly.medianMs)} |`,
  ]
}

function signed(ms: number): string {
  return `${ms < 0 ? '−' : '+'}${fmt(Math.abs(ms))}`
}
