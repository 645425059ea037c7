/**
 * LLM calls across real processes: `inferchain dev` uploads the built-in tiny GGUF model and its
 * inference node serves it with llama.cpp. A contract calls runLLMCompletion and runLLMChat (with a
 * tool) in VANILLA and TEE modes; the answer equals the node's OpenAI-style endpoint at
 * temperature 0; a follower replays the records, verifies signatures and attestations, never runs
 * the model, and reaches the same state. Bad requests revert with clear reasons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BaseError, type Address, type Hex } from 'viem'
import { compileContracts, getContract, type CompiledContract } from '../../src/contracts/compile.js'
import { LLM_CHAT_EVENT_TOPIC, LLM_COMPLETION_EVENT_TOPIC } from '../../src/llm/abi.js'
import { MAX_LLM_PROMPT_BYTES } from '../../src/params.js'
import { LlmInferenceMode } from '../../src/llm/types.js'
import { chatLlm, completeLlm } from '../../src/sdk/llm.js'
import { devnetClients, rpc, startDevnet, until, type RunningDevnet } from './processes.js'

let devnet: RunningDevnet
let consumer: CompiledContract
let address: Address
let clients: ReturnType<typeof devnetClients>

beforeAll(async () => {
  ;[devnet, consumer] = await Promise.all([startDevnet(['--followers', '1']), compileContracts().then((c) => getContract(c, 'LlmConsumer'))])
  clients = devnetClients(devnet.info, 7)
  const hash = await clients.walletClient.deployContract({ abi: consumer.abi, bytecode: consumer.bytecode, account: clients.account, chain: clients.chain })
  address = (await clients.publicClient.waitForTransactionReceipt({ hash })).contractAddress!
}, 180_000)
afterAll(async () => {
  await devnet?.stop()
})

interface Status { head: Hex; headHash: Hex; stateRoot: Hex; inferencesDispatched: number; lastRejection?: string }

const TOOL = { description: 'weather of a city', name: 'get_weather', parameters: JSON.stringify({ type: 'object', properties: { city: { enum: ['Paris', 'Rome'] } }, required: ['city'] }) }

async function send(functionName: string, args: unknown[]) {
  const hash = await clients.walletClient.writeContract({ address, abi: consumer.abi, functionName, args, account: clients.account, chain: clients.chain, gas: 5_000_000n } as never)
  return clients.publicClient.waitForTransactionReceipt({ hash })
}
const read = (functionName: string) => clients.publicClient.readContract({ address, abi: consumer.abi, functionName } as never) as Promise<unknown>

async function openAi(path: string, body: unknown): Promise<any> {
  const res = await fetch(devnet.info.inferenceNodes[0]! + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  expect(res.status).toBe(200)
  return res.json()
}

async function revertReason(functionName: string, args: unknown[]): Promise<string> {
  try {
    await clients.publicClient.simulateContract({ address, abi: consumer.abi, functionName, args, account: clients.account } as never)
  } catch (err) {
    return err instanceof BaseError ? err.shortMessage + (err.details ?? '') + err.message : String(err)
  }
  throw new Error('expected a revert')
}

describe('LLM inference from a contract', () => {
  it('runLLMCompletion in VANILLA and TEE equals the OpenAI-style endpoint at temperature 0, with an event', async () => {
    const cid = devnet.info.llmModel!.cid
    const expected = await openAi('/v1/completions', { model: cid, prompt: 'The chain said', max_tokens: 12, temperature: 0 })
    for (const mode of [0, 1]) {
      const receipt = await send('complete', [mode, cid, 'The chain said', 12, [], 0])
      expect(receipt.status).toBe('success')
      expect(await read('lastAnswer')).toBe(expected.choices[0].text)
      expect(receipt.logs.some((l) => l.topics[0] === LLM_COMPLETION_EVENT_TOPIC)).toBe(true)
      const [record] = await rpc<Array<{ mode: string; status: string; llm?: string; attestation?: Hex | null }>>(devnet.info.rpcUrl, 'inference_getRecordsByTransaction', [receipt.transactionHash])
      expect(record).toMatchObject({ mode: mode === 0 ? 'VANILLA' : 'TEE', status: 'ok' })
      if (mode === 1) expect(record!.attestation).toMatch(/^0x/)
    }
  })

  it('runLLMChat with a tool definition gets the tool call the endpoint returns, in VANILLA and TEE', async () => {
    const cid = devnet.info.llmModel!.cid
    const expected = await openAi('/v1/chat/completions', {
      model: cid,
      temperature: 0,
      max_tokens: 64,
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [{ type: 'function', function: { name: TOOL.name, description: TOOL.description, parameters: JSON.parse(TOOL.parameters) } }],
      tool_choice: 'required',
    })
    const call = expected.choices[0].message.tool_calls[0].function
    for (const mode of [0, 1]) {
      const receipt = await send('chat', [mode, cid, '', 'What is the weather in Paris?', TOOL, 'required', 64, 0])
      expect(receipt.status).toBe('success')
      expect(await read('lastFinishReason')).toBe('tool_calls')
      expect(await read('lastToolCall')).toEqual([call.name, call.arguments])
      expect(receipt.logs.some((l) => l.topics[0] === LLM_CHAT_EVENT_TOPIC)).toBe(true)
    }
    // A plain chat answers text, and max_tokens is honoured.
    const text = await send('chat', [0, cid, 'Be brief.', 'Say hello', { description: '', name: '', parameters: '' }, '', 6, 0])
    expect(text.status).toBe('success')
    expect(await read('lastFinishReason')).toBe('length')
  })

  it('the SDK asks the same through eth_call: completeLlm and chatLlm answer what the endpoint does, and refusals carry the code', async () => {
    const cid = devnet.info.llmModel!.cid
    const expected = await openAi('/v1/completions', { model: cid, prompt: 'The chain said', max_tokens: 12, temperature: 0 })
    const request = { mode: LlmInferenceMode.VANILLA, modelCid: cid, prompt: 'The chain said', maxTokens: 12, stopSequences: [], temperature: 0 }
    expect(await completeLlm(clients.publicClient, request)).toEqual({ answer: expected.choices[0].text })
    const chat = await chatLlm(clients.publicClient, {
      mode: LlmInferenceMode.TEE, modelCid: cid, messages: [{ role: 'user', content: 'Say hello', name: '', toolCallId: '', toolCalls: [] }], tools: [], toolChoice: '', maxTokens: 6, stopSequences: [], temperature: 0,
    })
    expect(chat).toMatchObject({ finishReason: 'length', message: { role: 'assistant' } })
    await expect(completeLlm(clients.publicClient, { ...request, modelCid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy' })).rejects.toMatchObject({ code: 'UNKNOWN_MODEL' })
  })

  it('unknown models, oversize prompts and malformed messages revert with clear reasons', async () => {
    const cid = devnet.info.llmModel!.cid
    expect(await revertReason('complete', [0, 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy', 'hi', 4, [], 0])).toMatch(/UNKNOWN_MODEL/)
    expect(await revertReason('complete', [0, cid, 'x'.repeat(MAX_LLM_PROMPT_BYTES + 1), 4, [], 0])).toMatch(/PROMPT_TOO_LONG: prompt has \d+ bytes/)
    const wizard = [{ role: 'wizard', content: 'hi', name: '', tool_call_id: '', tool_calls: [] }]
    expect(await revertReason('chatMessages', [0, cid, wizard, 4])).toMatch(/MALFORMED_REQUEST: .*role/)
    expect(await revertReason('complete', [0, cid, 'hi', 0, [], 0])).toMatch(/MALFORMED_REQUEST: .*max_tokens/)
  })

  it('the follower verified every LLM record and reached the same state without running a model', async () => {
    const producer = await rpc<Status>(devnet.info.rpcUrl, 'inferchain_nodeStatus')
    const url = devnet.info.followers[0]!
    await until(async () => (await rpc<Status>(url, 'inferchain_nodeStatus')).head === producer.head)
    const follower = await rpc<Status>(url, 'inferchain_nodeStatus')
    expect(follower).toMatchObject({ headHash: producer.headHash, stateRoot: producer.stateRoot, inferencesDispatched: 0 })
    expect(follower.lastRejection).toBeUndefined()
  })
})
