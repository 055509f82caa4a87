// Open supply chains (scripts/lib/supply/supply.ts) on hand-built ledgers: the ValueFlows effects of each
// action on a resource, trace and track (repeated processes, splits, merges, corrections, cycles),
// the three output forms, and needs with their progress.
import { expect } from "chai";
import { Wallet, ZeroAddress, ZeroHash } from "ethers";
import { buildRecord, labelId } from "../scripts/lib/core/record.js";
import type { RecordInput } from "../scripts/lib/core/record.js";
import type { Entry, LedgerEvents } from "../scripts/lib/core/reader.js";
import { deriveNeeds, deriveResources, formatTree, isOpen, SupplyGraph, treeToDot, treeToJson } from "../scripts/lib/supply/supply.js";
import type { SupplyNode, SupplyTree } from "../scripts/lib/supply/supply.js";
import { deriveEntries } from "../scripts/lib/core/views.js";
import type { EntryView } from "../scripts/lib/core/views.js";

const ALICE = Wallet.createRandom().address;
const BOB = Wallet.createRandom().address;
const CAROL = Wallet.createRandom().address;
const COMMONS = labelId("commons: supply tests");
const T0 = 1_800_000_000n;

type Draft = Partial<Omit<RecordInput, "resource" | "process" | "resourceSpec">> & {
  action: RecordInput["action"];
  resource?: string;
  process?: string;
  spec?: string;
};

/** A ledger built by hand: entries 1..n in order, with corrections and validations as the contract emits them. */
class HandLedger {
  readonly events: LedgerEvents = { entries: [], validations: [], corrections: [], checkpoints: new Map(), skipped: [], all: [] };

  add(d: Draft): bigint {
    const id = BigInt(this.events.entries.length + 1);
    const record = buildRecord({
      provider: d.flow === "need" ? undefined : (d.provider ?? ALICE),
      commons: COMMONS,
      quantity: "1",
      unit: "ea",
      time: T0 + id,
      nonce: id,
      deadline: T0 + 1000n,
      ...d,
      resource: d.resource ? labelId(d.resource) : undefined,
      process: d.process ? labelId(d.process) : undefined,
      resourceSpec: d.spec ? labelId(d.spec) : undefined,
      side: d.side ?? (d.process ? (["produce", "modify", "separate", "dropoff", "copy"].includes(d.action) ? "output" : "input") : "none"),
    });
    const signer = record.provider !== ZeroAddress ? record.provider : record.receiver;
    const entry: Entry = {
      id,
      signer,
      commons: COMMONS,
      record,
      recordHash: ZeroHash,
      blockNumber: Number(id),
      transactionHash: "0x" + id.toString(16).padStart(64, "0"),
      logIndex: 0,
    };
    this.events.entries.push(entry);
    if (record.corrects !== 0n) this.events.corrections.push({ entryId: record.corrects, correctionId: id, blockNumber: Number(id) });
    return id;
  }

  dispute(entryId: bigint): void {
    this.events.validations.push({
      entryId,
      validator: CAROL,
      verdict: 1,
      evidence: ZeroHash,
      accepts: 0,
      disputes: 1,
      blockNumber: 0,
      transactionHash: ZeroHash,
    });
  }

  views(): EntryView[] {
    return deriveEntries(this.events);
  }
}

const R = (label: string) => labelId(label);

/** The tree as nested [what, children] pairs: events as "#id action", processes as "P label", seen as "-> ref". */
function shape(tree: SupplyTree, names: Record<string, string>): unknown {
  const label = (n: SupplyNode): string =>
    n.kind === "event"
      ? `#${n.hop.id} ${n.hop.action}`
      : n.kind === "process"
        ? `P ${names[n.process] ?? n.process}`
        : n.kind === "seen"
          ? `-> ${n.ref.startsWith("p:") ? `P ${names[n.ref.slice(2)]}` : `#${n.ref.slice(2)}`}`
          : "root";
  const walk = (n: SupplyNode): unknown => (n.children.length ? [label(n), n.children.map(walk)] : label(n));
  return (tree.root.children as SupplyNode[]).map(walk);
}

const processNames = (...labels: string[]) => Object.fromEntries(labels.map((l) => [labelId(l), l]));

describe("supply", () => {
  describe("deriveResources", () => {
    describe("when a resource is produced, consumed, raised and lowered", () => {
      it("applies increment and decrement to accounting and on-hand quantity of the holder", () => {
        const l = new HandLedger();
        l.add({ action: "produce", resource: "parts", process: "print", quantity: "10", receiver: BOB });
        l.add({ action: "consume", resource: "parts", process: "assemble", quantity: "3", provider: BOB });
        l.add({ action: "raise", resource: "parts", quantity: "2", provider: BOB });
        l.add({ action: "lower", resource: "parts", quantity: "1", provider: BOB });
        const parts = deriveResources(l.views()).get(R("parts"))!;
        expect(parts.accountingQuantity).to.equal(8_000_000n);
        expect(parts.onhandQuantity).to.equal(8_000_000n);
        expect(parts.accountable).to.deep.equal([BOB]);
        expect(parts.custodians).to.deep.equal([BOB]);
        expect(parts.events).to.deep.equal([1n, 2n, 3n, 4n]);
        expect(parts.problems).to.deep.equal([]);
      });
    });

    describe("when a resource changes hands", () => {
      it("transfer moves both quantities; transferAllRights only accounting; transferCustody only on-hand", () => {
        const l = new HandLedger();
        l.add({ action: "produce", resource: "kit", process: "assemble", quantity: "5" });
        l.add({ action: "transfer", resource: "kit", quantity: "2", provider: ALICE, receiver: BOB });
        l.add({ action: "transferAllRights", resource: "kit", quantity: "1", provider: ALICE, receiver: CAROL });
        l.add({ action: "transferCustody", resource: "kit", quantity: "1", provider: BOB, receiver: CAROL });
        const kit = deriveResources(l.views()).get(R("kit"))!;
        expect(Object.fromEntries(kit.accounting)).to.deep.equal({ [ALICE]: 2_000_000n, [BOB]: 2_000_000n, [CAROL]: 1_000_000n });
        expect(Object.fromEntries(kit.onhand)).to.deep.equal({ [ALICE]: 3_000_000n, [BOB]: 1_000_000n, [CAROL]: 1_000_000n });
        expect(kit.accountingQuantity).to.equal(5_000_000n);
        expect(kit.onhandQuantity).to.equal(5_000_000n);
      });

      it("reports an overdrawn holder instead of hiding it", () => {
        const l = new HandLedger();
        l.add({ action: "produce", resource: "kit", process: "assemble", quantity: "1" });
        l.add({ action: "transfer", resource: "kit", quantity: "2", provider: ALICE, receiver: BOB });
        const kit = deriveResources(l.views()).get(R("kit"))!;
        expect(kit.problems.map((p) => p.id)).to.deep.equal([2n, 2n]);
        expect(kit.problems[0].reason).to.match(/had less accounting quantity than the transfer of 2/);
      });
    });

    describe("when a resource moves, is picked up and dropped off, used or cited", () => {
      it("updates the location on move and dropoff only (from the evidence), and leaves quantities to use, cite, pickup", () => {
        const l = new HandLedger();
        const lab = labelId("location: lab");
        const shop = labelId("location: shop");
        l.add({ action: "produce", resource: "kit", process: "assemble", quantity: "1" });
        l.add({ action: "move", resource: "kit", quantity: "1", receiver: ALICE, evidence: lab });
        l.add({ action: "pickup", resource: "kit", process: "ship", quantity: "1" });
        l.add({ action: "dropoff", resource: "kit", process: "ship", quantity: "1", evidence: shop });
        l.add({ action: "use", resource: "kit", process: "demo", quantity: "2", unit: "ea" });
        l.add({ action: "cite", resource: "kit", process: "demo", quantity: "1" });
        const kit = deriveResources(l.views()).get(R("kit"))!;
        expect(kit.location).to.equal(shop);
        expect(kit.onhandQuantity).to.equal(1_000_000n);
        expect(kit.accountingQuantity).to.equal(1_000_000n);
      });
    });

    describe("when resources are combined and separated, accepted and modified", () => {
      it("contains a combined resource in the process output until it is separated; accept/modify move on-hand and set the stage", () => {
        const l = new HandLedger();
        l.add({ action: "produce", resource: "sensor", process: "make sensor", quantity: "1" });
        l.add({ action: "produce", resource: "board", process: "make board", quantity: "1" });
        l.add({ action: "combine", resource: "sensor", process: "pack", quantity: "1" });
        l.add({ action: "combine", resource: "board", process: "pack", quantity: "1" });
        l.add({ action: "produce", resource: "box", process: "pack", quantity: "1" });
        let rs = deriveResources(l.views());
        expect(rs.get(R("sensor"))!.containedIn).to.equal(R("box"));
        expect(rs.get(R("board"))!.containedIn).to.equal(R("box"));
        expect(rs.get(R("box"))!.contains).to.deep.equal([R("sensor"), R("board")]);
        expect(rs.get(R("sensor"))!.onhandQuantity).to.equal(0n);
        expect(rs.get(R("sensor"))!.accountingQuantity).to.equal(1_000_000n);

        l.add({ action: "separate", resource: "sensor", process: "unpack", quantity: "1" });
        l.add({ action: "accept", resource: "sensor", process: "repair", quantity: "1" });
        rs = deriveResources(l.views());
        expect(rs.get(R("sensor"))!.containedIn).to.equal(undefined);
        expect(rs.get(R("board"))!.containedIn).to.equal(R("box"));
        expect(rs.get(R("sensor"))!.onhandQuantity).to.equal(0n);
        l.add({ action: "modify", resource: "sensor", process: "repair", quantity: "1" });
        rs = deriveResources(l.views());
        expect(rs.get(R("sensor"))!.onhandQuantity).to.equal(1_000_000n);
        expect(rs.get(R("sensor"))!.stage).to.equal(labelId("repair"));
      });
    });

    describe("when entries are corrected or units disagree", () => {
      it("applies the correction instead of the corrected entry, ignores voids, and refuses a foreign unit", () => {
        const l = new HandLedger();
        const wrong = l.add({ action: "produce", resource: "filament", process: "extrude", quantity: "50", unit: "kg" });
        l.add({ action: "produce", resource: "filament", process: "extrude", quantity: "20", unit: "kg", corrects: wrong });
        const extra = l.add({ action: "produce", resource: "filament", process: "extrude", quantity: "5", unit: "kg" });
        l.add({ action: "produce", resource: "filament", process: "extrude", quantity: "0", unit: "kg", corrects: extra });
        l.add({ action: "consume", resource: "filament", process: "print", quantity: "500", unit: "g" });
        const filament = deriveResources(l.views()).get(R("filament"))!;
        expect(filament.accountingQuantity).to.equal(20_000_000n);
        expect(filament.events).to.deep.equal([2n, 5n]);
        expect(filament.problems).to.deep.equal([{ id: 5n, reason: 'unit "g" differs from the resource\'s "kg"; effect not applied' }]);
      });
    });
  });

  describe("SupplyGraph.trace", () => {
    describe("when a kit is assembled from printed parts, work, a used printer and a cited design", () => {
      it("walks back from the kit through each process to raw inputs, work, equipment and the design", () => {
        const l = new HandLedger();
        l.add({ action: "produce", resource: "filament lot 1", quantity: "2", unit: "kg" }); // 1: raw origin (bought in)
        l.add({ action: "consume", resource: "filament lot 1", process: "print", quantity: "0.5", unit: "kg" }); // 2
        l.add({ action: "use", resource: "printer", process: "print", quantity: "4", unit: "h" }); // 3
        l.add({ action: "work", process: "print", quantity: "1", unit: "h", provider: BOB }); // 4
        l.add({ action: "produce", resource: "parts", process: "print", quantity: "10" }); // 5
        l.add({ action: "cite", spec: "design v2", process: "assemble", quantity: "1" }); // 6
        l.add({ action: "consume", resource: "parts", process: "assemble", quantity: "10" }); // 7
        l.add({ action: "produce", resource: "kit", process: "assemble", quantity: "1" }); // 8
        l.add({ action: "transfer", resource: "kit", quantity: "1", receiver: CAROL }); // 9
        const tree = new SupplyGraph(l.views()).trace(R("kit"));
        expect(shape(tree, processNames("print", "assemble"))).to.deep.equal([
          [
            "#9 transfer",
            [
              [
                "#8 produce",
                [["P assemble", ["#6 cite", ["#7 consume", [["#5 produce", [["P print", [["#2 consume", ["#1 produce"]], "#3 use", "#4 work"]]]]]]]]],
              ],
            ],
          ],
        ]);
        expect([...tree.hops.keys()].sort((a, b) => Number(a - b))).to.deep.equal([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]);
        const hop = tree.hops.get(4n)!;
        expect(hop).to.include({ action: "work", quantity: "1", unit: "h", signer: BOB, state: "claimed", transactionHash: "0x" + "4".padStart(64, "0") });
        expect(hop.time).to.equal(new Date(Number(T0 + 4n) * 1000).toISOString());
      });
    });

    describe("when a resource passes through repeated processes (repair cycles)", () => {
      it("orders them by the breadcrumb: each accept goes back to the modify before it, not to the latest", () => {
        const l = new HandLedger();
        l.add({ action: "produce", resource: "sensor", process: "make", quantity: "1" }); // 1
        l.add({ action: "accept", resource: "sensor", process: "repair 1", quantity: "1" }); // 2
        l.add({ action: "work", process: "repair 1", quantity: "1", unit: "h" }); // 3
        l.add({ action: "modify", resource: "sensor", process: "repair 1", quantity: "1" }); // 4
        l.add({ action: "accept", resource: "sensor", process: "repair 2", quantity: "1" }); // 5
        l.add({ action: "work", process: "repair 2", quantity: "2", unit: "h" }); // 6
        l.add({ action: "modify", resource: "sensor", process: "repair 2", quantity: "1" }); // 7
        const tree = new SupplyGraph(l.views()).trace(R("sensor"));
        expect(shape(tree, processNames("make", "repair 1", "repair 2"))).to.deep.equal([
          [
            "#7 modify",
            [["P repair 2", [["#5 accept", [["#4 modify", [["P repair 1", [["#2 accept", [["#1 produce", ["P make"]]]], "#3 work"]]]]]], "#6 work"]]],
          ],
        ]);
      });
    });

    describe("when parts merge into one process and a lot is split between two", () => {
      it("expands a shared upstream once and refers back to it the second time", () => {
        const l = new HandLedger();
        l.add({ action: "produce", resource: "lot", process: "extrude", quantity: "2", unit: "kg" }); // 1
        l.add({ action: "consume", resource: "lot", process: "print a", quantity: "1", unit: "kg" }); // 2
        l.add({ action: "consume", resource: "lot", process: "print b", quantity: "1", unit: "kg" }); // 3
        l.add({ action: "produce", resource: "part a", process: "print a", quantity: "1" }); // 4
        l.add({ action: "produce", resource: "part b", process: "print b", quantity: "1" }); // 5
        l.add({ action: "consume", resource: "part a", process: "assemble", quantity: "1" }); // 6
        l.add({ action: "consume", resource: "part b", process: "assemble", quantity: "1" }); // 7
        l.add({ action: "produce", resource: "kit", process: "assemble", quantity: "1" }); // 8
        const graph = new SupplyGraph(l.views());
        const names = processNames("extrude", "print a", "print b", "assemble");
        expect(shape(graph.trace(R("kit")), names)).to.deep.equal([
          [
            "#8 produce",
            [
              [
                "P assemble",
                [
                  ["#6 consume", [["#4 produce", [["P print a", [["#2 consume", [["#1 produce", ["P extrude"]]]]]]]]]],
                  ["#7 consume", [["#5 produce", [["P print b", [["#3 consume", ["-> #1"]]]]]]]],
                ],
              ],
            ],
          ],
        ]);
        // Track: the lot splits into two processes and merges again into the kit.
        expect(shape(graph.track(R("lot")), names)).to.deep.equal([
          [
            "#1 produce",
            [
              ["#2 consume", [["P print a", [["#4 produce", [["#6 consume", [["P assemble", ["#8 produce"]]]]]]]]]],
              ["#3 consume", [["P print b", [["#5 produce", [["#7 consume", ["-> P assemble"]]]]]]]],
            ],
          ],
        ]);
      });
    });

    describe("when the flows form a cycle (a process consumes what its own output became)", () => {
      it("terminates and marks the repeated process", () => {
        const l = new HandLedger();
        l.add({ action: "produce", resource: "seed", process: "grow", quantity: "10" }); // 1
        l.add({ action: "consume", resource: "seed", process: "plant", quantity: "10" }); // 2
        l.add({ action: "produce", resource: "crop", process: "plant", quantity: "5", unit: "kg" }); // 3
        l.add({ action: "consume", resource: "crop", process: "grow", quantity: "5", unit: "kg" }); // 4
        const graph = new SupplyGraph(l.views());
        const names = processNames("grow", "plant");
        expect(shape(graph.trace(R("seed")), names)).to.deep.equal([
          ["#1 produce", [["P grow", [["#4 consume", [["#3 produce", [["P plant", [["#2 consume", ["-> #1"]]]]]]]]]]]],
        ]);
        expect(shape(graph.track(R("seed")), names)).to.deep.equal([
          ["#1 produce", [["#2 consume", [["P plant", [["#3 produce", [["#4 consume", [["P grow", ["-> #1"]]]]]]]]]]]],
        ]);
      });
    });

    describe("when entries are corrected", () => {
      it("shows the correction in place of the corrected entry and keeps disputed hops with their state", () => {
        const l = new HandLedger();
        const bad = l.add({ action: "consume", resource: "lot", process: "print", quantity: "9", unit: "kg" }); // 1
        const good = l.add({ action: "consume", resource: "lot", process: "print", quantity: "1", unit: "kg", corrects: bad }); // 2
        const work = l.add({ action: "work", process: "print", quantity: "8", unit: "h" }); // 3
        l.dispute(work);
        l.add({ action: "produce", resource: "part", process: "print", quantity: "1" }); // 4
        const tree = new SupplyGraph(l.views()).trace(R("part"));
        expect(tree.hops.has(bad)).to.equal(false);
        expect(tree.hops.get(good)!.quantity).to.equal("1");
        expect(tree.hops.get(work)!.state).to.equal("disputed");
      });
    });

    describe("when a resource is unknown", () => {
      it("has no events and an empty tree", () => {
        const graph = new SupplyGraph(new HandLedger().views());
        expect(graph.has(R("nothing"))).to.equal(false);
        expect(graph.trace(R("nothing")).root.children).to.deep.equal([]);
      });
    });

    describe("when the chain is very deep", function () {
      this.timeout(30_000);
      it("walks 10,000 successive events without exhausting the stack", () => {
        const l = new HandLedger();
        l.add({ action: "produce", resource: "r0", quantity: "1" });
        for (let i = 1; i <= 5_000; i++) {
          l.add({ action: "consume", resource: `r${i - 1}`, process: `p${i}`, quantity: "1" });
          l.add({ action: "produce", resource: `r${i}`, process: `p${i}`, quantity: "1" });
        }
        const graph = new SupplyGraph(l.views());
        const tree = graph.trace(R("r5000"));
        expect(tree.hops.size).to.equal(10_001);
        expect(tree.processes.size).to.equal(5_000);
        expect(formatTree(tree).split("\n")).to.have.length(15_002);
        expect(graph.track(R("r0")).hops.size).to.equal(10_001);
      });
    });
  });

  describe("output", () => {
    const l = new HandLedger();
    l.add({ action: "consume", resource: "lot", process: "print", quantity: "1", unit: "kg" });
    l.add({ action: "produce", resource: "part", process: "print", quantity: "1" });
    const tree = new SupplyGraph(l.views()).trace(R("part"));
    const names = { name: (id: string) => ({ [R("part")]: "part", [R("lot")]: "lot", [labelId("print")]: "print" })[id] };

    it("formatTree prints one line per node with id, action, quantity, signer, time, state and transaction", () => {
      const lines = formatTree(tree, names).split("\n");
      expect(lines[0]).to.equal(`trace ${R("part")} (part)`);
      expect(lines[1]).to.match(/^└─ #2 produce 1 ea part by 0x\w{6}…\w{4} 2027-01-15T08:00 \[claimed\] tx 0x000000…0002$/);
      expect(lines[2]).to.equal("   └─ process print");
      // eslint-disable-next-line no-regex-spaces -- the spaces are the printed tree's indentation, as in the line above
      expect(lines[3]).to.match(/^      └─ #1 consume 1 kg lot by /);
    });

    it("treeToJson nests the hops with ids as strings", () => {
      const j = treeToJson(tree) as { events: number; root: { children: { id: string; children: { kind: string; children: { id: string }[] }[] }[] } };
      expect(j.events).to.equal(2);
      expect(j.root.children[0].id).to.equal("2");
      expect(j.root.children[0].children[0].kind).to.equal("process");
      expect(j.root.children[0].children[0].children[0].id).to.equal("1");
    });

    it("treeToDot draws edges in the direction things flowed", () => {
      const dot = treeToDot(tree, names);
      expect(dot).to.match(/^digraph trace \{/);
      expect(dot).to.include(`"e:1" -> "p:${labelId("print")}";`);
      expect(dot).to.include(`"p:${labelId("print")}" -> "e:2";`);
      expect(dot).to.include('label="#2 produce\\n1 ea\\npart\\nclaimed"');
    });
  });

  describe("deriveNeeds", () => {
    describe("when events satisfy a need in part", () => {
      it("reduces the open quantity by standing events in the need's unit only", () => {
        const l = new HandLedger();
        const need = l.add({ flow: "need", action: "consume", receiver: ALICE, spec: "PLA", process: "print", quantity: "20", unit: "kg", time: T0 + 86_400n });
        l.add({ action: "transfer", resource: "lot", quantity: "5", unit: "kg", provider: BOB, receiver: ALICE, satisfies: need }); // counted
        const wrong = l.add({ action: "transfer", resource: "lot", quantity: "7", unit: "kg", provider: BOB, receiver: ALICE, satisfies: need });
        l.add({ action: "transfer", resource: "lot", quantity: "3", unit: "kg", provider: BOB, receiver: ALICE, satisfies: need, corrects: wrong }); // replaces 7 with 3
        l.add({ action: "transfer", resource: "lot", quantity: "900", unit: "g", provider: CAROL, receiver: ALICE, satisfies: need }); // unit mismatch
        l.add({ flow: "commitment", action: "transfer", quantity: "12", unit: "kg", provider: CAROL, receiver: ALICE, satisfies: need }); // a promise
        const disputed = l.add({ action: "transfer", resource: "lot", quantity: "1", unit: "kg", provider: CAROL, receiver: ALICE, satisfies: need });
        l.dispute(disputed);
        const [n] = deriveNeeds(l.views(), T0);
        expect(n).to.include({
          id: need,
          quantity: 20_000_000n,
          satisfied: 8_000_000n,
          open: 12_000_000n,
          expired: false,
          unit: "kg",
          resourceSpec: labelId("PLA"),
        });
        expect(n.satisfiers.map((s) => [Number(s.id), s.counted, s.reason ?? ""])).to.deep.equal([
          [2, true, ""],
          [3, false, "corrected by #4"],
          [4, true, ""],
          [5, false, 'unit "g" is not the need\'s "kg"'],
          [6, false, "a commitment promises, it does not fulfil"],
          [7, false, "disputed"],
        ]);
        expect(isOpen(n)).to.equal(true);
      });
    });

    describe("when a need is met, expired or corrected", () => {
      it("closes a met need, expires one past due, and counts satisfiers of a corrected need toward its correction", () => {
        const l = new HandLedger();
        const met = l.add({ flow: "need", action: "work", receiver: ALICE, quantity: "2", unit: "h", time: T0 + 10_000n });
        l.add({ action: "work", quantity: "3", unit: "h", satisfies: met });
        const old = l.add({ flow: "need", action: "work", receiver: ALICE, quantity: "1", unit: "h", time: T0 + 5n });
        const first = l.add({ flow: "need", action: "consume", receiver: ALICE, spec: "PLA", quantity: "10", unit: "kg", time: T0 + 10_000n });
        l.add({ action: "transfer", resource: "lot", quantity: "4", unit: "kg", provider: BOB, receiver: ALICE, satisfies: first });
        const second = l.add({ flow: "need", action: "consume", receiver: ALICE, spec: "PLA", quantity: "6", unit: "kg", time: T0 + 10_000n, corrects: first });
        const needs = deriveNeeds(l.views(), T0 + 100n);
        expect(needs.map((n) => [Number(n.id), n.open, n.expired, isOpen(n)])).to.deep.equal([
          [Number(met), 0n, false, false],
          [Number(old), 1_000_000n, true, false],
          [Number(second), 2_000_000n, false, true],
        ]);
      });
    });
  });
});
