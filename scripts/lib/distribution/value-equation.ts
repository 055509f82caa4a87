// Value equations (after the Open Value Network / Sensorica value equations): a versioned JSON
// document that says how income earned by a commons flows back to its contributors, and the
// engine that applies it to the ledger. Everything here is exact integer arithmetic (bigint,
// token base units); rounding is always down, per entry, and the rest is tracked as dust.
//
// Format "commons-ledger/value-equation@2" (@1 is still read, for distributions already published):
//   rules:   per action, how an entry becomes value points: one rule, or a list of rules where the
//            first that applies to the entry and gives it points counts. Any rule may carry
//            `for: ["<resource or spec label or 0x id>", ...]`: it then applies only to entries
//            whose resourceSpec or resource is listed.
//            { kind: "hours", rates: { "*": "50", "<resource or spec label or 0x id>": "80" } }
//              quantity in hours ("h") x the rate of its resourceSpec, else resource, else "*";
//            { kind: "money", currencies: { "EUR": "1", "USD": "0.92" } }  quantity x the points
//              one unit of its currency is worth; any other unit (kg, ea) is not money and counts
//              nothing (in @1, a money rule had no currencies and counted every unit 1:1);
//            { kind: "goods", prices: { "kg": "20" } }  quantity x the price of its unit in points
//              (give it `for`: a kilogram of filament is not worth a kilogram of steel);
//            { kind: "flat", points: "1" }  quantity x points (e.g. one citation of a design).
//   buckets: ordered; each takes `percent` of the income ("of": "income") or of what earlier
//            buckets left ("of": "remainder"), and shares it among the entries that pass its
//            filter (actions, commons, period, accepted only) in proportion to their points.
//            Claim kinds: "equity" (every entry up to the cutoff counts in every distribution),
//            "one-time" (only entries after the previous distribution's cutoff), "debt" (an
//            entry is paid at most points x debtPrice base units minus what was already repaid;
//            the excess flows on to the next bucket).
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { getAddress, keccak256, toUtf8Bytes } from "ethers";
import { z } from "zod";
import type { LedgerEvents } from "../core/reader.js";
import { labelId } from "../core/record.js";
import { ACTIONS } from "../core/vocabulary.js";
import type { ActionName } from "../core/vocabulary.js";
import { deriveEntries } from "../core/views.js";
import type { EntryView } from "../core/views.js";

/** The format new equations are written in. */
export const VALUE_EQUATION_FORMAT = "commons-ledger/value-equation@2";
/** Every format this engine reads: @1's money rule counts any unit 1:1 (kept so that distributions published with it still recompute). */
export const VALUE_EQUATION_FORMATS = ["commons-ledger/value-equation@1", VALUE_EQUATION_FORMAT] as const;
const RATE_DECIMALS = 6;
const PERCENT_SCALE = 10_000n; // basis points: percentages with up to 2 decimals

export class ValueEquationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ValueEquationError";
  }
}

const hex32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "must be a 32-byte hex id (0x + 64 hex digits)")
  .transform((s) => s.toLowerCase());
const decimal = (what: string, decimals: number) =>
  z
    .union([z.string(), z.number()])
    .transform((v) => String(v))
    .refine((s) => new RegExp(`^\\d+(\\.\\d{1,${decimals}})?$`).test(s), `${what} must be a non-negative decimal with at most ${decimals} decimals`);
const time = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{4}-\d{2}-\d{2}/, "must be an ISO 8601 date or unix seconds")]);
const actionName = z.enum(ACTIONS, { error: (issue) => `unknown action ${JSON.stringify(issue.input)} (one of: ${ACTIONS.join(", ")})` });

const unitTable = (what: string) =>
  z
    .record(z.string().min(1).max(8, "a unit code has at most 8 characters"), decimal(what, RATE_DECIMALS))
    .refine((r) => Object.keys(r).length > 0, "needs at least one unit");
/** The resources or specifications (labels or 0x ids) a rule is for; absent: every entry of its action. */
const forList = z.array(z.string().min(1, "a label in for cannot be empty")).min(1, "for needs at least one label or id").optional();

const RuleSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("hours"),
      rates: z.record(z.string().min(1), decimal("a rate", RATE_DECIMALS)).refine((r) => Object.keys(r).length > 0, "needs at least one rate"),
      for: forList,
    })
    .strict(),
  z.object({ kind: z.literal("money"), currencies: unitTable("a currency's value").optional(), for: forList }).strict(),
  z.object({ kind: z.literal("goods"), prices: unitTable("a price"), for: forList }).strict(),
  z.object({ kind: z.literal("flat"), points: decimal("points", RATE_DECIMALS), for: forList }).strict(),
]);
type Rule = z.infer<typeof RuleSchema>;

const BucketSchema = z
  .object({
    name: z.string().min(1, "a bucket needs a name").max(100),
    percent: decimal("percent", 2).refine((p) => Number(p) > 0 && Number(p) <= 100, "percent must be above 0 and at most 100"),
    of: z.enum(["income", "remainder"]).default("income"),
    actions: z.array(actionName).min(1, "a bucket needs at least one action"),
    commons: hex32.optional(),
    from: time.optional(),
    to: time.optional(),
    acceptedOnly: z.boolean().default(true),
    claim: z.enum(["equity", "one-time", "debt"]).default("equity"),
    debtPrice: z.string().regex(/^\d+$/, "debtPrice must be an integer (token base units per value point)").optional(),
  })
  .strict();

export const ValueEquationSchema = z
  .object({
    format: z.enum(VALUE_EQUATION_FORMATS, {
      message: `format must be "${VALUE_EQUATION_FORMAT}" (or "${VALUE_EQUATION_FORMATS[0]}", read for distributions already published)`,
    }),
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    commons: hex32.optional(),
    rules: z.record(z.string(), z.union([RuleSchema, z.array(RuleSchema).min(1, "a list of rules needs at least one rule")])).superRefine((rules, ctx) => {
      for (const key of Object.keys(rules)) {
        if (!(ACTIONS as readonly string[]).includes(key))
          ctx.addIssue({ code: "custom", path: [key], message: `unknown action "${key}" (one of: ${ACTIONS.join(", ")})` });
      }
    }),
    buckets: z.array(BucketSchema).min(1, "at least one bucket is needed"),
  })
  .strict()
  .superRefine((eq, ctx) => {
    const ofIncome = eq.buckets.filter((b) => b.of === "income").reduce((s, b) => s + toBasisPoints(b.percent), 0n);
    if (ofIncome > PERCENT_SCALE) {
      ctx.addIssue({
        code: "custom",
        path: ["buckets"],
        message: `the buckets taking a percentage of the income sum to ${formatBp(ofIncome)}%, more than 100%`,
      });
    }
    if (eq.format === VALUE_EQUATION_FORMAT) {
      for (const [action, r] of Object.entries(eq.rules)) {
        (Array.isArray(r) ? r : [r]).forEach((rule, i) => {
          if (rule.kind === "money" && rule.currencies === undefined)
            ctx.addIssue({
              code: "custom",
              path: ["rules", action, ...(Array.isArray(r) ? [i] : []), "currencies"],
              message:
                'a money rule needs currencies: the units it counts as money and what one is worth in points (e.g. {"EUR": "1"}); goods are counted by a goods rule',
            });
        });
      }
    }
    eq.buckets.forEach((b, i) => {
      for (const a of b.actions)
        if (!eq.rules[a]) ctx.addIssue({ code: "custom", path: ["buckets", i, "actions"], message: `action "${a}" has no rule in "rules"` });
      if (b.claim === "debt" && b.debtPrice === undefined)
        ctx.addIssue({ code: "custom", path: ["buckets", i, "debtPrice"], message: "a debt bucket needs debtPrice (token base units per value point)" });
      if (b.from !== undefined && b.to !== undefined && toSeconds(b.from) > toSeconds(b.to))
        ctx.addIssue({ code: "custom", path: ["buckets", i, "from"], message: "from is after to" });
    });
  });

export type ValueEquation = z.infer<typeof ValueEquationSchema>;
export type Bucket = ValueEquation["buckets"][number];

function toBasisPoints(p: string): bigint {
  const [w, f = ""] = p.split(".");
  return BigInt(w) * 100n + BigInt(f.padEnd(2, "0"));
}
const formatBp = (bp: bigint) =>
  `${bp / 100n}${
    bp % 100n
      ? `.${String(bp % 100n)
          .padStart(2, "0")
          .replace(/0$/, "")}`
      : ""
  }`;
function toScaled(v: string): bigint {
  const [w, f = ""] = v.split(".");
  return BigInt(w + f.padEnd(RATE_DECIMALS, "0"));
}
function toSeconds(t: number | string): bigint {
  return typeof t === "number" ? BigInt(t) : BigInt(Math.floor(Date.parse(t) / 1000));
}

/** Parses and validates an equation; the error names the field and the problem in one line. */
export function parseValueEquation(json: unknown): ValueEquation {
  const result = ValueEquationSchema.safeParse(json);
  if (!result.success) {
    const { path, message } = innermost(result.error.issues[0]!);
    throw new ValueEquationError(`${path.length ? path.join(".") : "(root)"}: ${message}`);
  }
  return result.data;
}

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  errors?: Issue[][];
  issues?: Issue[];
}

/**
 * The issue a person needs: inside a union (one rule or a list of rules), the branch that got
 * furthest (not the one whose very shape did not fit); inside a record key, the key's own problem.
 */
function innermost(issue: Issue): { path: PropertyKey[]; message: string } {
  if (issue.code === "invalid_union" && issue.errors?.length) {
    const fits = issue.errors.map((branch) => branch[0]).filter((i): i is Issue => i !== undefined && !(i.code === "invalid_type" && i.path.length === 0));
    const best = fits.sort((a, b) => b.path.length - a.path.length)[0];
    if (best) {
      const inner = innermost(best);
      return { path: [...issue.path, ...inner.path], message: inner.message };
    }
  }
  if (issue.code === "invalid_key" && issue.issues?.[0]) return { path: issue.path, message: issue.issues[0].message };
  return { path: issue.path, message: issue.message };
}

/** JSON with object keys sorted at every level (arrays keep their order): the hashed form. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** keccak256 of the canonical JSON of the equation document as written (before defaults). */
export function equationHash(json: unknown): string {
  return keccak256(toUtf8Bytes(canonicalJson(json)));
}

// ---------------------------------------------------------------- the engine

export interface EarnedLine {
  entryId: bigint;
  bucket: string;
  action: ActionName;
  points: bigint;
  amount: bigint;
}

export interface Share {
  account: string;
  amount: bigint;
  lines: EarnedLine[];
}

export interface BucketResult {
  name: string;
  /** What the bucket had to share (its percentage of the income or of the remainder). */
  budget: bigint;
  /** What it paid to entries (budget - dust - excess over debt caps). */
  allocated: bigint;
  dust: bigint;
  entries: number;
  points: bigint;
}

export interface DistributionResult {
  income: bigint;
  /** Sum of all shares: what is published and paid. */
  total: bigint;
  /** Rounding remainders (per entry, rounding down). */
  dust: bigint;
  /** Income no bucket paid out (buckets without entries, debt caps, what the last bucket left). */
  undistributed: bigint;
  shares: Share[];
  buckets: BucketResult[];
}

export interface ComputeOptions {
  income: bigint;
  /** The last entry id counted. */
  cutoff: bigint;
  /** The commons the income belongs to (entries of other commons never count). */
  commons: string;
  /** For "one-time" buckets: the previous distribution's cutoff (entries up to it were paid). */
  since?: bigint;
  /** For "debt" buckets: base units already repaid per entry id. */
  repaid?: ReadonlyMap<bigint, bigint>;
}

/** A resource or spec key as the ledger has it: a 0x id as is (lower case), a label by its id. */
const keyId = (k: string) => (/^0x[0-9a-fA-F]{64}$/.test(k) ? k.toLowerCase() : labelId(k));

/** A rule ready to apply: its rate or price table by key, and the ids it is for. */
interface CompiledRule {
  rule: Rule;
  table: Map<string, bigint>;
  only?: Set<string>;
}

/** A rule's table as written: hours by resource or spec (keys as ids), money by currency, goods by unit. */
function tableOf(rule: Rule): [string, string][] {
  switch (rule.kind) {
    case "hours":
      return Object.entries(rule.rates).map(([k, v]) => [k === "*" ? "*" : keyId(k), v]);
    case "money":
      return Object.entries(rule.currencies ?? {});
    case "goods":
      return Object.entries(rule.prices);
    case "flat":
      return [];
  }
}

function compileRule(rule: Rule): CompiledRule {
  return {
    rule,
    table: new Map(tableOf(rule).map(([k, v]) => [k, toScaled(v)])),
    only: rule.for ? new Set(rule.for.map(keyId)) : undefined,
  };
}

/** The value points of one entry under a rule, 0 when the rule is not for it (quantity has 6 decimals, rates 6 decimals). */
function pointsOf(c: CompiledRule, v: EntryView): bigint {
  const r = v.entry.record;
  if (c.only && !c.only.has(r.resourceSpec) && !c.only.has(r.resource)) return 0n;
  const q = r.quantity;
  switch (c.rule.kind) {
    case "money":
      return c.rule.currencies === undefined ? q * 10n ** BigInt(RATE_DECIMALS) : q * (c.table.get(v.unit) ?? 0n);
    case "goods":
      return q * (c.table.get(v.unit) ?? 0n);
    case "flat":
      return q * toScaled(c.rule.points);
    case "hours":
      if (v.unit !== "h") return 0n;
      return q * (c.table.get(r.resourceSpec) ?? c.table.get(r.resource) ?? c.table.get("*") ?? 0n);
  }
}

/** The points of an entry under its action's rules: the first rule that gives it any. */
function entryPoints(rules: readonly CompiledRule[], v: EntryView): bigint {
  for (const c of rules) {
    const points = pointsOf(c, v);
    if (points > 0n) return points;
  }
  return 0n;
}

/** Applies the equation to the derived entries 1..cutoff of one commons. Deterministic. */
export function computeDistribution(eq: ValueEquation, views: readonly EntryView[], o: ComputeOptions): DistributionResult {
  if (o.income <= 0n) throw new ValueEquationError("the income must be positive");
  const commons = o.commons.toLowerCase();
  if (eq.commons !== undefined && eq.commons !== commons) throw new ValueEquationError(`the equation is for commons ${eq.commons}, not ${commons}`);
  const rules = new Map(Object.entries(eq.rules).map(([action, r]) => [action, (Array.isArray(r) ? r : [r]).map(compileRule)]));
  const byAccount = new Map<string, Share>();
  const buckets: BucketResult[] = [];
  let paid = 0n;
  let dust = 0n;
  for (const b of eq.buckets) {
    const base = b.of === "income" ? o.income : o.income - paid - dust;
    const budget = (base * toBasisPoints(b.percent)) / PERCENT_SCALE;
    const actions = new Set<string>(b.actions);
    const bucketCommons = b.commons ?? commons;
    const from = b.from !== undefined ? toSeconds(b.from) : undefined;
    const to = b.to !== undefined ? toSeconds(b.to) : undefined;
    const since = b.claim === "one-time" ? (o.since ?? 0n) : 0n;
    const picked: { v: EntryView; points: bigint }[] = [];
    let totalPoints = 0n;
    for (const v of views) {
      if (v.id > o.cutoff) break;
      if (v.id <= since || v.flow !== "event" || !actions.has(v.action) || v.entry.record.commons !== bucketCommons) continue;
      if (v.state === "corrected" || v.state === "disputed" || (b.acceptedOnly && v.state !== "accepted")) continue;
      if ((from !== undefined && v.entry.record.time < from) || (to !== undefined && v.entry.record.time > to)) continue;
      const points = entryPoints(rules.get(v.action)!, v);
      if (points === 0n) continue;
      picked.push({ v, points });
      totalPoints += points;
    }
    let allocated = 0n;
    if (totalPoints > 0n) {
      for (const { v, points } of picked) {
        let amount = (budget * points) / totalPoints;
        if (b.claim === "debt") {
          const cap = (points * BigInt(b.debtPrice!)) / 10n ** BigInt(2 * RATE_DECIMALS) - (o.repaid?.get(v.id) ?? 0n);
          amount = amount < cap ? amount : cap > 0n ? cap : 0n;
        }
        if (amount === 0n) continue;
        allocated += amount;
        let s = byAccount.get(v.agent);
        if (!s) {
          // Checksummed once per account (getAddress hashes), keyed by the agent as decoded.
          const account = getAddress(v.agent);
          s = [...byAccount.values()].find((x) => x.account === account) ?? { account, amount: 0n, lines: [] };
          byAccount.set(v.agent, s);
        }
        s.amount += amount;
        s.lines.push({ entryId: v.id, bucket: b.name, action: v.action, points, amount });
      }
    }
    // Rounding dust is tracked; a debt bucket's excess over its caps is left for later buckets.
    const bucketDust = totalPoints > 0n && b.claim !== "debt" ? budget - allocated : 0n;
    paid += allocated;
    dust += bucketDust;
    buckets.push({ name: b.name, budget, allocated, dust: bucketDust, entries: picked.length, points: totalPoints });
  }
  const shares = [...new Set(byAccount.values())].sort((a, b) => (a.account.toLowerCase() < b.account.toLowerCase() ? -1 : 1));
  if (paid > o.income) throw new ValueEquationError(`internal error: shares ${paid} exceed the income ${o.income}`);
  return { income: o.income, total: paid, dust, undistributed: o.income - paid - dust, shares, buckets };
}

// ---------------------------------------------------------------- Merkle tree and head

export const LEAF_TYPES = ["uint256", "address", "uint256"];

/** The StandardMerkleTree of (index, account, amount), index = position in address order. */
export function shareTree(shares: readonly Pick<Share, "account" | "amount">[]) {
  return StandardMerkleTree.of(
    shares.map((s, i) => [BigInt(i), s.account, s.amount] as [bigint, string, bigint]),
    LEAF_TYPES,
  );
}

/** The proof of `account`'s leaf, with its index and amount. */
export function proofFor(tree: ReturnType<typeof shareTree>, account: string): { index: bigint; amount: bigint; proof: string[] } | undefined {
  for (const [i, [index, a, amount]] of tree.entries()) {
    if (String(a).toLowerCase() === account.toLowerCase()) return { index: BigInt(index), amount: BigInt(amount), proof: tree.getProof(i) };
  }
  return undefined;
}

/**
 * Entry states as they stood at the cutoff's block: validations and corrections recorded after
 * the cutoff entry's block do not count, so a recomputation later gives the same result.
 */
export function deriveEntriesAt(events: LedgerEvents, cutoff: bigint) {
  const last = events.entries[Number(cutoff) - 1];
  if (!last) return [];
  const block = last.blockNumber;
  return deriveEntries({
    ...events,
    entries: events.entries.slice(0, Number(cutoff)),
    validations: events.validations.filter((v) => v.blockNumber <= block),
    corrections: events.corrections.filter((c) => c.blockNumber <= block && c.correctionId <= cutoff),
    all: events.all.filter((e) => e.blockNumber <= block),
  });
}

/** One flow of a distribution's money: from the income to a bucket, or from a bucket to an account (or to what was not paid). */
export interface MoneyFlow {
  from: string;
  to: string;
  amount: bigint;
}

/** Node ids of `distributionFlows`: the income, each bucket, each account, and what no one was paid. */
export const FLOW_NODES = { income: "income", unpaid: "not paid out" } as const;
export const bucketNode = (name: string) => `bucket:${name}`;
export const accountNode = (address: string) => `account:${address}`;

/**
 * A distribution as flows of money, for a picture from income through buckets to contributors:
 * income -> each bucket (what it took: what its entries earned and its rounding dust; a bucket "of
 * the remainder" takes from what earlier buckets left), bucket -> each account (what its entries
 * earned there) and -> "not paid out" (its dust), and income -> "not paid out" (what no bucket
 * took). Every flow is positive; the flows out of the income add up to it, and into each account
 * to its share.
 */
export function distributionFlows(r: DistributionResult): MoneyFlow[] {
  const flows: MoneyFlow[] = [];
  const byBucket = new Map<string, Map<string, bigint>>();
  for (const s of r.shares)
    for (const l of s.lines) {
      const m = byBucket.get(l.bucket) ?? new Map<string, bigint>();
      m.set(s.account, (m.get(s.account) ?? 0n) + l.amount);
      byBucket.set(l.bucket, m);
    }
  let taken = 0n;
  for (const b of r.buckets) {
    const took = b.allocated + b.dust;
    if (took === 0n) continue;
    taken += took;
    flows.push({ from: FLOW_NODES.income, to: bucketNode(b.name), amount: took });
    for (const [account, amount] of byBucket.get(b.name) ?? []) if (amount > 0n) flows.push({ from: bucketNode(b.name), to: accountNode(account), amount });
    if (b.dust > 0n) flows.push({ from: bucketNode(b.name), to: FLOW_NODES.unpaid, amount: b.dust });
  }
  if (r.income > taken) flows.push({ from: FLOW_NODES.income, to: FLOW_NODES.unpaid, amount: r.income - taken });
  return flows;
}
