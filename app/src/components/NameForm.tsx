// "Your name": how people see the connected wallet. Publishing signs a profile with the wallet;
// the relayer sends it (gasless). A new name replaces the old one everywhere.
import { useState } from "react";
import type { AgentKindName } from "@core/directory.js";
import { useNames } from "../hooks/useNames";
import { AGENT_KINDS, usePublishName } from "../hooks/usePublishName";
import { PhaseStatus } from "./PhaseStatus";

export function NameForm() {
  const p = usePublishName();
  const { names } = useNames();
  const current = p.wallet.address ? names.agent(p.wallet.address) : undefined;
  const [name, setName] = useState("");
  const [kind, setKind] = useState<AgentKindName>("person");
  const [touched, setTouched] = useState(false);
  if (!p.available) return null;
  const problem = touched ? p.problem(name) : undefined;
  return (
    <form
      className="name-form"
      data-testid="name-form"
      onSubmit={(e) => {
        e.preventDefault();
        setTouched(true);
        void p.publish(name, kind);
      }}
      noValidate
    >
      <h3>Your name</h3>
      <p className="muted">
        {!p.wallet.address
          ? "Connect a wallet to publish the name people see beside your address."
          : current
            ? `People see you as "${current.name}" (${current.kind}). A new name replaces it everywhere.`
            : "You have no published name: people see your short address. Publish one (signed by your wallet; the relayer pays)."}
      </p>
      <label htmlFor="f-display-name">Name</label>
      <input
        id="f-display-name"
        value={name}
        maxLength={64}
        placeholder="e.g. Ana Lima, or Fabrica Cooperative"
        onChange={(e) => {
          setName(e.target.value);
          setTouched(true);
        }}
        disabled={p.busy || !p.wallet.canWrite}
      />
      <label htmlFor="f-display-kind">Kind</label>
      <select id="f-display-kind" value={kind} onChange={(e) => setKind(e.target.value as AgentKindName)} disabled={p.busy || !p.wallet.canWrite}>
        {AGENT_KINDS.map((k) => (
          <option key={k}>{k}</option>
        ))}
      </select>
      {problem ? (
        <div className="field-error" role="alert" data-testid="error-display-name">
          {problem}
        </div>
      ) : null}
      <button type="submit" disabled={p.busy || !p.wallet.canWrite || p.problem(name) !== undefined}>
        Publish my name
      </button>
      <PhaseStatus
        id="name-status"
        phase={p.phase}
        done={
          <>
            ✔ Published (version {String(p.phase.kind === "done" ? p.phase.entryId : 0n)} of your profile).
            {p.phase.kind === "done" && p.phase.via === "direct" ? " Your wallet sent it and paid the gas." : ""}
          </>
        }
        failed="Not published"
        onDismiss={p.reset}
      />
    </form>
  );
}
