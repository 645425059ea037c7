/**
 * Deterministic crash injection for recovery tests. With `INFERCHAIN_CRASH_AT=<point>:<block number>`
 * in its environment, the process kills itself with SIGKILL — no cleanup, no flush, exactly like
 * `kill -9` or a power cut — when it reaches `point` for that block. Without the variable this is
 * one comparison. Points:
 *   import-after-state   a follower has written the block's state but not the block, receipts or head
 */
const target = parse(process.env.INFERCHAIN_CRASH_AT)

export function crashPoint(point: string, blockNumber: bigint): void {
  if (target && target.point === point && target.blockNumber === blockNumber) process.kill(process.pid, 'SIGKILL')
}

function parse(value: string | undefined): { point: string; blockNumber: bigint } | undefined {
  const match = value?.match(/^([a-z-]+):(\d+)$/)
  return match ? { point: match[1]!, blockNumber: BigInt(match[2]!) } : undefined
}
