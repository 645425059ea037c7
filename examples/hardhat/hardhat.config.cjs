// Hardhat against an inferchain devnet: `npx hardhat run --network inferchain deploy-and-infer.cjs`
// (from this folder, with `npm run dev` running; INFERCHAIN_RPC_URL overrides the URL).
const { subtask } = require('hardhat/config')
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require('hardhat/builtin-tasks/task-names')
require('@nomicfoundation/hardhat-ethers')

// Compile with the solc the project ships (npm's `solc`, WebAssembly) instead of downloading one:
// works offline, and it is the same compiler the chain's own contracts are built with.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async ({ solcVersion }, _hre, runSuper) => {
  const solc = require('solc')
  if (solc.version().startsWith(solcVersion)) {
    return { compilerPath: require.resolve('solc/soljson.js'), isSolcJs: true, version: solcVersion, longVersion: solc.version() }
  }
  return runSuper()
})

module.exports = {
  solidity: {
    version: '0.8.37',
    // The OGInference structs are deep: viaIR avoids "stack too deep"; Osaka is the chain's hardfork.
    settings: { viaIR: true, evmVersion: 'osaka', optimizer: { enabled: true, runs: 200 } },
  },
  paths: { sources: './contracts' },
  networks: {
    inferchain: {
      url: process.env.INFERCHAIN_RPC_URL || 'http://127.0.0.1:8545',
      chainId: 424242,
      // Dev account #1 of the standard test mnemonic (devnets only).
      accounts: ['0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'],
    },
  },
}
