// The commons on this ledger (#/commons) and one commons in full (#/commons/<id>): its name, who
// decides (stewards and threshold), what accepts an entry (quorum rules), its members, its
// contributions over time, its income and balance at the distributor, its distributions and its
// open needs. `commons commons show <id>` prints the same. Through the indexer when the pages read
// through it (useOverview), else from the whole ledger.
import { roundAmount } from "@core/amount.js";
import { MAX_SPOT_CHECK_ENTRIES } from "@core/indexer-spot-check.js";
import { Agent } from "../components/Agent";
import { CommonsRules } from "../components/CommonsRules";
import { ContributionsChart } from "../components/ContributionsChart";
import { LedgerStatus } from "../components/LedgerStatus";
import { useCommons } from "../hooks/useCommons";
import { useCommonsFunds } from "../hooks/useCommonsFunds";
import { useDistributions } from "../hooks/useDistributions";
import { useLedger } from "../hooks/useLedger";
import { useNames } from "../hooks/useNames";
import { useNeeds } from "../hooks/useNeeds";
import { useCommonsEntries, useCommonsOverview } from "../hooks/useOverview";
import { formatQuantity, shortHex } from "../lib/format";
import { stillToDo } from "../lib/needs";
import { href } from "../lib/router";
import type { PageProps } from "../lib/router";

export default function CommonsPage({ params }: PageProps) {
  return params.id ? <OneCommons id={params.id} /> : <AllCommons />;
}

function AllCommons() {
  const ledger = useLedger({ unlessIndexed: true });
  const { commons, loaded } = useCommons();
  const { names } = useNames();
  const entries = useCommonsEntries();
  return (
    <section>
      <h2>Commons</h2>
      <LedgerStatus ledger={ledger} indexed />
      {loaded && commons.length === 0 ? <p className="muted">No commons is registered on this ledger yet.</p> : null}
      <ul data-testid="commons-list">
        {commons.map((c) => (
          <li key={c.id}>
            <a href={href(`commons/${c.id}`)}>{names.commons(c.id) ?? c.name}</a> <span className="muted">{shortHex(c.id)}</span>:{" "}
            {entries ? (entries.get(c.id) ?? 0) : "…"} entries, {c.stewards.length} steward{c.stewards.length === 1 ? "" : "s"} (any {c.threshold} decide),{" "}
            {c.validators.length} validators
          </li>
        ))}
      </ul>
    </section>
  );
}

function OneCommons({ id }: { id: string }) {
  const { names } = useNames();
  const valid = /^0x[0-9a-fA-F]{64}$/.test(id);
  const { overview, ledger, registered, source, checked } = useCommonsOverview(valid ? id : undefined);
  const funds = useCommonsFunds(valid ? id.toLowerCase() : undefined);
  const distributions = useDistributions();
  const needs = useNeeds();
  if (!valid)
    return (
      <p className="error" role="alert">
        “{id}” is not a commons id (0x and 64 hex digits).
      </p>
    );
  if (registered === false)
    return (
      <section>
        <h2>Commons</h2>
        <p className="error" role="alert">
          No commons {id} is registered on this ledger.
        </p>
      </section>
    );
  const mine = (distributions.list ?? []).filter((d) => d.commons === id.toLowerCase());
  const open = needs.rows.filter((r) => r.need.commons.toLowerCase() === id.toLowerCase() && stillToDo(r.status));
  const c = overview?.commons;
  return (
    <section data-testid="commons-page">
      <h2>{c ? (names.commons(c.id) ?? c.name) : "Commons"}</h2>
      <p className="mono muted">{id}</p>
      <LedgerStatus ledger={ledger} indexed />
      {source.kind === "indexer" ? (
        <p className="muted" data-testid="commons-check" data-checked={checked === undefined ? "checking" : checked.checked ? "same" : "unchecked"}>
          {checked === undefined ? (
            "Spot-checking one member's figures against the chain…"
          ) : checked.checked && checked.agent ? (
            <span className="ok">
              ✓ Spot-checked against the chain: <Agent address={checked.agent} />
              ’s entries and contributions in this commons, recomputed from their own entries and each entry's state as the Ledger gives it, are the indexer’s.
            </span>
          ) : checked.agent ? (
            <>
              Not spot-checked: the member drawn, <Agent address={checked.agent} />, has more than {MAX_SPOT_CHECK_ENTRIES.toLocaleString("en-US")} entries.
            </>
          ) : (
            "Not spot-checked: the entries drawn at random from the ledger were of other commons."
          )}
        </p>
      ) : null}
      {overview && c ? (
        <>
          <CommonsRules commons={[{ ...c, name: names.commons(c.id) ?? c.name }]} />
          <dl className="kv" data-testid="commons-summary">
            <dt>Stewards</dt>
            <dd>
              {c.stewards.map((s, i) => (
                <span key={s}>
                  {i > 0 ? ", " : ""}
                  <Agent address={s} />
                </span>
              ))}{" "}
              (threshold {c.threshold})
            </dd>
            <dt>Entries</dt>
            <dd>
              {overview.entries} ({overview.states.accepted} accepted, {overview.states.claimed} claimed, {overview.states.disputed} disputed,{" "}
              {overview.states.corrected} corrected)
            </dd>
            <dt>Contributions counted</dt>
            <dd>
              {overview.contributionTotals
                .map((t) => `${formatQuantity(t.claimed)} ${t.unit} claimed, ${formatQuantity(t.accepted)} ${t.unit} accepted`)
                .join("; ") || "none"}
            </dd>
            <dt>Income and balance</dt>
            <dd data-testid="commons-funds">
              {funds.data
                ? `${roundAmount(funds.data.deposited, 18)} ETH deposited in ${funds.data.deposits} deposit${funds.data.deposits === 1 ? "" : "s"}; ${roundAmount(funds.data.unallocated, 18)} ETH not yet allocated to a distribution`
                : funds.error
                  ? `could not read the distributor: ${funds.error.message.split("\n")[0]}`
                  : "…"}
            </dd>
          </dl>
          <h3>Contributions over time</h3>
          <ContributionsChart rows={overview.contributions} testId="commons-chart" />
          <h3>Members</h3>
          <table data-testid="commons-members">
            <thead>
              <tr>
                <th>Member</th>
                <th className="right">Entries</th>
                <th>Roles</th>
              </tr>
            </thead>
            <tbody>
              {overview.members.map((m) => (
                <tr key={m.address}>
                  <td>
                    <Agent address={m.address} />
                  </td>
                  <td className="right">{m.entries}</td>
                  <td>{[m.steward ? "steward" : "", m.validator ? "validator" : ""].filter(Boolean).join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Distributions</h3>
          {mine.length === 0 ? (
            <p className="muted">No distribution published yet.</p>
          ) : (
            <ul data-testid="commons-distributions">
              {mine.map((d) => (
                <li key={String(d.id)}>
                  <a href={href(`distributions`)}>Distribution #{String(d.id)}</a>: {roundAmount(d.total, 18)} ETH to {String(d.leafCount)} contributors (
                  {d.status}), {roundAmount(d.claimed, 18)} ETH claimed
                </li>
              ))}
            </ul>
          )}
          <h3>Open needs</h3>
          {open.length === 0 ? (
            <p className="muted">No open need.</p>
          ) : (
            <ul data-testid="commons-needs">
              {open.map((r) => (
                <li key={String(r.need.id)}>
                  <a href={href(`entry/${r.need.id}`)}>#{String(r.need.id)}</a> {r.need.action} {formatQuantity(r.need.quantity)} {r.need.unit}
                  {r.need.resourceSpec && !/^0x0*$/.test(r.need.resourceSpec)
                    ? ` of ${needs.labels.name(r.need.resourceSpec) ?? shortHex(r.need.resourceSpec)}`
                    : ""}
                  : {formatQuantity(r.need.open)} open, {r.status}
                </li>
              ))}
            </ul>
          )}
        </>
      ) : null}
    </section>
  );
}
