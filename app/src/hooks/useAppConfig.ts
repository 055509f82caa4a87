// The loaded app configuration and the chain the app reads (the first with a Ledger, or the local
// chain); the header lets the user pick another configured chain.
import { createContext, useContext } from "react";
import type { AppConfig, ChainConfig } from "../config";

export interface AppState {
  config: AppConfig;
  chain: ChainConfig;
  setChainId(id: number): void;
}

export const AppConfigContext = createContext<AppState | undefined>(undefined);

export function defaultChain(config: AppConfig): ChainConfig {
  return config.chains.find((c) => c.contracts.Ledger) ?? config.chains[0];
}

export function useAppConfig(): AppState {
  const state = useContext(AppConfigContext);
  if (!state) throw new Error("useAppConfig must be used inside <AppConfigContext.Provider>");
  return state;
}
