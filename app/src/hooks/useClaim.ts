// Claiming a share of a distribution: the leaf and Merkle proof recomputed in the browser, simulated
// first (so a contract error is explained before the wallet is asked), then sent and awaited.
import type { Abi, Hex } from "viem";
import { incomeDistributorAbi } from "../contracts/generated";
import { explainError } from "../lib/errors";
import { useWriteFlow } from "./useWriteFlow";

export function useClaim() {
  const flow = useWriteFlow(explainError);
  const distributor = flow.chain.contracts.IncomeDistributor;

  async function claim(id: bigint, leaf: { index: bigint; amount: bigint; proof: string[] }, account: string) {
    if (!flow.wallet.canWrite || !flow.wallet.address || !flow.client || !distributor) return;
    await flow.run(async () => {
      flow.setPhase({ kind: "pending", detail: "Checking the claim against the contract…" });
      const { hash } = await flow.send({
        address: distributor,
        abi: incomeDistributorAbi as Abi,
        functionName: "claim",
        args: [id, leaf.index, account as Hex, leaf.amount, leaf.proof as Hex[]],
      });
      // "done" carries the distribution id in entryId (the phase type is shared with the ledger writes).
      flow.setPhase({ kind: "done", entryId: id, txHash: hash, via: "direct" });
      void flow.queryClient.invalidateQueries({ queryKey: ["distributions"] });
    });
  }

  return { phase: flow.phase, claim, busy: flow.busy, reset: flow.reset };
}
