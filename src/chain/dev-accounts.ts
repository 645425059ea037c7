/**
 * The dev accounts of the standard mnemonic (m/44'/60'/0'/0/i), the same keys Hardhat and Anvil
 * fund, so wallets and tools recognise them.
 */
import { mnemonicToSeedSync } from '@scure/bip39'
import { HDKey, privateKeyToAddress } from 'viem/accounts'
import { bytesToHex, type Address, type Hex } from 'viem'
import { DEV_MNEMONIC } from '../params.js'

export interface DevAccount {
  address: Address
  privateKey: Hex
}

export function devAccounts(count: number, mnemonic = DEV_MNEMONIC): DevAccount[] {
  // One seed derivation (PBKDF2, slow) for all accounts.
  const root = HDKey.fromMasterSeed(mnemonicToSeedSync(mnemonic))
  return Array.from({ length: count }, (_, i) => {
    const key = root.derive(`m/44'/60'/0'/0/${i}`).privateKey!
    const privateKey = bytesToHex(key)
    return { address: privateKeyToAddress(privateKey), privateKey }
  })
}
