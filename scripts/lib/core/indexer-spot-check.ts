// Spot checks of an indexer's totals against the chain. A head that is the Ledger's tip vouches for
// the entries the indexer holds, not for the sums it keeps of them: an indexer could chain every
// entry honestly and still add wrongly (or lie) in its daily totals. So one contributor's days are
// recomputed from the chain alone:
// - that contributor's entries: one eth_getLogs filtered by the Recorded event's indexed signer,
//   which is the entry's agent (the contract checks the agent's signature);
// - each entry's state as the contract's entryState gives it, and whether its commons is registered
//   (commonsExists), so no validation, correction or quorum rule needs reading;
// - the same dayTotals rule the indexer keeps its days by.
// The cost is that contributor's entries (one call each), not the ledger's size. Browser-safe.
import { Contract, toBeHex, zeroPadValue } from "ethers";
import type { Provider } from "ethers";
import { LEDGER_ABI } from "./abi.js";
import { indexedAccountDays } from "./indexer-client.js";
import { formatQuantity } from "./record.js";
import { decodeLedgerLogs, fetchLogs, ledgerInterface } from "./reader.js";
import type { Entry } from "./reader.js";
import { dayTotals, deriveEntries } from "./views.js";
import type { DayTotals } from "./views.js";
import { ENTRY_STATES } from "./vocabulary.js";

const RECORDED = ledgerInterface.getEvent("Recorded")!.topicHash;
/**
 * The entries whose Recorded events match `argTopics` (the indexed id, then the signer): a few, so
 * the filtered eth_getLogs starts with wide block ranges.
 */
async function recordedEntries(provider: Provider, ledger: string, fromBlock: number | undefined, argTopics: (string[] | null)[]): Promise<Entry[]> {
  return decodeLedgerLogs(await fetchLogs(provider, ledger, { fromBlock, topic0: [RECORDED], argTopics, initialSpan: 10_000 })).entries;
}

/** A contributor with more entries than this is not spot-checked (one call per entry). */
export const MAX_SPOT_CHECK_ENTRIES = 2_000;

/**
 * One contributor's accounts per day, commons, action and unit, from the chain alone (see above):
 * its entries up to entry `count`, or undefined when it has more than MAX_SPOT_CHECK_ENTRIES.
 */
export async function agentDaysFromChain(
  provider: Provider,
  ledger: string,
  agent: string,
  opts: { fromBlock?: number; count: bigint },
): Promise<DayTotals[] | undefined> {
  const entries = (await recordedEntries(provider, ledger, opts.fromBlock, [null, [zeroPadValue(agent.toLowerCase(), 32)]])).filter((e) => e.id <= opts.count);
  if (entries.length > MAX_SPOT_CHECK_ENTRIES) return undefined;
  const contract = new Contract(ledger, LEDGER_ABI, provider);
  const states = new Map<bigint, number>();
  for (let i = 0; i < entries.length; i += 50)
    await Promise.all(entries.slice(i, i + 50).map(async (e) => states.set(e.id, Number(((await contract.entryState(e.id)) as [bigint])[0]))));
  const registered = new Set<string>();
  for (const c of new Set(entries.map((e) => e.record.commons.toLowerCase()))) if ((await contract.commonsExists(c)) as boolean) registered.add(c);
  const views = deriveEntries({ entries, validations: [], corrections: [], checkpoints: new Map(), skipped: [], all: [] }).map((v) => ({
    ...v,
    state: ENTRY_STATES[states.get(v.id)!]!,
    registered: registered.has(v.entry.record.commons.toLowerCase()),
  }));
  return dayTotals(views);
}

/**
 * A contributor drawn from the chain itself: the agent of entry k, k drawn uniformly from 1 to
 * `count` (one eth_getLogs filtered by the Recorded event's indexed id), so an indexer cannot hide
 * anyone from the draw; a contributor is drawn in proportion to the entries they signed.
 */
export async function randomAgent(
  provider: Provider,
  ledger: string,
  opts: { fromBlock?: number; count: bigint },
  random = Math.random,
): Promise<string | undefined> {
  if (opts.count <= 0n) return undefined;
  const id = 1n + BigInt(Math.floor(random() * Number(opts.count)));
  return (await recordedEntries(provider, ledger, opts.fromBlock, [[zeroPadValue(toBeHex(id), 32)]])).find((e) => e.id === id)?.signer;
}

const key = (d: DayTotals) => `${d.day} ${d.action} in ${d.unit} (commons ${d.commons.slice(0, 10)}…)`;
const described = (d: DayTotals | undefined, unit: string) =>
  d
    ? `${d.entries} entr${d.entries === 1 ? "y" : "ies"}, ${formatQuantity(d.claimed)} ${unit} claimed, ${formatQuantity(d.accepted)} accepted, ${formatQuantity(d.disputed)} disputed`
    : "nothing";

/**
 * Where the indexer's days of `agent` differ from the chain's, in a sentence (the first day that
 * differs), or undefined when they are the same; "unchecked" when the agent has too many entries
 * to check. The indexer must hold exactly `count` entries (its head checked against tip()). A
 * validation landing between the two reads can make them differ for a moment: a difference is read
 * again once, `retryMs` later, before it is reported.
 */
export async function accountsDifferFromChain(
  url: string,
  provider: Provider,
  ledger: string,
  agent: string,
  opts: { fromBlock?: number; count: bigint; retryMs?: number },
): Promise<string | "unchecked" | undefined> {
  let difference: string | undefined;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const [indexed, chain] = await Promise.all([indexedAccountDays(url, { agent }), agentDaysFromChain(provider, ledger, agent, opts)]);
    if (chain === undefined) return "unchecked";
    const theirs = new Map(indexed.map((d) => [key(d), d]));
    const ours = new Map(chain.map((d) => [key(d), d]));
    difference = undefined;
    for (const k of [...new Set([...ours.keys(), ...theirs.keys()])].sort()) {
      const [a, b] = [theirs.get(k), ours.get(k)];
      if (a && b && a.entries === b.entries && a.claimed === b.claimed && a.accepted === b.accepted && a.disputed === b.disputed) continue;
      const unit = (a ?? b)!.unit;
      difference = `its accounts of ${agent} are not the chain's: on ${k} it counts ${described(a, unit)}, the chain ${described(b, unit)}`;
      break;
    }
    if (difference === undefined) return undefined;
    if (attempt === 1) await new Promise((r) => setTimeout(r, opts.retryMs ?? 2_000));
  }
  return difference;
}
