/**
 * Inference records as a client reads them (`inference_*` JSON-RPC), and their offline
 * verification with the very verifiers a full node runs at import, against the registry as of the
 * record's parent block — a client need not trust the node it asked.
 */
import type { Hex, PublicClient } from 'viem'
import { nodeRegistryAbi } from '../contracts/system.js'
import type { InferenceRecord } from '../evm/records.js'
import { ModelInferenceMode, type ModelOutput } from '../evm/types.js'
import { DEFAULT_CHAIN_ID, NODE_REGISTRY_ADDRESS } from '../params.js'
import { devRootAuthority } from '../tee/dev-enclave.js'
import { AWS_NITRO_ROOT_G1, trustedRoot, type TrustedRoot } from '../tee/roots.js'
import { defaultVerifiers } from '../verify/index.js'
import type { VerificationContext, VerificationOutcome } from '../verify/types.js'
import { SdkError } from './errors.js'

/** A record as `inference_getRecord` answers it. */
export interface RpcInferenceRecord {
  requestId: Hex
  txHash: Hex
  callIndex: number
  blockNumber: Hex
  blockHash: Hex
  modelCid: string
  mode: keyof typeof ModelInferenceMode | string
  inputHash: Hex
  status: 'ok' | 'error'
  output: { numbers: Array<{ name: string; shape: number[]; values: Array<{ value: string; decimals: string }> }>; strings: Array<{ name: string; values: string[] }>; jsons: Array<{ name: string; value: string }> } | null
  outputHash: Hex | null
  node: Hex | null
  signature: Hex | null
  attestation: Hex | null
  error: { code?: string; reason?: string } | null
  verification: { status: string; evidence: string; signer?: Hex; reason?: string }
}

type Rpc = (args: { method: string; params: unknown[] }) => Promise<unknown>

/** One record by its request id, or null. */
export async function getInferenceRecord(publicClient: PublicClient, requestId: Hex): Promise<RpcInferenceRecord | null> {
  return (await (publicClient.request as Rpc)({ method: 'inference_getRecord', params: [requestId] })) as RpcInferenceRecord | null
}

/** The records of a transaction, or of a block (number, hash or tag). */
export async function getInferenceRecords(publicClient: PublicClient, of: { txHash: Hex } | { block: bigint | Hex | 'latest' }): Promise<RpcInferenceRecord[]> {
  const request = publicClient.request as Rpc
  if ('txHash' in of) return (await request({ method: 'inference_getRecordsByTransaction', params: [of.txHash] })) as RpcInferenceRecord[]
  const block = typeof of.block === 'bigint' ? `0x${of.block.toString(16)}` : of.block
  return ((await request({ method: 'inference_getRecordsByBlock', params: [block] })) as RpcInferenceRecord[] | null) ?? []
}

/** The record in the form verifiers take (numbers back to bigints, the mode back to its enum). */
export function toInferenceRecord(record: RpcInferenceRecord): InferenceRecord {
  const mode = ModelInferenceMode[record.mode as keyof typeof ModelInferenceMode] ?? Number(record.mode)
  const output: ModelOutput | undefined = record.output
    ? {
        numbers: record.output.numbers.map((t) => ({ name: t.name, shape: t.shape, values: t.values.map((v) => ({ value: BigInt(v.value), decimals: BigInt(v.decimals) })) })),
        strings: record.output.strings,
        jsons: record.output.jsons,
        isSimulationResult: false,
      }
    : undefined
  return {
    requestId: record.requestId,
    txHash: record.txHash,
    callIndex: record.callIndex,
    modelCid: record.modelCid,
    mode,
    inputHash: record.inputHash,
    status: record.status,
    ...(output && { output }),
    ...(record.outputHash && { outputHash: record.outputHash }),
    ...(record.node && { node: record.node }),
    ...(record.signature && { signature: record.signature }),
    ...(record.attestation && { attestation: record.attestation }),
    ...(record.error && { errorCode: record.error.code, errorReason: record.error.reason }),
  }
}

export interface VerifyOptions {
  /**
   * Roots TEE attestations must chain to (chain configuration). Default: what the dev genesis pins —
   * the inferchain dev root — on the devnet's chain id, the AWS Nitro root anywhere else.
   */
  trustedRoots?: readonly TrustedRoot[]
}

/** The roots a client trusts when not told: the dev root only on the devnet's own chain id. */
export function defaultTrustedRoots(chainId: bigint): readonly TrustedRoot[] {
  return chainId === BigInt(DEFAULT_CHAIN_ID) ? [trustedRoot(devRootAuthority().certificate, 'inferchain dev root')] : [AWS_NITRO_ROOT_G1]
}

/**
 * Verifies a record's evidence the way a full node does at import: the verifier of its mode, with
 * NodeRegistry read (over JSON-RPC) as of the block before the record's.
 *
 * @example
 * const outcome = await verifyInferenceRecord(publicClient, record)
 * if (outcome.status !== 'verified') throw new Error(outcome.status === 'rejected' ? outcome.reason : 'pending')
 */
export async function verifyInferenceRecord(publicClient: PublicClient, record: RpcInferenceRecord, options: VerifyOptions = {}): Promise<VerificationOutcome> {
  const verifier = defaultVerifiers().get(toInferenceRecord(record).mode)
  if (!verifier) return { status: 'rejected', reason: `no verifier for mode ${record.mode}` }
  const blockNumber = BigInt(record.blockNumber)
  const block = await publicClient.getBlock({ blockNumber })
  const parent = blockNumber - 1n
  const chainId = BigInt(await publicClient.getChainId())
  const read = <T>(functionName: 'isServing' | 'isTeeMeasurementAllowed' | 'enclaveKeyOf', args: readonly unknown[]) =>
    publicClient.readContract({ address: NODE_REGISTRY_ADDRESS, abi: nodeRegistryAbi, functionName, args, blockNumber: parent } as never) as Promise<T>
  const context: VerificationContext = {
    blockNumber,
    blockTimestamp: block.timestamp,
    chainId,
    isServing: (node, cid) => read<boolean>('isServing', [node, cid]),
    tee: {
      trustedRoots: options.trustedRoots ?? defaultTrustedRoots(chainId),
      isMeasurementAllowed: (measurement) => read<boolean>('isTeeMeasurementAllowed', [measurement]),
      enclaveKeyOf: async (node) => {
        const key = await read<Hex>('enclaveKeyOf', [node])
        return key === '0x' ? undefined : key
      },
    },
  }
  return verifier.verify(toInferenceRecord(record), context)
}

export { SdkError }
