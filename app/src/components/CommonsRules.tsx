import { quorumRuleLines } from "@core/governance.js";
import type { CommonsView } from "@core/governance.js";

/** One line per commons: who decides (loud when one key can act alone), who may validate, and what accepts an entry (its quorum rules). */
export function CommonsRules({ commons }: { commons: readonly CommonsView[] }) {
  if (commons.length === 0) return null;
  return (
    <ul className="commons-rules" data-testid="commons-rules">
      {commons.map((c) => (
        <li key={c.id} data-commons={c.id} data-single-key={c.singleKey ? "yes" : "no"}>
          <strong>{c.name}</strong>: <span className={c.singleKey ? "error" : "ok"}>{c.stewardship}</span>{" "}
          <span className="muted">
            {c.validators.length === 0
              ? "No validator is appointed yet, so nothing can be accepted."
              : `${c.validators.length} appointed validator${c.validators.length === 1 ? "" : "s"}; others' opinions are kept as endorsements and count nowhere.`}
          </span>{" "}
          <span className="muted quorum-rules" data-testid="quorum-rules">
            Quorum: {quorumRuleLines(c).join("; ")}.
          </span>
        </li>
      ))}
    </ul>
  );
}
