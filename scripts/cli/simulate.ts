// `commons simulate`: "test local". A seeded, reproducible simulation of a local commons over time
// (scripts/lib/supply/simulate.ts): the planner's signals side by side with a naive baseline and no
// coordination, per period and in total, as a table, JSON, or an SVG chart; `--table` runs the
// coordination benchmark's table (npm run bench:coordination) for the given seeds. `--chain`
// records a run (the planner's) on the Ledger of the local development chain with its dev keys and
// checks the ledger against the simulation (scripts/lib/node/simulate-chain.ts).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { DEV_CHAIN_ID } from "../lib/core/dev-chain-keys.js";
import { ACTIONS } from "../lib/core/vocabulary.js";
import { simulateOnChain } from "../lib/node/simulate-chain.js";
import type { ChainSimulationResult } from "../lib/node/simulate-chain.js";
import { lineChartSvg } from "../lib/supply/chart.js";
import { parseRecipes, PlanInputError } from "../lib/supply/planner.js";
import type { Recipes } from "../lib/supply/planner.js";
import { coordinationRow, cumulativeLeadTime, DEFAULT_TABLE, generateBookBytes, simulate } from "../lib/supply/simulate.js";
import type { Policy, SimulationResult } from "../lib/supply/simulate.js";
import { connect, resolveTarget } from "./context.js";
import type { GlobalOptions } from "./context.js";
import { json, out, progress, table } from "./format.js";
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
  processes?: string;
  links: string;
  cycles: string;
  leadTime: string;
  capacity?: string[];
  periods?: string;
  notice?: string;
  reliability: string;
  learn?: boolean;
  safety: string;
  naiveSafety?: string;
  step: string;
  season?: string;
  shock?: string;
  policy?: string;
  svg?: string;
  json?: boolean;
  table?: string;
  chain?: boolean;
  bookOut?: string;
  labelsOut?: string;
}

/** A file to write: its folder must exist (checked before anything runs). */
function outFile(flag: string, file: string): string {
  const dir = path.dirname(path.resolve(file));
  if (!existsSync(dir)) throw new CliInputError(flag, `folder "${dir}" does not exist`);
  return file;
}

export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("simulate a local commons over time: the planner's signals against a naive baseline and no coordination (seeded, reproducible)")
    .option("--recipes <file>", "recipe book (v2, lead times >= 1); default: one generated from --seed")
    .option("--seed <n>", "seed of the demand (and of the generated book)", "1")
    .option("--processes <n>", "generated book: processes (default 50; 10 with --chain)")
    .option("--links <n>", "generated book: input links per process", "4")
    .option("--cycles <n>", "generated book: cycles", "3")
    .option("--lead-time <periods>", "generated book: every process's lead time", "1")
    .option("--capacity <process=runs...>", 'at most this activity per period for a process (overrides the book), e.g. "make part 00=8"')
    .option("--periods <n>", "periods counted, after a warm-up of the cumulative lead time + notice (default 200; 20 with --chain)")
    .option("--notice <periods>", "how far ahead needs are posted (default: the cumulative lead time)")
    .option("--reliability <share>", "share of what they commit that agents do, 0.01 to 1", "1")
    .option("--learn", "the coordinator scales activity by the reliability observed so far")
    .option("--safety <periods>", "planner: safety stock of every spec, in periods of its use", "0")
    .option("--naive-safety <periods>", "naive baseline: buffer of every process, in periods of last use (default: --safety)")
    .option("--step <share>", "final demand: random walk step per period (0.1: +-10 %)", "0.1")
    .option("--season <amplitude:periods>", "final demand: seasonality, e.g. 0.2:12")
    .option("--shock <period:factor>", "final demand: from that period on, times factor, e.g. 100:1.5")
    .option("--policy <list>", "policies to run: planner, naive, none (comma-separated; default all three; --chain runs the planner)")
    .option("--svg <file>", "write a chart of unmet demand and stock per period")
    .option("--json", "JSON output (every period)")
    .option("--table <seeds>", "run the coordination benchmark's table for these seeds, e.g. 1,2,3,4,5")
    .option(
      "--chain",
      `record the run (planner policy) on the Ledger of the local development chain (chain id ${DEV_CHAIN_ID}) with its dev keys: a commons, the book's cite, needs, the plan's intents, commitments and every event, period by period; then check the ledger against the simulation`,
    )
    .option("--book-out <file>", "write the recipe book simulated (generated or given) to this file, e.g. for commons plan --recipes")
    .option("--labels-out <file>", "with --chain: write the labels of the run's ids (lots, process runs, specs) as a list for --labels")
    .action(async (o: Opts) => {
      const chain = o.chain === true;
      const seed = whole("--seed", o.seed, 0, 2 ** 31);
      const periods = whole("--periods", o.periods ?? (chain ? "20" : "200"), 1, 10_000);
      if (chain) {
        if (o.table !== undefined) throw new CliInputError("--table", "runs the coordination benchmark, not a run on the chain: give --table or --chain");
        if (o.learn) throw new CliInputError("--learn", "does not go with --chain: the coordinator publishes the plan's signals as planned");
        if (o.policy !== undefined && o.policy.trim() !== "planner")
          throw new CliInputError("--policy", `--chain records the planner policy only (its signals are what the coordinator publishes), not "${o.policy}"`);
      } else if (o.labelsOut !== undefined) throw new CliInputError("--labels-out", "goes with --chain (it names the ids a run records)");
      const bookOut = o.bookOut !== undefined ? outFile("--book-out", o.bookOut) : undefined;
      const labelsOut = o.labelsOut !== undefined ? outFile("--labels-out", o.labelsOut) : undefined;
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
      let bytes: Uint8Array;
      try {
        if (o.recipes !== undefined) {
          if (!existsSync(o.recipes)) throw new CliInputError("--recipes", `file "${o.recipes}" does not exist`);
          bytes = readFileSync(o.recipes);
        } else
          bytes = generateBookBytes({
            seed,
            processes: whole("--processes", o.processes ?? (chain ? "10" : "50"), 2, 2000),
            links: decimal("--links", o.links, 0, 50, "a number of links per process from 0 to 50"),
            cycles: whole("--cycles", o.cycles, 0, 1000),
            leadTime: whole("--lead-time", o.leadTime, 1, 52),
            // On the chain a period is a day of its clock (a week otherwise): the run moves the clock less.
            period: chain ? "1d" : undefined,
          });
        recipes = parseRecipes(bytes);
      } catch (error) {
        if (error instanceof PlanInputError) throw new CliInputError("--recipes", error.message);
        throw error;
      }
      const slow = recipes.model.processes.find((p) => p.leadTime < 1);
      if (slow) throw new CliInputError("--recipes", `process "${slow.name}" has lead time 0; the simulator models lead times of at least one period`);
      const policies = (o.policy ?? (chain ? "planner" : "planner,naive,none")).split(",").map((p) => p.trim());
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
      const demand = { base: 10, step, seasonAmplitude, seasonPeriods, shocks };
      const results = new Map<Policy, SimulationResult>();
      let onChain: ChainSimulationResult | undefined;
      if (chain) {
        const target = resolveTarget(program.opts<GlobalOptions>());
        const provider = await connect(target);
        try {
          const { chainId } = await provider.getNetwork();
          if (chainId !== BigInt(DEV_CHAIN_ID))
            throw new CliInputError(
              "--chain",
              `the RPC at ${target.rpc} is on chain ${chainId}, not the local development chain (${DEV_CHAIN_ID}): the simulation signs with that chain's well-known dev keys and records nowhere else`,
            );
          if (bookOut !== undefined) writeFileSync(bookOut, bytes);
          onChain = await simulateOnChain({
            provider,
            ledger: target.ledger,
            fromBlock: target.fromBlock,
            recipes,
            config: { seed, periods, demand, notice, reliability, safety, capacity },
            onPeriod: progress("recording periods"),
          });
        } finally {
          provider.destroy();
        }
        results.set("planner", onChain.simulation);
        if (labelsOut !== undefined) writeFileSync(labelsOut, JSON.stringify(onChain.labels, null, 2) + "\n");
      } else {
        if (bookOut !== undefined) writeFileSync(bookOut, bytes);
        for (const policy of policies as Policy[])
          results.set(
            policy,
            simulate({
              recipes,
              seed,
              periods,
              demand,
              notice,
              reliability,
              learnReliability: o.learn === true,
              policy,
              safety: policy === "naive" ? naiveSafety : safety,
              capacity,
            }),
          );
      }
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
            { title: "stock held at the end of the period (% of a period's output, averaged over specs)", unit: "%", series: series((p) => p.excessPercent) },
          ]),
        );
      }
      if (onChain && !onChain.check.ok) process.exitCode = 1;
      if (o.json) return out(json(onChain ? { ...onChain, labels: undefined } : Object.fromEntries(results)));
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
      if (bookOut !== undefined) out(`book written to ${bookOut} (hash ${recipes.hash})`);
      if (onChain) {
        out(chainSummary(onChain));
        if (labelsOut !== undefined) out(`labels written to ${labelsOut}`);
      }
    });
}

const n = (x: number | bigint) => x.toLocaleString("en-US");
/** How a run's events are listed: the actions of production first, the others after in code order. */
const ACTION_ORDER = ["produce", "raise", "transfer", "consume", "use", "work", "cite", ...ACTIONS];
const day = (t: number) => new Date(t * 1000).toISOString().slice(0, 16).replace("T", " ");

/** What a run on the chain recorded, and whether the ledger matches the simulation. */
function chainSummary(r: ChainSimulationResult): string {
  const c = r.counts;
  const notes: Record<string, string> = {
    raise: " (seed stock of cycles)",
    transfer: ` (${n(c.deliveries)} deliveries to the customer, ${n(c.handOvers)} hand-overs between agents)`,
    consume: ` (${n(c.lotConsumes)} of lots, ${n((c.byAction.consume ?? 0) - c.lotConsumes)} of inputs from outside the book)`,
  };
  const periods = r.periods.length;
  const perEntry = c.entries ? Number(c.gasUsed / BigInt(c.entries)) : 0;
  const lines = [
    "",
    `on chain ${r.chainId}, ledger ${r.ledger}: commons ${r.commons} "${r.commonsName}" (steward and coordinator ${r.roles.coordinator}, customer ${r.roles.customer}, ${r.roles.agents.length} agents running the processes); the book's cite #${r.book.cite}`,
    `${periods} periods of ${r.book.periodSeconds / 3600} h (${r.simulation.warmup} of warm-up), the chain's clock moved from ${day(r.start)} to ${day(r.end)} UTC`,
    `recorded ${n(c.entries)} entries in ${n(c.transactions)} transactions, ${n(c.gasUsed)} gas (${n(perEntry)} per entry; per period ${n(Math.round(c.entries / periods))} entries and ${n(Math.round(Number(c.gasUsed) / periods))} gas); registering the commons ${n(c.registrationGas)} gas`,
    `  intents: ${n(c.needs)} needs of the customer, ${n(c.intents)} plan signals of the coordinator (${n(c.superseded)} superseded by corrections); ${n(c.commitments)} commitments`,
    `  events: ${n(c.events)}: ${Object.entries(c.byAction)
      .sort(([x], [y]) => ACTION_ORDER.indexOf(x) - ACTION_ORDER.indexOf(y))
      .map(([action, count]) => `${n(count)} ${action}${notes[action] ?? ""}`)
      .join(", ")}`,
  ];
  const k = r.check;
  const largest = Math.max(0, ...k.stock.map((s) => s.difference));
  lines.push(
    `check: the lots of ${k.stock.length} specs hold the simulation's end stock within 1e-6 ${k.stock.every((s) => s.difference <= 1e-6 + 1e-9) ? "(yes" : "(NO"}, largest difference ${largest.toExponential(1)}); ` +
      `${n(k.needs.count)} needs ${k.needs.largestDifference <= 1e-6 + 1e-9 ? "met as delivered, each within 1e-6" : "NOT met as delivered"} (${k.needs.met} of ${k.needs.asked} asked; the simulation delivered ${k.needs.delivered.toFixed(6)}); ` +
      `${n(k.intents.committed)} of ${n(k.intents.count)} plan signals committed to, ${n(k.intents.met)} met in full`,
  );
  for (const m of k.mismatches.slice(0, 20)) lines.push(`MISMATCH: ${m}`);
  lines.push(k.ok ? "OK: the ledger matches the simulation" : `FAILED: ${k.mismatches.length} mismatch(es) between the ledger and the simulation`);
  return lines.join("\n");
}
