/** TEE attestation: the Nitro document format, its verification, and the development enclave. */
export { checkBinding, TEE_BINDING_DOMAIN, teeNonce, teeUserData, type TeeBinding } from './binding.js'
export { validateCertificateChain, type ChainValidation } from './certificate-chain.js'
export { issueCertificate, p384KeyPair, type CertificateSpec, type DistinguishedName, type P384KeyPair } from './certificate.js'
export { COSE_ALG_ES384, decodeCoseSign1, signCoseSign1, verifyCoseSign1, type CoseSign1 } from './cose.js'
export {
  DEV_ROOT_SEED,
  DevEnclave,
  devRootAuthority,
  devTrustedRoot,
  generateAuthority,
  type AttestOverrides,
  type DevCertificateAuthority,
  type DevEnclaveOptions,
  type DevLeaf,
} from './dev-enclave.js'
export { encodeAttestationPayload, parseAttestationPayload, type AttestationDocument } from './document.js'
export { TeeError, type TeeErrorCode } from './errors.js'
export { measureEnclaveImage, type EnclaveImage, type MeasureOptions } from './measurement.js'
export { AWS_NITRO_ROOT_G1, AWS_NITRO_ROOT_G1_DER, AWS_NITRO_ROOT_G1_SHA256, trustedRoot, type TrustedRoot } from './roots.js'
export type { TeeBackend } from './types.js'
export { verifyAttestation, type VerifiedAttestation, type VerifyAttestationOptions } from './verify.js'
