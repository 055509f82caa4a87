// One person or organisation, as its peers see it: its published name, its contributions over time,
// the validations it gave and received, the commons it acts in and its roles there, the shares of
// income it earned and claimed, and the licences it holds with their status. Reached from any name
// (every Agent links here); `commons person <name|address>` prints the same. Through the indexer
// when the pages read through it (useOverview); the shares are recomputed from the whole ledger at
// each distribution's cutoff, so through the indexer only the shares claimed are shown until the
// visitor asks for the rest (which reads the whole ledger from the chain).
import { useMemo, useState } from "react";
import { resolveAgent, shortAddress } from "@core/directory.js";
import { MAX_SPOT_CHECK_ENTRIES } from "@core/indexer-spot-check.js";
import { roundAmount } from "@core/amount.js";
import { ContributionsChart } from "../components/ContributionsChart";
import { LedgerStatus } from "../components/LedgerStatus";
import { recompute, shareOf, useDistributions, useEquations } from "../hooks/useDistributions";
import type { PublishedDistribution } from "../hooks/useDistributions";
import { useLedger } from "../hooks/useLedger";
import type { LedgerData } from "../hooks/useLedger";
import { useNames } from "../hooks/useNames";
import { usePersonOverview } from "../hooks/useOverview";
import { useRegistry, useStatuses } from "../hooks/useReciprocity";
import { dateTime, formatQuantity } from "../lib/format";
import { href } from "../lib/router";
import type { PageProps } from "../lib/router";

export default function PersonPage({ params }: PageProps) {
  const { names } = useNames();
  const found = resolveAgent(names, params.who ?? "");
  const address = "address" in found ? found.address : undefined;
  const { overview, ledger, source, checked } = usePersonOverview(address);
  const distributions = useDistributions();
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
      <LedgerStatus ledger={ledger} indexed />
      {source.kind === "indexer" ? (
        <p className="muted" data-testid="person-check" data-checked={checked ?? "checking"}>
          {checked === undefined ? (
            "Spot-checking these figures against the chain…"
          ) : checked === "same" ? (
            <span className="ok">
              ✓ Checked against the chain: the entries, contributions and validations below, recomputed from {n ? `${n.name}’s` : "their"} own entries, each
              entry's state as the Ledger gives it and the validations given and received, are the indexer’s.
            </span>
          ) : (
            `Not checked against the chain: more than ${MAX_SPOT_CHECK_ENTRIES.toLocaleString("en-US")} entries, too many to check here; “Audit the whole ledger” checks everything.`
          )}
        </p>
      ) : null}
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
          <Shares address={address!} list={distributions.list} />
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

/** The agent's claim in a distribution, if it claimed its share. */
const claimOf = (d: PublishedDistribution, address: string) => [...d.claims.values()].find((c) => c.account.toLowerCase() === address.toLowerCase());

/**
 * The agent's shares in the published distributions: each recomputed from the whole ledger at its
 * cutoff with its published equation. A page reading through the indexer has not read the whole
 * ledger: it shows the shares claimed (the distributor's own events say so) and reads the rest from
 * the chain when asked.
 */
function Shares({ address, list }: { address: string; list: readonly PublishedDistribution[] | undefined }) {
  const [askedForAll, setAskedForAll] = useState(false);
  const whole = useLedger({ unlessIndexed: !askedForAll });
  const equations = useEquations(whole.snapshot ? list : undefined);
  const shares = useMemo(() => {
    if (!whole.snapshot || !equations) return undefined;
    return (list ?? []).flatMap((d) => {
      const r = recompute(d, whole.snapshot!.events, equations);
      if ("error" in r) return [];
      const { share } = shareOf(r, address);
      if (!share) return [];
      return [{ id: d.id, amount: share.amount, claimed: claimOf(d, address) !== undefined, status: d.status }];
    });
  }, [whole.snapshot, equations, list, address]);
  const claimed = (list ?? []).flatMap((d) => {
    const c = claimOf(d, address);
    return c ? [{ id: d.id, amount: c.amount, claimed: true, status: d.status }] : [];
  });
  const shown = shares ?? claimed;
  return (
    <>
      {shown.length === 0 ? (
        <p className="muted">{shares ? "No share in any published distribution this app can recompute." : "No share claimed yet."}</p>
      ) : (
        <ul data-testid="person-shares">
          {shown.map((s) => (
            <li key={String(s.id)}>
              <a href={href(`distributions?account=${address}`)}>Distribution #{String(s.id)}</a>: {roundAmount(s.amount, 18)} ETH,{" "}
              {s.claimed ? "claimed" : `not claimed yet (${s.status})`}
            </li>
          ))}
        </ul>
      )}
      {shares ? (
        askedForAll ? (
          // The figures above come through the indexer; these, on request, from the whole ledger.
          <p className="muted" data-testid="person-shares-source">
            Each share recomputed here from the whole ledger read from the chain ({whole.snapshot!.events.entries.length.toLocaleString("en-US")} entries), as
            it stood at its distribution's cutoff.
          </p>
        ) : null
      ) : (
        <UnclaimedShares whole={whole} asked={askedForAll} ask={() => setAskedForAll(true)} />
      )}
    </>
  );
}

/** Why shares not claimed are not shown yet, and the choice to read the whole ledger for them. */
function UnclaimedShares({ whole, asked, ask }: { whole: LedgerData; asked: boolean; ask: () => void }) {
  if (whole.error) return <p className="error">Could not read the ledger for the shares: {whole.error.message.split("\n")[0]}</p>;
  if (asked || whole.loading)
    return (
      <p className="muted" data-testid="person-shares-reading">
        Reading the whole ledger to recompute the shares… {Math.round(whole.progress * 100)} %
      </p>
    );
  return (
    <p className="muted" data-testid="person-shares-unread">
      Shares not claimed yet are recomputed from the whole ledger at each distribution's cutoff, which this page has not read.{" "}
      <button type="button" onClick={ask}>
        Recompute every share from the chain
      </button>
    </p>
  );
}
