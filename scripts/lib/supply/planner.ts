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

export const RECIPES_FORMAT = "commons-ledger/recipes@1";
/** Recipe book v2: periods, lead times, capacities, alternative processes, intermediate demand. */
export const RECIPES_FORMAT_V2 = "commons-ledger/recipes@2";

/** A bad recipe book or plan input, naming what is wrong and where. */
export class PlanInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanInputError";
  }
}

const Amount = z.union([z.string(), z.number()]).transform(String);
const Unit = z.string().regex(/^[\x21-\x7e]{1,8}$/, "1 to 8 printable ASCII characters");
const Flow = z
  .object({
    spec: z.string().min(1),
    quantity: Amount,
    unit: Unit,
    action: z.enum(["consume", "use", "work", "cite"]).optional(),
  })
  .strict();
const Output = Flow.omit({ action: true });
const ProcessV1 = z
  .object({
    name: z.string().min(1),
    outputs: z.array(Output).length(1, "one output per process (joint production is not supported)"),
    inputs: z.array(Flow),
  })
  .strict();
const Version = z.string().regex(/^\d+\.\d+\.\d+$/, "semantic version, e.g. 1.0.0");
export const RecipeBookSchema = z
  .object({
    format: z.literal(RECIPES_FORMAT),
    name: z.string().min(1),
    version: Version,
    final: z.array(z.string().min(1)).min(1),
    processes: z.array(ProcessV1).min(1),
  })
  .strict();
/** "7d", "12h", "90m", "3600s" or seconds: a period's length (1 minute to 1 year). */
const Duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const m = /^(\d+)([smhdw]?)$/.exec(String(v).trim());
  const seconds = m ? Number(m[1]) * { "": 1, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[m[2] as "" | "s" | "m" | "h" | "d" | "w"] : NaN;
  if (!(seconds >= 60 && seconds <= 366 * 86_400)) {
    ctx.addIssue({ code: "custom", message: `"${v}" is not a period from 1 minute to 1 year (e.g. 7d, 1w, 12h)` });
    return z.NEVER;
  }
  return seconds;
});
export const RecipeBookV2Schema = z
  .object({
    format: z.literal(RECIPES_FORMAT_V2),
    name: z.string().min(1),
    version: Version,
    /** Length of a planning period. */
    period: Duration,
    /** When period 0 starts (ISO 8601); periods follow back to back. Default: Monday 1970-01-05 00:00 UTC. */
    start: z.string().datetime({ offset: true }).optional(),
    /** The end products (what final demand is for); needs for any spec a process makes count as demand. */
    final: z.array(z.string().min(1)).min(1),
    /** Hours (or any unit) of equipment and work available per period, shared by the processes that use them. */
    capacities: z.array(z.object({ spec: z.string().min(1), unit: Unit, perPeriod: Amount }).strict()).optional(),
    /** Stock to keep on hand at the end of every period, per spec. */
    safetyStock: z.array(z.object({ spec: z.string().min(1), quantity: Amount }).strict()).optional(),
    processes: z
      .array(
        ProcessV1.extend({
          /** Periods from start to output (0: within the period). Default 1. */
          leadTime: z.number().int().min(0).max(520).optional(),
          /** Activity (runs of the recipe) per period at most. */
          capacity: Amount.optional(),
          /** Among processes making one spec, lower is tried first (default: order in the book). */
          preference: z.number().int().min(0).max(1_000_000).optional(),
        }).strict(),
      )
      .min(1),
  })
  .strict();
export type RecipeBook = z.infer<typeof RecipeBookSchema> | z.infer<typeof RecipeBookV2Schema>;

export type InputAction = "consume" | "use" | "work" | "cite";

/** A process of the book with numbers parsed: what one unit of activity takes and gives. */
export interface BookProcess {
  index: number;
  name: string;
  /** labelId(name): the process id records carry. */
  id: string;
  output: { spec: string; unit: string; quantity: number };
  inputs: { spec: string; unit: string; quantity: number; action: InputAction }[];
  /** Periods from the start of an activity to its output (v1 books: 0). */
  leadTime: number;
  /** Activity per period at most (undefined: unlimited). */
  capacity?: number;
  preference: number;
}

/** The book in the planner's terms (v1 and v2 alike). */
export interface BookModel {
  format: 1 | 2;
  name: string;
  version: string;
  periodSeconds: number;
  /** Unix seconds when period 0 starts. */
  epoch: number;
  final: string[];
  processes: BookProcess[];
  /** Producers of each spec made in the book, in the order they are tried (preference, then book order). */
  producers: Map<string, number[]>;
  /** The unit each made spec is counted in. */
  unitOf: Map<string, string>;
  /** Shared capacity per period of equipment and work, by "spec|unit". */
  capacities: Map<string, number>;
  safetyStock: Map<string, number>;
}

export interface Recipes {
  book: RecipeBook;
  model: BookModel;
  /** keccak256 of the file's bytes: what the ledger records (as the evidence of a cite). */
  hash: string;
  /** The resource specification the cite names: labelId("recipes: <name>@<version>"). */
  spec: string;
}

/** Monday 1970-01-05 00:00 UTC: periods of a week start on Mondays. */
export const DEFAULT_EPOCH = 4 * 86_400;
const V1_PERIOD = 7 * 86_400;

function amount(where: string, text: string): number {
  if (/^-/.test(text.trim())) throw new PlanInputError(`${where}: quantity ${text} is negative; recipes take non-negative coefficients`);
  if (!/^\d+(\.\d+)?$/.test(text.trim())) throw new PlanInputError(`${where}: quantity "${text}" is not a decimal number`);
  const v = Number(text);
  if (!Number.isFinite(v)) throw new PlanInputError(`${where}: quantity ${text} is too large`);
  return v;
}

/** Parses and checks a recipe book (v1 or v2) from the file's bytes. */
export function parseRecipes(bytes: Uint8Array): Recipes {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new PlanInputError(`not valid JSON: ${(error as Error).message}`);
  }
  const format = (json as { format?: unknown } | null)?.format;
  const parsed = format === RECIPES_FORMAT_V2 ? RecipeBookV2Schema.safeParse(json) : RecipeBookSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join(".") : "(root)";
    const message = issue.path[0] === "format" ? `expected "${RECIPES_FORMAT}" or "${RECIPES_FORMAT_V2}", got ${JSON.stringify(format)}` : issue.message;
    throw new PlanInputError(`${where}: ${message}`);
  }
  const book = parsed.data;
  const model = bookModel(book);
  return { book, model, hash: keccak256(bytes), spec: labelId(`recipes: ${book.name}@${book.version}`) };
}

/** Structural checks that need the whole book (names, producers, units, coefficients), and the model. */
function bookModel(book: RecipeBook): BookModel {
  const v2 = book.format === RECIPES_FORMAT_V2 ? book : undefined;
  const names = new Set<string>();
  const producers = new Map<string, number[]>();
  const unitOf = new Map<string, string>();
  const processes: BookProcess[] = book.processes.map((p, index) => {
    if (names.has(p.name)) throw new PlanInputError(`process "${p.name}" is defined twice`);
    names.add(p.name);
    const out = p.outputs[0];
    const quantity = amount(`process "${p.name}" output "${out.spec}"`, out.quantity);
    if (quantity === 0) throw new PlanInputError(`process "${p.name}": output "${out.spec}" has quantity 0`);
    const other = producers.get(out.spec);
    if (other && !v2)
      throw new PlanInputError(
        `processes "${book.processes[other[0]].name}" and "${p.name}" both make "${out.spec}"; one producer per spec in a v1 book (v2 allows alternatives)`,
      );
    if (other && unitOf.get(out.spec) !== out.unit)
      throw new PlanInputError(
        `units do not match: process "${p.name}" makes "${out.spec}" in ${out.unit}, process "${book.processes[other[0]].name}" in ${unitOf.get(out.spec)}`,
      );
    producers.set(out.spec, [...(other ?? []), index]);
    unitOf.set(out.spec, out.unit);
    const extra = v2 ? v2.processes[index] : undefined;
    const capacity = extra?.capacity !== undefined ? amount(`process "${p.name}" capacity`, extra.capacity) : undefined;
    return {
      index,
      name: p.name,
      id: labelId(p.name),
      output: { spec: out.spec, unit: out.unit, quantity },
      inputs: p.inputs.map((i) => ({
        spec: i.spec,
        unit: i.unit,
        quantity: amount(`process "${p.name}" input "${i.spec}"`, i.quantity),
        action: i.action ?? "consume",
      })),
      leadTime: v2 ? (extra?.leadTime ?? 1) : 0,
      capacity,
      preference: extra?.preference ?? index,
    };
  });
  for (const p of processes) {
    for (const i of p.inputs) {
      const made = unitOf.get(i.spec);
      if (made !== undefined && made !== i.unit) {
        const maker = book.processes[producers.get(i.spec)![0]].name;
        throw new PlanInputError(`units do not match: process "${p.name}" takes "${i.spec}" in ${i.unit}, process "${maker}" makes it in ${made}`);
      }
    }
  }
  for (const f of book.final) if (!producers.has(f)) throw new PlanInputError(`final "${f}" is made by no process`);
  for (const list of producers.values()) list.sort((a, b) => processes[a].preference - processes[b].preference || a - b);
  const capacities = new Map<string, number>();
  for (const c of v2?.capacities ?? []) {
    const key = `${c.spec}|${c.unit}`;
    if (capacities.has(key)) throw new PlanInputError(`capacity of "${c.spec}" in ${c.unit} is given twice`);
    if (!processes.some((p) => p.inputs.some((i) => i.spec === c.spec && i.unit === c.unit && (i.action === "use" || i.action === "work"))))
      throw new PlanInputError(`capacity of "${c.spec}" in ${c.unit}: no process uses or works "${c.spec}" in ${c.unit}`);
    capacities.set(key, amount(`capacity of "${c.spec}"`, c.perPeriod));
  }
  const safetyStock = new Map<string, number>();
  for (const s of v2?.safetyStock ?? []) {
    if (!producers.has(s.spec)) throw new PlanInputError(`safety stock of "${s.spec}": no process makes it`);
    safetyStock.set(s.spec, amount(`safety stock of "${s.spec}"`, s.quantity));
  }
  return {
    format: v2 ? 2 : 1,
    name: book.name,
    version: book.version,
    periodSeconds: v2 ? v2.period : V1_PERIOD,
    epoch: v2?.start !== undefined ? Math.floor(Date.parse(v2.start) / 1000) : DEFAULT_EPOCH,
    final: book.final,
    processes,
    producers,
    unitOf,
    capacities,
    safetyStock,
  };
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

export interface Productivity {
  /** Proven by the bounds (rho < 1 or rho >= 1), or undecided within the work budget. */
  verdict: "productive" | "not productive" | "undecided";
  /** Collatz-Wielandt bracket on the spectral radius of the cycle's input matrix. */
  lower: number;
  upper: number;
  /** Sweeps of the certificate solve (0 when the power iteration decided). */
  sweeps: number;
}

/**
 * Whether a cycle of processes (an irreducible block of A on `nodes`) is productive, proven, not
 * guessed. First the power iteration's Collatz-Wielandt bracket (perronBounds); when it is still
 * undecided (a large ring's Perron gap is tiny), a certificate: Gauss-Seidel on (I - A_C) x = 1,
 * where every iterate x > 0 gives the bounds min_i (A x)_i / x_i <= rho <= max_i (A x)_i / x_i.
 * If rho < 1 the sweeps converge and the upper bound falls below 1; if rho >= 1, x grows without
 * limit and the lower bound reaches 1. Stops deciding after `budget` multiply-adds.
 */
export function productivity(a: SparseColumns, nodes: readonly number[], budget = 50_000_000): Productivity {
  const b = perronBounds(a, nodes);
  if (b.upper < 1) return { verdict: "productive", ...b, sweeps: 0 };
  if (b.lower >= 1) return { verdict: "not productive", ...b, sweeps: 0 };
  const pos = new Map(nodes.map((v, i) => [v, i]));
  const m = nodes.length;
  const rows: { j: number; value: number }[][] = Array.from({ length: m }, () => []);
  let links = 0;
  nodes.forEach((k, j) => {
    for (const { row, value } of a.cols[k]) {
      const i = pos.get(row);
      if (i === undefined) continue;
      rows[i].push({ j, value });
      links++;
    }
  });
  let lower = b.lower;
  let upper = b.upper;
  const x = new Float64Array(m).fill(1);
  const maxSweeps = Math.max(10, Math.floor(budget / (links + m)));
  let sweeps = 0;
  const bounds = () => {
    let lo = Infinity;
    let hi = 0;
    for (let i = 0; i < m; i++) {
      let ax = 0;
      for (const { j, value } of rows[i]) ax += value * x[j];
      const r = ax / x[i];
      if (r < lo) lo = r;
      if (r > hi) hi = r;
    }
    lower = Math.max(lower, lo);
    upper = Math.min(upper, hi);
  };
  for (; sweeps < maxSweeps; sweeps++) {
    let change = 0;
    let size = 1;
    for (let i = 0; i < m; i++) {
      let v = 1;
      for (const { j, value } of rows[i]) v += value * x[j];
      change = Math.max(change, v - x[i]);
      size = Math.max(size, v);
      x[i] = v;
    }
    if (sweeps % 64 === 63 || change <= 1e-13 * size || size > 1e300) {
      bounds();
      if (upper < 1 || lower >= 1 || size > 1e300) break;
    }
  }
  const verdict = upper < 1 ? "productive" : lower >= 1 ? "not productive" : "undecided";
  return { verdict, lower, upper, sweeps };
}

/** The sentence for a cycle that is not proven productive: proven not, or the bracket and what would decide it. */
export function describeUnproductive(p: Productivity, names: readonly string[]): string {
  const who =
    names
      .slice(0, 8)
      .map((n) => `"${n}"`)
      .join(", ") + (names.length > 8 ? ` and ${names.length - 8} more` : "");
  if (p.verdict === "not productive")
    return `the cycle of processes ${who} is not productive: it needs at least as much of its own outputs as it makes (spectral radius at least ${p.lower.toPrecision(6)}, proven), so no activity level meets the demand`;
  return `could not decide whether the cycle of processes ${who} is productive: its spectral radius is between ${p.lower.toPrecision(6)} and ${p.upper.toPrecision(6)} (productive only below 1) after ${p.sweeps} certificate sweeps; a larger work budget, or coefficients further from the limit, would decide it`;
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
    const b = productivity(a, c);
    if (b.verdict !== "productive")
      throw new PlanInputError(
        describeUnproductive(
          b,
          c.map((v) => names[v]),
        ),
      );
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
  const { book, model } = recipes;
  const n = book.processes.length;
  // One row per spec: the preferred producer's (alternatives run only in the rolling planner).
  const bySpec = new Map([...model.producers].map(([spec, list]) => [spec, list[0]]));
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
  return formatQuantity(toLedgerMicro(value));
}

/** A float quantity in the ledger's fixed point (millionths), rounded up: what toLedgerQuantity formats. */
export function toLedgerMicro(value: number): bigint {
  const micro = BigInt(Math.ceil(value * 1e6 - 1e-6));
  return micro < 0n ? 0n : micro;
}
