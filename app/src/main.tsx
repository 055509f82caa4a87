import { StrictMode, useMemo, useState } from "react";
import { createRoot } from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { WagmiProvider } from "wagmi";
import { App } from "./App";
import { loadConfig } from "./config";
import type { AppConfig } from "./config";
import { AppConfigContext, defaultChain } from "./hooks/useAppConfig";
import { indexedAccountsQueries } from "./hooks/accountsQueries";
import { sourceQuery } from "./hooks/useSource";
import { preloadPage } from "./pages";
import { parseHash } from "./lib/router";
import { createWagmiConfig } from "./wagmi";
import "./style.css";

// Marks for the benchmark's account of where a page load's time goes (scripts/bench/app.ts).
performance.mark("commons:main");
preloadPage(window.location.hash);
const queryClient = new QueryClient();

function Providers(props: { config: AppConfig }) {
  const wagmi = useMemo(() => createWagmiConfig(props.config), [props.config]);
  const [chainId, setChainId] = useState(() => defaultChain(props.config).id);
  const chain = props.config.chains.find((c) => c.id === chainId) ?? defaultChain(props.config);
  return (
    <WagmiProvider config={wagmi}>
      <QueryClientProvider client={queryClient}>
        <AppConfigContext.Provider value={{ config: props.config, chain, setChainId }}>
          <App />
        </AppConfigContext.Provider>
      </QueryClientProvider>
    </WagmiProvider>
  );
}

void loadConfig().then((config) => {
  performance.mark("commons:config");
  // While the first page's code loads: the indexer is checked against the Ledger's tip if the chain
  // has one (the accounts and entries pages read through it), else the whole ledger is read.
  const chain = defaultChain(config);
  if (chain.contracts.Ledger && chain.indexerUrl) {
    void queryClient.prefetchQuery(sourceQuery(chain));
    // The accounts page's figures, asked for at the same time (shown only once the check passed).
    if ((parseHash(window.location.hash).path || "accounts") === "accounts") {
      const q = indexedAccountsQueries(chain.indexerUrl);
      void queryClient.prefetchQuery(q.days);
      void queryClient.prefetchQuery(q.counts);
    }
  } else if (chain.contracts.Ledger) void import("./hooks/useLedger").then(({ ledgerQuery }) => queryClient.prefetchQuery(ledgerQuery(chain)));
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <Providers config={config} />
    </StrictMode>,
  );
});
