import type { LedgerData } from "../hooks/useLedger";
import { useAppConfig } from "../hooks/useAppConfig";
import { useIndexCheck } from "../hooks/useIndexCheck";
import type { IndexCheckState } from "../hooks/useIndexCheck";
import { setAuditWholeLedger, useSource } from "../hooks/useSource";
import type { Source } from "../hooks/useSource";

// Thousands separators without Intl (whose first formatter costs ~40 ms while the page loads).
const n = (x: number | bigint) => String(x).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/**
 * Loading, missing-deployment and read-error states shared by the pages that read the ledger, and
 * where the events came from. `indexed`: the page reads through the indexer when it can (accounts,
 * entries), and says so, with the choice to audit the whole ledger instead.
 */
export function LedgerStatus({ ledger, indexed = false }: { ledger: LedgerData; indexed?: boolean }) {
  const { chain } = useAppConfig();
  const check = useIndexCheck(ledger);
  const source = useSource();
  if (indexed && !ledger.missing && source.kind !== "chain") return <SourceLine source={source} />;
  if (ledger.missing)
    return (
      <p className="error" role="alert">
        No Ledger is deployed on {chain.name} as far as this app knows: run <code>npm start</code>, or set the chain's addresses.
      </p>
    );
  if (ledger.error && !ledger.snapshot)
    return (
      <p className="error" role="alert">
        Could not read the ledger: {ledger.error.message.split("\n")[0]}
      </p>
    );
  if (ledger.loading)
    return (
      <p className="muted" data-testid="loading">
        Reading the ledger's events… {Math.round(ledger.progress * 100)} %
      </p>
    );
  const line = <IndexCheckLine check={check} skipped={ledger.snapshot?.indexSkipped} />;
  return indexed && source.kind === "chain" && chain.indexerUrl ? (
    <>
      <SourceLine source={source} />
      {line}
    </>
  ) : (
    line
  );
}

/** Where an indexed page's figures come from: the indexer (checked against the Ledger's tip), or the chain and why. */
function SourceLine({ source }: { source: Source }) {
  switch (source.kind) {
    case "checking":
      return (
        <p className="muted" data-testid="source" data-source="checking">
          Checking the indexer at {source.url} against the Ledger's tip…
        </p>
      );
    case "indexer":
      return (
        <p className="muted" data-testid="source" data-source="indexer" data-entries={String(source.head.count)}>
          ✓ Read through the indexer at {source.url}: its {n(source.head.count)} entries chain to the Ledger's head (tip() at block {n(source.head.blockNumber)}
          ), checked every 2 s. This page asks it only for what it shows.{" "}
          {source.catchingUp ? <span className="warning">Newer entries are not shown yet: {source.catchingUp}. </span> : null}
          <button className="link" onClick={() => setAuditWholeLedger(true)}>
            Audit the whole ledger
          </button>{" "}
          <span className="muted">(read every event from the chain and check it here)</span>
        </p>
      );
    case "chain":
      return source.audit ? (
        <p className="muted" data-testid="source" data-source="audit">
          Auditing the whole ledger: every event is read from the chain and checked in this browser.{" "}
          <button className="link" onClick={() => setAuditWholeLedger(false)}>
            Read through the indexer again
          </button>
        </p>
      ) : (
        <p className="warning" data-testid="source" data-source="fallback">
          The indexer was not used: {source.reason ?? "it did not answer"}. This page reads the chain itself.
        </p>
      );
  }
}

function IndexCheckLine({ check, skipped }: { check: IndexCheckState; skipped?: string }) {
  switch (check.kind) {
    case "checking":
      return (
        <p className="muted" data-testid="index-check" data-state="checking">
          Shown from the ledger index served with this app (blocks up to {n(check.toBlock)}) and the chain after it; checking the index against the chain…
        </p>
      );
    case "checked":
      return (
        <p className="muted" data-testid="index-check" data-state="checked" data-entries={check.entries} data-ms={check.ms.toFixed(0)}>
          ✓ Index checked against the chain: its {n(check.entries)} entries chain to the Ledger's head at block {n(check.checkedToBlock)} and its{" "}
          {n(check.otherEvents)} other events match the node's logs ({(check.ms / 1000).toFixed(1)} s).
        </p>
      );
    case "unchecked":
      return (
        <p className="warning" data-testid="index-check" data-state="unchecked">
          Shown from the ledger index served with this app, not yet checked against the chain: {check.message}
        </p>
      );
    case "refused":
      return (
        <p className="error" role="alert" data-testid="index-check" data-state="refused">
          The ledger index served with this app does not match the chain ({check.problem}). This page shows the events read from the chain itself.
        </p>
      );
    case "none":
      return skipped ? (
        <p className="muted" data-testid="index-check" data-state="skipped">
          Read from the chain; the ledger index served with this app was not used: {skipped}.
        </p>
      ) : null;
  }
}
