import type { LedgerData } from "../hooks/useLedger";
import { useAppConfig } from "../hooks/useAppConfig";
import { useIndexCheck } from "../hooks/useIndexCheck";
import type { IndexCheckState } from "../hooks/useIndexCheck";

/** Loading, missing-deployment and read-error states shared by the pages that read the ledger, and where the events came from. */
export function LedgerStatus({ ledger }: { ledger: LedgerData }) {
  const { chain } = useAppConfig();
  const check = useIndexCheck(ledger);
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
  return <IndexCheckLine check={check} skipped={ledger.snapshot?.indexSkipped} />;
}

function IndexCheckLine({ check, skipped }: { check: IndexCheckState; skipped?: string }) {
  // Thousands separators without Intl (whose first formatter costs ~40 ms while the page loads).
  const n = (x: number) => String(x).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
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
