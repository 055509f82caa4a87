import { CommonsRules } from "../components/CommonsRules";
import { LedgerStatus } from "../components/LedgerStatus";
import { PhaseStatus } from "../components/PhaseStatus";
import { useCommons } from "../hooks/useCommons";
import { useEntrySignature } from "../hooks/useEntrySignature";
import { useEntry } from "../hooks/useEntry";
import { useGovernanceEvents } from "../hooks/useGovernance";
import { useValidate } from "../hooks/useValidate";
import { useWallet } from "../hooks/useWallet";
import { CONSENT_LABELS } from "@core/views.js";
import { SIDES } from "@core/vocabulary.js";
import { commonsNames } from "../lib/accounts";
import { dateTime, formatQuantity, isZeroHex } from "../lib/format";
import { href } from "../lib/router";
import type { PageProps } from "../lib/router";
import { Agent } from "../components/Agent";
import { EvidenceCheck } from "../components/EvidenceCheck";
import { NeedProgress } from "../components/NeedProgress";

export default function EntryPage({ params }: PageProps) {
  const valid = /^\d{1,19}$/.test(params.id ?? "");
  const id = valid ? BigInt(params.id) : 0n;
  const entry = useEntry(valid ? id : undefined);
  const { view, ledger } = entry;
  const { events: governanceEvents } = useGovernanceEvents();
  const sig = useEntrySignature(view?.entry);
  const v = useValidate(id);
  const answer = useValidate(id);
  const wallet = useWallet();
  const governance = useCommons();
  if (!valid)
    return (
      <p className="error" role="alert">
        “{params.id}” is not an entry id (a whole number from 1).
      </p>
    );
  if (!view) {
    return (
      <section>
        <h2>Entry #{params.id}</h2>
        <LedgerStatus ledger={ledger} indexed />
        {entry.error ? (
          <p className="error" role="alert">
            The indexer did not answer for entry #{params.id}: {entry.error.message}
          </p>
        ) : null}
        {entry.missing ? (
          <p className="error" role="alert">
            There is no entry #{params.id}: the ledger has {entry.missing.entries} entries.
          </p>
        ) : null}
      </section>
    );
  }
  const r = view.entry.record;
  const names = commonsNames(governanceEvents);
  const isAgent = wallet.address?.toLowerCase() === view.agent.toLowerCase();
  const me = wallet.address?.toLowerCase();
  const validated = view.validations.some((x) => x.validator.toLowerCase() === me);
  const endorsed = view.endorsements.some((x) => x.endorser.toLowerCase() === me);
  const commons = governance.byId.get(r.commons.toLowerCase());
  const appointed = commons?.validators.some((x) => x.account.toLowerCase() === me && x.actions.includes(view.action)) ?? false;
  const blocked = !wallet.canWrite
    ? wallet.connected
      ? "Switch your wallet to this chain to validate."
      : "Connect a wallet to validate."
    : isAgent
      ? "You are this entry's agent: others validate it."
      : validated
        ? "You have validated this entry."
        : endorsed
          ? "You have endorsed this entry (your verdict counts nowhere)."
          : view.state === "corrected"
            ? "A corrected entry cannot be validated."
            : undefined;
  const isCounterparty = view.counterparty !== null && view.counterparty.toLowerCase() === me;
  const answerBlocked = !wallet.canWrite
    ? undefined
    : view.consent !== "one-sided"
      ? "You have answered; an answer is final."
      : view.state === "corrected"
        ? "A corrected entry cannot be answered."
        : undefined;
  const row = (label: string, value: React.ReactNode) => (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
  return (
    <section>
      <h2>
        Entry #{String(view.id)}{" "}
        <span className={view.state === "accepted" ? "ok" : view.state === "disputed" ? "error" : "muted"} data-testid="entry-state">
          {view.state}
        </span>
      </h2>
      <LedgerStatus ledger={ledger} indexed />
      <dl className="kv">
        {row("Flow, action", `${view.flow}, ${view.action}`)}
        {row(
          "Agent (signer)",
          <>
            <Agent address={view.agent} /> <span className="mono muted">{view.agent}</span>
          </>,
        )}
        {!isZeroHex(r.receiver)
          ? row(
              "Receiver",
              <>
                <Agent address={r.receiver} /> <span className="mono muted">{r.receiver}</span>
              </>,
            )
          : null}
        {row(
          "Both parties",
          <span
            data-testid="entry-consent"
            className={view.consent === "confirmed" ? "ok" : view.consent === "refused" ? "error" : "muted"}
            title={view.counterparty ?? undefined}
          >
            {view.counterparty === null ? (
              CONSENT_LABELS.none
            ) : (
              <>
                {CONSENT_LABELS[view.consent]} (<Agent address={view.counterparty} />)
              </>
            )}
          </span>,
        )}
        {row("Commons", <span title={r.commons}>{names.get(r.commons.toLowerCase()) ?? r.commons}</span>)}
        {row("Quantity", `${formatQuantity(r.quantity)} ${view.unit}`)}
        {row("Time", dateTime(r.time))}
        {!isZeroHex(r.process)
          ? row(
              "Process",
              <span className="mono">
                {r.process} ({SIDES[r.side]})
              </span>,
            )
          : null}
        {!isZeroHex(r.resource) ? row("Resource", <span className="mono">{r.resource}</span>) : null}
        {!isZeroHex(r.resourceSpec) ? row("Resource spec", <span className="mono">{r.resourceSpec}</span>) : null}
        {!isZeroHex(r.evidence)
          ? row(
              "Evidence digest",
              <>
                <span className="mono">{r.evidence}</span> <EvidenceCheck evidence={r.evidence} />
              </>,
            )
          : null}
        {r.corrects !== 0n ? row("Corrects", <a href={href(`entry/${r.corrects}`)}>entry #{String(r.corrects)}</a>) : null}
        {view.correctedBy !== 0n ? row("Corrected by", <a href={href(`entry/${view.correctedBy}`)}>entry #{String(view.correctedBy)}</a>) : null}
        {r.satisfies !== 0n ? row("Satisfies", <a href={href(`entry/${r.satisfies}`)}>entry #{String(r.satisfies)}</a>) : null}
        {row(
          "Transaction",
          <span className="mono">
            {view.entry.transactionHash} (block {view.entry.blockNumber})
          </span>,
        )}
        {row("Record hash", <span className="mono">{view.entry.recordHash}</span>)}
        {row(
          "Signature",
          <span data-testid="signature-check">
            {sig.isPending ? (
              "checking…"
            ) : sig.error ? (
              <span className="error">could not check: {sig.error.message.split("\n")[0]}</span>
            ) : sig.data?.valid ? (
              <span className="ok">
                ✔ valid, verified in this browser ({sig.data.kind === "eoa" ? `recovered ${sig.data.recovered}` : "ERC-1271 wallet contract"})
              </span>
            ) : (
              <span className="error">✖ not verified: {sig.data?.reason}</span>
            )}
          </span>,
        )}
      </dl>
      {view.flow === "need" ? (
        <>
          <h3>Progress of this need</h3>
          <NeedProgress id={view.id} />
        </>
      ) : null}
      <h3>
        Validations ({view.accepts} accept, {view.disputes} dispute)
      </h3>
      {view.validations.length === 0 ? (
        <p className="muted">No peer has validated this entry yet.</p>
      ) : (
        <table data-testid="validations">
          <thead>
            <tr>
              <th>Validator</th>
              <th>Verdict</th>
              <th>Evidence</th>
              <th>Transaction</th>
            </tr>
          </thead>
          <tbody>
            {view.validations.map((x) => (
              <tr key={x.validator}>
                <td>
                  <Agent address={x.validator} />
                </td>
                <td className={x.verdict === "accept" ? "ok" : "error"}>{x.verdict}</td>
                <td className="mono">{isZeroHex(x.evidence) ? "" : x.evidence}</td>
                <td className="mono">{x.transactionHash}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {view.endorsements.length > 0 ? (
        <>
          <h3>Endorsements ({view.endorsements.length}, counted nowhere)</h3>
          <p className="muted">
            Opinions of accounts the commons has not appointed to validate {view.action}: on record, but they change no state, total or share.
          </p>
          <table data-testid="endorsements">
            <thead>
              <tr>
                <th>Endorser</th>
                <th>Verdict</th>
                <th>Evidence</th>
                <th>Transaction</th>
              </tr>
            </thead>
            <tbody>
              {view.endorsements.map((x) => (
                <tr key={x.endorser}>
                  <td>
                    <Agent address={x.endorser} />
                  </td>
                  <td>{x.verdict}</td>
                  <td className="mono">{isZeroHex(x.evidence) ? "" : x.evidence}</td>
                  <td className="mono">{x.transactionHash}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      {commons ? <CommonsRules commons={[commons]} /> : null}
      {isCounterparty ? (
        <>
          <h3>Your answer</h3>
          <p className="muted">
            This entry names you as its receiver. Confirm it if it is true (then it reads “confirmed by both parties”), or refuse to be named in it. Your answer
            is final and is not a vote.
          </p>
          <div className="controls">
            <button onClick={() => void answer.validate("confirm", true)} disabled={answerBlocked !== undefined || answer.busy} data-testid="answer-confirm">
              Confirm
            </button>
            <button onClick={() => void answer.validate("refuse", true)} disabled={answerBlocked !== undefined || answer.busy} data-testid="answer-refuse">
              Refuse
            </button>
            {answerBlocked ? <span className="muted">{answerBlocked}</span> : null}
          </div>
          <PhaseStatus id="answer-status" phase={answer.phase} onDismiss={answer.reset} done="✔ Your answer is recorded." />
        </>
      ) : null}
      <h3>Validate</h3>
      {wallet.address && !appointed && !isAgent ? (
        <p className="muted" data-testid="validate-endorsement-only">
          You are not appointed to validate {view.action} in {commons?.name ?? "this commons"}: your verdict will be recorded as an endorsement and count
          nowhere. Its stewards appoint validators. Your wallet sends it and pays the gas (the relayer pays only for verdicts that count).
        </p>
      ) : null}
      <div className="controls">
        <label>
          Evidence (optional){" "}
          <input aria-label="Validation evidence" value={v.evidence} onChange={(e) => v.setEvidence(e.target.value)} placeholder="CID or 0x digest" />
        </label>
        <button onClick={() => void v.validate("accept", appointed)} disabled={blocked !== undefined || v.busy || v.evidenceError !== undefined}>
          Accept
        </button>
        <button onClick={() => void v.validate("dispute", appointed)} disabled={blocked !== undefined || v.busy || v.evidenceError !== undefined}>
          Dispute
        </button>
        {blocked ? (
          <span className="muted" data-testid="validate-disabled">
            {blocked}
          </span>
        ) : null}
      </div>
      {v.evidenceError ? (
        <p className="error" role="alert" data-testid="error-validation-evidence">
          {v.evidenceError}
        </p>
      ) : null}
      <PhaseStatus
        id="validate-status"
        phase={v.phase}
        onDismiss={v.reset}
        done={appointed ? "✔ Your validation is recorded." : "✔ Your endorsement is recorded; it counts nowhere."}
      />
    </section>
  );
}
