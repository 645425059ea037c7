/**
 * Roots of trust for attestation documents. Which roots a chain trusts is chain configuration
 * (`GenesisSpec.teeTrustedRoots`): production pins the vendor's root, devnets the development root.
 * The verifier treats both the same way: `cabundle[0]` must be byte-for-byte one of the pinned roots.
 */
import { createHash } from 'node:crypto'

export interface TrustedRoot {
  /** Human name for logs and rejection reasons. */
  name: string
  /** The root certificate, DER. */
  der: Uint8Array
  /** SHA-256 of `der`, lower-case hex (the usual "fingerprint"). */
  sha256: string
}

/**
 * A pinned root from its DER bytes.
 *
 * @example
 * const roots = [trustedRoot(AWS_NITRO_ROOT_G1_DER, 'AWS Nitro Enclaves Root G1')]
 */
export function trustedRoot(der: Uint8Array, name = 'root'): TrustedRoot {
  return { name, der, sha256: sha256Hex(der) }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/**
 * SHA-256 fingerprint of the AWS Nitro Enclaves Root G1 certificate as AWS publishes it
 * (https://docs.aws.amazon.com/enclaves/latest/user/verify-root.html; the certificate itself is
 * https://aws-nitro-enclaves.amazonaws.com/AWS_NitroEnclaves_Root-G1.zip). See
 * test/fixtures/tee/PROVENANCE.md for how the value below was checked.
 */
export const AWS_NITRO_ROOT_G1_SHA256 = '641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b'

/**
 * The AWS Nitro Enclaves Root G1 certificate (CN=aws.nitro-enclaves, O=Amazon, valid 2019-10-28 to
 * 2049-10-28), DER. Taken from `cabundle[0]` of the genuine document in test/fixtures/tee and
 * checked against the published fingerprint when this module loads.
 */
export const AWS_NITRO_ROOT_G1_DER: Uint8Array = Uint8Array.from(
  Buffer.from(
    'MIICETCCAZagAwIBAgIRAPkxdWgbkK/hHUbMtOTn+FYwCgYIKoZIzj0EAwMwSTELMAkGA1UEBhMCVVMxDzANBgNVBAoMBkFt' +
      'YXpvbjEMMAoGA1UECwwDQVdTMRswGQYDVQQDDBJhd3Mubml0cm8tZW5jbGF2ZXMwHhcNMTkxMDI4MTMyODA1WhcNNDkxMDI4' +
      'MTQyODA1WjBJMQswCQYDVQQGEwJVUzEPMA0GA1UECgwGQW1hem9uMQwwCgYDVQQLDANBV1MxGzAZBgNVBAMMEmF3cy5uaXRy' +
      'by1lbmNsYXZlczB2MBAGByqGSM49AgEGBSuBBAAiA2IABPwCVOumCMHzaHDimtqQvkY4MpJzbolL//Zy2YlES1BR5TSksfbb' +
      '48C8WBoyt7F2Bw7eEtaaP+ohG2bnUs990d0JX28TcPQXCEPZ3BABIeTPYwEoCWZEh8l5YoQwTcU/9KNCMEAwDwYDVR0TAQH/' +
      'BAUwAwEB/zAdBgNVHQ4EFgQUkCW1DdkFR+eWw5b6cp3PmanfS5YwDgYDVR0PAQH/BAQDAgGGMAoGCCqGSM49BAMDA2kAMGYC' +
      'MQCjfy+Rocm9Xue4YnwWmNJVA44fA0P5W2OpYow9OYCVRaEevL8uO1XYru5xtMPWrfMCMQCi85sWBbJwKKXdS6BptQFuZbT7' +
      '3o/gBh1qUxl/nNr12UO8Yfwr6wPLb+6NIwLz3/Y=',
    'base64',
  ),
)

if (sha256Hex(AWS_NITRO_ROOT_G1_DER) !== AWS_NITRO_ROOT_G1_SHA256) {
  throw new Error('the bundled AWS Nitro root does not match its published fingerprint')
}

/** The AWS Nitro Enclaves Root G1 as a pinned root (what a production chain configures). */
export const AWS_NITRO_ROOT_G1: TrustedRoot = trustedRoot(AWS_NITRO_ROOT_G1_DER, 'AWS Nitro Enclaves Root G1')
