/** What an inference node needs from a TEE: something that attests a result bound to its request. */
import type { Hex } from 'viem'
import type { TeeBinding } from './binding.js'

export interface TeeBackend {
  /** `dev` for the development enclave; real hardware backends name themselves (`nitro`, ...). */
  readonly kind: string
  /** PCR0, the image measurement the chain's allowlist must hold (0x-hex). */
  readonly measurement: Hex
  /** The enclave's own public key (SPKI DER, 0x-hex): the `public_key` of every document, registered in NodeRegistry. */
  readonly enclaveKey: Hex
  /** A serialized attestation document (COSE_Sign1) binding `binding`. */
  attest(binding: TeeBinding): Uint8Array | Promise<Uint8Array>
}
