/**
 * Runs async tasks one at a time, in order. The VM and its state manager are not safe for concurrent
 * use, and an async precompile yields mid-transaction, so every VM/state access goes through one queue.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task)
    // Keep the chain alive whatever the task's outcome; callers see the outcome through `result`.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    )
    return result
  }
}
