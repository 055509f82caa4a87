// The relayer on a local anvil (automine), run as `npm run relayer` runs it, in two scenarios:
//   throughput: records per second accepted (HTTP 202) and recorded end to end, for 10,000 signed
//     records (200 signers x 50 sequential nonces) posted by concurrent clients; one run per batch
//     size, each with fresh signers and a fresh queue. Writes bench/results/relayer.json.
//   hostile (RELAY-FAIR): an honest signer's record, posted alone, from POST to recorded: first on an
//     idle relayer, then while 5,000 hostile records from 100 keys (nonce gaps, oversize
//     signatures, replays, foreign corrections, wallets that change their mind) are posted by
//     concurrent clients; the median of --samples records each, and their ratio (the target: at
//     most 2). Also what became of the hostile records and the relayer's transactions (calldata
//     bytes, gas limit against gas used). Writes bench/results/relayer-hostile.json.
//   PATH=$PWD/node_modules/.bin:$PATH tsx scripts/bench/relayer.ts [--scenario throughput,hostile]
//     [--records 10000] [--signers 200] [--concurrency 32] [--batch-size 150,100] [--wait-ms 500]
//     [--samples 15]
// Both against the same chain. Prints a table per scenario.
import pMap from "p-map";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Contract, Transaction } from "ethers";
import { LEDGER_ABI, LEDGER_TOPICS } from "../lib/core/abi.js";
import { n, table, toJson } from "./kit/report.js";
import { freePort, startDevLedger } from "../lib/node/dev-chain.js";
import {
  FastRecordSigner,
  getHealth,
  hostileRecords,
  kitWallet,
  kitWallets,
  postRecord,
  prepareHostile,
  registerKitCommons,
  seededRandom,
  setWalletMode,
  spawnRelayer,
  WALLET_MODE,
  waitFor,
  waitRecorded,
  workRecord,
} from "../lib/kit/relayer.js";
import type { HostileKind } from "../lib/kit/relayer.js";
import type { SignedRecordJson } from "../lib/core/record.js";
import { ledgerDomain } from "../lib/core/record.js";
import { devWallet } from "../lib/node/dev-chain.js";

const OUT = path.join("bench", "results", "relayer.json");
const OUT_HOSTILE = path.join("bench", "results", "relayer-hostile.json");
const { values } = parseArgs({
  options: {
    records: { type: "string", default: "10000" },
    signers: { type: "string", default: "200" },
    concurrency: { type: "string", default: "32" },
    "batch-size": { type: "string", default: "150,100" },
    "wait-ms": { type: "string", default: "500" },
    scenario: { type: "string", default: "throughput,hostile" },
    samples: { type: "string", default: "15" },
  },
  strict: true,
});
const RECORDS = Number(values.records);
const SIGNERS = Number(values.signers);
const CONCURRENCY = Number(values.concurrency);
const BATCH_SIZES = values["batch-size"].split(",").map(Number);
const WAIT_MS = Number(values["wait-ms"]);
const SCENARIOS = new Set(values.scenario.split(","));
const SAMPLES = Number(values.samples);
for (const x of SCENARIOS) if (x !== "throughput" && x !== "hostile") throw new Error(`--scenario: unknown scenario "${x}" (throughput, hostile)`);
if (!Number.isInteger(SAMPLES) || SAMPLES < 1) throw new Error("--samples must be a positive integer");
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
await registerKitCommons(l.provider, l.ledger);
log(`anvil at ${l.rpc}, Ledger ${l.ledger}`);
const domain = ledgerDomain(31337n, l.ledger);
const signer = new FastRecordSigner(domain);
const results: RunResult[] = [];
let hostile: HostileResult | undefined;

try {
  for (const [run, batchSize] of (SCENARIOS.has("throughput") ? BATCH_SIZES : []).entries()) {
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
    await pMap(
      jsons,
      async (json) => {
        const t = performance.now();
        const reply = await postRecord(url, json);
        latencies.push(performance.now() - t);
        if (reply.status !== 202) {
          non202++;
          if (non202 <= 3) log(`  POST answered ${reply.status}: ${JSON.stringify(reply.body)}`);
        }
      },
      { concurrency: CONCURRENCY },
    );
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
        const recorded = receipt.logs.filter((x) => x.address === l.ledger && x.topics[0] === LEDGER_TOPICS.Recorded).length;
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
      recorded: {
        seconds: recordedAt / 1000,
        perSecond: RECORDS / (recordedAt / 1000),
        steadyPerSecond: steady,
        drainSeconds: (recordedAt - acceptedAt) / 1000,
      },
      transactions: txs.size,
      recordsPerTransaction: { mean: totalRecords / txs.size, max: Math.max(...[...txs.values()].map((t) => t.records)) },
      gasPerRecord: Number(totalGas) / totalRecords,
    });
    log(`run ${run + 1}: all ${n(RECORDS)} recorded after ${(recordedAt / 1000).toFixed(1)} s in ${txs.size} transactions`);
  }
  if (results.length > 0) {
    const { count } = await new Contract(l.ledger, LEDGER_ABI, l.provider).tip();
    if (count !== BigInt(RECORDS * BATCH_SIZES.length)) throw new Error(`the ledger has ${count} entries, expected ${RECORDS * BATCH_SIZES.length}`);
  }
  if (SCENARIOS.has("hostile")) hostile = await hostileRun();
} finally {
  await l.stop();
}

// ---------------------------------------------------------------- report
if (results.length > 0) reportThroughput();
if (hostile) reportHostile(hostile);

function reportThroughput(): void {
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
      [
        "batch / wait",
        ">records",
        ">accepted rec/s",
        ">POST ms p50/p95/p99",
        ">recorded rec/s (end to end)",
        ">recorded rec/s (10-90 %)",
        ">all recorded (s)",
        ">txs",
        ">rec/tx",
        ">gas/rec",
      ],
      rows,
    ),
  );
  console.log(`\nSigning (ethers Wallet, one process): ${results.map((r) => n(r.signing.perSecond)).join(", ")} records/s.`);
  writeResults(
    OUT,
    "relayer throughput",
    "accepted: records / time until the last POST was answered 202 (clients start together). recorded end to end: records / time from the first POST until the last record is recorded. steady: records recorded between 10% and 90% of the total, per second.",
    { runs: results },
  );
}

// ---------------------------------------------------------------- hostile scenario (RELAY-FAIR)

interface HostileResult {
  batchSize: number;
  waitMs: number;
  samples: number;
  /** idleMs holds samples taken before the hostile phase (this many) and after it. */
  idleSamplesBefore: number;
  idleMs: number[];
  hostileMs: number[];
  /** Of which the POST until its 202. */
  idlePostMs: number[];
  hostilePostMs: number[];
  idleMedianMs: number;
  hostileMedianMs: number;
  ratio: number;
  hostile: { records: number; keys: number; clients: number; firstPassSeconds: number; postedWhileSampling: number; outcomes: Record<string, number> };
  queueAfter: Record<string, number>;
  transactions: {
    count: number;
    failedAtExecution: number;
    recorded: number;
    skipped: number;
    maxCalldataBytes: number;
    maxSignedBytes: number;
    gasLimitOverUsed: { min: number; median: number; max: number };
    headroomGas: { min: number; median: number; max: number };
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function spread(xs: number[]): { min: number; median: number; max: number } {
  return { min: Math.min(...xs), median: median(xs), max: Math.max(...xs) };
}

async function hostileRun(): Promise<HostileResult> {
  const CLIENTS = 8;
  const port = await freePort();
  const relayer = await spawnRelayer({
    rpc: l.rpc,
    ledger: l.ledger,
    fromBlock: l.fromBlock,
    db: path.join(l.dataDir, "relayer-hostile.sqlite"),
    port,
    args: ["--wait-ms", String(WAIT_MS)],
  });
  const url = relayer.url;
  try {
    const payer = devWallet(9, l.provider);
    log("hostile: deploying 10 ERC-1271 wallets, recording 20 victims' records (the replays)");
    const setup = await prepareHostile(l.provider, l.ledger, signer, payer, { wallets: 10, victims: 20, label: "bench-hostile" });
    const blockBefore = await l.provider.getBlockNumber();
    const rand = seededRandom(0x4057);
    const validity = async () => {
      const now = BigInt((await l.provider.getBlock("latest"))!.timestamp);
      return { time: now - 60n, deadline: now + 7200n };
    };
    let honestCount = 0;
    /** One honest record by a new key, posted at a random moment of the relayer's round: ms from POST to recorded (and to its 202). */
    const honestOnce = async (into: { ms: number[]; postMs: number[] }): Promise<void> => {
      const w = kitWallet(`bench-hostile/honest/${honestCount++}`);
      const json = signer.sign(w, workRecord(w.address, { nonce: 0n, ...(await validity()) }));
      await sleep(rand() * WAIT_MS);
      const t = performance.now();
      const reply = await postRecord(url, json);
      into.postMs.push(performance.now() - t);
      if (reply.status !== 202) throw new Error(`the honest record was answered ${reply.status}: ${JSON.stringify(reply.body)}`);
      await waitRecorded(url, [json.digest], 120_000, 10);
      into.ms.push(performance.now() - t);
    };

    log(`hostile: ${SAMPLES} honest records on the idle relayer`);
    const idle = { ms: [] as number[], postMs: [] as number[] };
    for (let i = 0; i < SAMPLES; i++) await honestOnce(idle);
    const idleBefore = idle.ms.length;

    const records = hostileRecords(signer, setup, await validity(), { perKey: 50, label: "bench-hostile" });
    // Arrays of 10 (ten 5,000-byte signatures in hex stay under the 256 KiB body cap).
    const chunks: { kind: HostileKind; jsons: SignedRecordJson[] }[] = [];
    for (let i = 0; i < records.length; i += 10) chunks.push({ kind: records[i].kind, jsons: records.slice(i, i + 10).map((r) => r.json) });
    const outcomes: Record<string, number> = {};
    const post = async (c: (typeof chunks)[number], count: boolean) => {
      const reply = await postRecord(url, c.jsons);
      if (reply.status !== 207) throw new Error(`a hostile POST was answered ${reply.status}: ${JSON.stringify(reply.body)}`);
      if (count)
        for (const x of reply.body.results as { status?: number }[])
          outcomes[`${c.kind} ${x.status ?? 202}`] = (outcomes[`${c.kind} ${x.status ?? 202}`] ?? 0) + 1;
    };
    log("hostile: the wallets' 500 records, accepted while the wallets say yes; each wallet turns once its sequences 0 are in");
    const floodStart = performance.now();
    const fickle = records.filter((r) => r.kind === "fickle-wallet").map((r) => r.json);
    const held = fickle.filter((j) => BigInt(j.record.nonce) % (1n << 64n) !== 0n);
    for (let i = 0; i < held.length; i += 10) await post({ kind: "fickle-wallet", jsons: held.slice(i, i + 10) }, true);
    for (const a of setup.wallets) {
      await post({ kind: "fickle-wallet", jsons: fickle.filter((j) => j.record.provider === a && BigInt(j.record.nonce) % (1n << 64n) === 0n) }, true);
      await setWalletMode(payer, a, WALLET_MODE.WrongMagic);
    }
    const rest = chunks.filter((x) => x.kind !== "fickle-wallet");
    let sampling = true;
    let postedWhileSampling = 0;
    let firstPassSeconds = 0;
    log(`hostile: the other 4,500 by ${CLIENTS} clients, again and again until the honest samples are taken`);
    const flood = (async () => {
      for (let pass = 0; pass === 0 || sampling; pass++) {
        await pMap(
          rest,
          async (c) => {
            if (pass > 0 && !sampling) return;
            await post(c, pass === 0);
            if (sampling) postedWhileSampling += c.jsons.length;
          },
          { concurrency: CLIENTS },
        );
        if (pass === 0) firstPassSeconds = (performance.now() - floodStart) / 1000;
      }
    })();
    await sleep(1_000); // the flood is under way
    log(`hostile: ${SAMPLES} honest records under the hostile load`);
    const loaded = { ms: [] as number[], postMs: [] as number[] };
    for (let i = 0; i < SAMPLES; i++) await honestOnce(loaded);
    sampling = false;
    await flood;
    // Idle again (the queue holds only records that wait for a missing sequence): against drift
    // in the machine's load, the idle median is over the samples before and after.
    log(`hostile: ${SAMPLES} honest records on the idle relayer again`);
    await waitFor("the relayer to be idle", async () => ((await getHealth(url)).queue.sending === 0 ? true : undefined), 60_000, 200);
    await sleep(2 * WAIT_MS);
    for (let i = 0; i < SAMPLES; i++) await honestOnce(idle);
    const health = await getHealth(url);

    // The relayer's transactions in the meantime.
    const txs: { calldata: number; signed: number; gasLimit: bigint; gasUsed: bigint; status: number; recorded: number; skipped: number }[] = [];
    const recordedTopic = LEDGER_TOPICS.Recorded;
    const skippedTopic = LEDGER_TOPICS.RecordSkipped;
    for (let b = blockBefore + 1, last = await l.provider.getBlockNumber(); b <= last; b++) {
      for (const hash of (await l.provider.getBlock(b, false))!.transactions) {
        const tx = (await l.provider.getTransaction(hash))!;
        if (tx.from !== health.relayer || tx.to !== l.ledger) continue;
        const receipt = (await l.provider.getTransactionReceipt(hash))!;
        const logs = receipt.logs.filter((x) => x.address === l.ledger);
        txs.push({
          calldata: (tx.data.length - 2) / 2,
          signed: (Transaction.from(tx).serialized.length - 2) / 2,
          gasLimit: tx.gasLimit,
          gasUsed: receipt.gasUsed,
          status: receipt.status ?? 0,
          recorded: logs.filter((x) => x.topics[0] === recordedTopic).length,
          skipped: logs.filter((x) => x.topics[0] === skippedTopic).length,
        });
      }
    }
    const idleMedianMs = median(idle.ms);
    const hostileMedianMs = median(loaded.ms);
    return {
      batchSize: 100,
      waitMs: WAIT_MS,
      samples: SAMPLES,
      idleSamplesBefore: idleBefore,
      idleMs: idle.ms,
      hostileMs: loaded.ms,
      idlePostMs: idle.postMs,
      hostilePostMs: loaded.postMs,
      idleMedianMs,
      hostileMedianMs,
      ratio: hostileMedianMs / idleMedianMs,
      hostile: {
        records: records.length,
        keys: new Set(records.map((r) => r.json.record.provider)).size,
        clients: CLIENTS,
        firstPassSeconds,
        postedWhileSampling,
        outcomes,
      },
      queueAfter: health.queue,
      transactions: {
        count: txs.length,
        failedAtExecution: txs.filter((t) => t.status !== 1).length,
        recorded: txs.reduce((a, t) => a + t.recorded, 0),
        skipped: txs.reduce((a, t) => a + t.skipped, 0),
        maxCalldataBytes: Math.max(...txs.map((t) => t.calldata)),
        maxSignedBytes: Math.max(...txs.map((t) => t.signed)),
        gasLimitOverUsed: spread(txs.map((t) => Number(t.gasLimit) / Number(t.gasUsed))),
        headroomGas: spread(txs.map((t) => Number(t.gasLimit - t.gasUsed))),
      },
    };
  } finally {
    await relayer.stop();
    const slow = relayer
      .output()
      .split("\n")
      .filter((x) => x.includes("slow round"));
    if (slow.length > 0) log(`hostile: the relayer logged ${slow.length} slow rounds (over 1 s), e.g.\n  ${slow.slice(0, 5).join("\n  ")}`);
  }
}

function reportHostile(h: HostileResult): void {
  const ms = (x: number) => x.toFixed(0);
  console.log(
    `\nRELAY-FAIR on local anvil: an honest record posted alone, POST to recorded (relayer as npm run relayer: batch ${h.batchSize}, wait ${h.waitMs} ms), ${os.cpus().length} CPUs shared by anvil, the relayer and the clients\n`,
  );
  console.log(
    table(
      ["phase", ">samples", ">median ms", ">min ms", ">max ms", ">POST (202) median ms"],
      [
        [
          "idle relayer (before and after)",
          h.idleMs.length,
          ms(h.idleMedianMs),
          ms(Math.min(...h.idleMs)),
          ms(Math.max(...h.idleMs)),
          ms(median(h.idlePostMs)),
        ],
        [
          `${n(h.hostile.records)} hostile records from ${h.hostile.keys} keys, ${h.hostile.clients} clients`,
          h.samples,
          ms(h.hostileMedianMs),
          ms(Math.min(...h.hostileMs)),
          ms(Math.max(...h.hostileMs)),
          ms(median(h.hostilePostMs)),
        ],
      ],
    ),
  );
  console.log(`\nratio (median under hostile load / median idle): ${h.ratio.toFixed(2)} (target: at most 2)`);
  console.log(
    `hostile records: first pass of ${n(h.hostile.records)} posted in ${h.hostile.firstPassSeconds.toFixed(1)} s; ${n(h.hostile.postedWhileSampling)} posted while the honest records were measured\n`,
  );
  console.log(
    table(
      ["hostile kind and answer", ">records"],
      Object.entries(h.hostile.outcomes)
        .sort()
        .map(([k, v]) => [k, n(v)]),
    ),
  );
  const t = h.transactions;
  console.log(
    `\nrelayer transactions: ${t.count} (${t.failedAtExecution} failed at execution), ${n(t.recorded)} records recorded, ${n(t.skipped)} skipped on chain; largest calldata ${n(t.maxCalldataBytes)} bytes, largest signed transaction ${n(t.maxSignedBytes)} bytes (limit ${n(128 * 1024)}); gas limit / gas used ${t.gasLimitOverUsed.min.toFixed(2)}..${t.gasLimitOverUsed.max.toFixed(2)} (median ${t.gasLimitOverUsed.median.toFixed(2)}), headroom ${n(t.headroomGas.min)}..${n(t.headroomGas.max)} gas`,
  );
  console.log(`queue afterwards: ${JSON.stringify(h.queueAfter)}`);
  writeResults(
    OUT_HOSTILE,
    "relayer under hostile load (RELAY-FAIR)",
    "idle: samples before the hostile phase and after it (once nothing is being sent). latency: POST of one honest record (a new key, sequence 0) to its state 'recorded' (polled every 10 ms), each posted at a random moment of the relayer's round. hostile: the RELAY-FAIR mix (hostileRecords in scripts/lib/kit/relayer.ts), posted in arrays of 10 by concurrent clients; the wallets' records first, then the wallets refuse; the other records again and again until the samples are taken. ratio: median under hostile load / median idle.",
    h,
  );
}

function writeResults(file: string, benchmark: string, notes: string, data: object): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    node: process.version,
    loadAverage1m: { before: loadBefore[0], after: os.loadavg()[0] },
  };
  writeFileSync(file, toJson({ benchmark, date: new Date().toISOString(), machine, chain: "anvil (automine), local", notes, ...data }));
  log(`wrote ${file}`);
}
