// A licensee's standing under a work's reciprocity license (PPL / CopyFair), read from the
// ReciprocityRegistry and explained in plain words by scripts/lib/reciprocity/reciprocity.ts (as `commons status`).
import { useMemo, useState } from "react";
import { zeroAddress } from "viem";
import { addressProblem } from "@core/address.js";
import { DECLARATION_KINDS, ENTITY_FORMS, familyVersions, isoDate, USE_KINDS } from "@reciprocity/reciprocity.js";
import type { DeclarationKindName, EntityFormName, Status, UseKindName, WorkInfo } from "@reciprocity/reciprocity.js";
import { PhaseStatus } from "../components/PhaseStatus";
import { useDeclare } from "../hooks/useDeclare";
import type { DeclareInput } from "../hooks/useDeclare";
import { useRegistry, useReciprocityStatus, useStatuses } from "../hooks/useReciprocity";
import { useAppConfig } from "../hooks/useAppConfig";
import { useWallet } from "../hooks/useWallet";
import { href } from "../lib/router";
import type { PageProps } from "../lib/router";
import { Agent } from "../components/Agent";

/** Why a licensee address is not usable, or undefined. */
export function licenseeError(text: string): string | undefined {
  const t = text.trim();
  if (t === "") return "Enter the licensee's address.";
  return addressProblem(t);
}

/** Why a work id is not usable (given the works registered), or undefined. */
export function workError(text: string, works: number | undefined): string | undefined {
  const t = text.trim();
  if (t === "") return "Enter the work's id.";
  if (!/^\d+$/.test(t) || BigInt(t) === 0n) return `"${t}" is not a work id (a whole number from 1)`;
  if (works !== undefined && BigInt(t) > BigInt(works))
    return works === 0 ? `There is no work ${t}: no work is registered yet.` : `There is no work ${t}: the registry has works 1 to ${works}.`;
  return undefined;
}

/** A work's versions in its family, oldest first, the current one marked: "work 1 → work 3 (current)". */
function versionsText(works: readonly WorkInfo[], work: bigint): string {
  const versions = familyVersions(works, work);
  if (versions.length === 1) return "one version";
  return versions.map((v) => `work ${v.work}${v.supersededBy !== undefined ? "" : " (current)"}`).join(" → ");
}

const statusText = (s: Status) => `${s.status}${s.attested ? ", attested" : ""}`;

export default function ReciprocityPage({ query }: PageProps) {
  const { chain } = useAppConfig();
  const r = useRegistry();
  const [licenseeText, setLicenseeText] = useState(query.get("licensee") ?? "");
  const [workText, setWorkText] = useState(query.get("work") ?? "1");
  const [asked, setAsked] = useState<{ licensee: string; work: bigint } | undefined>(() => {
    const l = query.get("licensee") ?? "";
    const w = query.get("work") ?? "";
    return licenseeError(l) || workError(w, undefined) ? undefined : { licensee: l.trim(), work: BigInt(w.trim()) };
  });
  // A query in the URL counts as asked: a malformed one is explained, not silently ignored.
  const [tried, setTried] = useState(query.has("licensee") || query.has("work"));
  const works = r.registry?.works.length;
  const lErr = tried ? licenseeError(licenseeText) : undefined;
  const wErr = tried ? workError(workText, works) : undefined;
  const knownWork = asked && works !== undefined && asked.work <= BigInt(works) ? asked : undefined;
  const s = useReciprocityStatus(r.address, r.registry, knownWork?.licensee, knownWork?.work, r.source);
  const x = s.data;
  const wallet = useWallet();
  const dec = useDeclare();
  const pairs = useMemo(() => {
    const seen = new Map<string, { licensee: string; work: bigint }>();
    for (const rec of r.registry?.records ?? [])
      if (rec.licensee !== zeroAddress) seen.set(`${rec.licensee}:${rec.work}`, { licensee: rec.licensee, work: rec.work });
    return [...seen.values()];
  }, [r.registry]);
  const statuses = useStatuses(r.address, r.registry, pairs);
  const year = new Date().getUTCFullYear();
  const [draft, setDraft] = useState<Omit<DeclareInput, "work"> & { work: string }>({
    kind: "entity",
    work: "1",
    form: "worker-owned",
    use: "commercial",
    start: `${year}-01-01`,
    end: `${year + 1}-01-01`,
    evidence: "",
  });
  const draftWorkError = workError(draft.work, works);
  const draftInput: DeclareInput | undefined = draftWorkError ? undefined : { ...draft, work: BigInt(draft.work.trim()) };
  const draftError = draftWorkError ?? (draftInput ? dec.problem(draftInput) : undefined);
  const blocked = !wallet.canWrite
    ? wallet.connected
      ? "Switch your wallet to this chain to declare."
      : "Connect a wallet to declare: you declare as its account."
    : undefined;
  async function declare() {
    if (!draftInput || !wallet.address) return;
    const ok = await dec.declare(draftInput);
    if (ok) {
      setLicenseeText(wallet.address);
      setWorkText(String(draftInput.work));
      setTried(true);
      ask(wallet.address, draftInput.work);
    }
  }

  /** Asks for a licensee's status under a work, and keeps the question in the URL (a reload or a shared link asks it again). */
  function ask(licensee: string, work: bigint) {
    setAsked({ licensee, work });
    window.location.hash = href("reciprocity", { licensee, work: String(work) });
  }

  function show(e: React.FormEvent) {
    e.preventDefault();
    setTried(true);
    if (licenseeError(licenseeText) || workError(workText, works)) return setAsked(undefined);
    ask(licenseeText.trim(), BigInt(workText.trim()));
  }

  if (!r.address)
    return (
      <section>
        <h2>Reciprocity</h2>
        <p className="error" role="alert">
          No ReciprocityRegistry is deployed on {chain.name} as far as this app knows: run <code>npm start</code>, or set the chain's addresses.
        </p>
      </section>
    );
  // Licensees with records, to pick from, each with its status now.
  const known = new Map<string, Set<bigint>>();
  for (const rec of r.registry?.records ?? []) {
    const set = known.get(rec.licensee) ?? new Set<bigint>();
    set.add(rec.work);
    known.set(rec.licensee, set);
  }
  return (
    <section>
      <h2>Reciprocity</h2>
      <p className="muted">
        A licensee's status under a work's reciprocity license (Peer Production License or CopyFair), from the ReciprocityRegistry at{" "}
        <span className="mono">{r.address}</span>.
      </p>
      {r.source?.kind === "indexer" ? (
        <p className="muted" data-testid="registry-source" data-source="indexer">
          ✓ Read through the indexer at {r.source.url}: its {String(r.source.works)} works and {String(r.source.records)} records are the registry's own counts.
        </p>
      ) : r.source?.reason ? (
        <p className="muted" data-testid="registry-source" data-source="chain">
          Read from the chain: {r.source.reason}.
        </p>
      ) : null}
      {r.error && !r.registry ? (
        <p className="error" role="alert">
          Could not read the registry: {r.error.message.split("\n")[0]}
        </p>
      ) : null}
      {r.loading ? (
        <p className="muted" data-testid="loading">
          Reading the registry's events…
        </p>
      ) : null}
      <form className="controls" onSubmit={show} noValidate>
        <label>
          Licensee <input aria-label="Licensee address" size={46} value={licenseeText} onChange={(e) => setLicenseeText(e.target.value)} placeholder="0x…" />
        </label>
        <label>
          Work <input aria-label="Work id" size={6} value={workText} onChange={(e) => setWorkText(e.target.value)} />
        </label>
        <button type="submit">Show status</button>
      </form>
      {lErr ? (
        <p className="error" role="alert" data-testid="error-licensee">
          {lErr}
        </p>
      ) : null}
      {wErr ? (
        <p className="error" role="alert" data-testid="error-work">
          {wErr}
        </p>
      ) : null}
      {!lErr && !wErr && knownWork ? (
        s.isPending ? (
          <p className="muted">Reading the status…</p>
        ) : s.error ? (
          <p className="error" role="alert">
            Could not read the status: {s.error.message.split("\n")[0]}
          </p>
        ) : x ? (
          <div data-testid="reciprocity-status">
            <h3>
              <span
                className={/Permitted|Settled|Licensed/.test(x.status.status) ? "ok" : /Excluded|Terminated|Disputed/.test(x.status.status) ? "error" : "muted"}
                data-testid="status-name"
              >
                {x.status.status}
              </span>
              {x.status.attested ? <span className="ok"> (attested)</span> : null}
            </h3>
            <dl className="kv">
              <dt>Licensee, work</dt>
              <dd>
                <Agent address={x.licensee} /> <span className="mono muted">{x.licensee}</span>, work {String(x.work)}
              </dd>
              <dt>Means</dt>
              <dd data-testid="status-summary">{x.summary}</dd>
              <dt>Prior status</dt>
              <dd data-testid="status-prior">{x.status.prior}</dd>
              <dt>Why</dt>
              <dd data-testid="status-reason">{x.reason}</dd>
              <dt>Holds</dt>
              <dd data-testid="status-holds">{x.holds}</dd>
              <dt>Attested</dt>
              <dd data-testid="status-attestation">{x.attestation}</dd>
            </dl>
            {x.warnings.length ? (
              <>
                <h4>Warnings</h4>
                <ul className="error" data-testid="status-warnings">
                  {x.warnings.map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                </ul>
              </>
            ) : null}
            <h4>Evidence records</h4>
            {x.evidence.length === 0 ? (
              <p className="muted">No record supports this status.</p>
            ) : (
              <table data-testid="status-evidence">
                <thead>
                  <tr>
                    <th>Record</th>
                    <th>What</th>
                    <th>Signer</th>
                    <th>Time</th>
                  </tr>
                </thead>
                <tbody>
                  {x.evidence.map((e) => (
                    <tr key={String(e.id)}>
                      <td>{String(e.id)}</td>
                      <td>{e.what}</td>
                      <td>
                        <Agent address={e.signer} />
                      </td>
                      <td>{e.time === 0n ? "" : isoDate(e.time)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h4>What would change it</h4>
            <ul data-testid="status-changes">
              {x.changes.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
            {x.openQuestions.length ? (
              <>
                <h4>Open questions</h4>
                <ul>
                  {x.openQuestions.map((q) => (
                    <li key={q}>{q}</li>
                  ))}
                </ul>
              </>
            ) : null}
          </div>
        ) : null
      ) : null}
      <h3>Declare as a licensee</h3>
      <p className="muted">
        You sign the declaration (EIP-712, shown field by field in the wallet) and send it to the registry as its licensee: an entity form, a use, or a period
        in which all surplus goes to the worker-owners (4(c)(ii)).
      </p>
      <div className="controls" data-testid="declare-form">
        <label>
          Kind{" "}
          <select aria-label="Declaration kind" value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.target.value as DeclarationKindName })}>
            {DECLARATION_KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        <label>
          Work <input aria-label="Declaration work" size={6} value={draft.work} onChange={(e) => setDraft({ ...draft, work: e.target.value })} />
        </label>
        {draft.kind === "entity" ? (
          <label>
            Form{" "}
            <select aria-label="Entity form" value={draft.form} onChange={(e) => setDraft({ ...draft, form: e.target.value as EntityFormName })}>
              {ENTITY_FORMS.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </label>
        ) : null}
        {draft.kind === "use" ? (
          <label>
            Use{" "}
            <select aria-label="Use" value={draft.use} onChange={(e) => setDraft({ ...draft, use: e.target.value as UseKindName })}>
              {USE_KINDS.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </label>
        ) : null}
        {draft.kind === "surplus" ? (
          <>
            <label>
              From (UTC){" "}
              <input aria-label="Surplus period start" size={11} value={draft.start} onChange={(e) => setDraft({ ...draft, start: e.target.value })} />
            </label>
            <label>
              Until (UTC, excluded){" "}
              <input aria-label="Surplus period end" size={11} value={draft.end} onChange={(e) => setDraft({ ...draft, end: e.target.value })} />
            </label>
          </>
        ) : null}
        <label>
          Evidence (optional){" "}
          <input
            aria-label="Declaration evidence"
            value={draft.evidence}
            onChange={(e) => setDraft({ ...draft, evidence: e.target.value })}
            placeholder="CID or 0x digest"
          />
        </label>
        <button onClick={() => void declare()} disabled={blocked !== undefined || draftError !== undefined || dec.busy}>
          Sign and declare
        </button>
        {blocked ? (
          <span className="muted" data-testid="declare-disabled">
            {blocked}
          </span>
        ) : null}
      </div>
      {draftError ? (
        <p className="error" role="alert" data-testid="error-declare">
          {draftError}
        </p>
      ) : null}
      <PhaseStatus
        id="declare-status"
        phase={dec.phase}
        onDismiss={dec.reset}
        failed="Not declared"
        done="✔ Your declaration is recorded; the status above is read again."
      />
      <h3>Works</h3>
      {r.registry && r.registry.works.length === 0 ? (
        <p className="muted">No work is registered yet.</p>
      ) : (
        <table data-testid="works">
          <thead>
            <tr>
              <th>Work</th>
              <th>License</th>
              <th>Licensor</th>
              <th>Terms</th>
              <th>Versions</th>
            </tr>
          </thead>
          <tbody>
            {(r.registry?.works ?? []).map((w) => (
              <tr key={String(w.work)}>
                <td>work {String(w.work)}</td>
                <td>{w.kind}</td>
                <td>
                  <Agent address={w.licensor} />
                </td>
                <td>{w.termsUri}</td>
                <td>{versionsText(r.registry!.works, w.work)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Licensees with records</h3>
      {r.registry && known.size === 0 ? (
        <p className="muted">No licensee has declared anything yet.</p>
      ) : (
        <ul data-testid="known-licensees">
          {[...known].map(([licensee, ws]) => (
            <li key={licensee}>
              <Agent address={licensee} /> <span className="mono muted">{licensee}</span>:{" "}
              {[...ws].map((w) => (
                <a
                  key={String(w)}
                  href={href("reciprocity", { licensee, work: String(w) })}
                  onClick={() => {
                    setLicenseeText(licensee);
                    setWorkText(String(w));
                    setTried(true);
                    ask(licensee, w);
                  }}
                >
                  work {String(w)}
                  {statuses.data?.get(`${licensee}:${w}`) ? ` (${statusText(statuses.data.get(`${licensee}:${w}`)!)})` : ""}{" "}
                </a>
              ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
