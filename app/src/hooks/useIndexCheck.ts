// Whether the ledger index the page started from matches the chain. Runs once per index read (in a
// worker, after the page shows the index); a mismatch makes the reader drop the index and read the
// chain itself, and the problem stays on screen.
import { useEffect } from "react";
import { useQuery } from "@tanstack/react-query";
import { runIndexCheck } from "../lib/indexCheck";
import { ledgerKey, refuseIndex, refusedIndex } from "../lib/ledgerReader";
import type { LedgerData } from "./useLedger";
import { useAppConfig } from "./useAppConfig";

export type IndexCheckState =
  | { kind: "none" }
  | { kind: "checking"; toBlock: number }
  | { kind: "checked"; toBlock: number; entries: number; otherEvents: number; checkedToBlock: number; ms: number }
  | { kind: "unchecked"; toBlock: number; message: string }
  | { kind: "refused"; problem: string };

export function useIndexCheck(ledger: LedgerData): IndexCheckState {
  const { chain } = useAppConfig();
  const index = ledger.snapshot?.index;
  const key = chain.contracts.Ledger ? ledgerKey(chain.id, chain.contracts.Ledger, chain.fromBlock) : "";
  const q = useQuery({
    queryKey: ["index-check", key, index?.url, index?.toBlock, index?.entries],
    queryFn: () => runIndexCheck(index!, { rpcUrl: chain.rpcUrl, chainId: chain.id }),
    enabled: index !== undefined,
    staleTime: Infinity,
    gcTime: Infinity,
    retry: false,
  });
  const reply = q.data;
  const mismatch = reply?.kind === "checked" && !reply.result.ok ? reply.result : undefined;
  useEffect(() => {
    if (mismatch && !mismatch.ok && !refusedIndex(key)) {
      refuseIndex(key, mismatch.problem);
      ledger.refetch();
    }
  }, [mismatch, key, ledger]);
  const refused = refusedIndex(key) ?? (mismatch && !mismatch.ok ? mismatch.problem : undefined);
  if (refused) return { kind: "refused", problem: refused };
  if (!index) return { kind: "none" };
  if (!reply) return { kind: "checking", toBlock: index.toBlock };
  if (reply.kind === "failed") return { kind: "unchecked", toBlock: index.toBlock, message: reply.message };
  const r = reply.result;
  if (!r.ok) return { kind: "refused", problem: r.problem };
  return { kind: "checked", toBlock: index.toBlock, entries: r.entries, otherEvents: r.otherEvents, checkedToBlock: r.checkedToBlock, ms: reply.ms };
}
