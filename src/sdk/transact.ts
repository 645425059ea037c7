/** Sending a contract transaction and waiting for its receipt: what every SDK write does. */
import type { Hex, PublicClient, WalletClient } from 'viem'

export type WriteClients = { publicClient: PublicClient; walletClient: WalletClient }

/** Sends `request`, waits for the receipt, and throws if the transaction reverted. */
export async function sendAndWait(clients: WriteClients, request: Omit<Parameters<WalletClient['writeContract']>[0], 'value'> & { value?: bigint }): Promise<Hex> {
  // `value` is typed per function by viem; this erased signature cannot see that `stake` is payable.
  const hash = await clients.walletClient.writeContract(request as Parameters<WalletClient['writeContract']>[0])
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 })
  if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`)
  return hash
}
