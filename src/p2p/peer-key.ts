/**
 * A node's libp2p identity: an Ed25519 key kept in its data dir, so its peer id — and the multiaddr
 * others were given with `--peer` — survives restarts.
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { P2pError } from './errors.js'

export async function loadOrCreatePeerKey(file: string): Promise<PrivateKey> {
  if (existsSync(file)) {
    try {
      return privateKeyFromProtobuf(readFileSync(file))
    } catch (err) {
      throw new P2pError('P2P_BAD_PEER_KEY', `the peer key in ${file} is unreadable (delete it to make a new identity)`, { cause: err })
    }
  }
  const key = await generateKeyPair('Ed25519')
  mkdirSync(dirname(file), { recursive: true })
  // Written before first use and never rewritten: mode 0600, it is the node's network identity.
  writeFileSync(file, privateKeyToProtobuf(key), { mode: 0o600 })
  return key
}
