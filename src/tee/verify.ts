/**
 * Verifying an attestation document, the same code for a genuine AWS Nitro document and one from
 * the development enclave — only the pinned roots differ:
 *
 *   1. the envelope is a COSE_Sign1 in the exact Nitro form, ES384;
 *   2. the payload is a well-formed attestation document;
 *   3. the leaf certificate's key verifies the COSE signature;
 *   4. the certificate chain runs from a pinned root to that leaf, every certificate valid at `atMs`.
 *
 * The signature is checked before the chain because it covers the whole payload, chain included:
 * one ECDSA verification rejects any changed byte, where a changed certificate would otherwise
 * cost a parse and a verification per certificate. Both must pass either way.
 *
 * What the document must *say* (measurement, binding, enclave key) is the caller's policy; see
 * `src/verify/tee-verifier.ts` for the chain's.
 */
import { decodeCoseSign1, verifyCoseSign1 } from './cose.js'
import { leafPublicKey, validateCertificateChain } from './certificate-chain.js'
import { parseAttestationPayload, type AttestationDocument } from './document.js'
import { TeeError } from './errors.js'
import type { TrustedRoot } from './roots.js'

export interface VerifyAttestationOptions {
  trustedRoots: readonly TrustedRoot[]
  /** The instant the certificates must be valid at, ms since the epoch (a block's timestamp on chain). */
  atMs: number
}

export interface VerifiedAttestation {
  document: AttestationDocument
  /** The pinned root the document chains to. */
  root: TrustedRoot
  /** PCR0: the enclave image measurement (what allowlists name). */
  measurement: Uint8Array
}

/**
 * Verifies a serialized attestation document; throws a `TeeError` saying which check failed.
 *
 * @example
 * const { document, measurement } = verifyAttestation(bytes, { trustedRoots: [AWS_NITRO_ROOT_G1], atMs: blockTimestamp * 1000 })
 */
export function verifyAttestation(bytes: Uint8Array, options: VerifyAttestationOptions): VerifiedAttestation {
  const cose = decodeCoseSign1(bytes)
  const document = parseAttestationPayload(cose.payload)
  const measurement = document.pcrs.get(0)
  if (measurement === undefined) throw new TeeError('MALFORMED_ATTESTATION', 'the document has no PCR0 (enclave image measurement)')
  if (!verifyCoseSign1(cose, leafPublicKey(document.certificate))) {
    throw new TeeError('BAD_ATTESTATION_SIGNATURE', 'the COSE signature does not verify with the leaf certificate\'s key')
  }
  const { root } = validateCertificateChain(document.cabundle, document.certificate, options.trustedRoots, options.atMs)
  return { document, root, measurement }
}
