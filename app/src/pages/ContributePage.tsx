import { useMemo } from "react";
import { ACTIONS, FLOWS, SIDES } from "@core/vocabulary.js";
import { NameForm } from "../components/NameForm";
import { PhaseStatus } from "../components/PhaseStatus";
import { useAppConfig } from "../hooks/useAppConfig";
import { useContribute } from "../hooks/useContribute";
import { useGovernanceEvents } from "../hooks/useGovernance";
import { commonsNames } from "../lib/accounts";
import { sidesFor } from "../lib/recordForm";
import type { RecordForm } from "../lib/recordForm";
import { href } from "../lib/router";
import { shortHex } from "../lib/format";

export default function ContributePage() {
  const { chain } = useAppConfig();
  const c = useContribute();
  // The registered commons from the chain's governance events (a few, whatever the ledger's size).
  const { events } = useGovernanceEvents();
  const commons = useMemo(() => [...commonsNames(events)], [events]);
  const field = (key: keyof RecordForm, label: string, input: React.ReactNode, hint?: string) => (
    <>
      <label htmlFor={`f-${key}`}>{label}</label>
      {input}
      {c.errors[key] ? (
        <div className="field-error" role="alert" data-testid={`error-${key}`}>
          {c.errors[key]}
        </div>
      ) : hint ? (
        <div className="hint muted">{hint}</div>
      ) : null}
    </>
  );
  const text = (key: keyof RecordForm, placeholder = "", list?: string) => (
    <input
      id={`f-${key}`}
      name={key}
      value={c.form[key]}
      placeholder={placeholder}
      list={list}
      onChange={(e) => c.update(key, e.target.value)}
      disabled={c.busy}
    />
  );
  const allowed = sidesFor(c.form.action);
  return (
    <section>
      <h2>Contribute</h2>
      <p className="muted">
        Record what you gave as a signed ValueFlows record. Your wallet signs it (EIP-712); the relayer pays for recording it, or you send it yourself.
      </p>
      <form
        className="record"
        onSubmit={(e) => {
          e.preventDefault();
          void c.submit();
        }}
        noValidate
      >
        {field(
          "flow",
          "Flow",
          <select id="f-flow" value={c.form.flow} onChange={(e) => c.update("flow", e.target.value)} disabled={c.busy}>
            {FLOWS.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>,
          "event: it happened; need/offer/commitment: an intent",
        )}
        {field("action", "Action", text("action", "work", "actions"), "a ValueFlows action: work, use, cite, transfer, …")}
        <datalist id="actions">
          {ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        {field(
          "commons",
          "Commons",
          <select id="f-commons" value={c.form.commons} onChange={(e) => c.update("commons", e.target.value)} disabled={c.busy}>
            <option value="">Choose…</option>
            {commons.map(([id, name]) => (
              <option key={id} value={id}>
                {name} ({shortHex(id)})
              </option>
            ))}
          </select>,
        )}
        {field("quantity", "Quantity", text("quantity", "3.5"))}
        {field("unit", "Unit", text("unit", "h"), "h, kg, EUR, ea, … (1 to 8 characters)")}
        {field("receiver", "Receiver (optional)", text("receiver", "0x…"), "the agent who received it, e.g. the project's steward")}
        {field("process", "Process (optional)", text("process", "process: design open sensor kit v2"), "a name (hashed to its id) or a 0x id")}
        {field(
          "side",
          "Side",
          <select id="f-side" value={c.form.side} onChange={(e) => c.update("side", e.target.value)} disabled={c.busy}>
            {SIDES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>,
          c.form.process ? `with a process, "${c.form.action}" is ${allowed.length ? allowed.join(" or ") : "not allowed"}` : "none unless a process is set",
        )}
        {field("resource", "Resource (optional)", text("resource", "3D printer #1"), "a name (hashed to its id) or a 0x id")}
        {field(
          "evidence",
          "Evidence (optional)",
          <div>
            {text("evidence", "bafy… or Qm… or 0x…")}{" "}
            <input
              type="file"
              aria-label="Evidence file"
              disabled={c.busy}
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (file) void c.evidenceFromFile(file);
              }}
            />
          </div>,
          c.evidenceFile
            ? `the digest of ${c.evidenceFile.name} (${c.evidenceFile.size.toLocaleString("en-US")} bytes), computed in this browser; keep the file: anyone can check it against the entry`
            : "an IPFS CID (sha2-256) or a 32-byte digest of notes, photos, commits; or choose a file (hashed here, never uploaded)",
        )}
        {field(
          "time",
          "When (optional)",
          text("time", "2026-12-05 14:30"),
          c.form.flow === "event" ? "when it happened, UTC (empty: now; not in the future)" : "when it is due, UTC (empty: now)",
        )}
        {field("satisfies", "Satisfies entry (optional)", text("satisfies", "7"), "the id of a need or commitment this fulfils")}
        {field("corrects", "Corrects your entry (optional)", text("corrects", "12"), "the id of one of your entries this one replaces (quantity 0 voids it)")}
        <span>Submit</span>
        <div>
          <label>
            <input type="radio" name="via" checked={c.via === "relayer"} onChange={() => c.setVia("relayer")} disabled={!chain.relayerUrl} /> through the
            relayer (gasless{chain.relayerUrl ? "" : ": none configured"})
          </label>{" "}
          <label>
            <input type="radio" name="via" checked={c.via === "direct"} onChange={() => c.setVia("direct")} /> directly (you pay the gas)
          </label>
        </div>
        <span />
        <div>
          <button type="submit" disabled={c.busy || c.disabledReason !== undefined}>
            Sign and record
          </button>
          {c.disabledReason ? (
            <span className="muted" data-testid="write-disabled">
              {" "}
              {c.disabledReason}
            </span>
          ) : null}
        </div>
        {c.errors.form ? (
          <div className="field-error" role="alert">
            {c.errors.form}
          </div>
        ) : null}
      </form>
      <PhaseStatus
        id="contribute-status"
        phase={c.phase}
        idle="Ready."
        onDismiss={c.reset}
        done={
          c.phase.kind === "done" ? (
            <>
              ✔ Recorded as <a href={href(`entry/${c.phase.entryId}`)}>entry #{String(c.phase.entryId)}</a>
              {c.phase.via === "relayer" ? " by the relayer (gasless)" : ""}. <button onClick={c.reset}>Record another</button>
            </>
          ) : null
        }
      />
      <NameForm />
    </section>
  );
}
