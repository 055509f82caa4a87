// Plan signals (scripts/lib/supply/signals.ts): what a coordinator records when a rolling plan is
// published over the intents of the previous one: new intents, corrections of changed ones,
// corrections closing dropped ones at what others already hold, and the ones left as they are.
import { expect } from "chai";
import { labelId } from "../scripts/lib/core/record.js";
import { heldOf, plannedQuantity, signalRecords, SignalInputError } from "../scripts/lib/supply/signals.js";
import type { PlanSignal, SignalRecords } from "../scripts/lib/supply/signals.js";
import { deriveNeeds } from "../scripts/lib/supply/supply.js";
import { ALICE, BOB, CAROL, COMMONS, HandLedger, T0 } from "./helpers/hand-ledger.js";
import type { Draft } from "./helpers/hand-ledger.js";

const OLD_BOOK = labelId("recipes@1.0.0 file bytes");
const BOOK = labelId("recipes@1.1.0 file bytes");
const ctx = { commons: COMMONS, coordinator: ALICE, bookHash: BOOK };
const DAY = 86_400n;

const sig = (processName: string, period: number, quantity: number, spec = "kit", unit = "ea"): PlanSignal => ({
  processName,
  processId: labelId(`${processName} #${period}`),
  spec,
  unit,
  quantity,
  due: T0 + BigInt(period) * DAY,
  period,
});

/** The standing intent the previous plan published for `s` (signed by ALICE, old book). */
const intent = (l: HandLedger, s: PlanSignal, quantity: string, d: Partial<Draft> = {}) =>
  l.add({
    flow: "need",
    action: "produce",
    receiver: ALICE,
    spec: s.spec,
    unit: s.unit,
    side: "output",
    quantity,
    time: s.due,
    evidence: OLD_BOOK,
    process: `${s.processName} #${s.period}`, // hashed by the hand ledger: the signal's processId
    ...d,
  });

const standing = (l: HandLedger) => deriveNeeds(l.views(), T0);
const summary = (r: SignalRecords) => ({
  create: r.create.map((c) => [c.signal.processName, c.signal.period, c.draft.quantity]),
  correct: r.correct.map((c) => [Number(c.entryId), c.why, c.draft.quantity]),
  unchanged: r.unchanged.map((u) => [Number(u.entryId), u.signal?.period ?? null]),
});

describe("signals", () => {
  describe("plannedQuantity", () => {
    it("rounds up to 6 decimals without turning float noise into an extra unit", () => {
      expect(plannedQuantity(1.2)).to.equal(1_200_000n);
      expect(plannedQuantity(0.1 + 0.2)).to.equal(300_000n);
      expect(plannedQuantity(1.0000001)).to.equal(1_000_001n);
      expect(plannedQuantity(0)).to.equal(0n);
    });

    it("throws SignalInputError for a negative or non-finite quantity", () => {
      for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => plannedQuantity(bad)).to.throw(SignalInputError);
    });
  });

  describe("signalRecords", () => {
    describe("when nothing stands yet", () => {
      it("creates one intent per signal in the fixed form, by due, then process name", () => {
        const signals = [sig("print", 2, 3), sig("assemble", 2, 2.5), sig("assemble", 1, 1.2), sig("solder", 1, 0)];
        const r = signalRecords(signals, [], ctx);
        expect(summary(r)).to.deep.equal({
          create: [
            ["assemble", 1, "1.2"],
            ["assemble", 2, "2.5"],
            ["print", 2, "3"],
          ],
          correct: [],
          unchanged: [],
        });
        expect(r.create[0].draft).to.deep.equal({
          flow: "need",
          action: "produce",
          receiver: ALICE,
          commons: COMMONS,
          resource: undefined,
          resourceSpec: labelId("kit"),
          process: labelId("assemble #1"),
          side: "output",
          quantity: "1.2",
          unit: "ea",
          time: T0 + DAY,
          evidence: BOOK,
        });
      });
    });

    describe("when the previous plan's intents stand", () => {
      it("leaves an intent of the same process and due with the same quantity, and corrects one whose quantity changed", () => {
        const l = new HandLedger();
        const a1 = sig("assemble", 1, 2);
        const a2 = sig("assemble", 2, 5);
        const same = intent(l, a1, "2");
        const changed = intent(l, a2, "3");
        const r = signalRecords([a2, a1], standing(l), ctx);
        expect(summary(r)).to.deep.equal({ create: [], correct: [[Number(changed), "changed", "5"]], unchanged: [[Number(same), 1]] });
        expect(r.correct[0]).to.include({ from: 3_000_000n, to: 5_000_000n, signal: a2 });
        expect(r.correct[0].draft).to.include({
          flow: "need",
          action: "produce",
          receiver: ALICE,
          process: a2.processId,
          time: a2.due,
          evidence: BOOK,
          unit: "ea",
        });
      });

      it("lowers an intent no further than what commitments and events already hold", () => {
        const l = new HandLedger();
        const a1 = sig("assemble", 1, 1);
        const need = intent(l, a1, "10");
        l.add({ flow: "commitment", action: "produce", provider: BOB, spec: "kit", quantity: "4", time: T0 + 100n, satisfies: need });
        l.add({ action: "produce", provider: CAROL, resource: "kits", quantity: "2", satisfies: need });
        expect(heldOf(standing(l)[0])).to.equal(4_000_000n);
        const r = signalRecords([a1], standing(l), ctx);
        expect(summary(r).correct).to.deep.equal([[Number(need), "changed", "4"]]);
      });

      it("closes an intent the plan no longer has at what is held, 0 when nothing is, and keeps one that is fully held", () => {
        const l = new HandLedger();
        const [p1, p2, p3] = [sig("print", 1, 0), sig("print", 2, 0), sig("print", 3, 0)];
        const committed = intent(l, p1, "8");
        l.add({ flow: "commitment", action: "produce", provider: BOB, spec: "kit", quantity: "3", time: T0 + 100n, satisfies: committed });
        const empty = intent(l, p2, "8");
        const met = intent(l, p3, "1");
        l.add({ action: "produce", provider: CAROL, resource: "kits", quantity: "1", satisfies: met });
        const r = signalRecords([sig("assemble", 1, 1)], standing(l), ctx);
        expect(summary(r)).to.deep.equal({
          create: [["assemble", 1, "1"]],
          correct: [
            [Number(committed), "dropped", "3"],
            [Number(empty), "dropped", "0"],
          ],
          unchanged: [[Number(met), null]],
        });
        expect(r.correct[1].draft).to.include({ time: p2.due, process: p2.processId, evidence: BOOK });
      });

      it("treats a signal with zero planned as dropped: it closes the intent at what is held and creates nothing", () => {
        const l = new HandLedger();
        const a1 = sig("assemble", 1, 0);
        const need = intent(l, a1, "4");
        expect(summary(signalRecords([a1], standing(l), ctx))).to.deep.equal({ create: [], correct: [[Number(need), "changed", "0"]], unchanged: [] });
      });

      it("closes and re-creates when the output spec or unit changed, so no commitment is moved to another unit", () => {
        const l = new HandLedger();
        const old = sig("assemble", 1, 2, "kit", "ea");
        const need = intent(l, old, "2");
        l.add({ flow: "commitment", action: "produce", provider: BOB, spec: "kit", quantity: "1", time: T0 + 100n, satisfies: need });
        const r = signalRecords([sig("assemble", 1, 2, "kit", "box")], standing(l), ctx);
        expect(summary(r)).to.deep.equal({ create: [["assemble", 1, "2"]], correct: [[Number(need), "dropped", "1"]], unchanged: [] });
        expect(r.create[0].draft.unit).to.equal("box");
      });

      it("matches the first of two intents for the same process and due and closes the second", () => {
        const l = new HandLedger();
        const a1 = sig("assemble", 1, 2);
        const first = intent(l, a1, "2");
        const second = intent(l, a1, "2");
        expect(summary(signalRecords([a1], standing(l), ctx))).to.deep.equal({
          create: [],
          correct: [[Number(second), "dropped", "0"]],
          unchanged: [[Number(first), 1]],
        });
      });
    });

    describe("when intents of others stand", () => {
      it("ignores intents of another publisher, another commons, and needs that are no plan signal", () => {
        const l = new HandLedger();
        const a1 = sig("assemble", 1, 2);
        intent(l, a1, "9", { receiver: BOB });
        intent(l, a1, "9", { commons: labelId("another commons") });
        l.add({ flow: "need", action: "consume", receiver: ALICE, spec: "PLA", process: "assemble #1", quantity: "9", unit: "kg", time: a1.due });
        expect(summary(signalRecords([a1], standing(l), ctx))).to.deep.equal({ create: [["assemble", 1, "2"]], correct: [], unchanged: [] });
      });
    });

    describe("when the same inputs come in another order", () => {
      it("gives the same records", () => {
        const l = new HandLedger();
        const signals = [sig("a", 1, 1), sig("b", 1, 2), sig("c", 2, 3), sig("d", 3, 4)];
        intent(l, signals[1], "5");
        intent(l, sig("e", 1, 0), "5");
        const needs = standing(l);
        expect(signalRecords([...signals].reverse(), [...needs].reverse(), ctx)).to.deep.equal(signalRecords(signals, needs, ctx));
      });
    });

    describe("when the input is malformed", () => {
      const cases: [string, PlanSignal[], RegExp][] = [
        ["two signals for one process and due", [sig("a", 1, 1), { ...sig("a", 1, 2), period: 9 }], /process "a" has two signals due .* \(periods 1 and 9\)/],
        ["a process id that is not bytes32", [{ ...sig("a", 1, 1), processId: "0x12" }], /process "a": id "0x12" is not a non-zero 32-byte hex id/],
        ["a negative quantity", [sig("a", 1, -1)], /planned quantity -1 is not a non-negative number/],
        ["a unit with a space", [sig("a", 1, 1, "kit", "big box")], /process "a": unit: "big box" must be 1 to 8 printable ASCII characters/],
        ["an empty spec", [sig("a", 1, 1, "")], /process "a": the output spec is empty/],
      ];
      for (const [what, signals, message] of cases)
        it(`throws SignalInputError for ${what}`, () => {
          expect(() => signalRecords(signals, [], ctx))
            .to.throw(SignalInputError)
            .with.property("message")
            .that.matches(message);
        });

      it("throws SignalInputError for a malformed commons, coordinator or book hash", () => {
        expect(() => signalRecords([], [], { ...ctx, commons: "0x12" })).to.throw(SignalInputError, /commons/);
        expect(() => signalRecords([], [], { ...ctx, coordinator: "alice" })).to.throw(SignalInputError, /coordinator/);
        expect(() => signalRecords([], [], { ...ctx, bookHash: "" })).to.throw(SignalInputError, /book hash/);
      });
    });
  });
});
