// The Simulation page's state: the form (from the URL, which keeps the case so that a reload or a
// shared link runs it again), its check, the book it generates (described in a worker for the
// notice's default), and the run: a worker (workers/simulation.worker.ts) simulates each chosen
// policy and answers with progress and figures; cancelling terminates it.
import { useEffect, useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { checkSimulationForm, chartRows, cliCommand, DEFAULT_FORM, formFromQuery, formToQuery, hasSimulationQuery, resultSentence } from "../lib/simulation";
import type { PolicyName, SimulationErrors, SimulationForm, SimulationParams, SimulationTextField } from "../lib/simulation";
import type { BookSummary, PolicyRun, SimulationReply, SimulationRequest } from "../workers/simulation.worker";

export type SimulationStatus =
  | { kind: "idle" }
  /** The form has mistakes: nothing runs. */
  | { kind: "invalid"; fields: number }
  | { kind: "running"; progress?: Extract<SimulationReply, { kind: "progress" }> }
  | { kind: "done"; ms: number }
  | { kind: "failed"; message: string }
  | { kind: "cancelled" };

/** The latest run: what was asked, the book, and each policy's figures as they came. */
export interface SimulationOutcome {
  form: SimulationForm;
  params: SimulationParams;
  book?: BookSummary;
  notice?: number;
  runs: PolicyRun[];
}

interface Job {
  params: SimulationParams;
}

const newWorker = () => new Worker(new URL("../workers/simulation.worker.ts", import.meta.url), { type: "module" });

/** The book a form's first four fields generate (a worker: a large book takes a second or two). */
function describeBook(book: Extract<SimulationRequest, { kind: "describe" }>["book"], signal: AbortSignal): Promise<BookSummary> {
  return new Promise((resolve, reject) => {
    const worker = newWorker();
    signal.addEventListener("abort", () => {
      worker.terminate();
      reject(new Error("cancelled"));
    });
    worker.onmessage = (e: MessageEvent<SimulationReply>) => {
      worker.terminate();
      if (e.data.kind === "book") resolve(e.data.book);
      else reject(new Error(e.data.kind === "failed" ? e.data.message : "the worker did not describe the book"));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(e.message || "the simulation worker stopped"));
    };
    worker.postMessage({ kind: "describe", book } satisfies SimulationRequest);
  });
}

export function useSimulation(query: URLSearchParams) {
  const [form, setForm] = useState<SimulationForm>(() => formFromQuery(query));
  const [status, setStatus] = useState<SimulationStatus>({ kind: "idle" });
  const [outcome, setOutcome] = useState<SimulationOutcome>();
  const [job, setJob] = useState<Job>();
  const check = useMemo(() => checkSimulationForm(form), [form]);

  function start(f: SimulationForm) {
    const c = checkSimulationForm(f);
    if (!c.params) {
      setJob(undefined);
      setOutcome(undefined);
      setStatus({ kind: "invalid", fields: Object.keys(c.errors).length });
      return false;
    }
    setJob({ params: c.params });
    setOutcome({ form: f, params: c.params, runs: [] });
    setStatus({ kind: "running" });
    return true;
  }

  // The URL is the case: when it changes (opened, reloaded, shared, back and forward), the form
  // follows it, and a URL that names a case runs it. (Adjusted while rendering, as React advises
  // for state that follows a prop; the worker itself starts in the effect below.)
  const qs = query.toString();
  const [seen, setSeen] = useState<string>();
  if (seen !== qs) {
    setSeen(qs);
    const f = formFromQuery(query);
    setForm(f);
    if (hasSimulationQuery(query)) start(f);
    else {
      setJob(undefined);
      setOutcome(undefined);
      setStatus({ kind: "idle" });
    }
  }

  /** Runs the form's case (again, if it is the one shown) and keeps it in the URL. */
  function submit() {
    if (!start(form)) return;
    // The defaults write nothing: then the seed, so that the URL still names a case to run.
    const next = formToQuery(form) || `seed=${form.seed.trim()}`;
    setSeen(new URLSearchParams(next).toString());
    const hash = `#/simulation?${next}`;
    if (window.location.hash !== hash) window.location.hash = hash;
  }

  function cancel() {
    setJob(undefined);
    setStatus({ kind: "cancelled" });
  }

  useEffect(() => {
    if (!job) return;
    let live = true;
    const t = performance.now();
    const worker = newWorker();
    const finish = (next: SimulationStatus) => {
      setStatus(next);
      setJob((j) => (j === job ? undefined : j));
    };
    worker.onmessage = (e: MessageEvent<SimulationReply>) => {
      if (!live) return;
      const r = e.data;
      if (r.kind === "book") setOutcome((o) => o && { ...o, book: r.book, notice: r.notice });
      else if (r.kind === "progress") setStatus({ kind: "running", progress: r });
      else if (r.kind === "result") setOutcome((o) => o && { ...o, runs: [...o.runs, r.run] });
      else if (r.kind === "done") finish({ kind: "done", ms: performance.now() - t });
      else finish({ kind: "failed", message: r.message });
    };
    worker.onerror = (e) => {
      e.preventDefault();
      if (live) finish({ kind: "failed", message: `the simulation worker stopped: ${e.message || "no reason given"}` });
    };
    worker.postMessage({ kind: "run", params: job.params } satisfies SimulationRequest);
    return () => {
      live = false;
      worker.terminate();
    };
  }, [job]);

  // The book depends on its four fields only: it is described while another field is wrong.
  const bookFields = checkSimulationForm({ ...DEFAULT_FORM, seed: form.seed, processes: form.processes, links: form.links, cycles: form.cycles }).params;
  const bookKey = bookFields && { seed: bookFields.seed, processes: bookFields.processes, links: bookFields.links, cycles: bookFields.cycles };
  const book = useQuery({
    queryKey: ["simulation-book", bookKey],
    queryFn: ({ signal }) => describeBook(bookKey!, signal),
    enabled: bookKey !== undefined,
    staleTime: Infinity,
    retry: false,
  });

  const finished = status.kind === "done" && outcome?.book !== undefined && outcome.notice !== undefined;
  const sentence =
    finished && outcome
      ? resultSentence(
          {
            notice: outcome.notice!,
            periodSeconds: outcome.book!.periodSeconds,
            reliability: outcome.params.reliability,
            learn: outcome.params.learn,
            safety: outcome.params.safety,
            naiveSafety: outcome.params.naiveSafety ?? outcome.params.safety,
          },
          outcome.runs,
        )
      : undefined;
  const chart = useMemo(() => chartRows(outcome?.runs ?? []), [outcome?.runs]);

  return {
    form,
    errors: check.errors as SimulationErrors,
    update: (field: SimulationTextField, value: string) => setForm((f) => ({ ...f, [field]: value })),
    setLearn: (learn: boolean) => setForm((f) => ({ ...f, learn })),
    togglePolicy: (policy: PolicyName, on: boolean) =>
      setForm((f) => ({ ...f, policies: on ? [...f.policies.filter((p) => p !== policy), policy] : f.policies.filter((p) => p !== policy) })),
    /** The book the form generates (for the notice's default), described in a worker. */
    book: { data: bookKey ? book.data : undefined, error: bookKey ? book.error?.message : undefined, loading: bookKey !== undefined && book.isFetching },
    submit,
    cancel,
    running: job !== undefined,
    status,
    outcome,
    sentence,
    chart,
    /** The same case as a command line (the form as last run). */
    command: outcome ? cliCommand(outcome.form) : undefined,
  };
}
