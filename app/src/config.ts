// The app's configuration: the only place that reads import.meta.env. The local chain (31337) is
// always configured; its addresses, relayer and first block come at runtime from ./config.json,
// which `npm start` serves from the deployment it made (so a fresh chain needs no rebuild). One
// more chain can be set at build time with VITE_CHAIN_* (addresses from the generated file).
import { deployments } from "./contracts/addresses";
import type { ContractName } from "./contracts/generated";
import { HEX_ADDRESS } from "@core/address.js";

export type Address = `0x${string}`;

export interface ChainConfig {
  id: number;
  name: string;
  rpcUrl: string;
  /** The gasless relayer (POST /records), if any. */
  relayerUrl?: string;
  contracts: Partial<Record<ContractName, Address>>;
  /** First block to scan for the contracts' events. */
  fromBlock: number;
  /** A ledger index of this chain (scripts/lib/core/ledger-index.ts), read first and checked against the chain. */
  indexUrl?: string;
  /**
   * The Ponder indexer of this chain's Ledger (scripts/indexer/): the accounts and entries pages read
   * only what they show through it, once its head is the Ledger's tip(); otherwise they read the chain.
   */
  indexerUrl?: string;
  /** The local development chain: the dev-key connector is offered only here. */
  local: boolean;
  /** Names for the local chain's dev accounts by account index (who they play in a seeded demo), from ./config.json. */
  devKeyNames?: readonly string[];
}

export interface AppConfig {
  chains: ChainConfig[];
}

const env = import.meta.env;

const LOCAL_CHAIN_ID = 31337;

const staticConfig = {
  local: {
    rpcUrl: (env.VITE_LOCAL_RPC_URL as string | undefined) ?? "http://127.0.0.1:8545",
    relayerUrl: (env.VITE_LOCAL_RELAYER_URL as string | undefined) ?? "http://127.0.0.1:8787",
  },
  chain: env.VITE_CHAIN_ID
    ? {
        id: Number(env.VITE_CHAIN_ID),
        name: (env.VITE_CHAIN_NAME as string | undefined) ?? `Chain ${env.VITE_CHAIN_ID}`,
        rpcUrl: env.VITE_RPC_URL as string,
        relayerUrl: env.VITE_RELAYER_URL as string | undefined,
        fromBlock: Number(env.VITE_FROM_BLOCK ?? 0),
        // A ledger index for this chain (`commons serve-index`), checked against the chain by the app.
        indexUrl: env.VITE_INDEX_URL as string | undefined,
        // The chain's Ponder indexer (`npm run indexer`), checked against the Ledger's tip by the app.
        indexerUrl: env.VITE_INDEXER_URL as string | undefined,
      }
    : undefined,
} as const;

/** What `npm start` serves at ./config.json. */
export interface RuntimeConfig {
  local?: {
    chainId: number;
    rpcUrl?: string;
    relayerUrl?: string;
    contracts: Record<string, string>;
    fromBlock: number;
    indexUrl?: string;
    indexerUrl?: string;
    devKeyNames?: unknown;
  };
}

/** An http(s) URL without its trailing slash, or undefined for anything else. */
function httpUrl(given: unknown): string | undefined {
  if (typeof given !== "string" || !/^https?:\/\/[^\s]+$/.test(given)) return undefined;
  return given.replace(/\/+$/, "");
}

const isAddress = (a: unknown): a is Address => typeof a === "string" && HEX_ADDRESS.test(a);

function pickContracts(given: Record<string, unknown> | undefined): ChainConfig["contracts"] {
  const out: ChainConfig["contracts"] = {};
  for (const [name, address] of Object.entries(given ?? {})) if (isAddress(address)) out[name as ContractName] = address;
  return out;
}

/** The runtime configuration the server put in the page (`npm start`'s server does), if any. */
function inlineConfig(): RuntimeConfig | undefined {
  const text = typeof document === "undefined" ? undefined : document.getElementById("commons-config")?.textContent;
  if (!text) return undefined;
  try {
    return JSON.parse(text) as RuntimeConfig;
  } catch {
    return undefined;
  }
}

/** The built-in configuration merged with the server's runtime configuration (in the page, else ./config.json) when it provides one. */
export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<AppConfig> {
  let runtime = inlineConfig();
  if (!runtime) {
    runtime = {};
    try {
      // Default cache mode, so that the preload in index.html is used (the server says no-store).
      const res = await fetchImpl("./config.json");
      if (res.ok) runtime = (await res.json()) as RuntimeConfig;
    } catch {
      /* served without a runtime config (e.g. a static host): the built-in configuration applies */
    }
  }
  const chains: ChainConfig[] = [];
  const local = runtime.local;
  chains.push({
    id: LOCAL_CHAIN_ID,
    name: "Local chain (anvil)",
    rpcUrl: local?.rpcUrl ?? staticConfig.local.rpcUrl,
    relayerUrl: local?.relayerUrl ?? staticConfig.local.relayerUrl,
    contracts: pickContracts(local?.contracts),
    fromBlock: local?.fromBlock ?? 0,
    indexUrl: typeof local?.indexUrl === "string" ? local.indexUrl : undefined,
    indexerUrl: httpUrl(local?.indexerUrl),
    local: true,
    devKeyNames: Array.isArray(local?.devKeyNames) ? local.devKeyNames.map((n) => (typeof n === "string" ? n : "")) : undefined,
  });
  const c = staticConfig.chain;
  if (c && c.id !== LOCAL_CHAIN_ID && c.rpcUrl) {
    chains.push({ ...c, indexerUrl: httpUrl(c.indexerUrl), contracts: pickContracts(deployments[c.id]), local: false });
  }
  return { chains };
}
