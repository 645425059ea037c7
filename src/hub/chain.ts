/**
 * Repository ownership on chain (ModelRegistry's hub-repositories section): the hub reads it over
 * JSON-RPC with viem to decide who may write; owners claim names with a transaction.
 */
import { createPublicClient, http, zeroAddress, type Address, type Hex, type PublicClient, type WalletClient } from 'viem'
import { modelRegistryAbi } from '../contracts/system.js'
import { MODEL_REGISTRY_ADDRESS } from '../params.js'
import { HubError } from './errors.js'

/** What the hub needs to know from the chain. */
export interface RepositoryOwnership {
  chainId(): Promise<number>
  /** The on-chain owner of repository `name`, undefined if nobody created it. */
  ownerOf(name: string): Promise<Address | undefined>
}

/**
 * Ownership read from a full node's JSON-RPC at its latest block.
 *
 * @example
 * const ownership = chainOwnership('http://127.0.0.1:8545')
 * await ownership.ownerOf('mnist') // 0xf39F… or undefined
 */
export function chainOwnership(rpcUrl: string): RepositoryOwnership {
  const client = createPublicClient({ transport: http(rpcUrl, { timeout: 10_000, retryCount: 1 }) })
  let chainId: Promise<number> | undefined
  const unavailable = (cause: unknown) => new HubError('CHAIN_UNAVAILABLE', `cannot read the chain at ${rpcUrl}`, { cause, details: { rpcUrl } })
  return {
    chainId: () => {
      // Asked once; a failure is not cached, so a hub started before its node recovers.
      chainId ??= client.getChainId().catch((cause: unknown) => {
        chainId = undefined
        throw unavailable(cause)
      })
      return chainId
    },
    ownerOf: async (name) => {
      const owner = await client
        .readContract({ address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, functionName: 'repositoryOwner', args: [name] })
        .catch((cause: unknown) => {
          throw unavailable(cause)
        })
      return owner === zeroAddress ? undefined : owner
    },
  }
}

/**
 * Claims repository `name` in ModelRegistry for the wallet's account; does nothing if that account
 * owns it already. Returns the transaction hash, or undefined if nothing was sent.
 *
 * @throws HubError `NOT_REPOSITORY_OWNER` when someone else owns the name.
 * @example
 * await createRepositoryOnChain({ publicClient, walletClient }, 'mnist')
 */
export async function createRepositoryOnChain(clients: { publicClient: PublicClient; walletClient: WalletClient }, name: string): Promise<Hex | undefined> {
  const account = clients.walletClient.account!
  const owner = await clients.publicClient.readContract({ address: MODEL_REGISTRY_ADDRESS, abi: modelRegistryAbi, functionName: 'repositoryOwner', args: [name] })
  if (owner.toLowerCase() === account.address.toLowerCase()) return undefined
  if (owner !== zeroAddress) throw new HubError('NOT_REPOSITORY_OWNER', `repository ${name} belongs to ${owner}`, { details: { name, owner } })
  const hash = await clients.walletClient.writeContract({
    address: MODEL_REGISTRY_ADDRESS,
    abi: modelRegistryAbi,
    functionName: 'createRepository',
    args: [name],
    account,
    chain: clients.walletClient.chain,
  })
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 })
  if (receipt.status !== 'success') throw new HubError('HUB_ERROR', `createRepository(${name}) reverted in ${hash}`, { details: { hash } })
  return hash
}
