/**
 * Signed hub requests: no passwords, the owner's Ethereum key signs each write (and each read of a
 * private repository) as EIP-712 typed data, which a wallet can show field by field. The signature
 * binds the action, the repository, version and file it touches, the content (sha2-256 of the JSON
 * body, or of the uploaded file: the digest inside its CID) and its size, a random nonce (each is
 * taken once) and an expiry (at most MAX_SIGNATURE_TTL_S ahead, which bounds how long nonces are kept).
 * The domain names ModelRegistry as the verifying contract and carries the chain id, so a signature
 * for one chain's hub is worthless on another.
 */
import { randomBytes } from 'node:crypto'
import { bytesToHex, isAddress, isHex, verifyTypedData, zeroHash, type Address, type Hex, type LocalAccount } from 'viem'
import { MODEL_REGISTRY_ADDRESS } from '../params.js'
import { HubError } from './errors.js'

/** Signatures may be valid for at most 15 minutes. */
export const MAX_SIGNATURE_TTL_S = 900
/** What clients ask for by default. */
export const DEFAULT_SIGNATURE_TTL_S = 300

export const HUB_ACTIONS = ['create-repository', 'create-version', 'upload-file', 'read'] as const
export type HubAction = (typeof HUB_ACTIONS)[number]

/** The signed message. Empty strings / zero for the fields an action does not use. */
export interface HubRequest {
  action: HubAction
  repository: string
  version: string
  file: string
  /** sha2-256 of the JSON body, or of the uploaded file; zero for reads. */
  contentHash: Hex
  /** Bytes of the uploaded file; 0 otherwise. */
  size: bigint
  /** 32 random bytes, never used twice by one signer. */
  nonce: Hex
  /** Unix seconds after which the signature is refused. */
  expiry: bigint
}

export const HUB_REQUEST_TYPES = {
  HubRequest: [
    { name: 'action', type: 'string' },
    { name: 'repository', type: 'string' },
    { name: 'version', type: 'string' },
    { name: 'file', type: 'string' },
    { name: 'contentHash', type: 'bytes32' },
    { name: 'size', type: 'uint64' },
    { name: 'nonce', type: 'bytes32' },
    { name: 'expiry', type: 'uint64' },
  ],
} as const

export function hubDomain(chainId: number) {
  return { name: 'inferchain model hub', version: '1', chainId, verifyingContract: MODEL_REGISTRY_ADDRESS } as const
}

/** A request with its signature, as sent in the `x-hub-*` headers. */
export interface SignedHubRequest {
  request: HubRequest
  signer: Address
  signature: Hex
}

/**
 * Signs a hub request with a fresh nonce, valid for `ttlSeconds`.
 *
 * @example
 * const signed = await signHubRequest(account, 1337, { action: 'read', repository: 'mnist' })
 * fetch(url, { headers: authHeaders(signed) })
 */
export async function signHubRequest(
  account: LocalAccount,
  chainId: number,
  fields: { action: HubAction; repository: string; version?: string; file?: string; contentHash?: Hex; size?: bigint },
  ttlSeconds = DEFAULT_SIGNATURE_TTL_S,
): Promise<SignedHubRequest> {
  const request: HubRequest = {
    action: fields.action,
    repository: fields.repository,
    version: fields.version ?? '',
    file: fields.file ?? '',
    contentHash: fields.contentHash ?? zeroHash,
    size: fields.size ?? 0n,
    nonce: bytesToHex(randomBytes(32)),
    expiry: BigInt(Math.floor(Date.now() / 1000) + ttlSeconds),
  }
  const signature = await account.signTypedData({ domain: hubDomain(chainId), types: HUB_REQUEST_TYPES, primaryType: 'HubRequest', message: request })
  return { request, signer: account.address, signature }
}

/** The headers that carry a signature (the other fields are the request itself). */
export function authHeaders(signed: SignedHubRequest): Record<string, string> {
  return {
    'x-hub-signer': signed.signer,
    'x-hub-signature': signed.signature,
    'x-hub-nonce': signed.request.nonce,
    'x-hub-expiry': signed.request.expiry.toString(),
  }
}

/** The signature headers of a request, checked for form; undefined when it carries none. */
export function readAuthHeaders(headers: Record<string, string | string[] | undefined>): { signer: Address; signature: Hex; nonce: Hex; expiry: bigint } | undefined {
  const get = (name: string) => (typeof headers[name] === 'string' ? (headers[name] as string) : undefined)
  const [signer, signature, nonce, expiry] = ['x-hub-signer', 'x-hub-signature', 'x-hub-nonce', 'x-hub-expiry'].map(get)
  if (signer === undefined && signature === undefined) return undefined
  if (!signer || !isAddress(signer, { strict: false })) throw new HubError('BAD_SIGNATURE', 'x-hub-signer is not an address')
  if (!signature || !isHex(signature) || signature.length !== 132) throw new HubError('BAD_SIGNATURE', 'x-hub-signature is not a 65-byte hex signature')
  if (!nonce || !/^0x[0-9a-fA-F]{64}$/.test(nonce)) throw new HubError('BAD_SIGNATURE', 'x-hub-nonce is not 32 bytes of hex')
  if (!expiry || !/^[0-9]{1,15}$/.test(expiry)) throw new HubError('BAD_SIGNATURE', 'x-hub-expiry is not unix seconds')
  return { signer: signer as Address, signature, nonce: nonce as Hex, expiry: BigInt(expiry) }
}

/**
 * Checks that `signer` signed `request` on `chainId` and that it has not expired. The nonce is not
 * spent here (see NonceBook), so that a refused request does not burn it.
 *
 * @throws HubError `BAD_SIGNATURE`, `SIGNATURE_EXPIRED`, `BAD_REQUEST` (expiry too far ahead)
 */
export async function verifyHubRequest(chainId: number, signed: SignedHubRequest, nowSeconds = Math.floor(Date.now() / 1000)): Promise<Address> {
  const { request, signer, signature } = signed
  let valid = false
  try {
    valid = await verifyTypedData({ address: signer, domain: hubDomain(chainId), types: HUB_REQUEST_TYPES, primaryType: 'HubRequest', message: request, signature })
  } catch {
    valid = false // a malformed signature is simply not a valid one
  }
  if (!valid) throw new HubError('BAD_SIGNATURE', `signature is not ${signer}'s over this ${request.action} request`, { details: { signer, action: request.action } })
  const now = BigInt(nowSeconds)
  if (request.expiry < now) throw new HubError('SIGNATURE_EXPIRED', `signature expired at ${request.expiry} (now ${now})`, { details: { expiry: request.expiry.toString() } })
  if (request.expiry > now + BigInt(MAX_SIGNATURE_TTL_S)) {
    throw new HubError('BAD_REQUEST', `signature expiry is more than ${MAX_SIGNATURE_TTL_S} s ahead`, { details: { expiry: request.expiry.toString() } })
  }
  return signer
}
