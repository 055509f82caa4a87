// An agent as people read it: its published name beside the short address (the full address, its
// kind and version on hover), or the short address alone when it has published no name. A name
// that other agents use too is marked, so that an impostor cannot pass for someone else. Each links
// to the agent's Person page.
import { useNames } from "../hooks/useNames";
import { shortAddress } from "../lib/format";
import { href } from "../lib/router";

export function Agent({ address }: { address: string }) {
  const { names } = useNames();
  const n = names.agent(address);
  if (!n)
    return (
      <a className="agent" href={href(`person/${address}`)} title={address} data-agent={address}>
        {shortAddress(address)}
      </a>
    );
  const shared = n.sharedWith > 0 ? ` · ${n.sharedWith} other agent${n.sharedWith === 1 ? "" : "s"} use this name: tell them apart by address` : "";
  return (
    <a className="agent" href={href(`person/${address}`)} title={`${address} · ${n.kind}, version ${n.version} of its profile${shared}`} data-agent={address}>
      {n.name}
      {n.sharedWith > 0 ? (
        <span className="warn" aria-label="name used by several agents">
          {" "}
          ⚠
        </span>
      ) : null}{" "}
      <span className="muted">{shortAddress(address)}</span>
    </a>
  );
}
