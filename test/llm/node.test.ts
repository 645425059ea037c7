/**
 * The inference node's LLM path on a real hub and real llama.cpp with the tiny GGUF model: the hub
 * stores the model, `/v1/infer` answers LLM envelopes signed, and the OpenAI-style routes honour
 * max_tokens, stop sequences, temperature, tools and streaming, with evidence the SDK verifies.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Hex } from 'viem'
import { HubClient } from '../../src/hub/client.js'
import { startHubServer } from '../../src/hub/server.js'
import { DiskModelStore } from '../../src/hub/store.js'
import { InferenceNodeClient } from '../../src/inference/client.js'
import { startInferenceNode, type InferenceNode } from '../../src/inference/service.js'
import { llmRequestHash, responseFromOutput, toEnvelope } from '../../src/llm/envelope.js'
import { LlmInferenceMode, type LlmRequest } from '../../src/llm/types.js'
import { buildTinyLlamaGguf } from '../../src/models/gguf-tiny-llama.js'
import { verifyVanillaResult } from '../../src/verify/vanilla.js'
import { verifyLlmResponse } from '../../src/sdk/index.js'
import { DevEnclave, devTrustedRoot } from '../../src/tee/index.js'

const KEY: Hex = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
const dir = mkdtempSync(join(tmpdir(), 'inferchain-llm-node-'))
let hub: { url: string; close(): Promise<void> }
let node: InferenceNode
let teeNode: InferenceNode
let cid: string

async function post(path: string, body: unknown): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(node.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, json, text }
}

beforeAll(async () => {
  hub = await startHubServer({ store: new DiskModelStore(join(dir, 'hub')), port: 0 })
  const uploaded = await new HubClient(hub.url).upload(buildTinyLlamaGguf(), { name: 'tiny' })
  cid = uploaded.cid
  expect(uploaded.metadata.operators).toEqual(['gguf:llama'])
  node = await startInferenceNode({ privateKey: KEY, hubUrl: hub.url, cacheDir: join(dir, 'cache') })
  teeNode = await startInferenceNode({ privateKey: KEY, hubUrl: hub.url, cacheDir: join(dir, 'cache-tee'), tee: await DevEnclave.create() })
}, 60_000)

afterAll(async () => {
  await node?.close()
  await teeNode?.close()
  await hub?.close()
  rmSync(dir, { recursive: true, force: true })
})

const completion = (over: Partial<LlmRequest['request']> = {}): LlmRequest =>
  ({ kind: 'completion', request: { mode: LlmInferenceMode.VANILLA, modelCid: cid, prompt: 'The chain said', maxTokens: 12, stopSequences: [], temperature: 0, ...over } }) as LlmRequest

describe('LLM requests on /v1/infer', () => {
  it('answers an envelope with a signed response, deterministically at temperature 0', async () => {
    const call = completion()
    const client = new InferenceNodeClient(node.url)
    const a = await client.infer(toEnvelope(call))
    const b = await client.infer(toEnvelope(call))
    expect(verifyVanillaResult(a, { inputHash: llmRequestHash(call) })).toBe(node.address)
    const answer = responseFromOutput('completion', a.output)
    expect(answer.kind === 'completion' && answer.response.answer.length).toBeGreaterThan(0)
    expect(b.output).toEqual(a.output)
  })

  it('refuses an unknown model and a malformed request with clear codes', async () => {
    const client = new InferenceNodeClient(node.url)
    await expect(client.infer(toEnvelope(completion({ modelCid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy' })))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' })
    await expect(client.infer(toEnvelope(completion({ maxTokens: 0 })))).rejects.toThrow(/MALFORMED_REQUEST: .*max_tokens/)
  })
})

describe('OpenAI-style endpoint', () => {
  it('honours max_tokens and stop sequences', async () => {
    const long = await post('/v1/completions', { model: cid, prompt: 'The chain said', max_tokens: 24, temperature: 0 })
    expect(long.status).toBe(200)
    expect(long.json.usage.completion_tokens).toBe(24)
    expect(long.json.choices[0].finish_reason).toBe('length')
    const text: string = long.json.choices[0].text
    const words = text.trim().split(' ')
    const stopWord = ` ${words[Math.min(3, words.length - 1)]}`
    const stopped = await post('/v1/completions', { model: cid, prompt: 'The chain said', max_tokens: 24, temperature: 0, stop: [stopWord] })
    expect(stopped.json.choices[0].finish_reason).toBe('stop')
    expect(stopped.json.choices[0].text).toBe(text.slice(0, text.indexOf(stopWord)))
    const short = await post('/v1/completions', { model: cid, prompt: 'The chain said', max_tokens: 5, temperature: 0 })
    expect(short.json.usage.completion_tokens).toBe(5)
    expect(text.startsWith(short.json.choices[0].text)).toBe(true)
  })

  it('samples with a seed derived from the request at temperature > 0', async () => {
    const body = { model: cid, prompt: 'Hello world', max_tokens: 16 }
    const hot = await post('/v1/completions', { ...body, temperature: 1.5 })
    const again = await post('/v1/completions', { ...body, temperature: 1.5 })
    const cold = await post('/v1/completions', { ...body, temperature: 0 })
    expect(again.json.choices[0].text).toBe(hot.json.choices[0].text)
    expect(hot.json.choices[0].text).not.toBe(cold.json.choices[0].text)
  })

  it('streams the same text by server-sent events, ending with the evidence', async () => {
    const body = { model: cid, prompt: 'The chain said', max_tokens: 10, temperature: 0 }
    const whole = await post('/v1/completions', body)
    const stream = await post('/v1/completions', { ...body, stream: true })
    const events = stream.text.split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6))
    expect(events.at(-1)).toBe('[DONE]')
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e))
    expect(chunks.map((c) => c.choices[0].text).join('')).toBe(whole.json.choices[0].text)
    expect(chunks.at(-1).inferchain.signature).toBe(whole.json.inferchain.signature)
  })

  it('chats with a forced tool call that matches the tool schema', async () => {
    const res = await post('/v1/chat/completions', {
      model: cid,
      temperature: 0,
      max_tokens: 64,
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'weather of a city', parameters: { type: 'object', properties: { city: { enum: ['Paris', 'Rome'] } }, required: ['city'] } } }],
      tool_choice: 'required',
    })
    expect(res.status).toBe(200)
    const choice = res.json.choices[0]
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.message.tool_calls[0].function.name).toBe('get_weather')
    expect(['Paris', 'Rome']).toContain(JSON.parse(choice.message.tool_calls[0].function.arguments).city)
  })

  it('refuses malformed messages clearly', async () => {
    const res = await post('/v1/chat/completions', { model: cid, messages: [{ role: 'wizard', content: 'hi' }] })
    expect(res.status).toBe(400)
    expect(res.json.error.message).toMatch(/MALFORMED_REQUEST: .*role/)
  })
})

describe('evidence an off-chain client verifies (verifyLlmResponse)', () => {
  const chatBody = { model: '', temperature: 0, max_tokens: 8, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello' }] }

  it('VANILLA: the node signature over request and response verifies; a changed answer does not', async () => {
    const res = await post('/v1/chat/completions', { ...chatBody, model: cid })
    const verified = await verifyLlmResponse(res.json.inferchain, { signer: node.address })
    expect(verified.response.kind === 'chat' && verified.response.response.message.content).toBe(res.json.choices[0].message.content)
    const forged = { ...res.json.inferchain, response: res.json.inferchain.response.replace(/"content":"/, '"content":"X') }
    await expect(verifyLlmResponse(forged, { signer: node.address })).rejects.toThrow(/evidence rejected/)
    await expect(verifyLlmResponse(res.json.inferchain, { signer: '0x0000000000000000000000000000000000000001' })).rejects.toThrow(/not registered/)
  })

  it('TEE: the attestation binds model, request and response, and verifies against the dev root', async () => {
    const body = { ...chatBody, model: cid, inferchain: { mode: 'TEE' } }
    const res = await fetch(teeNode.url + '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const json: any = await res.json()
    expect(json.inferchain.attestation).toMatch(/^0x/)
    const tee = { trustedRoots: [devTrustedRoot()], measurements: [teeNode.tee!.measurement], enclaveKey: teeNode.tee!.enclaveKey }
    const verified = await verifyLlmResponse(json.inferchain, tee)
    expect(verified.mode).toBe('TEE')
    await expect(verifyLlmResponse(json.inferchain, { ...tee, measurements: [] })).rejects.toThrow(/MEASUREMENT_NOT_ALLOWED/)
    // Same answer as VANILLA at temperature 0: the enclave runs the same model the same way.
    const vanilla = await post('/v1/chat/completions', { ...chatBody, model: cid })
    expect(json.choices[0].message).toEqual(vanilla.json.choices[0].message)
  })
})
