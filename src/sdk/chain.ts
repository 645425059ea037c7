/** viem clients for an inferchain network. */
import { createPublicClient, createWalletClient, defineChain, http, type Chain, type Hex, type PublicClient, type WalletClient } from 'viem'
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import { DEFAULT_CHAIN_ID } from '../params.js'

/**
 * The viem `Chain` of an inferchain network.
 *
 * @example
 * const chain = inferchainChain('http://127.0.0.1:8545')
 */
export function inferchainChain(rpcUrl: string, chainId: number = DEFAULT_CHAIN_ID): Chain {
  return defineChain({
    id: chainId,
    name: 'inferchain',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
}

/**
 * A public and a wallet client on one RPC URL, signing locally with `privateKey`.
 *
 * @example
 * const { publicClient, walletClient } = await connect({ rpcUrl, privateKey })
 */
export interface InferchainClients {
  chain: Chain
  publicClient: PublicClient
  /** Present when a private key was given. */
  walletClient?: WalletClient
  account?: PrivateKeyAccount
}

export async function connect(options: { rpcUrl: string; privateKey?: Hex; chainId?: number }): Promise<InferchainClients> {
  const transport = http(options.rpcUrl, { timeout: 60_000 })
  const probe = createPublicClient({ transport })
  const chain = inferchainChain(options.rpcUrl, options.chainId ?? (await probe.getChainId()))
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 100 }) as PublicClient
  const account = options.privateKey ? privateKeyToAccount(options.privateKey) : undefined
  const walletClient = account ? createWalletClient({ chain, transport, account }) : undefined
  return { chain, publicClient, walletClient, account }
}
