/**
 * What an importer checks about workflow calls: the block opens with exactly the scheduled calls
 * derived from its parent (same fields, signed by the runner), and the runner sends nothing else.
 */
import type { Block } from '@ethereumjs/block'
import { bytesToHex, equalsBytes } from '@ethereumjs/util'
import { workflowRunner } from './runner.js'
import type { ScheduledCall } from './schedule.js'

/** Why the block's workflow calls are wrong, or undefined when they are right. */
export function scheduledCallsProblem(block: Block, expected: ScheduledCall[]): string | undefined {
  const runner = workflowRunner(block.common.chainId()).address.toLowerCase()
  for (let i = 0; i < expected.length; i++) {
    const tx = block.transactions[i]
    const want = expected[i]!
    if (tx === undefined) return `the block lacks scheduled workflow call ${i} (task ${want.taskId})`
    const message = tx.getMessageToSign()
    const sameFields = message instanceof Uint8Array && equalsBytes(message, want.tx.getMessageToSign())
    if (!sameFields || tx.getSenderAddress().toString().toLowerCase() !== runner) {
      return `transaction ${i} (${bytesToHex(tx.hash())}) is not the scheduled workflow call of task ${want.taskId}`
    }
  }
  for (const tx of block.transactions.slice(expected.length)) {
    if (tx.getSenderAddress().toString().toLowerCase() === runner) {
      return `transaction ${bytesToHex(tx.hash())} is from the workflow runner but is not a scheduled call`
    }
  }
  return undefined
}
