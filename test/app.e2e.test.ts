// The browser app end to end: a real anvil with the Ledger deployed by Ignition and the demo seed,
// the relayer as its own process, the built app served as `npm start` serves it, and Debian's
// chromium driven by playwright-core. Wallets: the app's dev-key connector (local chain only) and,
// for wrong-chain and declined-signature cases, a scripted injected wallet (window.ethereum).
// Every page is saved as a screenshot in test-results/screenshots/.
import { expect } from "chai";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { keccak256 } from "ethers";
import type { Locator, Page } from "playwright-core";
import { ensureAppBuilt, serveApp } from "../scripts/lib/node/app-server.js";
import type { AppServer } from "../scripts/lib/node/app-server.js";
import { launchBrowser, waitForStoredLedger } from "../scripts/lib/node/browser.js";
import type { Browser } from "../scripts/lib/node/browser.js";
import { computeFromEvents, distributorAt, readEvents } from "../scripts/lib/distribution/distributor.js";
import { seedAll } from "../scripts/demo/seed-all.js";
import type { AllSeeds } from "../scripts/demo/seed-all.js";
import { DEMO_PEOPLE, devWallet } from "../scripts/demo/seed.js";
import type { SeedResult } from "../scripts/demo/seed.js";
import { DEMO_EQUATION } from "../scripts/demo/seed-distribution.js";
import { proofFor } from "../scripts/lib/distribution/value-equation.js";
import { LedgerClient } from "../scripts/lib/core/client.js";
import type { RecordDraft } from "../scripts/lib/core/client.js";
import { labelId } from "../scripts/lib/core/record.js";
import { RECIPES_FILE, SUPPLY_LABELS } from "../scripts/demo/seed-supply.js";
import { startIndexerOnFreePort } from "../scripts/lib/node/indexer.js";
import type { Indexer } from "../scripts/lib/node/indexer.js";
import { freePort, root, runCli, startLocalLedger, startRelayerProcess } from "./helpers/local-ledger.js";
import type { LocalLedger, RelayerProcess } from "./helpers/local-ledger.js";
import { valueflowsProblems } from "./helpers/valueflows-check.js";

const SHOTS = path.join(root, "test-results", "screenshots");

/** A proxy in front of an app server that rewrites the ledger index it serves (a lying indexer). */
async function indexRewriter(target: AppServer, rewrite: (index: string) => string): Promise<AppServer> {
  const server = http.createServer((req, res) => {
    void fetch(`${target.url}${req.url}`).then(async (upstream) => {
      let body: string | Buffer = Buffer.from(await upstream.arrayBuffer());
      if (req.url?.startsWith("/ledger-index.json") && upstream.ok) body = rewrite(body.toString("utf8"));
      res
        .writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/octet-stream", "cache-control": "no-store" })
        .end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What the scripted injected wallet does (window.ethereum, EIP-1193). */
interface FakeWallet {
  rpcUrl: string;
  chainId: number;
  account: string;
  rejectSignatures: boolean;
  /** A faulty wallet: signs typed data with this account instead of `account`. */
  signAs?: string;
}

// Runs in the page before the app (plain JavaScript, so that no transpiler helper leaks into it):
// forwards reads and signing to anvil (whose dev accounts are unlocked), reports `chainId`, and
// can decline every signature request as a user would (EIP-1193 code 4001).
const FAKE_WALLET = `(() => {
  const w = __WALLET__;
  const listeners = {};
  let chainId = w.chainId;
  const hex = (n) => "0x" + n.toString(16);
  window.ethereum = {
    on(event, fn) { (listeners[event] = listeners[event] || []).push(fn); },
    removeListener(event, fn) { listeners[event] = (listeners[event] || []).filter((f) => f !== fn); },
    async request({ method, params }) {
      if (method === "eth_chainId") return hex(chainId);
      if (method === "eth_accounts" || method === "eth_requestAccounts") return [w.account];
      if (method === "wallet_switchEthereumChain") {
        chainId = Number.parseInt(params[0].chainId, 16);
        for (const f of listeners.chainChanged || []) f(hex(chainId));
        return null;
      }
      if (method.startsWith("wallet_")) return null;
      if (method === "eth_signTypedData_v4" && w.rejectSignatures) throw Object.assign(new Error("User rejected the request."), { code: 4001 });
      if (method === "eth_signTypedData_v4" && w.signAs) params = [w.signAs, params[1]];
      const res = await fetch(w.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: params || [] }) });
      const json = await res.json();
      if (json.error) throw Object.assign(new Error(json.error.message), { code: json.error.code, data: json.error.data });
      return json.result;
    },
  };
})();`;

describe("app (end to end in headless Chromium)", function () {
  this.timeout(120_000);
  let l: LocalLedger;
  let seed: SeedResult;
  let seeds: AllSeeds;
  let relayer: RelayerProcess;
  let app: AppServer;
  let rpcDownApp: AppServer;
  /** The Ponder indexer of the test chain, and the app as `npm start` serves it: reading through it. */
  let indexer: Indexer;
  let indexedApp: AppServer;
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async function () {
    this.timeout(300_000);
    mkdirSync(SHOTS, { recursive: true });
    // Deploying and building (only when app/ changed) at the same time.
    const t0 = Date.now();
    let built = 0;
    [l] = await Promise.all([startLocalLedger(), ensureAppBuilt(root).then(() => (built = Date.now() - t0)), launchBrowser().then((b) => (browser = b))]);
    const t1 = Date.now();
    // The relayer starts while the demo is seeded as `npm start` seeds it (it sends nothing until
    // records arrive): the demo commons, reciprocity licensing, the supply chain, a distribution.
    [seeds, relayer] = await Promise.all([
      seedAll(l.provider, l.contracts, l.fromBlock, {
        labelsFile: path.join(l.dataDir, "labels.json"),
        equationsDir: path.join(l.dataDir, "equations"),
        log: () => {},
      }),
      startRelayerProcess(l, path.join(l.dataDir, "relayer.sqlite"), [
        "--wait-ms",
        "50",
        "--registry",
        l.contracts.ReciprocityRegistry,
        "--directory",
        l.contracts.Directory,
      ]),
    ]);
    seed = seeds.demo;
    if (process.env.COMMONS_E2E_TIMING) console.log(`    setup: deploy ${t1 - t0} ms (app build ${built} ms), seed + relayer ${Date.now() - t1} ms`);
    // As npm start serves it: the demo names the dev keys and provides its value equation.
    const local = { chainId: 31337, rpcUrl: l.rpc, relayerUrl: relayer.url, contracts: l.contracts, fromBlock: l.fromBlock, devKeyNames: DEMO_PEOPLE };
    app = await serveApp({
      root,
      port: 0,
      config: { local },
      labelsFile: path.join(l.dataDir, "labels.json"),
      equationFiles: [path.join(root, DEMO_EQUATION)],
    });
    // The same app pointed at a port where no node listens.
    rpcDownApp = await serveApp({ root, port: 0, config: { local: { ...local, rpcUrl: `http://127.0.0.1:${await freePort()}` } } });
    indexer = await startIndexerOnFreePort(
      {
        rpcUrl: l.rpc,
        chainId: 31337,
        ledger: l.contracts.Ledger,
        registry: l.contracts.ReciprocityRegistry,
        distributor: l.contracts.IncomeDistributor,
        fromBlock: l.fromBlock,
        dataDir: path.join(l.dataDir, "indexer"),
        pollMs: 200,
      },
      freePort,
    );
    indexedApp = await serveApp({
      root,
      port: 0,
      index: false,
      config: { local: { ...local, indexerUrl: indexer.url } },
      labelsFile: path.join(l.dataDir, "labels.json"),
      equationFiles: [path.join(root, DEMO_EQUATION)],
    });
  });

  after(async function () {
    this.timeout(60_000);
    await browser?.close();
    await app?.close();
    await rpcDownApp?.close();
    await indexedApp?.close();
    await indexer?.stop();
    if (relayer) {
      relayer.child.kill("SIGTERM");
      await relayer.exited;
    }
    await l?.stop();
  });

  afterEach(function () {
    const errors = pageErrors.splice(0);
    expect(errors, "uncaught errors in the page").to.deep.equal([]);
  });

  /** The demo's app, served without its ledger index, reading through the indexer (or stand-in) at `indexerUrl`, or at the port `server` listens on. */
  async function appWithIndexer(indexerAt: string | http.Server | net.Server): Promise<AppServer> {
    const indexerUrl = typeof indexerAt === "string" ? indexerAt : `http://127.0.0.1:${(indexerAt.address() as AddressInfo).port}`;
    const local = { chainId: 31337, rpcUrl: l.rpc, relayerUrl: relayer.url, contracts: l.contracts, fromBlock: l.fromBlock, indexerUrl };
    return serveApp({ root, port: 0, index: false, config: { local } });
  }

  async function open(route: string, opts: { server?: AppServer; wallet?: Partial<FakeWallet>; clock?: boolean } = {}): Promise<Page> {
    const page = await browser.context.newPage();
    // A clock the test can move forward (it runs as the real one until then).
    if (opts.clock) await page.clock.install();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    // Each test starts without the wallet connection a previous page remembered (wagmi keeps it
    // in localStorage); navigations within the test keep it.
    await page.addInitScript({ content: `if (!sessionStorage.getItem("e2e")) { localStorage.clear(); sessionStorage.setItem("e2e", "1"); }` });
    if (opts.wallet) {
      const wallet: FakeWallet = { rpcUrl: l.rpc, chainId: 31337, account: seed.people.dave, rejectSignatures: false, ...opts.wallet };
      await page.addInitScript({ content: FAKE_WALLET.replace("__WALLET__", JSON.stringify(wallet)) });
    }
    await page.goto(`${(opts.server ?? app).url}/#/${route}`);
    return page;
  }

  /** The page's JSON-RPC calls that read every log of the Ledger (the whole ledger): eth_getLogs without a topic filter. */
  function wholeReads(page: Page): string[] {
    const reads: string[] = [];
    const ledger = l.contracts.Ledger.toLowerCase();
    page.on("request", (r) => {
      if (r.method() !== "POST" || !r.url().startsWith(l.rpc)) return;
      type Call = { method?: string; params?: { address?: string; topics?: unknown[] }[] };
      const body = JSON.parse(r.postData() ?? "{}") as Call | Call[];
      for (const call of Array.isArray(body) ? body : [body])
        if (call.method === "eth_getLogs" && call.params?.[0]?.address?.toLowerCase() === ledger && !call.params[0].topics) reads.push(JSON.stringify(call));
    });
    return reads;
  }

  /**
   * How many times the page (this document) read the whole ledger, from the chain, its IndexedDB
   * cache or the served index (ledgerReader.ts marks each read). wholeReads sees only the reads that
   * reach the chain: a ledger another page of the same origin left in the cache is read without one.
   */
  const ledgerReads = (page: Page) => page.evaluate(() => performance.getEntriesByName("commons:ledger-read").length);

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  async function connectDevKey(page: Page, person: string, index: number) {
    await page.getByLabel("Dev key (local chain only)").selectOption({ label: `Dev key: ${person} (#${index}) (local chain only)` });
    await page.getByTestId("wallet").getByRole("button", { name: "Disconnect" }).waitFor();
  }

  async function fillValidRecord(page: Page, quantity: string) {
    await page.locator("#f-commons").selectOption(seed.commons.toLowerCase());
    await page.locator("#f-quantity").fill(quantity);
    await page.locator("#f-unit").fill("h");
  }

  const phase = (page: Page, testId: string, kinds: string[]) =>
    page.locator(kinds.map((k) => `[data-testid="${testId}"][data-phase="${k}"]`).join(", ")).waitFor({ timeout: 30_000 });

  /** Entry 1 as its page shows it: alice's signature verified in the browser, accepted by two appointed validators, erin's endorsement apart. */
  async function expectEntryOne(page: Page) {
    await page
      .getByTestId("signature-check")
      .getByText(/valid, verified in this browser \(recovered 0x3C44/)
      .waitFor();
    expect(await page.getByTestId("entry-state").innerText()).to.equal("accepted");
    expect(await page.getByTestId("validations").locator("tbody tr").count()).to.equal(2);
    // erin is not appointed: her accept is listed apart, counted nowhere.
    expect(await page.getByTestId("endorsements").locator("tbody tr").count()).to.equal(1);
  }

  describe("pages with the seeded demo", function () {
    it("shows the accounts: totals, chart and downloads", async function () {
      const page = await open("accounts");
      const summary = page.locator('[data-testid="accounts-summary"][data-entries="31"]');
      await summary.waitFor();
      // Contributions (work, use, citations, money) apart from supply-chain flows (goods produced, consumed, moved, handed over).
      expect(await summary.innerText()).to.equal(
        "31 entries\n14 contributions counted\n12 supply-chain flows\n6 accepted\n8 claimed, not yet accepted\n0 disputed\n1 corrected, 4 needs/offers/commitments",
      );
      // The chart's unit is the contributions' most used one: hours, not the parts' "ea".
      expect(await page.getByLabel("Chart unit").inputValue()).to.equal("h");
      // Who counts in the demo commons: two of its three stewards decide; six appointed validators.
      expect(await page.getByTestId("commons-rules").innerText()).to.include(
        "Sensorica open hardware lab (demo): Any 2 of its 3 stewards decide together: no smaller group changes stewards, validators or rules or moves money. 6 appointed validators; others' opinions are kept as endorsements and count nowhere.",
      );
      // What accepts an entry there: the stewards' rules for work and transfers, and the default.
      expect(await page.getByTestId("commons-rules").locator("li", { hasText: "Sensorica" }).getByTestId("quorum-rules").innerText()).to.equal(
        "Quorum: work: accepted with 2 accepts, disputed with 1 dispute; transfer: accepted with 1 accept, disputed with 1 dispute; any other action: accepted with 1 accept, disputed with 1 dispute.",
      );
      const table = page.getByTestId("accounts-table");
      // alice: 3 h of work, accepted by two peers (the quorum for work).
      expect(
        await table
          .locator("tr", { hasText: "0x3C44…93BC" })
          .filter({ has: page.locator("td:nth-child(2)", { hasText: /^h$/ }) })
          .innerText(),
      ).to.match(/h\s+2\s+4\s+3\s+0\s+75\.0 %/);
      // The chart is drawn just after the totals (its own chunk, a second render).
      await page.getByTestId("accounts-chart").locator("svg.recharts-surface").first().waitFor();
      // Contributors by name (the Directory is read beside the ledger).
      await table.locator("tr", { hasText: "Alice (0x3C44…93BC)" }).first().waitFor();
      const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
      expect(csv.suggestedFilename()).to.equal("ledger.csv");
      const csvLines = readFileSync((await csv.path())!, "utf8")
        .trim()
        .split("\n");
      expect(csvLines).to.have.length(32); // header + 31 entries
      // Names, labels and units in words beside the raw values, for a spreadsheet's reader.
      const header = csvLines[0].split(",");
      const first = csvLines.find((l) => l.startsWith("1,"))!.split(",");
      const cell = (name: string) => first[header.indexOf(name)];
      expect([cell("agent"), cell("agentName"), cell("quantity"), cell("unit"), cell("unitName")]).to.deep.equal([
        seed.people.alice,
        "Alice",
        "3",
        "h",
        "hours",
      ]);
      expect(cell("commonsName")).to.equal("Sensorica open hardware lab (demo)");
      expect(cell("processLabel")).to.equal("process: design open sensor kit v2");
      const [jsonld] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download JSON-LD" }).click()]);
      const graph = JSON.parse(readFileSync((await jsonld.path())!, "utf8")) as {
        "@context": { vf: string };
        "@graph": { "@type": string; entryId?: string; name?: string }[];
      };
      expect(graph["@context"].vf).to.equal("https://w3id.org/valueflows/ont/vf#");
      // Intents: the demo commons' filament need (#6) and erin's offer (#8), the supply chain's kit and review needs (#10, #11).
      expect(graph["@graph"].filter((n) => n.entryId !== undefined).map((n) => n["@type"])).to.deep.equal(
        Array.from({ length: 31 }, (_, i) => ([6, 8, 10, 11].includes(i + 1) ? "Intent" : "EconomicEvent")),
      );
      expect(graph["@graph"].find((n) => n["@type"] === "Person" && n.name === "Alice")).to.not.equal(undefined);
      expect(await valueflowsProblems(graph)).to.deep.equal([]);
      // No kilogram of filament among the contributions; the flows have it, and their own tallies.
      const unitCells = table.locator("td:nth-child(2)");
      expect(await unitCells.allInnerTexts()).to.not.include("kg");
      await page.getByLabel("Show").selectOption("flow");
      await table.locator("td:nth-child(2)", { hasText: /^kg$/ }).first().waitFor();
      expect(await summary.innerText()).to.match(/14 contributions counted\n12 supply-chain flows\n\d+ accepted/);
      await page.getByLabel("Show").selectOption("contribution");
      await page.getByLabel("Group by").selectOption("commons");
      await table.getByText("Sensorica open hardware lab (demo)").first().waitFor();
      await page.getByLabel("Group by").selectOption("contributor");
      await shot(page, "accounts");
      await page.close();
    });

    it("lists the entries, sortable and filterable", async function () {
      const page = await open("entries");
      const table = page.getByTestId("entries-table");
      await table.locator("tbody tr").nth(30).waitFor();
      expect(await table.locator("tbody tr").count()).to.equal(31);
      await page.getByLabel("Filter rows").fill("disputed");
      await page.getByLabel("Filter rows").fill("need");
      // The demo commons' filament need and the supply chain's kit and review needs.
      expect(await table.locator("tbody tr").count()).to.equal(3);
      await page.getByLabel("Filter rows").fill("");
      await shot(page, "entries");
      await page.close();
    });

    it("shows an entry with its signature verified in the browser and its validations", async function () {
      const page = await open("entry/1");
      await expectEntryOne(page);
      await shot(page, "entry-1");
      await page.goto(`${app.url}/#/entry/2`);
      await page.getByText("Corrected by").waitFor();
      expect(await page.getByTestId("entry-state").innerText()).to.equal("corrected");
      await shot(page, "entry-2-corrected");
      await page.close();
    });
  });

  describe("the ledger index served with the app", function () {
    it("shows the accounts from the index and then checks the index against the chain", async function () {
      const page = await open("accounts");
      await page.locator('[data-testid="accounts-summary"][data-entries="31"]').waitFor();
      expect(Number(await page.getByTestId("accounts-summary").getAttribute("data-index-ms"))).to.be.at.least(0);
      const check = page.locator('[data-testid="index-check"][data-state="checked"]');
      await check.waitFor({ timeout: 30_000 });
      expect(await check.innerText()).to.match(
        /^✓ Index checked against the chain: its 31 entries chain to the Ledger's head at block \d+ and its \d+ other events match the node's logs \(\d+\.\d s\)\.$/,
      );
      await shot(page, "accounts-index-checked");
      await page.close();
    });

    it("refuses an index whose entry was changed, and shows what the chain says", async function () {
      // alice's 3 h of work (entry #1) turned into 300 h by the index.
      const liar = await indexRewriter(app, (text) => {
        const index = JSON.parse(text) as { entries: unknown[][] };
        index.entries[0][11] = "300000000000000000000";
        return JSON.stringify(index);
      });
      try {
        const page = await open("accounts", { server: liar });
        const refused = page.locator('[data-testid="index-check"][data-state="refused"]');
        await refused.waitFor({ timeout: 30_000 });
        expect(await refused.innerText()).to.match(
          /^The ledger index served with this app does not match the chain \(the entries do not chain to the contract's head at block \d+ .*\)\. This page shows the events read from the chain itself\.$/,
        );
        // Read again from the chain: alice's row has her 3 h again (4 h claimed in all, 3 accepted).
        await page.locator('[data-testid="accounts-summary"][data-index-ms="-1"][data-entries="31"]').waitFor({ timeout: 30_000 });
        const alice = page
          .getByTestId("accounts-table")
          .locator("tr", { hasText: "0x3C44…93BC" })
          .filter({ has: page.locator("td:nth-child(2)", { hasText: /^h$/ }) });
        expect(await alice.innerText()).to.match(/h\s+2\s+4\s+3\s+0\s+75\.0 %/);
        await shot(page, "accounts-index-refused");
        await page.close();
      } finally {
        await liar.close();
      }
    });

    it("reads the chain when the index cannot be used, and says why", async function () {
      const broken = await indexRewriter(app, () => JSON.stringify({ format: "something-else" }));
      try {
        const page = await open("accounts", { server: broken });
        await page.locator('[data-testid="accounts-summary"][data-entries="31"][data-index-ms="-1"]').waitFor();
        expect(await page.getByTestId("index-check").innerText()).to.equal(
          'Read from the chain; the ledger index served with this app was not used: format is "something-else", expected "commons-ledger/ledger-index@1".',
        );
        // What was read is kept in IndexedDB (when the page is idle): the next visit starts from it.
        await waitForStoredLedger(page, 30_000);
        await page.reload();
        const summary = page.locator('[data-testid="accounts-summary"][data-entries="31"]');
        await summary.waitFor();
        expect(Number(await summary.getAttribute("data-stored-to-block"))).to.be.at.least(l.fromBlock);
        await page.close();
      } finally {
        await broken.close();
      }
    });
  });

  describe("through the indexer", function () {
    it("shows the accounts from the indexer's totals, the same as the chain's, without reading the whole ledger", async function () {
      await indexer.waitForCount(31n);
      const page = await open("accounts", { server: indexedApp });
      const reads = wholeReads(page);
      const summary = page.locator('[data-testid="accounts-summary"][data-source="indexer"][data-entries="31"]');
      await summary.waitFor();
      expect(await summary.innerText()).to.equal(
        "31 entries\n14 contributions counted\n12 supply-chain flows\n6 accepted\n8 claimed, not yet accepted\n0 disputed\n1 corrected, 4 needs/offers/commitments",
      );
      expect(await page.getByTestId("source").innerText()).to.match(
        new RegExp(
          `^✓ Read through the indexer at ${indexer.url}: its 31 entries chain to the Ledger's head \\(tip\\(\\) at block \\d+\\), checked every 2 s\\.`,
        ),
      );
      const table = page.getByTestId("accounts-table");
      const alice = table.locator("tr", { hasText: "Alice (0x3C44…93BC)" }).filter({ has: page.locator("td:nth-child(2)", { hasText: /^h$/ }) });
      expect(await alice.innerText()).to.match(/h\s+2\s+4\s+3\s+0\s+75\.0 %/);
      // Stewards and rules come from the chain's own events, beside the indexer's totals.
      expect(await page.getByTestId("commons-rules").innerText()).to.include("Any 2 of its 3 stewards decide together");
      await page.getByLabel("Group by").selectOption("commons");
      await table.getByText("Sensorica open hardware lab (demo)").first().waitFor();
      await page.getByLabel("Group by").selectOption("period");
      await page.getByLabel("Show").selectOption("flow");
      await table.locator("td:nth-child(2)", { hasText: /^kg$/ }).first().waitFor();
      await page.getByTestId("accounts-chart").locator("svg.recharts-surface").first().waitFor();
      await shot(page, "accounts-indexer");
      // One contributor's totals, recomputed from the chain (their own entries and states), are the indexer's.
      await expectText(page.getByTestId("spot-check"), /^✓ Spot-checked against the chain: (.+ )?0x\w{4}…\w{4}’s totals, recomputed from their own entries/);
      expect(reads, "whole-ledger reads").to.deep.equal([]);
      // The downloads are the whole ledger: read from the chain when asked for.
      const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
      expect(
        readFileSync((await csv.path())!, "utf8")
          .trim()
          .split("\n"),
      ).to.have.length(32);
      await page.close();
    });

    it("pages the entries newest first, asking the indexer for one page at a time", async function () {
      await indexer.waitForCount(31n); // (run alone, the indexer may still be catching up, and the page reads the chain meanwhile)
      const page = await open("entries?per=10", { server: indexedApp });
      const reads = wholeReads(page);
      const pager = page.getByTestId("entries-pager");
      const ids = async () => (await page.getByTestId("entries-table").locator("tbody tr td:first-child").allInnerTexts()).join(" ");
      await page.locator('[data-testid="entries-pager"][data-first="31"]').waitFor();
      expect(await pager.innerText()).to.match(/^Entries #31 to #22 of 31, the newest first \(page 1\)\./);
      expect(await ids()).to.equal("#31 #30 #29 #28 #27 #26 #25 #24 #23 #22");
      // A second click while the older page is on its way does not ask for that page again as page 3
      // (the button waits for it): the indexer's pages are slowed down for this, the first time page 2 is asked for.
      const secondPage = (url: URL) => url.href.startsWith(`${indexer.url}/entries?`) && url.searchParams.get("from") === "21";
      await page.route(secondPage, async (route) => {
        await new Promise((r) => setTimeout(r, 1_000));
        await route.continue();
      });
      await page.getByRole("button", { name: "Older →" }).click();
      expect(await page.getByRole("button", { name: "Older →" }).isDisabled(), "Older while the page loads").to.equal(true);
      await page.getByRole("button", { name: "Older →" }).click({ force: true });
      await page.locator('[data-testid="entries-pager"][data-first="21"][data-last="12"][data-page="2"]').waitFor();
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await pager.getAttribute("data-page"), "still page 2").to.equal("2");
      await page.unroute(secondPage);
      await page.getByRole("button", { name: "Newest" }).click();
      await page.locator('[data-testid="entries-pager"][data-first="31"][data-page="1"]').waitFor();
      await page.getByRole("button", { name: "Older →" }).click();
      await page.locator('[data-testid="entries-pager"][data-first="21"][data-last="12"][data-page="2"]').waitFor();
      await page.getByRole("button", { name: "Older →" }).click();
      await page.getByRole("button", { name: "Older →" }).click();
      await page.locator('[data-testid="entries-pager"][data-first="1"][data-last="1"][data-page="4"]').waitFor();
      expect(await page.getByRole("button", { name: "Older →" }).isDisabled()).to.equal(true);
      // Entry 1 as the chain reader derives it: alice's 3 h, accepted by two appointed validators.
      await expectText(page.getByTestId("entries-table").locator("tbody tr").first(), /#1\s+event\s+work\s+Alice.*3 h.*accepted\s+2 \/ 0/s);
      await page.getByRole("button", { name: "← Newer" }).click();
      await page.locator('[data-testid="entries-pager"][data-first="11"][data-page="3"]').waitFor();
      await page.getByRole("button", { name: "Newest" }).click();
      await page.locator('[data-testid="entries-pager"][data-first="31"][data-page="1"]').waitFor();
      await shot(page, "entries-indexer");
      // One entry from the indexer, its signature checked in the browser, its validations and endorsements listed.
      await page.goto(`${indexedApp.url}/#/entry/1`);
      await expectEntryOne(page);
      await page.goto(`${indexedApp.url}/#/entry/2`);
      await page.getByText("Corrected by").waitFor();
      await page.goto(`${indexedApp.url}/#/entry/999`);
      await page.getByText("There is no entry #999: the ledger has 31 entries.").waitFor();
      expect(reads, "whole-ledger reads").to.deep.equal([]);
      await page.close();
    });

    it("shows the needs from the indexer's intents and their links alone, the same as the chain's, without reading the whole ledger", async function () {
      await indexer.waitForCount(31n); // (run alone, the indexer may still be catching up, and the page reads the chain meanwhile)
      const chainPage = await open("needs");
      await chainPage.getByTestId("needs-table").waitFor();
      const page = await open("needs", { server: indexedApp });
      const reads = wholeReads(page);
      await page.locator('[data-testid="needs-count"][data-source="indexer"]').waitFor();
      expect(await page.getByTestId("source").innerText()).to.match(new RegExp(`^✓ Read through the indexer at ${indexer.url}: its \\d+ entries chain`));
      // The plan signals per process too, where there are any.
      const text = async (p: Page) =>
        Promise.all(
          ["needs-count", "needs-table", "processes-summary", "processes-table"].map(async (id) =>
            (await p.getByTestId(id).count()) ? p.getByTestId(id).innerText() : `no ${id}`,
          ),
        );
      await expectSameText(text, page, chainPage);
      // Met and expired needs too, and the plan signals per process.
      for (const p of [page, chainPage]) await p.getByLabel("Also needs that are met or expired").check();
      await expectSameText(text, page, chainPage);
      // Each need's own page: its progress and chain from what answers that need alone (/needs/<id>), as the chain's page shows them.
      const needIds = await chainPage
        .getByTestId("needs-table")
        .locator("tbody tr")
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-need")!));
      expect(needIds.length).to.be.greaterThan(2);
      const progress = async (p: Page) => [
        await p.getByTestId("need-progress").innerText(),
        (await p.locator("ul.chain").count()) ? await p.locator("ul.chain").innerText() : "nothing yet",
      ];
      for (const need of needIds) {
        await Promise.all([page.goto(`${indexedApp.url}/#/entry/${need}`), chainPage.goto(`${app.url}/#/entry/${need}`)]);
        await page.locator('[data-testid="need-progress"][data-source="indexer"]').waitFor();
        await chainPage.locator('[data-testid="need-progress"][data-source="chain"]').waitFor();
        await expectSameText(progress, page, chainPage);
      }
      const kits = seeds.supply.needs.kits;
      await page.goto(`${indexedApp.url}/#/entry/${kits}`);
      await page.locator("ul.chain").waitFor();
      await shot(page, "need-entry-indexer");
      await expectText(page.getByTestId("need-progress"), /^1 of 3 ea met \(33\.3 %\), 2 ea open, .* committed .*, due \d{4}-\d\d-\d\d \d\d:\d\d UTC: \w+/);
      expect(reads, "whole-ledger reads").to.deep.equal([]);
      await Promise.all([page.close(), chainPage.close()]);
    });

    it("shows the commons and a person from the indexer's tallies, the same as the chain's, without reading the whole ledger; shares on request", async function () {
      await indexer.waitForCount(31n);
      const chainPage = await open("commons");
      const page = await open("commons", { server: indexedApp });
      const reads = wholeReads(page);
      const list = async (p: Page) => [await p.getByTestId("commons-list").innerText()];
      await page.locator('[data-testid="source"][data-source="indexer"]').waitFor();
      await expectSameText(list, page, chainPage);
      expect((await list(page))[0]).to.match(/^Sensorica open hardware lab \(demo\) 0x\w+…\w+: \d+ entries, 3 stewards/m);
      // One commons: its figures from its tallies and day totals (/tallies, /accounts?commons=), who decides from the chain.
      const commonsText = async (p: Page) =>
        Promise.all(["commons-summary", "commons-members"].map(async (id) => (await p.getByTestId(id).innerText()).replace(/\n.*ETH.*$/m, "")));
      await Promise.all([page.goto(`${indexedApp.url}/#/commons/${seed.commons}`), chainPage.goto(`${app.url}/#/commons/${seed.commons}`)]);
      await Promise.all([page.getByTestId("commons-summary").waitFor(), chainPage.getByTestId("commons-summary").waitFor()]);
      await expectSameText(commonsText, page, chainPage);
      // One member's figures in the commons, recomputed from the chain, are the indexer's.
      await page.locator('[data-testid="commons-check"][data-checked="same"]').waitFor();
      expect(await page.getByTestId("commons-check").innerText()).to.match(/^✓ Spot-checked against the chain: .+’s entries and contributions in this commons/);
      expect((await commonsText(page))[0]).to.match(/Entries\s+\d+ \(\d+ accepted, \d+ claimed, 0 disputed, 1 corrected\)/);
      await page.getByTestId("commons-chart").locator(".recharts-bar-rectangle").first().waitFor();
      // A person: entries, contributions, validations given and received, commons and roles.
      const personText = async (p: Page) =>
        Promise.all([
          p.getByTestId("person-summary").innerText(),
          p.getByTestId("person-commons").innerText(),
          (async () => (await p.getByTestId("person-chart").getAttribute("data-unit")) ?? "no chart")(),
        ]);
      for (const who of ["alice", "bob", "erin"] as const) {
        await Promise.all([page.goto(`${indexedApp.url}/#/person/${who}`), chainPage.goto(`${app.url}/#/person/${who}`)]);
        await Promise.all([page.getByTestId("person-summary").waitFor(), chainPage.getByTestId("person-summary").waitFor()]);
        await expectSameText(personText, page, chainPage);
        // Every figure of the person, recomputed from the chain (their entries, states and validations), is the indexer's.
        await page.locator('[data-testid="person-check"][data-checked="same"]').waitFor();
      }
      expect(await page.getByTestId("person-check").innerText()).to.match(
        /^✓ Checked against the chain: the entries, contributions and validations below, recomputed from Erin’s own entries/,
      );
      expect(reads, "whole-ledger reads").to.deep.equal([]);
      // The shares are recomputed from the whole ledger at each distribution's cutoff: read from the chain when asked for.
      await Promise.all([page.goto(`${indexedApp.url}/#/person/alice`), chainPage.goto(`${app.url}/#/person/alice`)]);
      await page.getByTestId("person-shares-unread").waitFor();
      expect(reads, "whole-ledger reads").to.deep.equal([]);
      const readsBefore = await ledgerReads(page);
      await page.getByRole("button", { name: "Recompute every share from the chain" }).click();
      await page
        .getByTestId("person-shares")
        .getByText(/^Distribution #1: 0\.2533 ETH/)
        .waitFor();
      await chainPage
        .getByTestId("person-shares")
        .getByText(/^Distribution #1: 0\.2533 ETH/)
        .waitFor();
      expect(await page.getByTestId("person-shares").innerText()).to.equal(await chainPage.getByTestId("person-shares").innerText());
      expect(await ledgerReads(page), "whole-ledger reads once asked").to.be.greaterThan(readsBefore);
      // The shares say where they come from (the page's other figures still come through the indexer).
      expect(await page.getByTestId("person-shares-source").innerText()).to.match(
        /^Each share recomputed here from the whole ledger read from the chain \(\d+ entries\), as it stood at its distribution's cutoff\.$/,
      );
      expect(await chainPage.getByTestId("person-shares-source").count(), "a page that read the chain for everything").to.equal(0);
      await shot(page, "person-indexer");
      await Promise.all([page.close(), chainPage.close()]);
    });

    it("shows the distributions without reading the whole ledger, and recomputes a share from the chain when asked, the same as the chain's page", async function () {
      await indexer.waitForCount(31n);
      const chainPage = await open("distributions");
      const page = await open("distributions", { server: indexedApp });
      const reads = wholeReads(page);
      // The distributions and their claims are the distributor's own events: the same table, the commons by name.
      const table = async (p: Page) => [await p.getByTestId("distributions-table").innerText()];
      await page.getByTestId("distributions-ledger-unread").waitFor();
      await expectSameText(table, page, chainPage);
      expect((await table(page))[0]).to.match(/Sensorica open hardware lab \(demo\)/);
      expect(await page.getByTestId("distributions-ledger-unread").innerText()).to.match(
        /^The distributions and their claims below are the IncomeDistributor's own events\. A share is recomputed here from the whole ledger as it stood at its distribution's cutoff, which this page has not read \(the indexer holds \d+ entries\)\. Recompute the shares from the chain$/,
      );
      expect(await page.getByTestId("share-unread").innerText()).to.equal(
        "Recompute the shares from the chain (above) to see a contributor's share and claim it: the claim's proof is built from them.",
      );
      expect(await page.getByTestId("recompute").count()).to.equal(0);
      expect(reads, "whole-ledger reads").to.deep.equal([]);
      // Asked for, the share is recomputed from the ledger read from the chain: the same as the chain's page.
      await page.getByRole("button", { name: "Recompute the shares from the chain" }).click();
      // (From the chain, or from what this browser kept of an earlier whole read: the Person page's, in this file.)
      await page.locator('[data-testid="recompute"].ok').waitFor();
      expect(await page.getByTestId("share-unread").count()).to.equal(0);
      for (const p of [page, chainPage]) await p.getByLabel("Contributor name or address").fill("Bob");
      const share = async (p: Page) => [await p.getByTestId("share-amount").filter({ hasText: "Bob" }).innerText()];
      await expectSameText(share, page, chainPage);
      expect((await share(page))[0]).to.match(/^0\.38 ETH for Bob 0x90F7…b906 \(leaf \d+\) · /);
      expect(await page.getByTestId("recompute").innerText()).to.equal(await chainPage.getByTestId("recompute").innerText());
      await shot(page, "distributions-indexer");
      await Promise.all([page.close(), chainPage.close()]);
    });

    it("traces and tracks through the indexer, reading only the entries the walk passes through, the same as the chain's, and verifies the hops", async function () {
      await indexer.waitForCount(31n);
      const routes = [
        `trace?resource=${encodeURIComponent(seeds.supply.kitLabel)}`,
        `trace?resource=${encodeURIComponent("filament lot 2026-11 #1 (recycled PLA)")}&direction=track`,
      ];
      const chainPage = await open(routes[0]!);
      const page = await open(routes[0]!, { server: indexedApp });
      const reads = wholeReads(page);
      const text = async (p: Page) => [
        await p.getByTestId("trace-summary").innerText(),
        (
          await p
            .getByTestId("trace-graph")
            .locator("[data-node]")
            .evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-node")))
        )
          .sort()
          .join(" "),
      ];
      for (const route of routes) {
        // (a new hash alone keeps the page's form: reloaded, the page reads the resource and direction from the URL)
        await Promise.all([page.goto(`${indexedApp.url}/#/${route}`), chainPage.goto(`${app.url}/#/${route}`)]);
        await Promise.all([page.reload(), chainPage.reload()]);
        await Promise.all([page.getByTestId("trace-summary").waitFor(), chainPage.getByTestId("trace-summary").waitFor()]);
        await page.locator('[data-testid="source"][data-source="indexer"]').waitFor();
        await expectSameText(text, page, chainPage);
      }
      // The hops' signatures, checked in the browser from their recording transactions.
      await page.getByRole("button", { name: "Verify hops" }).click();
      await expectText(page.getByTestId("verify-summary"), /^(\d+) of \1 hop signatures valid, verified in this browser$/);
      await shot(page, "track-indexer");
      expect(await page.getByRole("heading", { name: "Track" }).count(), "the second walk is a track").to.equal(1);
      // A resource nobody named.
      await page.getByLabel("Resource label or id").fill("nothing named so");
      await page.getByRole("button", { name: "Track", exact: true }).click();
      await expectText(page.getByTestId("error-resource"), /^No standing event names resource “nothing named so” \(0x[0-9a-f]{64}\) on this ledger\.$/);
      expect(reads, "whole-ledger reads").to.deep.equal([]);
      await Promise.all([page.close(), chainPage.close()]);
    });

    it("reads the license registry through the indexer (checked against its counts), with the same statuses and evidence as the chain's", async function () {
      const coop = seeds.reciprocity.licensees.cooperative;
      const route = `reciprocity?licensee=${coop}&work=1`;
      const [page, chainPage] = [await open(route, { server: indexedApp }), await open(route)];
      const source = page.locator('[data-testid="registry-source"][data-source="indexer"]');
      await source.waitFor();
      expect(await source.innerText()).to.match(
        new RegExp(`^✓ Read through the indexer at ${indexer.url}: its 2 works and \\d+ records are the registry's own counts\\.$`),
      );
      expect(await chainPage.getByTestId("registry-source").count()).to.equal(0);
      for (const p of [page, chainPage]) await p.getByTestId("reciprocity-status").waitFor();
      const text = async (p: Page) =>
        Promise.all(["status-name", "status-reason", "status-evidence", "status-changes"].map((id) => p.getByTestId(id).innerText()));
      await expectSameText(text, page, chainPage);
      await Promise.all([page.close(), chainPage.close()]);
      // An indexer that does not read the registry: the page says so and reads the chain.
      const noRegistry = http.createServer((req, res) => {
        res.writeHead(200, { "content-type": "application/json", "access-control-allow-origin": "*" });
        res.end(JSON.stringify(req.url === "/reciprocity/head" ? { registry: null, works: "0", records: "0" } : {}));
      });
      await new Promise<void>((r) => noRegistry.listen(0, "127.0.0.1", r));
      const url = `http://127.0.0.1:${(noRegistry.address() as AddressInfo).port}`;
      const other = await appWithIndexer(url);
      try {
        const fallback = await open(route, { server: other });
        const said = fallback.locator('[data-testid="registry-source"][data-source="chain"]');
        await said.waitFor();
        expect(await said.innerText()).to.equal(`Read from the chain: the indexer at ${url} does not index a ReciprocityRegistry.`);
        await fallback.getByTestId("reciprocity-status").waitFor();
        const again = await open(route);
        await again.getByTestId("reciprocity-status").waitFor();
        await expectSameText(text, fallback, again);
        await Promise.all([fallback.close(), again.close()]);
      } finally {
        await other.close();
        noRegistry.close();
      }
      // An indexer that holds the registry's counts but forges one of the cooperative's records (another signer): the status is not explained from it.
      const forging = http.createServer((req, res) => {
        void fetch(`${indexer.url}${req.url}`).then(async (r) => {
          let body = await r.text();
          if (req.url!.startsWith("/reciprocity/records")) {
            const records = JSON.parse(body) as { licensee: string; signer: string }[];
            const first = records.find((x) => x.licensee.toLowerCase() === coop.toLowerCase());
            if (first) first.signer = l.contracts.Ledger;
            body = JSON.stringify(records);
          }
          res.writeHead(r.status, { "content-type": "application/json", "access-control-allow-origin": "*" }).end(body);
        });
      });
      await new Promise<void>((r) => forging.listen(0, "127.0.0.1", r));
      const forged = await appWithIndexer(forging);
      try {
        const p = await open(route, { server: forged });
        await p.locator('[data-testid="registry-source"][data-source="indexer"]').waitFor();
        await p
          .getByText(
            /Could not read the status: the indexer at .* answered a record the chain does not hold: record \d+ is not what its transaction 0x[0-9a-f]{64} recorded/,
          )
          .waitFor();
        expect(await p.getByTestId("status-name").count()).to.equal(0);
        await p.close();
      } finally {
        await forged.close();
        forging.close();
      }
    });

    it("falls back to the chain when a spot check finds the indexer's totals (or a person's, or a commons member's figures) are not the chain's, saying which contributor and day", async function () {
      await indexer.waitForCount(31n); // (run alone, the indexer may still be catching up: the page would fall back for that)
      // The real indexer's answers, except that every row of the accounts counts one unit more claimed.
      const inflating = http.createServer((req, res) => {
        void fetch(`${indexer.url}${req.url}`).then(async (r) => {
          let body = await r.text();
          if (req.url?.startsWith("/accounts"))
            body = JSON.stringify((JSON.parse(body) as { claimed: string }[]).map((d) => ({ ...d, claimed: String(BigInt(d.claimed) + 1_000_000n) })));
          res.writeHead(r.status, { "content-type": "application/json", "access-control-allow-origin": "*" }).end(body);
        });
      });
      await new Promise<void>((r) => inflating.listen(0, "127.0.0.1", r));
      const inflated = await appWithIndexer(inflating);
      try {
        const page = await open("accounts", { server: inflated, clock: true });
        const failed = page.locator('[data-testid="source"][data-source="fallback"]');
        await failed.waitFor({ timeout: 30_000 });
        expect(await failed.innerText()).to.match(
          /^The indexer was not used: the indexer answered its head but not the accounts \(its accounts of (?:[^()]+ \(0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4}\)|0x[0-9a-fA-F]{40}) are not the chain's: on \d{4}-\d\d-\d\d \w+ in \S+ \(Sensorica open hardware lab \(demo\)\): it says .* claimed, .*, the chain .*\)\. This page reads the chain itself\.$/,
        );
        await page.locator('[data-testid="accounts-summary"][data-source="chain"][data-entries="31"]').waitFor({ timeout: 30_000 });
        await shot(page, "accounts-indexer-spot-check-failed");
        // 30 s later the page tries the indexer again, checks the contributor found wrong first, finds the
        // same lie, and reads the chain for another 30 s: a lie once found stays found.
        // Every source the status line shows from now on, in order (the test's own code has no DOM types: a string).
        await page.evaluate(
          `window.sources = []; new MutationObserver(() => { const s = document.querySelector('[data-testid="source"]')?.getAttribute("data-source") ?? "none"; if (window.sources.at(-1) !== s) window.sources.push(s); }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-source"] })`,
        );
        await page.clock.fastForward(31_000);
        await page.waitForFunction('window.sources.includes("indexer")', undefined, { timeout: 20_000 });
        await page.waitForFunction('window.sources.at(-1) === "fallback"', undefined, { timeout: 20_000 });
        await new Promise((r) => setTimeout(r, 5_000));
        expect(await page.getByTestId("source").getAttribute("data-source"), "5 s after the lie was found again").to.equal("fallback");
        expect(await failed.innerText()).to.include("are not the chain's");
        await page.close();
        // A commons' page checks a member drawn from the chain: every member's days are inflated.
        const commonsPage = await open(`commons/${seed.commons}`, { server: inflated });
        const fellBack = commonsPage.locator('[data-testid="source"][data-source="fallback"]');
        await fellBack.waitFor({ timeout: 30_000 });
        expect(await fellBack.innerText()).to.match(
          /the indexer answered its head but not the commons' figures \(its figures of (?:[^()]+ \(0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4}\)|0x[0-9a-fA-F]{40}) in Sensorica open hardware lab \(demo\) are not the chain's: on .*: it says .*, the chain .*\)/,
        );
        await commonsPage.getByTestId("commons-summary").waitFor();
        await commonsPage.close();
        // A person's page checks that person's figures: alice's days are inflated too.
        const person = await open("person/alice", { server: inflated });
        const fell = person.locator('[data-testid="source"][data-source="fallback"]');
        await fell.waitFor({ timeout: 30_000 });
        expect(await fell.innerText()).to.match(
          new RegExp(
            `^The indexer was not used: the indexer answered its head but not the person's figures \\(its figures for (?:Alice \\(${seed.people.alice.slice(0, 6)}…${seed.people.alice.slice(-4)}\\)|${seed.people.alice}) are not the chain's: on \\d{4}-\\d\\d-\\d\\d \\w+ in \\S+ \\(Sensorica open hardware lab \\(demo\\)\\): it says .* claimed, .*, the chain .*\\)\\. This page reads the chain itself\\.$`,
          ),
        );
        await person.getByTestId("person-summary").waitFor();
        expect(await person.getByTestId("person-check").count(), "no check line once on the chain").to.equal(0);
        await person.close();
      } finally {
        await inflated.close();
        inflating.closeAllConnections();
        await new Promise((r) => inflating.close(r));
      }
    });

    it("audits the whole ledger from the chain on request, and goes back to the indexer", async function () {
      const page = await open("accounts", { server: indexedApp });
      await page.locator('[data-testid="accounts-summary"][data-source="indexer"]').waitFor();
      await page.getByRole("button", { name: "Audit the whole ledger" }).click();
      await page.locator('[data-testid="source"][data-source="audit"]').waitFor();
      // The whole read, with the same figures.
      await page.locator('[data-testid="accounts-summary"][data-source="chain"][data-entries="31"]').waitFor({ timeout: 30_000 });
      expect(Number(await page.getByTestId("accounts-summary").getAttribute("data-fetch-ms"))).to.be.at.least(0);
      // Kept for this tab across a reload.
      await page.reload();
      await page.locator('[data-testid="source"][data-source="audit"]').waitFor();
      await page.getByRole("button", { name: "Read through the indexer again" }).click();
      await page.locator('[data-testid="accounts-summary"][data-source="indexer"]').waitFor();
      await page.close();
    });

    it("falls back to the chain when the indexer's head is not the Ledger's tip (saying both), when its totals fail, and when it cannot be reached", async function () {
      // An indexer that claims another head for the same count.
      const liar = http.createServer((req, res) => {
        if (req.url === "/head") {
          res.writeHead(200, { "content-type": "application/json", "access-control-allow-origin": "*" });
          res.end(JSON.stringify({ count: "31", head: "0x" + "11".repeat(24), blockNumber: "1" }));
        } else res.writeHead(404, { "access-control-allow-origin": "*" }).end();
      });
      await new Promise<void>((r) => liar.listen(0, "127.0.0.1", r));
      const liarUrl = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
      const lied = await appWithIndexer(liarUrl);
      // An indexer that cannot be reached: a port held by this test that drops every connection (a port
      // found free and left unbound could be taken by the next server started, and answer).
      const unreachable = net.createServer((socket) => socket.destroy());
      await new Promise<void>((r) => unreachable.listen(0, "127.0.0.1", r));
      const gone = await appWithIndexer(unreachable);
      // The real indexer's answers, except /accounts, which fails.
      const halfBroken = http.createServer((req, res) => {
        if (req.url?.startsWith("/accounts")) {
          res.writeHead(500, { "content-type": "application/json", "access-control-allow-origin": "*" }).end(JSON.stringify({ error: "out of order" }));
          return;
        }
        void fetch(`${indexer.url}${req.url}`).then(async (r) => {
          res.writeHead(r.status, { "content-type": "application/json", "access-control-allow-origin": "*" }).end(await r.text());
        });
      });
      await new Promise<void>((r) => halfBroken.listen(0, "127.0.0.1", r));
      const broken = await appWithIndexer(halfBroken);
      try {
        const page = await open("accounts", { server: lied });
        const fallback = page.locator('[data-testid="source"][data-source="fallback"]');
        await fallback.waitFor({ timeout: 30_000 });
        expect(await fallback.innerText()).to.match(
          new RegExp(
            `^The indexer was not used: the indexer at ${liarUrl} is at entry 31 with head 0x(11){24}, the Ledger's tip is entry 31 with head 0x[0-9a-f]{48}\\. This page reads the chain itself\\.$`,
          ),
        );
        await page.locator('[data-testid="accounts-summary"][data-source="chain"][data-entries="31"]').waitFor({ timeout: 30_000 });
        await shot(page, "accounts-indexer-refused");
        // An indexer whose head is right but whose totals fail: the page reads the chain, saying so.
        await page.goto(`${broken.url}/#/accounts`);
        const failed = page.locator('[data-testid="source"][data-source="fallback"]');
        await failed.waitFor({ timeout: 30_000 });
        expect(await failed.innerText()).to.match(
          new RegExp(
            `^The indexer was not used: the indexer answered its head but not the accounts \\(the indexer at http://127\\.0\\.0\\.1:\\d+ answered 500 for the accounts: out of order\\)\\. This page reads the chain itself\\.$`,
          ),
        );
        await page.locator('[data-testid="accounts-summary"][data-source="chain"][data-entries="31"]').waitFor({ timeout: 30_000 });
        await page.goto(`${gone.url}/#/entries`);
        await page.locator('[data-testid="source"][data-source="fallback"]', { hasText: "cannot be reached" }).waitFor({ timeout: 30_000 });
        await page.getByTestId("entries-table").locator("tbody tr").nth(30).waitFor();
        await page.close();
      } finally {
        await lied.close();
        await gone.close();
        await broken.close();
        // Connections a failed step left open must not keep the servers (and the test) from ending.
        for (const server of [halfBroken, liar]) server.closeAllConnections();
        await new Promise((r) => halfBroken.close(r));
        await new Promise((r) => liar.close(r));
        await new Promise((r) => unreachable.close(r));
      }
    });
  });

  describe("reciprocity", function () {
    it("explains a seeded licensee's status: reason, evidence records, validity and what would change it", async function () {
      const coop = seeds.reciprocity.licensees.cooperative;
      const page = await open(`reciprocity?licensee=${coop}&work=1`);
      const status = page.getByTestId("reciprocity-status");
      await status.waitFor();
      expect(await page.getByTestId("status-name").innerText()).to.equal("CommercialPermitted");
      expect(await page.getByTestId("status-summary").innerText()).to.match(/^CommercialPermitted \(attested\): may use the work commercially too \(4\(c\)\)/);
      expect(await page.getByTestId("status-reason").innerText()).to.match(
        /^worker-owned \(4\(c\)\(i\)\) with a current declaration that all surplus goes to the worker-owners/,
      );
      expect(await page.getByTestId("status-holds").innerText()).to.match(
        /^until \d{4}-\d\d-\d\d( \d\d:\d\d UTC)? \(36\d days from now\), unless a new record changes it sooner$/,
      );
      const evidence = await page.getByTestId("status-evidence").locator("tbody tr").allInnerTexts();
      expect(evidence.length).to.be.greaterThan(1);
      expect(evidence.join("\n"))
        .to.match(/entity declaration: worker-owned/)
        .and.match(/surplus declaration for/);
      expect(await page.getByTestId("status-changes").innerText()).to.match(/a breach report by anyone would put the status in dispute/);
      await shot(page, "reciprocity-cooperative");
      // The CopyFair company: settled by its accepted contribution to the commons.
      await page.getByLabel("Licensee address").fill(seeds.reciprocity.licensees.company);
      await page.getByLabel("Work id").fill("2");
      await page.getByRole("button", { name: "Show status" }).click();
      await page.locator('[data-testid="status-name"]', { hasText: "ReciprocitySettled" }).waitFor();
      expect(await page.getByTestId("status-reason").innerText()).to.equal(
        "accepted contributions to the work's commons cover the settlement obligation for the current period",
      );
      // The question is in the URL: a reload (or the link, shared) asks it again.
      expect(new URL(page.url()).hash).to.equal(`#/reciprocity?licensee=${seeds.reciprocity.licensees.company}&work=2`);
      await page.reload();
      await page.locator('[data-testid="status-name"]', { hasText: "ReciprocitySettled" }).waitFor();
      expect(await page.getByLabel("Licensee address").inputValue()).to.equal(seeds.reciprocity.licensees.company);
      await page.close();
    });

    it("explains a malformed licensee or work given in the URL instead of showing nothing", async function () {
      const page = await open("reciprocity?licensee=0x12ab&work=1");
      expect(await page.getByTestId("error-licensee").innerText()).to.equal('"0x12ab" is not an address (0x + 40 hex digits)');
      expect(await page.getByTestId("reciprocity-status").count()).to.equal(0);
      await page.close();
      const other = await open(`reciprocity?licensee=${seeds.reciprocity.licensees.firm}&work=x1`);
      expect(await other.getByTestId("error-work").innerText()).to.equal('"x1" is not a work id (a whole number from 1)');
      await other.close();
    });

    it("lists the works and every licensee on file with its status now", async function () {
      const page = await open("reciprocity");
      const works = page.getByTestId("works").locator("tbody tr");
      await works.first().waitFor();
      expect((await works.allInnerTexts()).map((t) => t.split("\t").slice(0, 2).join(" "))).to.deep.equal(["work 1 ppl", "work 2 copyfair"]);
      const coop = page.getByTestId("known-licensees").locator("li", { hasText: seeds.reciprocity.licensees.cooperative });
      await coop.getByText("work 1 (CommercialPermitted, attested)").waitFor();
      await shot(page, "reciprocity-works");
      await page.close();
    });

    it("names a malformed address and an unknown work, and reads nothing for them", async function () {
      const page = await open("reciprocity");
      await page.getByTestId("known-licensees").waitFor();
      await page.getByLabel("Licensee address").fill("0x12ab");
      await page.getByLabel("Work id").fill("1");
      await page.getByRole("button", { name: "Show status" }).click();
      expect(await page.getByTestId("error-licensee").innerText()).to.equal('"0x12ab" is not an address (0x + 40 hex digits)');
      await shot(page, "reciprocity-malformed-address");
      await page.getByLabel("Licensee address").fill(seeds.reciprocity.licensees.firm);
      await page.getByLabel("Work id").fill("9");
      expect(await page.getByTestId("error-work").innerText()).to.equal("There is no work 9: the registry has works 1 to 2.");
      await page.getByLabel("Work id").fill("x1");
      expect(await page.getByTestId("error-work").innerText()).to.equal('"x1" is not a work id (a whole number from 1)');
      expect(await page.getByTestId("reciprocity-status").count()).to.equal(0);
      await shot(page, "reciprocity-work-errors");
      await page.close();
    });
  });

  describe("declare", function () {
    it("lets a licensee sign a declaration that the relayer sends (the licensee pays no gas), then shows its new status", async function () {
      const bob = devWallet(3, l.provider).address;
      const [balance, sent] = [await l.provider.getBalance(bob), await l.provider.getTransactionCount(bob)];
      const page = await open("reciprocity");
      await page.getByTestId("known-licensees").waitFor();
      expect(await page.getByTestId("declare-disabled").innerText()).to.equal("Connect a wallet to declare: you declare as its account.");
      await connectDevKey(page, "bob", 3);
      await page.getByLabel("Declaration kind").selectOption("surplus");
      await page.getByLabel("Surplus period start").fill("2026-13-01");
      expect(await page.getByTestId("error-declare").innerText()).to.equal('start: "2026-13-01" is not a date (YYYY-MM-DD)');
      await page.getByLabel("Surplus period start").fill("2027-01-01");
      await page.getByLabel("Surplus period end").fill("2026-01-01");
      expect(await page.getByTestId("error-declare").innerText()).to.equal("period: ends (2026-01-01) at or before it starts (2027-01-01)");
      await page.getByLabel("Declaration kind").selectOption("entity");
      await page.getByLabel("Entity form").selectOption("individual");
      await page.getByRole("button", { name: "Sign and declare" }).click();
      await phase(page, "declare-status", ["done", "failed"]);
      expect(await page.getByTestId("declare-status").innerText()).to.equal("✔ Your declaration is recorded; the status above is read again.");
      await page.locator('[data-testid="status-name"]', { hasText: "NonCommercialPermitted" }).waitFor();
      await page.getByTestId("status-evidence").getByText("entity declaration: individual").waitFor();
      // Explanation (e): an individual's reason speaks of an individual, not of a worker-owned business.
      expect(await page.getByTestId("status-reason").innerText()).to.equal(
        "an individual: non-commercial use is permitted (s.3); commercial use would need a surplus declaration (4(c)(ii)) covering now, under which the registry treats an individual as a worker-owned business (an open question), or a separate license",
      );
      expect(await page.getByTestId("status-changes").innerText()).to.match(
        /a surplus declaration \(4\(c\)\(ii\)\), e\.g\. for \d{4}, would make commercial use permitted/,
      );
      await shot(page, "reciprocity-declared");
      expect([await l.provider.getBalance(bob), await l.provider.getTransactionCount(bob)]).to.deep.equal([balance, sent]);
      await page.close();
    });
  });

  describe("on a 390 px wide phone", function () {
    // Every page in the menu, with the demo: the menu wraps instead of being cut off, and nothing
    // widens the page (a wide table scrolls inside its own box).
    const routes: [string, string][] = [
      ["accounts", '[data-testid="accounts-table"]'],
      ["entries", '[data-testid="entries-table"]'],
      ["contribute", "form"],
      ["reciprocity?licensee=cooperative&work=1", '[data-testid="reciprocity-status"]'],
      ["trace?resource=kit", '[data-testid="trace"]'],
      ["needs", '[data-testid="needs-table"]'],
      ["simulation", "form.simulation"],
      ["distributions", '[data-testid="distributions-table"]'],
      ["entry/1", '[data-testid="validations"]'],
      ["commons", '[data-testid="commons-list"]'],
      ["commons/demo", '[data-testid="commons-members"]'],
      ["person/alice", '[data-testid="person-summary"]'],
    ];
    for (const [route, ready] of routes) {
      it(`shows ${route.split("?")[0]} without a horizontal scroll and with every menu item in view`, async function () {
        const page = await open(
          route
            .replace("licensee=cooperative", `licensee=${seeds.reciprocity.licensees.cooperative}`)
            .replace("resource=kit", `resource=${encodeURIComponent(seeds.supply.kitLabel)}`)
            .replace("commons/demo", `commons/${seed.commons}`),
        );
        await page.setViewportSize({ width: 390, height: 844 });
        await page.locator(ready).first().waitFor({ timeout: 30_000 });
        // (A string, evaluated in the page: the tests are compiled without the DOM's types.)
        const { scrollWidth, innerWidth, wide } = await page.evaluate<{ scrollWidth: number; innerWidth: number; wide: string[] }>(`({
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth,
          wide: [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map((e) => e.tagName + "." + e.className),
        })`);
        expect(scrollWidth, `the page is no wider than the screen; wider: ${wide.join(", ")}`).to.be.at.most(innerWidth);
        for (const link of await page.locator("header nav a").all()) {
          const box = (await link.boundingBox())!;
          expect(box.x, await link.innerText()).to.be.at.least(0);
          expect(box.x + box.width, await link.innerText()).to.be.at.most(390);
        }
        await shot(page, `phone-${route.split("?")[0].replace("/", "-")}`);
        await page.close();
      });
    }
  });

  describe("person and commons", function () {
    it("shows a person by name: contributions over time, validations, commons and roles, shares and licences", async function () {
      // Any name links to its person's page: from the entries, alice's name.
      const entries = await open("entries");
      await entries.getByLabel("Filter rows").fill("Alice");
      await entries.locator(`a[data-agent="${seed.people.alice}"]`).first().click();
      await entries.getByTestId("person-summary").waitFor();
      expect(entries.url()).to.include(`#/person/${seed.people.alice}`);
      await entries.close();

      const page = await open("person/alice");
      const summary = page.getByTestId("person-summary");
      await summary.waitFor();
      await expectText(page.locator("h2").first(), "Alice (person)");
      expect(await page.getByTestId("person-address").innerText()).to.equal(seed.people.alice);
      expect(await summary.innerText()).to.match(/Contributions counted\s+1 ea claimed, 0 ea accepted; \d+(\.\d+)? h claimed, 3 h accepted/);
      expect(await summary.innerText()).to.match(/Validations given\s+\d+ accepts, \d+ disputes as an appointed validator/);
      await page.getByTestId("person-chart").locator(".recharts-bar-rectangle").first().waitFor();
      expect(await page.getByTestId("person-chart").getAttribute("data-unit")).to.equal("h");
      expect(await page.getByTestId("person-commons").innerText()).to.match(/^Sensorica open hardware lab \(demo\): \d+ entries; validates every action$/);
      await page
        .getByTestId("person-shares")
        .getByText(/^Distribution #1: 0\.2533 ETH, (claimed|not claimed yet)/)
        .waitFor();
      await shot(page, "person");
      // A name nobody or several use is explained, not guessed.
      await page.goto(`${app.url}/#/person/nobody-here`);
      expect(await page.getByTestId("person-error").innerText()).to.equal('no agent has published the name "nobody-here"; give an address instead.');
      await page.close();
    });

    it("lists the commons and shows one: stewards by name, rules, members, income and balance, distributions, open needs", async function () {
      const page = await open("commons");
      await page.getByTestId("commons-list").getByRole("link", { name: "Sensorica open hardware lab (demo)" }).click();
      const summary = page.getByTestId("commons-summary");
      await summary.waitFor();
      await expectText(summary, /Stewards\s+Mira 0x7099…79C8, Yara 0x14dC…9955, Carol 0x15d3…6A65 \(threshold 2\)/);
      expect(await page.getByTestId("quorum-rules").innerText()).to.match(/^Quorum: work: accepted with 2 accepts/);
      await page
        .getByTestId("commons-funds")
        .getByText(/ETH deposited in \d+ deposits?; .* ETH not yet allocated to a distribution/)
        .waitFor();
      expect(await page.getByTestId("commons-members").innerText()).to.include("Erin");
      await page
        .getByTestId("commons-distributions")
        .getByText(/^Distribution #1: 1\.00 ETH to \d+ contributors/)
        .waitFor();
      await page.getByTestId("commons-needs").locator("li").first().waitFor();
      await page.getByTestId("commons-chart").locator(".recharts-bar-rectangle").first().waitFor();
      await shot(page, "commons");
      await page.close();
    });
  });

  describe("trace", function () {
    it("shows the kit's provenance hop by hop and verifies every hop's signature in the browser", async function () {
      const page = await open(`trace?resource=${encodeURIComponent(seeds.supply.kitLabel)}`);
      const summary = page.getByTestId("trace-summary");
      // People are named as the Directory says (read beside the ledger).
      await summary.filter({ hasText: "Yara (" }).waitFor();
      // The kit went to yara's field team: she holds it (accounting and on hand).
      const yara = `${seed.people.yara.slice(0, 6)}…${seed.people.yara.slice(-4)}`;
      // Two hand-overs of custody on the way (carol's filament to mira, #16; mira's kit to yara, #29), neither confirmed by its receiver.
      expect(await summary.innerText()).to.equal(
        `19 events, 4 processes. 0 of 2 custody hand-overs confirmed by their receiver; the provider's word alone: #29, #16. Now: 1 ea accounted (Yara (${yara})), 1 ea on hand (Yara (${yara})).`,
      );
      // The trace as a picture: every event and process a box, laid out in the direction things flowed.
      const graph = page.getByTestId("trace-graph");
      expect(await graph.locator("[data-node]").count()).to.equal(23);
      await expectText(graph.locator('[data-node="e:28"]'), /^#28 produce 1 ea\s*open sensor kit #1\s*by Alice \(0x3C44…93BC\)\s*accepted$/, "textContent");
      // The same hops as a list, one click away.
      await page.getByText("Hop by hop, as a list").click();
      // The kit produced by alice's assembly (entry #28), its parts printed (#20) and boards soldered (#23).
      for (const id of [28, 20, 23]) await page.getByTestId(`hop-${id}`).waitFor();
      await expectText(page.getByTestId("hop-28"), /^entry #28 produce \(output\) 1 ea by Alice 0x3C44…93BC, \d{4}-\d\d-\d\d \d\d:\d\d UTC, accepted/);
      // Ids are named from the labels npm start serves (data/labels.json, written by the seed).
      await expectText(page.getByTestId("hop-28"), /· resource open sensor kit #1/);
      // Each hop that names another agent says whether that agent confirmed it.
      expect(await page.getByTestId("hop-29").getByTestId("hop-consent").innerText()).to.equal(" · one-sided (not confirmed by the counterparty)");
      expect(await page.getByTestId("hop-24").getByTestId("hop-consent").count(), "a consume names nobody else").to.equal(0);
      await page.locator(".tree", { hasText: "process process: assemble open sensor kit #1" }).waitFor();
      await page.getByRole("button", { name: "Verify hops" }).click();
      const verified = page.locator('[data-testid="verify-summary"]', { hasText: /hop signatures valid/ });
      await verified.waitFor({ timeout: 30_000 });
      expect(await verified.innerText()).to.match(/^(\d+) of \1 hop signatures valid, verified in this browser$/);
      // Each verified hop turns green in the picture.
      expect(await graph.locator('[data-tone="verified"]').count()).to.equal(19);
      await graph.screenshot({ path: path.join(SHOTS, "trace-graph.png") });
      await shot(page, "trace-kit");
      await page.getByLabel("Resource label or id").fill("0x1234");
      await page.getByRole("button", { name: "Trace" }).click();
      expect(await page.getByTestId("error-resource").innerText()).to.equal(
        '"0x1234" is not a resource id (0x + 64 hex digits); a label is hashed, so do not start one with 0x',
      );
      await page.close();
    });
  });

  describe("track", function () {
    it("follows the recycled filament forward into the parts, the kit and the field team, drawn and kept in the URL", async function () {
      const filament = "filament lot 2026-11 #1 (recycled PLA)";
      const page = await open(`trace?resource=${encodeURIComponent(filament)}&direction=track`);
      await page.getByRole("heading", { name: "Track" }).waitFor();
      const graph = page.getByTestId("trace-graph");
      await graph.waitFor();
      // Forward: printed into the enclosure parts (#20), assembled into the kit (#28), handed to yara (#29) and moved on site (#30).
      for (const id of [20, 28, 29, 30]) await graph.locator(`[data-node="e:${id}"]`).waitFor();
      await expectText(graph.locator('[data-node="e:30"]'), /^#30 move 1 ea\s*open sensor kit #1\s*by Yara \(0x14dC…9955\)/, "textContent");
      await shot(page, "track-filament");
      // Back again with the same resource: the direction is in the URL, so a reload keeps it.
      await page.getByLabel("Direction").selectOption("trace");
      await page.getByRole("heading", { name: "Trace" }).waitFor();
      expect(page.url()).to.not.include("direction=track");
      await page.getByLabel("Direction").selectOption("track");
      await page.reload();
      await page.getByRole("heading", { name: "Track" }).waitFor();
      expect(await page.getByLabel("Direction").inputValue()).to.equal("track");
      await page.close();
    });
  });

  describe("needs", function () {
    it("lists the open needs with their progress and due date", async function () {
      const page = await open("needs");
      const table = page.getByTestId("needs-table");
      await table.waitFor();
      const rows = await table.locator("tbody tr").allInnerTexts();
      expect(rows).to.have.length(3);
      expect(await table.locator(`tr[data-need="${seeds.supply.needs.kits}"]`).innerText()).to.match(/transfer 3 ea[\s\S]*1 \/ 3 ea[\s\S]*33\.3 %[\s\S]*open/);
      expect(await table.locator(`tr[data-need="${seeds.supply.needs.review}"]`).innerText()).to.match(/work 10 h[\s\S]*4 \/ 10 h[\s\S]*40\.0 %[\s\S]*open/);
      expect(await table.locator(`tr[data-need="${seeds.supply.needs.kits}"] td:nth-child(3)`).innerText()).to.equal("open sensor kit");
      expect(await table.locator(`tr[data-need="${seeds.supply.needs.review}"] td:nth-child(3)`).innerText()).to.equal("design review of open sensor kit v2");
      await shot(page, "needs");
      await page.close();
    });

    it("summarises plan signals per process, behind first, and shows each need's chain with links", async function () {
      // Mira (the coordinator) publishes two plan signals; bob commits to both, delivers part of
      // one, and promised the other for a time already past.
      const client = await LedgerClient.connect(devWallet(9, l.provider), l.ledger, l.fromBlock); // not the relayer's paying account
      const [mira, bob] = [devWallet(1, l.provider), devWallet(3, l.provider)];
      const now = await client.now();
      const signal = (process: string, spec: string, quantity: string, due: bigint): RecordDraft => ({
        flow: "need",
        action: "produce",
        receiver: mira.address,
        commons: seed.commons,
        resourceSpec: labelId(spec),
        process: labelId(process),
        side: "output",
        quantity,
        unit: "ea",
        time: due,
        evidence: seeds.supply.recipesHash,
      });
      const commitTo = (need: bigint, process: string, spec: string, quantity: string, due: bigint): RecordDraft => ({
        ...signal(process, spec, quantity, due),
        flow: "commitment",
        receiver: undefined,
        evidence: undefined,
        satisfies: need,
      });
      const record = async (who: typeof mira, d: RecordDraft) => (await client.submit(await client.sign(who, d))).id;
      const print = await record(mira, signal(SUPPLY_LABELS.print, SUPPLY_LABELS.partsSpec, "24", now + 7n * 86_400n));
      const solder = await record(mira, signal(SUPPLY_LABELS.solder, SUPPLY_LABELS.boardSpec, "4", now + 2n * 86_400n));
      const promise = await record(bob, commitTo(print, SUPPLY_LABELS.print, SUPPLY_LABELS.partsSpec, "12", now + 3n * 86_400n));
      const made = await record(bob, {
        ...commitTo(promise, SUPPLY_LABELS.print, SUPPLY_LABELS.partsSpec, "5", now),
        flow: "event",
        resource: labelId("enclosure parts batch 2"),
      });
      const broken = await record(bob, commitTo(solder, SUPPLY_LABELS.solder, SUPPLY_LABELS.boardSpec, "2", now - 60n));

      const page = await open("needs");
      const processes = page.getByTestId("processes-table");
      await processes.waitFor();
      const rows = processes.locator("tbody tr");
      expect(await rows.count()).to.equal(2);
      expect(await rows.nth(0).getAttribute("data-status")).to.equal("behind");
      expect(await rows.nth(0).getAttribute("class")).to.equal("behind");
      expect(await rows.nth(0).innerText()).to.match(
        new RegExp(`${SUPPLY_LABELS.solder}\\s+${SUPPLY_LABELS.boardSpec}\\s+4 ea\\s+2\\s+0\\s+4[\\s\\S]*behind\\s+#${solder}`),
      );
      expect(await rows.nth(1).innerText()).to.match(
        new RegExp(`${SUPPLY_LABELS.print}\\s+${SUPPLY_LABELS.partsSpec}\\s+24 ea\\s+12\\s+5\\s+19[\\s\\S]*partly committed\\s+#${print}`),
      );
      expect(await page.getByTestId("processes-summary").innerText()).to.equal("2 processes with planned output; 1 behind.");

      const table = page.getByTestId("needs-table");
      expect(await table.locator(`tr[data-need="${solder}"]`).getAttribute("data-status")).to.equal("behind");
      expect(await page.getByTestId(`need-open-${print}`).innerText()).to.match(/^19 ea open\s+12 committed, 12 ea uncommitted$/);
      const chain = page.getByTestId(`need-chain-${print}`);
      const commitment = chain.locator(`li[data-commitment="${promise}"]`);
      // The names come from the Directory, read beside the ledger: the committer's once they have loaded.
      await chain.locator(`li[data-commitment="${promise}"]`, { hasText: /^#\d+ commitment 12 ea by \w+ 0x/ }).waitFor({ timeout: 20_000 });
      expect(await commitment.innerText()).to.match(
        new RegExp(`^#${promise} commitment 12 ea by \\w+ 0x\\w{4}…\\w{4} due .* \\(claimed\\): 5 fulfilled, 7 open\\s+#${made} produce 5 ea by`),
      );
      expect(await commitment.locator("a").first().getAttribute("href")).to.equal(`#/entry/${promise}`);
      expect(await commitment.locator(`li[data-satisfier="${made}"] a`).first().getAttribute("href")).to.equal(`#/entry/${made}`);
      expect(await page.getByTestId(`need-chain-${solder}`).locator(`li[data-commitment="${broken}"]`).innerText()).to.include(", past its due");
      await shot(page, "needs-processes");
      await page.close();
    });

    it("shows the signals `commons plan --publish` records for the demo book, one row per planned process", async function () {
      const dataDir = mkdtempSync(path.join(tmpdir(), "commons-e2e-plan-"));
      try {
        const r = await runCli(["plan", "--recipes", RECIPES_FILE, "--commons", seed.commons, "--demand-from", "members", "--publish"], {
          COMMONS_RPC_URL: l.rpc,
          COMMONS_LEDGER: l.ledger,
          COMMONS_DATA_DIR: dataDir,
          COMMONS_PRIVATE_KEY: devWallet(1, l.provider).privateKey,
        });
        expect(r.code, r.stdout + r.stderr).to.equal(0);
        const intents = /published: intents (#\d+(?:, #\d+)*)/
          .exec(r.stdout)![1]
          .split(", ")
          .map((x) => x.slice(1));
        expect(intents.length).to.be.greaterThan(0);
        const page = await open("needs");
        const processes = page.getByTestId("processes-table");
        await processes.waitFor();
        const assemble = processes.locator("tbody tr", { hasText: "process: assemble open sensor kit" });
        await assemble.waitFor();
        expect(await assemble.innerText()).to.match(/open sensor kit\s+2 ea\s+0\s+0\s+2[\s\S]*uncommitted/);
        const table = page.getByTestId("needs-table");
        for (const id of intents) await table.locator(`tr[data-need="${id}"]`).waitFor();
        await page.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });

  describe("simulation", function () {
    it("runs the case a link names in a worker: a row per policy, what it means in a sentence, and the charts", async function () {
      const page = await open("simulation?processes=10&periods=30");
      const status = page.getByTestId("simulation-status");
      await page
        .locator('[data-testid="simulation-status"][data-state="done"], [data-testid="simulation-status"][data-state="failed"]')
        .waitFor({ timeout: 60_000 });
      expect(await status.innerText()).to.match(/^✔ Ran 3 policies in [\d.]+ s\.$/);
      expect(await page.locator("#sim-processes").inputValue()).to.equal("10");
      // The same figures as `commons simulate --processes 10 --periods 30` (seeded: the same every run).
      const table = page.getByTestId("simulation-table");
      expect(await table.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-policy")))).to.deep.equal(["planner", "naive", "none"]);
      expect(await page.getByTestId("simulation-row-planner").innerText()).to.match(/^planner\s+\d+\.\d\d %\s+\d+\.\d\d %\s+\d+\s+\d+ %/);
      expect(await page.getByTestId("simulation-row-none").innerText()).to.match(/^none\s+\d+\.\d\d %\s+\d+\.\d\d %\s+\d+\s+-/);
      expect(await page.getByTestId("simulation-sentence").innerText()).to.match(
        /^With needs posted 7 weeks ahead, the planner's signals met [\d.]+ % of demand on time holding [\d.]+ % extra stock; each process making what was used last week met .+; each process repeating the first week's activity, with no signals, met .+\.$/,
      );
      expect(await page.getByTestId("simulation-command").innerText()).to.equal("npx commons simulate --processes 10 --periods 30");
      // One line per policy (a line flat at 0 has no height, so is waited for as drawn, not as visible).
      for (const chart of ["simulation-chart-unmet", "simulation-chart-stock"]) {
        await page.getByTestId(chart).locator(".recharts-line path.recharts-curve").nth(2).waitFor({ state: "attached" });
        expect(await page.getByTestId(chart).locator(".recharts-line").count(), chart).to.equal(3);
      }
      await shot(page, "simulation");
      // A bad value: its sentence next to the field, and nothing runs (the last run's results go).
      await page.locator("#sim-reliability").fill("2");
      expect(await page.getByTestId("error-reliability").innerText()).to.equal('"2" is not a share from 0.01 to 1');
      await page.getByTestId("simulation-run").click();
      expect(await status.getAttribute("data-state")).to.equal("invalid");
      expect(await status.innerText()).to.equal("Not run: one field needs correcting (marked above).");
      expect(await page.getByTestId("simulation-results").count()).to.equal(0);
      // The same from a link.
      await page.goto(`${app.url}/#/simulation?processes=10&periods=30&reliability=2`);
      await page.getByTestId("error-reliability").waitFor();
      expect(await status.getAttribute("data-state")).to.equal("invalid");
      // The book is still described (its fields are right), with the notice's default.
      await page.locator('[data-testid="simulation-book"]', { hasText: "cumulative lead time 7 weeks" }).waitFor();
      expect(await page.getByTestId("simulation-results").count()).to.equal(0);
      await shot(page, "simulation-invalid");
      await page.close();
    });
  });

  describe("distributions", function () {
    it("shows the published distribution, a contributor's share recomputed from the chain, and claims it", async function () {
      const page = await open("distributions");
      await page.getByTestId("distributions-table").waitFor();
      expect(await page.getByTestId("distributions-table").locator("tbody tr").count()).to.equal(1);
      await page.locator('[data-testid="recompute"].ok').waitFor();
      // The distribution as a picture: the income through the equation's buckets to each contributor, by name.
      const chart = page.getByTestId("distribution-chart");
      await chart.getByText("Income 1.00 ETH").waitFor();
      await chart.getByText("Alice (0x3C44…93BC) 0.2533 ETH").waitFor();
      // Carol's loan and the filament she gave, both repaid at their value in euros.
      await chart.getByText("Carol (0x15d3…6A65) 0.14 ETH").waitFor();
      await shot(page, "distribution");
      await connectDevKey(page, "alice", 2);
      const share = page.getByTestId("share-amount");
      await share.filter({ hasText: "Alice" }).waitFor();
      // Rounded to what matters (README's worked example: 0.253333333333333333 ETH), every digit on hover.
      expect(await share.innerText()).to.match(
        new RegExp(`^0\\.2533 ETH for Alice ${seed.people.alice.slice(0, 6)}…${seed.people.alice.slice(-4)} \\(leaf \\d+\\) · not claimed yet$`),
      );
      expect(await share.locator("strong span").getAttribute("title")).to.equal("0.253333333333333333 ETH exactly");
      expect(await page.getByTestId("share-lines").locator("tbody tr").count()).to.be.greaterThan(0);
      await shot(page, "distributions-share");
      await page.getByRole("button", { name: /^Claim / }).click();
      await phase(page, "claim-status", ["done", "failed"]);
      await expectText(page.getByTestId("claim-status"), "✔ Claimed: 0.2533 ETH paid to Alice 0x3C44…93BC.");
      await page.locator('[data-testid="share-amount"]', { hasText: "claimed (tx" }).waitFor();
      expect(await page.getByTestId("claim-disabled").innerText()).to.equal("This share was claimed.");
      await shot(page, "distributions-claimed");
      // Anyone's share, by the name they published; a name nobody published is said so.
      await page.getByLabel("Contributor name or address").fill("Bob");
      await page.getByTestId("share-amount").filter({ hasText: "Bob" }).waitFor();
      expect(await page.getByTestId("share-amount").innerText()).to.match(/^0\.38 ETH for Bob 0x90F7…b906 \(leaf \d+\) · not claimed yet$/);
      await page.getByLabel("Contributor name or address").fill("Nobody");
      expect(await page.getByTestId("error-account").innerText()).to.equal('no agent has published the name "Nobody"; give an address instead');
      await page.close();
    });
  });

  describe("when the distributor refuses a claim", function () {
    it("explains its custom error in a sentence (the share was claimed by someone else meanwhile)", async function () {
      const page = await open("distributions");
      await connectDevKey(page, "bob", 3);
      await page.locator('[data-testid="share-amount"]', { hasText: "not claimed yet" }).waitFor();
      // The page stops seeing new events (eth_getLogs fails; it keeps what it read), then someone
      // else claims bob's share: the button is still enabled, and the contract has the last word.
      const rpc = new URL(l.rpc).origin;
      await page.route(
        (url) => url.origin === rpc,
        (route) => (/"eth_getLogs"/.test(route.request().postData() ?? "") ? route.abort() : route.continue()),
      );
      const published = (await distributorAt(l.contracts.IncomeDistributor, l.provider).distribution(seeds.distribution)) as { cutoff: bigint };
      const d = computeFromEvents(
        JSON.parse(readFileSync(path.join(root, DEMO_EQUATION), "utf8")),
        await readEvents(l.provider, l.ledger, { fromBlock: l.fromBlock }),
        { income: 10n ** 18n, cutoff: published.cutoff, commons: seed.commons },
      );
      const leaf = proofFor(d.tree, seed.people.bob)!;
      const other = distributorAt(l.contracts.IncomeDistributor, devWallet(6, l.provider));
      await (await other.claim(seeds.distribution, leaf.index, seed.people.bob, leaf.amount, leaf.proof)).wait();
      await page.getByRole("button", { name: /^Claim / }).click();
      await phase(page, "claim-status", ["done", "failed"]);
      expect(await page.getByTestId("claim-status").innerText()).to.equal(
        `✖ Not claimed: This share (leaf ${leaf.index} of distribution ${seeds.distribution}) was already claimed. Dismiss`,
      );
      await shot(page, "distributions-claim-refused");
      await page.unrouteAll({ behavior: "ignoreErrors" });
      await page.close();
    });
  });

  describe("contribute", function () {
    /** The id the next entry gets (earlier cases add entries: needs, signals, plans). */
    const nextId = async () => (await (await LedgerClient.connect(devWallet(9, l.provider), l.ledger, l.fromBlock)).tip()).count + 1n;

    it("signs with a dev key, relays gaslessly and the entry appears in the accounts", async function () {
      const next = await nextId();
      const page = await open("contribute");
      await connectDevKey(page, "alice", 2);
      await fillValidRecord(page, "2.25");
      await page.locator("#f-evidence").fill("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG");
      await shot(page, "contribute-form");
      await page.getByRole("button", { name: "Sign and record" }).click();
      await phase(page, "contribute-status", ["done", "failed"]);
      const status = await page.getByTestId("contribute-status").innerText();
      expect(status).to.match(new RegExp(`Recorded as entry #${next} by the relayer \\(gasless\\)`));
      await shot(page, "contribute-done");
      await page
        .getByTestId("contribute-status")
        .getByRole("link", { name: `entry #${next}` })
        .click();
      await page
        .getByTestId("signature-check")
        .getByText(/valid, verified in this browser/)
        .waitFor();
      await page.goto(`${app.url}/#/accounts`);
      await page.locator(`[data-testid="accounts-summary"][data-entries="${next}"]`).waitFor();
      // alice now claims 3 + 1 + 2.25 h, of which 3 h are accepted.
      expect(
        await page
          .getByTestId("accounts-table")
          .locator("tr", { hasText: "0x3C44…93BC" })
          .filter({ has: page.locator("td:nth-child(2)", { hasText: /^h$/ }) })
          .innerText(),
      ).to.match(/h\s+3\s+6\.25\s+3\s+0\s+48\.0 %/);
      await page.close();
    });

    it("records directly when the contributor pays", async function () {
      const next = await nextId();
      const page = await open("contribute");
      await connectDevKey(page, "carol", 4);
      await fillValidRecord(page, "1");
      await page.getByLabel(/directly/).check();
      await page.getByRole("button", { name: "Sign and record" }).click();
      await phase(page, "contribute-status", ["done", "failed"]);
      expect(await page.getByTestId("contribute-status").innerText()).to.match(new RegExp(`Recorded as entry #${next}\\. `));
      await page.close();
    });

    it("through the indexer, checks the entry a correction names alone, and reads the ledger only to prove it when the contributor sends it", async function () {
      const next = await nextId();
      await indexer.waitForCount(next - 1n);
      const page = await open("contribute", { server: indexedApp });
      const reads = wholeReads(page);
      await connectDevKey(page, "carol", 4);
      await fillValidRecord(page, "1");
      await page.getByLabel(/directly/).check();
      await page.locator("#f-corrects").fill("1");
      await expectText(page.getByTestId("error-corrects"), `entry #1 was signed by ${seed.people.alice}: only its own agent can correct it`);
      await page.locator("#f-corrects").fill("999");
      await expectText(page.getByTestId("error-corrects"), "there is no entry #999 in the ledger read so far");
      await page.locator("#f-corrects").fill("");
      await page.getByRole("button", { name: "Sign and record" }).click();
      await phase(page, "contribute-status", ["done", "failed"]);
      expect(await page.getByTestId("contribute-status").innerText()).to.match(new RegExp(`Recorded as entry #${next}\\. `));
      expect(reads, "whole-ledger reads before a correction").to.deep.equal([]);
      // carol corrects it to 0.5 h, sending it herself: the proof of entry `next` is built from the chain's events.
      await indexer.waitForCount(next);
      await fillValidRecord(page, "0.5");
      await page.locator("#f-corrects").fill(String(next));
      await page.getByRole("button", { name: "Sign and record" }).click();
      await phase(page, "contribute-status", ["done", "failed"]);
      expect(await page.getByTestId("contribute-status").innerText()).to.match(new RegExp(`Recorded as entry #${next + 1n}\\. `));
      // Recorded: the Ledger checked the proof, which only the ledger's events give. (Where the page
      // read them from, the chain or the browser's cache of an earlier read, is not asserted: under
      // load a read already under way, or cached, serves it.)
      await page.goto(`${indexedApp.url}/#/entry/${next}`);
      await page.locator('[data-testid="entry-state"]', { hasText: "corrected" }).waitFor({ timeout: 30_000 });
      await page.close();
    });

    it("publishes your name through the relayer (gasless), refuses a name that passes for an address, and the pages show the new name", async function () {
      const page = await open("contribute");
      await connectDevKey(page, "erin", 6);
      const form = page.getByTestId("name-form");
      await form.getByText('People see you as "Erin" (person).').waitFor();
      await page.locator("#f-display-name").fill("0x7099…79C8");
      expect(await page.getByTestId("error-display-name").innerText()).to.equal('"0x7099…79C8" looks like an address; a name must not pass for one');
      expect(await form.getByRole("button", { name: "Publish my name" }).isDisabled()).to.equal(true);
      await page.locator("#f-display-name").fill("Erin Kowalski");
      await shot(page, "name-form");
      await form.getByRole("button", { name: "Publish my name" }).click();
      await phase(page, "name-status", ["done", "failed"]);
      expect(await page.getByTestId("name-status").innerText()).to.equal("✔ Published (version 1 of your profile).");
      expect(await page.getByTestId("name-status").getAttribute("data-via")).to.equal("relayer");
      await form.getByText('People see you as "Erin Kowalski" (person).').waitFor();
      // Every page reads the same names: erin's entries now show her new name beside her address.
      await page.goto(`${app.url}/#/entries`);
      await page.getByLabel("Filter rows").fill("kowalski");
      await page.locator(`[data-agent="${seed.people.erin}"]`, { hasText: "Erin Kowalski" }).first().waitFor();
      await page.close();
    });

    it("publishes your name with your wallet when the chain's relayer sends no profiles (started without a directory)", async function () {
      const plain = await startRelayerProcess(l, path.join(l.dataDir, "relayer-without-directory.sqlite"));
      const local = { chainId: 31337, rpcUrl: l.rpc, relayerUrl: plain.url, contracts: l.contracts, fromBlock: l.fromBlock, devKeyNames: DEMO_PEOPLE };
      const server = await serveApp({ root, port: 0, index: false, config: { local } });
      try {
        const page = await open("contribute", { server });
        await connectDevKey(page, "erin", 6);
        const form = page.getByTestId("name-form");
        await form.getByText(/^People see you as "Erin/).waitFor();
        await page.locator("#f-display-name").fill("Erin K.");
        await form.getByRole("button", { name: "Publish my name" }).click();
        await phase(page, "name-status", ["done", "failed"]);
        expect(await page.getByTestId("name-status").innerText()).to.match(
          /^✔ Published \(version \d+ of your profile\)\. Your wallet sent it and paid the gas\.$/,
        );
        expect(await page.getByTestId("name-status").getAttribute("data-via")).to.equal("direct");
        await form.getByText('People see you as "Erin K." (person).').waitFor();
        await page.close();
      } finally {
        await server.close();
        plain.child.kill("SIGTERM");
        await plain.exited;
      }
    });

    it("names each malformed field and never asks the wallet to sign", async function () {
      const page = await open("contribute");
      await connectDevKey(page, "bob", 3);
      await fillValidRecord(page, "1");
      await page.locator("#f-receiver").fill("0x12ab");
      await page.locator("#f-evidence").fill("QmNotACid");
      await page.locator("#f-action").fill("dance");
      await page.locator("#f-quantity").fill("1e3");
      await page.getByRole("button", { name: "Sign and record" }).click();
      expect(await page.getByTestId("error-receiver").innerText()).to.equal('"0x12ab" is not an address (0x + 40 hex digits)');
      expect(await page.getByTestId("error-evidence").innerText()).to.equal('"QmNotACid" is not a valid CID or digest: a CIDv0 has 46 characters');
      expect(await page.getByTestId("error-action").innerText()).to.match(/^unknown action "dance"; expected a ValueFlows action: work, cite/);
      expect(await page.getByTestId("error-quantity").innerText()).to.equal('"1e3" is not a non-negative decimal number (use a dot, no sign or exponent)');
      await page.locator("#f-evidence").fill("0x1234");
      expect(await page.getByTestId("error-evidence").innerText()).to.equal('"0x1234" is not a 32-byte hex digest (0x + 64 hex digits)');
      await page.locator("#f-evidence").fill("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi");
      await page.locator("#f-action").fill("work");
      await page.locator("#f-quantity").fill("1.5");
      await page.locator("#f-receiver").fill("");
      await page.locator("#f-process").fill("process: design open sensor kit v2");
      await page.locator("#f-side").selectOption("output");
      expect(await page.getByTestId("error-side").innerText()).to.equal('action "work" in a process must be input, not "output"');
      await shot(page, "contribute-errors");
      expect(await page.getByTestId("contribute-status").getAttribute("data-phase")).to.equal("idle");
      await page.close();
    });

    it("records with a time and an evidence file hashed in the browser, checks a file against the entry, then corrects it", async function () {
      const page = await open("contribute");
      await connectDevKey(page, "dave", 5);
      await fillValidRecord(page, "2");
      const notes = { name: "printer-log.txt", mimeType: "text/plain", buffer: Buffer.from("3D printer #1: 2 h, PLA, enclosure batch 2\n") };
      await page.getByLabel("Evidence file").setInputFiles(notes);
      // The file's keccak256, as commons claim --evidence-file records it; the file never leaves the browser.
      await page
        .locator("#f-evidence")
        .and(page.locator(`[value="${keccak256(notes.buffer)}"]`))
        .waitFor();
      await page.getByText(`the digest of printer-log.txt (${notes.buffer.length} bytes), computed in this browser`, { exact: false }).waitFor();
      // An event cannot be dated in the future; a time people write is read as UTC.
      await page.locator("#f-time").fill("2999-01-01 10:00");
      await page.getByRole("button", { name: "Sign and record" }).click();
      expect(await page.getByTestId("error-time").innerText()).to.match(
        /^2999-01-01 10:00 UTC is in the future \(now \d{4}-\d\d-\d\d \d\d:\d\d UTC\); an event must have happened$/,
      );
      await page.locator("#f-time").fill("2026-12-01 noon");
      expect(await page.getByTestId("error-time").innerText()).to.equal('"2026-12-01 noon" is not a time: write 2026-12-05 14:30 (UTC) or 2026-12-05');
      await page.locator("#f-time").fill("2026-12-01 10:00");
      // Only your own entry can be corrected.
      await page.locator("#f-corrects").fill("1");
      expect(await page.getByTestId("error-corrects").innerText()).to.equal(`entry #1 was signed by ${seed.people.alice}: only its own agent can correct it`);
      await page.locator("#f-corrects").fill("");
      await page.getByRole("button", { name: "Sign and record" }).click();
      await phase(page, "contribute-status", ["done", "failed"]);
      const id = /entry #(\d+)/.exec(await page.getByTestId("contribute-status").innerText())![1];
      await page.goto(`${app.url}/#/entry/${id}`);
      await page.getByText("Evidence digest").waitFor();
      await page.getByText("2026-12-01 10:00 UTC").first().waitFor();
      await page.getByLabel("File to check against the evidence").setInputFiles(notes);
      expect(await page.getByTestId("evidence-check").innerText()).to.equal(" ✔ printer-log.txt is the evidence this entry recorded.");
      await page.getByLabel("File to check against the evidence").setInputFiles({ ...notes, name: "other.txt", buffer: Buffer.from("something else") });
      // The file is hashed in the browser, asynchronously: wait for its verdict to replace the last one.
      await page.getByTestId("evidence-check").filter({ hasText: "other.txt" }).waitFor();
      expect(await page.getByTestId("evidence-check").innerText()).to.match(/^ ✖ other\.txt is not this entry's evidence \(its digest is 0x[0-9a-f]{64}/);
      await shot(page, "entry-evidence-check");
      // dave corrects it to 1.5 h: the correction replaces the entry.
      await page.goto(`${app.url}/#/contribute`);
      await page.getByTestId("wallet").getByRole("button", { name: "Disconnect" }).waitFor(); // still dave
      await fillValidRecord(page, "1.5");
      await page.locator("#f-corrects").fill(id);
      await page.getByRole("button", { name: "Sign and record" }).click();
      await phase(page, "contribute-status", ["done", "failed"]);
      expect(await page.getByTestId("contribute-status").innerText()).to.match(/Recorded as entry #\d+ by the relayer \(gasless\)/);
      await page.goto(`${app.url}/#/entry/${id}`);
      await page.locator('[data-testid="entry-state"]', { hasText: "corrected" }).waitFor({ timeout: 30_000 });
      await page.close();
    });

    it("returns to idle with a neutral message when the wallet declines to sign", async function () {
      const page = await open("contribute", { wallet: { rejectSignatures: true } });
      await page.getByRole("button", { name: "Connect browser wallet" }).click();
      await page.getByTestId("wallet").getByRole("button", { name: "Disconnect" }).waitFor();
      await fillValidRecord(page, "1");
      await page.getByRole("button", { name: "Sign and record" }).click();
      await page.getByTestId("contribute-status").getByText("You declined in the wallet; nothing was signed or sent.").waitFor();
      expect(await page.getByTestId("contribute-status").getAttribute("data-phase")).to.equal("idle");
      await shot(page, "contribute-declined");
      await page.close();
    });
  });

  describe("when the Ledger refuses", function () {
    it("explains the contract's custom error in a sentence", async function () {
      // A faulty wallet signs with another key than the account it reports: the Ledger reverts
      // with LedgerInvalidSignature(agent) when the record is sent directly.
      const page = await open("contribute", { wallet: { signAs: seed.people.erin } });
      await page.getByRole("button", { name: "Connect browser wallet" }).click();
      await page.getByTestId("wallet").getByRole("button", { name: "Disconnect" }).waitFor();
      await fillValidRecord(page, "1");
      await page.getByLabel(/directly/).check();
      await page.getByRole("button", { name: "Sign and record" }).click();
      await phase(page, "contribute-status", ["done", "failed"]);
      expect(await page.getByTestId("contribute-status").innerText()).to.equal(`✖ Not recorded: The signature is not valid for ${seed.people.dave}. Dismiss`);
      await shot(page, "contribute-contract-error");
      await page.close();
    });
  });

  describe("validate", function () {
    it("accepts an entry from its page through the relayer (the validator pays no gas)", async function () {
      // dave's 4 h on the printer (#4): accepted by mira; carol, an appointed validator, accepts too.
      const carol = devWallet(4, l.provider).address;
      const [balance, sent] = [await l.provider.getBalance(carol), await l.provider.getTransactionCount(carol)];
      const page = await open("entry/4");
      await connectDevKey(page, "carol", 4);
      expect(await page.getByTestId("validate-endorsement-only").count()).to.equal(0);
      await page.getByRole("button", { name: "Accept" }).click();
      await phase(page, "validate-status", ["done", "failed"]);
      expect(await page.getByTestId("validate-status").innerText()).to.equal("✔ Your validation is recorded.");
      await page.getByText("Validations (2 accept, 0 dispute)").waitFor();
      expect(await page.getByTestId("validate-disabled").innerText()).to.equal("You have validated this entry.");
      await shot(page, "entry-4-validated");
      expect([await l.provider.getBalance(carol), await l.provider.getTransactionCount(carol)]).to.deep.equal([balance, sent]);
      await page.close();
    });

    it("says before signing that an unappointed account only endorses, and lists its verdict apart", async function () {
      const page = await open("entry/4");
      await connectDevKey(page, "erin", 6);
      expect(await page.getByTestId("validate-endorsement-only").innerText()).to.equal(
        "You are not appointed to validate use in Sensorica open hardware lab (demo): your verdict will be recorded as an endorsement and count nowhere. Its stewards appoint validators. Your wallet sends it and pays the gas (the relayer pays only for verdicts that count).",
      );
      await page.getByRole("button", { name: "Dispute" }).click();
      await phase(page, "validate-status", ["done", "failed"]);
      expect(await page.getByTestId("validate-status").innerText()).to.equal("✔ Your endorsement is recorded; it counts nowhere.");
      await page.getByTestId("endorsements").waitFor();
      expect(await page.getByTestId("endorsements").innerText()).to.match(/dispute/);
      expect(await page.getByTestId("validate-disabled").innerText()).to.equal("You have endorsed this entry (your verdict counts nowhere).");
      expect(await page.getByTestId("entry-state").innerText()).to.equal("accepted");
      await shot(page, "entry-4-endorsed");
      await page.close();
    });
  });

  describe("confirm", function () {
    it("lets the receiver a record names confirm it from the entry's page through the relayer (the receiver pays no gas)", async function () {
      // alice hands bob a printed part; only alice signed, so the entry is one-sided until bob answers.
      const client = await LedgerClient.connect(devWallet(9, l.provider), l.ledger, l.fromBlock); // not the relayer's paying account
      const [alice, bob] = [devWallet(2, l.provider), devWallet(3, l.provider).address];
      const draft: RecordDraft = { action: "transfer", receiver: bob, commons: seed.commons, resource: labelId("printed part 7"), quantity: "1", unit: "ea" };
      const { id: entry } = await client.submit(await client.sign(alice, draft));
      const [balance, sent] = [await l.provider.getBalance(bob), await l.provider.getTransactionCount(bob)];
      const shortBob = `${bob.slice(0, 6)}…${bob.slice(-4)}`;
      const page = await open(`entry/${entry}`);
      await connectDevKey(page, "bob", 3);
      await page.getByTestId("entry-consent").filter({ hasText: "Bob " }).waitFor();
      expect(await page.getByTestId("entry-consent").innerText()).to.equal(`one-sided (not confirmed by the counterparty) (Bob ${shortBob})`);
      await page.getByTestId("answer-confirm").click();
      await phase(page, "answer-status", ["done", "failed"]);
      expect(await page.getByTestId("answer-status").innerText()).to.equal("✔ Your answer is recorded.");
      await page.getByTestId("entry-consent").getByText(`confirmed by both parties (Bob ${shortBob})`).waitFor();
      expect(await page.getByTestId("answer-confirm").isDisabled()).to.equal(true);
      await shot(page, "entry-confirmed");
      expect([await l.provider.getBalance(bob), await l.provider.getTransactionCount(bob)]).to.deep.equal([balance, sent]);
      await page.close();
    });
  });

  describe("when the wallet is on another chain", function () {
    it("disables writes, prompts a switch, and enables them after it", async function () {
      const page = await open("contribute", { wallet: { chainId: 1 } });
      await page.getByRole("button", { name: "Connect browser wallet" }).click();
      const banner = page.getByTestId("wrong-chain");
      await banner.waitFor();
      expect(await banner.innerText()).to.match(/Your wallet is on chain 1, but this ledger is on Local chain \(anvil\) \(31337\)/);
      await fillValidRecord(page, "1");
      expect(await page.getByRole("button", { name: "Sign and record" }).isDisabled()).to.equal(true);
      expect(await page.getByTestId("write-disabled").innerText()).to.match(/another chain/);
      await shot(page, "wrong-chain");
      await banner.getByRole("button", { name: /Switch to/ }).click();
      await banner.waitFor({ state: "detached" });
      expect(await page.getByRole("button", { name: "Sign and record" }).isDisabled()).to.equal(false);
      await page.close();
    });
  });

  describe("when a part of the app's code cannot be downloaded (the site was redeployed, the connection dropped)", function () {
    it("says which part could not be shown and why, offers a reload, and keeps the rest of the app working", async function () {
      const page = await browser.context.newPage();
      page.on("pageerror", (e) => pageErrors.push(e.message));
      await page.route(/\/assets\/(WalletPanel|EntriesPage)-[\w-]+\.js$/, (r) => r.abort("connectionfailed"));
      await page.goto(`${app.url}/#/accounts`);
      // The accounts page shows; the wallet panel, loaded once the browser is idle, says it could not.
      await page.getByTestId("accounts-summary").waitFor();
      const failed = page.getByTestId("failed");
      await failed.waitFor();
      expect(await failed.innerText()).to.match(
        /^The wallet panel could not be shown \(its code could not be downloaded from 127\.0\.0\.1:\d+: the site may have been updated since this page was opened, or the connection dropped\)\.\s+Reload the page$/,
      );
      expect(await page.getByTestId("accounts-table").locator("tbody tr").count()).to.be.greaterThan(1);
      // A page whose code cannot be downloaded: a sentence in its place, the menu still there.
      await page.getByRole("link", { name: "Entries" }).click();
      await expectText(
        page.locator("main").getByTestId("failed"),
        /^This page could not be shown \(its code could not be downloaded from 127\.0\.0\.1:\d+: the site may have been updated since this page was opened, or the connection dropped\)\.\s+Reload the page$/,
      );
      await shot(page, "code-not-downloaded");
      // Another page loads as usual, and the reload fetches the code again.
      await page.getByRole("link", { name: "Needs" }).click();
      await page.locator("main h2", { hasText: "Needs" }).waitFor();
      expect(await page.locator("main").getByTestId("failed").count()).to.equal(0);
      await page.unroute(/\/assets\/(WalletPanel|EntriesPage)-[\w-]+\.js$/);
      await page.getByRole("link", { name: "Entries" }).click();
      await page.locator("main").getByRole("button", { name: "Reload the page" }).click();
      await page.locator("main h2", { hasText: "Entries" }).waitFor({ timeout: 30_000 });
      await page.getByTestId("wallet").waitFor();
      expect(await page.getByTestId("failed").count()).to.equal(0);
      await page.close();
    });
  });

  describe("when the RPC is down", function () {
    it("shows a clear banner and keeps the app usable", async function () {
      const page = await open("accounts", { server: rpcDownApp });
      const banner = page.getByTestId("rpc-banner");
      await banner.waitFor({ timeout: 20_000 });
      expect(await banner.innerText()).to.match(/The chain is not reachable\. The RPC at http:\/\/127\.0\.0\.1:\d+ does not answer/);
      await page.getByText(/Could not read the ledger/).waitFor();
      await shot(page, "rpc-down-accounts");
      await page.getByRole("link", { name: "Contribute" }).click();
      await page.locator("#f-quantity").waitFor();
      await shot(page, "rpc-down-contribute");
      await page.close();
    });
  });
});

/**
 * Two pages show the same texts, once each has loaded what it shows: names (from the Directory)
 * arrive after the figures, so a page may show an address a moment before its name.
 */
async function expectSameText(read: (p: Page) => Promise<string[]>, a: Page, b: Page): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [x, y] = await Promise.all([read(a), read(b)]);
    if (JSON.stringify(x) === JSON.stringify(y) || Date.now() > deadline) return void expect(x).to.deep.equal(y);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A text that names people or resources, once it shows them: names (from the Directory) and labels
 * arrive after the figures, so a line may show an address a moment first. After 15 s, the assertion on
 * the last text read.
 */
async function expectText(locator: Locator, expected: RegExp | string, read: "innerText" | "textContent" = "innerText"): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const text = read === "innerText" ? await locator.innerText() : ((await locator.textContent()) ?? "");
    const shows = typeof expected === "string" ? text === expected : expected.test(text);
    if (shows || Date.now() > deadline) {
      if (typeof expected === "string") expect(text).to.equal(expected);
      else expect(text).to.match(expected);
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
