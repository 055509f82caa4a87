// The provenance of a resource, hop by hop, from scripts/lib/supply/supply.ts (as `commons trace`): back
// from its latest provenance event through processes, inputs, work, equipment and cited designs; or,
// as `commons track`, forward: the processes it went into, what they made, and where that went.
// "Verify hops" checks every hop's signature in this browser, as the Entry page does. Through the
// indexer, only the entries the walk passes through are read (hooks/useTrace.ts).
import { useState } from "react";
import { labelId } from "@core/record.js";
import { CONSENT_LABELS } from "@core/views.js";
import { custodyConsent } from "@supply/supply.js";
import type { Hop, Labels, SupplyNode } from "@supply/supply.js";
import { usePublicClient } from "wagmi";
import { LedgerStatus } from "../components/LedgerStatus";
import { checkEntrySignature } from "../hooks/useEntrySignature";
import type { SignatureCheck } from "../hooks/useEntrySignature";
import { useAppConfig } from "../hooks/useAppConfig";
import { useLabels } from "../hooks/useLabels";
import { useNames } from "../hooks/useNames";
import { TraceGraph } from "../components/TraceGraph";
import { agentLabel } from "@core/directory.js";
import { useTrace } from "../hooks/useTrace";
import { formatQuantity, shortAddress, shortHex } from "../lib/format";
import { href } from "../lib/router";
import type { PageProps } from "../lib/router";
import { Agent } from "../components/Agent";

/** The resource id a label or 0x id names, or why the text names none. */
export function resourceId(text: string): { id?: string; error?: string } {
  const t = text.trim();
  if (t === "") return { error: "Enter a resource label or its 0x id." };
  if (t.startsWith("0x"))
    return /^0x[0-9a-fA-F]{64}$/.test(t)
      ? { id: t.toLowerCase() }
      : { error: `"${t}" is not a resource id (0x + 64 hex digits); a label is hashed, so do not start one with 0x` };
  return { id: labelId(t) };
}

type Checks = Map<bigint, SignatureCheck | { error: string } | "checking">;

/** Back to where a resource came from (`commons trace`), or forward to where it went (`commons track`). */
type Direction = "trace" | "track";

/** Each checked hop: whether its signature is valid (hops still checking are left out). */
function verifiedOf(checks: Checks): Map<bigint, boolean> {
  const out = new Map<bigint, boolean>();
  for (const [id, c] of checks) if (c !== "checking") out.set(id, "valid" in c && c.valid);
  return out;
}

/** An id with its label when one is known, else shortened; the full id in the title. */
function Named({ id, labels }: { id: string; labels: Labels }) {
  const name = labels.name(id);
  return name ? (
    <span title={id}>{name}</span>
  ) : (
    <span className="mono" title={id}>
      {shortHex(id)}
    </span>
  );
}

function HopLine({ hop, check, labels }: { hop: Hop; check?: Checks extends Map<bigint, infer V> ? V : never; labels: Labels }) {
  return (
    <span data-testid={`hop-${hop.id}`}>
      <a href={href(`entry/${hop.id}`)}>entry #{String(hop.id)}</a> {hop.action}
      {hop.side !== "none" ? ` (${hop.side})` : ""} {hop.quantity} {hop.unit} by <Agent address={hop.signer} />, {hop.time.replace("T", " ").slice(0, 16)} UTC,{" "}
      <span className={hop.state === "accepted" ? "ok" : hop.state === "disputed" ? "error" : "muted"}>{hop.state}</span>
      {hop.consent === "none" ? null : (
        <span className={hop.consent === "confirmed" ? "ok" : hop.consent === "refused" ? "error" : "muted"} data-testid="hop-consent">
          {" "}
          · {CONSENT_LABELS[hop.consent]}
        </span>
      )}
      {hop.resource !== "0x" + "0".repeat(64) ? (
        <span className="muted">
          {" "}
          · resource <Named id={hop.resource} labels={labels} />
        </span>
      ) : null}
      {check === undefined ? null : check === "checking" ? (
        <span className="muted" data-testid="hop-check">
          {" "}
          · checking…
        </span>
      ) : "error" in check ? (
        <span className="error" data-testid="hop-check">
          {" "}
          · could not check: {check.error}
        </span>
      ) : check.valid ? (
        <span className="ok" data-testid="hop-check">
          {" "}
          · ✔ signature valid ({check.kind === "eoa" ? `recovered ${shortAddress(check.recovered!)}` : "ERC-1271 wallet"})
        </span>
      ) : (
        <span className="error" data-testid="hop-check">
          {" "}
          · ✖ not verified: {check.reason}
        </span>
      )}
    </span>
  );
}

/** How many hand-overs of custody (transfers) their receiver confirmed: the auditor's question "was it acknowledged?". */
function CustodySummary({ hops }: { hops: readonly Hop[] }) {
  const { custody, unconfirmed, refused } = custodyConsent(hops);
  if (custody === 0) return null;
  const confirmed = custody - unconfirmed.length - refused.length;
  return (
    <span data-testid="custody-summary" className={refused.length ? "error" : unconfirmed.length ? "muted" : "ok"}>
      {confirmed} of {custody} custody hand-over{custody === 1 ? "" : "s"} confirmed by their receiver
      {unconfirmed.length ? `; the provider's word alone: ${unconfirmed.map((h) => `#${h.id}`).join(", ")}` : ""}
      {refused.length ? `; refused by their receiver: ${refused.map((h) => `#${h.id}`).join(", ")}` : ""}.
    </span>
  );
}

function Node({ node, checks, labels }: { node: SupplyNode; checks: Checks; labels: Labels }) {
  const label =
    node.kind === "resource" ? (
      <strong>
        resource {labels.name(node.resource) ? <>{labels.name(node.resource)} </> : null}
        <span className="mono">{node.resource}</span>
      </strong>
    ) : node.kind === "process" ? (
      <span>
        process <Named id={node.process} labels={labels} />
      </span>
    ) : node.kind === "event" ? (
      <HopLine hop={node.hop} check={checks.get(node.hop.id)} labels={labels} />
    ) : (
      <span className="muted">
        (shown above:{" "}
        {node.ref.startsWith("e:") ? (
          `entry #${node.ref.slice(2)}`
        ) : (
          <>
            process <Named id={node.ref.slice(2)} labels={labels} />
          </>
        )}
        )
      </span>
    );
  return (
    <li>
      {label}
      {node.children.length ? (
        <ul>
          {node.children.map((c) => (
            <Node key={c.key} node={c} checks={checks} labels={labels} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

export default function TracePage({ query }: PageProps) {
  const { chain } = useAppConfig();
  const { labels } = useLabels();
  const { names } = useNames();
  const client = usePublicClient({ chainId: chain.id });
  const [text, setText] = useState(query.get("resource") ?? "");
  const [asked, setAsked] = useState(query.get("resource") ?? "");
  const [direction, setDirection] = useState<Direction>(query.get("direction") === "track" ? "track" : "trace");
  const [checks, setChecks] = useState<Checks>(new Map());
  const [verifying, setVerifying] = useState(false);
  const target = asked ? resourceId(asked) : undefined;
  const { tree, resource, read, entry: entryById, ledger } = useTrace(target?.id, direction);

  async function verify() {
    if (!tree || !client || !chain.contracts.Ledger) return;
    setVerifying(true);
    const hops = [...tree.hops.values()];
    const next: Checks = new Map(hops.map((h) => [h.id, "checking" as const]));
    setChecks(new Map(next));
    await Promise.all(
      hops.map(async (h) => {
        const entry = entryById(h.id)?.entry;
        try {
          next.set(
            h.id,
            entry ? await checkEntrySignature(client, chain.id, chain.contracts.Ledger!, entry) : { error: `entry #${h.id} is not in the events read` },
          );
        } catch (error) {
          next.set(h.id, { error: (error as Error).message.split("\n")[0] });
        }
        setChecks(new Map(next));
      }),
    );
    setVerifying(false);
  }

  const results = tree ? [...tree.hops.keys()].map((id) => checks.get(id)) : [];
  const done = results.filter((c) => c !== undefined && c !== "checking");
  const valid = done.filter((c) => typeof c === "object" && "valid" in c && c.valid).length;
  return (
    <section>
      <h2>{direction === "trace" ? "Trace" : "Track"}</h2>
      <p className="muted">
        {direction === "trace"
          ? "Where a resource came from: its latest provenance event, the process that made it, that process's inputs, work, equipment and cited designs, and so on back."
          : "Where a resource went: the processes it went into, what they made, where that was handed over or moved, and so on forward."}
      </p>
      <form
        className="controls"
        onSubmit={(e) => {
          e.preventDefault();
          setChecks(new Map());
          setAsked(text);
          window.location.hash = href("trace", direction === "track" ? { resource: text, direction } : { resource: text });
        }}
        noValidate
      >
        <label>
          Resource{" "}
          <input
            aria-label="Resource label or id"
            size={60}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="label, e.g. open sensor kit #1, or 0x id"
          />
        </label>
        <label>
          Direction{" "}
          <select
            aria-label="Direction"
            value={direction}
            onChange={(e) => {
              const next = e.target.value as Direction;
              setDirection(next);
              setChecks(new Map());
              if (asked) window.location.hash = href("trace", next === "track" ? { resource: asked, direction: next } : { resource: asked });
            }}
          >
            <option value="trace">back: where it came from</option>
            <option value="track">forward: where it went</option>
          </select>
        </label>
        <button type="submit">{direction === "trace" ? "Trace" : "Track"}</button>
      </form>
      <LedgerStatus ledger={ledger} indexed />
      {target?.error ? (
        <p className="error" role="alert" data-testid="error-resource">
          {target.error}
        </p>
      ) : null}
      {target?.id && read && !tree ? (
        <p className="error" role="alert" data-testid="error-resource">
          No standing event names resource “{asked}”{asked.startsWith("0x") ? "" : ` (${target.id})`} on this ledger.
        </p>
      ) : null}
      {!asked ? <p className="muted">Enter a resource to {direction}.</p> : null}
      {tree ? (
        <div data-testid="trace">
          <p data-testid="trace-summary">
            {tree.hops.size} events, {tree.processes.size} processes. <CustodySummary hops={[...tree.hops.values()]} />
            {resource ? (
              <>
                {" "}
                Now: {formatQuantity(resource.accountingQuantity)} {resource.unit} accounted (
                {resource.accountable.map((a) => agentLabel(names, a)).join(", ") || "nobody"}), {formatQuantity(resource.onhandQuantity)} {resource.unit} on
                hand ({resource.custodians.map((a) => agentLabel(names, a)).join(", ") || "nobody"}).
              </>
            ) : null}
          </p>
          <div className="controls">
            <button onClick={() => void verify()} disabled={verifying || !client}>
              Verify hops
            </button>
            {done.length ? (
              <span data-testid="verify-summary" className={valid === tree.hops.size ? "ok" : verifying ? "muted" : "error"}>
                {verifying ? `checking… ${done.length} of ${tree.hops.size}` : `${valid} of ${tree.hops.size} hop signatures valid, verified in this browser`}
              </span>
            ) : null}
          </div>
          <TraceGraph tree={tree} labels={labels} names={names} verified={verifiedOf(checks)} />
          <details>
            <summary>Hop by hop, as a list</summary>
            <ul className="tree">
              <Node node={tree.root} checks={checks} labels={labels} />
            </ul>
          </details>
        </div>
      ) : null}
    </section>
  );
}
