// Supply benchmark (issue 6), `npm run bench:supply`:
//  1. trace of a resource with 10,000 upstream events on a local anvil: the CLI's path (read,
//     derive states, index, trace, format) cold, as a ratio to the bare fetch + decode of the same
//     logs in the same run (target <= 1.2), and from the warm on-disk cache (target < 1 s);
//  2. the planner on 1,000 processes with 5,000 input links (sparse, with cycles): parse, solve
//     time, Gauss-Seidel sweeps, spectral-radius bound and residual.
// Prints a table and writes bench/results/supply.json. BENCH_SUPPLY_EVENTS changes the size.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { Contract, FetchRequest, hexlify, id, JsonRpcProvider, Network, parseUnits, ZeroHash } from "ethers";
import { processCpu } from "./kit/cpu.js";
import { encodeRecordBatch, FastRecordSigner, readBenchWallet } from "../lib/kit/read-seed.js";
import { deployWithIgnition } from "../lib/node/deployment.js";
import { readLedgerCached } from "../lib/node/entry-cache.js";
import { startLocalChain } from "../lib/node/local-chain.js";
import { computePlan, parseRecipes, RECIPES_FORMAT } from "../lib/supply/planner.js";
import { decodeLedgerLogs, fetchLogs, ledgerInterface } from "../lib/core/reader.js";
import { encodeUnit, labelId, ledgerDomain, packNonce } from "../lib/core/record.js";
import type { LedgerRecord } from "../lib/core/record.js";
import { devWallet } from "../lib/node/dev-chain.js";
import { formatTree, SupplyGraph } from "../lib/supply/supply.js";
import { deriveEntries } from "../lib/core/views.js";

const EVENTS = Number(process.env.BENCH_SUPPLY_EVENTS ?? 10_000);
const PER_PROCESS = 7; // consume two upstream outputs, work, use the printer, cite the design, consume a raw input, produce
const ROUNDS = Number(process.env.BENCH_SUPPLY_ROUNDS ?? 2);
const TARGET_RATIO = 1.2;
const TARGET_WARM_SECONDS = 1;
const OUT = path.join("bench", "results", "supply.json");
const root = path.resolve(import.meta.dirname, "..", "..");

const started = Date.now();
const log = (m: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${m}`);
const time = async <T>(fn: () => Promise<T> | T): Promise<{ value: T; seconds: number }> => {
  const t = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - t) / 1000 };
};

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

// ------------------------------------------------------------------ 1. trace on the chain

const dataDir = mkdtempSync(path.join(tmpdir(), "commons-bench-supply-"));
const cacheDir = path.join(dataDir, "cache");
const deploymentId = `bench-supply-${path.basename(dataDir)}`;
const chain = await startLocalChain({ dataDir, port: await freePort(), stateInterval: 86_400 });
const request = new FetchRequest(chain.url);
request.timeout = 300_000;
const provider = new JsonRpcProvider(request, Network.from(31337), { staticNetwork: true, cacheTimeout: -1, batchMaxCount: 20 });
const result: Record<string, unknown> = {
  benchmark: "supply",
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg(), node: process.version },
};
const rows: { measure: string; value: string; target: string }[] = [];

try {
  const fromBlock = (await provider.getBlockNumber()) + 1;
  const { Ledger: ledger } = await deployWithIgnition({ rpcUrl: chain.url, deploymentId, projectRoot: root });
  const relayer = devWallet(0, provider);
  const steward = new Contract(ledger, ledgerInterface(), devWallet(1, provider));
  const commons: string = await steward.registerCommons.staticCall(id("bench-supply"), "Supply benchmark commons");
  await (await steward.registerCommons(id("bench-supply"), "Supply benchmark commons")).wait();
  const now = BigInt((await provider.getBlock("latest"))!.timestamp);
  log(`anvil at ${chain.url}, Ledger at ${ledger}`);

  // A production network: process p consumes the outputs of p-1 and p/2 (merges; every output is
  // consumed twice: splits), with work, the shared printer, a cited design and a raw input.
  const agents = Array.from({ length: 24 }, (_, i) => readBenchWallet(`supply/${i}`));
  const sequences = new Map<string, bigint>();
  const ea = encodeUnit("ea");
  const h = encodeUnit("h");
  const processes = Math.ceil(EVENTS / PER_PROCESS);
  const records: { agent: number; r: LedgerRecord }[] = [];
  const add = (agent: number, fields: Partial<LedgerRecord>) => {
    const a = agents[agent].address;
    const seq = sequences.get(a) ?? 0n;
    sequences.set(a, seq + 1n);
    records.push({
      agent,
      r: {
        flow: 0,
        action: 0,
        provider: a,
        receiver: a,
        commons,
        resource: ZeroHash,
        resourceSpec: ZeroHash,
        process: ZeroHash,
        side: 0,
        quantity: 1_000_000n,
        unit: ea,
        time: now - 600n,
        evidence: ZeroHash,
        corrects: 0n,
        satisfies: 0n,
        nonce: packNonce(1n, seq),
        deadline: now + 7n * 86_400n,
        ...fields,
      },
    });
  };
  const output = (p: number) => labelId(`bench part ${p}`);
  for (let p = 1; p <= processes; p++) {
    const proc = labelId(`bench process ${p}`);
    const agent = p % agents.length;
    for (const q of [p - 1, Math.floor(p / 2)])
      add(agent, { action: 3, resource: q >= 1 ? output(q) : labelId("bench raw stock"), process: proc, side: 1, quantity: 500_000n });
    add(agent, { action: 0, process: proc, side: 1, unit: h });
    add(agent, { action: 2, resource: labelId("bench printer"), process: proc, side: 1, unit: h });
    add(agent, { action: 1, resourceSpec: labelId("bench design"), process: proc, side: 1 });
    add(agent, { action: 3, resource: labelId(`bench raw ${p}`), process: proc, side: 1 });
    add(agent, { action: 4, resource: output(p), resourceSpec: labelId("bench part"), process: proc, side: 2 });
  }
  const signer = new FastRecordSigner(ledgerDomain(31337n, ledger), records[0].r);
  const seed = await time(async () => {
    let nonce = await provider.getTransactionCount(relayer.address, "latest");
    const fees = { maxFeePerGas: parseUnits("20", "gwei"), maxPriorityFeePerGas: parseUnits("1", "gwei") };
    let inFlight: Promise<unknown> = Promise.resolve();
    for (let i = 0; i < records.length; i += 150) {
      const prepared = records.slice(i, i + 150).map(({ agent, r }) => signer.prepare(agents[agent], r));
      const data = hexlify(
        encodeRecordBatch(
          prepared.map((x) => x.words),
          prepared.map((x) => x.signature),
        ),
      );
      const raw = await relayer.signTransaction({ type: 2, chainId: 31337n, nonce: nonce++, to: ledger, data, gasLimit: 14_000_000n, ...fees });
      await inFlight;
      inFlight = provider.send("eth_sendRawTransaction", [raw]);
    }
    await inFlight;
    const [count] = (await new Contract(ledger, ledgerInterface(), provider).tip()) as [bigint, string];
    if (count !== BigInt(records.length)) throw new Error(`the ledger holds ${count} entries, not ${records.length}`);
  });
  const toBlock = await provider.getBlockNumber();
  log(`seeded ${records.length} supply events (${processes} processes) in ${seed.seconds.toFixed(1)} s`);

  const target = output(processes);
  const traceOnce = async (dir: string | undefined) => {
    const read = await readLedgerCached(provider, ledger, { fromBlock, dir });
    const tree = new SupplyGraph(deriveEntries(read.events)).trace(target);
    const text = formatTree(tree);
    return { hops: tree.hops.size, processes: tree.processes.size, lines: text.split("\n").length, cache: read.cache };
  };
  const runs = { fetch: [] as number[], cold: [] as number[], warm: [] as number[] };
  // CPU time (this process and anvil) of each measure: what load elsewhere on the machine does not inflate.
  const cpu = { fetch: [] as number[], cold: [] as number[], warm: [] as number[] };
  const cpuOf = async <T>(list: number[], fn: () => Promise<T>): Promise<T> => {
    const node = process.cpuUsage();
    const anvil = processCpu(chain.process.pid);
    const value = await fn();
    const used = process.cpuUsage(node);
    list.push((used.user + used.system) / 1e6 + processCpu(chain.process.pid) - anvil);
    return value;
  };
  let upstream = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const f = await cpuOf(cpu.fetch, () => time(async () => decodeLedgerLogs(await fetchLogs(provider, ledger, { fromBlock, toBlock })).entries.length));
    runs.fetch.push(f.seconds);
    const cold = await cpuOf(cpu.cold, () => time(() => traceOnce(undefined)));
    runs.cold.push(cold.seconds);
    rmSync(cacheDir, { recursive: true, force: true });
    await traceOnce(cacheDir); // writes the cache
    const warm = await cpuOf(cpu.warm, () => time(() => traceOnce(cacheDir)));
    if (warm.value.cache !== "hit") throw new Error(`the warm read was a cache ${warm.value.cache}`);
    runs.warm.push(warm.seconds);
    upstream = cold.value.hops;
    log(
      `round ${round}: fetch+decode ${f.seconds.toFixed(3)} s (${f.value} entries); trace cold ${cold.seconds.toFixed(3)} s (${cold.value.hops} events, ${cold.value.processes} processes, ${cold.value.lines} lines); warm ${warm.seconds.toFixed(3)} s; CPU fetch ${cpu.fetch.at(-1)!.toFixed(2)} / cold ${cpu.cold.at(-1)!.toFixed(2)} / warm ${cpu.warm.at(-1)!.toFixed(2)} s; load ${os.loadavg()[0].toFixed(1)}`,
    );
  }
  const best = (xs: number[]) => Math.min(...xs);
  const ratio = best(runs.cold) / best(runs.fetch);
  const cpuRatio = best(cpu.cold) / best(cpu.fetch);
  result.trace = {
    events: records.length,
    upstreamEvents: upstream,
    processes,
    rounds: ROUNDS,
    runs,
    cpu,
    cpuRatio,
    best: { fetchDecode: best(runs.fetch), traceCold: best(runs.cold), traceWarm: best(runs.warm) },
    ratio,
    targetRatio: TARGET_RATIO,
    targetWarmSeconds: TARGET_WARM_SECONDS,
    met: { ratio: ratio <= TARGET_RATIO, warm: best(runs.warm) < TARGET_WARM_SECONDS },
    seedSeconds: seed.seconds,
  };
  rows.push(
    { measure: `fetch + decode ${records.length} logs`, value: `${best(runs.fetch).toFixed(3)} s`, target: "" },
    {
      measure: `trace cold (${upstream} upstream events)`,
      value: `${best(runs.cold).toFixed(3)} s = ${ratio.toFixed(2)}x fetch`,
      target: `<= ${TARGET_RATIO}x ${ratio <= TARGET_RATIO ? "met" : "NOT met"}`,
    },
    {
      measure: "trace cold, CPU time (node + anvil) vs fetch",
      value: `${best(cpu.cold).toFixed(2)} s = ${cpuRatio.toFixed(2)}x ${best(cpu.fetch).toFixed(2)} s`,
      target: "",
    },
    {
      measure: "trace from warm cache",
      value: `${best(runs.warm).toFixed(3)} s`,
      target: `< ${TARGET_WARM_SECONDS} s ${best(runs.warm) < TARGET_WARM_SECONDS ? "met" : "NOT met"}`,
    },
  );
} finally {
  provider.destroy();
  await chain.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(path.join(root, "scripts", "ignition", "deployments", deploymentId), { recursive: true, force: true });
}

// ------------------------------------------------------------------ 2. planner

{
  const P = 1_000;
  const LINKS = 5_000;
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const links: Set<string>[] = Array.from({ length: P }, () => new Set());
  let placed = 0;
  while (placed < LINKS) {
    const k = Math.floor(rand() * P);
    const i = Math.floor(rand() * P);
    if (i === k || links[k].has(String(i))) continue;
    links[k].add(String(i));
    placed++;
  }
  const book = {
    format: RECIPES_FORMAT,
    name: "bench economy",
    version: "1.0.0",
    final: Array.from({ length: 50 }, (_, j) => `good ${j * 20}`),
    processes: links.map((inputs, k) => ({
      name: `process ${k}`,
      outputs: [{ spec: `good ${k}`, quantity: "1", unit: "ea" }],
      // Coefficients of one column sum to at most 0.9, so rho(A) < 1.
      inputs: [...inputs]
        .map((i) => ({ spec: `good ${i}`, quantity: ((0.9 / inputs.size) * rand()).toFixed(6), unit: "ea" }))
        .concat([{ spec: "raw material", quantity: "0.5", unit: "kg" }]),
    })),
  };
  const bytes = new TextEncoder().encode(JSON.stringify(book));
  const parsed = await time(() => parseRecipes(bytes));
  const demand = book.final.map((spec, j) => ({ spec, unit: "ea", quantity: 10 + j }));
  const solved = await time(() => computePlan(parsed.value, demand, []));
  const plan = solved.value;
  result.planner = {
    processes: P,
    links: LINKS,
    parseSeconds: parsed.seconds,
    solveSeconds: solved.seconds,
    sweeps: plan.sweeps,
    residual: plan.residual,
    spectralRadius: plan.spectralRadius,
    rawDemand: plan.inputs.find((i) => i.spec === "raw material")?.gross,
  };
  log(
    `planner: ${P} processes, ${LINKS} links: parse ${parsed.seconds.toFixed(3)} s, solve ${solved.seconds.toFixed(3)} s, ${plan.sweeps} sweeps, residual ${plan.residual.toExponential(2)}, rho <= ${plan.spectralRadius.upper.toFixed(4)}`,
  );
  rows.push(
    { measure: `planner parse + check (${P} processes, ${LINKS} links)`, value: `${parsed.seconds.toFixed(3)} s`, target: "" },
    { measure: "planner solve (SCC, spectral bound, Gauss-Seidel)", value: `${solved.seconds.toFixed(3)} s, ${plan.sweeps} sweeps`, target: "" },
    { measure: "planner residual ||y - max(0, Ay + d - s)||inf", value: plan.residual.toExponential(2), target: "" },
    { measure: "planner spectral radius (upper bound)", value: plan.spectralRadius.upper.toFixed(4), target: "< 1" },
  );
}

const width = Math.max(...rows.map((r) => r.measure.length));
const vwidth = Math.max(...rows.map((r) => r.value.length));
console.log(`\n${"measure".padEnd(width)}  ${"result".padEnd(vwidth)}  target`);
for (const r of rows) console.log(`${r.measure.padEnd(width)}  ${r.value.padEnd(vwidth)}  ${r.target}`);
mkdirSync(path.dirname(OUT), { recursive: true });
writeFileSync(OUT, JSON.stringify(result, null, 2) + "\n");
log(`wrote ${OUT}`);
