// One person or organisation, as its peers see it: its published name, its contributions over time,
// the validations it gave and received, the commons it acts in and its roles there, the shares of
// income it earned and claimed, and the licences it holds with their status. Reached from any name
// (every Agent links here); `commons person <name|address>` prints the same.
import { useMemo } from "react";
import { resolveAgent, shortAddress } from "@core/directory.js";
import { personOverview } from "@core/overview.js";
import { roundAmount } from "@core/amount.js";
import { ContributionsChart } from "../components/ContributionsChart";
import { LedgerStatus } from "../components/LedgerStatus";
import { useChainTime } from "../hooks/useChainTime";
import { recompute, shareOf, useDistributions, useEquations } from "../hooks/useDistributions";
import { useLedger } from "../hooks/useLedger";
import { useNames } from "../hooks/useNames";
import { useRegistry, useStatuses } from "../hooks/useReciprocity";
import { dateTime, formatQuantity } from "../lib/format";
import { href } from "../lib/router";
import type { PageProps } from "../lib/router";

export default function PersonPage({ params }: PageProps) {
  const ledger = useLedger();
  const { names } = useNames();
  const now = useChainTime();
  const found = resolveAgent(names, params.who ?? "");
  const address = "address" in found ? found.address : undefined;
  const overview = useMemo(
    () => (address && ledger.snapshot && now.data !== undefined ? personOverview(ledger.views, ledger.snapshot.events, address, now.data) : undefined),
    [address, ledger.snapshot, ledger.views, now.data],
  );
  const distributions = useDistributions();
  const equations = useEquations(distributions.list);
  const registry = useRegistry();
  const licences = useMemo(() => {
    if (!address || !registry.registry) return [];
    const mine = new Map<string, bigint>();
    for (const r of registry.registry.records) if (r.licensee.toLowerCase() === address.toLowerCase()) mine.set(String(r.work), r.work);
    return [...mine.values()].map((work) => ({ licensee: address, work }));
  }, [address, registry.registry]);
  const statuses = useStatuses(registry.address, registry.registry, licences);
  if ("error" in found)
    return (
      <section>
        <h2>Person</h2>
        <p className="error" role="alert" data-testid="person-error">
          {found.error}.
        </p>
      </section>
    );
  const n = names.agent(address!);
  const shares = (distributions.list ?? []).flatMap((d) => {
    if (!ledger.snapshot || !equations) return [];
    const r = recompute(d, ledger.snapshot.events, equations);
    if ("error" in r) return [];
    const { share } = shareOf(r, address!);
    if (!share) return [];
    const claim = [...d.claims.values()].find((c) => c.account.toLowerCase() === address!.toLowerCase());
    return [{ id: d.id, amount: share.amount, claimed: claim !== undefined, token: d.token, status: d.status }];
  });
  return (
    <section data-testid="person-page">
      <h2>
        {n ? n.name : shortAddress(address!)} {n ? <span className="muted">({n.kind})</span> : null}
      </h2>
      <p className="mono muted" data-testid="person-address">
        {address}
      </p>
      {n && n.sharedWith > 0 ? (
        <p className="error" role="alert">
          ⚠ {n.sharedWith} other agent{n.sharedWith === 1 ? "" : "s"} also call{n.sharedWith === 1 ? "s" : ""} itself “{n.name}”: tell them apart by address.
        </p>
      ) : null}
      {!n ? <p className="muted">This agent has published no name.</p> : null}
      <LedgerStatus ledger={ledger} />
      {overview ? (
        <>
          <dl className="kv" data-testid="person-summary">
            <dt>Entries signed</dt>
            <dd>
              {overview.entries} ({overview.states.accepted} accepted, {overview.states.claimed} claimed, {overview.states.disputed} disputed,{" "}
              {overview.states.corrected} corrected){overview.first !== undefined ? `, from ${dateTime(overview.first)} to ${dateTime(overview.last!)}` : ""}
            </dd>
            <dt>Contributions counted</dt>
            <dd>
              {overview.contributionTotals.length === 0
                ? "none"
                : overview.contributionTotals
                    .map((t) => `${formatQuantity(t.claimed)} ${t.unit} claimed, ${formatQuantity(t.accepted)} ${t.unit} accepted`)
                    .join("; ")}
            </dd>
            <dt>Supply-chain flows</dt>
            <dd>
              {overview.flows}; needs, offers and commitments: {overview.intents}
            </dd>
            <dt>Validations given</dt>
            <dd>
              {overview.given.accepts} accepts, {overview.given.disputes} disputes as an appointed validator; {overview.given.endorsements} opinion
              {overview.given.endorsements === 1 ? "" : "s"} kept as endorsement{overview.given.endorsements === 1 ? "" : "s"}
            </dd>
            <dt>Validations received</dt>
            <dd>
              {overview.received.accepts} accepts and {overview.received.disputes} disputes from {overview.received.validators} validator
              {overview.received.validators === 1 ? "" : "s"}; {overview.received.endorsements} endorsement{overview.received.endorsements === 1 ? "" : "s"}
            </dd>
          </dl>
          <h3>Contributions over time</h3>
          <ContributionsChart rows={overview.contributions} testId="person-chart" />
          <h3>Commons</h3>
          {overview.commons.length === 0 ? (
            <p className="muted">Not active in any commons.</p>
          ) : (
            <ul data-testid="person-commons">
              {overview.commons.map((c) => (
                <li key={c.id}>
                  <a href={href(`commons/${c.id}`)}>{names.commons(c.id) ?? c.name}</a>: {c.entries} entries
                  {c.steward ? "; steward" : ""}
                  {c.validates.length ? `; validates ${c.validates.length > 10 ? "every action" : c.validates.join(", ")}` : ""}
                </li>
              ))}
            </ul>
          )}
          <h3>Shares of income</h3>
          {shares.length === 0 ? (
            <p className="muted">No share in any published distribution this app can recompute.</p>
          ) : (
            <ul data-testid="person-shares">
              {shares.map((s) => (
                <li key={String(s.id)}>
                  <a href={href(`distributions?account=${address}`)}>Distribution #{String(s.id)}</a>: {roundAmount(s.amount, 18)} ETH,{" "}
                  {s.claimed ? "claimed" : `not claimed yet (${s.status})`}
                </li>
              ))}
            </ul>
          )}
          <h3>Licences</h3>
          {licences.length === 0 ? (
            <p className="muted">Holds no licence on file.</p>
          ) : (
            <ul data-testid="person-licences">
              {licences.map((l) => {
                const s = statuses.data?.get(`${l.licensee}:${l.work}`);
                return (
                  <li key={String(l.work)}>
                    <a href={href(`reciprocity?licensee=${address}&work=${l.work}`)}>Work {String(l.work)}</a>: {s ? s.status : "…"}
                  </li>
                );
              })}
            </ul>
          )}
          <p>
            <a href={href(`entries?filter=${address}`)}>Every entry they signed</a>
          </p>
        </>
      ) : null}
    </section>
  );
}
