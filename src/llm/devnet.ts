/**
 * The devnet's LLM: the built-in tiny model (src/models/gguf-tiny-llama.ts), or a real GGUF file
 * given with `inferchain dev --llm <file>`, uploaded to the hub and registered for VANILLA and TEE.
 */
import { open, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Hex } from 'viem'
import { ModelInferenceMode } from '../evm/types.js'
import { HubClient } from '../hub/client.js'
import { buildTinyLlamaGguf } from '../models/gguf-tiny-llama.js'
import { isGguf } from '../models/gguf-writer.js'
import { connect } from '../sdk/chain.js'
import { registerModel } from '../sdk/registry.js'
import { LlmError } from './errors.js'

export interface DevnetLlm {
  cid: string
  name: string
  size: number
}

/** Uploads and registers the devnet's LLM; `file` undefined = the built-in tiny model. */
export async function publishDevnetLlm(options: { hubUrl: string; rpcUrl: string; privateKey: Hex; file?: string }): Promise<DevnetLlm> {
  const source = options.file ?? buildTinyLlamaGguf()
  if (options.file !== undefined) await checkGgufFile(options.file)
  const name = options.file === undefined ? 'tiny-llama' : basename(options.file, '.gguf')
  // A path is streamed to the hub: real models are hundreds of MiB.
  const { cid, metadata } = await new HubClient(options.hubUrl).upload(source, { name })
  const clients = await connect({ rpcUrl: options.rpcUrl, privateKey: options.privateKey })
  await registerModel({ publicClient: clients.publicClient, walletClient: clients.walletClient! }, metadata, [ModelInferenceMode.VANILLA, ModelInferenceMode.TEE])
  return { cid, name, size: metadata.size }
}

/** Size of a GGUF file, or `LlmError` NOT_AN_LLM when it is not one. */
export async function checkGgufFile(file: string): Promise<number> {
  const handle = await open(file, 'r')
  try {
    const head = new Uint8Array(8)
    await handle.read(head, 0, 8, 0)
    if (!isGguf(head)) throw new LlmError('NOT_AN_LLM', `${file} is not a GGUF file`)
  } finally {
    await handle.close()
  }
  return (await stat(file)).size
}
