/**
 * The wire form of a Groth16 proof: 256 bytes, eight big-endian 32-byte words in the order the
 * Solidity verifier takes them — A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y (EIP-197 puts
 * the imaginary part of a G2 coordinate first) — so the same bytes go to the chain unchanged.
 *
 * A proof travels with the statement it claims to prove (`ZkProofEnvelope`: 3 × 32 bytes of public
 * signals, then the proof, 352 bytes): a verifier compares that claim with what it expects before
 * the pairing, to say *why* a proof is refused (another model, input or output), not only that it is.
 */
import { bn254 } from '@noble/curves/bn254.js'
import type { Groth16Proof } from 'snarkjs'
import { word } from '../evm/storage-slots.js'
import { ZkVerificationError } from './errors.js'
import { SNARK_SCALAR_FIELD } from './fixed-point.js'
import type { ZkStatement } from './statement.js'

export const PROOF_BYTES = 256
export const ENVELOPE_BYTES = 3 * 32 + PROOF_BYTES

/** The BN254 base field (coordinates of proof points); public signals live in the scalar field. */
const BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n

export interface ZkProofEnvelope {
  statement: ZkStatement
  proof: Uint8Array
}

/** snarkjs's proof object → 256 bytes. */
export function encodeProof(proof: Groth16Proof): Uint8Array {
  const words = [proof.pi_a[0], proof.pi_a[1], proof.pi_b[0]![1], proof.pi_b[0]![0], proof.pi_b[1]![1], proof.pi_b[1]![0], proof.pi_c[0], proof.pi_c[1]]
  const out = new Uint8Array(PROOF_BYTES)
  words.forEach((w, i) => out.set(word(BigInt(w!)), i * 32))
  return out
}

/**
 * 256 bytes → snarkjs's proof object, after checking that every coordinate is in the base field and
 * A, C are on G1 and B on G2 (in its prime-order subgroup).
 *
 * @throws ZkVerificationError `MALFORMED_PROOF`
 */
export function decodeProof(bytes: Uint8Array): Groth16Proof {
  if (bytes.length !== PROOF_BYTES) throw new ZkVerificationError('MALFORMED_PROOF', `a proof is ${PROOF_BYTES} bytes, not ${bytes.length}`)
  const w = Array.from({ length: 8 }, (_, i) => readWord(bytes, i * 32))
  const bad = w.findIndex((v) => v >= BASE_FIELD)
  if (bad >= 0) throw new ZkVerificationError('MALFORMED_PROOF', `proof word ${bad} is not a base field element`, { word: bad })
  const [ax, ay, bx1, bx0, by1, by0, cx, cy] = w as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint]
  checkG1('A', ax, ay)
  checkG1('C', cx, cy)
  try {
    bn254.G2.Point.fromAffine({ x: { c0: bx0, c1: bx1 }, y: { c0: by0, c1: by1 } }).assertValidity()
  } catch (cause) {
    throw new ZkVerificationError('MALFORMED_PROOF', `proof point B is not on G2 (${(cause as Error).message})`)
  }
  return {
    pi_a: [ax, ay, 1n].map(String),
    pi_b: [[bx0, bx1], [by0, by1], [1n, 0n]].map((pair) => pair.map(String)),
    pi_c: [cx, cy, 1n].map(String),
    protocol: 'groth16',
    curve: 'bn128',
  }
}

function checkG1(name: string, x: bigint, y: bigint): void {
  try {
    bn254.G1.Point.fromAffine({ x, y }).assertValidity()
  } catch (cause) {
    throw new ZkVerificationError('MALFORMED_PROOF', `proof point ${name} is not on G1 (${(cause as Error).message})`)
  }
}

/** statement ‖ proof, 352 bytes. */
export function encodeEnvelope(envelope: ZkProofEnvelope): Uint8Array {
  if (envelope.proof.length !== PROOF_BYTES) throw new RangeError(`a proof is ${PROOF_BYTES} bytes`)
  const out = new Uint8Array(ENVELOPE_BYTES)
  const { modelCommitment, inputHash, outputHash } = envelope.statement
  ;[modelCommitment, inputHash, outputHash].forEach((v, i) => out.set(word(v), i * 32))
  out.set(envelope.proof, 96)
  return out
}

/**
 * Splits an envelope; the statement's words must be scalar field elements.
 *
 * @throws ZkVerificationError `MALFORMED_PROOF`
 */
export function decodeEnvelope(bytes: Uint8Array): ZkProofEnvelope {
  if (bytes.length !== ENVELOPE_BYTES) throw new ZkVerificationError('MALFORMED_PROOF', `a proof envelope is ${ENVELOPE_BYTES} bytes, not ${bytes.length}`)
  const [modelCommitment, inputHash, outputHash] = [0, 1, 2].map((i) => readWord(bytes, i * 32)) as [bigint, bigint, bigint]
  if ([modelCommitment, inputHash, outputHash].some((v) => v >= SNARK_SCALAR_FIELD)) {
    throw new ZkVerificationError('MALFORMED_PROOF', 'a public signal of the envelope is not a scalar field element')
  }
  return { statement: { modelCommitment, inputHash, outputHash }, proof: bytes.slice(96) }
}

function readWord(bytes: Uint8Array, at: number): bigint {
  let v = 0n
  for (let i = 0; i < 32; i++) v = (v << 8n) | BigInt(bytes[at + i]!)
  return v
}
