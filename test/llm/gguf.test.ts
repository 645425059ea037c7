/** The GGUF writer and reader, and the LLM ABI / envelope codecs the precompile relies on. */
import { describe, expect, it } from 'vitest'
import { hashModelInput } from '../../src/evm/abi.js'
import { readModelMetadata } from '../../src/hub/metadata.js'
import { decodeLlmCall, encodeLlmCall } from '../../src/llm/abi.js'
import { fromEnvelope, llmRequestHash, toEnvelope } from '../../src/llm/envelope.js'
import { StopScanner } from '../../src/llm/stop-scanner.js'
import { llmGpu } from '../../src/llm/runner.js'
import { LlmInferenceMode, type LlmRequest } from '../../src/llm/types.js'
import { validateLlmRequest } from '../../src/llm/validate.js'
import { buildTinyLlamaGguf } from '../../src/models/gguf-tiny-llama.js'
import { isGguf } from '../../src/models/gguf-writer.js'

const chat: LlmRequest = {
  kind: 'chat',
  request: {
    mode: LlmInferenceMode.TEE,
    modelCid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
    messages: [{ role: 'user', content: 'hi', name: '', toolCallId: '', toolCalls: [] }],
    tools: [{ name: 'f', description: 'd', parameters: '{"type":"object"}' }],
    toolChoice: 'auto',
    maxTokens: 8,
    stopSequences: ['\n'],
    temperature: 70,
  },
}

describe('GGUF', () => {
  it('builds the same tiny model every time, and the hub describes it from its header', () => {
    const a = buildTinyLlamaGguf()
    expect(buildTinyLlamaGguf()).toEqual(a)
    expect(isGguf(a)).toBe(true)
    const metadata = readModelMetadata(a, { name: 'tiny' })
    expect(metadata).toMatchObject({ name: 'tiny', operators: ['gguf:llama'], size: a.length })
    expect(metadata.workUnits).toBeGreaterThan(50_000)
  })
})

describe('LLM codecs', () => {
  it('calldata round-trips and the envelope carries the full request', () => {
    expect(decodeLlmCall(encodeLlmCall(chat))).toEqual(chat)
    const envelope = toEnvelope(chat)
    expect(envelope.mode).toBe(2) // the chain's TEE
    expect(fromEnvelope(envelope.input)).toEqual(chat.request && { kind: 'chat', request: chat.request })
    expect(llmRequestHash(chat)).toBe(hashModelInput(envelope.input))
    const other = { ...chat, request: { ...chat.request, temperature: 71 } } as LlmRequest
    expect(llmRequestHash(other)).not.toBe(llmRequestHash(chat))
  })

  it('validation names the field at fault', () => {
    expect(() => validateLlmRequest({ ...chat, request: { ...chat.request, toolChoice: 'g' } } as LlmRequest)).toThrow(/tool_choice "g"/)
    const tool = { role: 'tool', content: 'x', name: '', toolCallId: '', toolCalls: [] }
    expect(() => validateLlmRequest({ ...chat, request: { ...chat.request, messages: [tool] } } as LlmRequest)).toThrow(/tool_call_id/)
  })

  it('stop sequences cut the text and a stream never shows them', () => {
    const s = new StopScanner(['END'])
    const shown = ['abc E', 'N', 'D tail'].map((c) => s.push(c)).join('') + s.flush()
    expect(s.result()).toBe('abc ')
    expect(shown).toBe('abc ')
  })
})

describe('LLM backend choice', () => {
  it('reads INFERCHAIN_LLM_GPU: CPU by default, a named GPU backend, or a typed refusal', () => {
    expect(llmGpu(undefined)).toBe(false)
    expect(llmGpu('false')).toBe(false)
    expect(llmGpu('cuda')).toBe('cuda')
    expect(llmGpu('auto')).toBe('auto')
    expect(() => llmGpu('tpu')).toThrow(expect.objectContaining({ code: 'BAD_CONFIG' }))
  })
})
