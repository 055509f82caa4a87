// The keys of the local development chain (anvil and Hardhat, chain id 31337): a property of that
// chain, not of the demo, so the relayer's `--dev`, the benchmarks, the demo seed and the app's
// dev-key wallet all take them from here. Browser-safe (ethers only); the app offers these keys on
// the local chain only.
import { HDNodeWallet, Mnemonic } from "ethers";
import type { Provider } from "ethers";

/** anvil's and Hardhat's well-known development mnemonic: never use these keys on a real network. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** The chain id of the local development chain, the only chain these keys are offered for. */
export const DEV_CHAIN_ID = 31337;

/** The dev account at `index` (BIP-44 path m/44'/60'/0'/0/index, as anvil derives it), connected to `provider`. */
export function devWallet(index: number, provider: Provider): HDNodeWallet {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), `m/44'/60'/0'/0/${index}`).connect(provider);
}
