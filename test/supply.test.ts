// Open supply chains (scripts/lib/supply/supply.ts) on hand-built ledgers: the ValueFlows effects of each
// action on a resource, trace and track (repeated processes, splits, merges, corrections, cycles),
// the three output forms, and needs with their progress: the chain need <- commitments <- events,
// each need's status, and the plan signals summed per process.
import { expect } from "chai";
import { labelId } from "../scripts/lib/core/record.js";
import {
  deriveNeeds,
  deriveResources,
  formatTree,
  isOpen,
  needOf as oneNeed,
  needStatus,
  processSignals,
  MAX_WALK_ROUNDS,
  SupplyGraph,
  treeToDot,
  treeToJson,
  uncommittedOf,
  walkReading,
} from "../scripts/lib/supply/supply.js";
import type { EntryView } from "../scripts/lib/core/views.js";
import type { NeedCommitment, NeedView, SupplyNode, SupplyTree } from "../scripts/lib/supply/supply.js";
import { ZeroHash } from "ethers";
import { ALICE, BOB, CAROL, COMMONS, HandLedger, T0 } from "./helpers/hand-ledger.js";
import type { Draft } from "./helpers/hand-ledger.js";

const R = (label: string) => labelId(label);

const BOOK = labelId("recipes book file bytes");

/** A plan signal of ALICE (the coordinator): produce `spec` in `process`, as the plan publishes it. */
const signal = (l: HandLedger, d: Partial<Draft> & { quantity: string }) =>
  l.add({ flow: "need", action: "produce", receiver: ALICE, spec: "kit", process: "assemble", unit: "ea", time: T0 + 1000n, evidence: BOOK, ...d });

/** A commitment answering entry `to` (same process, spec and unit unless given). */
const commit = (l: HandLedger, to: bigint, d: Partial<Draft> & { provider: string; quantity: string }) =>
  l.add({ flow: "commitment", action: "produce", spec: "kit", process: "assemble", unit: "ea", time: T0 + 500n, satisfies: to, ...d });

const brief = (c: NeedCommitment) => [Number(c.id), c.agent, c.counted, c.reason ?? "", c.fulfilled, c.open];

/** A need as deriveNeeds gives it, built directly for the status rules (quantity 10, due T0 + 1000). */
function needOf(p: Partial<Omit<NeedView, "commitments">> & { commitments?: Partial<NeedCommitment>[] }): NeedView {
  const quantity = p.quantity ?? 10n;
  const satisfied = p.satisfied ?? 0n;
  const commitments = (p.commitments ?? []).map((c, i): NeedCommitment => {
    const q = c.quantity ?? 5n;
    const fulfilled = c.fulfilled ?? 0n;
    return {
      id: BigInt(i + 2),
      action: "produce",
      agent: BOB,
      quantity: q,
      unit: "ea",
      due: T0 + 500n,
      state: "claimed",
      counted: true,
      late: false,
      fulfilled,
      open: q > fulfilled ? q - fulfilled : 0n,
      satisfiers: [],
      ...c,
    };
  });
  return {
    id: 1n,
    view: undefined as never,
    action: "produce",
    agent: ALICE,
    commons: COMMONS,
    resource: ZeroHash,
    resourceSpec: labelId("kit"),
    process: ZeroHash,
    unit: "ea",
    quantity,
    open: satisfied >= quantity ? 0n : quantity - satisfied,
    due: T0 + 1000n,
    expired: false,
    satisfiers: [],
    committed: 0n,
    ...p,
    satisfied,
    commitments,
  };
}

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

  describe("walkReading (a trace or a track from the entries it walks through, loaded as it asks)", () => {
    /** The kit of the first trace, and an unrelated resource in its own process. */
    function kitLedger() {
      const l = new HandLedger();
      l.add({ action: "produce", resource: "filament lot 1", quantity: "2", unit: "kg" }); // 1
      l.add({ action: "consume", resource: "filament lot 1", process: "print", quantity: "0.5", unit: "kg" }); // 2
      l.add({ action: "work", process: "print", quantity: "1", unit: "h", provider: BOB }); // 3
      l.add({ action: "produce", resource: "parts", process: "print", quantity: "10" }); // 4
      l.add({ action: "consume", resource: "parts", process: "assemble", quantity: "10" }); // 5
      l.add({ action: "produce", resource: "kit", process: "assemble", quantity: "1" }); // 6
      l.add({ action: "transfer", resource: "kit", quantity: "1", receiver: CAROL }); // 7
      l.add({ action: "produce", resource: "soap", process: "boil", quantity: "3" }); // 8: unrelated
      return l;
    }
    /** Serves the entries naming each resource or process asked for, and keeps what was asked. */
    function loaderOf(views: readonly EntryView[]) {
      const asked: string[] = [];
      const load = async (want: { resources: readonly string[]; processes: readonly string[] }) => {
        asked.push(...want.resources, ...want.processes);
        return views.filter((v) => want.resources.includes(v.entry.record.resource) || want.processes.includes(v.entry.record.process));
      };
      return { asked, load };
    }

    for (const direction of ["trace", "track"] as const)
      it(`gives the ${direction} the whole ledger gives, from the entries of the resources and processes the walk looked up alone`, async () => {
        const views = kitLedger().views();
        const graph = new SupplyGraph(views);
        for (const resource of [R("kit"), R("filament lot 1"), R("parts")]) {
          const { asked, load } = loaderOf(views);
          const walked = await walkReading(direction, resource, load);
          expect(treeToJson(walked.tree!)).to.deep.equal(treeToJson(graph[direction](resource)));
          expect(deriveResources(walked.views).get(resource)).to.deep.equal(deriveResources(views).get(resource));
          // Each key asked for once; the unrelated soap never.
          expect(new Set(asked).size).to.equal(asked.length);
          expect(walked.views.map((v) => v.id)).to.not.include(8n);
        }
      });

    it("asks for the resource once and gives no tree when no standing event names it", async () => {
      const { asked, load } = loaderOf(kitLedger().views());
      expect(await walkReading("trace", R("nothing"), load)).to.deep.equal({ tree: undefined, views: [], rounds: 2 });
      expect(asked).to.deep.equal([R("nothing")]);
    });

    it(`stops a loader that keeps answering new processes after ${MAX_WALK_ROUNDS} rounds, saying so`, async () => {
      const [first] = kitLedger().views();
      let n = 0;
      // Every answer names the resource and a process never seen before, whose answer names another.
      const endless = async () => {
        n++;
        const record = { ...first!.entry.record, process: labelId(`process ${n}`), side: 2 };
        return [{ ...first!, id: BigInt(n), entry: { ...first!.entry, id: BigInt(n), record } }];
      };
      const failed = await walkReading("trace", first!.entry.record.resource, endless).then(
        () => undefined,
        (error: Error) => error.message,
      );
      expect(failed).to.equal(`the trace of ${first!.entry.record.resource} did not end after ${MAX_WALK_ROUNDS} rounds of reads`);
      expect(n, "reads made").to.equal(MAX_WALK_ROUNDS);
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

    describe("needOf: one need by the id of any of its versions", () => {
      it("gives the standing correction, with what named the version it corrected, as deriveNeeds does", () => {
        const l = new HandLedger();
        const first = l.add({ flow: "need", action: "consume", receiver: ALICE, spec: "PLA", quantity: "10", unit: "kg", time: T0 + 10_000n });
        l.add({ action: "transfer", resource: "lot", quantity: "4", unit: "kg", provider: BOB, receiver: ALICE, satisfies: first });
        const second = l.add({ flow: "need", action: "consume", receiver: ALICE, spec: "PLA", quantity: "6", unit: "kg", time: T0 + 10_000n, corrects: first });
        const [standing] = deriveNeeds(l.views(), T0);
        for (const asked of [first, second]) expect(oneNeed(l.views(), asked, T0)).to.deep.equal({ need: standing });
        expect(standing).to.include({ id: second, satisfied: 4_000_000n, open: 2_000_000n });
      });

      it("says in a sentence why there is no need: no such entry, not a need, withdrawn, or corrected into another flow", () => {
        const l = new HandLedger();
        const withdrawn = l.add({ flow: "need", action: "work", receiver: ALICE, quantity: "2", unit: "h", time: T0 + 10_000n });
        const event = l.add({ action: "work", quantity: "1", unit: "h", satisfies: withdrawn });
        const voiding = l.add({ flow: "need", action: "work", receiver: ALICE, quantity: "0", unit: "h", time: T0 + 10_000n, corrects: withdrawn });
        const offered = l.add({ flow: "need", action: "work", receiver: ALICE, quantity: "3", unit: "h", time: T0 + 10_000n });
        const offer = l.add({ flow: "offer", action: "work", provider: ALICE, quantity: "3", unit: "h", time: T0 + 10_000n, corrects: offered });
        const views = l.views();
        expect(oneNeed(views, 99n, T0)).to.deep.equal({ problem: "there is no entry 99" });
        expect(oneNeed(views, event, T0)).to.deep.equal({ problem: `entry ${event} is an event, not a need` });
        expect(oneNeed(views, offer, T0)).to.deep.equal({ problem: `entry ${offer} is an offer, not a need` });
        expect(oneNeed(views, withdrawn, T0)).to.deep.equal({
          problem: `need ${withdrawn} was withdrawn: entry ${voiding}, which corrected it, asks for nothing`,
        });
        expect(oneNeed(views, offered, T0)).to.deep.equal({ problem: `need ${offered} was corrected into an offer (entry ${offer})` });
      });
    });

    describe("when people commit to a plan signal and events fulfil the commitments", () => {
      it("lists the commitments with their events, counts fulfilment through them, and marks the signal's process", () => {
        const l = new HandLedger();
        const need = signal(l, { quantity: "10", time: T0 + 1000n });
        const bobs = commit(l, need, { provider: BOB, quantity: "6", time: T0 + 500n });
        const carols = commit(l, need, { provider: CAROL, quantity: "4", time: T0 + 900n });
        const made = l.add({ action: "produce", provider: BOB, resource: "kits", process: "assemble", quantity: "2", satisfies: bobs });
        const direct = l.add({ action: "produce", provider: CAROL, resource: "kits", process: "assemble", quantity: "1", satisfies: need });
        const [n] = deriveNeeds(l.views(), T0 + 100n);
        expect(n).to.include({ id: need, quantity: 10_000_000n, satisfied: 3_000_000n, open: 7_000_000n, committed: 10_000_000n });
        expect(n.signal).to.deep.equal({ process: labelId("assemble"), book: BOOK });
        expect(n.commitments.map(brief)).to.deep.equal([
          [Number(bobs), BOB, true, "", 2_000_000n, 4_000_000n],
          [Number(carols), CAROL, true, "", 0n, 4_000_000n],
        ]);
        expect(n.commitments[0]).to.include({ due: T0 + 500n, unit: "ea", state: "claimed", late: false });
        expect(n.commitments[0].satisfiers.map((s) => [Number(s.id), s.counted])).to.deep.equal([[Number(made), true]]);
        expect(n.satisfiers.map((s) => [Number(s.id), s.counted, s.reason ?? ""])).to.deep.equal([
          [Number(bobs), false, "a commitment promises, it does not fulfil"],
          [Number(carols), false, "a commitment promises, it does not fulfil"],
          [Number(direct), true, ""],
        ]);
        expect(needStatus(n, T0 + 100n)).to.equal("committed");
        expect(uncommittedOf(n), "7 open, 8 still promised").to.equal(0n);
      });

      it("gives no signal for a need that is not a planned output (another action, or no process)", () => {
        const l = new HandLedger();
        l.add({ flow: "need", action: "consume", receiver: ALICE, spec: "PLA", process: "print", quantity: "2", unit: "kg", time: T0 + 1000n });
        l.add({ flow: "need", action: "produce", receiver: ALICE, spec: "kit", quantity: "2", time: T0 + 1000n });
        expect(deriveNeeds(l.views(), T0).map((n) => n.signal)).to.deep.equal([undefined, undefined]);
      });
    });

    describe("when commitments are in another unit, corrected, voided or disputed", () => {
      it("counts only standing, undisputed commitments in the need's unit, and follows corrections of commitments", () => {
        const l = new HandLedger();
        const need = signal(l, { quantity: "10", unit: "kg", time: T0 + 1000n });
        const grams = commit(l, need, { provider: CAROL, quantity: "5000", unit: "g" });
        const first = commit(l, need, { provider: BOB, quantity: "5", unit: "kg" });
        const early = l.add({ action: "produce", provider: BOB, resource: "lot", process: "assemble", quantity: "2", unit: "kg", satisfies: first });
        const second = commit(l, need, { provider: BOB, quantity: "3", unit: "kg", corrects: first });
        const withdrawn = commit(l, need, { provider: CAROL, quantity: "4", unit: "kg" });
        const voided = commit(l, need, { provider: CAROL, quantity: "0", unit: "kg", corrects: withdrawn });
        const delivered = l.add({ action: "produce", provider: CAROL, resource: "lot", process: "assemble", quantity: "1", unit: "kg", satisfies: withdrawn });
        const disputed = commit(l, need, { provider: CAROL, quantity: "2", unit: "kg" });
        l.dispute(disputed);
        const [n] = deriveNeeds(l.views(), T0);
        expect(n.commitments.map(brief)).to.deep.equal([
          [Number(grams), CAROL, false, 'unit "g" is not the need\'s "kg"', 0n, 5_000_000_000n],
          [Number(second), BOB, true, "", 2_000_000n, 1_000_000n],
          [Number(voided), CAROL, false, "voided", 1_000_000n, 0n],
          [Number(disputed), CAROL, false, "disputed", 0n, 2_000_000n],
        ]);
        // The corrected commitment is replaced by its correction; its event follows it there.
        expect(n.commitments[1].satisfiers.map((s) => Number(s.id))).to.deep.equal([Number(early)]);
        expect(n.commitments[2].satisfiers.map((s) => [Number(s.id), s.counted])).to.deep.equal([[Number(delivered), true]]);
        expect(n).to.include({ committed: 3_000_000n, satisfied: 3_000_000n, open: 7_000_000n });
      });

      it("caps committed at the need's quantity", () => {
        const l = new HandLedger();
        const need = signal(l, { quantity: "3" });
        commit(l, need, { provider: BOB, quantity: "2" });
        commit(l, need, { provider: CAROL, quantity: "2" });
        expect(deriveNeeds(l.views(), T0)[0].committed).to.equal(3_000_000n);
      });
    });

    describe("when links go through a commitment's commitment, form a cycle, or point at a missing or later id", () => {
      it("reads one level (need <- commitment <- event), ignores links that do not point back, and terminates", () => {
        const l = new HandLedger();
        const need = signal(l, { quantity: "5" });
        const bobs = commit(l, need, { provider: BOB, quantity: "5" });
        const nested = commit(l, bobs, { provider: CAROL, quantity: "5" }); // a commitment to a commitment
        l.add({ action: "produce", provider: CAROL, resource: "kits", process: "assemble", quantity: "3", satisfies: nested }); // counts nowhere
        const x = commit(l, need, { provider: CAROL, quantity: "2" });
        const y = commit(l, x, { provider: BOB, quantity: "1" });
        const x2 = commit(l, y, { provider: CAROL, quantity: "2", corrects: x }); // x now names y, y names x: a cycle
        l.add({ action: "produce", provider: BOB, resource: "kits", process: "assemble", quantity: "1", satisfies: y }); // counts nowhere
        l.add({ action: "produce", provider: BOB, resource: "kits", process: "assemble", quantity: "1", satisfies: 999n }); // no such entry
        const ahead = l.add({ action: "produce", provider: BOB, resource: "kits", process: "assemble", quantity: "4", satisfies: 0n });
        l.events.entries[Number(ahead) - 1].record.satisfies = ahead + 1n; // a link forward: impossible on chain
        const later = commit(l, need, { provider: BOB, quantity: "1" });
        const [n] = deriveNeeds(l.views(), T0);
        expect(n.commitments.map((c) => Number(c.id))).to.deep.equal([Number(bobs), Number(later)]);
        expect(n.commitments[0].satisfiers.map((s) => [Number(s.id), s.counted, s.reason])).to.deep.equal([
          [Number(nested), false, "a commitment promises, it does not fulfil"],
        ]);
        expect(n.satisfiers.map((s) => [Number(s.id), s.reason])).to.deep.equal([
          [Number(bobs), "a commitment promises, it does not fulfil"],
          [Number(x), `corrected by #${x2}`],
          [Number(later), "a commitment promises, it does not fulfil"],
        ]);
        expect(n).to.include({ satisfied: 0n, open: 5_000_000n, committed: 5_000_000n });
      });
    });

    describe("when a stranger answers someone's intent", () => {
      it("shows the stranger's commitment and events but only a standing event in the intent's unit meets it", () => {
        const l = new HandLedger();
        const need = signal(l, { quantity: "4", time: T0 + 1000n });
        commit(l, need, { provider: CAROL, quantity: "4", time: T0 + 200n });
        l.add({ action: "produce", provider: CAROL, resource: "kits", process: "assemble", quantity: "4", unit: "box", satisfies: need });
        const disputed = l.add({ action: "produce", provider: CAROL, resource: "kits", process: "assemble", quantity: "4", satisfies: need });
        l.dispute(disputed);
        let [n] = deriveNeeds(l.views(), T0 + 100n);
        expect(n).to.include({ committed: 4_000_000n, satisfied: 0n, open: 4_000_000n });
        expect(needStatus(n, T0 + 100n)).to.equal("committed");
        expect(needStatus(n, T0 + 300n), "her promise fell due").to.equal("behind");
        l.add({ action: "produce", provider: CAROL, resource: "kits", process: "assemble", quantity: "4", satisfies: need });
        [n] = deriveNeeds(l.views(), T0 + 300n);
        expect(n.open).to.equal(0n);
        expect(needStatus(n, T0 + 300n)).to.equal("met");
      });
    });

    describe("when an event is re-pointed from the need to a commitment by a correction", () => {
      it("counts it once, toward the commitment that the correction names", () => {
        const l = new HandLedger();
        const need = signal(l, { quantity: "10" });
        const bobs = commit(l, need, { provider: BOB, quantity: "5" });
        const first = l.add({ action: "produce", provider: BOB, resource: "kits", process: "assemble", quantity: "3", satisfies: need });
        const moved = l.add({ action: "produce", provider: BOB, resource: "kits", process: "assemble", quantity: "3", satisfies: bobs, corrects: first });
        const [n] = deriveNeeds(l.views(), T0);
        expect(n.satisfied).to.equal(3_000_000n);
        expect(n.satisfiers.find((s) => s.id === first)).to.include({ counted: false, reason: `corrected by #${moved}` });
        expect(n.commitments[0].satisfiers.map((s) => [Number(s.id), s.counted])).to.deep.equal([[Number(moved), true]]);
        const counted = [...n.satisfiers, ...n.commitments.flatMap((c) => c.satisfiers)].filter((s) => s.counted);
        expect(counted.reduce((t, s) => t + s.quantity, 0n)).to.equal(n.satisfied);
      });
    });
  });

  describe("needStatus", () => {
    const now = T0 + 100n;
    describe("when nothing is open", () => {
      it("is met, even past due", () => {
        expect(needStatus(needOf({ satisfied: 10n, due: T0 }), now)).to.equal("met");
      });
    });

    describe("when the need is past due and not met", () => {
      it("is behind for a plan signal, or when someone took it up", () => {
        expect(needStatus(needOf({ due: T0, signal: { process: labelId("assemble"), book: BOOK } }), now)).to.equal("behind");
        expect(needStatus(needOf({ due: T0, satisfied: 1n }), now)).to.equal("behind");
        expect(needStatus(needOf({ due: T0, commitments: [{ quantity: 3n }] }), now)).to.equal("behind");
      });

      it("is expired when nobody answered, or when it is more than a period past due", () => {
        expect(needStatus(needOf({ due: T0 }), now)).to.equal("expired");
        expect(needStatus(needOf({ due: T0, commitments: [{ quantity: 3n, counted: false }] }), now)).to.equal("expired");
        expect(needStatus(needOf({ due: T0 - 100n, signal: { process: labelId("assemble"), book: BOOK } }), now, 250)).to.equal("behind");
        expect(needStatus(needOf({ due: T0 - 100n, signal: { process: labelId("assemble"), book: BOOK } }), now, 150)).to.equal("expired");
      });
    });

    describe("when the need is not due yet", () => {
      it("is committed when what is met plus what is promised in time covers it", () => {
        expect(needStatus(needOf({ commitments: [{ quantity: 6n }, { quantity: 4n }] }), now)).to.equal("committed");
        expect(needStatus(needOf({ satisfied: 4n, commitments: [{ quantity: 6n }] }), now)).to.equal("committed");
      });

      it("is partly committed when some of what is open is promised in time", () => {
        expect(needStatus(needOf({ commitments: [{ quantity: 6n }] }), now)).to.equal("partly committed");
        expect(needStatus(needOf({ satisfied: 2n, commitments: [{ quantity: 6n }] }), now)).to.equal("partly committed");
      });

      it("is uncommitted when nothing of what is open is promised in time", () => {
        expect(needStatus(needOf({}), now)).to.equal("uncommitted");
        expect(needStatus(needOf({ satisfied: 2n }), now), "a delivery is not a promise for the rest").to.equal("uncommitted");
        expect(needStatus(needOf({ commitments: [{ quantity: 10n, counted: false, reason: "voided" }] }), now)).to.equal("uncommitted");
        expect(needStatus(needOf({ commitments: [{ quantity: 10n, due: T0 + 5000n, late: true }] }), now), "a promise for after the due").to.equal(
          "uncommitted",
        );
      });

      it("is behind when a counted commitment is past its own due with something open and the rest does not cover the need", () => {
        expect(needStatus(needOf({ commitments: [{ quantity: 6n, due: T0 + 50n }] }), now)).to.equal("behind");
        expect(needStatus(needOf({ satisfied: 6n, commitments: [{ quantity: 6n, due: T0 + 50n, fulfilled: 6n }] }), now), "kept").to.equal("uncommitted");
        expect(
          needStatus(needOf({ commitments: [{ quantity: 3n, due: T0 + 50n, agent: CAROL }, { quantity: 10n }] }), now),
          "a stranger's broken promise does not matter when others cover the need",
        ).to.equal("committed");
      });
    });
  });

  describe("processSignals", () => {
    it("sums plan signals per process, publisher, spec and unit, worst first, with the earliest open due", () => {
      const l = new HandLedger();
      const a1 = signal(l, { quantity: "10", time: T0 + 1000n });
      const a2 = signal(l, { quantity: "10", time: T0 + 2000n });
      const print = signal(l, { process: "print", spec: "parts", quantity: "20", time: T0 + 1000n });
      const solder = signal(l, { process: "solder", spec: "boards", quantity: "5", time: T0 + 50n });
      const stranger = signal(l, { receiver: BOB, quantity: "7", time: T0 + 3000n });
      l.add({ flow: "need", action: "consume", receiver: ALICE, spec: "PLA", process: "print", quantity: "2", unit: "kg", time: T0 + 1000n });
      commit(l, print, { provider: BOB, process: "print", spec: "parts", quantity: "20", time: T0 + 900n });
      const carols = commit(l, a1, { provider: CAROL, quantity: "4", time: T0 + 900n });
      l.add({ action: "produce", provider: CAROL, resource: "kits", process: "assemble", quantity: "4", satisfies: carols });
      const now = T0 + 100n;
      const rows = processSignals(deriveNeeds(l.views(), now), now);
      const M = 1_000_000n;
      expect(
        rows.map((r) => [r.process, r.coordinator, r.planned, r.committed, r.done, r.open, r.due, r.status, r.needs.map(Number), r.behind.map(Number)]),
      ).to.deep.equal([
        [labelId("solder"), ALICE, 5n * M, 0n, 0n, 5n * M, T0 + 50n, "behind", [Number(solder)], [Number(solder)]],
        [labelId("assemble"), ALICE, 20n * M, 4n * M, 4n * M, 16n * M, T0 + 1000n, "uncommitted", [Number(a1), Number(a2)], []],
        [labelId("assemble"), BOB, 7n * M, 0n, 0n, 7n * M, T0 + 3000n, "uncommitted", [Number(stranger)], []],
        [labelId("print"), ALICE, 20n * M, 20n * M, 0n, 20n * M, T0 + 1000n, "committed", [Number(print)], []],
      ]);
      expect(rows[1]).to.include({ resourceSpec: labelId("kit"), unit: "ea", commons: COMMONS });
    });

    it("takes the earliest due of the intents not met, and the first due when every one is met", () => {
      const l = new HandLedger();
      const a1 = signal(l, { quantity: "1", time: T0 + 1000n });
      signal(l, { quantity: "1", time: T0 + 2000n });
      l.add({ action: "produce", provider: CAROL, resource: "kits", process: "assemble", quantity: "1", satisfies: a1 });
      expect(processSignals(deriveNeeds(l.views(), T0), T0)[0]).to.include({ due: T0 + 2000n, status: "uncommitted" });
      const l2 = new HandLedger();
      const b1 = signal(l2, { quantity: "1", time: T0 + 1000n });
      l2.add({ action: "produce", provider: CAROL, resource: "kits", process: "assemble", quantity: "1", satisfies: b1 });
      expect(processSignals(deriveNeeds(l2.views(), T0), T0)[0]).to.include({ due: T0 + 1000n, status: "met", done: 1_000_000n });
    });
  });
});
