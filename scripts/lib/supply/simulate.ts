// "Engage global, test local": a seeded, reproducible simulation of a local commons over time.
//
// A recipe book (the demo's, or one generated from a seed), final demand per final spec (a random
// walk, seasonality, shocks), needs posted `notice` periods ahead, agents who do a share
// (`reliability`) of the activity they commit to, within each process's capacity. Each period:
//   1. outputs of activities started lead-time periods ago arrive;
//   2. the demand due this period is delivered from stock (what is missing is unmet: lost);
//   3. the policy decides each process's activity for this period:
//      - "planner": the rolling planner's activity for period 0, from the needs posted so far (and a
//        forecast, the last demand seen, for periods beyond the notice), stock, what is on its way
//        and a safety stock of final goods;
//      - "naive": each process makes what was used of its output last period, topped up to a buffer
//        of `safety` times that use;
//      - "none": each process keeps the activity that met the first period's demand (no signals);
//   4. agents start what they commit to (times reliability, within capacity, as far as inputs on
//      hand allow: short inputs are shared pro rata) and their inputs are consumed.
// Inputs nobody in the book makes come from outside and are always available.
//
// Measures, per period and in total: unmet demand (share of final demand not delivered when due),
// excess stock (stock held at the end of periods, per spec as a share of what was made, averaged
// over specs), work hours. The first `warmup` periods (the cumulative lead time plus the notice)
// are run but not counted: every policy starts from empty stock and pipelines.
import { seededRandom } from "../core/random.js";
import { computePlan, parseRecipes, RECIPES_FORMAT_V2, stronglyConnected } from "./planner.js";
import type { Recipes } from "./planner.js";
import { planRolling } from "./rolling.js";
import type { DatedLine, RollingPlan } from "./rolling.js";

export type Policy = "planner" | "naive" | "none";

export interface DemandModel {
  /** Mean demand per period of each final spec at the start. */
  base: number;
  /** Random walk: each period's demand is the last one's times (1 + uniform(-step, step)). */
  step: number;
  /** Seasonality: amplitude (share of the level) and cycle length in periods. */
  seasonAmplitude?: number;
  seasonPeriods?: number;
  /** Shocks: from `period` on, demand is multiplied by `factor`. */
  shocks?: { period: number; factor: number }[];
}

export interface SimulationConfig {
  recipes: Recipes;
  seed: number;
  periods: number;
  demand: DemandModel;
  /** Periods ahead that needs are posted (0: due the period they are posted). */
  notice: number;
  /** Share of the committed activity agents do (1: all of it). */
  reliability: number;
  policy: Policy;
  /** Planner: safety stock of final goods, in periods of the last demand; naive: buffer per process, in periods of last use. */
  safety: number;
  /** Capacity (activity per period) per process name, overriding the book. */
  capacity?: Record<string, number>;
  /**
   * Planner: scale each process's activity by 1 / the share of its commitments it has done so far
   * (what a coordinator reads from the ledger: events against commitments). Default false.
   */
  learnReliability?: boolean;
  /** Periods run before counting (default: cumulative lead time + notice + 2). */
  warmup?: number;
  /** Called once a period with everything that happened in it (the --chain mode records it on a ledger; tests re-account it). */
  observer?: (e: PeriodEvents) => void;
}

/** What happened in one period of a simulation (absolute period t, warm-up included). */
export interface PeriodEvents {
  t: number;
  counting: boolean;
  /** Stock on hand at the start of the run (t = 0 only): cycles' seed stock. */
  initial?: { spec: string; quantity: number }[];
  /** Final demand posted this period (due `notice` periods later). */
  posted: { spec: string; quantity: number; due: number }[];
  /** Outputs that arrived at the start of the period, with the period their activity started. */
  arrived: { process: string; spec: string; quantity: number; started: number }[];
  /** Final demand due this period: asked and delivered. */
  delivered: { spec: string; due: number; quantity: number }[];
  /** The plan made this period (planner policy). */
  plan?: RollingPlan;
  /** Per process: the activity committed to (the signal answered) and the activity done. */
  started: { process: string; committed: number; activity: number; output: number; arrives: number }[];
  /** Inputs made in the book consumed by the activities started. */
  consumed: { process: string; spec: string; quantity: number }[];
  /** Stock at the end of the period, per spec. */
  stock: { spec: string; quantity: number }[];
}

export interface PeriodResult {
  period: number;
  demand: number;
  delivered: number;
  unmet: number;
  /** Stock held at the end of the period, all specs together (in their own units). */
  excess: number;
  /** Stock held at the end of the period as a share of what is made in a period, averaged over specs, %; its mean over the periods is the total's excessPercent. */
  excessPercent: number;
  workHours: number;
  /** Shortfalls the plan reported (planner policy). */
  explained: boolean;
}

export interface SimulationResult {
  config: Omit<SimulationConfig, "recipes"> & { book: string };
  warmup: number;
  periods: PeriodResult[];
  totals: {
    demand: number;
    delivered: number;
    unmet: number;
    /** Unmet as % of final demand. */
    unmetPercent: number;
    /** Mean over specs of (stock held at period ends / quantity made), %. */
    excessPercent: number;
    workHours: number;
    /** Share of unmet demand in periods for which a plan had reported a shortfall and its reason, %. */
    explainedPercent: number;
    /** Activity per period the planner asked for above a process's capacity: 0 (capacity is never exceeded). */
    capacityExceeded: number;
    /** Stock conservation: start + made + received - consumed - delivered - end, largest absolute error. */
    conservationError: number;
  };
}

/** The longest chain of lead times through the book (cycles counted once): how far ahead needs must be known. */
export function cumulativeLeadTime(recipes: Recipes): number {
  const m = recipes.model;
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (spec: string): number => {
    if (memo.has(spec)) return memo.get(spec)!;
    const producers = m.producers.get(spec);
    if (!producers || visiting.has(spec)) return 0;
    visiting.add(spec);
    let best = 0;
    for (const k of producers) {
      const p = m.processes[k];
      let inner = 0;
      for (const i of p.inputs) if (i.action === "consume") inner = Math.max(inner, depth(i.spec));
      best = Math.max(best, p.leadTime + inner);
    }
    visiting.delete(spec);
    memo.set(spec, best);
    return best;
  };
  return Math.max(...m.final.map(depth));
}

/** Specs of the book on cycles (strongly connected components of more than one spec, or a spec that consumes itself). */
export function cyclicSpecs(recipes: Recipes): string[][] {
  const m = recipes.model;
  const specs = [...m.producers.keys()];
  const si = new Map(specs.map((s, i) => [s, i]));
  const next = specs.map((s) => [
    ...new Set(m.producers.get(s)!.flatMap((k) => m.processes[k].inputs.filter((i) => i.action === "consume" && si.has(i.spec)).map((i) => si.get(i.spec)!))),
  ]);
  return stronglyConnected(specs.length, (v) => next[v])
    .filter((c) => c.length > 1 || next[c[0]].includes(c[0]))
    .map((c) => c.map((v) => specs[v]));
}

/** Final demand per final spec per period for the whole run (seeded). */
export function demandSeries(config: Pick<SimulationConfig, "seed" | "periods" | "demand" | "recipes">, total: number): number[][] {
  const rand = seededRandom(config.seed * 7919 + 17);
  const { base, step, seasonAmplitude = 0, seasonPeriods = 12, shocks = [] } = config.demand;
  return config.recipes.model.final.map(() => {
    let level = base;
    const series: number[] = [];
    for (let t = 0; t < total; t++) {
      if (t > 0) level *= 1 + (rand() * 2 - 1) * step;
      let d = level * (1 + seasonAmplitude * Math.sin((2 * Math.PI * t) / seasonPeriods));
      for (const s of shocks) if (t >= s.period) d *= s.factor;
      series.push(Math.max(0, Math.round(d * 1e6) / 1e6));
    }
    return series;
  });
}

/** Runs one simulation. Deterministic: the same config gives the same result. */
export function simulate(config: SimulationConfig): SimulationResult {
  const { recipes } = config;
  const m = recipes.model;
  const P = m.processes;
  if (P.some((p) => p.leadTime < 1))
    throw new Error(`the simulator models lead times of at least one period; process "${P.find((p) => p.leadTime < 1)!.name}" has 0`);
  if (!(config.reliability > 0 && config.reliability <= 1)) throw new Error(`reliability ${config.reliability} is not in (0, 1]`);
  if (!Number.isInteger(config.notice) || config.notice < 0) throw new Error(`notice ${config.notice} is not a whole number of periods >= 0`);
  const lead = cumulativeLeadTime(recipes);
  const warmup = config.warmup ?? lead + config.notice + 2;
  const total = warmup + config.periods;
  const horizon = Math.max(lead + 1, config.notice + 1) + 1;
  const specs = [...m.producers.keys()];
  const si = new Map(specs.map((s, i) => [s, i]));
  const finals = m.final.map((f) => si.get(f)!);
  const series = demandSeries(config, total + horizon);
  const capacity = P.map((p) => config.capacity?.[p.name] ?? p.capacity ?? Infinity);
  const stock = new Float64Array(specs.length);
  const arrivals: Float64Array[] = Array.from({ length: total + 64 }, () => new Float64Array(specs.length));
  const made = new Float64Array(specs.length);
  const heldAtEnd = new Float64Array(specs.length);
  const usedLast = new Float64Array(specs.length);
  let conservation = 0;
  let capacityExceeded = 0;
  // "none": the activity that met the first period's demand, forever.
  const fixed = computePlan(
    recipes,
    finals.map((s, f) => ({ spec: specs[s], unit: m.unitOf.get(specs[s])!, quantity: series[f][0] })),
    [],
  ).processes.map((p) => p.activity);
  // A cycle cannot start from nothing (each of its processes waits for the other's output): its
  // specs start with one period of the first demand's requirement, as a real commons would have.
  for (const comp of cyclicSpecs(recipes)) for (const s of comp) stock[si.get(s)!] = fixed[m.producers.get(s)![0]] * P[m.producers.get(s)![0]].output.quantity;
  const asked = new Float64Array(P.length);
  const done = new Float64Array(P.length);
  const startedLog: PeriodEvents["arrived"][] = [];
  const heldPerPeriod: Float64Array[] = [];
  const periods: PeriodResult[] = [];
  const flagged = new Set<number>(); // absolute periods a plan reported a shortfall for
  for (let t = 0; t < total; t++) {
    const counting = t >= warmup;
    const ev: PeriodEvents | undefined = config.observer
      ? { t, counting, posted: [], arrived: [], delivered: [], started: [], consumed: [], stock: [] }
      : undefined;
    if (ev && t === 0) ev.initial = specs.map((spec, s) => ({ spec, quantity: stock[s] })).filter((x) => x.quantity > 0);
    if (ev) {
      finals.forEach((s, f) => {
        const due = t + config.notice;
        if (due < total) ev.posted.push({ spec: specs[s], quantity: series[f][due], due });
        // needs due within the notice at the start are posted at once
        if (t === 0) for (let d = 0; d < Math.min(config.notice, total); d++) ev.posted.push({ spec: specs[s], quantity: series[f][d], due: d });
      });
      for (const a of startedLog[t] ?? []) ev.arrived.push(a);
    }
    // 1. arrivals
    for (let s = 0; s < specs.length; s++) stock[s] += arrivals[t][s];
    // 2. deliveries
    let demand = 0;
    let delivered = 0;
    const usedNow = new Float64Array(specs.length);
    finals.forEach((s, f) => {
      const due = series[f][t];
      const give = Math.min(stock[s], due);
      stock[s] -= give;
      usedNow[s] += due;
      ev?.delivered.push({ spec: specs[s], due, quantity: give });
      demand += due;
      delivered += give;
    });
    // 3. the policy's activity
    let want: number[];
    if (config.policy === "planner") {
      const lines: DatedLine[] = [];
      finals.forEach((s, f) => {
        for (let h = 0; h < horizon; h++) {
          const abs = t + h;
          // Posted needs (due within the notice, not yet delivered) and, beyond, the last demand seen as a forecast.
          const q = h === 0 ? 0 : h <= config.notice ? series[f][abs] : series[f][Math.max(0, t - 1 + config.notice)];
          if (q > 0) lines.push({ spec: specs[s], unit: m.unitOf.get(specs[s])!, quantity: q, period: h });
        }
      });
      const pipeline: DatedLine[] = [];
      for (let h = 1; h < horizon; h++)
        for (let s = 0; s < specs.length; s++)
          if (arrivals[t + h][s] > 0) pipeline.push({ spec: specs[s], unit: m.unitOf.get(specs[s])!, quantity: arrivals[t + h][s], period: h });
      // Safety stock of every spec: `safety` periods of what the latest demand needs of it (the steady state of the book).
      const steady = computePlan(
        recipes,
        finals.map((s, f) => ({ spec: specs[s], unit: m.unitOf.get(specs[s])!, quantity: series[f][Math.max(0, t - 1 + config.notice)] })),
        [],
      );
      const perPeriod = new Float64Array(specs.length);
      steady.processes.forEach((p) => (perPeriod[si.get(p.output)!] += p.make));
      const safetyStock = config.safety > 0 ? specs.map((spec, s) => ({ spec, quantity: config.safety * perPeriod[s] })) : [];
      const plan = planRolling(recipes, {
        horizon,
        demand: lines,
        stock: specs.map((spec, s) => ({ spec, unit: m.unitOf.get(spec)!, quantity: stock[s] })),
        pipeline,
        safetyStock,
        capacity: config.capacity,
      });
      for (const f of plan.shortfalls) flagged.add(t + f.period);
      if (ev) ev.plan = plan;
      want = plan.processes.map((p, k) =>
        config.learnReliability && asked[k] > 0 ? (p.activity[0] * asked[k]) / Math.max(done[k], 1e-9 * asked[k]) : p.activity[0],
      );
    } else if (config.policy === "naive") {
      want = P.map((p) => {
        const s = si.get(p.output.spec)!;
        // Only the first producer of a spec runs in the baseline.
        if (m.producers.get(p.output.spec)![0] !== p.index) return 0;
        // What was used last period, plus a top-up when stock and what is on its way are below a
        // buffer of `safety` periods of that use. (A base-stock variant that also makes less when
        // stock is above the buffer oscillated and did worse: 32.6 % unmet at no buffer, seed 1.)
        const target = usedLast[s] * (1 + config.safety);
        const inTransit = arrivals.slice(t + 1, t + 1 + p.leadTime).reduce((a, row) => a + row[s], 0);
        return Math.max(0, usedLast[s] + Math.max(0, target - usedLast[s] - stock[s] - inTransit)) / p.output.quantity;
      });
    } else want = fixed;
    // 4. execution: reliability, capacity, then inputs on hand (pro rata when short)
    const committed = want.map((x, k) => Math.min(x, capacity[k]));
    const act = want.map((x, k) => {
      if (x > capacity[k] + 1e-9) capacityExceeded = Math.max(capacityExceeded, x - capacity[k]);
      return Math.min(x * config.reliability, capacity[k]);
    });
    const request = new Float64Array(specs.length);
    P.forEach((p, k) => {
      for (const i of p.inputs) if (i.action === "consume" && si.has(i.spec)) request[si.get(i.spec)!] += i.quantity * act[k];
    });
    const ratio = Array.from(request, (r, s) => (r > stock[s] ? stock[s] / r : 1));
    for (let s = 0; s < specs.length; s++) usedNow[s] += request[s]; // what was asked for, met or not
    let workHours = 0;
    P.forEach((p, k) => {
      let x = act[k];
      for (const i of p.inputs) if (i.action === "consume" && si.has(i.spec)) x = Math.min(x, act[k] * ratio[si.get(i.spec)!]);
      act[k] = x;
    });
    P.forEach((_, k) => {
      asked[k] += committed[k];
      done[k] += Math.min(committed[k], committed[k] * config.reliability);
    });
    P.forEach((p, k) => {
      const x = act[k];
      if (ev && (x > 0 || committed[k] > 0))
        ev.started.push({ process: p.name, committed: committed[k], activity: x, output: p.output.quantity * x, arrives: t + p.leadTime });
      if (x <= 0) return;
      (startedLog[t + p.leadTime] ??= []).push({ process: p.name, spec: p.output.spec, quantity: p.output.quantity * x, started: t });
      for (const i of p.inputs) {
        if (i.action === "consume" && si.has(i.spec)) {
          const s = si.get(i.spec)!;
          stock[s] -= i.quantity * x;
          ev?.consumed.push({ process: p.name, spec: i.spec, quantity: i.quantity * x });
        }
        if (i.action === "work") workHours += i.quantity * x;
      }
      const s = si.get(p.output.spec)!;
      arrivals[t + p.leadTime][s] += p.output.quantity * x;
      if (counting) made[s] += p.output.quantity * x;
    });
    for (let s = 0; s < specs.length; s++) {
      if (stock[s] < -1e-6) conservation = Math.max(conservation, -stock[s]);
      if (stock[s] < 0) stock[s] = 0;
      usedLast[s] = usedNow[s];
    }
    if (ev) {
      ev.stock = specs.map((spec, s) => ({ spec, quantity: stock[s] }));
      config.observer!(ev);
    }
    if (!counting) continue;
    for (let s = 0; s < specs.length; s++) heldAtEnd[s] += stock[s];
    heldPerPeriod.push(Float64Array.from(stock));
    periods.push({
      period: t - warmup,
      demand,
      delivered,
      unmet: demand - delivered,
      excess: stock.reduce((a, v) => a + v, 0),
      excessPercent: 0,
      workHours,
      explained: demand - delivered <= 1e-9 || flagged.has(t),
    });
  }
  const sum = (f: (p: PeriodResult) => number) => periods.reduce((a, p) => a + f(p), 0);
  const demand = sum((p) => p.demand);
  const unmet = sum((p) => p.unmet);
  const ratios: number[] = [];
  const counted: number[] = [];
  for (let s = 0; s < specs.length; s++)
    if (made[s] > 0 || heldAtEnd[s] > 0) {
      ratios.push(made[s] > 0 ? heldAtEnd[s] / made[s] : 1);
      counted.push(s);
    }
  // Per period: each spec's stock in periods of its mean output (a spec never made counts its stock ratio as in the total: 1 per period held).
  periods.forEach((p, i) => {
    if (!counted.length) return;
    let sum = 0;
    for (const s of counted)
      sum += made[s] > 0 ? (heldPerPeriod[i][s] * periods.length) / made[s] : heldAtEnd[s] > 0 ? (heldPerPeriod[i][s] * periods.length) / heldAtEnd[s] : 0;
    p.excessPercent = (100 * sum) / counted.length;
  });
  const explainedUnmet = sum((p) => (p.explained ? p.unmet : 0));
  const { recipes: _omit, ...rest } = config;
  void _omit;
  return {
    config: { ...rest, book: `${m.name}@${m.version}` },
    warmup,
    periods,
    totals: {
      demand,
      delivered: sum((p) => p.delivered),
      unmet,
      unmetPercent: demand > 0 ? (100 * unmet) / demand : 0,
      excessPercent: ratios.length ? (100 * ratios.reduce((a, v) => a + v, 0)) / ratios.length : 0,
      workHours: sum((p) => p.workHours),
      explainedPercent: unmet > 1e-9 ? (100 * explainedUnmet) / unmet : 100,
      capacityExceeded,
      conservationError: conservation,
    },
  };
}

export interface GeneratedBookOptions {
  seed: number;
  processes: number;
  /** Input links per process on average (from the level below: suppliers). */
  links: number;
  /** Back links that close cycles (a supplier takes a little of a consumer's output; the book stays productive). */
  cycles: number;
  /** Levels of the bill of materials below the final products (default: about log2 of the size). */
  levels?: number;
  finals?: number;
  leadTime?: number;
  period?: string;
}

/**
 * A recipe book (v2) generated from a seed: final products on level 0, parts on the levels below,
 * each part consumed by at least one process of the level above (and some by the one above that),
 * a few cycles, and in every process a raw input from outside and work.
 */
export function generateBook(o: GeneratedBookOptions): Recipes {
  return parseRecipes(generateBookBytes(o));
}

/** The generated book's file (UTF-8 JSON): its keccak256 is the book's hash, so a copy written to disk is the same book. */
export function generateBookBytes(o: GeneratedBookOptions): Uint8Array {
  const rand = seededRandom(o.seed * 104729 + 3);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const n = o.processes;
  const finals = Math.min(n, o.finals ?? Math.max(1, Math.round(n / 25)));
  const levels = Math.max(1, Math.min(n - finals, o.levels ?? Math.max(1, Math.round(Math.log2(n)) - 1)));
  const name = (k: number) => `part ${String(k).padStart(String(n).length, "0")}`;
  const level = Array.from({ length: n }, (_, k) => (k < finals ? 0 : 1 + Math.floor(((k - finals) * levels) / Math.max(1, n - finals))));
  const onLevel = (l: number) => level.flatMap((x, k) => (x === l ? [k] : []));
  const processes = Array.from({ length: n }, (_, k) => ({
    name: `make ${name(k)}`,
    outputs: [{ spec: name(k), quantity: "1", unit: "ea" }],
    inputs: [] as { spec: string; quantity: string; unit: string; action?: "consume" | "use" | "work" }[],
    leadTime: o.leadTime ?? 1,
  }));
  const coefficient = () => (0.1 + Math.round(rand() * 5) / 10).toFixed(1);
  const link = (consumer: number, supplier: number, q = coefficient()) => {
    if (processes[consumer].inputs.some((i) => i.spec === name(supplier))) return false;
    processes[consumer].inputs.push({ spec: name(supplier), quantity: q, unit: "ea" });
    return true;
  };
  let placed = 0;
  // Every part has a consumer on the level above.
  for (let k = finals; k < n; k++) if (link(pick(onLevel(level[k] - 1)), k)) placed++;
  // More links, mostly from the level just above, some from two above.
  for (let guard = 0; placed < Math.round(o.links * n) && guard < o.links * n * 50; guard++) {
    const supplier = finals + Math.floor(rand() * (n - finals));
    const up = level[supplier] >= 2 && rand() < 0.25 ? 2 : 1;
    if (link(pick(onLevel(level[supplier] - up)), supplier)) placed++;
  }
  // Cycles: a supplier takes a little of the output of one of its consumers.
  for (let c = 0, guard = 0; c < o.cycles && guard < 10_000; guard++) {
    const k = finals + Math.floor(rand() * (n - finals));
    const consumers = processes.flatMap((p, j) => (j >= finals && p.inputs.some((i) => i.spec === name(k)) ? [j] : []));
    if (consumers.length && link(k, pick(consumers), "0.05")) c++;
  }
  for (const p of processes) {
    p.inputs.push({ spec: "raw material", quantity: coefficient(), unit: "kg" });
    p.inputs.push({ spec: "work", quantity: (0.2 + Math.round(rand() * 18) / 10).toFixed(1), unit: "h", action: "work" });
  }
  const book = {
    format: RECIPES_FORMAT_V2,
    name: `generated commons (seed ${o.seed}, ${n} processes)`,
    version: "1.0.0",
    period: o.period ?? "7d",
    final: Array.from({ length: finals }, (_, k) => name(k)),
    processes,
  };
  return new TextEncoder().encode(JSON.stringify(book));
}

// ------------------------------------------------------------------ the coordination table

/**
 * Demand a process capped at `capacity` (output per period) cannot meet even with perfect use of
 * what is known: earliest-due-first over the final demand it makes (production started in t
 * arrives in t + leadTime; demand due in d can be started for from d - notice, where `notice` is
 * how far ahead a need is known less the lead time of the inputs; lost when not there by d).
 */
export function unavoidableUnmet(demand: readonly number[], capacity: number, leadTime: number, notice: number, from: number): number {
  const reach = Math.max(notice, leadTime);
  const open: { due: number; left: number }[] = [];
  let lost = 0;
  for (let t = -reach; t < demand.length; t++) {
    const posted = t + reach; // demand due then is known from now on
    if (posted >= 0 && posted < demand.length) open.push({ due: posted, left: demand[posted] });
    let cap = capacity;
    for (const o of open) {
      // open is in due order; what starts now arrives at t + leadTime
      if (t < 0 || o.due < t + leadTime || cap <= 0) continue;
      const x = Math.min(cap, o.left);
      o.left -= x;
      cap -= x;
    }
    while (open.length && open[0].due <= t + leadTime) {
      const o = open.shift()!;
      if (o.due >= from) lost += o.left;
    }
  }
  return lost;
}

export interface TableOptions {
  seeds: readonly number[];
  processes: number;
  links: number;
  cycles: number;
  periods: number;
  step: number;
  /** Safety levels of the trade-off curve (periods of use held, per spec). */
  safetyLevels: readonly number[];
}

export const DEFAULT_TABLE: TableOptions = {
  seeds: [1, 2, 3, 4, 5],
  processes: 50,
  links: 4,
  cycles: 3,
  periods: 200,
  step: 0.1,
  safetyLevels: [0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2],
};

export interface SeedRow {
  seed: number;
  links: number;
  cycles: number;
  cumulativeLeadTime: number;
  /** Needs posted the cumulative lead time ahead, agents doing what they commit. */
  onNotice: { unmetPercent: number; excessPercent: number };
  /** Agents doing 90 %: replanning alone, and replanning with the reliability read from the ledger. */
  unreliable: { unmetPercent: number; excessPercent: number };
  unreliableLearning: { unmetPercent: number; excessPercent: number };
  /** No notice: the trade-off curves, and each policy's least excess at unmet <= 1 %. */
  curve: { safety: number; planner: { unmetPercent: number; excessPercent: number }; naive: { unmetPercent: number; excessPercent: number } }[];
  noCoordination: { unmetPercent: number; excessPercent: number };
  bestPlanner?: { safety: number; unmetPercent: number; excessPercent: number };
  bestNaive?: { safety: number; unmetPercent: number; excessPercent: number };
  /** When the naive baseline never gets unmet <= 1 %: its point with the least unmet demand. */
  naiveClosest: { safety: number; unmetPercent: number; excessPercent: number };
  /** One process (the first final's) at 80 % of the capacity the mean demand needs. */
  capacity: { process: string; capacity: number; unmetPercent: number; unavoidablePercent: number; explainedPercent: number; capacityExceeded: number };
}

const pair = (r: SimulationResult) => ({ unmetPercent: r.totals.unmetPercent, excessPercent: r.totals.excessPercent });

/** The coordination benchmark's figures for one seed (see DEFAULT_TABLE and `npm run bench:coordination`). */
export function coordinationRow(o: TableOptions, seed: number): SeedRow {
  const recipes = generateBook({ seed, processes: o.processes, links: o.links, cycles: o.cycles });
  const lead = cumulativeLeadTime(recipes);
  const base = { recipes, seed, periods: o.periods, demand: { base: 10, step: o.step }, reliability: 1, safety: 0 };
  const onNotice = simulate({ ...base, notice: lead, policy: "planner" });
  const unreliable = simulate({ ...base, notice: lead, policy: "planner", reliability: 0.9 });
  const unreliableLearning = simulate({ ...base, notice: lead, policy: "planner", reliability: 0.9, learnReliability: true });
  const curve = o.safetyLevels.map((safety) => ({
    safety,
    planner: pair(simulate({ ...base, notice: 0, policy: "planner", safety })),
    naive: pair(simulate({ ...base, notice: 0, policy: "naive", safety })),
  }));
  const best = (which: "planner" | "naive") =>
    curve
      .filter((c) => c[which].unmetPercent <= 1)
      .map((c) => ({ safety: c.safety, ...c[which] }))
      .sort((a, b) => a.excessPercent - b.excessPercent)[0];
  // Capacity: the first final's producer at 80 % of what the mean demand needs of it.
  const m = recipes.model;
  const k = m.producers.get(m.final[0])![0];
  const p = m.processes[k];
  const series = demandSeries({ ...base, notice: lead, policy: "planner" } as SimulationConfig, onNotice.warmup + o.periods)[0];
  const mean = series.slice(onNotice.warmup).reduce((a, v) => a + v, 0) / o.periods;
  const capacity = (0.8 * mean) / p.output.quantity;
  const capped = simulate({ ...base, notice: lead, policy: "planner", capacity: { [p.name]: capacity } });
  const finalDemand = series.slice(0, onNotice.warmup + o.periods);
  // Its inputs take the rest of the cumulative lead time: it can start for a need only once they can be there.
  const unavoidable = unavoidableUnmet(finalDemand, capacity * p.output.quantity, p.leadTime, p.leadTime, onNotice.warmup);
  const cappedFinal = capped.periods.reduce((a, r) => a + r.demand, 0);
  return {
    seed,
    links: m.processes.reduce((a, q) => a + q.inputs.filter((i) => i.action === "consume" && m.producers.has(i.spec)).length, 0),
    cycles: cyclicSpecs(recipes).length,
    cumulativeLeadTime: lead,
    onNotice: pair(onNotice),
    unreliable: pair(unreliable),
    unreliableLearning: pair(unreliableLearning),
    curve,
    noCoordination: pair(simulate({ ...base, notice: 0, policy: "none" })),
    bestPlanner: best("planner"),
    bestNaive: best("naive"),
    naiveClosest: curve.map((c) => ({ safety: c.safety, ...c.naive })).sort((a, b) => a.unmetPercent - b.unmetPercent || a.excessPercent - b.excessPercent)[0],
    capacity: {
      process: p.name,
      capacity,
      unmetPercent: capped.totals.unmetPercent,
      unavoidablePercent: (100 * unavoidable) / cappedFinal,
      explainedPercent: capped.totals.explainedPercent,
      capacityExceeded: capped.totals.capacityExceeded,
    },
  };
}
