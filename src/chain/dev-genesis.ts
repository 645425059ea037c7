/**
 * The devnet's genesis: the dev accounts funded, the system contracts in place, dev account #0 as
 * NodeRegistry's admin (it keeps the TEE measurement allowlist), and the development enclave's root
 * pinned for TEE attestations — devnets only: anyone can sign under the dev root. The workflow
 * runner is funded and dev account #0 is OGHistorical's admin (it writes candles).
 */
import { compileContracts } from '../contracts/compile.js'
import { nodeRegistryAdminStorage, settlementParamsStorage, systemContractGenesis } from '../contracts/system.js'
import { DEFAULT_SETTLEMENT_PARAMS, DEV_ACCOUNT_BALANCE, DEV_ACCOUNT_COUNT, INFERENCE_SETTLEMENT_ADDRESS, NODE_REGISTRY_ADDRESS, type SettlementParams } from '../params.js'
import { devRootAuthority } from '../tee/dev-enclave.js'
import { bytesToHex } from 'viem'
import { devAccounts, devSealer } from './dev-accounts.js'
import type { GenesisSpec } from './genesis.js'
import { workflowGenesis } from '../workflows/genesis.js'

/** Chain parameters a devnet may choose (they are part of genesis: every node of a network must agree). */
export interface DevGenesisOptions {
  settlement?: Partial<SettlementParams>
}

export async function devGenesis(chainId: number, options: DevGenesisOptions = {}): Promise<GenesisSpec> {
  const compiled = await compileContracts()
  const settlement = { ...DEFAULT_SETTLEMENT_PARAMS, ...options.settlement }
  // Workflows: the runner funded, the scheduler told who it is; dev account #0 writes candles.
  const workflows = workflowGenesis(compiled, chainId, devAccounts(1)[0]!.address)
  const storage = (address: string) =>
    workflows.storage.get(address as `0x${string}`) ??
    (address === NODE_REGISTRY_ADDRESS
      ? nodeRegistryAdminStorage(compiled, devAccounts(1)[0]!.address)
      : address === INFERENCE_SETTLEMENT_ADDRESS
        ? settlementParamsStorage(compiled, settlement)
        : undefined)
  return {
    chainId,
    sealer: devSealer().address,
    accounts: [...devAccounts(DEV_ACCOUNT_COUNT).map(({ address }) => ({ address, balance: DEV_ACCOUNT_BALANCE })), ...workflows.accounts],
    contracts: systemContractGenesis(compiled).map(({ address, code }) => {
      const slots = storage(address)
      return slots === undefined ? { address, code } : { address, code, storage: slots }
    }),
    teeTrustedRoots: [bytesToHex(devRootAuthority().certificate)],
  }
}
