// Income distributions: what the IncomeDistributor published, a contributor's share with the entries
// it comes from (recomputed here from the chain with the value equation), and claiming it.
import { lazy, Suspense, useState } from "react";
import { distributionFlows } from "@distribution/value-equation.js";
import { formatUnits, zeroAddress } from "viem";
import { exactAmount, roundAmount } from "@core/amount.js";
import { CommonsRules } from "../components/CommonsRules";
import { PhaseStatus } from "../components/PhaseStatus";
import { LedgerStatus } from "../components/LedgerStatus";
import { useAppConfig } from "../hooks/useAppConfig";
import { useChainTime } from "../hooks/useChainTime";
import { useClaim } from "../hooks/useClaim";
import { useCommons } from "../hooks/useCommons";
import { IPFS_GATEWAY, recompute, shareOf, useDistributions, useEquations } from "../hooks/useDistributions";
import type { PublishedDistribution } from "../hooks/useDistributions";
import { useGovernanceEvents } from "../hooks/useGovernance";
import { useLedger } from "../hooks/useLedger";
import { useSource } from "../hooks/useSource";
import { useWallet } from "../hooks/useWallet";
import { commonsNames } from "../lib/accounts";
import { dateTime, shortAddress, shortHex } from "../lib/format";
import { href } from "../lib/router";
import type { PageProps } from "../lib/router";
import { resolveAgent } from "@core/directory.js";
import { Agent } from "../components/Agent";
import { useNames } from "../hooks/useNames";
import { flowChartData } from "../lib/flowChart";

const DistributionChart = lazy(() => import("../components/DistributionChart"));

/** Amounts in the distribution's token: ETH has 18 decimals; other tokens are shown in base units. */
/** An amount for people: rounded to what matters (0.2533 ETH); `exactText` gives every digit. */
const amountText = (d: PublishedDistribution, v: bigint) =>
  d.token === zeroAddress ? `${roundAmount(v, 18)} ETH` : `${v} base units of ${shortAddress(d.token)}`;
const exactText = (d: PublishedDistribution, v: bigint) => (d.token === zeroAddress ? `${exactAmount(v, 18)} ETH exactly` : `${v} base units of ${d.token}`);

/** An amount, rounded, with its exact value on hover. */
function Amount({ d, v }: { d: PublishedDistribution; v: bigint }) {
  return <span title={exactText(d, v)}>{amountText(d, v)}</span>;
}

export default function DistributionsPage({ query }: PageProps) {
  const { chain } = useAppConfig();
  // A share is recomputed from the whole ledger as it stood at its distribution's cutoff. Reading
  // through the indexer, the page reads it only when asked (the distributions and their claims are
  // the IncomeDistributor's own events, read from the chain either way).
  const [askedForLedger, setAskedForLedger] = useState(false);
  const ledger = useLedger({ unlessIndexed: !askedForLedger });
  const source = useSource();
  const governanceEvents = useGovernanceEvents();
  const unread = source.kind === "indexer" && !askedForLedger;
  const now = useChainTime();
  const { names: who } = useNames();
  const wallet = useWallet();
  const ds = useDistributions();
  const equations = useEquations(ds.list);
  const c = useClaim();
  const governance = useCommons();
  const [selected, setSelected] = useState<string | undefined>(query.get("id") ?? undefined);
  const [accountText, setAccountText] = useState(query.get("account") ?? "");
  const names = commonsNames(governanceEvents.events);
  if (!ds.address)
    return (
      <section>
        <h2>Distributions</h2>
        <p className="error" role="alert">
          No IncomeDistributor is deployed on {chain.name} as far as this app knows: run <code>npm start</code>, or set the chain's addresses.
        </p>
      </section>
    );
  const list = ds.list ?? [];
  const d = list.find((x) => String(x.id) === selected) ?? list.at(-1);
  // A contributor by name (as the Directory has it) or by address; your wallet when nothing is typed.
  const typed = accountText.trim() ? resolveAgent(who, accountText.trim()) : undefined;
  const account = typed ? ("address" in typed ? typed.address : "") : wallet.address || "";
  const accountErr = typed && "error" in typed ? typed.error : undefined;
  const r = d && ledger.snapshot && equations ? recompute(d, ledger.snapshot.events, equations) : undefined;
  const mine = r && !("error" in r) && account && !accountErr ? shareOf(r, account) : undefined;
  const claimedLeaf = mine?.leaf ? d?.claims.get(mine.leaf.index) : undefined;
  const open = d && now.data !== undefined && now.data >= d.claimsOpenAt && now.data < d.expiresAt;
  const blocked = !wallet.canWrite
    ? wallet.connected
      ? "Switch your wallet to this chain to claim."
      : "Connect a wallet to claim."
    : !d
      ? "No distribution is selected."
      : d.status !== "published"
        ? `This distribution is ${d.status}: nothing can be claimed.`
        : !r || "error" in r
          ? "The share could not be recomputed here."
          : !r.matches
            ? "The recomputed root differs from the published one: the proof would fail."
            : !mine?.leaf
              ? "This account has no share in this distribution."
              : claimedLeaf
                ? "This share was claimed."
                : now.data !== undefined && now.data < d.claimsOpenAt
                  ? `Claims open at ${dateTime(d.claimsOpenAt)}.`
                  : now.data !== undefined && now.data >= d.expiresAt
                    ? `Claims closed at ${dateTime(d.expiresAt)}.`
                    : undefined;
  return (
    <section>
      <h2>Distributions</h2>
      <p className="muted">
        Income shared among contributors by a value equation applied to the ledger, published as a Merkle root by the IncomeDistributor at{" "}
        <span className="mono">{ds.address}</span>.
      </p>
      {unread ? (
        <p className="muted" data-testid="distributions-ledger-unread">
          The distributions and their claims below are the IncomeDistributor's own events. A share is recomputed here from the whole ledger as it stood at its
          distribution's cutoff, which this page has not read (the indexer holds {source.head.count.toLocaleString("en-US")} entries).{" "}
          <button type="button" onClick={() => setAskedForLedger(true)}>
            Recompute the shares from the chain
          </button>
        </p>
      ) : (
        <LedgerStatus ledger={ledger} />
      )}
      <p className="muted">
        A distribution is published only when the commons' threshold of stewards approved the same parameters; during its challenge window the stewards'
        threshold may cancel it, and the contributors it names stop it by objecting (<code>commons object-share</code>).
      </p>
      <CommonsRules commons={governance.commons} />
      {ds.error && !ds.list ? (
        <p className="error" role="alert">
          Could not read the distributions: {ds.error.message.split("\n")[0]}
        </p>
      ) : null}
      {ds.loading ? (
        <p className="muted" data-testid="loading">
          Reading the distributions…
        </p>
      ) : null}
      {ds.list && list.length === 0 ? (
        <p className="muted" data-testid="distributions-empty">
          No distribution has been published yet.
        </p>
      ) : null}
      {list.length ? (
        <table data-testid="distributions-table">
          <thead>
            <tr>
              <th>Id</th>
              <th>Commons</th>
              <th>Income</th>
              <th>Shared</th>
              <th>Contributors</th>
              <th>Cutoff</th>
              <th>Claims open</th>
              <th>Expires</th>
              <th>Status</th>
              <th>Claimed</th>
              <th>Equation</th>
            </tr>
          </thead>
          <tbody>
            {list.map((x) => (
              <tr key={String(x.id)} className={x === d ? "selected" : ""}>
                <td>
                  <a href={href("distributions", { id: String(x.id) })} onClick={() => setSelected(String(x.id))}>
                    #{String(x.id)}
                  </a>
                </td>
                <td title={x.commons}>{names.get(x.commons) ?? shortHex(x.commons)}</td>
                <td>
                  <Amount d={x} v={x.income} />
                </td>
                <td>
                  <Amount d={x} v={x.total} />
                </td>
                <td className="right">{String(x.leafCount)}</td>
                <td>
                  <a href={href(`entry/${x.cutoff}`)}>entry #{String(x.cutoff)}</a>
                </td>
                <td>{dateTime(x.claimsOpenAt)}</td>
                <td>{dateTime(x.expiresAt)}</td>
                <td>
                  {x.status}
                  {x.status === "published" && now.data !== undefined
                    ? now.data < x.claimsOpenAt
                      ? " (challenge window)"
                      : now.data >= x.expiresAt
                        ? " (expired)"
                        : " (claims open)"
                    : ""}
                </td>
                <td>
                  <Amount d={x} v={x.claimed} /> ({x.claims.size} of {String(x.leafCount)})
                </td>
                <td className="mono" title={`${x.equationURI} · hash ${x.equationHash}`}>
                  {x.equationURI.startsWith("ipfs://") ? (
                    <a href={`${IPFS_GATEWAY}${x.equationURI.slice("ipfs://".length)}`}>{`ipfs://${shortHex(x.equationURI.slice("ipfs://".length))}`}</a>
                  ) : (
                    x.equationURI || shortHex(x.equationHash)
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {d ? (
        <>
          <h3>Distribution #{String(d.id)}: a contributor's share</h3>
          {unread ? (
            <p className="muted" data-testid="share-unread">
              Recompute the shares from the chain (above) to see a contributor's share and claim it: the claim's proof is built from them.
            </p>
          ) : null}
          {r === undefined ? null : "error" in r ? (
            <p className="error" role="alert" data-testid="recompute-error">
              {r.error}
            </p>
          ) : (
            <p data-testid="recompute" className={r.matches ? "ok" : "error"}>
              {r.matches ? "✔" : "✖"} Recomputed in this browser with {r.equationName} from the ledger up to entry #{String(d.cutoff)}: {r.result.shares.length}{" "}
              shares, root {shortHex(r.root)} {r.matches ? "matches the published root" : `does NOT match the published root ${shortHex(d.root)}`}.
            </p>
          )}
          {r !== undefined && !("error" in r) && d.token === zeroAddress ? (
            <div className="card" style={{ height: 60 + 34 * (r.result.shares.length + r.result.buckets.length) }} data-testid="distribution-chart">
              <Suspense fallback={null}>
                <DistributionChart data={flowChartData(distributionFlows(r.result), who, 18, "ETH")} />
              </Suspense>
            </div>
          ) : null}
          <div className="controls">
            <label>
              Contributor{" "}
              <input
                aria-label="Contributor name or address"
                size={46}
                value={accountText}
                onChange={(e) => setAccountText(e.target.value)}
                placeholder={wallet.address ?? "a name, e.g. Alice, or 0x… (default: your wallet)"}
              />
            </label>
          </div>
          {accountErr ? (
            <p className="error" role="alert" data-testid="error-account">
              {accountErr}
            </p>
          ) : null}
          {!account ? <p className="muted">Enter a contributor's name or address, or connect a wallet, to see a share.</p> : null}
          {mine && d && r && !("error" in r) ? (
            mine.share && mine.leaf ? (
              <div data-testid="share">
                <p data-testid="share-amount">
                  <strong>
                    <Amount d={d} v={mine.share.amount} />
                  </strong>{" "}
                  for <Agent address={mine.share.account} /> (leaf {String(mine.leaf.index)})
                  {claimedLeaf ? (
                    <span className="ok">
                      {" "}
                      · claimed (tx <span className="mono">{shortHex(claimedLeaf.tx)}</span>)
                    </span>
                  ) : (
                    <span className="muted"> · not claimed yet</span>
                  )}
                </p>
                <table data-testid="share-lines">
                  <thead>
                    <tr>
                      <th>Entry</th>
                      <th>Action</th>
                      <th>Bucket</th>
                      <th className="right">Points</th>
                      <th className="right">Amount</th>
                    </tr>
                  </thead>
                  <tbody>
                    {mine.share.lines.map((l) => (
                      <tr key={`${l.entryId}|${l.bucket}`}>
                        <td>
                          <a href={href(`entry/${l.entryId}`)}>#{String(l.entryId)}</a>
                        </td>
                        <td>{l.action}</td>
                        <td>{l.bucket}</td>
                        <td className="right">{formatUnits(l.points, 12)}</td>
                        <td className="right">
                          <Amount d={d} v={l.amount} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <p className="muted">
                  Buckets: {r.result.buckets.map((b) => `${b.name}: ${amountText(d, b.allocated)} to ${b.entries} entries`).join("; ")}. Undistributed{" "}
                  {amountText(d, r.result.undistributed)}, rounding dust {amountText(d, r.result.dust)}.
                </p>
                <div className="controls">
                  <button
                    onClick={() => void c.claim(d.id, mine.leaf!, mine.share!.account)}
                    disabled={blocked !== undefined || c.busy}
                    title={exactText(d, mine.share.amount)}
                  >
                    Claim {amountText(d, mine.share.amount)}
                  </button>
                  {blocked ? (
                    <span className="muted" data-testid="claim-disabled">
                      {blocked}
                    </span>
                  ) : open ? (
                    <span className="muted">Anyone may send the claim; the amount goes to the contributor.</span>
                  ) : null}
                </div>
                <PhaseStatus
                  id="claim-status"
                  phase={c.phase}
                  onDismiss={c.reset}
                  failed="Not claimed"
                  done={
                    <>
                      ✔ Claimed: <Amount d={d} v={mine.share.amount} /> paid to <Agent address={mine.share.account} />.
                    </>
                  }
                />
              </div>
            ) : (
              <p className="muted" data-testid="share-none">
                <Agent address={account} /> has no share in distribution #{String(d.id)}: no counted contribution to this commons up to entry #
                {String(d.cutoff)}.
              </p>
            )
          ) : null}
        </>
      ) : null}
    </section>
  );
}
