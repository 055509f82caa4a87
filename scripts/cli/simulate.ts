// `commons simulate`: "test local". A seeded, reproducible simulation of a local commons over time
// (scripts/lib/supply/simulate.ts): the planner's signals side by side with a naive baseline and no
// coordination, per period and in total, as a table, JSON, or an SVG chart; `--table` runs the
// coordination benchmark's table (npm run bench:coordination) for the given seeds.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { lineChartSvg } from "../lib/supply/chart.js";
import { parseRecipes, PlanInputError } from "../lib/supply/planner.js";
import type { Recipes } from "../lib/supply/planner.js";
import { coordinationRow, cumulativeLeadTime, DEFAULT_TABLE, generateBook, simulate } from "../lib/supply/simulate.js";
import type { Policy, SimulationResult } from "../lib/supply/simulate.js";
import { json, out, table } from "./format.js";
import { CliInputError } from "./inputs.js";

const POLICIES: readonly Policy[] = ["planner", "naive", "none"];
const COLORS: Record<Policy, string> = { planner: "#1b7837", naive: "#d95f02", none: "#7570b3" };

function whole(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new CliInputError(flag, `"${text}" is not a whole number from ${min} to ${max}`);
  return n;
}

function decimal(flag: string, text: string, min: number, max: number, what: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n >= min && n <= max)) throw new CliInputError(flag, `"${text}" is not ${what}`);
  return n;
}

interface Opts {
  recipes?: string;
  seed: string;
  processes: string;
  links: string;
  cycles: string;
  leadTime: string;
  capacity?: string[];
  periods: string;
  notice?: string;
  reliability: string;
  learn?: boolean;
  safety: string;
  naiveSafety?: string;
  step: string;
  season?: string;
  shock?: string;
  policy: string;
  svg?: string;
  json?: boolean;
  table?: string;
}

export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("simulate a local commons over time: the planner's signals against a naive baseline and no coordination (seeded, reproducible)")
    .option("--recipes <file>", "recipe book (v2, lead times >= 1); default: one generated from --seed")
    .option("--seed <n>", "seed of the demand (and of the generated book)", "1")
    .option("--processes <n>", "generated book: processes", "50")
    .option("--links <n>", "generated book: input links per process", "4")
    .option("--cycles <n>", "generated book: cycles", "3")
    .option("--lead-time <periods>", "generated book: every process's lead time", "1")
    .option("--capacity <process=runs...>", 'at most this activity per period for a process (overrides the book), e.g. "make part 00=8"')
    .option("--periods <n>", "periods counted (after a warm-up of the cumulative lead time + notice)", "200")
    .option("--notice <periods>", "how far ahead needs are posted (default: the cumulative lead time)")
    .option("--reliability <share>", "share of what they commit that agents do, 0.01 to 1", "1")
    .option("--learn", "the coordinator scales activity by the reliability observed so far")
    .option("--safety <periods>", "planner: safety stock of every spec, in periods of its use", "0")
    .option("--naive-safety <periods>", "naive baseline: buffer of every process, in periods of last use (default: --safety)")
    .option("--step <share>", "final demand: random walk step per period (0.1: +-10 %)", "0.1")
    .option("--season <amplitude:periods>", "final demand: seasonality, e.g. 0.2:12")
    .option("--shock <period:factor>", "final demand: from that period on, times factor, e.g. 100:1.5")
    .option("--policy <list>", "policies to run: planner, naive, none (comma-separated)", "planner,naive,none")
    .option("--svg <file>", "write a chart of unmet demand and stock per period")
    .option("--json", "JSON output (every period)")
    .option("--table <seeds>", "run the coordination benchmark's table for these seeds, e.g. 1,2,3,4,5")
    .action((o: Opts) => {
      const seed = whole("--seed", o.seed, 0, 2 ** 31);
      const periods = whole("--periods", o.periods, 1, 10_000);
      if (o.table !== undefined) {
        const seeds = o.table.split(",").map((s) => whole("--table", s.trim(), 0, 2 ** 31));
        const rows = seeds.map((s) => coordinationRow({ ...DEFAULT_TABLE, periods }, s));
        if (o.json) return out(json(rows));
        return out(
          table(
            rows.map((r) => ({
              seed: String(r.seed),
              "on notice unmet/excess %": `${r.onNotice.unmetPercent.toFixed(2)} / ${r.onNotice.excessPercent.toFixed(2)}`,
              "90 % agents unmet/excess %": `${r.unreliable.unmetPercent.toFixed(2)} / ${r.unreliable.excessPercent.toFixed(2)}`,
              "  + observed reliability": `${r.unreliableLearning.unmetPercent.toFixed(2)} / ${r.unreliableLearning.excessPercent.toFixed(2)}`,
              "no notice excess at unmet <= 1 %: planner / naive": `${r.bestPlanner?.excessPercent.toFixed(1) ?? "-"} / ${r.bestNaive?.excessPercent.toFixed(1) ?? "-"}`,
              "80 % capacity unmet / unavoidable %": `${r.capacity.unmetPercent.toFixed(2)} / ${r.capacity.unavoidablePercent.toFixed(2)}`,
            })),
          ),
        );
      }
      let recipes: Recipes;
      try {
        if (o.recipes !== undefined) {
          if (!existsSync(o.recipes)) throw new CliInputError("--recipes", `file "${o.recipes}" does not exist`);
          recipes = parseRecipes(readFileSync(o.recipes));
        } else
          recipes = generateBook({
            seed,
            processes: whole("--processes", o.processes, 2, 2000),
            links: decimal("--links", o.links, 0, 50, "a number of links per process from 0 to 50"),
            cycles: whole("--cycles", o.cycles, 0, 1000),
            leadTime: whole("--lead-time", o.leadTime, 1, 52),
          });
      } catch (error) {
        if (error instanceof PlanInputError) throw new CliInputError("--recipes", error.message);
        throw error;
      }
      const slow = recipes.model.processes.find((p) => p.leadTime < 1);
      if (slow) throw new CliInputError("--recipes", `process "${slow.name}" has lead time 0; the simulator models lead times of at least one period`);
      const policies = o.policy.split(",").map((p) => p.trim());
      for (const p of policies) if (!POLICIES.includes(p as Policy)) throw new CliInputError("--policy", `"${p}" is not one of ${POLICIES.join(", ")}`);
      const notice = o.notice === undefined ? cumulativeLeadTime(recipes) : whole("--notice", o.notice, 0, 520);
      const reliability = decimal("--reliability", o.reliability, 0.01, 1, "a share from 0.01 to 1");
      const safety = decimal("--safety", o.safety, 0, 100, "a number of periods from 0 to 100");
      const naiveSafety = o.naiveSafety === undefined ? safety : decimal("--naive-safety", o.naiveSafety, 0, 100, "a number of periods from 0 to 100");
      const step = decimal("--step", o.step, 0, 0.9, "a share from 0 to 0.9");
      let seasonAmplitude: number | undefined;
      let seasonPeriods: number | undefined;
      if (o.season !== undefined) {
        const m = /^(\d+(?:\.\d+)?):(\d+)$/.exec(o.season);
        if (!m || Number(m[1]) > 0.9 || Number(m[2]) < 2)
          throw new CliInputError("--season", `"${o.season}" is not amplitude:periods (amplitude 0 to 0.9, at least 2 periods), e.g. 0.2:12`);
        seasonAmplitude = Number(m[1]);
        seasonPeriods = Number(m[2]);
      }
      const shocks: { period: number; factor: number }[] = [];
      if (o.shock !== undefined) {
        const m = /^(\d+):(\d+(?:\.\d+)?)$/.exec(o.shock);
        if (!m || Number(m[2]) <= 0 || Number(m[2]) > 100)
          throw new CliInputError("--shock", `"${o.shock}" is not period:factor (factor above 0, up to 100), e.g. 100:1.5`);
        shocks.push({ period: Number(m[1]), factor: Number(m[2]) });
      }
      const capacity: Record<string, number> = {};
      for (const text of o.capacity ?? []) {
        const m = /^(.+)=(\d+(?:\.\d+)?)$/.exec(text);
        if (!m) throw new CliInputError("--capacity", `"${text}" is not process=runs (e.g. "make part 00=8")`);
        if (!recipes.model.processes.some((p) => p.name === m[1])) throw new CliInputError("--capacity", `the book has no process "${m[1]}"`);
        capacity[m[1]] = Number(m[2]);
      }
      const results = new Map<Policy, SimulationResult>();
      for (const policy of policies as Policy[])
        results.set(
          policy,
          simulate({
            recipes,
            seed,
            periods,
            demand: { base: 10, step, seasonAmplitude, seasonPeriods, shocks },
            notice,
            reliability,
            learnReliability: o.learn === true,
            policy,
            safety: policy === "naive" ? naiveSafety : safety,
            capacity,
          }),
        );
      if (o.svg !== undefined) {
        const series = (pick: (r: SimulationResult["periods"][number]) => number) =>
          [...results].map(([policy, r]) => ({ name: policy, color: COLORS[policy], values: r.periods.map(pick) }));
        writeFileSync(
          o.svg,
          lineChartSvg([
            {
              title: "unmet final demand per period (% of that period's demand)",
              unit: "%",
              series: series((p) => (p.demand > 0 ? (100 * p.unmet) / p.demand : 0)),
            },
            { title: "stock held at the end of the period (units, all specs)", unit: "", series: series((p) => p.excess) },
          ]),
        );
      }
      if (o.json) return out(json(Object.fromEntries(results)));
      out(
        `book "${recipes.model.name}" ${recipes.model.version}: ${recipes.model.processes.length} processes, cumulative lead time ${cumulativeLeadTime(recipes)} periods; needs posted ${notice} period${notice === 1 ? "" : "s"} ahead; agents do ${(reliability * 100).toFixed(0)} % of what they commit${o.learn ? " (the planner scales by the observed share)" : ""}; seed ${seed}, ${periods} periods counted`,
      );
      out(
        table(
          [...results].map(([policy, r]) => ({
            policy,
            "unmet demand": `${r.totals.unmetPercent.toFixed(2)} %`,
            "excess stock": `${r.totals.excessPercent.toFixed(2)} %`,
            "work hours": r.totals.workHours.toFixed(0),
            "unmet explained": policy === "planner" ? `${r.totals.explainedPercent.toFixed(0)} %` : "-",
          })),
        ),
      );
      if (o.svg !== undefined) out(`chart written to ${o.svg}`);
    });
}
