// Deploys RiskScore with Hardhat and has it call the demo model through the inference precompile.
const hre = require('hardhat')

async function main() {
  const [signer] = await hre.ethers.getSigners()
  const { chainId } = await hre.ethers.provider.getNetwork()
  console.log(`chain ${chainId}, deploying from ${signer.address}`)
  const riskScore = await (await hre.ethers.getContractFactory('RiskScore')).deploy()
  await riskScore.waitForDeployment()
  console.log(`RiskScore at ${await riskScore.getAddress()}`)

  // The demo model the devnet registers (the first in ModelRegistry, read through JSON-RPC).
  const [model] = await hre.ethers.provider.send('inferchain_models', [])
  const features = Array.from({ length: 16 }, (_, i) => BigInt(((i % 5) * 100_000)))
  const tx = await riskScore.score(model.cid, features, 6)
  const receipt = await tx.wait()
  const event = receipt.logs.map((log) => riskScore.interface.parseLog(log)).find((e) => e && e.name === 'Scored')
  const score = Number(event.args.score) / 10 ** Number(event.args.decimals)
  console.log(`score ${score} in block ${receipt.blockNumber} (tx ${receipt.hash})`)
  const [record] = await hre.ethers.provider.send('inference_getRecordsByTransaction', [receipt.hash])
  console.log(`computed by ${record.node}, ${record.verification.status}`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
