// The Simulation page's parameters, as typed in its form and as kept in the URL, their check (the
// same ranges and sentences as `commons simulate`, scripts/cli/simulate.ts, with smaller cases in
// the browser), the command line that runs the same case, and what the results mean in a sentence.
// Pure and import-free: test/simulation-page.test.ts imports it directly.

export const POLICIES = ["planner", "naive", "none"] as const;
export type PolicyName = (typeof POLICIES)[number];

/** What each policy is, in a few words (form, table, legend). */
export const POLICY_LABELS: Record<PolicyName, string> = {
  planner: "planner: the rolling planner's signals",
  naive: "naive: each process makes what was used last period",
  none: "none: no coordination, the first period's activity kept",
};

/** The form's fields as typed (the URL and the form hold the same text). */
export interface SimulationForm {
  seed: string;
  processes: string;
  links: string;
  cycles: string;
  periods: string;
  /** Blank: the book's cumulative lead time. */
  notice: string;
  reliability: string;
  learn: boolean;
  safety: string;
  /** Blank: the same as `safety`. */
  naiveSafety: string;
  step: string;
  /** Blank: no seasonality. */
  seasonAmplitude: string;
  seasonPeriods: string;
  /** Both blank: no shock. */
  shockPeriod: string;
  shockFactor: string;
  policies: PolicyName[];
}

export type SimulationField = Exclude<keyof SimulationForm, "learn">;
/** The fields typed as text (all but the checkboxes). */
export type SimulationTextField = Exclude<SimulationField, "policies">;
export type SimulationErrors = Partial<Record<SimulationField, string>>;

/** A checked case: what the worker runs. */
export interface SimulationParams {
  seed: number;
  processes: number;
  links: number;
  cycles: number;
  periods: number;
  /** Undefined: the book's cumulative lead time. */
  notice?: number;
  reliability: number;
  learn: boolean;
  safety: number;
  /** Undefined: `safety`. */
  naiveSafety?: number;
  step: number;
  season?: { amplitude: number; periods: number };
  shock?: { period: number; factor: number };
  policies: PolicyName[];
}

/** The CLI's defaults (a smaller case than its 200 periods would also do; these run in about 2 s). */
export const DEFAULT_FORM: SimulationForm = {
  seed: "1",
  processes: "50",
  links: "4",
  cycles: "3",
  periods: "200",
  notice: "",
  reliability: "1",
  learn: false,
  safety: "0",
  naiveSafety: "",
  step: "0.1",
  seasonAmplitude: "",
  seasonPeriods: "12",
  shockPeriod: "",
  shockFactor: "",
  policies: [...POLICIES],
};

/** Limits in the browser (the CLI allows up to 2,000 processes and 10,000 periods). */
export const LIMITS = { processes: 150, periods: 400 } as const;

// ------------------------------------------------------------------ the URL

/**
 * The URL keys are the CLI's flags (without "--") with the CLI's values, so that a link and a
 * command line read alike: seed, processes, links, cycles, periods, notice, reliability, learn,
 * safety, naive-safety, step, season (amplitude:periods), shock (period:factor), policy (a list).
 */
const KEYS: [SimulationTextField, string][] = [
  ["seed", "seed"],
  ["processes", "processes"],
  ["links", "links"],
  ["cycles", "cycles"],
  ["periods", "periods"],
  ["notice", "notice"],
  ["reliability", "reliability"],
  ["safety", "safety"],
  ["naiveSafety", "naive-safety"],
  ["step", "step"],
];

/** The URL's keys this page reads (another key is ignored). */
export const QUERY_KEYS = [...KEYS.map(([, k]) => k), "learn", "season", "shock", "policy"];

/** Whether the URL names a case (then the page runs it when opened). */
export function hasSimulationQuery(query: URLSearchParams): boolean {
  return QUERY_KEYS.some((k) => query.has(k));
}

/** The form a URL describes: what it does not give is the default; nothing is checked here. */
export function formFromQuery(query: URLSearchParams): SimulationForm {
  const form: SimulationForm = { ...DEFAULT_FORM, policies: [...DEFAULT_FORM.policies] };
  for (const [field, key] of KEYS) {
    const v = query.get(key);
    if (v !== null) form[field] = v;
  }
  const learn = query.get("learn");
  if (learn !== null) form.learn = learn !== "0" && learn !== "false";
  const season = query.get("season");
  if (season !== null) [form.seasonAmplitude, form.seasonPeriods] = splitPair(season);
  const shock = query.get("shock");
  if (shock !== null) [form.shockPeriod, form.shockFactor] = splitPair(shock);
  const policy = query.get("policy");
  if (policy !== null)
    form.policies = POLICIES.filter((p) =>
      policy
        .split(",")
        .map((x) => x.trim())
        .includes(p),
    );
  return form;
}

function splitPair(text: string): [string, string] {
  const i = text.indexOf(":");
  return i < 0 ? [text, ""] : [text.slice(0, i), text.slice(i + 1)];
}

/** The URL's keys and values for a form: only what differs from the defaults, in the CLI's order. */
export function queryEntries(form: SimulationForm): [string, string][] {
  const out: [string, string][] = [];
  for (const [field, key] of KEYS) {
    const v = form[field];
    if (v.trim() !== DEFAULT_FORM[field]) out.push([key, v.trim()]);
    if (field === "reliability" && form.learn) out.push(["learn", "1"]);
  }
  if (form.seasonAmplitude.trim() !== "") out.push(["season", `${form.seasonAmplitude.trim()}:${form.seasonPeriods.trim()}`]);
  if (form.shockPeriod.trim() !== "" || form.shockFactor.trim() !== "") out.push(["shock", `${form.shockPeriod.trim()}:${form.shockFactor.trim()}`]);
  const policies = POLICIES.filter((p) => form.policies.includes(p));
  if (policies.join(",") !== DEFAULT_FORM.policies.join(",")) out.push(["policy", policies.join(",")]);
  return out;
}

/** The query string for a form (",", ":" kept readable), e.g. "processes=10&periods=30&season=0.2:12". */
export function formToQuery(form: SimulationForm): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%2C/g, ",").replace(/%3A/g, ":");
  return queryEntries(form)
    .map(([k, v]) => `${k}=${enc(v)}`)
    .join("&");
}

/** The command that runs the same case (`commons simulate`), for the terminal. */
export function cliCommand(form: SimulationForm): string {
  const args = queryEntries(form).map(([k, v]) => (k === "learn" ? "--learn" : `--${k} ${/^[\w.,:-]+$/.test(v) ? v : `'${v.replace(/'/g, "'\\''")}'`}`));
  return ["npx commons simulate", ...args].join(" ");
}

// ------------------------------------------------------------------ the check

// The CLI's checks (scripts/cli/simulate.ts `whole` and `decimal`), returning the sentence instead of throwing.
function whole(text: string, min: number, max: number): number | string {
  const n = Number(text);
  return /^\d+$/.test(text) && n >= min && n <= max ? n : `"${text}" is not a whole number from ${min} to ${max}`;
}

function decimal(text: string, min: number, max: number, what: string): number | string {
  const n = Number(text);
  return /^\d+(\.\d+)?$/.test(text) && n >= min && n <= max ? n : `"${text}" is not ${what}`;
}

/** The case a form describes, or one sentence for each field that is wrong (then nothing runs). */
export function checkSimulationForm(form: SimulationForm): { params?: SimulationParams; errors: SimulationErrors } {
  const errors: SimulationErrors = {};
  const values: Partial<Record<SimulationField, number>> = {};
  const check = (field: SimulationField, result: number | string) => {
    if (typeof result === "string") errors[field] = result;
    else values[field] = result;
  };
  const t = (field: SimulationTextField) => form[field].trim();
  check("seed", whole(t("seed"), 0, 2 ** 31));
  check("processes", whole(t("processes"), 2, LIMITS.processes));
  check("links", decimal(t("links"), 0, 50, "a number of links per process from 0 to 50"));
  check("cycles", whole(t("cycles"), 0, 1000));
  check("periods", whole(t("periods"), 1, LIMITS.periods));
  if (t("notice") !== "") check("notice", whole(t("notice"), 0, 520));
  check("reliability", decimal(t("reliability"), 0.01, 1, "a share from 0.01 to 1"));
  check("safety", decimal(t("safety"), 0, 100, "a number of periods from 0 to 100"));
  if (t("naiveSafety") !== "") check("naiveSafety", decimal(t("naiveSafety"), 0, 100, "a number of periods from 0 to 100"));
  check("step", decimal(t("step"), 0, 0.9, "a share from 0 to 0.9"));
  if (t("seasonAmplitude") !== "") {
    check("seasonAmplitude", decimal(t("seasonAmplitude"), 0, 0.9, "an amplitude from 0 to 0.9 (a share of the level)"));
    check("seasonPeriods", t("seasonPeriods") === "" ? "give the length of a season's cycle in periods, e.g. 12" : whole(t("seasonPeriods"), 2, 1000));
  }
  if (t("shockPeriod") !== "" || t("shockFactor") !== "") {
    check("shockPeriod", t("shockPeriod") === "" ? "give the period the shock starts from, e.g. 100" : whole(t("shockPeriod"), 0, 10_000));
    check(
      "shockFactor",
      t("shockFactor") === "" ? "give the factor demand is multiplied by, e.g. 1.5" : decimal(t("shockFactor"), 0, 100, "a factor above 0, up to 100"),
    );
    if (values.shockFactor === 0) errors.shockFactor = `"${t("shockFactor")}" is not a factor above 0, up to 100`;
  }
  const policies = POLICIES.filter((p) => form.policies.includes(p));
  if (policies.length === 0) errors.policies = "choose at least one policy to run";
  if (Object.keys(errors).length > 0) return { errors };
  const v = values as Record<SimulationField, number>;
  return {
    errors,
    params: {
      seed: v.seed,
      processes: v.processes,
      links: v.links,
      cycles: v.cycles,
      periods: v.periods,
      notice: values.notice,
      reliability: v.reliability,
      learn: form.learn,
      safety: v.safety,
      naiveSafety: values.naiveSafety,
      step: v.step,
      season: values.seasonAmplitude !== undefined ? { amplitude: values.seasonAmplitude, periods: v.seasonPeriods } : undefined,
      shock: values.shockPeriod !== undefined ? { period: values.shockPeriod, factor: v.shockFactor } : undefined,
      policies,
    },
  };
}

// ------------------------------------------------------------------ the results

/** A period's figures as the simulator gives them (scripts/lib/supply/simulate.ts PeriodResult). */
export interface PeriodFigures {
  period: number;
  demand: number;
  unmet: number;
  /** Stock held at the end of the period, all specs. */
  excess: number;
  excessPercent: number;
}

export interface PolicyFigures {
  policy: PolicyName;
  totals: { unmetPercent: number; excessPercent: number; workHours: number; explainedPercent: number };
  periods: readonly PeriodFigures[];
}

/** One row per period for the charts: unmet demand (% of that period's demand) and stock held, per policy. */
export function chartRows(results: readonly PolicyFigures[]): Record<string, number>[] {
  const n = Math.max(0, ...results.map((r) => r.periods.length));
  return Array.from({ length: n }, (_, i) => {
    const row: Record<string, number> = { period: results.find((r) => r.periods[i])?.periods[i].period ?? i };
    for (const r of results) {
      const p = r.periods[i];
      if (!p) continue;
      row[`unmet:${r.policy}`] = p.demand > 0 ? (100 * p.unmet) / p.demand : 0;
      row[`stock:${r.policy}`] = p.excessPercent;
    }
    return row;
  });
}

/** A period's length in words ("week" for the generated books' 7 days). */
export function periodWord(periodSeconds: number): string {
  return periodSeconds === 7 * 86400 ? "week" : periodSeconds === 86400 ? "day" : periodSeconds === 3600 ? "hour" : "period";
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
/** "1 week's", "2 weeks'". */
const possessive = (n: number, word: string) => `${n} ${word}${n === 1 ? "'s" : "s'"}`;

/** A share for people: enough decimals that a figure just short of 100 % (or just above 0) does not read as 100 (or 0). */
export function percent(x: number): string {
  if (x >= 100 - 1e-9 && x <= 100 + 1e-9) return "100";
  if (x >= 100) return x.toFixed(0);
  if (x <= 0) return "0";
  for (let d = 1; d <= 3; d++) {
    const s = x.toFixed(d);
    if (Number(s) > 0 && Number(s) < 100) return s.replace(/\.0+$/, "");
  }
  return x < 1 ? "less than 0.001" : "more than 99.999";
}

const met = (r: PolicyFigures) =>
  r.totals.unmetPercent <= 0 ? "met all of the demand on time" : `met ${percent(100 - r.totals.unmetPercent)} % of demand on time`;

/**
 * What the results mean, for someone who does not read tables, e.g. "With needs posted 9 weeks
 * ahead, the planner's signals met 99.9 % of demand on time holding 0.2 % extra stock; each
 * process making what was used last week met 99.4 % but held 127 % extra."
 */
export function resultSentence(
  run: { notice: number; periodSeconds: number; reliability: number; learn: boolean; safety: number; naiveSafety: number },
  results: readonly PolicyFigures[],
): string {
  if (results.length === 0) return "";
  const unit = periodWord(run.periodSeconds);
  const ahead = run.notice === 0 ? "With needs known only when they are due" : `With needs posted ${plural(run.notice, unit)} ahead`;
  const agents =
    run.reliability >= 1
      ? ""
      : ` and people doing ${percent(run.reliability * 100)} % of what they commit to${run.learn ? " (the planner making up for it from what the ledger shows)" : ""}`;
  const first = results[0];
  const clauses = results.map((r, i) => {
    const extra = `${percent(r.totals.excessPercent)} % extra`;
    const join = i === 0 ? "" : r.totals.excessPercent > first.totals.excessPercent ? " but" : " and";
    const what = i === 0 ? met(r) : met(r).replace(" of demand on time", "");
    if (r.policy === "planner") {
      const buffer = run.safety > 0 ? ` (and a safety stock of ${possessive(run.safety, unit)} use)` : "";
      return `the planner's signals${buffer} ${what}${i === 0 ? " holding" : `${join} held`} ${extra} stock`;
    }
    if (r.policy === "naive") {
      const buffer = run.naiveSafety > 0 ? ` plus ${possessive(run.naiveSafety, unit)} use in reserve` : "";
      return `each process making what was used last ${unit}${buffer} ${what}${i === 0 ? " holding" : `${join} held`} ${extra}${i === 0 ? " stock" : ""}`;
    }
    return `each process repeating the first ${unit}'s activity, with no signals, ${what}${i === 0 ? " holding" : `${join} held`} ${extra}${i === 0 ? " stock" : ""}`;
  });
  return `${ahead}${agents}, ${clauses.join("; ")}.`;
}
