// What the accounts count (scripts/lib/core/views.ts kindOf, totals, unitsByUse) and how the app's
// tables sort quantities (app/src/lib/table.ts sortRows `within`): contributions apart from
// supply-chain flows, and a quantity sorted only against others of its unit.
import { expect } from "chai";
import { CONTRIBUTION_ACTIONS, isMoneyUnit, kindOf, unitsByUse } from "../scripts/lib/core/views.js";
import type { DayTotals } from "../scripts/lib/core/views.js";
import { ACTIONS } from "../scripts/lib/core/vocabulary.js";
import { sortRows } from "../app/src/lib/table.js";
import type { Column } from "../app/src/lib/table.js";

describe("accounts: contributions and supply-chain flows", () => {
  describe("kindOf", () => {
    it("counts work, use of equipment, citations and services as contributions, whatever their unit", () => {
      for (const action of CONTRIBUTION_ACTIONS)
        for (const unit of ["h", "ea", "EUR"]) expect(kindOf({ action, unit }), `${action} ${unit}`).to.equal("contribution");
    });

    it("counts a transfer in a currency as money given (a contribution), and a transfer of goods as a flow", () => {
      expect(kindOf({ action: "transfer", unit: "EUR" })).to.equal("contribution");
      expect(kindOf({ action: "transferAllRights", unit: "USD" })).to.equal("contribution");
      expect(kindOf({ action: "transfer", unit: "kg" })).to.equal("flow");
      expect(kindOf({ action: "transferCustody", unit: "EUR" }), "custody of cash is no gift of it").to.equal("flow");
    });

    it("counts every other action as a supply-chain flow", () => {
      const others = ACTIONS.filter((a) => !CONTRIBUTION_ACTIONS.includes(a) && a !== "transfer" && a !== "transferAllRights");
      expect(others).to.include.members(["produce", "consume", "move", "modify", "accept"]);
      for (const action of others) expect(kindOf({ action, unit: "EUR" }), action).to.equal("flow");
    });
  });

  describe("unitsByUse", () => {
    const day = (unit: string, action: DayTotals["action"], entries: number): DayTotals => ({
      day: "2026-12-01",
      agent: "0x0000000000000000000000000000000000000001",
      commons: "0x" + "11".repeat(32),
      action,
      unit,
      entries,
      claimed: 0n,
      accepted: 0n,
      disputed: 0n,
    });
    const days = [day("kg", "consume", 2), day("h", "work", 3), day("ea", "produce", 2), day("h", "consume", 2), day("EUR", "transfer", 0)];

    it("lists the most used unit first, a tie by name, and none that no entry uses", () => {
      expect(unitsByUse(days)).to.deep.equal(["h", "ea", "kg"]);
    });

    it("gives the same order whatever the order of the days (the chain reader's and the indexer's differ)", () => {
      for (const order of [days, [...days].reverse(), [days[2]!, days[0]!, days[4]!, days[3]!, days[1]!]]) {
        expect(unitsByUse(order, "flow")).to.deep.equal(["ea", "h", "kg"]);
        expect(unitsByUse(order)).to.deep.equal(["h", "ea", "kg"]);
      }
    });
  });

  describe("isMoneyUnit", () => {
    it("takes ISO 4217 codes (three capital letters) as money, and units of measure not", () => {
      expect(["EUR", "USD", "CHF", "ETH"].map(isMoneyUnit)).to.deep.equal([true, true, true, true]);
      expect(["h", "kg", "ea", "Eur", "EURO", "m2", ""].map(isMoneyUnit)).to.deep.equal([false, false, false, false, false, false, false]);
    });
  });

  describe("sortRows with `within`", () => {
    type Row = { who: string; unit: string; claimed: bigint };
    const rows: Row[] = [
      { who: "ann", unit: "kg", claimed: 15_500_000n },
      { who: "ben", unit: "EUR", claimed: 250_000_000n },
      { who: "cid", unit: "h", claimed: 3_000_000n },
      { who: "dee", unit: "EUR", claimed: 40_000_000n },
      { who: "eve", unit: "h", claimed: 12_000_000n },
    ];
    const claimed: Column<Row> = { key: "claimed", label: "Claimed", sort: (r) => r.claimed, within: (r) => r.unit };

    it("keeps each unit together (in unit order, whichever the direction) and sorts the quantities within it", () => {
      const desc = sortRows(rows, [claimed], { key: "claimed", desc: true }).map((r) => `${r.who} ${r.unit}`);
      expect(desc).to.deep.equal(["ben EUR", "dee EUR", "eve h", "cid h", "ann kg"]);
      const asc = sortRows(rows, [claimed], { key: "claimed", desc: false }).map((r) => `${r.who} ${r.unit}`);
      expect(asc).to.deep.equal(["dee EUR", "ben EUR", "cid h", "eve h", "ann kg"]);
    });

    it("sorts across rows as before for a column without it", () => {
      const who: Column<Row> = { key: "who", label: "Who", sort: (r) => r.who };
      expect(sortRows(rows, [who], { key: "who", desc: true }).map((r) => r.who)).to.deep.equal(["eve", "dee", "cid", "ben", "ann"]);
    });

    it("orders 500 random rows as a comparison with localeCompare on each call does (seed 0x7ab1e)", () => {
      let seed = 0x7ab1e;
      const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
      const words = ["Ärger", "apple", "Zoë", "zebra", "éclair", "eclair", "10", "9", "", "bob", "Bob"];
      type R = { id: number; name: string; unit: string; n: number; q: bigint };
      const random: R[] = Array.from({ length: 500 }, (_, id) => ({
        id,
        name: words[next() % words.length],
        unit: words[next() % 4],
        n: (next() % 7) - 3,
        q: BigInt(next() % 11) * 10n ** 20n,
      }));
      // The reference: each comparison computes the keys and compares with localeCompare (stable sort, so ties keep input order).
      const reference = (col: Column<R>, desc: boolean) =>
        [...random].sort((a, b) => {
          const group = col.within ? col.within(a).localeCompare(col.within(b)) : 0;
          if (group !== 0) return group;
          const x = col.sort(a);
          const y = col.sort(b);
          if (typeof x === "string" || typeof y === "string") return String(x).localeCompare(String(y)) * (desc ? -1 : 1);
          return (x < y ? -1 : x > y ? 1 : 0) * (desc ? -1 : 1);
        });
      const columns: Column<R>[] = [
        { key: "name", label: "Name", sort: (r) => r.name },
        { key: "n", label: "N", sort: (r) => r.n },
        { key: "q", label: "Q", sort: (r) => r.q, within: (r) => r.unit },
        { key: "mixed", label: "Mixed", sort: (r) => (r.n < 0 ? r.name : r.n) },
      ];
      for (const col of columns)
        for (const desc of [false, true])
          expect(
            sortRows(random, columns, { key: col.key, desc }).map((r) => r.id),
            `${col.key} ${desc ? "descending" : "ascending"}`,
          ).to.deep.equal(reference(col, desc).map((r) => r.id));
    });
  });
});
