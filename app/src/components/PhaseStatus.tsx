import type { ReactNode } from "react";
import type { Phase } from "../hooks/useWriteFlow";

/** The pending / confirming / done / failed states of a write, one line each. */
export function PhaseStatus(props: {
  id: string;
  phase: Phase;
  idle?: string;
  done: ReactNode;
  onDismiss: () => void;
  /** What a failure is called (default: "Not recorded"). */ failed?: string;
}) {
  const p = props.phase;
  return (
    <div className="status" data-testid={props.id} data-phase={p.kind} data-via={p.kind === "done" ? p.via : undefined}>
      {p.kind === "idle" ? <span className="muted">{p.note ?? props.idle ?? ""}</span> : null}
      {p.kind === "pending" ? <span>⏳ {p.detail}</span> : null}
      {p.kind === "confirming" ? <span>⛓ {p.detail}</span> : null}
      {p.kind === "done" ? <span className="ok">{props.done}</span> : null}
      {p.kind === "failed" ? (
        <span className="error" role="alert">
          ✖ {props.failed ?? "Not recorded"}: {p.message} <button onClick={props.onDismiss}>Dismiss</button>
        </span>
      ) : null}
    </div>
  );
}
