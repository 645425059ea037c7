/** `net_*` methods. */
import type { RpcBackend, RpcMethodTable } from '../types.js'

export function createNetMethods(backend: RpcBackend, peerCount: () => number = () => 0): RpcMethodTable {
  return {
    net_version: () => backend.chainId.toString(),
    net_listening: () => true,
    net_peerCount: () => `0x${peerCount().toString(16)}`,
  }
}
