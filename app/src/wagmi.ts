// wagmi configuration from the app config: the local chain (31337) and any configured chain,
// injected wallets everywhere, dev keys on the local chain only.
import { createConfig, http, injected } from "wagmi";
import type { Chain } from "viem";
import type { AppConfig, ChainConfig } from "./config";
import { devKey } from "./lib/devKeyConnector";

/** Dev accounts offered by the dev-key connector (anvil indexes; 0 pays the relayer, 1 is a steward). */
export const DEV_ACCOUNTS = [2, 3, 4, 5, 6, 1, 7] as const;

// viem's HTTP transport refuses responses over 10 MiB by default; a dense eth_getLogs exceeds it.
const MAX_RESPONSE = 256 * 1024 * 1024;

export function toViemChain(c: ChainConfig): Chain {
  return {
    id: c.id,
    name: c.name,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [c.rpcUrl] } },
    testnet: c.local,
  };
}

/** "bob (#3)" when the server names the dev accounts (the demo does), else "#3". */
export function devKeyLabel(index: number, names?: readonly string[]): string {
  const name = names?.[index];
  return name ? `${name} (#${index})` : `#${index}`;
}

export function createWagmiConfig(app: AppConfig) {
  const chains = app.chains.map(toViemChain) as [Chain, ...Chain[]];
  const local = app.chains.find((c) => c.local);
  const devKeys = local
    ? DEV_ACCOUNTS.map((index) => devKey({ index, label: devKeyLabel(index, local.devKeyNames), chainId: local.id, rpcUrl: local.rpcUrl }))
    : [];
  return createConfig({
    chains,
    connectors: [injected(), ...devKeys],
    transports: Object.fromEntries(app.chains.map((c) => [c.id, http(c.rpcUrl, { maxResponseBodySize: MAX_RESPONSE, retryCount: 1 })])),
    pollingInterval: 1_000,
  });
}

declare module "wagmi" {
  interface Register {
    config: ReturnType<typeof createWagmiConfig>;
  }
}
