// The rolling planner: time-phased material requirements planning over a recipe book (v1 or v2).
//
// Periods are the book's (v2 `period`, back to back from its `start`); period 0 is the one the plan
// is made in. An activity started in period r by process k consumes its inputs in r and gives its
// output at the start of period r + L_k (L_k its lead time; 0: within r). Demand due in period t
// must be on hand in t.
//
// Per spec made in the book, lot for lot: the projected balance (stock + scheduled receipts -
// demand, period by period) is kept at or above the safety stock by planned receipts; each is
// released L_k periods earlier by the preferred producer with capacity left in that period, else
// earlier (built ahead and held), else by the next alternative producer; what no producer can have
// there on time is made as early as capacity allows (late: "lead time" or "capacity"), and what
// cannot be made within the horizon at all is reported. Releases explode into the inputs' demand in
// the release period. Specs are planned consumers first (strongly connected components of the
// spec graph, Tarjan); a cycle is first proven productive (planner.ts productivity: the same proof
// as the static planner) and then planned by Gauss-Seidel sweeps to the least fixed point.
//
// The plan is a pure function of the book, the period and the inputs: same ledger + same book =
// same plan, and planHash says so.
import { keccak256, toUtf8Bytes } from "ethers";
import { formatQuantity, labelId, quantityToNumber } from "../core/record.js";
import type { EntryView } from "../core/views.js";
import { deriveNeeds, deriveResources, isOpen, isPlanSignal } from "./supply.js";
import type { NeedView } from "./supply.js";
import type { PlanSignal } from "./signals.js";
import { describeUnproductive, PlanInputError, productivity, stronglyConnected, toLedgerQuantity } from "./planner.js";
import type { BookModel, Recipes, SparseColumns } from "./planner.js";

export interface PlanLine {
  spec: string;
  unit: string;
  quantity: number;
}

/** A quantity due (demand) or expected (pipeline) in a period of the plan (0: the current one). */
export interface DatedLine extends PlanLine {
  period: number;
  /** The ledger entry it comes from (a need, a commitment), to name it in shortfalls. */
  entry?: bigint;
}

export interface RollingInput {
  /** Periods planned, from the current one (1 to 520). */
  horizon: number;
  /** Absolute index of period 0 (periods since the book's start): dates the plan. Default 0. */
  firstPeriod?: number;
  /** Open needs for specs the book makes (final and intermediate), by due period. */
  demand?: readonly DatedLine[];
  /** Stock on hand now, of made specs and of raw inputs. */
  stock?: readonly PlanLine[];
  /** Outputs already on their way: open commitments and activities under way, by period expected. */
  pipeline?: readonly DatedLine[];
  /** Needs already published for inputs nobody in the book makes. */
  openNeeds?: readonly (PlanLine & { action?: string })[];
  /** Safety stock per spec (overrides the book's). */
  safetyStock?: readonly { spec: string; quantity: number }[];
  /** Activity per period at most, per process name (overrides the book's). */
  capacity?: Readonly<Record<string, number>>;
}

export interface ProcessSchedule {
  name: string;
  /** labelId(name): the process id of its records. */
  id: string;
  output: string;
  unit: string;
  leadTime: number;
  capacity?: number;
  /** Activity (runs of the recipe) started in each period. */
  activity: number[];
  /** Output of the activity started in each period; it is due by the end of period t + max(leadTime - 1, 0). */
  make: number[];
  totalActivity: number;
}

export interface SpecProjection {
  spec: string;
  unit: string;
  stock: number;
  safetyStock: number;
  /** Demand from needs (final and intermediate), per period. */
  demand: number[];
  /** Demand from the processes of the plan that consume it, per period. */
  dependent: number[];
  /** Receipts already on their way (pipeline). */
  scheduled: number[];
  /** Receipts the plan makes, per period they arrive. */
  planned: number[];
  /** Projected on hand at the end of each period (negative: owed). */
  onHand: number[];
}

export interface OutsideInput {
  spec: string;
  resourceSpec: string;
  unit: string;
  action: "consume" | "use" | "work";
  /** Required per period (inputs are taken in the period an activity starts). */
  perPeriod: number[];
  gross: number;
  inventory: number;
  alreadyNeeded: number;
  /** What is still to be asked for, per period it is needed by (net of stock and open needs, earliest first). */
  toPublishPerPeriod: number[];
  toPublish: number;
  processes: string[];
}

export type ShortfallReason = "capacity" | "lead time" | "unproductive cycle" | "missing recipe";

export interface Shortfall {
  spec: string;
  unit: string;
  /** Period the quantity was due in. */
  period: number;
  quantity: number;
  reason: ShortfallReason;
  /** Period in which it will be on hand after all (late), or undefined: not within the horizon. */
  arrives?: number;
  detail: string;
  /** Ledger entries (needs) whose demand this shortfall affects. */
  needs: bigint[];
}

export interface PlanWarning {
  entry?: bigint;
  message: string;
}

export interface RollingPlan {
  recipes: { format: 1 | 2; name: string; version: string; hash: string; spec: string };
  periodSeconds: number;
  firstPeriod: number;
  /** Unix seconds where each period starts (horizon + 1 values: the last is the end of the horizon). */
  periodStarts: number[];
  horizon: number;
  processes: ProcessSchedule[];
  specs: SpecProjection[];
  inputs: OutsideInput[];
  cites: { spec: string; processes: string[] }[];
  shortfalls: Shortfall[];
  warnings: PlanWarning[];
  spectralRadius: { lower: number; upper: number };
  sweeps: number;
}

const EPS = 1e-9;

/** Unix seconds when absolute period `index` starts. */
export const periodStart = (model: BookModel, index: number): number => model.epoch + index * model.periodSeconds;

/** The absolute period that contains unix time `t`. */
export const periodOf = (model: BookModel, t: number): number => Math.floor((t - model.epoch) / model.periodSeconds);

/** The plan for `input` over the book in `recipes`. Throws PlanInputError for bad input (never for what it cannot meet: that is a shortfall). */
export function planRolling(recipes: Recipes, input: RollingInput): RollingPlan {
  const model = recipes.model;
  const H = input.horizon;
  if (!Number.isInteger(H) || H < 1 || H > 520) throw new PlanInputError(`horizon ${H} is not a whole number of periods from 1 to 520`);
  const first = input.firstPeriod ?? 0;
  const P = model.processes;
  const specs = [...model.producers.keys()];
  const si = new Map(specs.map((s, i) => [s, i]));
  const S = specs.length;
  const warnings: PlanWarning[] = [];
  const zeros = () => new Float64Array(H);
  const at = (line: DatedLine, what: string): number => {
    if (!Number.isFinite(line.period) || !Number.isInteger(line.period))
      throw new PlanInputError(`${what} for "${line.spec}": period ${line.period} is not a whole number`);
    return Math.max(0, line.period);
  };
  const checkQuantity = (line: PlanLine, what: string) => {
    if (!(line.quantity >= 0) || !Number.isFinite(line.quantity))
      throw new PlanInputError(`${what} for "${line.spec}": quantity ${line.quantity} is not a non-negative number`);
  };

  // ---- inputs by spec
  const ext = Array.from({ length: S }, zeros);
  const extNeeds: Map<number, Set<bigint>>[] = Array.from({ length: S }, () => new Map());
  const sched = Array.from({ length: S }, zeros);
  const stock0 = new Float64Array(S);
  const rawStock = new Map<string, number>();
  const safety = new Float64Array(S);
  const missing: Shortfall[] = [];
  const usedAsInput = new Set(P.flatMap((p) => p.inputs.map((i) => i.spec)));
  for (const d of input.demand ?? []) {
    checkQuantity(d, "demand");
    const s = si.get(d.spec);
    if (s === undefined) {
      if (d.period < H)
        missing.push({
          spec: d.spec,
          unit: d.unit,
          period: at(d, "demand"),
          quantity: d.quantity,
          reason: "missing recipe",
          detail: usedAsInput.has(d.spec) ? `no process of the book makes "${d.spec}" (it is an input from outside)` : `the book has no recipe for "${d.spec}"`,
          needs: d.entry !== undefined ? [d.entry] : [],
        });
      continue;
    }
    if (d.unit !== model.unitOf.get(d.spec)) {
      warnings.push({ entry: d.entry, message: `demand for "${d.spec}" in ${d.unit} skipped: the book counts it in ${model.unitOf.get(d.spec)}` });
      continue;
    }
    const t = at(d, "demand");
    if (t >= H) {
      if (d.entry !== undefined)
        warnings.push({
          entry: d.entry,
          message: `need #${d.entry} (${d.quantity} ${d.unit} "${d.spec}") is due after the horizon of ${H} periods: a later plan (or a longer --horizon) plans it`,
        });
      continue;
    }
    ext[s][t] += d.quantity;
    if (d.entry !== undefined) {
      const set = extNeeds[s].get(t) ?? new Set();
      set.add(d.entry);
      extNeeds[s].set(t, set);
    }
  }
  for (const r of input.pipeline ?? []) {
    checkQuantity(r, "pipeline");
    const s = si.get(r.spec);
    if (s === undefined || r.unit !== model.unitOf.get(r.spec)) {
      warnings.push({ entry: r.entry, message: `expected receipt of ${r.quantity} ${r.unit} "${r.spec}" skipped: the book makes no such spec in ${r.unit}` });
      continue;
    }
    const t = at(r, "pipeline");
    if (t < H) sched[s][t] += r.quantity;
  }
  for (const line of input.stock ?? []) {
    checkQuantity(line, "stock");
    const s = si.get(line.spec);
    if (s !== undefined && line.unit === model.unitOf.get(line.spec)) stock0[s] += line.quantity;
    else if (s === undefined) rawStock.set(`${line.spec}|${line.unit}`, (rawStock.get(`${line.spec}|${line.unit}`) ?? 0) + line.quantity);
  }
  for (const [spec, q] of model.safetyStock) safety[si.get(spec)!] = q;
  for (const x of input.safetyStock ?? []) {
    const s = si.get(x.spec);
    if (s === undefined) throw new PlanInputError(`safety stock for "${x.spec}": no process of the book makes it`);
    if (!(x.quantity >= 0) || !Number.isFinite(x.quantity))
      throw new PlanInputError(`safety stock for "${x.spec}": ${x.quantity} is not a non-negative number`);
    safety[s] = x.quantity;
  }

  // ---- the book as coefficients: per spec, the processes that consume it (and how much per activity)
  const consumersOf: { k: number; per: number }[][] = Array.from({ length: S }, () => []);
  for (const p of P)
    for (const i of p.inputs) {
      const s = si.get(i.spec);
      if (s !== undefined && i.action === "consume") consumersOf[s].push({ k: p.index, per: i.quantity });
    }
  const out = P.map((p) => p.output.quantity);
  const specOf = P.map((p) => si.get(p.output.spec)!);
  // Shared capacities: per resource, hours per activity of each process that uses it.
  const resources = [...model.capacities.entries()].map(([key, perPeriod]) => ({ key, perPeriod, used: zeros(), per: new Map<number, number>() }));
  const resOf: { r: number; per: number }[][] = P.map(() => []);
  resources.forEach((res, r) => {
    for (const p of P)
      for (const i of p.inputs)
        if (`${i.spec}|${i.unit}` === res.key && (i.action === "use" || i.action === "work") && i.quantity > 0) {
          res.per.set(p.index, (res.per.get(p.index) ?? 0) + i.quantity);
        }
    for (const [k, per] of res.per) resOf[k].push({ r, per });
  });

  // ---- state
  const rel = P.map(() => zeros());
  const track = (input.demand ?? []).some((d) => d.entry !== undefined);
  const relNeeds: Map<number, Set<bigint>>[] = P.map(() => new Map());
  const shortfalls: Shortfall[] = [];
  const specShortfalls: Shortfall[][] = Array.from({ length: S }, () => []);

  const processCap = P.map((p) => {
    const c = input.capacity?.[p.name] ?? p.capacity;
    if (c !== undefined && !(c >= 0)) throw new PlanInputError(`capacity of "${p.name}": ${c} is not a non-negative number`);
    return c ?? Infinity;
  });
  for (const name of Object.keys(input.capacity ?? {}))
    if (!P.some((p) => p.name === name)) throw new PlanInputError(`capacity for "${name}": the book has no such process`);
  const capLeft = (k: number, r: number): number => {
    let c = processCap[k] - rel[k][r];
    for (const { r: ri, per } of resOf[k]) c = Math.min(c, (resources[ri].perPeriod - resources[ri].used[r]) / per);
    return c > EPS ? c : 0;
  };
  const release = (k: number, r: number, x: number, needs: Set<bigint> | undefined) => {
    rel[k][r] += x;
    for (const { r: ri, per } of resOf[k]) resources[ri].used[r] += per * x;
    if (needs?.size) {
      const set = relNeeds[k].get(r) ?? new Set();
      for (const n of needs) set.add(n);
      relNeeds[k].set(r, set);
    }
  };
  const clear = (k: number) => {
    for (let r = 0; r < H; r++) {
      if (rel[k][r] === 0) continue;
      for (const { r: ri, per } of resOf[k]) resources[ri].used[r] -= per * rel[k][r];
      rel[k][r] = 0;
    }
  };

  /** Receipts of `need` for spec s due in t, from its producers; returns what is covered and how. */
  const allocate = (s: number, t: number, need: number, needs: Set<bigint> | undefined): { onTime: number; arrives?: number; reason?: ShortfallReason } => {
    let remaining = need;
    let reason: ShortfallReason | undefined;
    const producers = model.producers.get(specs[s])!;
    for (const k of producers) {
      const latest = t - P[k].leadTime;
      if (latest < 0) {
        reason ??= "lead time";
        continue;
      }
      for (let r = latest; r >= 0 && remaining > EPS; r--) {
        const x = Math.min(remaining / out[k], capLeft(k, r));
        if (x > 0) {
          release(k, r, x, needs);
          remaining -= x * out[k];
        }
      }
      if (remaining <= EPS) return { onTime: need };
      reason = "capacity";
    }
    const onTime = need - remaining;
    // Late: the earliest arrival any producer can still give, within the horizon.
    let arrives: number | undefined;
    const maxLead = Math.max(...producers.map((k) => P[k].leadTime));
    for (let a = t + 1; a < H + maxLead && remaining > EPS; a++)
      for (const k of producers) {
        const r = a - P[k].leadTime;
        if (r < 0 || r >= H || remaining <= EPS) continue;
        const x = Math.min(remaining / out[k], capLeft(k, r));
        if (x > 0) {
          release(k, r, x, needs);
          remaining -= x * out[k];
          arrives = a;
        }
      }
    return { onTime, arrives: remaining <= EPS ? arrives : undefined, reason };
  };

  const grossOf = (s: number): { g: Float64Array; needs: (Set<bigint> | undefined)[] } => {
    const g = Float64Array.from(ext[s]);
    const needs: (Set<bigint> | undefined)[] = new Array(H);
    if (track) for (const [t, set] of extNeeds[s]) needs[t] = new Set(set);
    for (const { k, per } of consumersOf[s]) {
      for (let t = 0; t < H; t++) {
        if (rel[k][t] === 0) continue;
        g[t] += per * rel[k][t];
        const from = track ? relNeeds[k].get(t) : undefined;
        if (from) {
          const set = (needs[t] ??= new Set());
          for (const n of from) set.add(n);
        }
      }
    }
    return { g, needs };
  };

  const planSpec = (s: number) => {
    // Gross first: a process that consumes its own output counts its previous sweep's activity.
    const { g, needs } = grossOf(s);
    for (const k of model.producers.get(specs[s])!) {
      clear(k);
      relNeeds[k].clear();
    }
    specShortfalls[s] = [];
    const producers = model.producers.get(specs[s])!;
    // Before the earliest period any producer can deliver in, nothing can be ordered: a deficit is
    // carried (what is already on its way may still cover it) and reported once.
    const earliest = Math.min(...producers.map((k) => P[k].leadTime));
    let promised = stock0[s];
    let reported = 0;
    for (let t = 0; t < H; t++) {
      promised += sched[s][t] - g[t];
      const need = safety[s] - promised;
      if (need <= EPS) continue;
      if (t < earliest) {
        const owed = Math.max(0, -promised);
        if (owed - reported > EPS)
          specShortfalls[s].push({
            spec: specs[s],
            unit: model.unitOf.get(specs[s])!,
            period: t,
            quantity: owed - reported,
            reason: "lead time",
            arrives: earliest < H ? earliest : undefined,
            detail: "",
            needs: needs[t] ? [...needs[t]!].sort((a, b) => (a < b ? -1 : 1)) : [],
          });
        reported = Math.max(reported, owed);
        continue;
      }
      const { onTime, arrives, reason } = allocate(s, t, need, needs[t]);
      const owed = Math.max(0, -promised);
      promised += need; // written off in this plan when not covered; the open need is seen again by the next plan
      const short = Math.min(owed, need - onTime);
      if (short > EPS && reason)
        specShortfalls[s].push({
          spec: specs[s],
          unit: model.unitOf.get(specs[s])!,
          period: t,
          quantity: short,
          reason,
          arrives,
          detail: "",
          needs: needs[t] ? [...needs[t]!].sort((a, b) => (a < b ? -1 : 1)) : [],
        });
    }
  };

  // ---- order: strongly connected components of the spec graph, consumers first
  const consumerSpecs: number[][] = Array.from({ length: S }, (_, s) => [...new Set(consumersOf[s].map((c) => specOf[c.k]))]);
  const components = stronglyConnected(S, (s) => consumerSpecs[s]);
  let radius = { lower: 0, upper: 0 };
  let sweeps = 0;
  for (const comp of components) {
    const cyclic = comp.length > 1 || consumerSpecs[comp[0]].includes(comp[0]);
    if (!cyclic) {
      planSpec(comp[0]);
      continue;
    }
    // Steady-state input matrix of the cycle with the preferred producers: A[i][j] = input of i per unit of j.
    const cols: SparseColumns["cols"] = Array.from({ length: S }, () => []);
    for (const j of comp) {
      const k = model.producers.get(specs[j])![0];
      for (const i of P[k].inputs) {
        const row = si.get(i.spec);
        if (row !== undefined && i.action === "consume") cols[j].push({ row, value: i.quantity / out[k] });
      }
    }
    const proof = productivity({ n: S, cols }, comp);
    if (proof.verdict !== "productive") {
      const detail = describeUnproductive(
        proof,
        comp.map((s) => P[model.producers.get(specs[s])![0]].name),
      );
      for (const s of comp) {
        const { g, needs } = grossOf(s);
        let promised = stock0[s];
        for (let t = 0; t < H; t++) {
          promised += sched[s][t] - g[t];
          if (promised < -EPS) {
            specShortfalls[s].push({
              spec: specs[s],
              unit: model.unitOf.get(specs[s])!,
              period: t,
              quantity: -promised,
              reason: "unproductive cycle",
              detail,
              needs: needs[t] ? [...needs[t]!] : [],
            });
            promised = 0;
          }
        }
      }
      warnings.push({ message: detail });
      continue;
    }
    if (proof.upper > radius.upper) radius = { lower: proof.lower, upper: proof.upper };
    const scale = Math.max(1, ...comp.map((s) => ext[s].reduce((a, v) => a + v, 0) + stock0[s]));
    const limit = 100_000;
    for (let sweep = 0; ; sweep++) {
      let change = 0;
      for (const s of comp) {
        const before = model.producers.get(specs[s])!.map((k) => Float64Array.from(rel[k]));
        planSpec(s);
        model.producers.get(specs[s])!.forEach((k, n) => {
          for (let t = 0; t < H; t++) change = Math.max(change, Math.abs(rel[k][t] - before[n][t]) * out[k]);
        });
      }
      sweeps++;
      if (change <= 1e-12 * scale) break;
      if (sweep >= limit) {
        warnings.push({
          message: `the plan of the cycle ${comp.map((s) => `"${specs[s]}"`).join(", ")} did not settle within ${limit} sweeps; its figures are approximate`,
        });
        break;
      }
    }
  }

  // ---- results
  const periodStarts = Array.from({ length: H + 1 }, (_, t) => periodStart(model, first + t));
  const processes: ProcessSchedule[] = P.map((p, k) => {
    const activity = Array.from(rel[k]);
    return {
      name: p.name,
      id: p.id,
      output: p.output.spec,
      unit: p.output.unit,
      leadTime: p.leadTime,
      capacity: p.capacity,
      activity,
      make: activity.map((x) => x * out[k]),
      totalActivity: activity.reduce((a, v) => a + v, 0),
    };
  });
  const projections: SpecProjection[] = specs.map((spec, s) => {
    const { g } = grossOf(s);
    const planned = new Array<number>(H).fill(0);
    for (const k of model.producers.get(spec)!) for (let r = 0; r < H; r++) if (r + P[k].leadTime < H) planned[r + P[k].leadTime] += rel[k][r] * out[k];
    let onHand = stock0[s];
    const dependent = Array.from(g, (v, t) => v - ext[s][t]);
    return {
      spec,
      unit: model.unitOf.get(spec)!,
      stock: stock0[s],
      safetyStock: safety[s],
      demand: Array.from(ext[s]),
      dependent,
      scheduled: Array.from(sched[s]),
      planned,
      onHand: planned.map((p, t) => (onHand += sched[s][t] + p - g[t])),
    };
  });
  const inputs = new Map<string, OutsideInput>();
  const cites = new Map<string, Set<string>>();
  P.forEach((p, k) => {
    if (!rel[k].some((x) => x > 0)) return;
    for (const i of p.inputs) {
      if (i.action === "cite") {
        if (!cites.has(i.spec)) cites.set(i.spec, new Set());
        cites.get(i.spec)!.add(p.name);
        continue;
      }
      if (si.has(i.spec)) continue; // made inside the plan
      const key = `${i.spec}|${i.unit}|${i.action}`;
      let row = inputs.get(key);
      if (!row) {
        row = {
          spec: i.spec,
          resourceSpec: labelId(i.spec),
          unit: i.unit,
          action: i.action,
          perPeriod: new Array(H).fill(0),
          gross: 0,
          inventory: 0,
          alreadyNeeded: 0,
          toPublishPerPeriod: new Array(H).fill(0),
          toPublish: 0,
          processes: [],
        };
        inputs.set(key, row);
      }
      for (let r = 0; r < H; r++) row.perPeriod[r] += i.quantity * rel[k][r];
      if (!row.processes.includes(p.name)) row.processes.push(p.name);
    }
  });
  for (const row of inputs.values()) {
    row.gross = row.perPeriod.reduce((a, v) => a + v, 0);
    // Stock offsets what is consumed; equipment hours (use) and work come from capacity, not stock.
    row.inventory = row.action === "consume" ? (rawStock.get(`${row.spec}|${row.unit}`) ?? 0) : 0;
    row.alreadyNeeded = (input.openNeeds ?? [])
      .filter((o) => o.spec === row.spec && o.unit === row.unit && (o.action === undefined || o.action === row.action))
      .reduce((a, o) => a + o.quantity, 0);
    let cover = row.inventory + row.alreadyNeeded;
    row.toPublishPerPeriod = row.perPeriod.map((q) => {
      const used = Math.min(cover, q);
      cover -= used;
      return q - used > EPS ? q - used : 0;
    });
    row.toPublish = row.toPublishPerPeriod.reduce((a, v) => a + v, 0);
  }
  for (const list of specShortfalls) shortfalls.push(...list);
  shortfalls.push(...missing);
  for (const f of shortfalls)
    if (!f.detail) f.detail = explain(f, model, rel, out, processCap, first > 0 ? (t: number) => periodStart(model, first + t) : undefined);
  shortfalls.sort((a, b) => a.period - b.period || (a.spec < b.spec ? -1 : a.spec > b.spec ? 1 : 0));
  return {
    recipes: { format: model.format, name: model.name, version: model.version, hash: recipes.hash, spec: recipes.spec },
    periodSeconds: model.periodSeconds,
    firstPeriod: first,
    periodStarts,
    horizon: H,
    processes,
    specs: projections,
    inputs: [...inputs.values()],
    cites: [...cites].map(([spec, ps]) => ({ spec, processes: [...ps] })),
    shortfalls,
    warnings,
    spectralRadius: radius,
    sweeps,
  };
}

/** Why a shortfall happens, in a sentence; periods are dated when the plan is dated (a ledger plan). */
function explain(f: Shortfall, model: BookModel, rel: Float64Array[], out: number[], cap: readonly number[], startOf?: (t: number) => number): string {
  const producers = model.producers.get(f.spec) ?? [];
  const names = producers.map((k) => `"${model.processes[k].name}"`).join(" or ");
  const period = (t: number) => (startOf ? `the period from ${new Date(startOf(t) * 1000).toISOString().slice(0, 10)}` : `period ${t}`);
  const q = `${formatNumber(f.quantity)} ${f.unit} of "${f.spec}" due in ${period(f.period)}`;
  const when = f.arrives !== undefined ? `; it can be there in ${period(f.arrives)}` : "; it cannot be made within the horizon";
  if (f.reason === "lead time") {
    const lead = Math.min(...producers.map((k) => model.processes[k].leadTime));
    return `${q} is too soon: ${names} take${producers.length > 1 ? " at least" : "s"} ${lead} period${lead === 1 ? "" : "s"}${when}`;
  }
  if (f.reason === "capacity") {
    const caps = producers
      .map((k) => {
        const p = model.processes[k];
        const parts: string[] = [];
        if (Number.isFinite(cap[k])) parts.push(`${formatNumber(cap[k])} runs a period`);
        for (const i of p.inputs) {
          const c = model.capacities.get(`${i.spec}|${i.unit}`);
          if (c !== undefined && (i.action === "use" || i.action === "work")) parts.push(`${formatNumber(c)} ${i.unit} of "${i.spec}" a period, shared`);
        }
        return `"${p.name}" (${parts.join(", ") || "no limit"}; ${formatNumber(rel[k].reduce((a, v) => a + v, 0) * out[k])} ${f.unit} planned)`;
      })
      .join(", ");
    return `${q} exceeds the capacity of ${caps}${when}`;
  }
  return q;
}

const formatNumber = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(6).replace(/\.?0+$/, ""));

/** keccak256 of the plan's canonical JSON: two plans with the same hash are the same plan. */
export function planHash(plan: RollingPlan): string {
  return keccak256(toUtf8Bytes(canonicalJson(plan)));
}

/** JSON with object keys sorted, bigints as decimal strings, numbers rounded to 12 significant digits. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "number") return Number.isInteger(v) ? v : Number(v.toPrecision(12));
    if (v instanceof Float64Array) return Array.from(v);
    if (v && typeof v === "object" && !Array.isArray(v))
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([, x]) => x !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    return v;
  });
}

// ------------------------------------------------------------------ from the ledger

const ZERO32 = "0x" + "0".repeat(64);

export interface LedgerPlan {
  plan: RollingPlan;
  /** Entry that records the book's hash (a standing cite with evidence = hash). */
  recordedBy?: bigint;
  /** Needs whose demand the plan meets (final and intermediate). */
  demandNeeds: bigint[];
  /** Of those, needs from accounts that are not members of the commons (nor accepted by its validators). */
  outsideDemand: bigint[];
  /** Open commitments counted as receipts on their way. */
  pipelineEntries: bigint[];
  /** The plan signals (intents for the book's processes) standing in the commons. */
  signals: NeedView[];
}

/** Which needs the plan counts as demand: every open need (stigmergy: anyone may ask), or only those of the commons' members (stewards and appointed validators) and needs its validators accepted. */
export type DemandFrom = "anyone" | "members";

export interface LedgerPlanOptions {
  commons?: string;
  horizon: number;
  safetyStock?: RollingInput["safetyStock"];
  /** Default "anyone"; needs from others are then reported (`outsideDemand`), never hidden. */
  demandFrom?: DemandFrom;
  /** The commons' members (lower-case addresses): stewards and appointed validators (governance.ts deriveCommons). */
  members?: ReadonlySet<string>;
  /** The coordinator whose intents the pipeline follows (lower-case); default: any member's. */
  coordinator?: string;
  /** Names for ids (labels), to say which resource specification a skipped need asks for. */
  name?: (id: string) => string | undefined;
}

/**
 * The rolling plan from the ledger, as of `now` (chain time): demand = open needs for specs the
 * book makes (final or intermediate; in `commons` if given), due in the period of their due time;
 * stock = resources of the book's specs on hand, less what was delivered against a need; pipeline
 * = what commitments to the coordinator's (or a member's) plan signals still promise, at most
 * what each signal asks and only while not past due (a stranger's promise cannot stall the plan
 * longer than its due); open needs for outside inputs are netted. Needs the plan cannot use
 * (another unit, a spec the book neither makes nor uses) are skipped with a warning naming the
 * entry; they never block the plan. Plan signals are never demand (no feedback loop).
 */
export function rollingPlanFromLedger(recipes: Recipes, views: readonly EntryView[], now: bigint, opts: LedgerPlanOptions): LedgerPlan {
  const model = recipes.model;
  const specs = new Map<string, string>();
  for (const p of model.processes) {
    specs.set(labelId(p.output.spec), p.output.spec);
    for (const i of p.inputs) specs.set(labelId(i.spec), i.spec);
  }
  const processIds = new Set(model.processes.map((p) => p.id));
  const commons = opts.commons?.toLowerCase();
  const inCommons = (c: string) => commons === undefined || c.toLowerCase() === commons;
  const isMember = (a: string) => opts.members === undefined || opts.members.has(a.toLowerCase());
  const current = periodOf(model, Number(now));
  // A v1 book has no periods: every open need is demand now, as the static planner had it.
  const periodIndex = (t: bigint) => (model.format === 1 ? 0 : periodOf(model, Number(t)) - current);
  const demand: DatedLine[] = [];
  const openNeeds: (PlanLine & { action: string })[] = [];
  const warnings: PlanWarning[] = [];
  const signals: NeedView[] = [];
  const outsideDemand: bigint[] = [];
  const skippedOutside: bigint[] = [];
  for (const need of deriveNeeds(views, now)) {
    if (!isOpen(need) || !inCommons(need.commons)) continue;
    if (isPlanSignal(need)) {
      if (processIds.has(need.signal!.process)) signals.push(need);
      continue;
    }
    const id = need.resourceSpec !== ZERO32 ? need.resourceSpec : need.resource;
    const spec = specs.get(id);
    const what = `need #${need.id} (${need.action} ${formatQuantity(need.open)} ${need.unit})`;
    if (spec === undefined) {
      const known = opts.name?.(id);
      warnings.push({
        entry: need.id,
        message: `${what} skipped: the book neither makes nor uses ${known !== undefined ? `"${known}"` : `its resource specification ${id.slice(0, 10)}…`}`,
      });
      continue;
    }
    const made = model.unitOf.get(spec);
    if (made !== undefined) {
      if (need.unit !== made) {
        warnings.push({ entry: need.id, message: `${what} skipped: "${spec}" is counted in ${made} in the book, the need asks in ${need.unit}` });
        continue;
      }
      if (!isMember(need.agent) && need.view.state !== "accepted") {
        if (opts.demandFrom === "members") {
          skippedOutside.push(need.id);
          continue;
        }
        outsideDemand.push(need.id);
      }
      demand.push({ spec, unit: need.unit, quantity: quantityToNumber(need.open), period: periodIndex(need.due), entry: need.id });
    } else {
      const units = new Set(model.processes.flatMap((p) => p.inputs.filter((i) => i.spec === spec).map((i) => i.unit)));
      if (!units.has(need.unit)) {
        warnings.push({ entry: need.id, message: `${what} skipped: the book takes "${spec}" in ${[...units].join(", ")}, the need asks in ${need.unit}` });
        continue;
      }
      openNeeds.push({ spec, unit: need.unit, quantity: quantityToNumber(need.open), action: need.action });
    }
  }
  if (skippedOutside.length)
    warnings.push({
      message: `${skippedOutside.length} need${skippedOutside.length === 1 ? "" : "s"} from accounts that are not members of the commons (and not accepted by its validators) skipped: ${skippedOutside.map((i) => `#${i}`).join(", ")}`,
    });
  // Pipeline: what counted commitments to the plan signals still promise, at most what each signal still asks.
  const pipeline: DatedLine[] = [];
  const pipelineEntries: bigint[] = [];
  for (const intent of signals) {
    const trusted = opts.coordinator !== undefined ? intent.agent.toLowerCase() === opts.coordinator.toLowerCase() : isMember(intent.agent);
    if (!trusted) continue;
    const spec = specs.get(intent.resourceSpec);
    if (spec === undefined || model.unitOf.get(spec) !== intent.unit) continue;
    let room = intent.open;
    for (const c of intent.commitments) {
      if (!c.counted || c.open <= 0n || room <= 0n) continue;
      if (c.due < now) {
        warnings.push({
          entry: c.id,
          message: `commitment #${c.id} to intent #${intent.id} is past its due and ${formatQuantity(c.open)} ${c.unit} short; not counted as on its way`,
        });
        continue;
      }
      const q = c.open < room ? c.open : room;
      room -= q;
      pipeline.push({ spec, unit: intent.unit, quantity: quantityToNumber(q), period: periodIndex(c.due), entry: c.id });
      pipelineEntries.push(c.id);
    }
  }
  // Stock: resources of the book's specs on hand (in the commons of their events); what was
  // delivered against a need belongs to that need and is not available.
  const commonsOf = new Map(views.map((v) => [v.entry.record.resource, v.entry.record.commons]));
  const byId = new Map(views.map((v) => [v.id, v]));
  // A delivery meets someone's need (not a plan signal: making the output meets that one).
  const isDelivery = (target: bigint) => byId.get(target)?.flow === "need" && byId.get(target)?.action !== "produce";
  const delivered = new Map<string, bigint>();
  for (const v of views) {
    const r = v.entry.record;
    if (v.flow === "event" && v.state !== "corrected" && r.satisfies !== 0n && isDelivery(r.satisfies) && r.resource !== ZERO32)
      delivered.set(r.resource, (delivered.get(r.resource) ?? 0n) + r.quantity);
  }
  const stock: PlanLine[] = [];
  for (const r of deriveResources(views).values()) {
    const spec = specs.get(r.resourceSpec);
    if (!spec || !inCommons(commonsOf.get(r.id) ?? "")) continue;
    const available = r.onhandQuantity - (delivered.get(r.id) ?? 0n);
    if (available > 0n) stock.push({ spec, unit: r.unit, quantity: quantityToNumber(available) });
  }
  const plan = planRolling(recipes, { horizon: opts.horizon, firstPeriod: current, demand, stock, pipeline, openNeeds, safetyStock: opts.safetyStock });
  plan.warnings.unshift(...warnings);
  const cite = views.find(
    (v) =>
      v.flow === "event" &&
      v.action === "cite" &&
      v.state !== "corrected" &&
      v.entry.record.evidence === recipes.hash &&
      v.entry.record.resourceSpec === recipes.spec,
  );
  return { plan, recordedBy: cite?.id, demandNeeds: demand.map((d) => d.entry!), outsideDemand, pipelineEntries, signals };
}

/** Each process's planned output per period as the signal to publish: due by the end of the period before it is needed. */
export function planSignals(plan: RollingPlan): PlanSignal[] {
  const signals: PlanSignal[] = [];
  for (const p of plan.processes)
    p.make.forEach((q, r) => {
      if (toLedgerQuantity(q) === "0") return;
      const dueIndex = Math.min(r + Math.max(p.leadTime, 1), plan.periodStarts.length - 1);
      signals.push({ processName: p.name, processId: p.id, spec: p.output, unit: p.unit, quantity: q, due: BigInt(plan.periodStarts[dueIndex]), period: r });
    });
  return signals;
}
