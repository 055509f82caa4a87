// Where the accounts and entries pages read from (scripts/lib/core/indexer-client.ts sourceOf), given the latest
// check of the indexer against the Ledger's tip: the indexer only at the tip's head, a short grace
// while it catches up with new entries, and the chain with the check's reason otherwise.
import { expect } from "chai";
import { CATCH_UP_MS, sourceOf } from "../scripts/lib/core/indexer-client.js";

const url = "http://127.0.0.1:8789";
const head = (count: bigint) => ({ count, head: "0x" + count.toString(16).padStart(48, "0"), blockNumber: 10n + count });
const behind = { ok: false as const, reason: "the indexer is at entry 31, the Ledger's tip is entry 32", behind: true };
const diverged = { ok: false as const, reason: "the indexer is at entry 31 with head 0x11…, the Ledger's tip is entry 31 with head 0x22…", behind: false };

describe("sourceOf", function () {
  it("is checking until the first check answers", function () {
    expect(sourceOf(url, undefined, 0, new Map())).to.deep.equal({ kind: "checking", url });
  });

  it("reads through the indexer when its head is the tip's", function () {
    expect(sourceOf(url, { ok: true, head: head(31n) }, 1_000, new Map())).to.deep.equal({ kind: "indexer", url, head: head(31n) });
  });

  describe("when the indexer is behind the tip", function () {
    it("keeps the head last found at the tip, saying why newer entries are missing, for up to CATCH_UP_MS", function () {
      const last = new Map();
      sourceOf(url, { ok: true, head: head(31n) }, 1_000, last);
      expect(sourceOf(url, behind, 1_000 + CATCH_UP_MS, last)).to.deep.equal({ kind: "indexer", url, head: head(31n), catchingUp: behind.reason });
    });

    it("reads the chain once it stayed behind longer", function () {
      const last = new Map();
      sourceOf(url, { ok: true, head: head(31n) }, 1_000, last);
      expect(sourceOf(url, behind, 1_001 + CATCH_UP_MS, last)).to.deep.equal({ kind: "chain", audit: false, reason: behind.reason });
    });

    it("reads the chain when it was never found at the tip (nothing verified to keep)", function () {
      expect(sourceOf(url, behind, 1_000, new Map())).to.deep.equal({ kind: "chain", audit: false, reason: behind.reason });
      const other = new Map([["http://elsewhere", { head: head(31n), at: 1_000 }]]);
      expect(sourceOf(url, behind, 1_000, other).kind, "another indexer's check counts for nothing").to.equal("chain");
    });
  });

  it("reads the chain at once when the indexer's head differs from the tip's or it is ahead, whatever was checked before", function () {
    const last = new Map();
    sourceOf(url, { ok: true, head: head(31n) }, 1_000, last);
    expect(sourceOf(url, diverged, 1_001, last)).to.deep.equal({ kind: "chain", audit: false, reason: diverged.reason });
    const unreachable = { ok: false as const, reason: "the indexer at http://127.0.0.1:8789 cannot be reached (Failed to fetch) for its head" };
    expect(sourceOf(url, unreachable, 1_001, last)).to.deep.equal({ kind: "chain", audit: false, reason: unreachable.reason });
  });
});
