// `commons trace | track | needs | plan | commit` end to end against a real anvil with the Ledger deployed
// through Ignition and the demo commons and supply chain seeded (seed.ts, seed-supply.ts), as an
// auditor and a coordinator use them; bad input exits 2 with one line, before any RPC call.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ContractFactory, keccak256 } from "ethers";
import { LedgerClient } from "../scripts/lib/core/client.js";
import type { RecordDraft } from "../scripts/lib/core/client.js";
import { readLedgerCached, readPipelined } from "../scripts/lib/node/entry-cache.js";
import { readLedger } from "../scripts/lib/core/reader.js";
import { SupplyGraph } from "../scripts/lib/supply/supply.js";
import { verifyHops } from "../scripts/lib/verify/hops.js";
import { labelId } from "../scripts/lib/core/record.js";
import { deriveEntries, kindOf } from "../scripts/lib/core/views.js";
import type { EntryView } from "../scripts/lib/core/views.js";
import { devWallet, seedDemo } from "../scripts/demo/seed.js";
import { RECIPES_FILE, seedSupply, SUPPLY_LABELS } from "../scripts/demo/seed-supply.js";
import type { SupplySeedResult } from "../scripts/demo/seed-supply.js";
import { runCli, startLocalLedger, startTestRelayer } from "./helpers/local-ledger.js";
import type { LocalLedger, Run } from "./helpers/local-ledger.js";
import { expectNear } from "./helpers/numbers.js";
import { itRejectsBeforeAnyRpc, startRequestCounter } from "./helpers/request-counter.js";
import type { RequestCounter } from "./helpers/request-counter.js";

interface JsonNode {
  kind: string;
  id?: string;
  action?: string;
  quantity?: string;
  unit?: string;
  signer?: string;
  transactionHash?: string;
  state?: string;
  resource?: string;
  resourceSpec?: string;
  verified?: { ok: boolean; signature: string; inclusion: string };
  children: JsonNode[];
}

interface SatisfierJson {
  id: string;
  flow: string;
  counted: boolean;
}

/** A need as `commons needs --json` gives it. */
interface NeedJson {
  id: string;
  what: string;
  processName: string | null;
  signal: { process: string; book: string } | null;
  quantity: string;
  satisfied: string;
  committed: string;
  open: string;
  uncommitted: string;
  status: string;
  commitments: {
    id: string;
    agent: string;
    quantity: string;
    unit: string;
    fulfilled: string;
    open: string;
    counted: boolean;
    late: boolean;
    satisfiers: SatisfierJson[];
  }[];
  satisfiers: SatisfierJson[];
}

function flatten(n: JsonNode, out: JsonNode[] = []): JsonNode[] {
  const stack = [n];
  while (stack.length) {
    const x = stack.pop()!;
    out.push(x);
    stack.push(...x.children);
  }
  return out;
}

describe("commons trace, track, needs, plan, commit", function () {
  this.timeout(240_000);
  let l: LocalLedger;
  let dir: string;
  let seeded: SupplySeedResult;
  let commons: string;
  let env: Record<string, string>;
  const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { ...env, ...extra });
  const ok = (r: Run) => expect(r.code, r.stdout + r.stderr).to.equal(0);

  before(async () => {
    l = await startLocalLedger();
    dir = mkdtempSync(path.join(tmpdir(), "commons-supply-"));
    const demo = await seedDemo(l.provider, l.ledger, l.fromBlock, () => {});
    commons = demo.commons;
    seeded = await seedSupply(l.provider, l.ledger, l.fromBlock, demo, { labelsFile: path.join(dir, "labels.json"), log: () => {} });
    env = { COMMONS_RPC_URL: l.rpc, COMMONS_LEDGER: l.ledger, COMMONS_DATA_DIR: dir };
  });

  after(async () => {
    await l?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe("trace", () => {
    it("shows the kit's full provenance, every hop verified (signature, receipt, hash chain)", async () => {
      const r = await cli(["trace", SUPPLY_LABELS.kit, "--verify"]);
      ok(r);
      for (const text of [
        "transfer 1 ea open sensor kit #1",
        "produce 1 ea open sensor kit #1",
        "process process: assemble open sensor kit #1",
        "consume 12 ea enclosure parts batch 1",
        "process process: print sensor enclosures",
        "use 4 h 3D printer #1 (Prusa MK4)",
        "cite 1 ea spec design: sensor enclosure v2 (CERN-OHL-S)",
        "cite 1 ea spec design: open sensor v1 (CERN-OHL-S)",
        "consume 0.6 kg filament lot 2026-11 #1 (recycled PLA)",
        "transfer 5 kg filament lot 2026-11 #1 (recycled PLA)",
        "process process: extrude recycled filament, lot 2026-11 #1",
        "consume 5.5 kg PET bottle flakes (sorted, washed)",
        "consume 1 ea sensor board batch 7",
        "consume 3 ea ESP32 module",
      ])
        expect(r.stdout).to.include(text);
      expect(r.stdout).to.not.include("✗");
      const summary = /verified (\d+) of (\d+) hops/.exec(r.stdout)!;
      expect(summary[1]).to.equal(summary[2]);
      expect(Number(summary[1])).to.equal(19);
      expect(r.stdout).to.match(/\[accepted\]/);
      expect(r.stdout).to.match(/Resource now: 1 ea accounted \(0x\w{6}…\w{4}\), 1 ea on hand \(0x\w{6}…\w{4}\)/);
    });

    it("gives each hop as JSON with entry id, action, quantity, signer, tx hash, state and its verification", async () => {
      const r = await cli(["trace", seeded.kit, "--json", "--verify"]);
      ok(r);
      const j = JSON.parse(r.stdout) as { events: number; root: JsonNode; resource: { custodians: string[]; location: string } };
      const hops = flatten(j.root).filter((n) => n.kind === "event");
      expect(hops).to.have.length(j.events);
      const produceKit = hops.find((h) => h.action === "produce" && h.resource === seeded.kit)!;
      expect(produceKit).to.include({ quantity: "1", unit: "ea", signer: devWallet(2, l.provider).address, state: "accepted" });
      expect(produceKit.transactionHash).to.match(/^0x[0-9a-f]{64}$/);
      expect(hops.every((h) => h.verified?.ok === true)).to.equal(true);
      const receipt = await l.provider.getTransactionReceipt(produceKit.transactionHash!);
      expect(receipt!.logs.some((log) => log.address === l.ledger && BigInt(log.topics[1]) === BigInt(produceKit.id!))).to.equal(true);
      expect(j.resource.custodians).to.deep.equal([devWallet(7, l.provider).address]);
      expect(j.resource.location).to.equal(labelId(SUPPLY_LABELS.field));
    });

    it("exits 1 with --verify when the receiver of a hand-over in the provenance refused it, naming the entry", async () => {
      // A returned kit is handed from one stranger to another, who refuses it: every signature is valid, the custody is not.
      const [giver, receiver] = [devWallet(9, l.provider), devWallet(8, l.provider)];
      const client = await LedgerClient.connect(giver, l.ledger, l.fromBlock);
      const returned = labelId("returned sensor kit (refused hand-over test)");
      const signed = await client.sign(giver, {
        action: "transfer",
        commons,
        provider: giver.address,
        receiver: receiver.address,
        resource: returned,
        resourceSpec: labelId("open sensor kit"),
        quantity: "1",
        unit: "ea",
      });
      const { id } = await client.submit(signed);
      const before = await cli(["trace", returned, "--verify"]);
      ok(before);
      expect(before.stdout).to.match(/custody: 0 of 1 hand-overs confirmed by their receiver; unconfirmed \(the provider's word alone\): #\d+/);
      await (await LedgerClient.connect(receiver, l.ledger, l.fromBlock)).validate(receiver, id, "refuse");
      const r = await cli(["trace", returned, "--verify"]);
      expect(r.code, r.stderr).to.equal(1);
      expect(r.stdout).to.include(`verified 1 of 1 hops`);
      expect(r.stdout).to.include(`custody: 0 of 1 hand-overs confirmed by their receiver; REFUSED by the receiver named: #${id}`);
    });

    it("writes Graphviz DOT with events, processes and flow edges", async () => {
      const r = await cli(["trace", seeded.kit, "--dot"]);
      ok(r);
      expect(r.stdout).to.match(/^digraph trace \{/);
      expect(r.stdout).to.include(`"p:${labelId(SUPPLY_LABELS.assemble)}" [shape=ellipse`);
      expect(r.stdout).to.match(/"e:\d+" -> "p:0x[0-9a-f]{64}";/);
    });
  });

  describe("track", () => {
    it("follows the recycled filament forward into the parts, the kit and the field team", async () => {
      const r = await cli(["track", SUPPLY_LABELS.filament, "--json"]);
      ok(r);
      const hops = flatten((JSON.parse(r.stdout) as { root: JsonNode }).root).filter((n) => n.kind === "event");
      expect(hops.some((h) => h.action === "produce" && h.resource === labelId(SUPPLY_LABELS.parts))).to.equal(true);
      expect(hops.some((h) => h.action === "produce" && h.resource === seeded.kit)).to.equal(true);
      expect(hops.some((h) => h.action === "move" && h.resource === seeded.kit)).to.equal(true);
    });
  });

  describe("needs", () => {
    it("accounts counts contributions by default; --kind flow gives the supply chain's goods, --kind all both", async () => {
      type Row = { agent: string; action: string; unit: string; entries: number };
      const rowsOf = async (...extra: string[]) => {
        const r = await cli(["accounts", "--json", ...extra]);
        ok(r);
        return JSON.parse(r.stdout) as Row[];
      };
      const [contributions, flows, all] = [await rowsOf(), await rowsOf("--kind", "flow"), await rowsOf("--kind", "all")];
      expect(contributions.length).to.be.above(0);
      expect(flows.length).to.be.above(0);
      for (const r of contributions) expect(kindOf(r as Pick<EntryView, "action" | "unit">), `${r.action} ${r.unit}`).to.equal("contribution");
      for (const r of flows) expect(kindOf(r as Pick<EntryView, "action" | "unit">), `${r.action} ${r.unit}`).to.equal("flow");
      expect(flows.map((r) => `${r.action} ${r.unit}`)).to.include.members(["consume kg", "produce kg", "transfer kg"]);
      expect(all.length).to.equal(contributions.length + flows.length);
      const bad = await cli(["accounts", "--kind", "goods"]);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.equal('commons: --kind: "goods" is not one of: contribution, flow, all\n');
    });

    it("lists open needs with what is met: 5 of 20 kg filament, 1 of 3 kits, 4 of 10 h review", async () => {
      const r = await cli(["needs", "--json"]);
      ok(r);
      const needs = JSON.parse(r.stdout) as NeedJson[];
      const by = (id: bigint) => needs.find((n) => n.id === id.toString())!;
      expect(by(seeded.needs.filament)).to.include({ what: "PLA filament 1.75 mm", quantity: "20", satisfied: "5", open: "15", status: "uncommitted" });
      expect(by(seeded.needs.kits)).to.include({ what: "open sensor kit", quantity: "3", satisfied: "1", open: "2", status: "uncommitted" });
      expect(by(seeded.needs.review)).to.include({ quantity: "10", satisfied: "4", open: "6", status: "uncommitted" });
      const table = await cli(["needs"]);
      ok(table);
      expect(table.stdout).to.match(/consume PLA filament 1\.75 mm\s+20 kg\s+5 \(25%\)\s+15 kg/);
    });
  });

  describe("plan", () => {
    it("computes the activity levels for the open kit demand, nets stock, and publishes the needs", async () => {
      const r = await cli(["plan", "--recipes", RECIPES_FILE, "--commons", commons, "--json"]);
      ok(r);
      const plan = JSON.parse(r.stdout) as {
        recordedBy: string;
        demandNeeds: string[];
        hash: string;
        processes: { name: string; activity: number[] }[];
        specs: { spec: string; stock: number }[];
        inputs: { spec: string; action: string; gross: number; inventory: number; toPublish: number }[];
        warnings: { entry?: string; message: string }[];
      };
      expect(plan.demandNeeds).to.deep.equal([seeded.needs.kits.toString()]);
      expect(plan.recordedBy).to.match(/^\d+$/);
      // The kits are due in three weeks (periods of 7 days): assembled in the week before, the parts
      // printed the week before that; the two boards on hand need no soldering.
      const week = (t: number, x: number) => Array.from({ length: 8 }, (_, i) => (i === t ? x : 0));
      expect(plan.processes.map((p) => [p.name, p.activity])).to.deep.equal([
        ["process: assemble open sensor kit", week(2, 2)],
        ["process: print sensor enclosures", week(1, 2)],
        ["process: solder sensor boards", week(0, 0)],
      ]);
      expect(plan.specs.find((s) => s.spec === "sensor board")!.stock).to.equal(2);
      // The design review need (work hours) is not in the book: skipped with a warning naming it, never an error.
      expect(plan.warnings.find((w) => w.entry === seeded.needs.review.toString())?.message).to.equal(
        `need #${seeded.needs.review} (work 6 h) skipped: the book neither makes nor uses "design review of open sensor kit v2"`,
      );
      const input = (spec: string) => plan.inputs.find((i) => i.spec === spec)!;
      expectNear(input("PLA filament 1.75 mm").gross, 1.2, 1e-9);
      expect(input("PLA filament 1.75 mm").toPublish).to.equal(0);
      expect(input("3D printer #1 (Prusa MK4)")).to.include({ action: "use", gross: 8, toPublish: 8 });
      const replan = JSON.parse((await cli(["plan", "--recipes", RECIPES_FILE, "--commons", commons, "--json"])).stdout) as typeof plan;
      expect(replan.hash, "same ledger + same book = same plan").to.equal(plan.hash);

      const published = await cli(["plan", "--recipes", RECIPES_FILE, "--commons", commons, "--publish"], {
        COMMONS_PRIVATE_KEY: devWallet(1, l.provider).privateKey,
      });
      ok(published);
      expect(published.stdout).to.match(/published: intents #\d+, #\d+; needs #\d+, #\d+, #\d+/);
      const again = JSON.parse((await cli(["plan", "--recipes", RECIPES_FILE, "--commons", commons, "--json"])).stdout) as typeof plan;
      expect(again.inputs.every((i) => i.toPublish < 1e-9)).to.equal(true);
      const needs = JSON.parse((await cli(["needs", "--json"])).stdout) as { what: string; open: string }[];
      expect(needs.find((n) => n.what === "3D printer #1 (Prusa MK4)")).to.include({ open: "8" });
    });
    describe("when strangers try to steer the plan", () => {
      const stranger = () => devWallet(9, l.provider);
      type PlanJson = {
        demandNeeds: string[];
        outsideDemand: string[];
        pipeline: string[];
        processes: { name: string; activity: number[] }[];
        specs: { spec: string; scheduled: number[] }[];
        warnings: { entry?: string; message: string }[];
      };
      const planJson = async (...extra: string[]) => {
        const r = await cli(["plan", "--recipes", RECIPES_FILE, "--commons", commons, "--json", ...extra]);
        ok(r);
        return JSON.parse(r.stdout) as PlanJson;
      };
      let fake: bigint;

      it("counts a stranger's need as demand but names it as outside the commons, and --demand-from members leaves it out", async () => {
        const client = await LedgerClient.connect(stranger(), l.ledger, l.fromBlock);
        const due = (await client.now()) + 3n * 86_400n;
        const signed = await client.sign(stranger(), {
          flow: "need",
          action: "transfer",
          commons,
          receiver: stranger().address,
          resourceSpec: labelId("open sensor kit"),
          quantity: "1000",
          unit: "ea",
          time: due,
        });
        fake = (await client.submit(signed)).id;
        const plan = await planJson();
        expect(plan.demandNeeds).to.include(String(fake));
        expect(plan.outsideDemand).to.include(String(fake));
        const members = await planJson("--demand-from", "members");
        expect(members.demandNeeds).to.not.include(String(fake));
        expect(members.warnings.map((w) => w.message).join("\n")).to.match(
          new RegExp(`from accounts that are not members of the commons .* skipped: .*#${fake}`),
        );
      });

      it("counts a stranger's commitment to the coordinator's intent at most at what the intent asks, and not once it is past due", async () => {
        const needs = JSON.parse((await cli(["needs", "--json", "--commons", commons])).stdout) as {
          id: string;
          action: string;
          what: string;
          open: string;
          status: string;
        }[];
        const intent = needs.find((n) => n.action === "produce" && n.what === "open sensor kit")!;
        expect(intent, "plan --publish recorded an intent to assemble kits").to.not.equal(undefined);
        const client = await LedgerClient.connect(stranger(), l.ledger, l.fromBlock);
        const soon = (await client.now()) + 600n;
        const signed = await client.sign(stranger(), {
          flow: "commitment",
          action: "produce",
          commons,
          provider: stranger().address,
          resourceSpec: labelId("open sensor kit"),
          process: labelId("process: assemble open sensor kit"),
          side: "output",
          quantity: "1000000",
          unit: "ea",
          time: soon,
          satisfies: BigInt(intent.id),
        });
        const promise = (await client.submit(signed)).id;
        const before = await planJson("--coordinator", devWallet(1, l.provider).address);
        expect(before.pipeline).to.include(String(promise));
        const onItsWay = before.specs.find((x) => x.spec === "open sensor kit")!.scheduled.reduce((a, v) => a + v, 0);
        expect(onItsWay, "capped at the intent's open quantity").to.equal(Number(intent.open));
        await l.provider.send("evm_increaseTime", [1200]);
        await l.provider.send("evm_mine", []);
        const after = await planJson("--coordinator", devWallet(1, l.provider).address);
        expect(after.pipeline).to.not.include(String(promise));
        expect(after.warnings.map((w) => w.message).join("\n")).to.include(`commitment #${promise} to intent #${intent.id} is past its due`);
        // Once the promise is past due the plan makes those kits itself again.
        const kits = (p: PlanJson) => p.processes.find((x) => x.name === "process: assemble open sensor kit")!.activity.reduce((a, v) => a + v, 0);
        expectNear(kits(after) - kits(before), onItsWay, 1e-9, "kits planned again");
      });

      it("replans when demand changes: the coordinator's intent is superseded by a correction that keeps its commitments", async () => {
        // Yara (a steward) asks for one more kit, due with the first three; the stranger's 1,000 are left out.
        const yara = devWallet(7, l.provider);
        const client = await LedgerClient.connect(yara, l.ledger, l.fromBlock);
        const kitNeed = JSON.parse((await cli(["needs", "--json", "--commons", commons])).stdout).find(
          (n: { id: string }) => n.id === seeded.needs.kits.toString(),
        ) as { due: string };
        await client.submit(
          await client.sign(yara, {
            flow: "need",
            action: "transfer",
            commons,
            receiver: yara.address,
            resourceSpec: labelId("open sensor kit"),
            quantity: "1",
            unit: "ea",
            time: BigInt(Date.parse(kitNeed.due) / 1000),
          }),
        );
        // Through a relayer: the new signals in batches, the superseding corrections alone; the coordinator pays nothing.
        const relayer = await startTestRelayer(l, 8, path.join(l.dataDir, "plan-relayer.sqlite"));
        const coordinator = devWallet(1, l.provider);
        const sentBefore = await l.provider.getTransactionCount(coordinator.address);
        let r: Run;
        try {
          r = await cli(["plan", "--recipes", RECIPES_FILE, "--commons", commons, "--demand-from", "members", "--publish", "--relayer", relayer.url], {
            COMMONS_PRIVATE_KEY: coordinator.privateKey,
          });
        } finally {
          await relayer.close();
        }
        ok(r);
        expect(await l.provider.getTransactionCount(coordinator.address)).to.equal(sentBefore, "the coordinator sent no transaction");
        const m = /superseded (#\d+(?:, #\d+)*)/.exec(r.stdout);
        expect(m, r.stdout).to.not.equal(null);
        const needs = JSON.parse((await cli(["needs", "--json", "--all", "--commons", commons])).stdout) as {
          id: string;
          action: string;
          what: string;
          quantity: string;
          commitments: { id: string }[];
        }[];
        const assemble = needs.filter((n) => n.action === "produce" && n.what === "open sensor kit");
        expect(assemble.map((n) => n.quantity)).to.include("3");
        expect(assemble.flatMap((n) => n.commitments).length, "the stranger's commitment still points at the intent").to.be.greaterThan(0);
      });
    });
  });

  describe("plan signals: needs and commit", () => {
    // Mira coordinates: she publishes the plan's signals (intents to produce a process's output in a
    // period); bob answers one with `commons commit` and delivers part of it.
    const P = {
      assemble: "process: assemble solar chargers, week 49",
      cut: "process: cut charger panels, week 49",
      test: "process: test charger batteries, week 49",
    };
    let labelsFile: string;
    let client: LedgerClient;
    let book: string;
    let s1: bigint, s2: bigint, s3: bigint, commitment: bigint, delivered: bigint;
    const mira = () => devWallet(1, l.provider);
    const bob = () => devWallet(3, l.provider);
    const needsJson = async (...args: string[]) => {
      const r = await cli(["needs", "--json", "--commons", commons, "--labels", labelsFile, ...args]);
      ok(r);
      return JSON.parse(r.stdout) as NeedJson[];
    };
    const signalDraft = (process: string, spec: string, quantity: string, due: bigint): RecordDraft => ({
      flow: "need",
      action: "produce",
      receiver: mira().address,
      commons,
      resourceSpec: labelId(spec),
      process: labelId(process),
      side: "output",
      quantity,
      unit: "ea",
      time: due,
      evidence: book,
    });

    before(async () => {
      labelsFile = path.join(dir, "signal-labels.json");
      writeFileSync(
        labelsFile,
        JSON.stringify([
          ...JSON.parse(readFileSync(path.join(dir, "labels.json"), "utf8")),
          ...Object.values(P),
          "solar charger",
          "charger panel",
          "tested battery",
        ]),
      );
      client = await LedgerClient.connect(devWallet(0, l.provider), l.ledger, l.fromBlock);
      book = keccak256(readFileSync(RECIPES_FILE));
      const now = await client.now();
      s1 = (await client.submit(await client.sign(mira(), signalDraft(P.assemble, "solar charger", "4", now + 7n * 86_400n)))).id;
      s2 = (await client.submit(await client.sign(mira(), signalDraft(P.cut, "charger panel", "10", now + 7n * 86_400n)))).id;
      s3 = (await client.submit(await client.sign(mira(), signalDraft(P.test, "tested battery", "5", now + 3600n)))).id;
    });

    it("commit records a commitment that satisfies the intent, in its unit, due when asked", async () => {
      const r = await cli(["commit", String(s1), "--quantity", "3", "--due", "+3d", "--unit", "ea"], { COMMONS_PRIVATE_KEY: bob().privateKey });
      ok(r);
      const m = new RegExp(
        `^commitment #(\\d+): 3 ea by ${bob().address}, due \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC, satisfies need #${s1} \\(tx 0x[0-9a-f]{64}\\)`,
      ).exec(r.stdout);
      expect(m, r.stdout).to.not.equal(null);
      commitment = BigInt(m![1]);
      const { entries } = await client.events();
      const c = entries.find((e) => e.id === commitment)!;
      expect(c.signer).to.equal(bob().address);
      expect(c.record).to.include({
        flow: 3,
        satisfies: s1,
        process: labelId(P.assemble),
        resourceSpec: labelId("solar charger"),
        side: 2,
        quantity: 3_000_000n,
      });
      // Bob delivers one charger against his commitment.
      delivered = (
        await client.submit(
          await client.sign(bob(), {
            action: "produce",
            commons,
            resource: labelId("solar charger #1"),
            resourceSpec: labelId("solar charger"),
            process: labelId(P.assemble),
            side: "output",
            quantity: "1",
            unit: "ea",
            satisfies: commitment,
          }),
        )
      ).id;
    });

    it("needs --json gives each intent's chain: commitments, their events, what is fulfilled, committed and open, and the status", async () => {
      const needs = await needsJson();
      const one = needs.find((n) => n.id === String(s1))!;
      expect(one).to.include({
        what: "solar charger",
        processName: P.assemble,
        quantity: "4",
        satisfied: "1",
        committed: "3",
        open: "3",
        uncommitted: "1",
        status: "partly committed",
      });
      expect(one.signal).to.deep.equal({ process: labelId(P.assemble), book });
      expect(one.commitments).to.have.length(1);
      expect(one.commitments[0]).to.include({
        id: String(commitment),
        agent: bob().address,
        quantity: "3",
        unit: "ea",
        fulfilled: "1",
        open: "2",
        counted: true,
        late: false,
      });
      expect(one.commitments[0].satisfiers.map((s) => [s.id, s.flow, s.counted])).to.deep.equal([[String(delivered), "event", true]]);
      expect(needs.find((n) => n.id === String(s2))).to.include({ status: "uncommitted", committed: "0", open: "10" });
      expect(needs.find((n) => n.id === String(s3))).to.include({ status: "uncommitted" });
    });

    it("needs prints the table and each need's chain: intent, commitment, event, what is open", async () => {
      const r = await cli(["needs", "--commons", commons, "--labels", labelsFile]);
      ok(r);
      expect(r.stdout).to.match(/produce solar charger\s+4 ea\s+1 \(25%\)\s+3 ea\s+3\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+partly committed/);
      expect(r.stdout).to.include(`#${s1} produce 4 ea solar charger in ${P.assemble} by 0x`);
      expect(r.stdout).to.match(
        new RegExp(`├─ commitment #${commitment} 3 ea by 0x\\w{6}…\\w{4}, due \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\[claimed\\]: 1 fulfilled, 2 open`),
      );
      expect(r.stdout).to.match(new RegExp(`│  └─ event #${delivered} produce 1 ea by 0x\\w{6}…\\w{4} \\[claimed\\]`));
      expect(r.stdout).to.include("└─ open: 3 ea, of which 1 ea nobody has committed to");
    });

    it("needs --processes puts the process behind first, then the uncommitted, then the partly committed", async () => {
      await l.provider.send("evm_increaseTime", [7200]);
      await l.provider.send("evm_mine", []);
      const r = await cli(["needs", "--processes", "--commons", commons, "--labels", labelsFile]);
      ok(r);
      // (plan --publish above also signalled the demo book's processes in this commons: look at these three)
      const ours = (name: string) => [P.test, P.cut, P.assemble].includes(name);
      const rows = r.stdout.split("\n").filter((line) => ours(line.split(/\s{2,}/)[0]));
      expect(rows[0]).to.match(
        new RegExp(`^${P.test}\\s+tested battery\\s+5 ea\\s+0\\s+0\\s+5\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\s+behind\\s+#${s3}\\s+#${s3}`),
      );
      expect(rows[1]).to.match(new RegExp(`^${P.cut}\\s+charger panel\\s+10 ea\\s+0\\s+0\\s+10\\s+.*uncommitted`));
      expect(rows[2]).to.match(new RegExp(`^${P.assemble}\\s+solar charger\\s+4 ea\\s+3\\s+1\\s+3\\s+.*partly committed`));
      const json = JSON.parse((await cli(["needs", "--processes", "--json", "--commons", commons, "--labels", labelsFile])).stdout) as {
        processName: string;
        status: string;
        behind: string[];
      }[];
      expect(json.filter((p) => ours(p.processName)).map((p) => [p.processName, p.status, p.behind])).to.deep.equal([
        [P.test, "behind", [String(s3)]],
        [P.cut, "uncommitted", []],
        [P.assemble, "partly committed", []],
      ]);
      // The intent past due stays on the default list: it is behind, not forgotten.
      expect((await needsJson()).find((n) => n.id === String(s3))).to.include({ status: "behind" });
    });

    it("a correction superseding an intent keeps the commitment and its event attached", async () => {
      const due = (await client.events()).entries.find((e) => e.id === s1)!.record.time;
      const draft = signalDraft(P.assemble, "solar charger", "6", due);
      const { id } = await client.correct(mira(), s1, { ...draft, evidence: keccak256(Buffer.from("recipes, next version")) });
      const needs = await needsJson();
      expect(needs.some((n) => n.id === String(s1))).to.equal(false);
      const replaced = needs.find((n) => n.id === String(id))!;
      expect(replaced).to.include({ quantity: "6", satisfied: "1", committed: "3", open: "5", uncommitted: "3", status: "partly committed" });
      expect(replaced.commitments.map((c) => [c.id, c.fulfilled])).to.deep.equal([[String(commitment), "1"]]);
      const r = await cli(["commit", String(s1), "--quantity", "1"], { COMMONS_PRIVATE_KEY: bob().privateKey });
      expect(r.code).to.equal(2);
      expect(r.stderr.trim()).to.equal(`commons: need-id: need #${s1} was corrected by #${id}; commit to the standing need #${id}`);
    });

    describe("commit, when the input does not fit the need", () => {
      const cases: [string, () => string[], () => RegExp][] = [
        ["an entry that does not exist", () => ["commit", "99999", "--quantity", "1"], () => /need-id: there is no entry #99999 on ledger 0x/],
        [
          "an entry that is not a need",
          () => ["commit", String(delivered), "--quantity", "1"],
          () => new RegExp(`need-id: entry #${delivered} is an event \\(produce\\), not a need`),
        ],
        ["another unit", () => ["commit", String(s2), "--quantity", "1", "--unit", "kg"], () => new RegExp(`--unit: need #${s2} is counted in "ea", not "kg"`)],
        [
          "more than is open",
          () => ["commit", String(s2), "--quantity", "11"],
          () => new RegExp(`--quantity: 11 ea is more than the 10 ea still open on need #${s2}`),
        ],
        [
          "a need past due",
          () => ["commit", String(s3), "--quantity", "1"],
          () => new RegExp(`need-id: need #${s3} was due \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC and is behind; it takes no new commitments`),
        ],
        ["a due in the past", () => ["commit", String(s2), "--quantity", "1", "--due", "2020-01-01"], () => /--due: 2020-01-01 00:00 UTC is in the past/],
      ];
      for (const [what, args, message] of cases)
        it(`exits 2 with one sentence and records nothing for ${what}`, async () => {
          const before = await client.tip();
          const r = await cli(args(), { COMMONS_PRIVATE_KEY: bob().privateKey });
          expect(r.code, r.stdout + r.stderr).to.equal(2);
          expect(r.stderr.trim().split("\n")).to.have.length(1);
          expect(r.stderr).to.match(message());
          expect((await client.tip()).count).to.equal(before.count);
        });
    });
  });

  describe("verifyHops", () => {
    it("verifies an ERC-1271 wallet's hop at its recording block, and fails hops that are not where they claim", async () => {
      const artifact = JSON.parse(
        readFileSync(path.join(import.meta.dirname, "..", "artifacts", "contracts", "mocks", "ERC1271WalletMock.sol", "ERC1271WalletMock.json"), "utf8"),
      );
      const owner = devWallet(5, l.provider);
      const factory = new ContractFactory(artifact.abi, artifact.bytecode, devWallet(0, l.provider));
      const wallet = await factory.deploy(owner.address);
      await wallet.waitForDeployment();
      const walletAddress = await wallet.getAddress();
      const client = await LedgerClient.connect(devWallet(0, l.provider), l.ledger, l.fromBlock);
      const asWallet = { getAddress: async () => walletAddress, signTypedData: owner.signTypedData.bind(owner) };
      const part = labelId("part made by a wallet");
      await client.submit(
        await client.sign(asWallet, {
          action: "produce",
          commons,
          provider: walletAddress,
          resource: part,
          process: labelId("wallet process"),
          side: "output",
          quantity: "1",
          unit: "ea",
        }),
      );
      // The wallet turns hostile afterwards: the signature was valid when recorded, and that is what is checked.
      await client.send(() => (wallet.connect(devWallet(0, l.provider)) as unknown as { setMode(m: number): Promise<never> }).setMode(1));

      const read = await readLedgerCached(l.provider, l.ledger, { fromBlock: l.fromBlock });
      const tree = new SupplyGraph(deriveEntries(read.events)).trace(part);
      const [hop] = [...tree.hops.values()];
      expect(hop.signer).to.equal(walletAddress);
      const kitHop = [...new SupplyGraph(deriveEntries(read.events)).trace(seeded.kit).hops.values()][0];
      const misplaced = { ...kitHop, transactionHash: hop.transactionHash };
      const missing = { ...kitHop, id: 10_000n };
      const v = await verifyHops(l.provider, l.ledger, read.events, read.block, [hop, misplaced, missing]);
      expect(v.chain.ok).to.equal(true);
      expect(hop.verified).to.deep.equal({ ok: true, signature: "ok", inclusion: "ok" });
      expect(misplaced.verified).to.deep.equal({
        ok: false,
        signature: "not checked",
        inclusion: `entry ${kitHop.id} is not among the ledger's events up to block ${read.block}`,
      });
      expect(missing.verified!.ok).to.equal(false);
      expect([v.verified, v.failed]).to.deep.equal([1, 2]);
    });
  });

  describe("readLedgerCached", () => {
    it("reads in full once, then serves the cache, and tops it up when a validation or an entry lands", async () => {
      const cacheDir = path.join(dir, "cache-test");
      const first = await readLedgerCached(l.provider, l.ledger, { fromBlock: l.fromBlock, dir: cacheDir });
      expect(first.cache).to.equal("miss");
      const second = await readLedgerCached(l.provider, l.ledger, { fromBlock: l.fromBlock, dir: cacheDir });
      expect(second.cache).to.equal("hit");
      expect(deriveEntries(second.events)).to.deep.equal(deriveEntries(first.events));
      // Answers are kept: the hand-over refused in the trace tests above is still refused when served from the cache.
      expect(deriveEntries(second.events).filter((v) => v.consent === "refused")).to.have.length(1);

      // A validation changes a state but not the head: the cache must not serve the old state.
      const client = await LedgerClient.connect(devWallet(0, l.provider), l.ledger, l.fromBlock);
      const target = first.events.entries.find((e) => e.record.resource === labelId(SUPPLY_LABELS.boards) && e.record.action === 4)!;
      expect(deriveEntries(first.events).find((v) => v.id === target.id)!.state).to.equal("claimed");
      await client.validate(devWallet(1, l.provider), target.id, "accept");
      const third = await readLedgerCached(l.provider, l.ledger, { fromBlock: l.fromBlock, dir: cacheDir });
      expect(third.cache).to.equal("updated");
      expect(third.tip.head).to.equal(first.tip.head);
      expect(deriveEntries(third.events).find((v) => v.id === target.id)!.state).to.equal("accepted");
      const fresh = await readLedgerCached(l.provider, l.ledger, { fromBlock: l.fromBlock });
      expect(fresh.cache).to.equal("off");
      expect(deriveEntries(third.events)).to.deep.equal(deriveEntries(fresh.events));
      // The pipelined full read (decoding while the next range is fetched) equals readLedger, in small ranges too.
      for (const chunkSize of [undefined, 3]) {
        const piped = await readPipelined(l.provider, l.ledger, { fromBlock: l.fromBlock, chunkSize });
        expect(piped).to.deep.equal(await readLedger(l.provider, l.ledger, { fromBlock: l.fromBlock, toBlock: await l.provider.getBlockNumber() }));
      }
    });
  });

  describe("bad input", () => {
    let counter: RequestCounter;
    before(async () => {
      counter = await startRequestCounter();
      const book = JSON.parse(readFileSync(RECIPES_FILE, "utf8"));
      writeFileSync(path.join(dir, "not-json.json"), "{ recipes");
      const negative = structuredClone(book);
      negative.processes[1].inputs[0].quantity = "-0.6";
      writeFileSync(path.join(dir, "negative.json"), JSON.stringify(negative));
      const units = structuredClone(book);
      units.processes[0].inputs[0].unit = "kg";
      writeFileSync(path.join(dir, "units.json"), JSON.stringify(units));
      const cycle = structuredClone(book);
      cycle.processes[2].inputs.push({ spec: "open sensor kit", quantity: "1", unit: "ea" });
      writeFileSync(path.join(dir, "cycle.json"), JSON.stringify(cycle));
    });
    after(() => counter.close());

    const base = () => ["--rpc", counter.url, "--ledger", l.ledger];
    const cases: [string, () => string[], RegExp][] = [
      ["a recipe file that is not JSON", () => [...base(), "plan", "--recipes", path.join(dir, "not-json.json")], /--recipes: not valid JSON/],
      [
        "a recipe file that does not exist",
        () => [...base(), "plan", "--recipes", path.join(dir, "nope.json")],
        /--recipes: file ".*nope.json" does not exist/,
      ],
      [
        "a negative coefficient",
        () => [...base(), "plan", "--recipes", path.join(dir, "negative.json")],
        /--recipes: process "process: print sensor enclosures" input "PLA filament 1.75 mm": quantity -0.6 is negative/,
      ],
      [
        "units that do not match",
        () => [...base(), "plan", "--recipes", path.join(dir, "units.json")],
        /--recipes: units do not match: process "process: assemble open sensor kit" takes "printed enclosure parts" in kg, process "process: print sensor enclosures" makes it in ea/,
      ],
      [
        "an unproductive cycle",
        () => [...base(), "plan", "--recipes", path.join(dir, "cycle.json")],
        /--recipes: the cycle of processes .*"process: solder sensor boards".* is not productive/,
      ],
      [
        "a horizon of 0 periods",
        () => [...base(), "plan", "--recipes", RECIPES_FILE, "--horizon", "0"],
        /--horizon: "0" is not a whole number of periods from 1 to 520/,
      ],
      [
        "a safety stock of a spec nobody makes",
        () => [...base(), "plan", "--recipes", RECIPES_FILE, "--safety", "gold=1"],
        /--safety: "gold" is made by no process/,
      ],
      ["--publish without --commons", () => [...base(), "plan", "--recipes", RECIPES_FILE, "--publish"], /--commons: is required with --publish/],
      [
        "--relayer without --publish",
        () => [...base(), "plan", "--recipes", RECIPES_FILE, "--relayer", "http://127.0.0.1:1"],
        /--relayer: sends what --publish records: give --publish too/,
      ],
      ["a --relayer that is no URL", () => [...base(), "plan", "--recipes", RECIPES_FILE, "--publish", "--relayer", "relay me"], /--relayer: /],
      ["a malformed resource id", () => [...base(), "trace", "0x1234"], /resource: "0x1234" is not a 32-byte hex value/],
      ["--json with --dot", () => [...base(), "track", "kit", "--json", "--dot"], /--dot: give --json or --dot, not both/],
      ["a malformed --commons", () => [...base(), "needs", "--commons", "lab"], /--commons: "lab" is not a 32-byte hex value/],
      ["a need that is no entry id", () => [...base(), "needs", "0x12"], /need: "0x12" is not a non-negative integer/],
      ["need 0", () => [...base(), "needs", "0"], /need: entry ids start at 1/],
      ["a need with --all", () => [...base(), "needs", "6", "--all"], /--all: give a need or --all, not both/],
      ["a need with --processes", () => [...base(), "needs", "6", "--processes"], /--processes: give a need or --processes, not both/],
      [
        "a commitment quantity that is not a number",
        () => [...base(), "commit", "7", "--quantity", "three"],
        /--quantity: "three" is not a non-negative decimal number/,
      ],
      ["a commitment of nothing", () => [...base(), "commit", "7", "--quantity", "0"], /--quantity: must be greater than 0/],
      ["a need id that is no entry id", () => [...base(), "commit", "0", "--quantity", "1"], /need-id: entry ids start at 1/],
      [
        "a due that is no date or duration",
        () => [...base(), "commit", "7", "--quantity", "1", "--due", "+2w"],
        /--due: "\+2w" is not a duration \(e.g. \+7d, \+12h, \+90m\)/,
      ],
    ];
    // The cases run as parallel processes (started once); none may send a single RPC request.
    itRejectsBeforeAnyRpc(cases, cli, () => counter);

    it("rejects an unknown resource with one line (exit 2)", async () => {
      const r = await cli(["trace", "no such resource"]);
      expect(r.code, r.stdout + r.stderr).to.equal(2);
      expect(r.stderr.trim().split("\n")).to.have.length(1);
      expect(r.stderr).to.match(/resource: no standing event names resource no such resource \(0x[0-9a-f]{64}\) on ledger/);
    });
  });
});
