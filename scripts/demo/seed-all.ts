// Everything `npm start` seeds on a new chain, in order: the names of its people, the demo commons, reciprocity licensing,
// the supply chain, and the income distribution. The app's end-to-end test seeds through this too,
// so that it sees exactly what a person running `npm start` sees.
import type { JsonRpcProvider } from "ethers";
import { seedDemo } from "./seed.js";
import type { SeedResult } from "./seed.js";
import { seedReciprocity } from "./seed-reciprocity.js";
import type { ReciprocitySeed } from "./seed-reciprocity.js";
import { seedSupply } from "./seed-supply.js";
import type { SupplySeedResult } from "./seed-supply.js";
import { seedDistribution } from "./seed-distribution.js";
import { seedNames } from "./seed-names.js";

export interface AllSeeds {
  names: number;
  demo: SeedResult;
  reciprocity: ReciprocitySeed;
  supply: SupplySeedResult;
  distribution: bigint;
}

export async function seedAll(
  provider: JsonRpcProvider,
  contracts: Record<string, string>,
  fromBlock: number,
  opts: { labelsFile?: string; equationsDir?: string; log?: (line: string) => void } = {},
): Promise<AllSeeds> {
  const log = opts.log ?? console.log;
  const ledger = contracts.Ledger;
  const names = await seedNames(provider, contracts.Directory, log);
  const demo = await seedDemo(provider, ledger, fromBlock, log);
  const reciprocity = await seedReciprocity(provider, contracts.ReciprocityRegistry, ledger, demo.commons, fromBlock, log);
  const supply = await seedSupply(provider, ledger, fromBlock, demo, { labelsFile: opts.labelsFile, log });
  const distribution = await seedDistribution(provider, contracts, fromBlock, demo, { equationsDir: opts.equationsDir, log });
  return { names, demo, reciprocity, supply, distribution };
}
