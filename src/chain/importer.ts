/**
 * Importing a block this node did not produce (Validation-Computation Separation): check the header
 * and the records' commitment, verify every record's evidence with the verifier of its mode (against
 * the registry as of the parent block), replay the transactions with the recorded results — never
 * running a model — and accept the block only if the state root, receipts, logs bloom and gas it
 * derives equal the header's. A rejected block leaves the node exactly on its previous head.
 */
import type { Block } from '@ethereumjs/block'
import { bytesToHex, equalsBytes } from '@ethereumjs/util'
import type { Hex } from 'viem'
import { InferchainError } from '../errors.js'
import { decodeRecords, encodeRecords, recordsCommitment } from '../evm/record-codec.js'
import { computeRequestId, type InferenceRecord } from '../evm/records.js'
import { ReplayProvider } from '../evm/replay.js'
import { InferenceSession } from '../evm/session.js'
import type { ModelInferenceMode } from '../evm/types.js'
import { BLOCK_GAS_LIMIT } from '../params.js'
import type { RecordVerifier } from '../verify/types.js'
import { deriveRoots, type Chain } from './chain.js'
import { verificationContextAtHead } from './verification-context.js'
import { crashPoint } from './crash-point.js'
import { sealProblem } from './seal.js'
import { scheduledCallsProblem } from '../workflows/check.js'
import { scheduledCalls } from '../workflows/schedule.js'
import { recoverSendersOffThread } from './transaction-decoding.js'

export class BlockRejectedError extends InferchainError {
  override readonly name = 'BlockRejectedError' as const
  constructor(block: Block, reason: string) {
    super('BLOCK_REJECTED', `block ${block.header.number} (${bytesToHex(block.hash())}) rejected: ${reason}`, {
      details: { number: block.header.number.toString(), hash: bytesToHex(block.hash()), reason },
    })
  }
}

/**
 * This node cannot decide the block now — it lacks something only it is missing (the model a dispute
 * re-executes). Not the block's fault: its sender is not blamed, and the block is tried again later.
 */
export class BlockUndecidedError extends InferchainError {
  override readonly name = 'BlockUndecidedError' as const
  constructor(block: Block, reason: string) {
    super('BLOCK_UNDECIDED', `block ${block.header.number} (${bytesToHex(block.hash())}) cannot be verified here yet: ${reason}`, {
      details: { number: block.header.number.toString(), hash: bytesToHex(block.hash()), reason },
    })
  }
}

export type ImportResult = 'imported' | 'known'

export class BlockImporter {
  constructor(
    private readonly chain: Chain,
    private readonly verifiers: Map<ModelInferenceMode, RecordVerifier>,
  ) {}

  /**
   * Imports the next block: `encodedRecords` are the inference records stored beside it (empty if
   * none), `seal` the sealer's signature of its hash.
   */
  import(block: Block, encodedRecords: Uint8Array, seal: Uint8Array): Promise<ImportResult> {
    return this.chain.exclusive(async () => {
      if (await this.chain.store.blockByHash(block.hash())) return 'known'
      const reject = (reason: string): never => {
        throw new BlockRejectedError(block, reason)
      }
      const unsealed = sealProblem(block, seal, this.chain.sealer.bytes)
      if (unsealed !== undefined) reject(`not sealed by the chain's sealer: ${unsealed}`)
      this.checkHeader(block, reject)
      // Only for a block its sealer signed: senders are recovered on the worker thread while this one checks the records' evidence.
      const senders = recoverSendersOffThread(block.transactions)
      const checkedRecords = await this.checkRecords(block, encodedRecords, reject)
      await senders
      // Verdicts in the order of the checks' meaning: transactions, workflow calls, then records.
      for (const tx of block.transactions) if (!tx.verifySignature()) reject(`transaction ${bytesToHex(tx.hash())} has an invalid signature`)
      // The block must open with exactly the workflow calls due at its parent (docs/decisions/workflows.md).
      const parent = this.chain.head
      const workflowProblem = await this.chain.withStateAt(parent.header.number, async (vm) =>
        scheduledCallsProblem(block, await scheduledCalls(vm, this.chain.common, parent, block)),
      )
      if (workflowProblem !== undefined) reject(workflowProblem)
      if (checkedRecords instanceof BlockRejectedError) throw checkedRecords
      const { records, byTx } = checkedRecords
      const providers = new Map<string, ReplayProvider>()
      const sessions: InferenceSession[] = []
      let problem: string | undefined
      let undecided: string | undefined
      const { outcome } = await this.chain.executeOnHead(
        block,
        block.transactions,
        (tx) => {
          const hash = bytesToHex(tx.hash()) as Hex
          const provider = new ReplayProvider(byTx.get(hash) ?? [])
          providers.set(hash, provider)
          const session = new InferenceSession(provider, hash)
          sessions.push(session)
          return session
        },
        async (outcome, stateRoot) => {
          undecided = sessions.find((s) => s.unavailable !== undefined)?.unavailable
          if (undecided !== undefined) return false
          problem = await this.compare(block, outcome, stateRoot, providers, sessions, encodedRecords)
          return problem === undefined
        },
      )
      if (undecided !== undefined) throw new BlockUndecidedError(block, undecided)
      if (problem !== undefined) reject(problem)
      crashPoint('import-after-state', block.header.number)
      await this.chain.adopt(block, seal, outcome.executed.map((e) => e.receipt), records, encodedRecords)
      return 'imported'
    })
  }

  private checkHeader(block: Block, reject: (reason: string) => never): void {
    const parent = this.chain.head
    const h = block.header
    if (!equalsBytes(h.parentHash, parent.hash()) || h.number !== parent.header.number + 1n) {
      reject(`does not extend the head ${parent.header.number} (${bytesToHex(parent.hash())})`)
    }
    if (h.timestamp <= parent.header.timestamp) reject(`timestamp ${h.timestamp} is not after the parent's ${parent.header.timestamp}`)
    if (h.gasLimit !== BLOCK_GAS_LIMIT) reject(`gas limit ${h.gasLimit} is not ${BLOCK_GAS_LIMIT}`)
    if (h.baseFeePerGas !== parent.header.calcNextBaseFee()) reject(`base fee ${h.baseFeePerGas} is not ${parent.header.calcNextBaseFee()}`)
  }

  /** The records decoded, grouped per transaction and their evidence verified — or why not, to report in its turn. */
  private async checkRecords(
    block: Block,
    encoded: Uint8Array,
    reject: (reason: string) => never,
  ): Promise<{ records: InferenceRecord[]; byTx: Map<Hex, InferenceRecord[]> } | BlockRejectedError> {
    try {
      const records = this.decode(block, encoded, reject)
      const byTx = groupByTransaction(block, records, reject)
      await this.verifyEvidence(block, records, reject)
      return { records, byTx }
    } catch (err) {
      if (err instanceof BlockRejectedError) return err
      throw err
    }
  }

  private decode(block: Block, encoded: Uint8Array, reject: (reason: string) => never): InferenceRecord[] {
    let records: InferenceRecord[] = []
    if (encoded.length > 0) {
      try {
        records = decodeRecords(encoded)
      } catch {
        reject('inference records are not decodable')
      }
    }
    if (!equalsBytes(recordsCommitment(encoded, records.length), block.header.extraData)) {
      reject('inference records do not match the commitment in extraData')
    }
    return records
  }

  private async verifyEvidence(block: Block, records: InferenceRecord[], reject: (reason: string) => never): Promise<void> {
    // The head is the parent here: the registry and chain configuration as the block found them.
    const context = verificationContextAtHead(this.chain, { blockNumber: block.header.number, blockTimestamp: block.header.timestamp, insideExclusive: true })
    for (const record of records) {
      const verifier = this.verifiers.get(record.mode)
      if (!verifier) reject(`record ${record.requestId} has mode ${record.mode}, which this node cannot verify`)
      const outcome = await verifier!.verify(record, context)
      if (outcome.status === 'rejected') reject(`record ${record.requestId}: ${outcome.reason}`)
    }
  }

  private async compare(
    block: Block,
    outcome: Awaited<ReturnType<Chain['executeOnHead']>>['outcome'],
    stateRoot: Uint8Array,
    providers: Map<string, ReplayProvider>,
    sessions: InferenceSession[],
    encodedRecords: Uint8Array,
  ): Promise<string | undefined> {
    if (outcome.rejected.length > 0) return `transaction ${bytesToHex(outcome.rejected[0]!.tx.hash())} is invalid: ${outcome.rejected[0]!.reason}`
    if (outcome.executed.length !== block.transactions.length) return 'not every transaction could be executed'
    for (const [hash, provider] of providers) {
      if (provider.mismatch) return `transaction ${hash}: ${provider.mismatch}`
      if (provider.unconsumed() > 0) return `transaction ${hash} has ${provider.unconsumed()} record(s) its execution never asked for`
    }
    // The records the replay produced must be the block's, byte for byte (order, ids, outputs).
    const replayed = sessions.flatMap((s) => s.records)
    if (!equalsBytes(encodeRecords(replayed), encodedRecords.length > 0 ? encodedRecords : encodeRecords([]))) {
      return 'inference records differ from what the transactions asked for (missing, extra or reordered)'
    }
    const h = block.header
    if (outcome.gasUsed !== h.gasUsed) return `gas used ${outcome.gasUsed} is not the header's ${h.gasUsed}`
    if (!equalsBytes(stateRoot, h.stateRoot)) return `state root ${bytesToHex(stateRoot)} is not the header's ${bytesToHex(h.stateRoot)}`
    const derived = await deriveRoots(outcome, this.chain.common)
    if (!equalsBytes(derived.receiptTrie, h.receiptTrie)) return 'receipts root differs from the header'
    if (!equalsBytes(derived.transactionsTrie, h.transactionsTrie)) return 'transactions root differs from the header'
    if (!equalsBytes(derived.logsBloom, h.logsBloom)) return 'logs bloom differs from the header'
    return undefined
  }
}

function groupByTransaction(block: Block, records: InferenceRecord[], reject: (reason: string) => never): Map<Hex, InferenceRecord[]> {
  const order = new Map(block.transactions.map((tx, i) => [bytesToHex(tx.hash()) as Hex, i]))
  const byTx = new Map<Hex, InferenceRecord[]>()
  let lastTx = -1
  for (const record of records) {
    const index = order.get(record.txHash)
    if (index === undefined) reject(`record ${record.requestId} names transaction ${record.txHash}, which is not in the block`)
    if (index! < lastTx) reject(`records are not in transaction order at ${record.requestId}`)
    lastTx = index!
    const list = byTx.get(record.txHash) ?? []
    if (record.callIndex !== list.length) reject(`record ${record.requestId} has call index ${record.callIndex}, expected ${list.length}`)
    if (record.requestId !== computeRequestId(record.txHash, record.callIndex)) reject(`record ${record.requestId} has a wrong request id`)
    list.push(record)
    byTx.set(record.txHash, list)
  }
  return byTx
}
