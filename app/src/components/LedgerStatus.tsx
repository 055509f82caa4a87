import type { LedgerData } from "../hooks/useLedger";
import { useAppConfig } from "../hooks/useAppConfig";

/** Loading, missing-deployment and read-error states shared by the pages that read the ledger. */
export function LedgerStatus({ ledger }: { ledger: LedgerData }) {
  const { chain } = useAppConfig();
  if (ledger.missing) return <p className="error" role="alert">No Ledger is deployed on {chain.name} as far as this app knows: run <code>npm start</code>, or set the chain's addresses.</p>;
  if (ledger.error && !ledger.snapshot) return <p className="error" role="alert">Could not read the ledger: {ledger.error.message.split("\n")[0]}</p>;
  if (ledger.loading) return <p className="muted" data-testid="loading">Reading the ledger's events… {Math.round(ledger.progress * 100)} %</p>;
  return null;
}
