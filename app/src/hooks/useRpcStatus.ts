// Whether the read chain's RPC answers: the block number, polled; an error means the node is down
// or unreachable, which the layout shows as a banner (the pages keep what they last read).
import { useBlockNumber } from "wagmi";
import { useAppConfig } from "./useAppConfig";

export interface RpcStatus {
  blockNumber?: bigint;
  down: boolean;
  reason?: string;
  rpcUrl: string;
}

export function useRpcStatus(): RpcStatus {
  const { chain } = useAppConfig();
  const q = useBlockNumber({ chainId: chain.id, watch: true, query: { retry: 1, retryDelay: 500 } });
  const error = q.error as { shortMessage?: string; message?: string } | null;
  return {
    blockNumber: q.data,
    down: q.isError,
    reason: error ? (error.shortMessage ?? error.message ?? "").split("\n")[0].replace(/\.$/, "") : undefined,
    rpcUrl: chain.rpcUrl,
  };
}
