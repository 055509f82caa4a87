import { QueryClient } from "@tanstack/react-query";
import { loadConfig } from "./config";
import { indexedAccountsQueries } from "./hooks/accountsQueries";
import { defaultChain } from "./hooks/useAppConfig";
import { sourceQuery } from "./hooks/useSource";
import { preloadPage } from "./pages";
import { parseHash } from "./lib/router";
import "./style.css";

// The entry is light (no React DOM, wagmi or provider library): a first visit reads the
// configuration, checks the indexer against the Ledger's tip and asks for the first page's figures
// while the app's code (./root) and the page's load.
// Marks for the benchmarks' account of where a page load's time goes (scripts/bench/app.ts, scale.ts).
performance.mark("commons:main");
const app = import("./root");
preloadPage(window.location.hash);
const queryClient = new QueryClient();

void loadConfig().then(async (config) => {
  performance.mark("commons:config");
  // The indexer is checked against the Ledger's tip if the chain has one (the accounts and entries
  // pages read through it), else the whole ledger is read.
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
  (await app).render(config, queryClient);
});
