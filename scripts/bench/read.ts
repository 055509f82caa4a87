// Read benchmark (issue 4): `verify` and `accounts` of a 100,000-entry ledger against the bare
// fetch-and-decode of the same logs, measured in one run on a local anvil.
//   PATH=$PWD/node_modules/.bin:$PATH tsx scripts/bench/read.ts      (BENCH_READ_ENTRIES=... to change the size)
// Starts its own anvil on a free port, deploys the Ledger with Ignition, records the entries in
// full batches from a few hundred deterministic signers (a dev account relays; signers hold no
// ETH; records are signed on worker threads), then times (a) fetchLogs + decodeLedgerLogs,
// (b) verifyLedger, (c) readLedger + deriveEntries + accounts, in BENCH_READ_ROUNDS rounds (2),
// keeping each measure's fastest round; prints wall and CPU time (node threads + anvil) with
// the ratios to (a), and writes bench/results/read.json.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { processCpu } from "./kit/cpu.js";
import { fillLedger, startBenchChain } from "./kit/read-fill.js";
import { deployWithIgnition } from "../lib/node/deployment.js";
import { decodeLedgerLogs, fetchLogs, readLedger } from "../lib/core/reader.js";
import { verifyLedger } from "../lib/verify/ledger.js";
import { accounts, deriveEntries } from "../lib/core/views.js";
import { computeFromEvents } from "../lib/distribution/distributor.js";

/** The distribution measured in (d): the seeded work, use and money entries, claimed or not. */
const BENCH_EQUATION = {
  format: "commons-ledger/value-equation@2",
  name: "read benchmark",
  rules: { transfer: { kind: "money", currencies: { EUR: "1" } }, work: { kind: "hours", rates: { "*": "40" } }, use: { kind: "hours", rates: { "*": "10" } } },
  buckets: [
    { name: "money", percent: "20", actions: ["transfer"], acceptedOnly: false },
    { name: "work and use", percent: "100", of: "remainder", actions: ["work", "use"], acceptedOnly: false },
  ],
};

const ENTRIES = Number(process.env.BENCH_READ_ENTRIES ?? 100_000);
const AGENTS = 300;
const BATCH = 150;
const TARGET_RATIO = 1.5;
const ROUNDS = Number(process.env.BENCH_READ_ROUNDS ?? 2);
const OUT = path.join("bench", "results", "read.json");
const root = path.resolve(import.meta.dirname, "..", "..");

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const log = (message: string) => console.log(`[${elapsed()}] ${message}`);

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - t) / 1000 };
}

const { dataDir, deploymentId, chain, provider } = await startBenchChain("read");

/** Wall time and CPU time (this process and its threads, plus anvil) of one measure. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number; cpuNode: number; cpuAnvil: number }> {
  const node = process.cpuUsage();
  const anvil = processCpu(chain.process.pid);
  const { value, seconds } = await timed(fn);
  const used = process.cpuUsage(node);
  const cpuNode = (used.user + used.system) / 1e6;
  const cpuAnvil = processCpu(chain.process.pid) - anvil;
  return { value, wall: seconds, cpu: cpuNode + cpuAnvil, cpuNode, cpuAnvil };
}

try {
  const fromBlock = (await provider.getBlockNumber()) + 1;
  const { Ledger: ledger } = await deployWithIgnition({ rpcUrl: chain.url, deploymentId, projectRoot: root });
  log(`anvil at ${chain.url}, Ledger at ${ledger}`);

  // ------------------------------------------------------------ seed
  const seed = await fillLedger({ provider, ledger, entries: ENTRIES, agents: AGENTS, batch: BATCH, log });
  const toBlock = await provider.getBlockNumber();
  log(`seeded ${ENTRIES} entries in ${seed.seconds.toFixed(1)} s (${seed.workers} signing threads), blocks ${fromBlock}..${toBlock}`);

  // ------------------------------------------------------------ measure
  // Rounds of (a), (b), (c) in turn; each measure keeps its fastest round, so that a burst of
  // load from elsewhere on the machine does not decide a ratio. CPU time is reported too (this
  // process with its worker threads, plus anvil), which load elsewhere does not inflate.
  const opts = { fromBlock, toBlock };
  const measures = {
    fetch: async () => {
      const events = decodeLedgerLogs(await fetchLogs(provider, ledger, opts));
      if (events.entries.length !== ENTRIES) throw new Error(`fetched ${events.entries.length} entries`);
      return `${events.entries.length} entries`;
    },
    verify: async () => {
      const report = await verifyLedger(provider, ledger, opts);
      if (!report.ok || report.entries !== ENTRIES || report.eoaSignatures !== ENTRIES) {
        throw new Error(`verify failed: ${JSON.stringify(report.problems.slice(0, 3), (_, v) => (typeof v === "bigint" ? String(v) : v))}`);
      }
      return `${report.eoaSignatures} signatures, ${report.checkpoints} checkpoints`;
    },
    accounts: async () => `${accounts(deriveEntries(await readLedger(provider, ledger, opts)), "all").length} rows`,
    // Issue 7: a value-equation distribution over every entry (read + head at the cutoff + shares + Merkle root).
    distribute: async () => {
      const d = computeFromEvents(BENCH_EQUATION, await readLedger(provider, ledger, opts), {
        income: 10n ** 21n,
        cutoff: BigInt(ENTRIES),
        commons: seed.commons,
      });
      return `${d.shares.length} shares, root ${d.root.slice(0, 10)}`;
    },
  };
  type Name = keyof typeof measures;
  const runs: Record<Name, { wall: number; cpu: number; cpuNode: number; cpuAnvil: number }[]> = { fetch: [], verify: [], accounts: [], distribute: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const name of Object.keys(measures) as Name[]) {
      const m = await measured(measures[name]);
      runs[name].push({ wall: m.wall, cpu: m.cpu, cpuNode: m.cpuNode, cpuAnvil: m.cpuAnvil });
      log(
        `round ${round} ${name}: ${m.wall.toFixed(2)} s wall, ${m.cpu.toFixed(2)} s CPU (node ${m.cpuNode.toFixed(2)} + anvil ${m.cpuAnvil.toFixed(2)}; load ${os.loadavg()[0].toFixed(1)}) (${m.value})`,
      );
    }
  }
  const best = (name: Name) => ({ wall: Math.min(...runs[name].map((r) => r.wall)), cpu: Math.min(...runs[name].map((r) => r.cpu)) });
  const base = best("fetch");
  const rows = [
    { measure: "(a) fetch + decode (fetchLogs + decodeLedgerLogs)", ...base, target: false },
    { measure: "(b) verify (verifyLedger)", ...best("verify"), target: true },
    { measure: "(c) accounts (read + deriveEntries + accounts)", ...best("accounts"), target: true },
    { measure: "(d) distribute (read + value equation + head + root)", ...best("distribute"), target: true },
  ];
  const width = Math.max(...rows.map((r) => r.measure.length));
  console.log();
  console.log(
    `${"measure".padEnd(width)}  ${"wall s".padStart(7)}  ${"µs/entry".padStart(8)}  ${"ratio".padStart(5)}  ${"CPU s".padStart(6)}  ${"CPU ratio".padStart(9)}  target`,
  );
  for (const r of rows) {
    const ratio = r.wall / base.wall;
    const target = r.target ? `<= ${TARGET_RATIO} ${ratio <= TARGET_RATIO ? "met" : "NOT met"}` : "";
    console.log(
      `${r.measure.padEnd(width)}  ${r.wall.toFixed(2).padStart(7)}  ${((r.wall / ENTRIES) * 1e6).toFixed(0).padStart(8)}  ${ratio.toFixed(2).padStart(5)}  ${r.cpu.toFixed(2).padStart(6)}  ${(r.cpu / base.cpu).toFixed(2).padStart(9)}  ${target}`,
    );
  }
  console.log();

  mkdirSync(path.dirname(OUT), { recursive: true });
  const ratios = {
    verifyOverFetch: best("verify").wall / base.wall,
    accountsOverFetch: best("accounts").wall / base.wall,
    distributeOverFetch: best("distribute").wall / base.wall,
  };
  const result = {
    benchmark: "read",
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg(), node: process.version },
    ledger: { entries: ENTRIES, agents: AGENTS, batch: BATCH, blocks: toBlock - fromBlock + 1 },
    seedSeconds: seed.seconds,
    rounds: ROUNDS,
    runs,
    best: { fetchDecode: base, verify: best("verify"), accounts: best("accounts"), distribute: best("distribute") },
    ratios,
    cpuRatios: { verifyOverFetch: best("verify").cpu / base.cpu, accountsOverFetch: best("accounts").cpu / base.cpu },
    target: TARGET_RATIO,
    met: {
      verify: ratios.verifyOverFetch <= TARGET_RATIO,
      accounts: ratios.accountsOverFetch <= TARGET_RATIO,
      distribute: ratios.distributeOverFetch <= TARGET_RATIO,
    },
  };
  writeFileSync(OUT, JSON.stringify(result, null, 2) + "\n");
  log(`wrote ${OUT}`);
} finally {
  provider.destroy();
  await chain.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(path.join(root, "scripts", "ignition", "deployments", deploymentId), { recursive: true, force: true });
}
