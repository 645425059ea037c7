/**
 * The libp2p host of a full node: TCP, Noise encryption, Yamux multiplexing, identify and gossipsub.
 * Listens on loopback by default; `--p2p-host 0.0.0.0` exposes it.
 */
import './node20.js'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub, type GossipSub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'

export type P2pHost = Libp2p<{ pubsub: GossipSub; identify: unknown }>

export interface HostOptions {
  privateKey: PrivateKey
  host?: string
  /** 0 picks a free port. */
  port?: number
}

/** Largest gossip message: a full block of inference records with large outputs still fits. */
const MAX_GOSSIP_BYTES = 16 * 1024 * 1024

export async function startP2pHost(options: HostOptions): Promise<P2pHost> {
  const host = options.host ?? '127.0.0.1'
  return createLibp2p({
    privateKey: options.privateKey,
    addresses: { listen: [`/ip4/${host}/tcp/${options.port ?? 0}`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      pubsub: gossipsub({
        // A producer with no followers yet still publishes; they catch up by request/response.
        allowPublishToZeroTopicPeers: true,
        // Every node tries to tell everyone it knows about a new block at once (a small network).
        floodPublish: true,
        maxInboundDataLength: MAX_GOSSIP_BYTES,
      }),
    },
  })
}
