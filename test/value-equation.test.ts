// The value equation format and engine (scripts/lib/distribution/value-equation.ts) on synthetic entries:
// validation errors, the content hash, exact integer shares with tracked dust, claim kinds,
// filters, and conservation (shares + dust + undistributed == income) on random equations.
import { expect } from "chai";
import { getAddress, id, ZeroAddress, ZeroHash } from "ethers";
import { buildRecord, labelId, packNonce } from "../scripts/lib/core/record.js";
import type { Entry } from "../scripts/lib/core/reader.js";
import {
  canonicalJson,
  computeDistribution,
  distributionFlows,
  equationHash,
  parseValueEquation,
  proofFor,
  shareTree,
  ValueEquationError,
  VALUE_EQUATION_FORMAT,
  VALUE_EQUATION_FORMATS,
} from "../scripts/lib/distribution/value-equation.js";
import type { ValueEquation } from "../scripts/lib/distribution/value-equation.js";
import type { EntryView } from "../scripts/lib/core/views.js";
import type { ActionName, EntryStateName } from "../scripts/lib/core/vocabulary.js";

const COMMONS = id("commons");
const OTHER = id("other commons");
const [ALICE, BOB, CAROL] = [
  "0x00000000000000000000000000000000000a11ce",
  "0x0000000000000000000000000000000000000b0b",
  "0x00000000000000000000000000000000000ca201",
].map(getAddress);
const T0 = 1_764_000_000n;

function view(
  n: number,
  agent: string,
  action: ActionName,
  quantity: string,
  unit: string,
  state: EntryStateName = "accepted",
  extra: { commons?: string; time?: bigint; resource?: string; flow?: "event" | "need" } = {},
): EntryView {
  const record = buildRecord({
    action,
    flow: extra.flow ?? "event",
    provider: agent,
    commons: extra.commons ?? COMMONS,
    quantity,
    unit,
    time: extra.time ?? T0 + BigInt(n),
    resource: extra.resource,
    nonce: packNonce(1n, BigInt(n)),
    deadline: T0 + 10_000n,
  });
  const entry: Entry = {
    id: BigInt(n),
    signer: agent,
    commons: record.commons,
    record,
    recordHash: ZeroHash,
    blockNumber: n,
    transactionHash: ZeroHash,
    logIndex: 0,
  };
  return {
    entry,
    id: BigInt(n),
    flow: extra.flow ?? "event",
    action,
    agent,
    unit,
    state,
    accepts: 0,
    disputes: 0,
    correctedBy: 0n,
    validations: [],
    endorsements: [],
    registered: true,
    counterparty: null,
    consent: "none",
  };
}

const base = () => ({
  format: VALUE_EQUATION_FORMAT,
  name: "test",
  rules: {
    work: { kind: "hours", rates: { "*": "40", printer: "15" } },
    transfer: { kind: "money", currencies: { EUR: "1" } },
    cite: { kind: "flat", points: "2" },
    use: { kind: "hours", rates: { "*": "10", printer: "15" } },
  },
  buckets: [{ name: "work", percent: "100", actions: ["work"] }],
});
const eqOf = (change: (e: ReturnType<typeof base> & Record<string, unknown>) => void = () => {}) => {
  const e = base() as ReturnType<typeof base> & Record<string, unknown>;
  change(e);
  return e;
};
const compute = (eq: ValueEquation, views: EntryView[], income: bigint, extra: { since?: bigint; repaid?: Map<bigint, bigint>; cutoff?: bigint } = {}) =>
  computeDistribution(eq, views, { income, cutoff: extra.cutoff ?? BigInt(views.length), commons: COMMONS, since: extra.since, repaid: extra.repaid });
const amounts = (r: ReturnType<typeof compute>) => Object.fromEntries(r.shares.map((s) => [s.account, s.amount]));

describe("value equation", () => {
  describe("parseValueEquation", () => {
    const rejects = (doc: unknown, message: RegExp) => expect(() => parseValueEquation(doc)).to.throw(ValueEquationError, message);
    it("accepts a valid equation and fills the defaults", () => {
      const eq = parseValueEquation(base());
      expect(eq.buckets[0]).to.include({ of: "income", acceptedOnly: true, claim: "equity" });
    });
    it("rejects percentages of the income over 100 %", () =>
      rejects(
        eqOf((e) => e.buckets.push({ name: "b", percent: "0.5", actions: ["work"] })),
        /^buckets: the buckets taking a percentage of the income sum to 100.5%, more than 100%$/,
      ));
    it("rejects a single percentage over 100 or zero", () => {
      rejects(
        eqOf((e) => (e.buckets[0].percent = "101")),
        /buckets\.0\.percent: percent must be above 0 and at most 100/,
      );
      rejects(
        eqOf((e) => (e.buckets[0].percent = "0")),
        /buckets\.0\.percent/,
      );
      rejects(
        eqOf((e) => (e.buckets[0].percent = "10.123")),
        /at most 2 decimals/,
      );
    });
    it("rejects an unknown action in a bucket or in the rules", () => {
      rejects(
        eqOf((e) => (e.buckets[0].actions = ["donate"])),
        /^buckets\.0\.actions\.0: unknown action "donate"/,
      );
      rejects(
        eqOf((e) => ((e.rules as Record<string, unknown>).donate = { kind: "money" })),
        /unknown action "donate"/,
      );
    });
    it("rejects empty buckets, a bucket without actions, and an action without a rule", () => {
      rejects(
        eqOf((e) => (e.buckets = [])),
        /^buckets: at least one bucket is needed$/,
      );
      rejects(
        eqOf((e) => (e.buckets[0].actions = [])),
        /buckets\.0\.actions: a bucket needs at least one action/,
      );
      rejects(
        eqOf((e) => (e.buckets[0].actions = ["produce"])),
        /buckets\.0\.actions: action "produce" has no rule/,
      );
    });
    it("rejects a wrong format, unknown fields, a debt bucket without a price and from after to", () => {
      rejects(
        eqOf((e) => (e.format = "commons-ledger/value-equation@3")),
        /^format: format must be "commons-ledger\/value-equation@2" \(or "commons-ledger\/value-equation@1", read for distributions already published\)$/,
      );
      rejects(
        eqOf((e) => (e.extra = 1)),
        /\(root\): Unrecognized key/i,
      );
      rejects(
        eqOf((e) => Object.assign(e.buckets[0], { claim: "debt" })),
        /buckets\.0\.debtPrice: a debt bucket needs debtPrice/,
      );
      rejects(
        eqOf((e) => Object.assign(e.buckets[0], { from: "2026-02-01", to: "2026-01-01" })),
        /buckets\.0\.from: from is after to/,
      );
      rejects(
        eqOf((e) => ((e.rules as Record<string, unknown>).work = { kind: "hours", rates: {} })),
        /rules\.work\.rates: needs at least one rate/,
      );
    });
  });

  describe("parseValueEquation, money and goods rules", () => {
    const rejects = (doc: unknown, message: RegExp) => expect(() => parseValueEquation(doc)).to.throw(ValueEquationError, message);
    it("rejects a money rule without currencies in @2, naming the rule (also inside a list)", () => {
      rejects(
        eqOf((e) => ((e.rules as Record<string, unknown>).transfer = { kind: "money" })),
        /^rules\.transfer\.currencies: a money rule needs currencies: the units it counts as money and what one is worth in points \(e\.g\. \{"EUR": "1"\}\); goods are counted by a goods rule$/,
      );
      rejects(
        eqOf((e) => ((e.rules as Record<string, unknown>).transfer = [{ kind: "goods", prices: { kg: "2" } }, { kind: "money" }])),
        /^rules\.transfer\.1\.currencies: a money rule needs currencies/,
      );
    });
    it("reads an @1 money rule without currencies (published distributions still recompute)", () => {
      const eq = parseValueEquation(eqOf((e) => ((e.format = VALUE_EQUATION_FORMATS[0]), ((e.rules as Record<string, unknown>).transfer = { kind: "money" }))));
      expect(eq.format).to.equal("commons-ledger/value-equation@1");
    });
    it("rejects empty price tables, an empty list of rules, an empty for, and a unit code over 8 characters", () => {
      rejects(
        eqOf((e) => ((e.rules as Record<string, unknown>).transfer = { kind: "goods", prices: {} })),
        /^rules\.transfer\.prices: needs at least one unit$/,
      );
      rejects(
        eqOf((e) => ((e.rules as Record<string, unknown>).transfer = [])),
        /^rules\.transfer: a list of rules needs at least one rule$/,
      );
      rejects(
        eqOf((e) => ((e.rules as Record<string, unknown>).transfer = { kind: "money", currencies: { EUR: "1" }, for: [] })),
        /^rules\.transfer\.for: for needs at least one label or id$/,
      );
      rejects(
        eqOf((e) => ((e.rules as Record<string, unknown>).transfer = { kind: "money", currencies: { EUROPEAN1: "1" } })),
        /^rules\.transfer\.currencies\.EUROPEAN1: a unit code has at most 8 characters$/,
      );
      rejects(
        eqOf((e) => ((e.rules as Record<string, unknown>).transfer = { kind: "money", currencies: { EUR: "-1" } })),
        /^rules\.transfer\.currencies\.EUR: a currency's value must be a non-negative decimal/,
      );
    });
  });

  describe("equationHash", () => {
    it("is the keccak of the canonical JSON: independent of key order and whitespace, sensitive to any value", () => {
      const a = base();
      const reordered = JSON.parse(JSON.stringify({ buckets: a.buckets, rules: a.rules, name: a.name, format: a.format }));
      expect(equationHash(reordered)).to.equal(equationHash(a));
      expect(canonicalJson({ b: 1, a: [2, { d: 1, c: 2 }] })).to.equal('{"a":[2,{"c":2,"d":1}],"b":1}');
      expect(equationHash(eqOf((e) => (e.rules.work.rates["*"] = "41")))).to.not.equal(equationHash(a));
    });
  });

  describe("computeDistribution", () => {
    it("shares a bucket by points (hours x rate by resource), rounding each entry down and tracking the dust", () => {
      const eq = parseValueEquation(base());
      const views = [
        view(1, ALICE, "work", "1", "h"),
        view(2, BOB, "work", "1", "h"),
        view(3, CAROL, "work", "1", "h", "accepted", { resource: labelId("printer") }),
      ];
      const r = compute(eq, views, 100n);
      // points 40, 40, 15 of 95: 100*40/95 = 42.1 -> 42, 42, 100*15/95 = 15.7 -> 15; dust 1.
      expect(amounts(r)).to.deep.equal({ [ALICE]: 42n, [BOB]: 42n, [CAROL]: 15n });
      expect([r.total, r.dust, r.undistributed]).to.deep.equal([99n, 1n, 0n]);
      expect(r.shares.find((s) => s.account === CAROL)!.lines).to.deep.equal([
        { entryId: 3n, bucket: "work", action: "work", points: 15_000_000_000_000n, amount: 15n },
      ]);
    });
    it("takes later buckets from the remainder and leaves income of empty buckets undistributed", () => {
      const eq = parseValueEquation(
        eqOf(
          (e) =>
            (e.buckets = [
              { name: "money", percent: "25", actions: ["transfer"] },
              { name: "cite", percent: "10", actions: ["cite"] },
              { name: "rest", percent: "50", of: "remainder", actions: ["work"] },
            ] as never),
        ),
      );
      const r = compute(eq, [view(1, ALICE, "transfer", "10", "EUR"), view(2, BOB, "work", "2", "h")], 1000n);
      // money 250; cite 100 with no entries (undistributed); rest = 50 % of (1000 - 250) = 375.
      expect(amounts(r)).to.deep.equal({ [ALICE]: 250n, [BOB]: 375n });
      expect(r.buckets.map((b) => b.budget)).to.deep.equal([250n, 100n, 375n]);
      expect([r.total, r.dust, r.undistributed]).to.deep.equal([625n, 0n, 375n]);
    });
    it("counts only accepted entries unless acceptedOnly is false, and never corrected, disputed or intents", () => {
      const views = [
        view(1, ALICE, "work", "1", "h"),
        view(2, BOB, "work", "1", "h", "claimed"),
        view(3, CAROL, "work", "1", "h", "corrected"),
        view(4, CAROL, "work", "1", "h", "disputed"),
        view(5, CAROL, "work", "1", "h", "claimed", { flow: "need" }),
      ];
      expect(amounts(compute(parseValueEquation(base()), views, 90n))).to.deep.equal({ [ALICE]: 90n });
      const open = parseValueEquation(eqOf((e) => Object.assign(e.buckets[0], { acceptedOnly: false })));
      expect(amounts(compute(open, views, 90n))).to.deep.equal({ [ALICE]: 45n, [BOB]: 45n });
    });
    it("filters by commons, period and cutoff", () => {
      const eq = parseValueEquation(eqOf((e) => Object.assign(e.buckets[0], { from: Number(T0 + 2n), to: Number(T0 + 3n) })));
      const views = [
        view(1, ALICE, "work", "1", "h"),
        view(2, BOB, "work", "1", "h"),
        view(3, CAROL, "work", "1", "h"),
        view(4, ALICE, "work", "1", "h", "accepted", { commons: OTHER }),
      ];
      expect(amounts(compute(eq, views, 10n))).to.deep.equal({ [BOB]: 5n, [CAROL]: 5n });
      expect(amounts(compute(eq, views, 10n, { cutoff: 2n }))).to.deep.equal({ [BOB]: 10n });
    });
    it("pays one-time buckets only for entries after the previous cutoff", () => {
      const eq = parseValueEquation(eqOf((e) => Object.assign(e.buckets[0], { claim: "one-time" })));
      const views = [view(1, ALICE, "work", "1", "h"), view(2, BOB, "work", "1", "h")];
      expect(amounts(compute(eq, views, 10n, { since: 1n }))).to.deep.equal({ [BOB]: 10n });
    });
    it("caps debt buckets at points x debtPrice minus what was repaid, passing the excess on", () => {
      const eq = parseValueEquation(
        eqOf(
          (e) =>
            (e.buckets = [
              { name: "debt", percent: "50", actions: ["transfer"], claim: "debt", debtPrice: "3" },
              { name: "rest", percent: "100", of: "remainder", actions: ["work"] },
            ] as never),
        ),
      );
      const views = [view(1, ALICE, "transfer", "10", "EUR"), view(2, BOB, "transfer", "100", "EUR"), view(3, CAROL, "work", "1", "h")];
      // budget 500: alice 500*10/110 = 45 capped at 30; bob 454 capped at 300 - 20 repaid = 280; rest 1000 - 310 = 690 to carol.
      const r = compute(eq, views, 1000n, { repaid: new Map([[2n, 20n]]) });
      expect(amounts(r)).to.deep.equal({ [ALICE]: 30n, [BOB]: 280n, [CAROL]: 690n });
      expect(r.total).to.equal(1000n);
    });
    describe("money as money, goods as goods", () => {
      const both = () =>
        parseValueEquation(
          eqOf((e) => {
            (e.rules as Record<string, unknown>).transfer = [
              { kind: "money", for: ["loan"], currencies: { EUR: "1", USD: "0.5" } },
              { kind: "goods", for: ["filament"], prices: { kg: "20" } },
            ];
            e.buckets = [{ name: "repay", percent: "100", actions: ["transfer"] }] as never;
          }),
        );
      const spec = (v: EntryView, label: string) => {
        v.entry.record.resourceSpec = labelId(label);
        return v;
      };
      it("counts a currency at its value, and a kilogram of goods at its price, never a kilogram as a euro", () => {
        const views = [
          spec(view(1, ALICE, "transfer", "100", "EUR"), "loan"),
          spec(view(2, BOB, "transfer", "100", "USD"), "loan"),
          spec(view(3, CAROL, "transfer", "5", "kg"), "filament"),
        ];
        const r = compute(both(), views, 250n);
        // points: 100 EUR = 100, 100 USD = 50, 5 kg x 20 = 100; of 250.
        expect(amounts(r)).to.deep.equal({ [ALICE]: 100n, [BOB]: 50n, [CAROL]: 100n });
        expect(r.shares.find((s) => s.account === CAROL)!.lines[0]!.points).to.equal(100_000_000_000_000n);
      });
      it("counts nothing for money in a currency the rule does not list, goods the rule is not for, or a transfer that is neither", () => {
        const views = [
          spec(view(1, ALICE, "transfer", "100", "GBP"), "loan"),
          spec(view(2, BOB, "transfer", "5", "kg"), "steel"),
          spec(view(3, BOB, "transfer", "120", "EUR"), "licence reciprocity"),
          view(4, BOB, "transfer", "7", "EUR"),
          spec(view(5, CAROL, "transfer", "1", "EUR"), "loan"),
        ];
        const r = compute(both(), views, 99n);
        expect(amounts(r)).to.deep.equal({ [CAROL]: 99n });
        expect(r.buckets[0]).to.include({ entries: 1 });
      });
      it("matches for by resource as well as by spec, and by a 0x id as well as by a label", () => {
        const eq = parseValueEquation(
          eqOf((e) => {
            (e.rules as Record<string, unknown>).transfer = { kind: "goods", for: [labelId("filament lot 7")], prices: { kg: "1" } };
            e.buckets = [{ name: "repay", percent: "100", actions: ["transfer"] }] as never;
          }),
        );
        const r = compute(eq, [view(1, ALICE, "transfer", "2", "kg", "accepted", { resource: labelId("filament lot 7") })], 10n);
        expect(amounts(r)).to.deep.equal({ [ALICE]: 10n });
      });
      it("still counts an @1 money rule 1:1 in any unit, as the distributions published with it did", () => {
        const eq = parseValueEquation(
          eqOf((e) => {
            e.format = VALUE_EQUATION_FORMATS[0];
            (e.rules as Record<string, unknown>).transfer = { kind: "money" };
            e.buckets = [{ name: "money", percent: "100", actions: ["transfer"] }] as never;
          }),
        );
        const r = compute(eq, [view(1, ALICE, "transfer", "3", "EUR"), view(2, BOB, "transfer", "1", "kg")], 4n);
        expect(amounts(r)).to.deep.equal({ [ALICE]: 3n, [BOB]: 1n });
      });
    });
    it("rejects a non-positive income and an equation bound to another commons", () => {
      expect(() => compute(parseValueEquation(base()), [], 0n)).to.throw(ValueEquationError, /income must be positive/);
      expect(() => compute(parseValueEquation(eqOf((e) => (e.commons = OTHER))), [], 1n)).to.throw(ValueEquationError, /is for commons/);
    });
    it("conserves the income and is deterministic on random equations and ledgers", () => {
      let seed = 7;
      const rnd = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
      const actions: ActionName[] = ["work", "transfer", "cite", "use"];
      for (let round = 0; round < 200; round++) {
        const buckets = Array.from({ length: 1 + rnd(4) }, (_, i) => ({
          name: `b${i}`,
          percent: String(1 + rnd(30)),
          of: rnd(2) ? "income" : "remainder",
          actions: [actions[rnd(4)]],
          acceptedOnly: rnd(2) === 0,
        }));
        const eq = parseValueEquation(eqOf((e) => (e.buckets = buckets as never)));
        const views = Array.from({ length: rnd(40) }, (_, i) =>
          view(
            i + 1,
            [ALICE, BOB, CAROL][rnd(3)],
            actions[rnd(4)],
            `${1 + rnd(9)}.${rnd(10)}`,
            actions[rnd(4)] === "transfer" ? "EUR" : "h",
            rnd(3) ? "accepted" : "claimed",
          ),
        );
        const income = BigInt(1 + rnd(1_000_000)) * 10n ** BigInt(rnd(19));
        const r = compute(eq, views, income);
        expect(r.total + r.dust + r.undistributed).to.equal(income);
        expect(r.shares.reduce((s, x) => s + x.amount, 0n)).to.equal(r.total);
        for (const s of r.shares) expect(s.lines.reduce((t, l) => t + l.amount, 0n)).to.equal(s.amount);
        expect(compute(eq, [...views], income)).to.deep.equal(r);
      }
    });
  });

  describe("distributionFlows", () => {
    it("draws the income through each bucket to each account, and what no one was paid, adding up at every node", () => {
      const eq = parseValueEquation(
        eqOf(
          (e) =>
            (e.buckets = [
              { name: "money", percent: "25", actions: ["transfer"] },
              { name: "cite", percent: "10", actions: ["cite"] },
              { name: "rest", percent: "50", of: "remainder", actions: ["work"] },
            ] as never),
        ),
      );
      const r = compute(eq, [view(1, ALICE, "transfer", "10", "EUR"), view(2, BOB, "work", "2", "h"), view(3, CAROL, "work", "1", "h")], 1000n);
      const flows = distributionFlows(r);
      // money takes 250; cite had no entries and takes nothing; rest takes 50 % of what is left (375).
      expect(flows).to.deep.equal([
        { from: "income", to: "bucket:money", amount: 250n },
        { from: "bucket:money", to: `account:${ALICE}`, amount: 250n },
        { from: "income", to: "bucket:rest", amount: 375n },
        { from: "bucket:rest", to: `account:${BOB}`, amount: 250n },
        { from: "bucket:rest", to: `account:${CAROL}`, amount: 125n },
        { from: "income", to: "not paid out", amount: 375n },
      ]);
      const out = (node: string) => flows.filter((f) => f.from === node).reduce((a, f) => a + f.amount, 0n);
      const into = (node: string) => flows.filter((f) => f.to === node).reduce((a, f) => a + f.amount, 0n);
      expect(out("income")).to.equal(1000n);
      for (const b of ["bucket:money", "bucket:rest"]) expect(out(b)).to.equal(into(b));
      for (const s of r.shares) expect(into(`account:${s.account}`)).to.equal(s.amount);
      expect(flows.every((f) => f.amount > 0n)).to.equal(true);
    });
  });

  describe("shareTree and proofFor", () => {
    it("indexes leaves in address order and proves each (index, account, amount)", () => {
      const shares = [
        { account: ALICE, amount: 5n },
        { account: BOB, amount: 7n },
      ];
      const tree = shareTree(shares);
      const p = proofFor(tree, BOB)!;
      expect([p.index, p.amount]).to.deep.equal([1n, 7n]);
      expect(tree.verify([1n, BOB, 7n], p.proof)).to.equal(true);
      expect(proofFor(tree, ZeroAddress)).to.equal(undefined);
    });
  });
});
