// The latest block's time: "now" as the chain sees it (what expiry and validity are measured against;
// the local demo chain runs ahead of the wall clock).
import { useQuery } from "@tanstack/react-query";
import { providerFor } from "../lib/ledgerReader";
import { useAppConfig } from "./useAppConfig";

export function useChainTime() {
  const { chain } = useAppConfig();
  return useQuery({
    queryKey: ["chain-time", chain.id, chain.rpcUrl],
    queryFn: async () => {
      const block = await providerFor(chain.rpcUrl, chain.id).getBlock("latest");
      if (!block) throw new Error("the node returned no latest block");
      return BigInt(block.timestamp);
    },
    refetchInterval: 5_000,
    retry: false,
  });
}
