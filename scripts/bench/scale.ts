// Scale benchmark (issue 16), first cut: the Ponder indexer on embedded PGlite and on a PostgreSQL
// server, against the bare fetch-and-decode of the same logs, on one ledger seeded on a local anvil.
//   PATH=$PWD/node_modules/.bin:$PATH tsx scripts/bench/scale.ts    (BENCH_SCALE_ENTRIES=..., default 20,000;
//   BENCH_SCALE_VISITS=..., first visits of the app per database, default 3)
// Measures, per database: the indexer's start-up (an indexer with nothing to index, to /ready), the
// time from its spawn until its head is the Ledger's tip, and from those its indexing throughput, next
// to Ponder's own (the same configuration with handlers that do nothing: the floor of any indexer on it);
// then `commons accounts --indexer` and `commons list --indexer --agent` as processes against
// `commons accounts` reading the chain, and one page of /entries and /accounts over HTTP. Prints a
// table and writes bench/results/scale.json. Targets (issue 16): indexing at least half as fast as
// fetch + decode; `commons accounts --indexer` within 1 s; the app's accounts page through the
// indexer interactive within 1 s of navigation on a first visit with a JS heap of at most 150 MB,
// and the next page of entries within 200 ms. Each visit starts once the machine has been quiet
// (under 10 % of its CPUs busy) for two seconds: a page is timed on its own, not beside the indexer
// or the database finishing their work.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fillLedger, startBenchChain } from "./kit/read-fill.js";
import { readBenchWallet } from "../lib/kit/read-seed.js";
import { LEDGER_EVENTS } from "../lib/core/abi.js";
import { decodeLedgerLogs, fetchLogs } from "../lib/core/reader.js";
import { deployWithIgnition } from "../lib/node/deployment.js";
import { freePort } from "../lib/node/dev-chain.js";
import { startIndexerOnFreePort } from "../lib/node/indexer.js";
import { startPostgres } from "../lib/node/postgres.js";
import type { Postgres } from "../lib/node/postgres.js";
import { ensureAppBuilt, serveApp } from "../lib/node/app-server.js";
import { launchBrowser } from "../lib/node/browser.js";

const ENTRIES = Number(process.env.BENCH_SCALE_ENTRIES ?? 20_000);
const AGENTS = 300;
/** First visits of the app per database (each in a new browser profile): the medians are reported, the heap's maximum. */
const APP_VISITS = Number(process.env.BENCH_SCALE_VISITS ?? 3);
const OUT = path.join("bench", "results", "scale.json");
/** An address with no events: an indexer of it measures start-up alone. */
const DEAD = "0x000000000000000000000000000000000000dEaD";
const root = path.resolve(import.meta.dirname, "..", "..");
const started = Date.now();
const log = (message: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
const seconds = (t: number) => (performance.now() - t) / 1000;

/** Runs the CLI as a person would (a process of its own); its wall time and output. */
function cli(args: string[], env: Record<string, string>): Promise<{ seconds: number; code: number | null; out: string }> {
  return new Promise((resolve) => {
    const t = performance.now();
    const child = spawn(process.execPath, [path.join(root, "scripts", "commons.mjs"), ...args], { cwd: root, env: { ...process.env, ...env } });
    let out = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (out += b));
    child.once("exit", (code) => resolve({ seconds: seconds(t), code, out }));
  });
}

/** The machine's CPU counters (jiffies): busy and total, from /proc/stat (undefined where there is none). */
function cpuTimes(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3]! + (fields[4] ?? 0);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/**
 * Waits (up to `maxMs`) until the whole machine has been quiet (under 10 % of its CPUs busy) for two
 * seconds in a row, so that a page is timed on its own, not beside an indexer or a database still
 * finishing work (Ponder's last blocks, PostgreSQL's autovacuum after the bulk insert). Returns the
 * seconds waited and the busy share of the last second.
 */
async function quietMachine(maxMs = 120_000): Promise<{ waited: number; busy: number }> {
  const t = performance.now();
  let quiet = 0;
  let busy = 0;
  let last = cpuTimes();
  if (!last) return { waited: 0, busy: NaN };
  while (performance.now() - t < maxMs) {
    await new Promise((r) => setTimeout(r, 1_000));
    const now = cpuTimes()!;
    busy = (now.busy - last.busy) / Math.max(now.total - last.total, 1);
    last = now;
    quiet = busy < 0.1 ? quiet + 1 : 0;
    if (quiet >= 2) break;
  }
  return { waited: seconds(t), busy };
}

/** The best of `n` runs of an async measure (seconds). */
async function best(n: number, fn: () => Promise<number>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < n; i++) min = Math.min(min, await fn());
  return min;
}

/** When the page set its performance marks ("commons:<mark>"), by key, in ms after navigation (-1: not set). */
async function marksOf<K extends string>(tab: { evaluate(script: string): Promise<unknown> }, marks: Record<K, string>): Promise<Record<K, number>> {
  return (await tab.evaluate(`Object.fromEntries(Object.entries(${JSON.stringify(marks)}).map(([key, name]) => {
    const m = performance.getEntriesByName("commons:" + name, "mark")[0];
    return [key, m ? Math.round(m.startTime) : -1];
  }))`)) as Record<K, number>;
}

/**
 * The app through the indexer in headless Chromium, APP_VISITS first visits (each a new browser profile): the
 * accounts page until its totals and the first rows of its table are shown (navigation to
 * interactive, the page's own clock), the JS heap then (after a garbage collection), and on the
 * entries page the time from a click on "Older" until the next page is shown.
 */
async function appThrough(indexerUrl: string, contracts: Record<string, string>, fromBlock: number) {
  const server = await serveApp({ root, port: 0, index: false, config: { local: { chainId: 31337, rpcUrl: chain.url, contracts, fromBlock, indexerUrl } } });
  try {
    const visits = [];
    for (let i = 0; i < APP_VISITS; i++) {
      const quiet = await quietMachine();
      if (quiet.waited > 2.5)
        log(`  waited ${quiet.waited.toFixed(1)} s for the machine to be quiet before visit ${i + 1} (${(quiet.busy * 100).toFixed(0)} % busy then)`);
      visits.push(await firstVisit(server.url));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const byAccounts = [...visits].sort((a, b) => a.accountsMs - b.accountsMs);
    return {
      accountsMs: median(visits.map((v) => v.accountsMs)),
      heapMb: Math.max(...visits.map((v) => v.heapMb)),
      nextPageMs: median(visits.map((v) => v.nextPageMs)),
      phases: byAccounts[Math.floor(visits.length / 2)]!.phases,
      visits,
    };
  } finally {
    await server.close();
  }
}

/** One first visit (a new browser profile) of the app at `url`: see appThrough. */
async function firstVisit(url: string) {
  const browser = await launchBrowser();
  try {
    const tab = await browser.context.newPage();
    // The page's own clock at the first moment the totals and two rows of the table are in the page
    // (an observer in the page: Playwright's polling would add its own latency to the figure).
    const summary = `[data-testid="accounts-summary"][data-source="indexer"][data-entries="${ENTRIES}"]`;
    await tab.addInitScript(`new MutationObserver((_, o) => {
      if (document.querySelector('${summary}') && document.querySelectorAll('[data-testid="accounts-table"] tbody tr').length >= 2) {
        window.__interactiveAt = performance.now();
        o.disconnect();
      }
    }).observe(document, { subtree: true, attributes: true, childList: true });`);
    await tab.goto(`${url}/#/accounts`);
    await tab.locator(summary).waitFor({ timeout: 60_000 });
    await tab.locator('[data-testid="accounts-table"] tbody tr').nth(1).waitFor();
    const accountsMs = Number(await tab.evaluate("window.__interactiveAt"));
    // Where the time went: the page's marks (main module, config, the indexer's check, its days) and the last script chunk.
    const phases = {
      ...(await marksOf(tab, {
        main: "main",
        config: "config",
        check: "indexer-check",
        checked: "indexer-checked",
        days: "indexer-days",
        counts: "indexer-counts",
      })),
      lastChunk: Number(
        await tab.evaluate(`(() => {
          const js = performance.getEntriesByType("resource").filter((e) => e.name.endsWith(".js"));
          return js.length ? Math.round(Math.max(...js.map((e) => e.responseEnd))) : -1;
        })()`),
      ),
    };
    const cdp = await browser.context.newCDPSession(tab);
    await cdp.send("HeapProfiler.collectGarbage");
    const { usedSize } = (await cdp.send("Runtime.getHeapUsage")) as { usedSize: number };
    await tab.goto(`${url}/#/entries`);
    await tab.locator('[data-testid="entries-pager"][data-page="1"]').waitFor({ timeout: 60_000 });
    // From the click (as the page receives it) until the next page's first entry is in the page.
    const first = Number(await tab.getByTestId("entries-pager").getAttribute("data-first"));
    await tab.evaluate(`(() => {
      const button = [...document.querySelectorAll("button")].find((b) => b.textContent === "Older →");
      button.addEventListener("click", () => { window.__clickAt = performance.now(); }, { capture: true, once: true });
      new MutationObserver((_, o) => {
        const pager = document.querySelector('[data-testid="entries-pager"]');
        if (pager && pager.getAttribute("data-first") === "${first - 50}") { window.__shownAt = performance.now(); o.disconnect(); }
      }).observe(document, { subtree: true, attributes: true, childList: true });
    })()`);
    await tab.getByRole("button", { name: "Older →" }).click();
    await tab.locator(`[data-testid="entries-pager"][data-first="${first - 50}"]`).waitFor();
    const nextPageMs = Number(await tab.evaluate("window.__shownAt - window.__clickAt"));
    // Whether the accounts page's spot check (a contributor's entries read from the chain) ran at the click (-1: not started, or not finished).
    const around = {
      click: Math.round(Number(await tab.evaluate("window.__clickAt"))),
      ...(await marksOf(tab, { spotCheck: "spot-check", spotChecked: "spot-checked" })),
    };
    return { accountsMs, heapMb: usedSize / 1e6, nextPageMs, phases: { ...phases, ...around } };
  } finally {
    await browser.close();
  }
}

/**
 * Ponder alone, with nothing of ours: a project with the indexer's own configuration (the same chain,
 * Ledger, first block and database) whose handlers, one per Ledger event, do nothing. The seconds from
 * its spawn until it has indexed `toBlock` (Ponder's /status): the floor of any indexer built on
 * Ponder here, which ours can approach but not pass.
 */
async function ponderAlone(o: { dir: string; rpcUrl: string; ledger: string; fromBlock: number; toBlock: number; databaseUrl?: string }): Promise<number> {
  mkdirSync(path.join(o.dir, "src", "api"), { recursive: true });
  // (Ponder wants an API file; its own /status and /ready are all this needs.)
  writeFileSync(path.join(o.dir, "src", "api", "index.ts"), `import { Hono } from "hono";\nexport default new Hono();\n`);
  symlinkSync(path.join(root, "node_modules"), path.join(o.dir, "node_modules"));
  writeFileSync(
    path.join(o.dir, "ponder.config.ts"),
    `export { default } from ${JSON.stringify(path.join(root, "scripts", "indexer", "ponder.config.ts"))};\n`,
  );
  writeFileSync(
    path.join(o.dir, "ponder.schema.ts"),
    `import { onchainTable } from "ponder";\nexport const nothing = onchainTable("nothing", (t) => ({ id: t.integer().primaryKey() }));\n`,
  );
  const names = LEDGER_EVENTS.map((e) => /^event (\w+)\(/.exec(e)![1]!);
  writeFileSync(
    path.join(o.dir, "src", "index.ts"),
    `import { ponder } from "ponder:registry";\nfor (const name of ${JSON.stringify(names)}) ponder.on(\`Ledger:\${name}\` as never, async () => {});\n`,
  );
  const t = performance.now();
  const alone = await startIndexerOnFreePort(
    {
      project: o.dir,
      rpcUrl: o.rpcUrl,
      chainId: 31337,
      ledger: o.ledger,
      fromBlock: o.fromBlock,
      dataDir: o.dir,
      databaseUrl: o.databaseUrl,
      schema: path.basename(o.dir).replace(/-/g, "_"),
    },
    freePort,
  );
  try {
    // Ready once its backfill is done; at the tip once it has indexed the last block (Ponder's /status).
    for (;;) {
      const status = (await (await fetch(`${alone.url}/status`)).json()) as { ledger?: { block?: { number?: number } } };
      if ((status.ledger?.block?.number ?? 0) >= o.toBlock) return seconds(t);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await alone.stop();
  }
}

const { dataDir, deploymentId, chain, provider } = await startBenchChain("scale");
let postgres: Postgres | undefined;

try {
  const fromBlock = (await provider.getBlockNumber()) + 1;
  const contracts = await deployWithIgnition({ rpcUrl: chain.url, deploymentId, projectRoot: root });
  const ledger = contracts.Ledger;
  await ensureAppBuilt(root, log);
  const seed = await fillLedger({ provider, ledger, entries: ENTRIES, agents: AGENTS, log });
  const toBlock = await provider.getBlockNumber();
  log(`seeded ${ENTRIES} entries in ${seed.seconds.toFixed(1)} s, blocks ${fromBlock}..${toBlock}`);

  const fetchDecode = await best(2, async () => {
    const t = performance.now();
    const events = decodeLedgerLogs(await fetchLogs(provider, ledger, { fromBlock, toBlock }));
    if (events.entries.length !== ENTRIES) throw new Error(`fetched ${events.entries.length} entries`);
    return seconds(t);
  });
  log(`fetch + decode: ${fetchDecode.toFixed(2)} s (${Math.round(ENTRIES / fetchDecode)} entries/s)`);
  const cliEnv = { COMMONS_RPC_URL: chain.url, COMMONS_LEDGER: ledger, COMMONS_DATA_DIR: dataDir };
  const chainAccounts = await best(2, async () => {
    const r = await cli(["accounts", "--from-block", String(fromBlock)], cliEnv);
    if (r.code !== 0) throw new Error(r.out);
    return r.seconds;
  });
  log(`commons accounts (chain): ${chainAccounts.toFixed(2)} s`);

  postgres = await startPostgres({ port: await freePort() });
  const rows = [];
  for (const database of ["PGlite", "PostgreSQL"] as const) {
    const databaseUrl = database === "PostgreSQL" ? postgres.url : undefined;
    // Start-up alone: an indexer of an address with no events over the same blocks.
    let t = performance.now();
    const empty = await startIndexerOnFreePort(
      {
        rpcUrl: chain.url,
        chainId: 31337,
        ledger: DEAD,
        fromBlock,
        dataDir: path.join(dataDir, `empty-${database}`),
        databaseUrl,
        schema: "empty",
      },
      freePort,
    );
    const startup = seconds(t);
    await empty.stop();
    // Its own start-up too (an address with no events): it is a smaller project than ours.
    const aloneStartup = await ponderAlone({
      dir: path.join(dataDir, `alone-empty-${database}`),
      rpcUrl: chain.url,
      ledger: DEAD,
      fromBlock,
      toBlock,
      databaseUrl,
    });
    const aloneToTip = await ponderAlone({ dir: path.join(dataDir, `alone-${database}`), rpcUrl: chain.url, ledger, fromBlock, toBlock, databaseUrl });
    const alone = ENTRIES / Math.max(aloneToTip - aloneStartup, 0.001);
    log(
      `${database}: Ponder alone (handlers that do nothing): start-up ${aloneStartup.toFixed(1)} s, at the tip after ${aloneToTip.toFixed(1)} s: ${Math.round(alone)} entries/s`,
    );
    t = performance.now();
    const indexer = await startIndexerOnFreePort(
      {
        rpcUrl: chain.url,
        chainId: 31337,
        ledger,
        fromBlock,
        dataDir: path.join(dataDir, `indexer-${database}`),
        databaseUrl,
        schema: "commons",
      },
      freePort,
    );
    await indexer.waitForCount(BigInt(ENTRIES), 3_600_000);
    const toTip = seconds(t);
    const indexing = Math.max(toTip - startup, 0.001);
    log(`${database}: start-up ${startup.toFixed(1)} s, at the tip after ${toTip.toFixed(1)} s: ${Math.round(ENTRIES / indexing)} entries/s indexing`);
    const url = indexer.url;
    const accountsIndexer = await best(3, async () => {
      const r = await cli(["accounts", "--from-block", String(fromBlock), "--indexer", url], cliEnv);
      if (r.code !== 0 || r.out.includes("reading the chain instead")) throw new Error(r.out);
      return r.seconds;
    });
    const listAgent = await best(3, async () => {
      const r = await cli(["list", "--from-block", String(fromBlock), "--indexer", url, "--agent", readBenchWallet("agent/0").address], cliEnv);
      if (r.code !== 0) throw new Error(r.out);
      return r.seconds;
    });
    const page = await best(5, async () => {
      const t0 = performance.now();
      const body = (await (await fetch(`${url}/entries?from=${Math.floor(ENTRIES / 2)}&limit=50`)).json()) as { entries: unknown[] };
      if (body.entries.length !== 50) throw new Error("short page");
      return seconds(t0);
    });
    const accountsHttp = await best(5, async () => {
      const t0 = performance.now();
      await (await fetch(`${url}/accounts`)).json();
      return seconds(t0);
    });
    const app = await appThrough(url, contracts, fromBlock);
    log(
      `${database}: the app's accounts page interactive ${app.accountsMs.toFixed(0)} ms after navigation (median of ${APP_VISITS} first visits: ${app.visits.map((v) => v.accountsMs.toFixed(0)).join(", ")}; the median's main module ${app.phases.main} ms, config ${app.phases.config}, last chunk ${app.phases.lastChunk}, indexer check ${app.phases.check}..${app.phases.checked}, its days ${app.phases.days}, its counts ${app.phases.counts}), JS heap ${app.heapMb.toFixed(1)} MB; next page of entries ${app.nextPageMs.toFixed(0)} ms (${app.visits.map((v) => v.nextPageMs.toFixed(0)).join(", ")}; in the visit of median accounts time the click came at ${app.phases.click} ms, the accounts' spot check ${app.phases.spotCheck < 0 ? "not started" : `from ${app.phases.spotCheck} ms to ${app.phases.spotChecked < 0 ? "after the next page" : `${app.phases.spotChecked} ms`}`})`,
    );
    await indexer.stop();
    rows.push({
      database,
      startup,
      toTip,
      entriesPerSecond: ENTRIES / indexing,
      aloneToTip,
      aloneEntriesPerSecond: alone,
      accountsIndexer,
      listAgent,
      page,
      accountsHttp,
      app,
    });
  }

  const raw = ENTRIES / fetchDecode;
  console.log();
  console.log(
    `ledger: ${ENTRIES} entries from ${AGENTS} agents; fetch + decode ${raw.toFixed(0)} entries/s; commons accounts from the chain ${chainAccounts.toFixed(2)} s`,
  );
  console.log(
    "database     start-up s  to tip s  entries/s  vs fetch  target >=0.5  Ponder alone entries/s  vs fetch  accounts --indexer s  target <=1  list --agent s  /entries page ms  /accounts ms",
  );
  for (const r of rows) {
    const ratio = r.entriesPerSecond / raw;
    console.log(
      `${r.database.padEnd(11)}  ${r.startup.toFixed(1).padStart(10)}  ${r.toTip.toFixed(1).padStart(8)}  ${r.entriesPerSecond.toFixed(0).padStart(9)}  ${ratio.toFixed(2).padStart(8)}  ${(ratio >= 0.5 ? "met" : "NOT met").padStart(12)}  ${r.aloneEntriesPerSecond.toFixed(0).padStart(22)}  ${(r.aloneEntriesPerSecond / raw).toFixed(2).padStart(8)}  ${r.accountsIndexer.toFixed(2).padStart(20)}  ${(r.accountsIndexer <= 1 ? "met" : "NOT met").padStart(10)}  ${r.listAgent.toFixed(2).padStart(14)}  ${(r.page * 1000).toFixed(1).padStart(16)}  ${(r.accountsHttp * 1000).toFixed(1).padStart(12)}`,
    );
  }
  console.log();
  console.log(`the app through the indexer, headless Chromium, median of ${APP_VISITS} first visits (the heap: their largest)`);
  console.log("database     accounts interactive ms  target <=1000  JS heap MB  target <=150  next page of entries ms  target <=200");
  for (const r of rows)
    console.log(
      `${r.database.padEnd(11)}  ${r.app.accountsMs.toFixed(0).padStart(23)}  ${(r.app.accountsMs <= 1000 ? "met" : "NOT met").padStart(13)}  ${r.app.heapMb.toFixed(1).padStart(10)}  ${(r.app.heapMb <= 150 ? "met" : "NOT met").padStart(12)}  ${r.app.nextPageMs.toFixed(0).padStart(23)}  ${(r.app.nextPageMs <= 200 ? "met" : "NOT met").padStart(12)}`,
    );
  console.log();
  mkdirSync(path.dirname(OUT), { recursive: true });
  writeFileSync(
    OUT,
    JSON.stringify(
      {
        benchmark: "scale",
        date: new Date().toISOString(),
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg(), node: process.version, postgres: postgres.version },
        ledger: { entries: ENTRIES, agents: AGENTS, blocks: toBlock - fromBlock + 1, seedSeconds: seed.seconds },
        fetchDecode: { seconds: fetchDecode, entriesPerSecond: raw },
        chainAccountsSeconds: chainAccounts,
        indexer: rows.map((r) => ({
          ...r,
          vsFetch: r.entriesPerSecond / raw,
          aloneVsFetch: r.aloneEntriesPerSecond / raw,
          met: {
            throughput: r.entriesPerSecond / raw >= 0.5,
            accounts: r.accountsIndexer <= 1,
            appAccounts: r.app.accountsMs <= 1000,
            appHeap: r.app.heapMb <= 150,
            appNextPage: r.app.nextPageMs <= 200,
          },
        })),
      },
      null,
      2,
    ) + "\n",
  );
  log(`wrote ${OUT}`);
} finally {
  provider.destroy();
  await postgres?.stop();
  await chain.stop();
  rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 300 });
  rmSync(path.join(root, "scripts", "ignition", "deployments", deploymentId), { recursive: true, force: true });
}
