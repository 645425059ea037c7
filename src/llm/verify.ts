/**
 * Off-chain verification of an LLM answer from an inference node's OpenAI-style endpoint, with the
 * full node's own verifiers (src/verify): the `inferchain` evidence is turned into the inference
 * record a block would carry, and checked exactly as an importer checks it — node signature over
 * (model, mode, request hash, response hash); in TEE mode also the attestation (COSE, certificate
 * chain to a trusted root, allowed measurement, registered enclave key, user_data binding model,
 * request and response).
 */
import { getAddress, type Address, type Hex } from 'viem'
import { InferchainError } from '../errors.js'
import { NO_TX_HASH } from '../evm/session.js'
import type { InferenceRecord } from '../evm/records.js'
import { defaultVerifiers } from '../verify/index.js'
import type { TrustedRoot } from '../tee/roots.js'
import { canonicalRequest, llmRequestHash, LLM_CHAT_TENSOR, LLM_COMPLETION_TENSOR, responseFromOutput, toEnvelope } from './envelope.js'
import type { LlmRequest, LlmResponse } from './types.js'

/** The `inferchain` object of an OpenAI-style answer (or of a stream's last chunk). */
export interface LlmEvidence {
  mode: string
  request: LlmRequest
  request_hash: Hex
  response: string
  output_hash: Hex
  node: Hex
  signature: Hex
  attestation?: Hex
  binding?: { request_id: Hex; chain_id: string }
}

export interface VerifyLlmResponseOptions {
  /** The node the caller trusts (e.g. read from NodeRegistry); omitted = any signer, reported back. */
  signer?: Address
  /** TEE: roots the attestation must chain to (the dev root on devnets: `devTrustedRoot()`). */
  trustedRoots?: readonly TrustedRoot[]
  /** TEE: allowed enclave measurements (PCR0, 0x-hex), as NodeRegistry's allowlist. */
  measurements?: readonly Hex[]
  /** TEE: the enclave key the node registered (SPKI DER, 0x-hex). */
  enclaveKey?: Hex
}

export interface VerifiedLlmResponse {
  request: LlmRequest
  response: LlmResponse
  node: Address
  mode: 'VANILLA' | 'TEE'
}

export class LlmVerificationError extends InferchainError {
  override readonly name = 'LlmVerificationError' as const
  constructor(shortMessage: string, details?: Record<string, unknown>) {
    super('LLM_EVIDENCE_REJECTED', shortMessage, { details })
  }
}

/**
 * Checks an LLM answer's evidence; returns the verified request and response, or throws
 * `LlmVerificationError` with the verifier's reason.
 *
 * @example
 * const answer = await (await fetch(`${node}/v1/chat/completions`, { method: 'POST', body })).json()
 * const { response } = await verifyLlmResponse(answer.inferchain, { signer: registeredNode })
 */
export async function verifyLlmResponse(evidence: LlmEvidence, options: VerifyLlmResponseOptions = {}): Promise<VerifiedLlmResponse> {
  const call = canonicalRequest(evidence.request)
  const requestHash = llmRequestHash(call)
  if (requestHash.toLowerCase() !== evidence.request_hash.toLowerCase()) {
    throw new LlmVerificationError(`the evidence's request hash ${evidence.request_hash} is not the hash of its request (${requestHash})`)
  }
  const envelope = toEnvelope(call)
  const output = { numbers: [], strings: [], jsons: [{ name: call.kind === 'completion' ? LLM_COMPLETION_TENSOR : LLM_CHAT_TENSOR, value: evidence.response }], isSimulationResult: false }
  const record: InferenceRecord = {
    requestId: evidence.binding?.request_id ?? requestHash,
    txHash: NO_TX_HASH,
    callIndex: 0,
    modelCid: envelope.modelCid,
    mode: envelope.mode,
    inputHash: requestHash,
    status: 'ok',
    output,
    outputHash: evidence.output_hash,
    node: evidence.node,
    signature: evidence.signature,
    llm: call.kind,
    ...(evidence.attestation === undefined ? {} : { attestation: evidence.attestation }),
  }
  const verifier = defaultVerifiers().get(envelope.mode)!
  const same = (a: string, b: string | undefined) => b !== undefined && a.toLowerCase() === b.toLowerCase()
  const outcome = await verifier.verify(record, {
    isServing: async (node) => options.signer === undefined || same(node, options.signer),
    blockNumber: 1n,
    blockTimestamp: BigInt(Math.floor(Date.now() / 1000)),
    chainId: BigInt(evidence.binding?.chain_id ?? 0),
    tee: {
      trustedRoots: options.trustedRoots ?? [],
      isMeasurementAllowed: async (m) => (options.measurements ?? []).some((x) => same(m, x)),
      enclaveKeyOf: async () => options.enclaveKey,
    },
  })
  if (outcome.status !== 'verified') throw new LlmVerificationError(`evidence rejected: ${outcome.status === 'rejected' ? outcome.reason : outcome.status}`)
  return { request: call, response: responseFromOutput(call.kind, output), node: getAddress(evidence.node), mode: envelope.mode === 0 ? 'VANILLA' : 'TEE' }
}
