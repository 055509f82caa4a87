// A need's progress on its Entry page: what is met, open and committed, its status at the chain's
// time, and its chain (commitments and the events that fulfil them). Read by useNeed: through the
// indexer (only what answers this need) or from the whole ledger.
import { useNeed } from "../hooks/useNeed";
import { needRows, statusClass } from "../lib/needs";
import { dateTime, formatQuantity } from "../lib/format";
import { href } from "../lib/router";
import { NeedChain } from "./NeedChain";

export function NeedProgress({ id }: { id: bigint }) {
  const { found, now, source } = useNeed(id);
  if (found === undefined || now === undefined) return <p className="muted">Reading this need's commitments and events…</p>;
  if ("problem" in found)
    return (
      <p className="muted" data-testid="need-progress" data-source={source}>
        No progress to show: {found.problem}.
      </p>
    );
  const [{ need: n, status, pct, uncommitted }] = needRows([found.need], now);
  return (
    <>
      {n.id !== id ? (
        <p data-testid="need-standing">
          This need was corrected: it stands as <a href={href(`entry/${n.id}`)}>entry #{String(n.id)}</a>, and what answers either counts there.
        </p>
      ) : null}
      <p data-testid="need-progress" data-source={source} data-status={status}>
        {formatQuantity(n.satisfied)} of {formatQuantity(n.quantity)} {n.unit} met ({pct.toFixed(1)} %), {formatQuantity(n.open)} {n.unit} open,{" "}
        {formatQuantity(n.committed)} committed ({formatQuantity(uncommitted)} {n.unit} uncommitted), due {dateTime(n.due)}:{" "}
        <span className={statusClass(status)}>{status}</span>
      </p>
      <NeedChain need={n} now={now} />
    </>
  );
}
