/** The devnet's genesis: the dev accounts funded, the system contracts in place. */
import { compileContracts } from '../contracts/compile.js'
import { systemContractGenesis } from '../contracts/system.js'
import { DEV_ACCOUNT_BALANCE, DEV_ACCOUNT_COUNT } from '../params.js'
import { devAccounts } from './dev-accounts.js'
import type { GenesisSpec } from './genesis.js'

export async function devGenesis(chainId: number): Promise<GenesisSpec> {
  const compiled = await compileContracts()
  return {
    chainId,
    accounts: devAccounts(DEV_ACCOUNT_COUNT).map(({ address }) => ({ address, balance: DEV_ACCOUNT_BALANCE })),
    contracts: systemContractGenesis(compiled).map(({ address, code }) => ({ address, code })),
  }
}
