// The app itself (React, wagmi and every page), rendered once the configuration is read. main.tsx
// loads this module while it reads the configuration and asks for the first page's data.
import { StrictMode, useMemo, useState } from "react";
import { createRoot } from "react-dom/client";
import { QueryClientProvider } from "@tanstack/react-query";
import type { QueryClient } from "@tanstack/react-query";
import { WagmiProvider } from "wagmi";
import { App } from "./App";
import type { AppConfig } from "./config";
import { AppConfigContext, defaultChain } from "./hooks/useAppConfig";
import { createWagmiConfig } from "./wagmi";

function Providers(props: { config: AppConfig; queryClient: QueryClient }) {
  const wagmi = useMemo(() => createWagmiConfig(props.config), [props.config]);
  const [chainId, setChainId] = useState(() => defaultChain(props.config).id);
  const chain = props.config.chains.find((c) => c.id === chainId) ?? defaultChain(props.config);
  return (
    <WagmiProvider config={wagmi}>
      <QueryClientProvider client={props.queryClient}>
        <AppConfigContext.Provider value={{ config: props.config, chain, setChainId }}>
          <App />
        </AppConfigContext.Provider>
      </QueryClientProvider>
    </WagmiProvider>
  );
}

export function render(config: AppConfig, queryClient: QueryClient): void {
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <Providers config={config} queryClient={queryClient} />
    </StrictMode>,
  );
}
