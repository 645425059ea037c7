/** `net_*` methods. */
import { hexQuantity } from '../format.js'
import type { RpcBackend, RpcMethodTable } from '../types.js'

/**
 * `peerCount` reports the connected peers (the p2p layer supplies it; 0 for a lone node).
 *
 * @example
 * createNetMethods(backend, () => p2p.peers.size)
 */
export function createNetMethods(backend: Pick<RpcBackend, 'chainId'>, peerCount: () => number = () => 0): RpcMethodTable {
  return {
    // net_version is the chain id in decimal, by convention.
    net_version: () => backend.chainId.toString(),
    net_listening: () => true,
    net_peerCount: () => hexQuantity(peerCount()),
  }
}
