/**
 * The parts of snarkjs and circomlibjs this project calls (neither ships type declarations).
 * File arguments are paths, or `{ type: 'mem', data? }` buffers that snarkjs reads and fills.
 */
declare module 'snarkjs' {
  export type FileArg = string | { type: 'mem'; data?: Uint8Array }
  export interface Logger {
    debug(message: string): void
    info(message: string): void
    warn(message: string): void
    error(message: string): void
  }
  export interface Groth16Proof {
    pi_a: string[]
    pi_b: string[][]
    pi_c: string[]
    protocol: string
    curve: string
  }
  export interface VerificationKey {
    protocol: string
    curve: string
    nPublic: number
    vk_alpha_1: string[]
    vk_beta_2: string[][]
    vk_gamma_2: string[][]
    vk_delta_2: string[][]
    vk_alphabeta_12?: unknown
    IC: string[][]
  }
  export const groth16: {
    prove(zkey: FileArg, witness: FileArg, logger?: Logger): Promise<{ proof: Groth16Proof; publicSignals: string[] }>
    verify(vk: VerificationKey, publicSignals: readonly (string | bigint)[], proof: Groth16Proof, logger?: Logger): Promise<boolean>
  }
  export const wtns: {
    calculate(input: Record<string, unknown>, wasm: FileArg, wtns: FileArg): Promise<void>
    exportJson(wtns: FileArg): Promise<bigint[]>
  }
  export const zKey: {
    newZKey(r1cs: FileArg, ptau: FileArg, zkey: FileArg, logger?: Logger): Promise<unknown>
    contribute(zkeyOld: FileArg, zkeyNew: FileArg, name: string, entropy: string, logger?: Logger): Promise<unknown>
    beacon(zkeyOld: FileArg, zkeyNew: FileArg, name: string, beaconHash: string, numIterationsExp: number, logger?: Logger): Promise<unknown>
    exportVerificationKey(zkey: FileArg, logger?: Logger): Promise<VerificationKey>
    exportSolidityVerifier(zkey: FileArg, templates: Record<string, string>, logger?: Logger): Promise<string>
    verifyFromR1cs(r1cs: FileArg, ptau: FileArg, zkey: FileArg, logger?: Logger): Promise<boolean>
  }
  export const r1cs: {
    info(r1cs: FileArg, logger?: Logger): Promise<{ nConstraints: number; nVars: number; nOutputs: number; nPubInputs: number; nPrvInputs: number }>
  }
}

declare module 'circomlibjs' {
  export function buildPoseidon(): Promise<{ (inputs: bigint[]): Uint8Array; F: { toObject(e: Uint8Array): bigint } }>
}
