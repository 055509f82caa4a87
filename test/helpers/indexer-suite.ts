// The Ponder indexer's suite (scripts/indexer/, run by scripts/lib/node/indexer.ts) against the chain reader
// and the contract: every entry with every record field and where it was recorded, every state as
// Ledger.entryState gives it, the same hash-chain head as tip(); items a batch skipped, live
// validations and corrections, a reorg it follows, and look-alike events of another Ledger ignored.
import { expect } from "chai";
import { Contract, ContractFactory, id, JsonRpcProvider } from "ethers";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { seedAll } from "../../scripts/demo/seed-all.js";
import type { AllSeeds } from "../../scripts/demo/seed-all.js";
import { devWallet } from "../../scripts/demo/seed.js";
import { LedgerClient } from "../../scripts/lib/core/client.js";
import type { RecordDraft } from "../../scripts/lib/core/client.js";
import {
  accounts,
  accountsFromDays,
  dayTotals,
  deriveEntries,
  filterEntries,
  GROUPS,
  KIND_FILTERS,
  stateCounts,
  summaryOf,
  totals,
  totalsFromDays,
  unitsByUse,
} from "../../scripts/lib/core/views.js";
import type { EntryView, TotalRow } from "../../scripts/lib/core/views.js";
import {
  indexedAccountDays,
  indexedActivity,
  indexedCommons,
  indexedEntriesNaming,
  indexedEntry,
  indexedGovernance,
  indexedNeed,
  indexedPage,
  indexedStateCounts,
  indexedTallies,
  ledgerTip,
  registeredCommons,
} from "../../scripts/lib/core/indexer-client.js";
import { commonsOverview, commonsOverviewOf, personOverview, personOverviewOf } from "../../scripts/lib/core/overview.js";
import { deriveResources, needOf, SupplyGraph, treeToJson, walkReading } from "../../scripts/lib/supply/supply.js";
import {
  accountsDifferFromChain,
  agentDaysFromChain,
  commonsMemberDiffersFromChain,
  personDiffersFromChain,
  randomAgent,
} from "../../scripts/lib/core/indexer-spot-check.js";
import { parseQuantity } from "../../scripts/lib/core/record.js";
import { seededRandom } from "../../scripts/lib/core/random.js";
import { ACTIONS, FLOWS } from "../../scripts/lib/core/vocabulary.js";
import { deriveCommons } from "../../scripts/lib/core/governance.js";
import { DISTRIBUTOR_ABI } from "../../scripts/lib/core/distributor-abi.js";
import { LEDGER_ABI } from "../../scripts/lib/core/abi.js";
import { freePort } from "../../scripts/lib/node/dev-chain.js";
import { startIndexerOnFreePort } from "../../scripts/lib/node/indexer.js";
import { startPostgres } from "../../scripts/lib/node/postgres.js";
import type { Postgres } from "../../scripts/lib/node/postgres.js";
import type { Indexer } from "../../scripts/lib/node/indexer.js";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { root, runCli, startLocalLedger } from "./local-ledger.js";
import { LICENSE_KINDS, readRegistry, recordsOf, registryContract } from "../../scripts/lib/reciprocity/reciprocity.js";
import { indexedRecords, indexedStanding, indexedWorks, registryIndexHead } from "../../scripts/lib/reciprocity/indexed.js";
import type { LocalLedger } from "./local-ledger.js";

/** A view without what the indexer's pages do not load (the validations and the answer: /entries/:id has them). */
const strip = ({ validations, endorsements, answer, ...rest }: EntryView) => (void [validations, endorsements, answer], rest);
/** A need (or why there is none) without its entry's validations and endorsements, which pages of entries do not carry. */
const bareNeed = (found: ReturnType<typeof needOf>) => ("need" in found ? { ...found.need, view: strip(found.need.view) } : found);

interface IndexedEntry {
  id: string;
  signer: string;
  agent: string;
  state: string;
  consent: string;
  accepts: number;
  disputes: number;
  correctedBy: string;
  quantity: string;
  recordHash: string;
  head: string;
  blockNumber: string;
  transactionHash: string;
  logIndex: number;
  [field: string]: unknown;
}

async function indexedEntries(indexer: Indexer): Promise<{ total: number; entries: IndexedEntry[] }> {
  const all: IndexedEntry[] = [];
  for (let from = 1; ; from += 500) {
    const page = (await (await fetch(`${indexer.url}/entries?from=${from}&limit=500`)).json()) as { total: number; entries: IndexedEntry[] };
    all.push(...page.entries);
    if (page.entries.length < 500) return { total: page.total, entries: all };
  }
}

/**
 * A stand-in for the indexer at `indexerUrl` that answers as it does, except for what `alter` changes
 * in an answer (given the request's path and the parsed JSON; it returns what to send): the
 * adversary of the spot checks and of the pages' fallbacks.
 */
async function lyingIndexer(indexerUrl: string, alter: (path: string, body: unknown) => unknown): Promise<{ url: string; close(): Promise<void> }> {
  const liar = createServer((req, res) => {
    void fetch(`${indexerUrl}${req.url}`).then(async (r) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(alter(req.url!, await r.json())));
    });
  });
  await new Promise<void>((r) => liar.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(liar.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => liar.close(() => r())) };
}

/** A stand-in for the indexer at `indexerUrl` that answers as it does, but 500 "out of memory" for the paths `fails` picks. */
async function failingIndexer(indexerUrl: string, fails: (path: string) => boolean): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (fails(req.url!)) return void res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: "out of memory" }));
    void fetch(`${indexerUrl}${req.url}`).then(async (r) => res.writeHead(r.status, { "content-type": "application/json" }).end(await r.text()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * The suite, on the embedded database npm start uses (test/indexer-pglite.test.ts) or on a
 * PostgreSQL server (DATABASE_URL; test/indexer-postgres.test.ts): two files, so that the two run
 * in lanes side by side.
 */
export function describeIndexer(database: "embedded PGlite" | "PostgreSQL"): void {
  describe(`indexer (Ponder, ${database})`, function () {
    this.timeout(300_000);
    let postgres: Postgres | undefined;
    let l: LocalLedger;
    let seeds: AllSeeds;
    let indexer: Indexer;
    let dir: string;
    let client: LedgerClient;
    const worker = () => devWallet(4, l.provider);
    const draft = (quantity: string): RecordDraft => ({ action: "work", commons: seeds.demo.commons, quantity, unit: "h" });

    /** The indexer and the chain agree on every entry, state and the head. */
    async function expectSameAsChain() {
      const tip = await client.tip();
      await indexer.waitForCount(tip.count);
      const events = await client.events();
      const views = deriveEntries(events);
      const { total, entries } = await indexedEntries(indexer);
      expect(total).to.equal(views.length);
      for (const [i, v] of views.entries()) {
        const e = entries[i]!;
        const r = v.entry.record;
        expect(e, `entry ${v.id}`).to.deep.include({
          id: String(v.id),
          signer: v.entry.signer.toLowerCase(),
          agent: v.agent.toLowerCase(),
          flow: r.flow,
          action: r.action,
          provider: r.provider.toLowerCase(),
          receiver: r.receiver.toLowerCase(),
          commons: r.commons,
          resource: r.resource,
          resourceSpec: r.resourceSpec,
          process: r.process,
          side: r.side,
          quantity: String(r.quantity),
          unit: r.unit,
          time: String(r.time),
          evidence: r.evidence,
          corrects: String(r.corrects),
          satisfies: String(r.satisfies),
          nonce: String(r.nonce),
          deadline: String(r.deadline),
          recordHash: v.entry.recordHash,
          blockNumber: String(v.entry.blockNumber),
          transactionHash: v.entry.transactionHash,
          logIndex: v.entry.logIndex,
          state: v.state,
          consent: v.consent,
          accepts: v.accepts,
          disputes: v.disputes,
          correctedBy: String(v.correctedBy),
        });
      }
      // The state of every entry as the contract's entryState gives it.
      for (const e of entries) expect((await client.state(BigInt(e.id))).state, `entryState(${e.id})`).to.equal(e.state);
      const head = await indexer.head();
      expect([head.count, head.head]).to.deep.equal([tip.count, tip.head]);
      expect(entries.at(-1)?.head).to.equal(tip.head);
      // Each entry as the Entry page asks for it: the chain reader's view, validations, endorsements and answer included.
      const registered = await registeredCommons(indexer.url);
      for (const v of views) expect(await indexedEntry(indexer.url, v.id, registered), `entry ${v.id}`).to.deep.equal(v);
      expect(await indexedEntry(indexer.url, tip.count + 1n, registered)).to.equal(undefined);
      // The counts per flow, kind and state it keeps as events arrive (and reverts with a reorg).
      expect(summaryOf(await indexedStateCounts(indexer.url))).to.deep.equal(summaryOf(stateCounts(views)));
      await expectSameRegistry();
      // Who decides in each commons, as deriveCommons derives it from the chain's events.
      const now = BigInt((await l.provider.getBlock("latest"))!.timestamp);
      expect(await indexedGovernance(indexer.url, now)).to.deep.equal(deriveCommons(events, now));
      // Each need as /needs/<id> answers it, asked by any of its versions' ids: what deriveNeeds gives from the whole ledger.
      for (const v of views.filter((x) => x.flow === "need")) {
        const answer = await indexedNeed(indexer.url, v.id, registered);
        expect(bareNeed(needOf(answer!.views, v.id, now)), `need ${v.id}`).to.deep.equal(bareNeed(needOf(views, v.id, now)));
      }
      await expectSameOverviews(views, events, now);
    }

    /**
     * Each commons' page and each person's page as the indexer gives them (tallies, day totals and
     * activity, with who decides from the chain): what the whole ledger gives. The people: every
     * agent, validator, endorser and steward, and one stranger who did nothing.
     */
    async function expectSameOverviews(views: EntryView[], events: Awaited<ReturnType<LedgerClient["events"]>>, now: bigint) {
      const governance = deriveCommons(events, now);
      const listed = await indexedCommons(indexer.url);
      for (const c of governance) {
        const commons = { commons: c.id };
        const fromIndexer = commonsOverviewOf(c, await indexedTallies(indexer.url, commons), await indexedAccountDays(indexer.url, commons));
        const fromChain = commonsOverview(views, events, c.id, now)!;
        expect(fromIndexer, `commons ${c.name}`).to.deep.equal(fromChain);
        expect(listed.find((x) => x.id === c.id)?.entries, `entries of ${c.name}`).to.equal(fromChain.entries);
      }
      const people = new Set<string>(["0x000000000000000000000000000000000000dEaD"]);
      for (const v of views) {
        people.add(v.agent);
        for (const x of v.validations) people.add(x.validator);
        for (const x of v.endorsements) people.add(x.endorser);
      }
      for (const c of governance) for (const s of c.stewards) people.add(s);
      for (const who of people) {
        const agent = { agent: who };
        const [tallies, days, activity] = await Promise.all([
          indexedTallies(indexer.url, agent),
          indexedAccountDays(indexer.url, agent),
          indexedActivity(indexer.url, who),
        ]);
        expect(personOverviewOf(who, governance, tallies, days, activity), `person ${who}`).to.deep.equal(personOverview(views, events, who, now));
      }
    }

    /** The accounts from the indexer's days equal the chain reader's, for every period and kind, and per filter. */
    async function expectSameAccounts() {
      const tip = await client.tip();
      await indexer.waitForCount(tip.count);
      const views = deriveEntries(await client.events());
      const days = await indexedAccountDays(indexer.url);
      const byGroup = (a: TotalRow, b: TotalRow) => a.group.localeCompare(b.group) || a.unit.localeCompare(b.unit);
      for (const period of ["all", "year", "month", "week", "day"] as const)
        for (const kind of KIND_FILTERS) {
          expect(accountsFromDays(days, period, kind), `${period} ${kind}`).to.deep.equal(accounts(views, period, kind));
          for (const by of GROUPS)
            expect(totalsFromDays(days, by, period, kind).sort(byGroup), `${by} ${period} ${kind}`).to.deep.equal(
              totals(views, by, period, kind).sort(byGroup),
            );
        }
      // The app's accounts page: units by use and the summary's figures, without reading an entry.
      const counts = await indexedStateCounts(indexer.url);
      for (const kind of KIND_FILTERS) {
        expect(unitsByUse(days, kind), kind).to.deep.equal(unitsByUse(dayTotals(views), kind));
        expect(summaryOf(counts, kind), kind).to.deep.equal(summaryOf(stateCounts(views), kind));
      }
      expect(summaryOf(counts).entries).to.equal(views.length);
      const alice = seeds.demo.people.alice;
      expect(accountsFromDays(await indexedAccountDays(indexer.url, { agent: alice, action: "work" }), "month")).to.deep.equal(
        accounts(filterEntries(views, { agent: alice, action: "work" }), "month"),
      );
      expect(accountsFromDays(await indexedAccountDays(indexer.url, { commons: seeds.demo.commons }))).to.deep.equal(
        accounts(filterEntries(views, { commons: seeds.demo.commons })),
      );
      // Every contributor's days, spot-checked against the chain alone (their entries, entryState, commonsExists): the same.
      for (const agent of new Set(views.map((v) => v.agent))) {
        const difference = await accountsDifferFromChain(indexer.url, l.provider, l.ledger, agent, { fromBlock: l.fromBlock, count: tip.count });
        if (difference !== undefined) expect.fail(difference);
      }
    }

    /** The indexer holds the registry's works and records as decoded from the chain's logs, and as many as counts() says. */
    async function expectSameRegistry() {
      const registry = registryContract(l.contracts.ReciprocityRegistry!, l.provider);
      const [works, records] = (await registry.counts()) as [bigint, bigint];
      const deadline = Date.now() + 30_000;
      for (;;) {
        const head = await registryIndexHead(indexer.url);
        if (head.works === works && head.records === records) break;
        if (Date.now() > deadline) throw new Error(`the indexer holds ${head.works} works and ${head.records} records, the registry ${works} and ${records}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const chain = await readRegistry(l.provider, l.contracts.ReciprocityRegistry!, { fromBlock: l.fromBlock });
      expect(chain.works).to.have.length(Number(works));
      expect(chain.records).to.have.length(Number(records));
      expect(await indexedWorks(indexer.url)).to.deep.equal(chain.works);
      expect(await indexedRecords(indexer.url)).to.deep.equal(chain.records);
    }

    before(async function () {
      l = await startLocalLedger();
      seeds = await seedAll(l.provider, l.contracts, l.fromBlock, { log: () => {} });
      client = await LedgerClient.connect(devWallet(0, l.provider), l.ledger, l.fromBlock);
      // A batch with an item the Ledger skips (the same signed record twice: its nonce is used).
      const signed = await client.sign(worker(), draft("2"));
      const batch = await client.submitBatch([signed, await client.sign(worker(), draft("3"), { nonceOffset: 1n }), signed]);
      expect(batch.skipped).to.have.length(1);
      dir = mkdtempSync(path.join(tmpdir(), "commons-indexer-"));
      if (database === "PostgreSQL") postgres = await startPostgres({ port: await freePort() });
      indexer = await startIndexerOnFreePort(
        {
          databaseUrl: postgres?.url,
          rpcUrl: l.rpc,
          chainId: 31337,
          ledger: l.ledger,
          registry: l.contracts.ReciprocityRegistry,
          distributor: l.contracts.IncomeDistributor,
          fromBlock: l.fromBlock,
          dataDir: dir,
          pollMs: 100,
        },
        freePort,
      );
    });

    after(async function () {
      await indexer?.stop();
      await postgres?.stop();
      await l?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    describe("after the backfill", function () {
      it("has every entry, field for field, in the state Ledger.entryState gives, and the head tip() gives", async function () {
        await expectSameAsChain();
        // With DATABASE_URL, the tables are the PostgreSQL server's (schema "commons").
        const { count, head } = await client.tip();
        // The app's tip read (one eth_call over fetch, no provider library) gives the same.
        expect(await ledgerTip(l.rpc, l.ledger)).to.deep.equal({ count, head: head.toLowerCase() });
        if (postgres) expect(postgres.query("select count(*), max(id) from commons.entry")).to.deep.equal([`${count}|${count}`]);
      });

      it("answers one entry with its validations, and a bad or unknown id in a sentence", async function () {
        const one = (await (await fetch(`${indexer.url}/entries/1`)).json()) as IndexedEntry & { validations: { validator: string }[] };
        expect(one.state).to.equal("accepted");
        expect(one.validations.length).to.equal(one.accepts + one.disputes);
        const bad = await fetch(`${indexer.url}/entries/abc`);
        expect([bad.status, await bad.json()]).to.deep.equal([400, { error: '"abc" is not an entry id' }]);
        const missing = await fetch(`${indexer.url}/entries/99999`);
        expect([missing.status, await missing.json()]).to.deep.equal([404, { error: "no entry 99999 (yet)" }]);
        // The batch's skipped item, with the contract's reason in a sentence.
        await indexer.waitForCount((await client.tip()).count);
        const skippedItems = (await (await fetch(`${indexer.url}/skipped`)).json()) as { kind: string; index: string; why: string }[];
        expect(skippedItems.map((x) => [x.kind, x.index])).to.deep.equal([["record", "2"]]);
        expect(skippedItems[0]!.why).to.match(/nonce/i);
        // A filtered page counts only what passes the filter: the needs (flow 1).
        const needs = (await (await fetch(`${indexer.url}/entries?flow=1&limit=2`)).json()) as { total: number; entries: IndexedEntry[] };
        expect(needs.total).to.equal(deriveEntries(await client.events()).filter((v) => v.flow === "need").length);
        expect(needs.entries.length).to.equal(Math.min(2, needs.total));
        // Every filter's total is the number of entries that pass it, whether the indexer reads it from
        // its tallies (agent, commons, flow and their pairs) or counts rows (the other filters).
        const all = deriveEntries(await client.events());
        const [a, b] = [all[0]!, all.at(-1)!];
        const flowCode = (v: (typeof all)[number]) => String(FLOWS.indexOf(v.flow));
        const cases: [string, (v: (typeof all)[number]) => boolean][] = [
          [`agent=${a.agent}`, (v) => v.agent.toLowerCase() === a.agent.toLowerCase()],
          [`commons=${b.entry.record.commons}`, (v) => v.entry.record.commons === b.entry.record.commons],
          [
            `agent=${b.agent}&commons=${b.entry.record.commons}`,
            (v) => v.agent.toLowerCase() === b.agent.toLowerCase() && v.entry.record.commons === b.entry.record.commons,
          ],
          [`agent=${a.agent}&flow=${flowCode(a)}`, (v) => v.agent.toLowerCase() === a.agent.toLowerCase() && v.flow === a.flow],
          [`commons=${a.entry.record.commons}&flow=0`, (v) => v.entry.record.commons === a.entry.record.commons && v.flow === "event"],
          [
            `commons=${a.entry.record.commons}&action=${ACTIONS.indexOf(a.action)}`,
            (v) => v.entry.record.commons === a.entry.record.commons && v.action === a.action,
          ],
          [
            `agent=${a.agent}&coordination=1`,
            (v) => v.agent.toLowerCase() === a.agent.toLowerCase() && (v.flow !== "event" || v.entry.record.satisfies !== 0n),
          ],
          [`agent=${"0x" + "ab".repeat(20)}`, () => false],
        ];
        for (const [query, passes] of cases) {
          const page = (await (await fetch(`${indexer.url}/entries?${query}&limit=1`)).json()) as { total: number };
          expect(page.total, query).to.equal(all.filter(passes).length);
        }
        expect(
          cases.slice(0, 6).every(([, passes]) => all.some(passes)),
          "each filter of the tallies passes some entry",
        ).to.equal(true);
        const limit = await fetch(`${indexer.url}/entries?limit=0`);
        expect(limit.status).to.equal(400);
        const order = await fetch(`${indexer.url}/entries?order=newest`);
        expect([order.status, await order.json()]).to.deep.equal([400, { error: 'order must be asc or desc, not "newest"' }]);
      });

      if (database === "PostgreSQL")
        it("gathers its tables' statistics (ANALYZE) once asked for its head, which PGlite would never do by itself", async function () {
          await indexer.head();
          const analyzed = () => postgres!.query("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL ORDER BY relname");
          const deadline = Date.now() + 20_000;
          while (!analyzed().includes("entry") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
          expect(analyzed()).to.include.members(["account_day", "endorsement", "entry", "entry_tally", "reciprocity_record", "validation"]);
        });

      it("pages the newest entries first, each page where the last ended, as the chain reader derives them", async function () {
        const tip = await client.tip();
        await indexer.waitForCount(tip.count);
        const views = deriveEntries(await client.events());
        const registered = await registeredCommons(indexer.url);
        const seen: bigint[] = [];
        let pages = 0;
        for (let from: bigint | undefined = undefined; ; pages++) {
          const page = await indexedPage(indexer.url, { from, limit: 7, order: "desc" }, registered);
          expect(page.total).to.equal(views.length);
          for (const v of page.views) expect(strip(v)).to.deep.equal(strip(views.find((w) => w.id === v.id)!));
          seen.push(...page.views.map((v) => v.id));
          if (page.next === undefined) break;
          from = page.next;
        }
        expect(seen).to.deep.equal(views.map((v) => v.id).reverse());
        expect(pages).to.equal(Math.ceil(views.length / 7) - 1);
        // Filtered: alice's entries, newest first.
        const alice = seeds.demo.people.alice;
        const hers = await indexedPage(indexer.url, { order: "desc", filter: { agent: alice } }, registered);
        expect(hers.views.map((v) => v.id)).to.deep.equal(
          filterEntries(views, { agent: alice })
            .map((v) => v.id)
            .reverse(),
        );
      });

      it("traces and tracks every resource from the entries the walk passes through alone, as the whole ledger does", async function () {
        const tip = await client.tip();
        await indexer.waitForCount(tip.count);
        const views = deriveEntries(await client.events());
        const graph = new SupplyGraph(views);
        const registered = await registeredCommons(indexer.url);
        const resources = [...graph.byResource.keys()];
        expect(resources.length).to.be.greaterThan(5);
        const loaded: number[] = [];
        for (const resource of resources)
          for (const direction of ["trace", "track"] as const) {
            const walked = await walkReading(direction, resource, (want) => indexedEntriesNaming(indexer.url, want, registered));
            expect(treeToJson(walked.tree!), `${direction} ${resource}`).to.deep.equal(treeToJson(graph[direction](resource)));
            expect(deriveResources(walked.views).get(resource), `${resource} now`).to.deep.equal(deriveResources(views).get(resource));
            loaded.push(walked.views.length);
          }
        // Each walk reads the entries of the resources and processes it passes through, not the whole ledger.
        expect(Math.max(...loaded), `entries loaded per walk: ${loaded.join(", ")}`).to.be.below(views.length);
        expect(Math.min(...loaded)).to.be.below(views.length / 4);
        const unknown = await walkReading("trace", `0x${"ab".repeat(32)}`, (want) => indexedEntriesNaming(indexer.url, want, registered));
        expect([unknown.tree, unknown.views, unknown.rounds]).to.deep.equal([undefined, [], 2]);
        const bad = await fetch(`${indexer.url}/entries?resource=kit`);
        expect([bad.status, await bad.json()]).to.deep.equal([400, { error: 'resource must be 0x and 64 hex digits, not "kit"' }]);
      });
    });

    describe("the IncomeDistributor's distributions, claims, objections and deposits", function () {
      /** What the chain says: each distribution's event and its distribution(id) and objectedOf(id), every claim and deposit. */
      async function fromChain() {
        const distributor = new Contract(l.contracts.IncomeDistributor!, DISTRIBUTOR_ABI, l.provider);
        const logs = await l.provider.getLogs({ address: l.contracts.IncomeDistributor!, fromBlock: l.fromBlock });
        const events = logs.map((log) => ({ log, e: distributor.interface.parseLog(log)! }));
        const of = (name: string) => events.filter(({ e }) => e.name === name);
        const lower = (v: unknown) => String(v).toLowerCase();
        const distributions = await Promise.all(
          of("DistributionPublished").map(async ({ log, e }) => {
            const a = e.args;
            const view = (await distributor.distribution(a.id)) as { status: bigint; claimed: bigint };
            return {
              id: String(a.id),
              commons: a.commons,
              token: lower(a.token),
              by: lower(a.by),
              root: a.root,
              total: String(a.total),
              income: String(a.income),
              leafCount: String(a.leafCount),
              equationHash: a.equationHash,
              ledgerHead: a.ledgerHead,
              cutoff: String(a.cutoff),
              claimsOpenAt: String(a.claimsOpenAt),
              expiresAt: String(a.expiresAt),
              equationURI: a.equationURI,
              status: Number(view.status),
              claimed: String(view.claimed),
              objected: String(await distributor.objectedOf(a.id)),
              blockNumber: String(log.blockNumber),
              transactionHash: log.transactionHash,
            };
          }),
        );
        const claims = of("Claimed").map(({ log, e }) => ({
          distributionId: String(e.args.id),
          index: String(e.args.index),
          account: lower(e.args.account),
          amount: String(e.args.amount),
          by: lower(e.args.by),
          transactionHash: log.transactionHash,
        }));
        const deposits = of("Deposited").map(({ log, e }) => ({
          commons: e.args.commons,
          token: lower(e.args.token),
          from: lower(e.args.from),
          amount: String(e.args.amount),
          transactionHash: log.transactionHash,
        }));
        return { distributions, claims, deposits };
      }

      /** The indexer's answer, once it has caught up with the chain's. */
      async function expectSameDistributions() {
        const chain = await fromChain();
        const deadline = Date.now() + 30_000;
        for (;;) {
          const listed = (await (await fetch(`${indexer.url}/distributions`)).json()) as Record<string, unknown>[];
          const one = await Promise.all(
            listed.map(async (d) => (await (await fetch(`${indexer.url}/distributions/${String(d.id)}`)).json()) as { claims: Record<string, unknown>[] }),
          );
          const deposits = (await (await fetch(`${indexer.url}/deposits`)).json()) as Record<string, unknown>[];
          const pick = <T extends object>(rows: Record<string, unknown>[], like: T[]) =>
            rows.map((r) => Object.fromEntries(Object.keys(like[0] ?? {}).map((k) => [k, r[k]])));
          const indexed = {
            distributions: pick(listed, chain.distributions),
            claims: pick(
              one.flatMap((d) => d.claims),
              chain.claims,
            ),
            deposits: pick(deposits, chain.deposits),
          };
          try {
            expect(indexed).to.deep.equal(chain);
            return chain;
          } catch (error) {
            if (Date.now() > deadline) throw error;
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      }

      it("holds every published distribution as the chain has it now (status, claimed, objected), and every claim and deposit", async function () {
        const chain = await expectSameDistributions();
        expect(chain.distributions).to.have.length(1);
        expect(chain.deposits).to.have.length.greaterThan(0);
      });

      it("follows a claim and a deposit as they arrive", async function () {
        const env = {
          COMMONS_RPC_URL: l.rpc,
          COMMONS_LEDGER: l.ledger,
          COMMONS_DISTRIBUTOR: l.contracts.IncomeDistributor!,
          COMMONS_PRIVATE_KEY: devWallet(0, l.provider).privateKey,
        };
        const claimed = await runCli(["claim-share", "1", "--account", seeds.demo.people.alice, "--equation", "scripts/demo/value-equation.json"], env);
        expect(claimed.code, claimed.stderr).to.equal(0);
        const distributor = new Contract(l.contracts.IncomeDistributor!, DISTRIBUTOR_ABI, devWallet(9, l.provider));
        await (await distributor.depositETH(seeds.demo.commons, { value: 10n ** 17n })).wait();
        const chain = await expectSameDistributions();
        expect(chain.claims.map((c) => c.account)).to.deep.equal([seeds.demo.people.alice.toLowerCase()]);
        expect(chain.distributions[0]!.claimed).to.not.equal("0");
      });

      it("follows a distribution rolled over once its claims close: what was not claimed goes back to the commons", async function () {
        const distributor = new Contract(l.contracts.IncomeDistributor!, DISTRIBUTOR_ABI, devWallet(9, l.provider));
        const { expiresAt } = (await distributor.distribution(1n)) as { expiresAt: bigint };
        await l.provider.send("evm_setNextBlockTimestamp", [Number(expiresAt) + 1]);
        const receipt = await (await distributor.rollOver(1n)).wait();
        const rolled = receipt.logs
          .map((log: { topics: string[]; data: string }) => distributor.interface.parseLog(log))
          .find((e: { name: string } | null) => e?.name === "RolledOver");
        const chain = await expectSameDistributions();
        expect(chain.distributions[0]!.status).to.equal(3); // IIncomeDistributor.Status.RolledOver
        const one = (await (await fetch(`${indexer.url}/distributions/1`)).json()) as { released: string };
        expect(one.released).to.equal(String(rolled.args.amount)).and.to.not.equal("0");
      });

      it("answers a bad or unknown distribution id in a sentence", async function () {
        for (const [path_, status, error] of [
          ["/distributions/one", 400, '"one" is not a distribution id'],
          ["/distributions/99", 404, "no distribution 99 (yet)"],
          ["/distributions?commons=0x12", 400, 'commons must be 0x and 64 hex digits, not "0x12"'],
        ] as const) {
          const r = await fetch(`${indexer.url}${path_}`);
          expect([r.status, await r.json()], path_).to.deep.equal([status, { error }]);
        }
      });
    });

    describe("the accounts it keeps", function () {
      it("counts per day what the chain reader counts: every period, kind and filter", async function () {
        await expectSameAccounts();
        expect(accounts(deriveEntries(await client.events()), "all", "contribution").length).to.be.greaterThan(3);
      });

      it("moves the accounts when the stewards change a quorum rule (dave's equipment use stops counting as accepted)", async function () {
        const ledger = new Contract(l.ledger, LEDGER_ABI, l.provider);
        const use = 2; // action code of "use"
        const [mira, yara] = [devWallet(1, l.provider), devWallet(7, l.provider)];
        const asMira = ledger.connect(mira) as Contract;
        const proposal = (await asMira.setQuorumRule.staticCall(seeds.demo.commons, use, 3, 1, false)) as bigint;
        await (await asMira.setQuorumRule(seeds.demo.commons, use, 3, 1, false)).wait();
        await (await (ledger.connect(yara) as Contract).approveChange(proposal)).wait();
        expect((await client.state(4n)).state).to.equal("claimed");
        // One more entry, so that the indexer is past the rule's block when it reaches the tip.
        await client.submit(await client.sign(worker(), draft("0.5")));
        await expectSameAccounts();
        await expectSameAsChain();
      });

      it("counts an entry that named a commons before its registration once the commons is registered", async function () {
        const founder = devWallet(8, l.provider);
        const ledger = new Contract(l.ledger, LEDGER_ABI, founder);
        const salt = id(`late commons ${database}`);
        const late = (await ledger.registerCommons.staticCall(salt, "A commons registered late")) as string;
        await client.submit(await client.sign(worker(), { ...draft("6"), commons: late }));
        await expectSameAccounts();
        const before = await indexedAccountDays(indexer.url, { commons: late });
        expect(before).to.deep.equal([]);
        await (await ledger.registerCommons(salt, "A commons registered late")).wait();
        await client.submit(await client.sign(worker(), draft("0.25")));
        await expectSameAccounts();
        expect((await indexedAccountDays(indexer.url, { commons: late })).map((d) => [d.entries, d.claimed])).to.deep.equal([[1, 6_000_000n]]);
      });

      // The same on any database (a stand-in that changes what the indexer answers): run once.
      if (database === "embedded PGlite")
        it("catches an indexer whose head is honest but whose totals are not: one contributor's days checked against the chain, and accounts --agent reads the chain", async function () {
          const alice = devWallet(2, l.provider).address;
          const bob = devWallet(3, l.provider).address;
          // Answers as the indexer does, but adds 1 h claimed to the first of alice's days, and hides bob altogether.
          const liar = await lyingIndexer(indexer.url, (url, body) => {
            if (!url.startsWith("/accounts")) return body;
            const rows = (body as { agent: string; unit: string; claimed: string }[]).filter((x) => x.agent !== bob);
            const first = rows.find((x) => x.agent === alice && x.unit.startsWith("0x68"));
            if (first) first.claimed = String(BigInt(first.claimed) + 1_000_000n);
            return rows;
          });
          const url = liar.url;
          try {
            const tip = await client.tip();
            await indexer.waitForCount(tip.count);
            const found = await accountsDifferFromChain(url, l.provider, l.ledger, alice, { fromBlock: l.fromBlock, count: tip.count, retryMs: 10 });
            const said = new RegExp(
              `^its accounts of ${alice} are not the chain's: on \\d{4}-\\d\\d-\\d\\d \\w+ in h \\(commons 0x\\w{8}…\\): it says (\\d+ entr(?:y|ies)), ([\\d.]+) h claimed, (.*), the chain \\1, ([\\d.]+) h claimed, \\3$`,
            ).exec(found ?? "");
            expect(said, found).to.not.equal(null);
            expect(Number(said![2]) - Number(said![4])).to.equal(1);
            // Another contributor's days are untouched: nothing to say.
            const at = { fromBlock: l.fromBlock, count: tip.count, retryMs: 10 };
            expect(await accountsDifferFromChain(url, l.provider, l.ledger, devWallet(5, l.provider).address, at)).to.equal(undefined);
            // A contributor the indexer hides is still drawn: the draw is the agent of a random entry, read from the chain.
            const views = deriveEntries(await client.events());
            const bobs = views.findIndex((v) => v.agent === bob);
            const drawn = await randomAgent(l.provider, l.ledger, at, () => (bobs + 0.5) / Number(tip.count));
            expect(drawn).to.equal(bob);
            expect(await randomAgent(l.provider, l.ledger, at, () => 0)).to.equal(views[0]!.agent);
            expect(await randomAgent(l.provider, l.ledger, at, () => 0.999999)).to.equal(views.at(-1)!.agent);
            expect(await accountsDifferFromChain(url, l.provider, l.ledger, bob, at)).to.match(
              new RegExp(`^its accounts of ${bob} are not the chain's: on .*: it says nothing, the chain \\d+ entr`),
            );
            const env = { COMMONS_RPC_URL: l.rpc, COMMONS_LEDGER: l.ledger, COMMONS_DIRECTORY: l.contracts.Directory! };
            const chain = await runCli(["accounts", "--agent", "Alice"], env);
            const lied = await runCli(["accounts", "--agent", "Alice", "--indexer", url], env);
            expect(lied.code, lied.stderr).to.equal(0);
            expect(lied.stderr).to.match(
              // The CLI names her as it shows her: by the name she published, beside her address.
              new RegExp(
                `^the indexer at ${url}: its accounts of Alice \\(${alice.slice(0, 6)}…${alice.slice(-4)}\\) are not the chain's: on .*: reading the chain instead\\n$`,
              ),
            );
            expect(lied.stdout).to.equal(chain.stdout);
          } finally {
            await liar.close();
          }
        });

      // Reads the chain only: run once.
      if (database === "embedded PGlite")
        it("stops a spot check between its calls once its signal is aborted (the visitor left the page): no further entry state is asked for", async function () {
          const tip = await client.tip();
          const per = new Map<string, number>();
          for (const v of deriveEntries(await client.events())) per.set(v.agent, (per.get(v.agent) ?? 0) + 1);
          const [agent, entries] = [...per].sort((a, b) => b[1] - a[1])[0]!;
          // Counts the entry states asked for (eth_call); `left` aborts at the first one.
          const counting = (left?: AbortController) => {
            const provider = new (class extends JsonRpcProvider {
              calls = 0;
              override async send(method: string, params: unknown[] | Record<string, unknown>) {
                if (method === "eth_call" && ++this.calls === 1) left?.abort(new Error("the visitor left the page"));
                return super.send(method, params);
              }
            })(l.rpc, undefined, { staticNetwork: true });
            return provider;
          };
          const at = { fromBlock: l.fromBlock, count: tip.count };
          const left = new AbortController();
          const stopped = counting(left);
          const outcome = await agentDaysFromChain(stopped, l.ledger, agent, { ...at, signal: left.signal }).then(
            () => "finished",
            (e: Error) => e.message,
          );
          expect(outcome).to.equal("the visitor left the page");
          // The states of the batch in flight (up to 50 entries), then nothing more: not whether its commons are registered.
          expect(stopped.calls).to.equal(Math.min(entries, 50));
          // Not stopped, the same check asks for every entry's state, then whether each of its commons is registered.
          const whole = counting();
          expect(await agentDaysFromChain(whole, l.ledger, agent, at)).to.not.equal(undefined);
          expect(whole.calls).to.be.greaterThan(entries);
          // A signal aborted before the check starts: no call at all.
          const before = counting();
          const gone = AbortSignal.abort(new Error("the visitor left the page"));
          expect(
            await agentDaysFromChain(before, l.ledger, agent, { ...at, signal: gone }).then(
              () => "finished",
              (e: Error) => e.message,
            ),
          ).to.equal("the visitor left the page");
          expect(
            await randomAgent(before, l.ledger, { ...at, signal: gone }).then(
              () => "finished",
              (e: Error) => e.message,
            ),
          ).to.equal("the visitor left the page");
          expect(before.calls).to.equal(0);
        });

      it("spot-checks one person's figures, and one commons member's, against the chain: the same for everyone on an honest indexer, the first figure that differs on a lying one", async function () {
        const tip = await client.tip();
        await indexer.waitForCount(tip.count);
        const at = { fromBlock: l.fromBlock, count: tip.count, retryMs: 10 };
        const views = deriveEntries(await client.events());
        const people = new Set<string>();
        for (const v of views) {
          people.add(v.agent);
          for (const x of [...v.validations.map((y) => y.validator), ...v.endorsements.map((y) => y.endorser)]) people.add(x);
        }
        for (const who of people) expect(await personDiffersFromChain(indexer.url, l.provider, l.ledger, who, at), who).to.equal(undefined);
        const alice = devWallet(2, l.provider).address;
        const erin = views.flatMap((v) => v.endorsements.map((x) => x.endorser))[0]!;
        // Answers as the indexer does, but one more accept given by alice, an endorsement erin never gave, and one of alice's entries moved from claimed to accepted.
        const liar = await lyingIndexer(indexer.url, (url, body) => {
          if (url === `/people/${alice}`) (body as { given: { accepts: number } }).given.accepts++;
          if (url === `/people/${erin}`) (body as { given: { endorsements: number } }).given.endorsements--;
          if (url.startsWith("/tallies") && url.includes(alice.toLowerCase()))
            for (const t of body as { state: string; entries: number }[]) if (t.state === "claimed") t.state = "accepted";
          return body;
        });
        const url = liar.url;
        try {
          const chain = personOverview(views, await client.events(), alice, BigInt(Math.floor(Date.now() / 1000)));
          const s = chain.states;
          expect(await personDiffersFromChain(url, l.provider, l.ledger, alice, at)).to.equal(
            `its figures for ${alice} are not the chain's: entries signed: it says ${chain.entries} (${s.accepted + s.claimed} accepted, 0 claimed, ${s.disputed} disputed, ${s.corrected} corrected), the chain ${chain.entries} (${s.accepted} accepted, ${s.claimed} claimed, ${s.disputed} disputed, ${s.corrected} corrected)`,
          );
          const e = personOverview(views, await client.events(), erin, 0n).given;
          expect(await personDiffersFromChain(url, l.provider, l.ledger, erin, at)).to.equal(
            `its figures for ${erin} are not the chain's: validations given: it says ${e.accepts} accepts, ${e.disputes} disputes, ${e.endorsements - 1} endorsements, the chain ${e.accepts} accepts, ${e.disputes} disputes, ${e.endorsements} endorsements`,
          );
          // Someone the liar leaves alone: nothing to say.
          expect(await personDiffersFromChain(url, l.provider, l.ledger, devWallet(5, l.provider).address, at)).to.equal(undefined);
          // A commons' member drawn from the chain: alice (her entry drawn) is caught, in the commons' own figures.
          const commons = seeds.demo.commons.toLowerCase();
          const hers = views.findIndex((v) => v.agent === alice && v.entry.record.commons.toLowerCase() === commons);
          const drawAlice = { ...at, random: () => (hers + 0.5) / Number(tip.count), commonsName: () => "the demo commons" };
          const caught = await commonsMemberDiffersFromChain(url, l.provider, l.ledger, commons, drawAlice);
          expect(caught).to.deep.include({ agent: alice, checked: true });
          expect(caught.difference).to.match(
            new RegExp(
              `^its figures of ${alice} in the demo commons are not the chain's: entries: it says (\\d+) accepted, the chain \\d+ accepted, \\d+ claimed`,
            ),
          );
          // The honest indexer: the same figures for her; a commons no entry drawn belongs to is left unchecked.
          expect(await commonsMemberDiffersFromChain(indexer.url, l.provider, l.ledger, commons, drawAlice)).to.deep.equal({ agent: alice, checked: true });
          expect(await commonsMemberDiffersFromChain(indexer.url, l.provider, l.ledger, `0x${"cd".repeat(32)}`, at)).to.deep.equal({ checked: false });
        } finally {
          await liar.close();
        }
      });

      it("answers the accounts of a bad filter in a sentence", async function () {
        const bad = await fetch(`${indexer.url}/accounts?agent=alice`);
        expect([bad.status, await bad.json()]).to.deep.equal([400, { error: 'agent must be 0x and 40 hex digits, not "alice"' }]);
      });
    });

    describe("commons list --indexer", function () {
      const env = () => ({ COMMONS_RPC_URL: l.rpc, COMMONS_LEDGER: l.ledger, COMMONS_DIRECTORY: l.contracts.Directory! });

      // The CLI formats what the API answers, and the answers it reads here (the entries, the days,
      // each need's entries) are held equal to the chain's on both databases above: run once.
      if (database === "embedded PGlite")
        it("prints exactly what the chain reader prints, with and without filters, as text and JSON", async function () {
          for (const filters of [
            [],
            ["--agent", "Alice"],
            ["--action", "work", "--state", "accepted"],
            ["--flow", "need", "--commons", seeds.demo.commons],
            ["--json"],
          ]) {
            const chain = await runCli(["list", ...filters], env());
            const indexed = await runCli(["list", "--indexer", indexer.url, ...filters], env());
            expect(chain.code, chain.stderr).to.equal(0);
            expect(indexed.code, indexed.stderr).to.equal(0);
            expect(indexed.stderr, filters.join(" ")).to.equal("");
            expect(indexed.stdout, filters.join(" ")).to.equal(chain.stdout);
          }
          expect((await runCli(["list", "--indexer", indexer.url, "--agent", "Alice"], env())).stdout).to.include("Alice (0x3C44…93BC)");
        });

      // The CLI formats what the API answers, and the answers it reads here (the entries, the days,
      // each need's entries) are held equal to the chain's on both databases above: run once.
      if (database === "embedded PGlite")
        it("commons accounts --indexer prints exactly what commons accounts prints (daily totals, or entries for a time bound)", async function () {
          for (const flags of [
            [],
            ["--period", "month", "--kind", "all"],
            ["--agent", "Alice", "--period", "week"],
            ["--from", "2026-01-01T12:00:00Z", "--kind", "flow"],
            ["--flow", "need"],
            ["--json"],
          ]) {
            const chain = await runCli(["accounts", ...flags], env());
            const indexed = await runCli(["accounts", "--indexer", indexer.url, ...flags], env());
            expect(chain.code, chain.stderr).to.equal(0);
            expect([indexed.code, indexed.stderr], flags.join(" ")).to.deep.equal([0, ""]);
            expect(indexed.stdout, flags.join(" ")).to.equal(chain.stdout);
          }
        });

      // The CLI formats what the API answers (the tallies, days and activity held equal to the chain's on both databases above): run once.
      if (database === "embedded PGlite")
        it("commons person --indexer prints what commons person prints, saying it was read through the indexer and checked; a lying indexer is caught and the chain read instead", async function () {
          // A contributor, a steward (roles in commons), and an address that published no name.
          for (const who of ["Alice", "Mira", devWallet(12, l.provider).address]) {
            const chain = await runCli(["person", who], env());
            const indexed = await runCli(["person", who, "--indexer", indexer.url], env());
            expect(chain.code, chain.stderr).to.equal(0);
            expect([indexed.code, indexed.stderr], who).to.deep.equal([0, ""]);
            const said = `\n\nread through the indexer at ${indexer.url}; these figures checked against the chain: the same\n`;
            expect(indexed.stdout.endsWith(said), indexed.stdout).to.equal(true);
            expect(indexed.stdout.slice(0, -said.length) + "\n", who).to.equal(chain.stdout);
            const [chainJson, indexedJson] = [
              JSON.parse((await runCli(["person", who, "--json"], env())).stdout),
              JSON.parse((await runCli(["person", who, "--json", "--indexer", indexer.url], env())).stdout),
            ];
            expect(indexedJson.source).to.equal("indexer");
            delete indexedJson.source;
            expect(indexedJson, who).to.deep.equal(chainJson);
          }
          // An indexer that adds an hour to one of Alice's days.
          const alice = seeds.demo.people.alice.toLowerCase();
          const liar = await lyingIndexer(indexer.url, (url, body) => {
            const first = url.startsWith("/accounts") ? (body as { agent: string; claimed: string }[]).find((x) => x.agent.toLowerCase() === alice) : undefined;
            if (first) first.claimed = String(BigInt(first.claimed) + 1_000_000n);
            return body;
          });
          const url = liar.url;
          try {
            const lied = await runCli(["person", "Alice", "--indexer", url], env());
            expect(lied.code, lied.stderr).to.equal(0);
            expect(lied.stderr).to.match(
              new RegExp(`^the indexer at ${url}: its figures for Alice \\(0x\\w{4}…\\w{4}\\) are not the chain's: .*: reading the chain instead\\n$`),
            );
            expect(lied.stdout).to.equal((await runCli(["person", "Alice"], env())).stdout);
          } finally {
            await liar.close();
          }
          // An indexer whose head is the tip but that fails to answer a person's activity.
          const failing = await failingIndexer(indexer.url, (path) => path.startsWith("/people/"));
          try {
            const r = await runCli(["person", "Alice", "--indexer", failing.url], env());
            expect(r.code, r.stderr).to.equal(0);
            expect(r.stderr).to.match(
              new RegExp(`^the indexer at ${failing.url}: answered 500 for the activity of 0x\\w{40}: out of memory: reading the chain instead\\n$`),
            );
            expect(r.stdout).to.equal((await runCli(["person", "Alice"], env())).stdout);
          } finally {
            await failing.close();
          }
        });

      // The CLI formats what the API answers (the tallies, days and intents held equal to the chain's on both databases above): run once.
      if (database === "embedded PGlite")
        it("commons commons show --indexer prints what commons commons show prints, for every commons, saying it was read through the indexer; an indexer that fails a read is left for the chain", async function () {
          const ids = deriveCommons(await client.events(), 0n).map((c) => c.id);
          expect(ids.length).to.be.greaterThan(1);
          for (const id of ids) {
            const chain = await runCli(["commons", "show", id], env());
            const indexed = await runCli(["commons", "show", id, "--indexer", indexer.url], env());
            expect(chain.code, chain.stderr).to.equal(0);
            expect([indexed.code, indexed.stderr], id).to.deep.equal([0, ""]);
            // Its last line says where it read and which member (drawn at random from the chain) was checked.
            const last = new RegExp(
              `\n\nread through the indexer at ${indexer.url}; (no member's figures checked .*|.*'s figures in it checked against the chain: the same)\n$`,
            );
            expect(indexed.stdout, id).to.match(last);
            expect(indexed.stdout.replace(last, "\n"), id).to.equal(chain.stdout);
            const [chainJson, indexedJson] = [
              JSON.parse((await runCli(["commons", "show", id, "--json"], env())).stdout),
              JSON.parse((await runCli(["commons", "show", id, "--json", "--indexer", indexer.url], env())).stdout),
            ];
            expect(indexedJson.source).to.equal("indexer");
            delete indexedJson.source;
            expect(indexedJson, id).to.deep.equal(chainJson);
          }
          // An indexer whose head is the tip but that fails to answer the commons' tallies.
          const failing = await failingIndexer(indexer.url, (path) => path.startsWith("/tallies"));
          const url = failing.url;
          try {
            const r = await runCli(["commons", "show", seeds.demo.commons, "--indexer", url], env());
            expect(r.code, r.stderr).to.equal(0);
            expect(r.stderr).to.equal(`the indexer at ${url}: answered 500 for the entries of a commons: out of memory: reading the chain instead\n`);
            expect(r.stdout).to.equal((await runCli(["commons", "show", seeds.demo.commons], env())).stdout);
          } finally {
            await failing.close();
          }
        });

      // The CLI formats what the API answers (/commons, whose counts are held to the chain's above): run once.
      if (database === "embedded PGlite")
        it("commons commons list --indexer prints exactly what commons commons list prints, as text and JSON; an indexer that fails the count is left for the chain", async function () {
          for (const flags of [[], ["--json"]]) {
            const chain = await runCli(["commons", "list", ...flags], env());
            const indexed = await runCli(["commons", "list", "--indexer", indexer.url, ...flags], env());
            expect(chain.code, chain.stderr).to.equal(0);
            expect([indexed.code, indexed.stderr]).to.deep.equal([0, ""]);
            expect(indexed.stdout, flags.join(" ")).to.equal(chain.stdout);
          }
          const liar = await lyingIndexer(indexer.url, (url, body) => (url === "/commons" ? { error: "not an array" } : body));
          try {
            const r = await runCli(["commons", "list", "--indexer", liar.url], env());
            expect(r.code, r.stderr).to.equal(0);
            expect(r.stderr).to.equal(`the indexer at ${liar.url} answered {"error":"not an array"} for the commons, not a list: reading the chain instead\n`);
            expect(r.stdout).to.equal((await runCli(["commons", "list"], env())).stdout);
          } finally {
            await liar.close();
          }
        });

      it("commons needs --indexer prints exactly what commons needs prints (open, all, per process, JSON) from the intents and their links alone", async function () {
        for (const flags of [[], ["--all"], ["--processes"], ["--all", "--json"], ["--commons", seeds.demo.commons, "--all"]]) {
          const chain = await runCli(["needs", ...flags], env());
          const indexed = await runCli(["needs", "--indexer", indexer.url, ...flags], env());
          expect(chain.code, chain.stderr).to.equal(0);
          expect([indexed.code, indexed.stderr], flags.join(" ")).to.deep.equal([0, ""]);
          expect(indexed.stdout, flags.join(" ")).to.equal(chain.stdout);
        }
        // Needs with their chains (the events that name them) are there to compare.
        const all = (await runCli(["needs", "--all"], env())).stdout;
        expect(all).to.match(/^#\d+ \w+ /m);
        expect(all).to.match(/└─ (met|open): /);
        // Only the intents and what links to them are asked for.
        const views = deriveEntries(await client.events());
        const page = (await (await fetch(`${indexer.url}/entries?coordination=1&limit=500`)).json()) as { total: number; entries: IndexedEntry[] };
        const expected = views.filter((v) => v.flow !== "event" || v.entry.record.satisfies !== 0n).map((v) => String(v.id));
        expect(page.entries.map((e) => e.id)).to.deep.equal(expected);
        expect(page.total).to.equal(expected.length).and.to.be.lessThan(views.length);
        const bad = await fetch(`${indexer.url}/entries?coordination=yes`);
        expect([bad.status, await bad.json()]).to.deep.equal([400, { error: 'coordination must be 1, not "yes"' }]);
      });

      // The CLI formats what the API answers, and the answers it reads here (the entries, the days,
      // each need's entries) are held equal to the chain's on both databases above: run once.
      if (database === "embedded PGlite")
        it("commons needs <id> --indexer prints exactly what commons needs <id> prints, for every need, as text and JSON", async function () {
          const needs = deriveEntries(await client.events()).filter((v) => v.flow === "need");
          expect(needs.length).to.be.greaterThan(2);
          for (const v of needs)
            for (const flags of [[], ["--json"]]) {
              const chain = await runCli(["needs", String(v.id), ...flags], env());
              const indexed = await runCli(["needs", String(v.id), "--indexer", indexer.url, ...flags], env());
              expect([chain.code, chain.stderr]).to.deep.equal([0, ""]);
              expect([indexed.code, indexed.stderr], `need ${v.id}`).to.deep.equal([0, ""]);
              expect(indexed.stdout, `need ${v.id} ${flags.join(" ")}`).to.equal(chain.stdout);
            }
          const first = needs[0]!.id;
          expect((await runCli(["needs", String(first)], env())).stdout).to.match(new RegExp(`^#${first} \\w+ `));
          const event = 1n;
          for (const through of [[], ["--indexer", indexer.url]]) {
            const r = await runCli(["needs", String(event), ...through], env());
            expect([r.code, r.stderr]).to.deep.equal([1, `commons: entry ${event} is an event, not a need (ledger ${l.ledger})\n`]);
            const none = await runCli(["needs", "99999", ...through], env());
            expect([none.code, none.stderr]).to.deep.equal([1, `commons: there is no entry 99999 (ledger ${l.ledger})\n`]);
          }
        });

      // The same on any database (a stand-in indexer, or the CLI over answers held equal on both above): run once.
      if (database === "embedded PGlite")
        it("does not use an indexer whose head is not the Ledger's tip, or not a head at all: it says so and reads the chain", async function () {
          let head: object = { count: "3", head: "0x" + "ab".repeat(24), blockNumber: "9" };
          const liar = createServer((req, res) => {
            res.setHeader("content-type", "application/json");
            res.end(JSON.stringify(req.url === "/head" ? head : { entries: [] }));
          });
          await new Promise<void>((r) => liar.listen(0, "127.0.0.1", r));
          const url = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
          try {
            const tip = await client.tip();
            const r = await runCli(["list", "--indexer", url], env());
            expect(r.code, r.stderr).to.equal(0);
            expect(r.stderr.trim()).to.equal(
              `the indexer at ${url} is at entry 3 with head 0x${"ab".repeat(24)}, the Ledger's tip is entry ${tip.count} with head ${tip.head}: reading the chain instead`,
            );
            expect(r.stdout).to.equal((await runCli(["list"], env())).stdout);
            head = { count: "lots", head: "0x", blockNumber: "9" };
            const garbage = await runCli(["list", "--indexer", url], env());
            expect([garbage.code, garbage.stderr.trim()]).to.deep.equal([
              0,
              `the indexer at ${url} answered {"count":"lots","head":"0x","blockNumber":"9"} for its head, which is not a count, a head and a block: reading the chain instead`,
            ]);
            expect(garbage.stdout).to.equal(r.stdout);
          } finally {
            liar.close();
          }
        });

      // The same on any database (a stand-in indexer): run once.
      if (database === "embedded PGlite")
        it("reads the chain for needs <id> when the indexer's head is the tip but its answer lacks the entries it names", async function () {
          const need = deriveEntries(await client.events()).find((v) => v.flow === "need")!.id;
          // The real indexer, except that every need comes without its entries.
          const liar = await lyingIndexer(indexer.url, (url, body) => (url.startsWith("/needs/") ? { need: String(need), entries: [] } : body));
          const url = liar.url;
          try {
            await indexer.waitForCount((await client.tip()).count);
            const lied = await runCli(["needs", String(need), "--indexer", url], env());
            expect([lied.code, lied.stderr]).to.deep.equal([
              0,
              `the indexer at ${url} answered need ${need} without the entries it names (need ${need}): reading the chain instead\n`,
            ]);
            expect(lied.stdout).to.equal((await runCli(["needs", String(need)], env())).stdout);
          } finally {
            await liar.close();
          }
        });

      // The same on any database (a stand-in indexer, or the CLI over answers held equal on both above): run once.
      if (database === "embedded PGlite")
        it("reads the chain when the indexer cannot be reached, and refuses a URL that is not one", async function () {
          const port = await freePort();
          const down = await runCli(["list", "--indexer", `http://127.0.0.1:${port}`, "--action", "cite"], env());
          expect(down.code, down.stderr).to.equal(0);
          expect(down.stderr).to.match(
            new RegExp(`^the indexer at http://127\\.0\\.0\\.1:${port} cannot be reached \\(.*\\) for its head: reading the chain instead\\n$`),
          );
          const bad = await runCli(["list", "--indexer", "not a url"], env());
          expect(bad.code).to.equal(2);
          expect(bad.stderr).to.match(/--indexer/);
          const none = await runCli(["list", "--indexer"], env());
          expect(none.code).to.equal(2);
          expect(none.stderr).to.include(
            "--indexer: no indexer is recorded for this ledger: give its URL (--indexer http://…), or run npm start, which runs one",
          );
        });
    });

    describe("who decides in each commons", function () {
      it("keeps stewards, threshold, epoch, validators, rules and proposals as deriveCommons derives them from the chain's events", async function () {
        const now = BigInt((await l.provider.getBlock("latest"))!.timestamp);
        const [demo] = (await indexedGovernance(indexer.url, now)).filter((c) => c.id === seeds.demo.commons.toLowerCase());
        expect(demo!.stewards.length).to.be.greaterThan(1);
        expect(demo!.threshold).to.be.greaterThan(1);
        expect(demo!.proposals.map((p) => p.status)).to.include("executed");
        expect(demo!.validators).to.not.be.empty;
        await expectSameAsChain();
      });

      it("follows a change of stewards: a new epoch, the proposal of the last one stale, a steward added and removed", async function () {
        const ledger = new Contract(l.ledger, LEDGER_ABI, l.provider);
        const [mira, yara] = [devWallet(1, l.provider), devWallet(7, l.provider)];
        const as = (w: typeof mira) => ledger.connect(w) as Contract;
        const demo = seeds.demo.commons;
        const newcomer = devWallet(15, l.provider).address;
        const propose = async (fn: string, ...args: unknown[]) => {
          const id = (await as(mira)[fn]!.staticCall(demo, ...args)) as bigint;
          await (await as(mira)[fn]!(demo, ...args)).wait();
          return id;
        };
        const left = await propose("setRoles", devWallet(2, l.provider).address, 0);
        const add = await propose("addSteward", newcomer);
        await (await as(yara).approveChange(add)).wait();
        const remove = await propose("removeSteward", newcomer);
        await (await as(yara).approveChange(remove)).wait();
        const now = BigInt((await l.provider.getBlock("latest"))!.timestamp);
        const view = deriveCommons(await client.events(), now).find((c) => c.id === demo.toLowerCase())!;
        expect(view.proposals.find((p) => p.id === left)?.status).to.equal("stale");
        expect(view.stewards).to.not.include(newcomer);
        await client.submit(await client.sign(worker(), draft("0.5")));
        await expectSameAsChain();
      });

      it("answers the commons on /commons with their names and how many entries name each", async function () {
        const listed = (await (await fetch(`${indexer.url}/commons`)).json()) as { id: string; name: string }[];
        expect(listed.map((c) => c.id)).to.include(seeds.demo.commons.toLowerCase());
        expect(Object.keys(listed[0]!)).to.deep.equal(["id", "name", "founder", "blockNumber", "entries"]);
      });

      it("answers the tallies and a person's activity of a bad or missing filter in a sentence", async function () {
        const answer = async (path: string) => {
          const r = await fetch(`${indexer.url}${path}`);
          return [r.status, await r.json()];
        };
        expect(await answer("/tallies")).to.deep.equal([400, { error: "give a commons (commons=0x…) or an agent (agent=0x…)" }]);
        expect(await answer("/tallies?agent=bob")).to.deep.equal([400, { error: 'agent must be 0x and 40 hex digits, not "bob"' }]);
        expect(await answer("/tallies?commons=0x12")).to.deep.equal([400, { error: 'commons must be 0x and 64 hex digits, not "0x12"' }]);
        expect(await answer("/people/bob")).to.deep.equal([400, { error: '"bob" is not an address (0x and 40 hex digits)' }]);
        // Someone who did nothing: nothing given, nothing received, no entries.
        expect(await answer(`/people/0x${"ab".repeat(20)}`)).to.deep.equal([
          200,
          {
            given: { accepts: 0, disputes: 0, endorsements: 0 },
            received: { accepts: 0, disputes: 0, endorsements: 0, validators: 0 },
            first: null,
            last: null,
          },
        ]);
        expect(await answer(`/tallies?agent=0x${"ab".repeat(20)}`)).to.deep.equal([200, []]);
      });
    });

    describe("the ReciprocityRegistry's works and records", function () {
      const env = () => ({ COMMONS_RPC_URL: l.rpc, COMMONS_LEDGER: l.ledger, COMMONS_REGISTRY: l.contracts.ReciprocityRegistry! });
      const standings = () =>
        Object.values(seeds.reciprocity.licensees).flatMap((licensee) =>
          [seeds.reciprocity.works.ppl, seeds.reciprocity.works.copyfair].map((work) => ({ licensee, work })),
        );

      it("holds every work and record, field for field as decoded from the chain's logs, as many as the registry's counts()", async function () {
        await expectSameRegistry();
        const chain = await readRegistry(l.provider, l.contracts.ReciprocityRegistry!, { fromBlock: l.fromBlock });
        // The demo files every kind of record but a reversal (the reorg and live tests below add more).
        expect(new Set(chain.records.map((r) => r.type))).to.include.members(["declaration", "attestation", "report", "finding", "grant", "settlement"]);
      });

      it("answers one licensee's standing on one work family: the family's versions and the licensee's records on them", async function () {
        const chain = await readRegistry(l.provider, l.contracts.ReciprocityRegistry!, { fromBlock: l.fromBlock });
        for (const { licensee, work } of standings()) {
          const family = chain.works.find((w) => w.work === work)!.family;
          expect(await indexedStanding(indexer.url, licensee, family), `${licensee} on ${work}`).to.deep.equal({
            works: chain.works.filter((w) => w.family === family),
            records: recordsOf(chain.records, chain.works, licensee, work),
          });
        }
        const settled = chain.records.find((r) => r.type === "settlement")!;
        expect(await indexedRecords(indexer.url, { entry: settled.entryId })).to.deep.equal([settled]);
      });

      // The same on any database (a stand-in indexer, or the CLI over answers held equal on both above): run once.
      if (database === "embedded PGlite")
        it("commons status --indexer prints exactly what commons status prints, for every demo licensee and work, as text and JSON", async function () {
          const { cooperative, company } = seeds.reciprocity.licensees;
          const { ppl, copyfair } = seeds.reciprocity.works;
          const json = [
            { licensee: cooperative, work: ppl, flags: ["--json"] },
            { licensee: company, work: copyfair, flags: ["--json"] },
          ];
          for (const { licensee, work, flags } of [...standings().map((s) => ({ ...s, flags: [] })), ...json]) {
            const args = ["status", licensee, String(work), ...flags];
            const [chain, indexed] = await Promise.all([runCli(args, env()), runCli([...args, "--indexer", indexer.url], env())]);
            expect(chain.code, chain.stderr).to.equal(0);
            expect([indexed.code, indexed.stderr], args.join(" ")).to.deep.equal([0, ""]);
            expect(indexed.stdout, args.join(" ")).to.equal(chain.stdout);
          }
        });

      // The same on any database (a stand-in indexer, or the CLI over answers held equal on both above): run once.
      if (database === "embedded PGlite")
        it("does not use an indexer that holds other counts, indexes another registry or none, lacks a record the status rests on, or forges one: it says so and reads the chain", async function () {
          const registry = l.contracts.ReciprocityRegistry!;
          const [works, records] = (await registryContract(registry, l.provider).counts()) as [bigint, bigint];
          const { cooperative } = seeds.reciprocity.licensees;
          const { ppl } = seeds.reciprocity.works;
          const answers: Record<string, { head: object; records?: object[] }> = {
            behind: { head: { registry, works: String(works), records: String(records - 1n) } },
            other: { head: { registry: l.ledger, works: String(works), records: String(records) } },
            none: { head: { registry: null, works: "0", records: "0" } },
            lacking: { head: { registry, works: String(works), records: String(records) }, records: [] },
          };
          // The real records, one of them signed by someone else.
          const real = (await (await fetch(`${indexer.url}/reciprocity/records?licensee=${cooperative.toLowerCase()}&family=${ppl}`)).json()) as Record<
            string,
            unknown
          >[];
          answers.garbage = { head: { registry: "the usual", works: "2", records: "many" } };
          answers.forged = { head: answers.lacking!.head, records: real.map((r, k) => (k === 0 ? { ...r, signer: l.ledger } : r)) };
          let answer = answers.behind!;
          const liar = createServer((req, res) => {
            res.setHeader("content-type", "application/json");
            if (req.url === "/reciprocity/head") return res.end(JSON.stringify(answer.head));
            if (req.url!.startsWith("/reciprocity/works")) return void fetch(`${indexer.url}${req.url}`).then(async (r) => res.end(await r.text()));
            res.end(JSON.stringify(answer.records ?? []));
          });
          await new Promise<void>((r) => liar.listen(0, "127.0.0.1", r));
          const url = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
          try {
            const chain = await runCli(["status", cooperative, String(ppl)], env());
            const expected = {
              behind: `the indexer at ${url} holds ${works} works and ${records - 1n} records of the registry, which holds ${works} works and ${records} records`,
              other: `the indexer at ${url} indexes the registry at ${l.ledger}, not ${registry}`,
              none: `the indexer at ${url} does not index a ReciprocityRegistry`,
              lacking: new RegExp(`^the indexer at ${url} lacks records? [\\d, ]+, which the registry's status rests on$`),
              garbage: `the indexer at ${url} answered {"registry":"the usual","works":"2","records":"many"} for how far it has read the registry, which is not a registry, works and records`,
              forged: new RegExp(
                `^the indexer at ${url} answered a record the chain does not hold: record ${String(real[0]!.id)} is not what its transaction 0x[0-9a-f]{64} recorded$`,
              ),
            };
            for (const [name, reason] of Object.entries(expected)) {
              answer = answers[name]!;
              const r = await runCli(["status", cooperative, String(ppl), "--indexer", url], env());
              expect(r.code, r.stderr).to.equal(0);
              const said = r.stderr.trim().replace(/: reading the chain instead$/, "");
              expect(r.stderr.trim(), name).to.match(/: reading the chain instead$/);
              if (typeof reason === "string") expect(said, name).to.equal(reason);
              else expect(said, name).to.match(reason);
              expect(r.stdout, name).to.equal(chain.stdout);
            }
          } finally {
            liar.close();
          }
        });

      it("answers a bad filter in a sentence", async function () {
        for (const [query, error] of [
          ["/reciprocity/records?licensee=alice", 'licensee must be 0x and 40 hex digits, not "alice"'],
          ["/reciprocity/records?family=-1", 'family must be a whole number (at most 19 digits), not "-1"'],
          ["/reciprocity/records?entry=1e3", 'entry must be a whole number (at most 19 digits), not "1e3"'],
          ["/reciprocity/records?limit=0", "limit must be a whole number from 1 to 500"],
          ["/reciprocity/works?family=" + "9".repeat(20), `family must be a whole number (at most 19 digits), not "${"9".repeat(20)}"`],
        ] as const) {
          const bad = await fetch(`${indexer.url}${query}`);
          expect([bad.status, await bad.json()], query).to.deep.equal([400, { error }]);
        }
      });
    });

    describe("when its database was written by another version of the indexer (its tables or handlers changed since)", function () {
      // An indexer without the registry is another Ponder build than one with it: the same change an update makes.
      const options = async (d: string, registry?: string) => ({
        databaseUrl: postgres?.url,
        schema: "other_version",
        rpcUrl: l.rpc,
        chainId: 31337,
        ledger: l.ledger,
        registry,
        // From the latest block: this is about the database, not the chain's history (the suite above indexes that).
        fromBlock: await l.provider.getBlockNumber(),
        dataDir: d,
        pollMs: 100,
      });

      if (database === "embedded PGlite")
        it("indexes the chain afresh in a new embedded database, and says so in its log", async function () {
          const d = mkdtempSync(path.join(tmpdir(), "commons-indexer-old-"));
          try {
            const old = await startIndexerOnFreePort(await options(d), freePort);
            await old.stop();
            const updated = await startIndexerOnFreePort(await options(d, l.contracts.ReciprocityRegistry), freePort);
            try {
              expect((await registryIndexHead(updated.url)).registry?.toLowerCase()).to.equal(l.contracts.ReciprocityRegistry!.toLowerCase());
              expect(readFileSync(path.join(d, "indexer.log"), "utf8")).to.include(
                "the embedded database was written by another version of the indexer: indexing the chain afresh",
              );
            } finally {
              await updated.stop();
            }
          } finally {
            rmSync(d, { recursive: true, force: true });
          }
        });
      else
        it("leaves the PostgreSQL schema alone and says how to go on", async function () {
          const d = mkdtempSync(path.join(tmpdir(), "commons-indexer-old-"));
          try {
            const old = await startIndexerOnFreePort(await options(d), freePort);
            await old.stop();
            let error: Error | undefined;
            await startIndexerOnFreePort(await options(d, l.contracts.ReciprocityRegistry), freePort).catch((e: Error) => (error = e));
            expect(error?.message).to.equal(
              'the PostgreSQL schema "other_version" holds another version of the indexer\'s tables: drop it (DROP SCHEMA "other_version" CASCADE) or give the indexer another schema',
            );
          } finally {
            rmSync(d, { recursive: true, force: true });
          }
        });
    });

    describe("as events arrive", function () {
      it("follows new entries, validations and corrections", async function () {
        const { id } = await client.submit(await client.sign(worker(), draft("5")));
        await client.validate(devWallet(2, l.provider), id, "dispute");
        await client.correct(worker(), id, draft("4"));
        await expectSameAsChain();
        const corrected = (await (await fetch(`${indexer.url}/entries/${id}`)).json()) as IndexedEntry;
        expect([corrected.state, corrected.disputes]).to.deep.equal(["corrected", 1]);
      });

      it("follows a need through corrections of the need and of a commitment to it: /needs/<id> holds every entry its progress rests on", async function () {
        const [mira, bob, alice, carol, dave] = [1, 3, 2, 5, 6].map((i) => devWallet(i, l.provider));
        const due = (await client.now()) + 7n * 86_400n;
        const review = id("indexer test: review hours");
        const needDraft = (quantity: string): RecordDraft => ({
          flow: "need",
          action: "work",
          commons: seeds.demo.commons,
          receiver: mira.address,
          resourceSpec: review,
          quantity,
          unit: "h",
          time: due,
        });
        const work = (quantity: string, satisfies: bigint, unit = "h"): RecordDraft => ({
          action: "work",
          commons: seeds.demo.commons,
          quantity,
          unit,
          satisfies,
        });
        const promise = (quantity: string, satisfies: bigint): RecordDraft => ({
          ...work(quantity, satisfies),
          flow: "commitment",
          provider: bob.address,
          time: due,
        });
        const { id: n0 } = await client.submit(await client.sign(mira, needDraft("10")));
        const { id: c0 } = await client.submit(await client.sign(bob, promise("5", n0)));
        await client.submit(await client.sign(alice, work("2", c0))); // fulfils the commitment, so counts toward the need
        await client.submit(await client.sign(carol, work("1", n0)));
        const { id: n1 } = await client.correct(mira, n0, needDraft("12"));
        const { id: c1 } = await client.correct(bob, c0, promise("6", n0));
        await client.submit(await client.sign(dave, work("1", c0))); // names the corrected commitment: counts toward its correction
        await client.submit(await client.sign(dave, work("3", n1, "ea"))); // another unit: listed, not counted
        await expectSameAsChain();
        const answer = (await indexedNeed(indexer.url, n0, await registeredCommons(indexer.url)))!;
        expect(answer.need).to.equal(n1);
        const found = needOf(answer.views, n0, BigInt((await l.provider.getBlock("latest"))!.timestamp));
        if (!("need" in found)) throw new Error(found.problem);
        const q = parseQuantity;
        expect([found.need.id, found.need.quantity, found.need.satisfied, found.need.committed]).to.deep.equal([n1, q("12"), q("4"), q("6")]);
        expect(found.need.commitments.map((c) => [c.id, c.fulfilled])).to.deep.equal([[c1, q("3")]]);
        expect(found.need.satisfiers.find((x) => x.unit === "ea")).to.include({ counted: false, reason: 'unit "ea" is not the need\'s "h"' });
        // Not the whole ledger: the need's entries alone.
        expect(answer.views.length).to.equal(8);
        // An entry that is not a need comes alone, with no need: a reader says what it is.
        const commitment = (await indexedNeed(indexer.url, c1, await registeredCommons(indexer.url)))!;
        expect([commitment.need, commitment.views.map((v) => v.id)]).to.deep.equal([undefined, [c1]]);
        expect(needOf(commitment.views, c1, 0n)).to.deep.equal({ problem: `entry ${c1} is a commitment, not a need` });
        for (const [path, status, error] of [
          ["/needs/one", 400, '"one" is not an entry id'],
          ["/needs/99999", 404, "no entry 99999 (yet)"],
        ] as const) {
          const r = await fetch(`${indexer.url}${path}`);
          expect([r.status, await r.json()], path).to.deep.equal([status, { error }]);
        }
      });

      it("follows the registry: a new version of a work, and a settlement reversed once its Ledger entry is corrected", async function () {
        const licensor = devWallet(1, l.provider);
        const company = devWallet(12, l.provider);
        const registry = registryContract(l.contracts.ReciprocityRegistry!, licensor);
        const chain = await readRegistry(l.provider, l.contracts.ReciprocityRegistry!, { fromBlock: l.fromBlock });
        const ppl = chain.works.find((w) => w.work === seeds.reciprocity.works.ppl)!;
        const { work, family, licensor: by, ...terms } = ppl;
        void by;
        await (
          await registry.registerWork({ ...terms, kind: LICENSE_KINDS.indexOf(ppl.kind), supersedes: work, termsUri: "https://example.org/ppl-v2" })
        ).wait();
        const settled = chain.records.find((r) => r.type === "settlement")!;
        await client.correct(company, settled.entryId, {
          action: "transfer",
          commons: seeds.demo.commons,
          receiver: licensor.address,
          quantity: "100",
          unit: "EUR",
        });
        await (await registry.reverseSettlement(settled.entryId)).wait();
        await expectSameAsChain();
        const versions = await indexedWorks(indexer.url, family);
        expect(versions.map((w) => w.termsUri).at(-1)).to.equal("https://example.org/ppl-v2");
        expect((await indexedRecords(indexer.url, { entry: settled.entryId })).map((r) => r.type)).to.deep.equal(["settlement", "reversal"]);
      });

      it("ignores another contract's look-alike events (another Ledger on the same chain)", async function () {
        const artifact = JSON.parse(readFileSync(path.join(root, "artifacts", "contracts", "Ledger.sol", "Ledger.json"), "utf8")) as {
          abi: [];
          bytecode: string;
        };
        const other = await new ContractFactory(artifact.abi, artifact.bytecode, devWallet(5, l.provider)).deploy();
        await other.waitForDeployment();
        const elsewhere = await LedgerClient.connect(devWallet(5, l.provider), await other.getAddress(), l.fromBlock);
        await elsewhere.submit(await elsewhere.sign(devWallet(6, l.provider), draft("9")));
        // One more entry here, so that the indexer has passed the look-alike's block.
        await client.submit(await client.sign(worker(), draft("1")));
        await expectSameAsChain();
      });

      it("follows a reorg: an entry that left the chain leaves the index, its replacement comes in", async function () {
        const snapshot = (await l.provider.send("evm_snapshot", [])) as string;
        const { id } = await client.submit(await client.sign(worker(), draft("7")));
        await indexer.waitForCount(id);
        expect(((await (await fetch(`${indexer.url}/entries/${id}`)).json()) as IndexedEntry).quantity).to.equal("7000000");
        await l.provider.send("evm_revert", [snapshot]);
        // Another record takes the same id in a new block at the same height, and the chain grows past it.
        const again = await client.submit(await client.sign(devWallet(3, l.provider), draft("8")));
        expect(again.id).to.equal(id);
        await l.provider.send("anvil_mine", ["0x2"]);
        const deadline = Date.now() + 30_000;
        while (((await (await fetch(`${indexer.url}/entries/${id}`)).json()) as IndexedEntry).quantity !== "8000000") {
          if (Date.now() > deadline) throw new Error("the indexer did not follow the reorg within 30 s");
          await new Promise((r) => setTimeout(r, 200));
        }
        await expectSameAsChain();
      });
    });

    describe("on a random ledger", function () {
      // A random mix, after everything above: records, needs, commitments and events that satisfy
      // them, validations (some by people the commons does not let validate), corrections (some of
      // entries already corrected, or by someone else), and a batch with an item the Ledger skips.
      // COMMONS_TEST_SEED replays a seed.
      const seed = Number(process.env.COMMONS_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));

      it(`holds what the chain reader derives: every entry and state, the accounts, the needs, each commons' and person's figures (seed ${seed})`, async function () {
        const rand = seededRandom(seed);
        const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
        const quantity = () => String(1 + Math.floor(rand() * 40) / 4);
        // alice, bob, carol, dave, erin (no role) and a stranger; the validators are the demo's, and erin.
        const contributors = [2, 3, 4, 5, 6, 9].map((i) => devWallet(i, l.provider));
        const validators = [1, 2, 3, 4, 5, 6, 7].map((i) => devWallet(i, l.provider));
        const commons = [seeds.demo.commons, seeds.demo.commons, seeds.demo.commons, id("indexer test: a commons nobody registered")];
        const due = (await client.now()) + 30n * 86_400n;
        const recorded: { id: bigint; by: (typeof contributors)[number]; draft: RecordDraft }[] = [];
        const needs: bigint[] = [];
        const draftOf = (who: string): RecordDraft => {
          const base = {
            action: pick(["work", "work", "use", "cite", "consume", "produce"] as const),
            commons: pick(commons),
            quantity: quantity(),
            unit: pick(["h", "h", "ea", "kg"]),
          };
          const roll = rand();
          if (roll < 0.15) return { ...base, flow: "need", receiver: who, time: due };
          if (roll < 0.3 && needs.length) return { ...base, flow: "commitment", provider: who, satisfies: pick(needs), time: due };
          if (roll < 0.5 && needs.length) return { ...base, satisfies: pick(needs) };
          return base;
        };
        const keep = (id: bigint, by: (typeof contributors)[number], draft: RecordDraft) => {
          recorded.push({ id, by, draft });
          if (draft.flow === "need") needs.push(id);
        };
        const corrected = new Set<bigint>();
        const done = { records: 0, validations: 0, corrections: 0, refused: [] as string[] };
        for (let step = 0; step < 60; step++) {
          const roll = rand();
          try {
            if (roll < 0.45 || recorded.length === 0) {
              const by = pick(contributors);
              const draft = draftOf(by.address);
              keep((await client.submit(await client.sign(by, draft))).id, by, draft);
              done.records++;
            } else if (roll < 0.8) {
              // Mostly an entry that still stands (a corrected one is refused, as is one in a commons nobody registered).
              const standing = recorded.filter((r) => !corrected.has(r.id) && r.draft.commons === seeds.demo.commons);
              await client.validate(pick(validators), pick(rand() < 0.9 && standing.length ? standing : recorded).id, rand() < 0.75 ? "accept" : "dispute");
              done.validations++;
            } else {
              // Mostly by its author; now and then by someone else, which the Ledger refuses.
              const target = pick(recorded);
              const by = rand() < 0.85 ? target.by : pick(contributors);
              const draft = { ...target.draft, quantity: quantity() };
              // A need's receiver and a commitment's provider are its agent: the one who signs.
              if (draft.flow === "need") draft.receiver = by.address;
              if (draft.flow === "commitment") draft.provider = by.address;
              keep((await client.correct(by, target.id, draft)).id, by, draft);
              corrected.add(target.id);
              done.corrections++;
            }
          } catch (error) {
            // Only the Ledger's refusals (self-validation, a second verdict, no role, a corrected entry, another's entry).
            if (!/^the Ledger refused: /.test((error as Error).message)) throw error;
            done.refused.push((error as Error).message);
          }
        }
        const by = pick(contributors);
        const [a, b] = [await client.sign(by, draftOf(by.address)), await client.sign(by, draftOf(by.address), { nonceOffset: 1n })];
        const batch = await client.submitBatch([a, b, a]);
        expect(batch.skipped.map((x) => x.index)).to.deep.equal([2n]);
        // Enough of each happened for the comparison to mean something.
        expect(done.records, JSON.stringify(done)).to.be.greaterThan(8);
        expect(done.validations, JSON.stringify(done)).to.be.greaterThan(4);
        expect(done.corrections, JSON.stringify(done)).to.be.greaterThan(1);
        await expectSameAsChain();
        await expectSameAccounts();
      });
    });
  });
}
