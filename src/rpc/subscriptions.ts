/** Matching logs against a subscription's filter (address and topics; block range does not apply). */
import { bytesToHex } from '@ethereumjs/util'
import type { z } from 'zod'
import type { logFilter } from './params.js'
import type { LogTuple } from './types.js'

export function createLogMatcher(filter: z.infer<typeof logFilter>): (log: LogTuple) => boolean {
  const addresses = filter.address === undefined ? [] : (Array.isArray(filter.address) ? filter.address : [filter.address]).map((a) => a.toLowerCase())
  const topics = (filter.topics ?? []).map((t) => (t === null ? null : (Array.isArray(t) ? t : [t]).filter((x): x is string => x !== null).map((x) => x.toLowerCase())))
  return ([address, logTopics]) => {
    if (addresses.length > 0 && !addresses.includes(bytesToHex(address))) return false
    return topics.every((alt, i) => !alt || alt.length === 0 || (logTopics[i] !== undefined && alt.includes(bytesToHex(logTopics[i]!))))
  }
}
