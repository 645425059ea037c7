/**
 * snarkjs computes on a shared BN254 curve object whose worker threads (one per core) keep a
 * process alive after its work is done. A CLI command, a test file or a benchmark that proved or
 * verified calls this when it is finished; the next snarkjs call builds the curve again.
 */
export async function releaseZkWorkers(): Promise<void> {
  const holder = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }
  const curve = holder.curve_bn128
  if (curve) await curve.terminate()
}
