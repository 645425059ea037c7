/** Typed errors of scheduled workflows. */
import { InferchainError } from '../errors.js'

/** A transaction signed with the workflow runner's (public) key was submitted: only the producer sends those. */
export class RunnerTransactionError extends InferchainError {
  override readonly name = 'RunnerTransactionError' as const
  constructor(runner: string) {
    super('RESERVED_SENDER', `${runner} is the chain's workflow runner: its transactions are only the scheduled calls the producer adds`, { details: { runner } })
  }
}

/** A CLI or SDK argument for a workflow is not usable (a time, a frequency, an amount). */
export class WorkflowArgumentError extends InferchainError {
  override readonly name = 'WorkflowArgumentError' as const
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('INVALID_WORKFLOW_ARGUMENT', message, { details })
  }
}
