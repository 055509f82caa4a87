import { useWallet } from "../hooks/useWallet";
import { Agent } from "./Agent";

export function WalletPanel() {
  const w = useWallet();
  if (w.connected) {
    return (
      <div className="wallet" data-testid="wallet">
        <Agent address={w.address ?? ""} /> <span className="muted">via {w.connectorName}</span> <button onClick={w.disconnect}>Disconnect</button>
      </div>
    );
  }
  const injected = w.connectors.filter((c) => c.type !== "devKey");
  const dev = w.connectors.filter((c) => c.type === "devKey");
  return (
    <div className="wallet" data-testid="wallet">
      {injected.map((c) => (
        <button key={c.uid} onClick={() => w.connect(c)}>
          Connect {c.name === "Injected" ? "browser wallet" : c.name}
        </button>
      ))}
      {dev.length > 0 ? (
        <select
          aria-label="Dev key (local chain only)"
          value=""
          onChange={(e) => {
            const c = dev.find((d) => d.uid === e.target.value);
            if (c) w.connect(c);
          }}
        >
          <option value="">Dev key (local chain only, public keys)…</option>
          {dev.map((c) => (
            <option key={c.uid} value={c.uid}>
              {c.name}
            </option>
          ))}
        </select>
      ) : null}
      {w.connectError ? (
        <span className="error" role="alert">
          {" "}
          {w.connectError}
        </span>
      ) : null}
    </div>
  );
}
