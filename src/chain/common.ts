/**
 * The chain's `Common`: every hardfork up to HARDFORK active from block 0 (genesis timestamp 0),
 * so all blocks run under one rule set. Signature recovery and hashing use the native libraries.
 */
import { createCustomCommon, Mainnet, type Common, type HardforkTransitionConfig } from '@ethereumjs/common'
import { chainCrypto } from '../crypto/native.js'
import { HARDFORK } from '../params.js'

export function createChainCommon(chainId: number): Common {
  const hardforks: HardforkTransitionConfig[] = []
  for (const fork of Mainnet.hardforks) {
    hardforks.push({ name: fork.name, block: 0, timestamp: 0 })
    if (fork.name === HARDFORK) break
  }
  return createCustomCommon({ name: 'inferchain', chainId, hardforks }, Mainnet, { hardfork: HARDFORK, customCrypto: chainCrypto })
}
