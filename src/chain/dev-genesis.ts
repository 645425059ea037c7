/**
 * The devnet's genesis: the dev accounts funded, the system contracts in place, dev account #0 as
 * NodeRegistry's admin (it keeps the TEE measurement allowlist), and the development enclave's root
 * pinned for TEE attestations — devnets only: anyone can sign under the dev root.
 */
import { compileContracts } from '../contracts/compile.js'
import { nodeRegistryAdminStorage, systemContractGenesis } from '../contracts/system.js'
import { DEV_ACCOUNT_BALANCE, DEV_ACCOUNT_COUNT, NODE_REGISTRY_ADDRESS } from '../params.js'
import { devRootAuthority } from '../tee/dev-enclave.js'
import { bytesToHex } from 'viem'
import { devAccounts, devSealer } from './dev-accounts.js'
import type { GenesisSpec } from './genesis.js'

export async function devGenesis(chainId: number): Promise<GenesisSpec> {
  const compiled = await compileContracts()
  return {
    chainId,
    sealer: devSealer().address,
    accounts: devAccounts(DEV_ACCOUNT_COUNT).map(({ address }) => ({ address, balance: DEV_ACCOUNT_BALANCE })),
    contracts: systemContractGenesis(compiled).map(({ address, code }) =>
      address === NODE_REGISTRY_ADDRESS ? { address, code, storage: nodeRegistryAdminStorage(compiled, devAccounts(1)[0]!.address) } : { address, code },
    ),
    teeTrustedRoots: [bytesToHex(devRootAuthority().certificate)],
  }
}
