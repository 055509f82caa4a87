// The connected wallet and what it may do: writes need a wallet on the chain the app reads.
import { useConnect, useConnection, useConnectors, useDisconnect, useSwitchChain } from "wagmi";
import type { Connector } from "wagmi";
import { useAppConfig } from "./useAppConfig";

export interface Wallet {
  address?: `0x${string}`;
  walletChainId?: number;
  connected: boolean;
  connectorName?: string;
  /** Connected, but to another chain than the one the app reads: writes are disabled. */
  wrongChain: boolean;
  canWrite: boolean;
  connectors: readonly Connector[];
  connect(connector: Connector): void;
  connectError?: string;
  disconnect(): void;
  switchToReadChain(): void;
  switching: boolean;
  switchError?: string;
}

export function useWallet(): Wallet {
  const { chain } = useAppConfig();
  const connection = useConnection();
  const connectors = useConnectors();
  const connect = useConnect();
  const disconnect = useDisconnect();
  const switcher = useSwitchChain();
  const connected = connection.status === "connected";
  const wrongChain = connected && connection.chainId !== chain.id;
  // The dev keys hold public keys: only for the local chain.
  const offered = connectors.filter((c) => c.type !== "devKey" || chain.local);
  return {
    address: connection.address,
    walletChainId: connection.chainId,
    connected,
    connectorName: connection.connector?.name,
    wrongChain,
    canWrite: connected && !wrongChain,
    connectors: offered,
    connect: (connector) => connect.mutate({ connector }),
    connectError: connect.error ? ((connect.error as { shortMessage?: string }).shortMessage ?? connect.error.message) : undefined,
    disconnect: () => disconnect.mutate({}),
    switchToReadChain: () => switcher.mutate({ chainId: chain.id }),
    switching: switcher.isPending,
    switchError: switcher.error ? ((switcher.error as { shortMessage?: string }).shortMessage ?? switcher.error.message) : undefined,
  };
}
