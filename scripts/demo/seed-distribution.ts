// The demo distribution that `npm start` publishes on a new chain, right after the demo commons
// is seeded: 1 ETH of income from selling sensor kits, shared by scripts/demo/value-equation.json
// over the whole demo ledger, deposited by steward mira and published with the approvals of mira
// and yara (the commons' threshold is 2 of 3 stewards).
//
// Claims open only after the distributor's challenge window (its minChallengeWindow, 1 hour by
// default). So that contributors can claim at once in the demo, the local chain's clock is moved
// forward by that window (anvil evm_increaseTime); the chain then runs that much ahead of the
// wall clock, which the Ledger's checks tolerate (record times are in the past, signature
// deadlines are hours ahead).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseEther } from "ethers";
import type { JsonRpcProvider } from "ethers";
import { approvePublication, computeFromEvents, depositAndPublish, distributorAt, publishParams, readEvents } from "../lib/distribution/distributor.js";
import { durationWords } from "../lib/core/duration.js";
import { equationCid, equationUri } from "../lib/distribution/equation-store.js";
import { storeEquation } from "../lib/node/equations.js";
import { devWallet } from "./seed.js";
import type { SeedResult } from "./seed.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Relative to the repository root: the URI the distribution publishes (the CLI runs from there). */
export const DEMO_EQUATION = "scripts/demo/value-equation.json";

export async function seedDistribution(
  provider: JsonRpcProvider,
  contracts: Record<string, string>,
  fromBlock: number,
  demo: SeedResult,
  opts: { equationsDir?: string; log?: (line: string) => void } = {},
): Promise<bigint> {
  const log = opts.log ?? console.log;
  const distributor = contracts.IncomeDistributor;
  if (!distributor) throw new Error("the deployment has no IncomeDistributor");
  const doc = JSON.parse(readFileSync(path.join(root, DEMO_EQUATION), "utf8")) as unknown;
  const events = await readEvents(provider, contracts.Ledger, { fromBlock });
  const d = computeFromEvents(doc, events, { income: parseEther("1"), cutoff: BigInt(events.entries.length), commons: demo.commons });
  const mira = devWallet(1, provider);
  const yara = devWallet(7, provider);
  const window = BigInt(await distributorAt(distributor, provider).minChallengeWindow());
  // The commons' threshold is 2 of 3 stewards: mira deposits and approves, yara approves the same parameters.
  // The equation is published by its CID (anyone can fetch it from an IPFS gateway or the app
  // server and check it), and pinned in the data folder when one is given.
  const cid = opts.equationsDir ? (await storeEquation(opts.equationsDir, doc)).cid : await equationCid(doc);
  const options = { token: "0x0000000000000000000000000000000000000000", challengeWindow: window, claimPeriod: 90n * 86_400n, equationURI: equationUri(cid) };
  const first = await depositAndPublish(mira, distributor, d, options);
  const { id } = first.id !== 0n ? first : await approvePublication(yara, distributor, publishParams(d, options));
  await provider.send("evm_increaseTime", [Number(window)]);
  await provider.send("evm_mine", []);
  log(
    `  income: 1 ETH deposited and distribution ${id} published (root ${d.root.slice(0, 10)}…, ${d.shares.length} contributors); clock moved ${durationWords(Number(window) * 1000)} so claims are open`,
  );
  return id;
}
