// Runs `commons simulate`'s cases off the page's thread (scripts/lib/supply/simulate.ts): generates
// the book from the seed, then simulates each chosen policy, answering with progress, each policy's
// figures as it finishes, and "done"; or describes a book only (for the form's notice default).
// The page terminates the worker to cancel.
import { cumulativeLeadTime, cyclicSpecs, generateBook, simulate } from "@supply/simulate.js";
import type { PeriodResult, SimulationResult } from "@supply/simulate.js";
import type { PolicyName, SimulationParams } from "../lib/simulation";

export type SimulationRequest =
  { kind: "run"; params: SimulationParams } | { kind: "describe"; book: Pick<SimulationParams, "seed" | "processes" | "links" | "cycles"> };

export interface BookSummary {
  name: string;
  processes: number;
  finals: number;
  /** Input links between processes of the book (raw material and work not counted). */
  links: number;
  cycles: number;
  cumulativeLeadTime: number;
  periodSeconds: number;
}

export interface PolicyRun {
  policy: PolicyName;
  warmup: number;
  totals: SimulationResult["totals"];
  periods: PeriodResult[];
  ms: number;
}

export type SimulationReply =
  | { kind: "book"; book: BookSummary; notice: number }
  | { kind: "progress"; policy: PolicyName; index: number; of: number; period: number; warmup: boolean }
  | { kind: "result"; run: PolicyRun }
  | { kind: "done" }
  | { kind: "failed"; message: string };

const post = (reply: SimulationReply) => self.postMessage(reply);

function describe(book: Pick<SimulationParams, "seed" | "processes" | "links" | "cycles">) {
  const recipes = generateBook(book);
  const m = recipes.model;
  const summary: BookSummary = {
    name: m.name,
    processes: m.processes.length,
    finals: m.final.length,
    links: m.processes.reduce((a, p) => a + p.inputs.filter((i) => i.action === "consume" && m.producers.has(i.spec)).length, 0),
    cycles: cyclicSpecs(recipes).length,
    cumulativeLeadTime: cumulativeLeadTime(recipes),
    periodSeconds: m.periodSeconds,
  };
  return { recipes, summary };
}

function run(params: SimulationParams) {
  const { recipes, summary } = describe(params);
  const notice = params.notice ?? summary.cumulativeLeadTime;
  post({ kind: "book", book: summary, notice });
  params.policies.forEach((policy, index) => {
    let counted = 0;
    let last = 0;
    const t = performance.now();
    const result = simulate({
      recipes,
      seed: params.seed,
      periods: params.periods,
      demand: {
        base: 10,
        step: params.step,
        seasonAmplitude: params.season?.amplitude,
        seasonPeriods: params.season?.periods,
        shocks: params.shock ? [params.shock] : [],
      },
      notice,
      reliability: params.reliability,
      learnReliability: params.learn,
      policy,
      safety: policy === "naive" ? (params.naiveSafety ?? params.safety) : params.safety,
      observer: (e) => {
        if (e.counting) counted++;
        const now = performance.now();
        if (now - last < 100) return;
        last = now;
        post({ kind: "progress", policy, index, of: params.policies.length, period: counted, warmup: !e.counting });
      },
    });
    // Not the config: it holds the observer, which cannot be posted.
    post({ kind: "result", run: { policy, warmup: result.warmup, totals: result.totals, periods: result.periods, ms: performance.now() - t } });
  });
  post({ kind: "done" });
}

self.onmessage = (event: MessageEvent<SimulationRequest>) => {
  try {
    if (event.data.kind === "describe") {
      const { summary } = describe(event.data.book);
      post({ kind: "book", book: summary, notice: summary.cumulativeLeadTime });
    } else run(event.data.params);
  } catch (error) {
    post({ kind: "failed", message: (error as Error).message.split("\n")[0] });
  }
};
