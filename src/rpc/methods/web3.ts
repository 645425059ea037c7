/** `web3_*` methods. */
import { bytesToHex } from '@ethereumjs/util'
import { keccak256 } from 'ethereum-cryptography/keccak.js'
import { bytes, hexData, parse } from '../params.js'
import type { RpcBackend, RpcMethodTable } from '../types.js'

/**
 * @example
 * createWeb3Methods(backend).web3_sha3(['0x68656c6c6f']) // keccak256("hello")
 */
export function createWeb3Methods(backend: Pick<RpcBackend, 'clientVersion'>): RpcMethodTable {
  return {
    web3_clientVersion: () => backend.clientVersion,
    web3_sha3: ([input]) => bytesToHex(keccak256(bytes(parse(hexData, input, 'data')))),
  }
}
