import { lazy, Suspense } from "react";
import type { ReactNode } from "react";
import { useAppConfig } from "../hooks/useAppConfig";
import { useRpcStatus } from "../hooks/useRpcStatus";
import { useWhenIdle } from "../hooks/useWhenIdle";
import { href } from "../lib/router";
import { navPages } from "../pages";
import { Failed } from "./Failed";

// Rendered once the browser is first idle, so loaded then too: the wallet panel reads names and
// governance through the chain reader (ethers' providers), which a first visit does not need.
const WalletPanel = lazy(() => import("./WalletPanel").then((m) => ({ default: m.WalletPanel })));
const RpcBanner = lazy(() => import("./Banners").then((m) => ({ default: m.RpcBanner })));
const WrongChainBanner = lazy(() => import("./Banners").then((m) => ({ default: m.WrongChainBanner })));

export function Layout(props: { current: string; children: ReactNode }) {
  const { config, chain, setChainId } = useAppConfig();
  const idle = useWhenIdle();
  return (
    <>
      <header>
        <h1>
          <a href={href("accounts")}>Commons Ledger</a>
        </h1>
        <nav>
          {navPages.map((p) => (
            <a key={p.path} href={href(p.path)} className={props.current === p.path ? "active" : undefined}>
              {p.title}
            </a>
          ))}
        </nav>
        <div className="chain">
          {config.chains.length > 1 ? (
            <select aria-label="Chain" value={chain.id} onChange={(e) => setChainId(Number(e.target.value))}>
              {config.chains.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          ) : (
            <span>{chain.name}</span>
          )}
          {idle ? <BlockNumber /> : null}
        </div>
        {idle ? (
          <Failed what="the wallet panel">
            <Suspense fallback={<div className="wallet" />}>
              <WalletPanel />
            </Suspense>
          </Failed>
        ) : (
          <div className="wallet" />
        )}
      </header>
      {idle ? (
        <Failed what="the chain's status">
          <Suspense fallback={null}>
            <RpcBanner />
            <WrongChainBanner />
          </Suspense>
        </Failed>
      ) : null}
      <main>{props.children}</main>
    </>
  );
}

function BlockNumber() {
  const rpc = useRpcStatus();
  return <span className="muted"> {rpc.blockNumber !== undefined ? `block ${rpc.blockNumber}` : ""}</span>;
}
