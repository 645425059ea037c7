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
  return Array.from({ length: count }, (_, i) => devAccount(i, mnemonic))
}

/**
 * The devnet's block sealer: index 100 of the dev mnemonic — not a funded account, so the fees it
 * earns never disturb balances a user or test watches. Not a secret: devnets only.
 */
export function devSealer(): DevAccount {
  return devAccount(DEV_SEALER_INDEX)
}

const DEV_SEALER_INDEX = 100
const roots = new Map<string, HDKey>()

function devAccount(index: number, mnemonic = DEV_MNEMONIC): DevAccount {
  // The seed derivation (PBKDF2) is slow: once per mnemonic.
  let root = roots.get(mnemonic)
  if (!root) roots.set(mnemonic, (root = HDKey.fromMasterSeed(mnemonicToSeedSync(mnemonic))))
  const privateKey = bytesToHex(root.derive(`m/44'/60'/0'/0/${index}`).privateKey!)
  return { address: privateKeyToAddress(privateKey), privateKey }
}
