/**
 * `inference_*` JSON-RPC methods: the inference records of blocks and transactions, with who served
 * each call and with what evidence.
 *
 *   inference_getRecordsByBlock(blockNumber | blockHash | tag) → Record[]
 *   inference_getRecord(requestId)                             → Record | null
 *   inference_getRecordsByTransaction(txHash)                  → Record[]
 */
import type { Block } from '@ethereumjs/block'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import type { Hex } from 'viem'
import type { Chain } from '../../chain/chain.js'
import type { InferenceRecord } from '../../evm/records.js'
import { ModelInferenceMode, type ModelOutput } from '../../evm/types.js'
import { optimisticRecordVerification } from '../../optimistic/record-status.js'
import { zkRecordVerification } from '../../zk/record-status.js'
import { isPrivateModelId } from '../../private/model-id.js'
import { RpcError } from '../errors.js'
import type { RpcMethodTable } from '../types.js'

/** How a record was verified by the node that produced or imported it. */
function verification(record: InferenceRecord) {
  if (record.status === 'error') return { status: 'failed', evidence: 'none', reason: record.errorReason }
  return { status: 'verified', evidence: record.mode === ModelInferenceMode.TEE ? 'tee-attestation' : 'vanilla-signature', signer: record.node, ...privateModelTrust(record) }
}

/**
 * A private model's weights are known to its nodes only, so nobody can re-run a VANILLA result:
 * its output is the node's word. Such records say so (docs/decisions/private-models.md).
 */
function privateModelTrust(record: InferenceRecord) {
  if (!isPrivateModelId(record.modelCid)) return {}
  return { privateModel: true, trust: record.mode === ModelInferenceMode.VANILLA ? 'trust-the-node' : 'attested' }
}

function outputJson(output: ModelOutput | undefined) {
  if (!output) return null
  return {
    numbers: output.numbers.map((t) => ({ name: t.name, shape: t.shape, values: t.values.map((v) => ({ value: v.value.toString(), decimals: v.decimals.toString() })) })),
    strings: output.strings,
    jsons: output.jsons,
  }
}

export function formatRecord(record: InferenceRecord, block: Block) {
  return {
    requestId: record.requestId,
    txHash: record.txHash,
    callIndex: record.callIndex,
    blockNumber: `0x${block.header.number.toString(16)}`,
    blockHash: bytesToHex(block.hash()),
    modelCid: record.modelCid,
    mode: ModelInferenceMode[record.mode] ?? String(record.mode),
    /** LLM calls: `completion` or `chat` (the request and response travel as envelopes, src/llm/envelope.ts). */
    ...(record.llm === undefined ? {} : { llm: record.llm }),
    inputHash: record.inputHash,
    status: record.status,
    output: outputJson(record.output),
    outputHash: record.outputHash ?? null,
    node: record.node ?? null,
    signature: record.signature ?? null,
    /** TEE: the attestation document (COSE_Sign1, hex). */
    attestation: record.attestation ?? null,
    error: record.status === 'error' ? { code: record.errorCode, reason: record.errorReason } : null,
    verification: verification(record),
  }
}

const HASH = /^0x[0-9a-fA-F]{64}$/

function hashParam(params: unknown[], name: string): Hex {
  const value = params[0]
  if (typeof value !== 'string' || !HASH.test(value)) throw new RpcError(-32602, `invalid params: ${name} must be a 32-byte hex string`)
  return value.toLowerCase() as Hex
}

async function blockFor(chain: Chain, selector: unknown): Promise<Block | undefined> {
  if (typeof selector === 'string' && HASH.test(selector)) return chain.store.blockByHash(hexToBytes(selector as Hex))
  if (selector === 'latest' || selector === 'pending' || selector === undefined) return chain.head
  if (selector === 'earliest') return chain.store.blockByNumber(0n)
  if (typeof selector === 'string' && /^0x[0-9a-fA-F]+$/.test(selector)) return chain.store.blockByNumber(BigInt(selector))
  throw new RpcError(-32602, 'invalid params: expected a block number, block hash or tag')
}

/**
 * A record as JSON. A ZK record's verification is its proof status (ZkInferences), an OPTIMISTIC
 * record's its claim status (InferenceSettlement), both read at the head.
 */
async function formatWithStatus(chain: Chain, record: InferenceRecord, block: Block) {
  const formatted = formatRecord(record, block)
  if (record.status !== 'ok') return formatted
  const verification =
    record.mode === ModelInferenceMode.ZK
      ? await zkRecordVerification(chain, record.requestId)
      : record.mode === ModelInferenceMode.OPTIMISTIC
        ? await optimisticRecordVerification(chain, record.requestId)
        : undefined
  return verification ? { ...formatted, verification } : formatted
}

export function createInferenceMethods(chain: Chain): RpcMethodTable {
  return {
    inference_getRecordsByBlock: async (params) => {
      const block = await blockFor(chain, params[0])
      if (!block) return null
      return Promise.all((await chain.recordsOf(block.hash())).map((r) => formatWithStatus(chain, r, block)))
    },
    inference_getRecord: async (params) => {
      const found = await chain.recordById(hashParam(params, 'requestId'))
      return found ? formatWithStatus(chain, found.record, found.block) : null
    },
    inference_getRecordsByTransaction: async (params) => {
      const txHash = hashParam(params, 'txHash')
      const location = await chain.store.transaction(hexToBytes(txHash))
      if (!location) return []
      const records = (await chain.recordsOf(location.block.hash())).filter((r) => r.txHash === txHash)
      return Promise.all(records.map((r) => formatWithStatus(chain, r, location.block)))
    },
  }
}
