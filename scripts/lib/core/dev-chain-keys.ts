// The keys of the local development chain (anvil and Hardhat, chain id 31337): a property of that
// chain, not of the demo, so the relayer's `--dev`, the benchmarks, the demo seed and the app's
// dev-key wallet all take them from here. Free of imports, so that the app's entry chunk stays
// small (an ethers HD wallet here pulled ~200 KB into it); node code derives wallets with
// devWallet in lib/node/dev-chain.ts. The app offers these keys on the local chain only.

/** anvil's and Hardhat's well-known development mnemonic: never use these keys on a real network. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** The chain id of the local development chain, the only chain these keys are offered for. */
export const DEV_CHAIN_ID = 31337;
