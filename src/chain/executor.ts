/**
 * Executes transactions of one block on the current state. Shared by the producer and (later) the
 * importer, so both derive the same receipts and roots by construction.
 *
 * Each transaction runs in its own checkpoint with its own inference session; a transaction whose
 * inference was not precomputed (`session.missed`) is rolled back and handed back as deferred.
 */
import type { Block } from '@ethereumjs/block'
import type { TypedTransaction } from '@ethereumjs/tx'
import { runTx, type RunTxResult, type VM } from '@ethereumjs/vm'
import { bytesToHex } from '@ethereumjs/util'
import type { Hex } from 'viem'
import type { InferenceRecord } from '../evm/records.js'
import type { InferenceSession } from '../evm/session.js'
import type { StoredReceipt } from '../rpc/types.js'

export interface ExecutedTransaction {
  tx: TypedTransaction
  result: RunTxResult
  receipt: StoredReceipt
  records: InferenceRecord[]
}

export interface ExecutionOutcome {
  executed: ExecutedTransaction[]
  /** Rolled back: their inference results were not precomputed (prepare again). */
  missed: TypedTransaction[]
  /** Not run this block (block full, or an earlier transaction of the sender did not run). */
  postponed: TypedTransaction[]
  /** Not includable at all (bad nonce, balance, ...), with the reason. */
  rejected: Array<{ tx: TypedTransaction; reason: string }>
  gasUsed: bigint
}

export interface ExecutionHooks {
  /** Opens the inference session for a transaction. */
  session(tx: TypedTransaction): InferenceSession
  /** Makes `session` the one the precompile sees (cleared with undefined). */
  activate(session: InferenceSession | undefined): void
}

export async function executeTransactions(
  vm: VM,
  env: Block,
  txs: TypedTransaction[],
  hooks: ExecutionHooks,
): Promise<ExecutionOutcome> {
  const outcome: ExecutionOutcome = { executed: [], missed: [], postponed: [], rejected: [], gasUsed: 0n }
  const blockedSenders = new Set<string>()
  let cumulativeGas = 0n
  for (const tx of txs) {
    const sender = tx.getSenderAddress().toString()
    if (blockedSenders.has(sender)) {
      outcome.postponed.push(tx)
      continue
    }
    if (outcome.gasUsed + tx.gasLimit > env.header.gasLimit) {
      outcome.postponed.push(tx)
      blockedSenders.add(sender)
      continue
    }
    const session = hooks.session(tx)
    await vm.stateManager.checkpoint()
    hooks.activate(session)
    let result: RunTxResult
    try {
      result = await runTx(vm, { tx, block: env, skipHardForkValidation: true, blockGasUsed: cumulativeGas })
    } catch (err) {
      await vm.stateManager.revert()
      outcome.rejected.push({ tx, reason: (err as Error).message })
      blockedSenders.add(sender)
      continue
    } finally {
      hooks.activate(undefined)
    }
    if (session.missed) {
      await vm.stateManager.revert()
      outcome.missed.push(tx)
      blockedSenders.add(sender)
      continue
    }
    await vm.stateManager.commit()
    outcome.gasUsed += result.blockGasSpent
    cumulativeGas += result.totalGasSpent
    outcome.executed.push({ tx, result, receipt: toStoredReceipt(tx, result, env, cumulativeGas), records: session.records })
  }
  return outcome
}

function toStoredReceipt(tx: TypedTransaction, result: RunTxResult, env: Block, cumulativeGas: bigint): StoredReceipt {
  return {
    status: result.execResult.exceptionError === undefined ? 1 : 0,
    gasUsed: result.totalGasSpent,
    cumulativeGasUsed: cumulativeGas,
    logs: result.receipt.logs,
    bloom: result.bloom.bitvector,
    contractAddress: result.createdAddress?.bytes,
    effectiveGasPrice: effectiveGasPrice(tx, env.header.baseFeePerGas ?? 0n),
  }
}

export function effectiveGasPrice(tx: TypedTransaction, baseFee: bigint): bigint {
  if ('maxFeePerGas' in tx) {
    const tip = tx.maxPriorityFeePerGas < tx.maxFeePerGas - baseFee ? tx.maxPriorityFeePerGas : tx.maxFeePerGas - baseFee
    return baseFee + tip
  }
  return (tx as { gasPrice: bigint }).gasPrice
}

export function txHashHex(tx: TypedTransaction): Hex {
  return bytesToHex(tx.hash()) as Hex
}
