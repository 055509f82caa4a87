// App benchmark (issue 8): with BENCH_APP_ENTRIES (20,000) entries on a local anvil, how long the
// accounts page takes to become interactive in headless Chromium after navigation, beside the time
// to fetch and decode the same logs in Node (fetchLogs + decodeLedgerLogs) in the same run. Two
// read paths: the app as npm start serves it (the ledger index first, then checked against the
// chain in a worker: the time until "checked" is reported too) and the same app without an index
// (every log from the node; IndexedDB on return visits).
//   PATH=$PWD/node_modules/.bin:$PATH tsx scripts/bench/app.ts
// "Interactive": the page shows the totals of all entries (the summary counts every entry) and a
// click on a table header re-sorts the table; measured with the page's own clock from the start of
// navigation. Round 1 is a first visit (nothing cached: the bundle is loaded, then the index or
// every log); later rounds are return visits (the bundle from the HTTP cache; without an index the
// decoded events from IndexedDB and only newer blocks from the node). Writes bench/results/app.json.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureAppBuilt, serveApp } from "../lib/node/app-server.js";
import { fillLedger, startBenchChain } from "./kit/read-fill.js";
import { launchBrowser, waitForStoredLedger } from "../lib/node/browser.js";
import { deployWithIgnition } from "../lib/node/deployment.js";
import { decodeLedgerLogs, fetchLogs } from "../lib/core/reader.js";

const ENTRIES = Number(process.env.BENCH_APP_ENTRIES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_APP_ROUNDS ?? 3);
const TARGET_MS = 1_500;
const OUT = path.join("bench", "results", "app.json");
const root = path.resolve(import.meta.dirname, "..", "..");
const started = Date.now();
const log = (message: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);

const { dataDir, deploymentId, chain, provider } = await startBenchChain("app");
let closeAll = async () => {};
try {
  const fromBlock = (await provider.getBlockNumber()) + 1;
  const contracts = await deployWithIgnition({ rpcUrl: chain.url, deploymentId, projectRoot: root });
  const ledger = contracts.Ledger;
  const build = await ensureAppBuilt(root, log);
  log(`anvil at ${chain.url}, Ledger at ${ledger}; app ${build.built ? `built in ${build.seconds.toFixed(1)} s` : "already built"}`);
  const seed = await fillLedger({ provider, ledger, entries: ENTRIES, agents: 300, log });
  const toBlock = seed.toBlock;
  log(`seeded ${ENTRIES} entries in ${seed.seconds.toFixed(1)} s, blocks ${fromBlock}..${toBlock}`);

  // The app as npm start serves it (with the ledger index), and the same app without an index
  // (reading every log from the node, as it does for a chain without one).
  let t = performance.now();
  const app = await serveApp({ root, port: 0, config: { local: { chainId: 31337, rpcUrl: chain.url, contracts, fromBlock } } });
  const indexBuildMs = performance.now() - t;
  t = performance.now();
  const indexBytes = (await (await fetch(`${app.url}/ledger-index.json`)).arrayBuffer()).byteLength;
  const indexServeMs = performance.now() - t;
  const direct = await serveApp({ root, port: 0, config: { local: { chainId: 31337, rpcUrl: chain.url, contracts, fromBlock } }, index: false });
  log(`index built by the server in ${indexBuildMs.toFixed(0)} ms (${(indexBytes / 1e6).toFixed(1)} MB, served again in ${indexServeMs.toFixed(0)} ms)`);
  const browser = await launchBrowser();
  closeAll = async () => {
    await browser.close();
    await app.close();
    await direct.close();
  };

  interface Visit {
    readyMs: number;
    sortMs: number;
    fetchMs: number;
    decodeMs: number;
    storeMs: number;
    indexMs: number;
    fromStore: boolean;
    chartMs?: number;
    checkedMs?: number;
    checkMs?: number;
    phases: {
      main: number;
      config: number;
      lastChunk: number;
      indexFetch: number;
      indexFetched: number;
      indexDecoded: number;
      rpcStart: number;
      rpcEnd: number;
    };
  }
  const visit = async (url: string, withIndex: boolean): Promise<Visit> => {
    const tab = await browser.context.newPage();
    tab.on("console", (m) => void (["warning", "error"].includes(m.type()) && log(`  page ${m.type()}: ${m.text()}`)));
    // When the chart is first drawn (it comes after the totals and the table, in its own chunk).
    await tab.addInitScript({
      content: `new MutationObserver((_, o) => { if (document.querySelector('[data-testid="accounts-chart"] svg.recharts-surface')) { window.__chartAt = performance.now(); o.disconnect(); } }).observe(document, { childList: true, subtree: true });`,
    });
    await tab.goto(`${url}/#/accounts`);
    const summary = tab.locator(`[data-testid="accounts-summary"][data-entries="${ENTRIES}"]`);
    await summary.waitFor({ timeout: 60_000 });
    const readyMs = await tab.evaluate(() => performance.now());
    // Where the time went, from the page's resource timings: the bundle up to the request for
    // /config.json, then up to the first JSON-RPC request, the JSON-RPC requests, and the rest.
    const phases = (await tab.evaluate(`(() => {
      const r = performance.getEntriesByType("resource");
      const rpc = r.filter((e) => e.name.startsWith(${JSON.stringify(chain.url)}));
      const js = r.filter((e) => e.name.endsWith(".js"));
      const mark = (name) => { const m = performance.getEntriesByName("commons:" + name, "mark")[0]; return m ? Math.round(m.startTime) : -1; };
      return { main: mark("main"), config: mark("config"), lastChunk: js.length ? Math.round(Math.max(...js.map((e) => e.responseEnd))) : -1, indexFetch: mark("index-fetch"), indexFetched: mark("index-fetched"), indexDecoded: mark("index-decoded"), rpcStart: rpc.length ? Math.round(rpc[0].startTime) : -1, rpcEnd: rpc.length ? Math.round(Math.max(...rpc.map((e) => e.responseEnd))) : -1 };
    })()`)) as Visit["phases"];
    // Interactive: a click on a header re-sorts the table.
    const header = tab.locator('[data-testid="accounts-table"] th', { hasText: "Entries" });
    const clickAt = await tab.evaluate(() => performance.now());
    await header.click();
    await tab.locator('[data-testid="accounts-table"] th[aria-sort="ascending"]', { hasText: "Entries" }).waitFor();
    const sortMs = (await tab.evaluate(() => performance.now())) - clickAt;
    const attr = async (name: string) => Number(await summary.getAttribute(name));
    const v: Visit = {
      readyMs: readyMs + sortMs,
      sortMs,
      fetchMs: await attr("data-fetch-ms"),
      decodeMs: await attr("data-decode-ms"),
      storeMs: await attr("data-store-ms"),
      indexMs: await attr("data-index-ms"),
      fromStore: (await attr("data-stored-to-block")) >= 0,
      phases,
    };
    await tab.locator('[data-testid="accounts-chart"] svg.recharts-surface').first().waitFor({ timeout: 60_000 });
    v.chartMs = Number(await tab.evaluate("window.__chartAt"));
    if (withIndex) {
      if (v.indexMs < 0) throw new Error("the page did not use the ledger index");
      // The index's check against the chain, in a worker after the page is interactive.
      const checked = tab.locator('[data-testid="index-check"][data-state="checked"]');
      await checked.waitFor({ timeout: 120_000 });
      v.checkedMs = await tab.evaluate(() => performance.now());
      v.checkMs = Number(await checked.getAttribute("data-ms"));
    } else {
      // The reader stores the events in IndexedDB when the page is idle: wait for it before leaving.
      await waitForStoredLedger(tab, 60_000);
    }
    await tab.close();
    return v;
  };

  const node: number[] = [];
  const indexed: Visit[] = [];
  const chainOnly: Visit[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const t0 = performance.now();
    const events = decodeLedgerLogs(await fetchLogs(provider, ledger, { fromBlock, toBlock }));
    node.push(performance.now() - t0);
    if (events.entries.length !== ENTRIES) throw new Error(`Node read ${events.entries.length} entries`);
    const kind = round === 1 ? "first visit" : "return visit";
    const a = await visit(app.url, true);
    indexed.push(a);
    log(
      `round ${round} (${kind}, with the index): interactive ${a.readyMs.toFixed(0)} ms after navigation (index fetched + decoded in ${a.indexMs} ms, later blocks ${a.fetchMs} ms; sort ${a.sortMs.toFixed(0)} ms; main module ran at ${a.phases.main} ms, config ${a.phases.config}, last chunk ${a.phases.lastChunk}, index asked ${a.phases.indexFetch}, received ${a.phases.indexFetched}, decoded ${a.phases.indexDecoded}, totals shown ${(a.readyMs - a.sortMs).toFixed(0)}, chart drawn ${a.chartMs!.toFixed(0)}); index checked against the chain ${a.checkedMs!.toFixed(0)} ms after navigation (the check took ${a.checkMs} ms in a worker); Node fetch + decode ${node.at(-1)!.toFixed(0)} ms; load ${os.loadavg()[0].toFixed(1)}`,
    );
    const b = await visit(direct.url, false);
    chainOnly.push(b);
    log(
      `round ${round} (${b.fromStore ? "return visit" : "first visit"}, no index): interactive ${b.readyMs.toFixed(0)} ms after navigation (IndexedDB ${b.storeMs} ms, fetch ${b.fetchMs} ms, decode ${b.decodeMs} ms; sort ${b.sortMs.toFixed(0)} ms; main module ran at ${b.phases.main} ms, JSON-RPC ${b.phases.rpcStart.toFixed(0)}..${b.phases.rpcEnd.toFixed(0)} ms)`,
    );
  }
  const best = (xs: number[]) => Math.min(...xs);
  const bestOf = (vs: Visit[]) => (vs.length ? best(vs.map((p) => p.readyMs)) : NaN);
  const nodeMs = best(node);
  const row = (what: string, ms: number, note: string, target = true) =>
    console.log(
      `  ${what.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms  ${target ? `${(ms / nodeMs).toFixed(2)}x Node  target <= ${TARGET_MS} ms: ${ms <= TARGET_MS ? "met    " : "NOT met"}` : `${(ms / nodeMs).toFixed(2)}x Node${" ".repeat(27)}`}  ${note}`,
    );
  console.log();
  console.log(
    `accounts page, ${ENTRIES} entries, headless Chromium (navigation -> interactive), load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")} on ${os.cpus().length} CPUs`,
  );
  row("with the index, first visit", indexed[0].readyMs, `(index ${indexed[0].indexMs} ms)`);
  if (ROUNDS > 1) row("with the index, return visit", bestOf(indexed.slice(1)), "");
  row("  ... chart drawn", indexed[0].chartMs!, "(after navigation)", false);
  row("  ... index checked against the chain", indexed[0].checkedMs!, `(after navigation; check ${indexed[0].checkMs} ms in a worker)`, false);
  row("no index, first visit", chainOnly[0].readyMs, `(fetch ${chainOnly[0].fetchMs} ms, decode ${chainOnly[0].decodeMs} ms)`);
  if (ROUNDS > 1) row("no index, return visit (IndexedDB)", bestOf(chainOnly.slice(1)), "");
  console.log(
    `  Node fetch + decode of the same logs (fetchLogs + decodeLedgerLogs): ${nodeMs.toFixed(0)} ms (best of ${ROUNDS}; first round ${node[0].toFixed(0)} ms)`,
  );
  console.log(`  index: built by the server in ${indexBuildMs.toFixed(0)} ms, ${(indexBytes / 1e6).toFixed(1)} MB`);
  console.log();
  mkdirSync(path.dirname(OUT), { recursive: true });
  writeFileSync(
    OUT,
    JSON.stringify(
      {
        benchmark: "app",
        date: new Date().toISOString(),
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg(), node: process.version },
        entries: ENTRIES,
        blocks: toBlock - fromBlock + 1,
        index: { buildMs: indexBuildMs, bytes: indexBytes },
        rounds: indexed.map((p, i) => ({ withIndex: p, noIndex: chainOnly[i], nodeFetchDecodeMs: node[i] })),
        firstVisitMs: indexed[0].readyMs,
        returnVisitMs: bestOf(indexed.slice(1)),
        indexCheckedMs: indexed[0].checkedMs,
        noIndex: { firstVisitMs: chainOnly[0].readyMs, returnVisitMs: bestOf(chainOnly.slice(1)) },
        nodeFetchDecodeMs: nodeMs,
        targetMs: TARGET_MS,
        met: { firstVisit: indexed[0].readyMs <= TARGET_MS, returnVisit: bestOf(indexed.slice(1)) <= TARGET_MS },
      },
      null,
      2,
    ) + "\n",
  );
  log(`wrote ${OUT}`);
} finally {
  await closeAll();
  provider.destroy();
  await chain.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(path.join(root, "scripts", "ignition", "deployments", deploymentId), { recursive: true, force: true });
}
