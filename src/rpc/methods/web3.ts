/** `web3_*` methods. */
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { keccak256 } from 'ethereum-cryptography/keccak.js'
import { data, parse } from '../params.js'
import type { RpcBackend, RpcMethodTable } from '../types.js'

export function createWeb3Methods(backend: RpcBackend): RpcMethodTable {
  return {
    web3_clientVersion: () => backend.clientVersion,
    web3_sha3: ([input]) => bytesToHex(keccak256(hexToBytes(parse(data, input, 'data') as `0x${string}`))),
  }
}
