import { useAppConfig } from "../hooks/useAppConfig";
import { useRpcStatus } from "../hooks/useRpcStatus";
import { useWallet } from "../hooks/useWallet";

export function RpcBanner() {
  const rpc = useRpcStatus();
  if (!rpc.down) return null;
  return (
    <div className="banner danger" role="alert" data-testid="rpc-banner">
      <strong>The chain is not reachable.</strong> The RPC at {rpc.rpcUrl} does not answer{rpc.reason ? ` (${rpc.reason})` : ""}. The app keeps trying; figures
      shown may be out of date and writes will fail until it is back.
    </div>
  );
}

export function WrongChainBanner() {
  const { chain } = useAppConfig();
  const w = useWallet();
  if (!w.wrongChain) return null;
  return (
    <div className="banner warn" role="alert" data-testid="wrong-chain">
      <strong>Your wallet is on chain {w.walletChainId}</strong>, but this ledger is on {chain.name} ({chain.id}). Signing and sending are disabled until you
      switch.{" "}
      <button onClick={w.switchToReadChain} disabled={w.switching}>
        {w.switching ? "Switching…" : `Switch to ${chain.name}`}
      </button>
      {w.switchError ? <span className="error"> {w.switchError}</span> : null}
    </div>
  );
}
