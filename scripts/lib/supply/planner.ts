// The planner: from recipes (process specifications: what one unit of activity takes in and gives
// out), final demand (open needs for the specs the recipe book marks final) and on-hand inventory
// (the supply view), the activity level of each process and the dependent demand for inputs
// nobody in the book produces, i.e. the needs to publish.
//
// Model (Leontief with MRP netting). Each process k makes one output spec; y_k is how much of it
// is made, x_k = y_k / out_k its activity level. A_ik = (input of spec i per activity of k) /
// out_k when process i makes spec i. Production must cover final and dependent demand net of
// stock: y = max(0, A y + d - s) (componentwise). Without stock this is (I - A) y = d.
//
// Solvability: A >= 0, so a solution for every d >= 0 exists iff the spectral radius rho(A) < 1
// (I - A is then a nonsingular M-matrix and (I - A)^-1 = sum A^n >= 0). rho(A) is the largest
// rho of the strongly connected components (Tarjan) of the input graph; each component's Perron
// root is bracketed by Collatz-Wielandt bounds min_i (Mv)_i / v_i <= rho(M) <= max_i (Mv)_i / v_i
// (any v > 0), with M = A_C + I (primitive, so power iteration converges) and rho(A_C) = rho(M) - 1.
// A component whose upper bound is below 1 is proven productive; one whose lower bound reaches 1
// is proven not to be (it needs at least as much of its own outputs as it makes), and is named.
//
// Solver: components in topological order (consumers before suppliers), so an acyclic book is
// solved exactly in one pass; within a cycle, Gauss-Seidel sweeps. For a nonsingular M-matrix
// Gauss-Seidel converges, at least as fast as Jacobi (Stein-Rosenberg), whose rate is rho(A_C);
// with the max(0, .) netting the sweeps from y = 0 increase monotonically to the least solution.
// Convergence is checked by the residual ||y - max(0, A y + d - s)||_inf, reported with the plan.
import { keccak256 } from "ethers";
import { z } from "zod";
import { formatQuantity, labelId } from "../core/record.js";
import { deriveNeeds, deriveResources, isOpen } from "./supply.js";
import type { EntryView } from "../core/views.js";

export const RECIPES_FORMAT = "commons-ledger/recipes@1";

/** A bad recipe book or plan input, naming what is wrong and where. */
export class PlanInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanInputError";
  }
}

const Amount = z.union([z.string(), z.number()]).transform(String);
const Flow = z
  .object({
    spec: z.string().min(1),
    quantity: Amount,
    unit: z.string().regex(/^[\x21-\x7e]{1,8}$/, "1 to 8 printable ASCII characters"),
    action: z.enum(["consume", "use", "work", "cite"]).optional(),
  })
  .strict();
export const RecipeBookSchema = z
  .object({
    format: z.literal(RECIPES_FORMAT),
    name: z.string().min(1),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, "semantic version, e.g. 1.0.0"),
    final: z.array(z.string().min(1)).min(1),
    processes: z
      .array(
        z
          .object({
            name: z.string().min(1),
            outputs: z.array(Flow.omit({ action: true })).length(1, "one output per process (joint production is not supported)"),
            inputs: z.array(Flow),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type RecipeBook = z.infer<typeof RecipeBookSchema>;

export interface Recipes {
  book: RecipeBook;
  /** keccak256 of the file's bytes: what the ledger records (as the evidence of a cite). */
  hash: string;
  /** The resource specification the cite names: labelId("recipes: <name>@<version>"). */
  spec: string;
}

function amount(where: string, text: string): number {
  if (/^-/.test(text.trim())) throw new PlanInputError(`${where}: quantity ${text} is negative; recipes take non-negative coefficients`);
  if (!/^\d+(\.\d+)?$/.test(text.trim())) throw new PlanInputError(`${where}: quantity "${text}" is not a decimal number`);
  const v = Number(text);
  if (!Number.isFinite(v)) throw new PlanInputError(`${where}: quantity ${text} is too large`);
  return v;
}

/** Parses and checks a recipe book from the file's bytes. */
export function parseRecipes(bytes: Uint8Array): Recipes {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new PlanInputError(`not valid JSON: ${(error as Error).message}`);
  }
  const parsed = RecipeBookSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PlanInputError(`${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`);
  }
  const book = parsed.data;
  // Structural checks that need the whole book: names, producers, units, coefficients.
  const names = new Set<string>();
  const producer = new Map<string, { process: string; unit: string }>();
  for (const p of book.processes) {
    if (names.has(p.name)) throw new PlanInputError(`process "${p.name}" is defined twice`);
    names.add(p.name);
    const out = p.outputs[0];
    if (amount(`process "${p.name}" output "${out.spec}"`, out.quantity) === 0)
      throw new PlanInputError(`process "${p.name}": output "${out.spec}" has quantity 0`);
    const other = producer.get(out.spec);
    if (other) throw new PlanInputError(`processes "${other.process}" and "${p.name}" both make "${out.spec}"; one producer per spec`);
    producer.set(out.spec, { process: p.name, unit: out.unit });
  }
  for (const p of book.processes) {
    for (const i of p.inputs) {
      amount(`process "${p.name}" input "${i.spec}"`, i.quantity);
      const made = producer.get(i.spec);
      if (made && made.unit !== i.unit) {
        throw new PlanInputError(`units do not match: process "${p.name}" takes "${i.spec}" in ${i.unit}, process "${made.process}" makes it in ${made.unit}`);
      }
    }
  }
  for (const f of book.final) if (!producer.has(f)) throw new PlanInputError(`final "${f}" is made by no process`);
  return { book, hash: keccak256(bytes), spec: labelId(`recipes: ${book.name}@${book.version}`) };
}

// ------------------------------------------------------------------ sparse linear algebra

/** A sparse square matrix by columns: col[k] = [(row, value)...]. */
export interface SparseColumns {
  n: number;
  cols: { row: number; value: number }[][];
}

/** Strongly connected components (Tarjan, iterative); emitted so that every SCC comes after all SCCs it reaches. */
export function stronglyConnected(n: number, next: (v: number) => readonly number[]): number[][] {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (let s = 0; s < n; s++) {
    if (index[s] !== -1) continue;
    const work: { v: number; i: number }[] = [{ v: s, i: 0 }];
    index[s] = low[s] = counter++;
    stack.push(s);
    onStack[s] = 1;
    while (work.length) {
      const top = work[work.length - 1];
      const edges = next(top.v);
      if (top.i < edges.length) {
        const w = edges[top.i++];
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push({ v: w, i: 0 });
        } else if (onStack[w]) low[top.v] = Math.min(low[top.v], index[w]);
        continue;
      }
      work.pop();
      if (work.length) low[work[work.length - 1].v] = Math.min(low[work[work.length - 1].v], low[top.v]);
      if (low[top.v] === index[top.v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp.push(w);
        } while (w !== top.v);
        out.push(comp);
      }
    }
  }
  return out;
}

/**
 * Collatz-Wielandt bounds on the Perron root of the nonnegative irreducible submatrix of `a` on
 * `nodes` (power iteration on A + I). Stops once the bracket decides rho < 1 or rho >= 1, or is
 * tighter than 1e-9.
 */
export function perronBounds(a: SparseColumns, nodes: readonly number[], maxIterations = 20_000): { lower: number; upper: number } {
  const pos = new Map(nodes.map((v, i) => [v, i]));
  const m = nodes.length;
  // rows[i] = entries (j, value) of row i restricted to the component, by columns j.
  const rows: { j: number; value: number }[][] = Array.from({ length: m }, () => []);
  nodes.forEach((k, j) => {
    for (const { row, value } of a.cols[k]) {
      const i = pos.get(row);
      if (i !== undefined) rows[i].push({ j, value });
    }
  });
  let v = new Float64Array(m).fill(1);
  let lower = 0;
  let upper = Infinity;
  for (let it = 0; it < maxIterations; it++) {
    const w = new Float64Array(m);
    let lo = Infinity;
    let hi = 0;
    let norm = 0;
    for (let i = 0; i < m; i++) {
      let s = v[i];
      for (const { j, value } of rows[i]) s += value * v[j];
      w[i] = s;
      const ratio = s / v[i];
      if (ratio < lo) lo = ratio;
      if (ratio > hi) hi = ratio;
      if (s > norm) norm = s;
    }
    lower = Math.max(lower, lo - 1);
    upper = Math.min(upper, hi - 1);
    if (upper < 1 - 1e-12 || lower >= 1 || upper - lower < 1e-9) break;
    for (let i = 0; i < m; i++) w[i] /= norm;
    v = w;
  }
  return { lower, upper };
}

export interface SolveResult {
  y: Float64Array;
  /** rho(A) bracket: the largest over the cyclic components (0 when the book is acyclic). */
  spectralRadius: { lower: number; upper: number };
  sweeps: number;
  /** ||y - max(0, A y + d - s)||_inf */
  residual: number;
}

/**
 * Solves y = max(0, A y + d - s) for A >= 0 with rho(A) < 1 (without stock: (I - A) y = d).
 * Throws PlanInputError naming the processes of a component with rho >= 1. `names` names nodes.
 */
export function solveLeontief(a: SparseColumns, d: Float64Array, s: Float64Array, names: readonly string[], tolerance = 1e-12): SolveResult {
  const n = a.n;
  for (const col of a.cols)
    for (const { value } of col)
      if (!(value >= 0) || !Number.isFinite(value)) throw new PlanInputError("negative or non-finite coefficient in the input matrix");
  // Rows as lists (what y_i needs), and the graph supplier -> consumer for the order.
  const rows: { k: number; value: number }[][] = Array.from({ length: n }, () => []);
  const consumers: number[][] = Array.from({ length: n }, () => []);
  a.cols.forEach((col, k) => {
    for (const { row, value } of col) {
      if (value === 0) continue;
      rows[row].push({ k, value });
      consumers[row].push(k);
    }
  });
  const components = stronglyConnected(n, (v) => consumers[v]);
  let radius = { lower: 0, upper: 0 };
  const cyclic: boolean[] = components.map((c) => c.length > 1 || rows[c[0]].some((e) => e.k === c[0]));
  components.forEach((c, ci) => {
    if (!cyclic[ci]) return;
    const b = perronBounds(a, c);
    if (b.upper >= 1) {
      const who =
        c
          .map((v) => `"${names[v]}"`)
          .slice(0, 8)
          .join(", ") + (c.length > 8 ? ` and ${c.length - 8} more` : "");
      const rho = b.lower >= 1 ? `at least ${b.lower.toPrecision(4)}` : `about ${b.upper.toPrecision(4)}`;
      throw new PlanInputError(
        `the cycle of processes ${who} is not productive: it needs at least as much of its own outputs as it makes (spectral radius ${rho} >= 1), so no activity level meets the demand`,
      );
    }
    if (b.upper > radius.upper) radius = b;
  });
  const y = new Float64Array(n);
  const value = (i: number) => {
    let g = d[i] - s[i];
    for (const { k, value: aik } of rows[i]) g += aik * y[k];
    return g > 0 ? g : 0;
  };
  let sweeps = 0;
  components.forEach((c, ci) => {
    if (!cyclic[ci]) {
      y[c[0]] = value(c[0]);
      return;
    }
    const scale = Math.max(1, ...c.map((i) => Math.abs(d[i]) + Math.abs(s[i])));
    const limit = 1_000_000;
    for (let sweep = 0; ; sweep++) {
      let change = 0;
      let size = scale;
      for (const i of c) {
        const v = value(i);
        change = Math.max(change, Math.abs(v - y[i]));
        size = Math.max(size, v);
        y[i] = v;
      }
      sweeps++;
      if (change <= tolerance * size) break;
      if (sweep >= limit)
        throw new PlanInputError(
          `Gauss-Seidel did not converge within ${limit} sweeps on processes ${c
            .map((v) => `"${names[v]}"`)
            .slice(0, 8)
            .join(", ")}`,
        );
    }
  });
  let residual = 0;
  for (let i = 0; i < n; i++) residual = Math.max(residual, Math.abs(y[i] - value(i)));
  return { y, spectralRadius: radius, sweeps, residual };
}

// ------------------------------------------------------------------ the plan

export interface Demand {
  spec: string;
  unit: string;
  quantity: number;
}

export interface ProcessPlan {
  name: string;
  process: string;
  output: string;
  unit: string;
  /** Units of activity (runs of the recipe). */
  activity: number;
  /** Quantity of the output to make. */
  make: number;
  finalDemand: number;
  inventory: number;
}

export interface InputDemand {
  spec: string;
  resourceSpec: string;
  unit: string;
  action: "consume" | "use" | "work";
  gross: number;
  inventory: number;
  /** Open needs already on the ledger for this spec and unit. */
  alreadyNeeded: number;
  /** What is still to be asked for: the needs to publish. */
  toPublish: number;
  processes: string[];
}

export interface Plan {
  recipes: { name: string; version: string; hash: string; spec: string };
  spectralRadius: { lower: number; upper: number };
  sweeps: number;
  residual: number;
  processes: ProcessPlan[];
  inputs: InputDemand[];
  /** Designs (and other specs) cited by the processes that run. */
  cites: { spec: string; processes: string[] }[];
}

/**
 * The plan for final demand `finalDemand` (per final spec), with `inventory` on hand (per spec)
 * and `openNeeds` already published (per input spec). Units must match the book's.
 */
export function computePlan(recipes: Recipes, finalDemand: readonly Demand[], inventory: readonly Demand[], openNeeds: readonly Demand[] = []): Plan {
  const { book } = recipes;
  const n = book.processes.length;
  const bySpec = new Map(book.processes.map((p, k) => [p.outputs[0].spec, k]));
  const names = book.processes.map((p) => p.name);
  const d = new Float64Array(n);
  const s = new Float64Array(n);
  const finals = new Set(book.final);
  for (const f of finalDemand) {
    const k = bySpec.get(f.spec);
    if (k === undefined || !finals.has(f.spec)) throw new PlanInputError(`final demand for "${f.spec}", which the book does not mark final`);
    const unit = book.processes[k].outputs[0].unit;
    if (f.unit !== unit)
      throw new PlanInputError(`units do not match: final demand for "${f.spec}" is in ${f.unit}, process "${names[k]}" makes it in ${unit}`);
    if (!(f.quantity >= 0)) throw new PlanInputError(`final demand for "${f.spec}" is negative`);
    d[k] += f.quantity;
  }
  const rawStock = new Map<string, number>();
  for (const inv of inventory) {
    const k = bySpec.get(inv.spec);
    if (k !== undefined) {
      if (inv.unit === book.processes[k].outputs[0].unit) s[k] += inv.quantity;
    } else rawStock.set(`${inv.spec}|${inv.unit}`, (rawStock.get(`${inv.spec}|${inv.unit}`) ?? 0) + inv.quantity);
  }
  const cols: SparseColumns["cols"] = book.processes.map((p) => {
    const out = Number(p.outputs[0].quantity);
    const col: { row: number; value: number }[] = [];
    for (const i of p.inputs) {
      const row = bySpec.get(i.spec);
      if (row === undefined || (i.action ?? "consume") !== "consume") continue;
      col.push({ row, value: Number(i.quantity) / out });
    }
    return col;
  });
  const solved = solveLeontief({ n, cols }, d, s, names);
  const processes: ProcessPlan[] = book.processes.map((p, k) => ({
    name: p.name,
    process: labelId(p.name),
    output: p.outputs[0].spec,
    unit: p.outputs[0].unit,
    activity: solved.y[k] / Number(p.outputs[0].quantity),
    make: solved.y[k],
    finalDemand: d[k],
    inventory: s[k],
  }));
  const inputs = new Map<string, InputDemand>();
  const cites = new Map<string, Set<string>>();
  book.processes.forEach((p, k) => {
    const x = processes[k].activity;
    if (x <= 0) return;
    for (const i of p.inputs) {
      const action = i.action ?? "consume";
      if (action === "cite") {
        if (!cites.has(i.spec)) cites.set(i.spec, new Set());
        cites.get(i.spec)!.add(p.name);
        continue;
      }
      if (action === "consume" && bySpec.has(i.spec)) continue; // made inside the plan
      const key = `${i.spec}|${i.unit}|${action}`;
      let row = inputs.get(key);
      if (!row) {
        row = { spec: i.spec, resourceSpec: labelId(i.spec), unit: i.unit, action, gross: 0, inventory: 0, alreadyNeeded: 0, toPublish: 0, processes: [] };
        inputs.set(key, row);
      }
      row.gross += Number(i.quantity) * x;
      if (!row.processes.includes(p.name)) row.processes.push(p.name);
    }
  });
  for (const row of inputs.values()) {
    // Stock offsets what is consumed; equipment hours (use) and work come from capacity, not stock.
    row.inventory = row.action === "consume" ? (rawStock.get(`${row.spec}|${row.unit}`) ?? 0) : 0;
    row.alreadyNeeded = openNeeds.filter((o) => o.spec === row.spec && o.unit === row.unit).reduce((a, o) => a + o.quantity, 0);
    row.toPublish = Math.max(0, row.gross - row.inventory - row.alreadyNeeded);
  }
  return {
    recipes: { name: book.name, version: book.version, hash: recipes.hash, spec: recipes.spec },
    spectralRadius: solved.spectralRadius,
    sweeps: solved.sweeps,
    residual: solved.residual,
    processes,
    inputs: [...inputs.values()],
    cites: [...cites].map(([spec, ps]) => ({ spec, processes: [...ps] })),
  };
}

/** A float quantity as the ledger's fixed point (6 decimals), rounded up so that nothing falls short. */
export function toLedgerQuantity(value: number): string {
  const micro = BigInt(Math.ceil(value * 1e6 - 1e-6));
  return formatQuantity(micro < 0n ? 0n : micro);
}

const fromFixed = (q: bigint) => Number(q) / 1e6;

/**
 * The plan from the ledger: final demand = open needs (in `commons`, if given) for the specs the
 * book marks final; inventory = on-hand quantity of resources by their spec; already-published
 * open needs for the inputs. Also finds the entry that records the book's hash (a standing cite
 * with evidence = hash).
 */
export function planFromLedger(
  recipes: Recipes,
  views: readonly EntryView[],
  now: bigint,
  commons?: string,
): { plan: Plan; recordedBy?: bigint; finalNeeds: bigint[] } {
  const specs = new Map<string, string>();
  for (const p of recipes.book.processes) {
    specs.set(labelId(p.outputs[0].spec), p.outputs[0].spec);
    for (const i of p.inputs) specs.set(labelId(i.spec), i.spec);
  }
  const inCommons = (c: string) => commons === undefined || c === commons.toLowerCase();
  const finals = new Set(recipes.book.final);
  const finalDemand: Demand[] = [];
  const openNeeds: Demand[] = [];
  const finalNeeds: bigint[] = [];
  for (const need of deriveNeeds(views, now)) {
    const spec = specs.get(need.resourceSpec);
    if (!spec || !isOpen(need) || !inCommons(need.commons)) continue;
    if (finals.has(spec)) {
      finalDemand.push({ spec, unit: need.unit, quantity: fromFixed(need.open) });
      finalNeeds.push(need.id);
    } else openNeeds.push({ spec, unit: need.unit, quantity: fromFixed(need.open) });
  }
  // Inventory: resources of the book's specs on hand (in the commons of their events). Stock of a
  // final spec that was delivered against a need (an event on it with `satisfies`) belongs to that
  // need and is not available for new demand.
  const inventory: Demand[] = [];
  const commonsOf = new Map(views.map((v) => [v.entry.record.resource, v.entry.record.commons]));
  const delivered = new Map<string, bigint>();
  for (const v of views) {
    const r = v.entry.record;
    if (v.flow === "event" && v.state !== "corrected" && r.satisfies !== 0n && r.resource !== "0x" + "0".repeat(64))
      delivered.set(r.resource, (delivered.get(r.resource) ?? 0n) + r.quantity);
  }
  for (const r of deriveResources(views).values()) {
    const spec = specs.get(r.resourceSpec);
    if (!spec || !inCommons(commonsOf.get(r.id) ?? "")) continue;
    const available = r.onhandQuantity - (finals.has(spec) ? (delivered.get(r.id) ?? 0n) : 0n);
    if (available > 0n) inventory.push({ spec, unit: r.unit, quantity: fromFixed(available) });
  }
  const plan = computePlan(recipes, finalDemand, inventory, openNeeds);
  const cite = views.find(
    (v) =>
      v.flow === "event" &&
      v.action === "cite" &&
      v.state !== "corrected" &&
      v.entry.record.evidence === recipes.hash &&
      v.entry.record.resourceSpec === recipes.spec,
  );
  return { plan, recordedBy: cite?.id, finalNeeds };
}
