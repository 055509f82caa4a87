// Claiming a share of a distribution: the leaf and Merkle proof recomputed in the browser, simulated
// first (so a contract error is explained before the wallet is asked), then sent and awaited.
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { Hex } from "viem";
import { usePublicClient, useWriteContract } from "wagmi";
import { incomeDistributorAbi } from "../contracts/generated";
import { explainDistributorError } from "../lib/contractErrors";
import { explainReverted } from "../lib/errors";
import type { Phase } from "./useContribute";
import { useAppConfig } from "./useAppConfig";
import { useWallet } from "./useWallet";

export function useClaim() {
  const { chain } = useAppConfig();
  const wallet = useWallet();
  const client = usePublicClient({ chainId: chain.id });
  const writer = useWriteContract();
  const queryClient = useQueryClient();
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const distributor = chain.contracts.IncomeDistributor;

  async function claim(id: bigint, leaf: { index: bigint; amount: bigint; proof: string[] }, account: string) {
    if (!wallet.canWrite || !wallet.address || !client || !distributor) return;
    const args = [id, leaf.index, account as Hex, leaf.amount, leaf.proof as Hex[]] as const;
    try {
      setPhase({ kind: "pending", detail: "Checking the claim against the contract…" });
      await client.simulateContract({ address: distributor, abi: incomeDistributorAbi, functionName: "claim", args, account: wallet.address });
      setPhase({ kind: "pending", detail: "Confirm the transaction in your wallet…" });
      const hash = await writer.mutateAsync({ address: distributor, abi: incomeDistributorAbi, functionName: "claim", args, chainId: chain.id });
      setPhase({ kind: "confirming", detail: "Transaction sent; waiting for the chain to include it…", txHash: hash });
      const receipt = await client.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") await explainReverted(client, hash);
      // "done" carries the distribution id in entryId (the phase type is shared with the ledger writes).
      setPhase({ kind: "done", entryId: id, txHash: hash, via: "direct" });
      void queryClient.invalidateQueries({ queryKey: ["distributions"] });
    } catch (error) {
      const e = explainDistributorError(error);
      setPhase(e.rejected ? { kind: "idle", note: e.message } : { kind: "failed", message: e.message });
    }
  }

  return { phase, claim, busy: phase.kind === "pending" || phase.kind === "confirming", reset: () => setPhase({ kind: "idle" }) };
}
