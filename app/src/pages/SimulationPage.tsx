// "Test local": a seeded simulation of a small local commons, run in this browser (a worker) with
// scripts/lib/supply/simulate.ts, the code of `commons simulate`: the planner's signals against a
// naive baseline and no coordination. The case is kept in the URL, so a link runs it again.
import { lazy, Suspense } from "react";
import type { ReactNode } from "react";
import { useSimulation } from "../hooks/useSimulation";
import { LIMITS, POLICIES, POLICY_LABELS, percent, periodWord } from "../lib/simulation";
import type { SimulationField, SimulationTextField } from "../lib/simulation";
import type { PageProps } from "../lib/router";

const SimulationCharts = lazy(() => import("../components/SimulationCharts"));

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export default function SimulationPage({ query }: PageProps) {
  const s = useSimulation(query);
  const field = (key: SimulationField, label: string, input: ReactNode, hint?: ReactNode) => (
    <>
      <label htmlFor={`sim-${key}`}>{label}</label>
      {input}
      {s.errors[key] ? (
        <div className="field-error" role="alert" data-testid={`error-${key}`}>
          {s.errors[key]}
        </div>
      ) : hint ? (
        <div className="hint muted">{hint}</div>
      ) : null}
    </>
  );
  const text = (key: SimulationTextField, placeholder = "") => (
    <input
      id={`sim-${key}`}
      name={key}
      value={s.form[key]}
      placeholder={placeholder}
      aria-invalid={s.errors[key] ? true : undefined}
      onChange={(e) => s.update(key, e.target.value)}
    />
  );
  const book = s.book.data;
  const unit = book ? periodWord(book.periodSeconds) : "period";
  const st = s.status;
  const o = s.outcome;
  const policyNames = o?.runs.map((r) => r.policy) ?? [];
  return (
    <section>
      <h2>Simulation</h2>
      <p className="muted">
        A local commons over time, simulated in this browser from a seed (the same run as <code>commons simulate</code>): a recipe book of processes that feed
        each other, demand for its final products that wanders, seasons and shocks, needs posted some periods ahead, and people who do a share of what they
        commit to. Each policy decides how much every process makes: the planner from the needs posted on the ledger, the naive baseline from what was used last
        period, no coordination by repeating the first period.
      </p>
      <form
        className="record simulation"
        data-testid="simulation-form"
        onSubmit={(e) => {
          e.preventDefault();
          s.submit();
        }}
        noValidate
      >
        <strong className="group">The recipe book (generated from the seed)</strong>
        {field("seed", "Seed", text("seed"), "the same seed gives the same book and the same demand")}
        {field(
          "processes",
          "Processes",
          text("processes"),
          book ? (
            <span data-testid="simulation-book">
              {book.processes} processes making {book.finals} final product{book.finals === 1 ? "" : "s"}, {book.links} links between them, {book.cycles} cycle
              {book.cycles === 1 ? "" : "s"}; cumulative lead time {book.cumulativeLeadTime} {unit}
              {book.cumulativeLeadTime === 1 ? "" : "s"}
            </span>
          ) : s.book.error ? (
            <span className="error">This book cannot be generated: {s.book.error}</span>
          ) : s.book.loading ? (
            "generating the book…"
          ) : (
            `2 to ${LIMITS.processes} in the browser (the command line goes further)`
          ),
        )}
        {field("links", "Links per process", text("links"), "inputs each process takes from the processes below it, on average")}
        {field("cycles", "Cycles", text("cycles"), "a supplier that takes a little of its consumer's output (a loop in the book)")}

        <strong className="group">Demand</strong>
        {field("periods", "Periods", text("periods"), `periods counted, 1 to ${LIMITS.periods}, after a warm-up of the cumulative lead time + notice + 2`)}
        {field("step", "Demand step", text("step"), "random walk: each period's demand is the last one's ± up to this share (0.1: ±10 %)")}
        {field("seasonAmplitude", "Seasonality amplitude", text("seasonAmplitude", "none"), "a share of the level, 0 to 0.9, e.g. 0.2; blank: no seasons")}
        {field("seasonPeriods", "Season length", text("seasonPeriods"), "periods of one seasonal cycle (with an amplitude)")}
        {field("shockPeriod", "Shock from period", text("shockPeriod", "none"), "counted from the start of the run, warm-up included; blank: no shock")}
        {field("shockFactor", "Shock factor", text("shockFactor"), "from that period on, demand times this factor, e.g. 1.5")}

        <strong className="group">Notice and people</strong>
        {field(
          "notice",
          "Notice",
          text("notice", book ? String(book.cumulativeLeadTime) : "lead time"),
          `periods ahead that needs are posted; blank: the book's cumulative lead time${book ? ` (${book.cumulativeLeadTime})` : ""}`,
        )}
        {field("reliability", "Reliability", text("reliability"), "the share of what they commit to that people do, 0.01 to 1")}
        <span />
        <label className="wide">
          <input type="checkbox" checked={s.form.learn} onChange={(e) => s.setLearn(e.target.checked)} /> Learn reliability: the planner scales what it asks by
          the share of commitments done so far (as read from the ledger)
        </label>
        {field("safety", "Safety stock", text("safety"), "planner: stock of every product and part kept, in periods of its use")}
        {field("naiveSafety", "Naive buffer", text("naiveSafety", "as safety"), "naive baseline: buffer in periods of last use; blank: the safety stock")}

        <strong className="group">Policies</strong>
        <span id="sim-policies">Run</span>
        <div className="wide" role="group" aria-labelledby="sim-policies">
          {POLICIES.map((p) => (
            <label key={p} style={{ display: "block" }}>
              <input type="checkbox" name="policy" value={p} checked={s.form.policies.includes(p)} onChange={(e) => s.togglePolicy(p, e.target.checked)} />{" "}
              {POLICY_LABELS[p]}
            </label>
          ))}
        </div>
        {s.errors.policies ? (
          <div className="field-error wide" role="alert" data-testid="error-policies">
            {s.errors.policies}
          </div>
        ) : null}
        <span />
        <div className="wide">
          <button type="submit" data-testid="simulation-run">
            {s.running ? "Run again" : "Run"}
          </button>{" "}
          {s.running ? (
            <button type="button" data-testid="simulation-cancel" onClick={s.cancel}>
              Cancel
            </button>
          ) : null}
        </div>
      </form>

      <div className="status" data-testid="simulation-status" data-state={st.kind} role="status">
        {st.kind === "idle" ? <span className="muted">Set the case and run it; it runs in the background of this page.</span> : null}
        {st.kind === "invalid" ? (
          <span className="error">Not run: {st.fields === 1 ? "one field needs" : `${st.fields} fields need`} correcting (marked above).</span>
        ) : null}
        {st.kind === "running" ? (
          <span>
            ⏳ Running…
            {st.progress
              ? ` ${st.progress.policy} (${st.progress.index + 1} of ${st.progress.of}): ${st.progress.warmup ? "warming up" : `period ${st.progress.period} of ${o?.params.periods}`}`
              : o?.book
                ? ""
                : " generating the book"}
          </span>
        ) : null}
        {st.kind === "done" ? (
          <span className="ok">
            ✔ Ran {o?.runs.length === 1 ? "one policy" : `${o?.runs.length} policies`} in {seconds(st.ms)}.
          </span>
        ) : null}
        {st.kind === "failed" ? (
          <span className="error" role="alert">
            ✖ The simulation stopped: {st.message}
          </span>
        ) : null}
        {st.kind === "cancelled" ? (
          <span className="muted">
            Cancelled
            {o && o.runs.length < o.params.policies.length
              ? `: ${listed(o.params.policies.slice(o.runs.length))} ${o.params.policies.length - o.runs.length === 1 ? "was" : "were"} not run.`
              : "."}
          </span>
        ) : null}
      </div>

      {o && o.runs.length > 0 ? (
        <div data-testid="simulation-results">
          {o.book ? (
            <p className="muted" data-testid="simulation-case">
              {`Book “${o.book.name}”: ${o.book.processes} processes, cumulative lead time ${o.book.cumulativeLeadTime} ${unitOf(o.book.periodSeconds, o.book.cumulativeLeadTime)}; ` +
                `needs posted ${o.notice} ${unitOf(o.book.periodSeconds, o.notice ?? 0)} ahead; ` +
                `people do ${percent(o.params.reliability * 100)} % of what they commit to${o.params.learn ? " (the planner scales by the share observed)" : ""}; ` +
                `${o.params.periods} periods counted after a warm-up of ${o.runs[0].warmup}.`}
            </p>
          ) : null}
          {s.sentence ? (
            <p className="sentence" data-testid="simulation-sentence">
              {s.sentence}
            </p>
          ) : null}
          <table data-testid="simulation-table">
            <thead>
              <tr>
                <th>Policy</th>
                <th className="right">Unmet demand</th>
                <th className="right">Excess stock</th>
                <th className="right">Work hours</th>
                <th className="right">Unmet explained</th>
                <th className="right">Time</th>
              </tr>
            </thead>
            <tbody>
              {o.runs.map((r) => (
                <tr key={r.policy} data-testid={`simulation-row-${r.policy}`} data-policy={r.policy}>
                  <td title={POLICY_LABELS[r.policy]}>{r.policy}</td>
                  <td className="right">{r.totals.unmetPercent.toFixed(2)} %</td>
                  <td className="right">{r.totals.excessPercent.toFixed(2)} %</td>
                  <td className="right">{r.totals.workHours.toFixed(0)}</td>
                  <td className="right">{r.policy === "planner" ? `${r.totals.explainedPercent.toFixed(0)} %` : "-"}</td>
                  <td className="right">{seconds(r.ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">
            Unmet demand: the share of final demand not delivered when due (it is lost). Excess stock: the stock held at the end of each period, per product or
            part as a share of how much of it was made, averaged over them. Work hours: the hours of work in what was made. Unmet explained: the share of unmet
            demand in periods for which the planner had reported a shortfall and its reason.
          </p>
          <Suspense fallback={<p className="muted">Loading the charts…</p>}>
            <SimulationCharts data={s.chart} policies={policyNames} />
          </Suspense>
          {s.command ? (
            <p className="muted">
              The same run from the command line: <code data-testid="simulation-command">{s.command}</code>
            </p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

/** "a", "a and b", "a, b and c". */
function listed(items: readonly string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function unitOf(periodSeconds: number, n: number): string {
  return `${periodWord(periodSeconds)}${n === 1 ? "" : "s"}`;
}
