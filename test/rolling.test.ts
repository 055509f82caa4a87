// The rolling planner (scripts/lib/supply/rolling.ts) and the local-commons simulator
// (simulate.ts): lead times, capacity, alternatives, shortfalls and their reasons, determinism,
// and the simulator's machinery (no negative stock, capacity never exceeded, same seed = same run).
import { expect } from "chai";
import { expectNear } from "./helpers/numbers.js";
import { parseRecipes, RECIPES_FORMAT_V2 } from "../scripts/lib/supply/planner.js";
import { periodOf, planHash, planRolling } from "../scripts/lib/supply/rolling.js";
import { cumulativeLeadTime, generateBook, simulate, unavoidableUnmet } from "../scripts/lib/supply/simulate.js";
import type { PeriodEvents } from "../scripts/lib/supply/simulate.js";

const KIT = {
  format: RECIPES_FORMAT_V2,
  name: "kit",
  version: "2.0.0",
  period: "7d",
  final: ["kit"],
  capacities: [{ spec: "printer", unit: "h", perPeriod: "10" }],
  processes: [
    {
      name: "assemble",
      leadTime: 1,
      outputs: [{ spec: "kit", quantity: "1", unit: "ea" }],
      inputs: [
        { spec: "parts", quantity: "12", unit: "ea" },
        { spec: "board", quantity: "1", unit: "ea" },
      ],
    },
    {
      name: "print",
      leadTime: 1,
      outputs: [{ spec: "parts", quantity: "12", unit: "ea" }],
      inputs: [
        { spec: "PLA", quantity: "0.6", unit: "kg" },
        { spec: "printer", quantity: "4", unit: "h", action: "use" },
      ],
    },
    {
      name: "print slowly",
      leadTime: 2,
      preference: 5,
      outputs: [{ spec: "parts", quantity: "12", unit: "ea" }],
      inputs: [{ spec: "PLA", quantity: "0.7", unit: "kg" }],
    },
    { name: "solder", leadTime: 1, outputs: [{ spec: "board", quantity: "1", unit: "ea" }], inputs: [{ spec: "ESP32", quantity: "1", unit: "ea" }] },
  ],
};
const kit = () => parseRecipes(new TextEncoder().encode(JSON.stringify(KIT)));
const activity = (plan: ReturnType<typeof planRolling>, name: string) => plan.processes.find((p) => p.name === name)!.activity;

describe("rolling planner", () => {
  describe("planRolling", () => {
    describe("when demand is due after the cumulative lead time", () => {
      it("starts each process its lead time before the output is needed: 3 kits in period 3 -> assemble in 2, print and solder in 1", () => {
        const plan = planRolling(kit(), { horizon: 5, demand: [{ spec: "kit", unit: "ea", quantity: 3, period: 3 }] });
        expect(activity(plan, "assemble")).to.deep.equal([0, 0, 3, 0, 0]);
        // 36 parts for period 2: 2.5 runs in period 1 (10 printer hours), the other 0.5 built ahead in period 0
        expect(activity(plan, "print")).to.deep.equal([0.5, 2.5, 0, 0, 0]);
        expect(activity(plan, "solder")).to.deep.equal([0, 3, 0, 0, 0]);
        expect(plan.shortfalls).to.deep.equal([]);
      });
    });
    describe("when the shared printer hours bind", () => {
      it("builds ahead in earlier periods, then uses the alternative process, never above 10 h a period", () => {
        const plan = planRolling(kit(), { horizon: 6, demand: [{ spec: "kit", unit: "ea", quantity: 8, period: 5 }] });
        const print = activity(plan, "print");
        for (const x of print) expect(4 * x).to.be.at.most(10 + 1e-9);
        const made = print.reduce((a, v) => a + v, 0) + activity(plan, "print slowly").reduce((a, v) => a + v, 0);
        expectNear(made, 8, 1e-9, "parts made");
        expect(plan.shortfalls).to.deep.equal([]);
      });
    });
    describe("when a need is due sooner than the lead time allows", () => {
      it("reports a lead-time shortfall naming the need and when it can be there", () => {
        const plan = planRolling(kit(), { horizon: 4, demand: [{ spec: "kit", unit: "ea", quantity: 2, period: 0, entry: 7n }] });
        const f = plan.shortfalls.find((s) => s.spec === "kit")!;
        expect(f).to.include({ reason: "lead time", period: 0, quantity: 2, arrives: 1 });
        expect(f.needs).to.deep.equal([7n]);
        expect(f.detail).to.match(/2 ea of "kit" due in period 0 is too soon: "assemble" takes 1 period/);
      });
    });
    describe("when capacity is too small for the horizon", () => {
      it("reports a capacity shortfall naming the process and its limit", () => {
        const plan = planRolling(kit(), {
          horizon: 3,
          demand: [{ spec: "kit", unit: "ea", quantity: 40, period: 2, entry: 9n }],
          capacity: { "print slowly": 0 },
        });
        const f = plan.shortfalls.find((s) => s.reason === "capacity")!;
        expect(f.spec).to.equal("parts");
        expect(f.needs).to.deep.equal([9n]);
        expect(f.detail).to.match(/exceeds the capacity of "print" \(10 h of "printer" a period, shared/);
        expect(f.detail).to.include('"print slowly" (0 runs a period');
      });
      it("dates the periods of a plan made for a date", () => {
        const firstPeriod = periodOf(kit().model, Date.parse("2026-12-07T00:00:00Z") / 1000);
        const plan = planRolling(kit(), { horizon: 4, firstPeriod, demand: [{ spec: "kit", unit: "ea", quantity: 2, period: 0 }] });
        expect(plan.periodStarts[0]).to.equal(Date.parse("2026-12-07T00:00:00Z") / 1000);
        expect(plan.shortfalls.find((x) => x.spec === "kit")!.detail).to.equal(
          '2 ea of "kit" due in the period from 2026-12-07 is too soon: "assemble" takes 1 period; it can be there in the period from 2026-12-14',
        );
      });
    });
    describe("when stock, the pipeline and safety stock are given", () => {
      it("nets stock and receipts on their way and keeps the safety stock", () => {
        const plan = planRolling(kit(), {
          horizon: 4,
          demand: [{ spec: "kit", unit: "ea", quantity: 5, period: 3 }],
          stock: [{ spec: "kit", unit: "ea", quantity: 1 }],
          pipeline: [{ spec: "kit", unit: "ea", quantity: 2, period: 2 }],
          safetyStock: [{ spec: "kit", quantity: 1 }],
        });
        expectNear(
          activity(plan, "assemble").reduce((a, v) => a + v, 0),
          5 - 1 - 2 + 1,
          1e-9,
          "kits assembled",
        );
        expectNear(plan.specs.find((s) => s.spec === "kit")!.onHand[3], 1, 1e-9, "kits on hand in period 3");
      });
    });
    describe("when a demand line cannot be used", () => {
      it("skips demand in another unit with a warning naming the entry, and reports a spec nobody makes as a missing recipe", () => {
        const plan = planRolling(kit(), {
          horizon: 3,
          demand: [
            { spec: "kit", unit: "kg", quantity: 1e9, period: 2, entry: 3n },
            { spec: "ESP32", unit: "ea", quantity: 4, period: 2, entry: 4n },
          ],
        });
        expect(plan.warnings).to.deep.equal([{ entry: 3n, message: 'demand for "kit" in kg skipped: the book counts it in ea' }]);
        expect(plan.shortfalls).to.have.length(1);
        expect(plan.shortfalls[0]).to.include({ reason: "missing recipe", spec: "ESP32" });
        expect(activity(plan, "assemble")).to.deep.equal([0, 0, 0]);
      });
      it("says which needs are due after the horizon (planned by a later plan)", () => {
        const plan = planRolling(kit(), { horizon: 3, demand: [{ spec: "kit", unit: "ea", quantity: 2, period: 5, entry: 12n }] });
        expect(plan.warnings).to.deep.equal([
          { entry: 12n, message: 'need #12 (2 ea "kit") is due after the horizon of 3 periods: a later plan (or a longer --horizon) plans it' },
        ]);
        expect(activity(plan, "assemble")).to.deep.equal([0, 0, 0]);
      });
      it("refuses a bad horizon, a negative quantity and an unknown process's capacity", () => {
        expect(() => planRolling(kit(), { horizon: 0 })).to.throw(/horizon 0 is not a whole number of periods from 1 to 520/);
        expect(() => planRolling(kit(), { horizon: 2, demand: [{ spec: "kit", unit: "ea", quantity: -1, period: 1 }] })).to.throw(
          /quantity -1 is not a non-negative number/,
        );
        expect(() => planRolling(kit(), { horizon: 2, capacity: { nobody: 1 } })).to.throw(/capacity for "nobody": the book has no such process/);
      });
    });
    describe("when replanned with the same inputs", () => {
      it("gives the same plan and the same hash; another demand gives another hash", () => {
        const input = { horizon: 6, demand: [{ spec: "kit", unit: "ea", quantity: 3, period: 4 }] };
        expect(planHash(planRolling(kit(), input))).to.equal(planHash(planRolling(kit(), input)));
        expect(planHash(planRolling(kit(), { ...input, demand: [{ ...input.demand[0], quantity: 4 }] }))).to.not.equal(planHash(planRolling(kit(), input)));
      });
    });
    describe("when a generated book of 200 processes is planned", () => {
      it("never exceeds a capacity and never starts before period 0 (random capacities, 20 periods)", () => {
        const book = generateBook({ seed: 11, processes: 200, links: 4, cycles: 5 });
        const capacity = Object.fromEntries(book.model.processes.map((p, i) => [p.name, 5 + (i % 7)]));
        const demand = book.model.final.flatMap((spec) => Array.from({ length: 20 }, (_, period) => ({ spec, unit: "ea", quantity: 3, period })));
        const plan = planRolling(book, { horizon: 20, demand, capacity });
        for (const p of plan.processes)
          for (const x of p.activity)
            expect(x)
              .to.be.at.most(capacity[p.name] + 1e-9)
              .and.at.least(0);
        for (const f of plan.shortfalls) expect(["capacity", "lead time"]).to.include(f.reason);
      });
    });
  });

  describe("simulate", () => {
    const book = generateBook({ seed: 3, processes: 20, links: 3, cycles: 1 });
    const base = { recipes: book, seed: 3, periods: 40, demand: { base: 10, step: 0.1 }, reliability: 1, safety: 0 };
    it("is reproducible: the same seed gives the same periods", () => {
      const a = simulate({ ...base, notice: cumulativeLeadTime(book), policy: "planner" });
      const b = simulate({ ...base, notice: cumulativeLeadTime(book), policy: "planner" });
      expect(a.periods).to.deep.equal(b.periods);
    });
    it("meets demand posted the cumulative lead time ahead (unmet and excess <= 1 %), never with negative stock", () => {
      const r = simulate({ ...base, notice: cumulativeLeadTime(book), policy: "planner" });
      expect(r.totals.unmetPercent).to.be.at.most(1);
      expect(r.totals.excessPercent).to.be.at.most(1);
      expect(r.totals.conservationError).to.equal(0);
      for (const p of r.periods) expect(p.delivered).to.be.at.most(p.demand + 1e-9);
    });
    it("conserves stock and respects lead times, re-accounted from what each period reports (90 % reliable agents, no notice)", () => {
      const events: PeriodEvents[] = [];
      simulate({ ...base, notice: 0, policy: "planner", reliability: 0.9, safety: 0.3, observer: (e) => events.push(e) });
      const stock = new Map<string, number>();
      const add = (spec: string, q: number) => stock.set(spec, (stock.get(spec) ?? 0) + q);
      for (const x of events[0].initial ?? []) add(x.spec, x.quantity);
      const started = new Map<string, number>();
      for (const e of events) {
        for (const a of e.arrived) {
          expect(a.started + book.model.processes.find((p) => p.name === a.process)!.leadTime, "arrives its lead time after it started").to.equal(e.t);
          expectNear(started.get(`${a.process}@${a.started}`) ?? NaN, a.quantity, 1e-9, `output of ${a.process} started in ${a.started}`);
          add(a.spec, a.quantity);
        }
        for (const d of e.delivered) add(d.spec, -d.quantity);
        for (const c of e.consumed) add(c.spec, -c.quantity);
        for (const x of e.started) {
          expect(x.activity).to.be.at.most(x.committed * 0.9 + 1e-9);
          if (x.output > 0) started.set(`${x.process}@${e.t}`, x.output);
        }
        for (const x of e.stock) {
          expect(x.quantity).to.be.at.least(0);
          expectNear(stock.get(x.spec) ?? 0, x.quantity, 1e-6, `stock of ${x.spec} at the end of period ${e.t}`);
        }
      }
    });
    it("gives excess stock per period whose mean over the periods is the total", () => {
      const r = simulate({ ...base, notice: 0, policy: "naive", safety: 0.5 });
      const mean = r.periods.reduce((a, p) => a + p.excessPercent, 0) / r.periods.length;
      expectNear(mean, r.totals.excessPercent, 1e-9 * Math.max(1, r.totals.excessPercent), "mean of the periods' excess");
      expect(r.totals.excessPercent).to.be.greaterThan(0);
    });
    it("never asks a capped process for more than its capacity, and explains the unmet demand", () => {
      const name = book.model.processes[book.model.producers.get(book.model.final[0])![0]].name;
      const r = simulate({ ...base, notice: cumulativeLeadTime(book), policy: "planner", capacity: { [name]: 6 } });
      expect(r.totals.capacityExceeded).to.equal(0);
      expect(r.totals.unmetPercent).to.be.greaterThan(0);
      expect(r.totals.explainedPercent).to.be.at.least(99);
    });
    it("refuses a book with a lead time of 0 and a reliability outside (0, 1]", () => {
      const lay = parseRecipes(new TextEncoder().encode(JSON.stringify({ ...KIT, processes: KIT.processes.map((p) => ({ ...p, leadTime: 0 })) })));
      expect(() => simulate({ ...base, recipes: lay, notice: 1, policy: "planner" })).to.throw(/lead times of at least one period; process "assemble" has 0/);
      expect(() => simulate({ ...base, notice: 1, policy: "planner", reliability: 0 })).to.throw(/reliability 0 is not in \(0, 1\]/);
    });
  });

  describe("unavoidableUnmet", () => {
    it("is what exceeds the capacity when nothing can be built ahead, and less when it can", () => {
      // counted from period 1 (period 0 cannot be made in time by anyone)
      expect(unavoidableUnmet([5, 5, 15, 5], 10, 1, 1, 1)).to.equal(5);
      expect(unavoidableUnmet([5, 5, 15, 5], 10, 1, 3, 1)).to.equal(0);
    });
  });
});
