// The Ponder indexer's configuration: one chain, one Ledger and, when the deployment has them, its
// ReciprocityRegistry and IncomeDistributor (addresses and first block from the environment that scripts/lib/node/indexer.ts
// sets; logs are filtered by these addresses), and the database: embedded PGlite under the data
// folder by default, PostgreSQL when DATABASE_URL is set (nothing else changes).
import { createConfig } from "ponder";
import { parseAbi } from "viem";
import { LEDGER_EVENTS } from "../lib/core/abi.js";
import { DISTRIBUTOR_EVENTS } from "../lib/core/distributor-abi.js";
import { RECIPROCITY_EVENTS } from "../lib/core/registry-abi.js";

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`the indexer needs ${name} (scripts/lib/node/indexer.ts sets it)`);
  return v;
};

const registry = process.env.COMMONS_REGISTRY;
const distributor = process.env.COMMONS_DISTRIBUTOR;
const startBlock = Number(process.env.COMMONS_FROM_BLOCK ?? 0);
const withRegistry = {
  ReciprocityRegistry: { chain: "ledger" as const, abi: parseAbi(RECIPROCITY_EVENTS), address: registry as `0x${string}`, startBlock },
};
const withDistributor = {
  IncomeDistributor: { chain: "ledger" as const, abi: parseAbi(DISTRIBUTOR_EVENTS), address: distributor as `0x${string}`, startBlock },
};

export default createConfig({
  database: process.env.DATABASE_URL
    ? { kind: "postgres", connectionString: process.env.DATABASE_URL }
    : { kind: "pglite", directory: env("COMMONS_INDEXER_DIR") },
  chains: {
    ledger: {
      id: Number(env("COMMONS_CHAIN_ID")),
      rpc: env("COMMONS_RPC"),
      pollingInterval: Number(process.env.COMMONS_INDEXER_POLL_MS ?? 500),
      disableCache: true,
    },
  },
  contracts: {
    Ledger: {
      chain: "ledger",
      abi: parseAbi(LEDGER_EVENTS),
      address: env("COMMONS_LEDGER") as `0x${string}`,
      startBlock,
    },
    // Without a registry or a distributor (a chain where only the Ledger was deployed) their handlers
    // are not registered either (src/index.ts). (Typed as always there, so that the handlers type-check.)
    ...(registry ? withRegistry : ({} as typeof withRegistry)),
    ...(distributor ? withDistributor : ({} as typeof withDistributor)),
  },
});
