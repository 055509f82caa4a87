// The trace as a picture (issue 18, "Pictures"): layoutTree lays out every event and process of a
// tree without overlap, in the direction things flowed, names signers, marks verified and failed
// hops; layoutSvg writes a standalone SVG with every text escaped (labels and names are anyone's text).
import { expect } from "chai";
import { ZeroHash } from "ethers";
import { namesFrom } from "../scripts/lib/core/directory.js";
import { layoutSvg, layoutTree } from "../scripts/lib/supply/graph.js";
import type { Hop, SupplyTree } from "../scripts/lib/supply/supply.js";

const ALICE = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const BOB = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const PRINT = "0x" + "11".repeat(32);
const PART = "0x" + "22".repeat(32);

function hop(id: number, action: Hop["action"], signer: string, extra: Partial<Hop> = {}): Hop {
  return {
    id: BigInt(id),
    action,
    quantity: "1",
    unit: "ea",
    signer,
    provider: signer,
    receiver: "0x0000000000000000000000000000000000000000",
    resource: ZeroHash,
    resourceSpec: ZeroHash,
    process: ZeroHash,
    side: "none",
    evidence: ZeroHash,
    time: "2026-12-01T10:00:00.000Z",
    state: "accepted",
    consent: "none",
    transactionHash: ZeroHash,
    blockNumber: 1,
    ...extra,
  };
}

function tree(): SupplyTree {
  const hops = new Map<bigint, Hop>([
    [1n, hop(1, "consume", ALICE, { process: PRINT, side: "input", verified: { ok: true, signature: "ok", inclusion: "ok" } })],
    [2n, hop(2, "work", BOB, { process: PRINT, side: "input", verified: { ok: false, signature: "bad", inclusion: "ok" } })],
    [3n, hop(3, "produce", ALICE, { process: PRINT, side: "output", resource: PART, state: "disputed" })],
  ]);
  return {
    direction: "trace",
    root: { kind: "event", key: "e:3", hop: hops.get(3n)!, children: [] },
    hops,
    processes: new Set([PRINT]),
    edges: [
      ["e:1", `p:${PRINT}`],
      ["e:2", `p:${PRINT}`],
      [`p:${PRINT}`, "e:3"],
      [`p:${PRINT}`, "e:3"],
    ],
  };
}

const labels = { name: (id: string) => (id === PRINT ? "print <enclosures>" : id === PART ? "printed part & co" : undefined) };

describe("trace graph", () => {
  describe("layoutTree", () => {
    it("lays out every event and process once, without overlap, top to bottom in the direction things flowed", () => {
      const layout = layoutTree(tree(), labels);
      expect(layout.nodes.map((n) => n.key).sort()).to.deep.equal(["e:1", "e:2", "e:3", `p:${PRINT}`]);
      expect(layout.edges).to.have.length(3); // the repeated edge is drawn once
      const at = (k: string) => layout.nodes.find((n) => n.key === k)!;
      expect(at("e:1").y).to.be.lessThan(at(`p:${PRINT}`).y);
      expect(at(`p:${PRINT}`).y).to.be.lessThan(at("e:3").y);
      for (const a of layout.nodes)
        for (const b of layout.nodes) {
          if (a === b) continue;
          const apart = Math.abs(a.x - b.x) >= (a.width + b.width) / 2 || Math.abs(a.y - b.y) >= (a.height + b.height) / 2;
          expect(apart, `${a.key} overlaps ${b.key}`).to.equal(true);
        }
      for (const n of layout.nodes) {
        expect(n.x - n.width / 2).to.be.at.least(0);
        expect(n.x + n.width / 2).to.be.at.most(layout.width);
        expect(n.y + n.height / 2).to.be.at.most(layout.height);
      }
    });

    it("names signers, labels ids, and marks verified, failed and disputed events", () => {
      const names = namesFrom([{ agent: ALICE, kind: 0, name: "Alice", nonce: 0n }], []);
      const layout = layoutTree(tree(), labels, names);
      const at = (k: string) => layout.nodes.find((n) => n.key === k)!;
      expect(at("e:1").lines).to.deep.equal(["#1 consume 1 ea", "by Alice (0x3C44…93BC)", "accepted · verified ✓"]);
      expect(at("e:1").tone).to.equal("verified");
      expect(at("e:2").lines.at(-1)).to.equal("accepted · FAILED ✗");
      expect(at("e:2").tone).to.equal("failed");
      expect(at("e:3").lines).to.include("printed part & co");
      expect(at("e:3").tone).to.equal("disputed");
      expect(at(`p:${PRINT}`).lines).to.deep.equal(["print <enclosures>"]);
    });
  });

  describe("layoutSvg", () => {
    it("writes a standalone SVG with every text escaped", () => {
      const svg = layoutSvg(layoutTree(tree(), labels), 'Provenance of "kit" <1>');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).to.equal(true);
      expect(svg).to.include("<title>Provenance of &quot;kit&quot; &lt;1&gt;</title>");
      expect(svg).to.include("print &lt;enclosures&gt;");
      expect(svg).to.include("printed part &amp; co");
      expect(svg).not.to.include("<enclosures>");
      expect(svg.match(/<rect /g)).to.have.length(4);
      expect(svg.match(/marker-end/g)).to.have.length(3);
      expect(svg.trimEnd().endsWith("</svg>")).to.equal(true);
    });
  });
});
