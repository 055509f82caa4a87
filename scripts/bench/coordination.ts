// Coordination benchmark (issue 15), `npm run bench:coordination`: the local-commons simulator on
// generated recipe books (50 processes, about 200 input links, a few cycles, one-period lead
// times, final demand a +-10 % random walk, 200 periods, 5 seeds), the planner against a naive
// baseline and no coordination; then the rolling planner's speed on 1,000 processes x 20 periods
// and its exactness on a textbook input-output table. Prints a table and writes
// bench/results/coordination.json. BENCH_COORDINATION_SEEDS=1,2 runs fewer seeds.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseRecipes, RECIPES_FORMAT_V2 } from "../lib/supply/planner.js";
import { planRolling } from "../lib/supply/rolling.js";
import { coordinationRow, DEFAULT_TABLE, generateBook } from "../lib/supply/simulate.js";
import type { SeedRow } from "../lib/supply/simulate.js";

const OUT = path.join("bench", "results", "coordination.json");
const seeds = (process.env.BENCH_COORDINATION_SEEDS ?? DEFAULT_TABLE.seeds.join(",")).split(",").map(Number);
const started = performance.now();
const log = (m: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${m}`);
const f = (x: number | undefined, d = 2) => (x === undefined ? "-" : Number.isNaN(x) ? "*" : x.toFixed(d));

const rows: SeedRow[] = [];
for (const seed of seeds) {
  const t = performance.now();
  rows.push(coordinationRow(DEFAULT_TABLE, seed));
  log(`seed ${seed}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

// Speed: 1,000 processes x 20 periods, demand on every final in every period.
const big = generateBook({ seed: 42, processes: 1000, links: 5, cycles: 20 });
const demand = big.model.final.flatMap((spec) => Array.from({ length: 20 }, (_, period) => ({ spec, unit: "ea", quantity: 10, period })));
const times: number[] = [];
let bigPlan = planRolling(big, { horizon: 20, demand });
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  bigPlan = planRolling(big, { horizon: 20, demand });
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);

// Exactness: Lay, Linear Algebra, section 2.6 (through the rolling planner, lead time 0).
// C[i][k]: input of sector i per unit of sector k's output.
const C = [
  [0.5, 0.4, 0.2],
  [0.2, 0.3, 0.1],
  [0.1, 0.1, 0.3],
];
const sectors = ["manufacturing", "agriculture", "services"];
const lay = parseRecipes(
  new TextEncoder().encode(
    JSON.stringify({
      format: RECIPES_FORMAT_V2,
      name: "Lay 2.6",
      version: "1.0.0",
      period: "7d",
      final: sectors,
      processes: sectors.map((sector, k) => ({
        name: sector,
        leadTime: 0,
        outputs: [{ spec: sector, quantity: "1", unit: "u" }],
        inputs: sectors.map((input, i) => ({ spec: input, quantity: String(C[i][k]), unit: "u" })),
      })),
    }),
  ),
);
const layPlan = planRolling(lay, {
  horizon: 1,
  demand: [
    { spec: "manufacturing", unit: "u", quantity: 50, period: 0 },
    { spec: "agriculture", unit: "u", quantity: 30, period: 0 },
    { spec: "services", unit: "u", quantity: 20, period: 0 },
  ],
});
const exact = [6100 / 27, 3200 / 27, 700 / 9];
const layError = Math.max(...layPlan.processes.map((p, i) => Math.abs(p.make[0] - exact[i]) / exact[i]));

const all = (pick: (r: SeedRow) => number) => rows.map(pick);
const table = [
  ["needs posted the cumulative lead time ahead: unmet %", all((r) => r.onNotice.unmetPercent), "<= 1 every seed"],
  ["  excess stock %", all((r) => r.onNotice.excessPercent), "<= 1 every seed"],
  ["agents do 90 %, replanning: unmet %", all((r) => r.unreliable.unmetPercent), "report"],
  ["  excess stock %", all((r) => r.unreliable.excessPercent), "report"],
  ["agents do 90 %, replanning with observed reliability: unmet %", all((r) => r.unreliableLearning.unmetPercent), "report"],
  ["  excess stock %", all((r) => r.unreliableLearning.excessPercent), "report"],
  ["no notice, planner at unmet <= 1 %: least excess %", all((r) => r.bestPlanner?.excessPercent ?? NaN), ""],
  ["no notice, naive at unmet <= 1 %: least excess % (*: never <= 1 %)", all((r) => r.bestNaive?.excessPercent ?? NaN), ""],
  ["  naive / planner excess", all((r) => (r.bestNaive && r.bestPlanner ? r.bestNaive.excessPercent / r.bestPlanner.excessPercent : NaN)), ">= 5 every seed"],
  ["  naive's least unmet % on the curve", all((r) => r.naiveClosest.unmetPercent), ""],
  ["  ... at excess %", all((r) => r.naiveClosest.excessPercent), ""],
  ["no coordination: unmet %", all((r) => r.noCoordination.unmetPercent), "report"],
  ["  excess stock %", all((r) => r.noCoordination.excessPercent), "report"],
  ["one process at 80 % capacity: unmet %", all((r) => r.capacity.unmetPercent), "<= unavoidable"],
  ["  unavoidable %", all((r) => r.capacity.unavoidablePercent), ""],
  ["  unmet explained by the plan's shortfalls %", all((r) => r.capacity.explainedPercent), "100"],
] as const;
console.log(
  `\ncoordination benchmark: ${DEFAULT_TABLE.processes} processes, ~${DEFAULT_TABLE.links * DEFAULT_TABLE.processes} links, ${DEFAULT_TABLE.cycles} cycles, ${DEFAULT_TABLE.periods} periods, seeds ${seeds.join(", ")}\n`,
);
console.log(["measure".padEnd(64), ...seeds.map((s) => `seed ${s}`.padStart(9)), "  target"].join(""));
for (const [name, values, target] of table) console.log([name.padEnd(64), ...values.map((v) => f(v).padStart(9)), `  ${target}`].join(""));
console.log("\nno notice, trade-off (safety stock in periods of use held per spec -> unmet % / excess %), seed " + seeds[0]);
for (const c of rows[0].curve)
  console.log(
    `  ${String(c.safety).padStart(5)}   planner ${f(c.planner.unmetPercent).padStart(6)} / ${f(c.planner.excessPercent, 1).padStart(7)}   naive ${f(c.naive.unmetPercent).padStart(6)} / ${f(c.naive.excessPercent, 1).padStart(8)}`,
  );
console.log(
  `\nplan of 1,000 processes x 20 periods: median ${times[2].toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[4].toFixed(0)}), target <= 2000 ms; ${bigPlan.sweeps} sweeps`,
);
console.log(`textbook input-output table (Lay 2.6) through the rolling planner: largest relative error ${layError.toExponential(2)}, target <= 1e-9`);

mkdirSync(path.dirname(OUT), { recursive: true });
writeFileSync(
  OUT,
  JSON.stringify(
    {
      benchmark: "coordination",
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
      options: DEFAULT_TABLE,
      seeds: rows,
      plan1000x20: { medianMs: times[2], runsMs: times, sweeps: bigPlan.sweeps, targetMs: 2000 },
      textbook: { relativeError: layError, target: 1e-9 },
    },
    null,
    2,
  ) + "\n",
);
log(`wrote ${OUT}`);
