// A commons' money at the IncomeDistributor: what was deposited for it (Deposited events, in ETH)
// and what is not yet allocated to a distribution (`unallocated(commons, ETH)`), read as of the
// latest block.
import { useQuery } from "@tanstack/react-query";
import { usePublicClient } from "wagmi";
import { zeroAddress } from "viem";
import type { Hex } from "viem";
import { incomeDistributorAbi } from "../contracts/generated";
import { useAppConfig } from "./useAppConfig";

export function useCommonsFunds(commons: string | undefined) {
  const { chain } = useAppConfig();
  const client = usePublicClient({ chainId: chain.id });
  const address = chain.contracts.IncomeDistributor;
  return useQuery({
    queryKey: ["commons-funds", chain.id, address, commons],
    enabled: address !== undefined && client !== undefined && commons !== undefined,
    refetchInterval: 5_000,
    retry: false,
    queryFn: async (): Promise<{ deposited: bigint; deposits: number; unallocated: bigint }> => {
      const [deposits, unallocated] = await Promise.all([
        client!.getContractEvents({
          address: address!,
          abi: incomeDistributorAbi,
          eventName: "Deposited",
          args: { commons: commons as Hex, token: zeroAddress },
          fromBlock: BigInt(chain.fromBlock),
        }),
        client!.readContract({ address: address!, abi: incomeDistributorAbi, functionName: "unallocated", args: [commons as Hex, zeroAddress] }),
      ]);
      const deposited = deposits.reduce((sum, l) => sum + ((l.args as { amount?: bigint }).amount ?? 0n), 0n);
      return { deposited, deposits: deposits.length, unallocated: unallocated as bigint };
    },
  });
}
