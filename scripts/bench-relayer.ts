// Relayer throughput on a local anvil: records per second accepted (HTTP 202) and recorded end to
// end, for 10,000 signed records (200 signers x 50 sequential nonces) posted by concurrent clients.
//   PATH=$PWD/node_modules/.bin:$PATH tsx scripts/bench-relayer.ts
//     [--records 10000] [--signers 200] [--concurrency 32] [--batch-size 150,100] [--wait-ms 500]
// One run per batch size, each with fresh signers and a fresh queue, against the same chain (anvil,
// automine) and a relayer process as `npm run relayer` runs it. Prints a table and writes
// bench/results/relayer.json.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Contract } from "ethers";
import { LEDGER_ABI } from "./lib/abi.js";
import { n, table, toJson } from "./lib/bench-report.js";
import { freePort, startDevLedger } from "./lib/dev-chain.js";
import { FastRecordSigner, getHealth, kitWallets, pool, postRecord, spawnRelayer, workRecord } from "./lib/bench-relayer-kit.js";
import type { SignedRecordJson } from "./lib/record.js";
import { ledgerInterface } from "./lib/reader.js";
import { ledgerDomain } from "./lib/record.js";

const OUT = path.join("bench", "results", "relayer.json");
const { values } = parseArgs({
  options: {
    records: { type: "string", default: "10000" },
    signers: { type: "string", default: "200" },
    concurrency: { type: "string", default: "32" },
    "batch-size": { type: "string", default: "150,100" },
    "wait-ms": { type: "string", default: "500" },
  },
  strict: true,
});
const RECORDS = Number(values.records);
const SIGNERS = Number(values.signers);
const CONCURRENCY = Number(values.concurrency);
const BATCH_SIZES = values["batch-size"].split(",").map(Number);
const WAIT_MS = Number(values["wait-ms"]);
if (!Number.isInteger(RECORDS) || !Number.isInteger(SIGNERS) || RECORDS % SIGNERS !== 0) throw new Error("--records must be a multiple of --signers");
const PER_SIGNER = RECORDS / SIGNERS;

const started = Date.now();
const loadBefore = os.loadavg();
const log = (message: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

interface RunResult {
  batchSize: number;
  waitMs: number;
  records: number;
  signers: number;
  concurrency: number;
  signing: { seconds: number; perSecond: number };
  accepted: { seconds: number; perSecond: number; latencyMs: { p50: number; p95: number; p99: number; max: number }; non202: number };
  recorded: { seconds: number; perSecond: number; steadyPerSecond: number; drainSeconds: number };
  transactions: number;
  recordsPerTransaction: { mean: number; max: number };
  gasPerRecord: number;
}

const l = await startDevLedger({ name: "bench-relayer" });
log(`anvil at ${l.rpc}, Ledger ${l.ledger}`);
const domain = ledgerDomain(31337n, l.ledger);
const signer = new FastRecordSigner(domain);
const results: RunResult[] = [];

try {
  for (const [run, batchSize] of BATCH_SIZES.entries()) {
    // ------------------------------------------------------------ sign
    const wallets = kitWallets(`bench-${run}`, SIGNERS);
    const now = BigInt((await l.provider.getBlock("latest"))!.timestamp);
    const signStart = performance.now();
    const jsons: SignedRecordJson[] = [];
    for (let s = 0; s < PER_SIGNER; s++) {
      for (const w of wallets) jsons.push(signer.sign(w, workRecord(w.address, { nonce: BigInt(s), time: now - 60n, deadline: now + 7200n })));
    }
    const signSeconds = (performance.now() - signStart) / 1000;
    log(`run ${run + 1}: signed ${n(RECORDS)} records in ${signSeconds.toFixed(1)} s; starting the relayer (--batch-size ${batchSize} --wait-ms ${WAIT_MS})`);

    // ------------------------------------------------------------ relay
    const port = await freePort();
    const relayer = await spawnRelayer({
      rpc: l.rpc,
      ledger: l.ledger,
      fromBlock: l.fromBlock,
      db: path.join(l.dataDir, `relayer-${run}.sqlite`),
      port,
      args: ["--batch-size", String(batchSize), "--wait-ms", String(WAIT_MS)],
    });
    const url = relayer.url;
    const blockBefore = await l.provider.getBlockNumber();
    const latencies: number[] = [];
    let non202 = 0;
    let acceptedAt = 0;
    const samples: { t: number; recorded: number }[] = [];
    let polling = true;
    const t0 = performance.now();
    const poller = (async () => {
      while (polling) {
        const h = await getHealth(url);
        samples.push({ t: performance.now() - t0, recorded: h.queue.recorded });
        if (h.queue.recorded + h.queue.failed >= RECORDS) return;
        await sleep(100);
      }
    })();
    await pool(jsons, CONCURRENCY, async (json) => {
      const t = performance.now();
      const reply = await postRecord(url, json);
      latencies.push(performance.now() - t);
      if (reply.status !== 202) {
        non202++;
        if (non202 <= 3) log(`  POST answered ${reply.status}: ${JSON.stringify(reply.body)}`);
      }
    });
    acceptedAt = performance.now() - t0;
    log(`run ${run + 1}: ${n(RECORDS)} POSTs answered in ${(acceptedAt / 1000).toFixed(1)} s (${non202} not 202); waiting for the chain`);
    await poller;
    polling = false;
    const health = await getHealth(url);
    const recordedAt = samples.at(-1)!.t;
    await relayer.stop();
    if (health.queue.recorded !== RECORDS) throw new Error(`only ${health.queue.recorded} of ${RECORDS} recorded (${JSON.stringify(health.queue)})`);

    // ------------------------------------------------------------ what reached the chain
    const txs = new Map<string, { records: number; gas: bigint }>();
    const blockAfter = await l.provider.getBlockNumber();
    for (let b = blockBefore + 1; b <= blockAfter; b++) {
      const block = await l.provider.getBlock(b, false);
      for (const hash of block!.transactions) {
        const receipt = (await l.provider.getTransactionReceipt(hash))!;
        const recorded = receipt.logs.filter((x) => x.address === l.ledger && x.topics[0] === ledgerInterface.getEvent("Recorded")!.topicHash).length;
        if (recorded) txs.set(hash, { records: recorded, gas: receipt.gasUsed });
      }
    }
    const totalRecords = [...txs.values()].reduce((a, t) => a + t.records, 0);
    const totalGas = [...txs.values()].reduce((a, t) => a + t.gas, 0n);
    const at = (fraction: number) => samples.find((s) => s.recorded >= fraction * RECORDS)!.t;
    const steady = (0.8 * RECORDS) / ((at(0.9) - at(0.1)) / 1000);
    const sorted = [...latencies].sort((a, b) => a - b);
    results.push({
      batchSize,
      waitMs: WAIT_MS,
      records: RECORDS,
      signers: SIGNERS,
      concurrency: CONCURRENCY,
      signing: { seconds: signSeconds, perSecond: RECORDS / signSeconds },
      accepted: {
        seconds: acceptedAt / 1000,
        perSecond: RECORDS / (acceptedAt / 1000),
        latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1)! },
        non202,
      },
      recorded: { seconds: recordedAt / 1000, perSecond: RECORDS / (recordedAt / 1000), steadyPerSecond: steady, drainSeconds: (recordedAt - acceptedAt) / 1000 },
      transactions: txs.size,
      recordsPerTransaction: { mean: totalRecords / txs.size, max: Math.max(...[...txs.values()].map((t) => t.records)) },
      gasPerRecord: Number(totalGas) / totalRecords,
    });
    log(`run ${run + 1}: all ${n(RECORDS)} recorded after ${(recordedAt / 1000).toFixed(1)} s in ${txs.size} transactions`);
  }
  const { count } = await new Contract(l.ledger, LEDGER_ABI, l.provider).tip();
  if (count !== BigInt(RECORDS * BATCH_SIZES.length)) throw new Error(`the ledger has ${count} entries, expected ${RECORDS * BATCH_SIZES.length}`);
} finally {
  await l.stop();
}

// ---------------------------------------------------------------- report
const rows = results.map((r) => [
  `${r.batchSize} / ${r.waitMs} ms`,
  n(r.records),
  n(r.accepted.perSecond),
  `${r.accepted.latencyMs.p50.toFixed(0)} / ${r.accepted.latencyMs.p95.toFixed(0)} / ${r.accepted.latencyMs.p99.toFixed(0)}`,
  n(r.recorded.perSecond),
  n(r.recorded.steadyPerSecond),
  r.recorded.seconds.toFixed(1),
  n(r.transactions),
  n(r.recordsPerTransaction.mean, 1),
  n(r.gasPerRecord),
]);
console.log(
  `\nRelayer on local anvil: ${n(RECORDS)} records (${SIGNERS} signers x ${PER_SIGNER} nonces), ${CONCURRENCY} concurrent clients, ${os.cpus().length} CPUs (load average ${loadBefore[0].toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after; anvil, relayer and clients share them)\n`,
);
console.log(
  table(
    ["batch / wait", ">records", ">accepted rec/s", ">POST ms p50/p95/p99", ">recorded rec/s (end to end)", ">recorded rec/s (10-90 %)", ">all recorded (s)", ">txs", ">rec/tx", ">gas/rec"],
    rows,
  ),
);
console.log(`\nSigning (ethers Wallet, one process): ${results.map((r) => n(r.signing.perSecond)).join(", ")} records/s.`);
mkdirSync(path.dirname(OUT), { recursive: true });
writeFileSync(
  OUT,
  toJson({
    benchmark: "relayer throughput",
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, loadAverage1m: { before: loadBefore[0], after: os.loadavg()[0] } },
    chain: "anvil (automine), local",
    notes: "accepted: records / time until the last POST was answered 202 (clients start together). recorded end to end: records / time from the first POST until the last record is recorded. steady: records recorded between 10% and 90% of the total, per second.",
    runs: results,
  }),
);
log(`wrote ${OUT}`);
