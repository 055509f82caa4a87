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
import { LEDGER_ABI, LEDGER_TOPICS } from "./abi.js";
import { agentLabel } from "./directory.js";
import type { Names } from "./directory.js";
import { indexedAccountDays, indexedActivity, indexedTallies } from "./indexer-client.js";
import { entryTallies, personOverviewOf } from "./overview.js";
import type { Activity, EntryTally, PersonOverview } from "./overview.js";
import { formatQuantity } from "./record.js";
import { decodeLedgerLogs, fetchLogs } from "./reader.js";
import type { Entry } from "./reader.js";
import { dayTotals, deriveEntries } from "./views.js";
import type { DayTotals, EntryView } from "./views.js";
import { ENTRY_STATES } from "./vocabulary.js";

/**
 * Where a check reads the chain up to: the Ledger's first block and the entry count the indexer's
 * head was checked at. `signal` stops the check between its calls (a page the visitor left):
 * it then rejects with the signal's reason.
 */
export interface ChainRead {
  fromBlock?: number;
  count: bigint;
  signal?: AbortSignal;
}
/**
 * The entries whose Recorded events match `argTopics` (the indexed id, then the signer): a few, so
 * the filtered eth_getLogs starts with wide block ranges.
 */
async function recordedEntries(provider: Provider, ledger: string, fromBlock: number | undefined, argTopics: (string[] | null)[]): Promise<Entry[]> {
  return decodeLedgerLogs(await fetchLogs(provider, ledger, { fromBlock, topic0: [LEDGER_TOPICS.Recorded], argTopics, initialSpan: 10_000 })).entries;
}

/** A contributor with more entries than this is not spot-checked (one call per entry). */
export const MAX_SPOT_CHECK_ENTRIES = 2_000;

/**
 * One contributor's accounts per day, commons, action and unit, from the chain alone (see above):
 * its entries up to entry `count`, or undefined when it has more than MAX_SPOT_CHECK_ENTRIES.
 */
export async function agentDaysFromChain(provider: Provider, ledger: string, agent: string, opts: ChainRead): Promise<DayTotals[] | undefined> {
  const views = await agentEntriesFromChain(provider, ledger, agent, opts);
  return views && dayTotals(views);
}

/**
 * One contributor's entries up to entry `count` from the chain alone, each with its state as the
 * contract's entryState gives it and whether its commons is registered (their validations are not
 * read); undefined when it has more than MAX_SPOT_CHECK_ENTRIES.
 */
async function agentEntriesFromChain(provider: Provider, ledger: string, agent: string, opts: ChainRead): Promise<EntryView[] | undefined> {
  opts.signal?.throwIfAborted();
  const entries = (await recordedEntries(provider, ledger, opts.fromBlock, [null, [zeroPadValue(agent.toLowerCase(), 32)]])).filter((e) => e.id <= opts.count);
  if (entries.length > MAX_SPOT_CHECK_ENTRIES) return undefined;
  const contract = new Contract(ledger, LEDGER_ABI, provider);
  const states = new Map<bigint, number>();
  for (let i = 0; i < entries.length; i += 50) {
    opts.signal?.throwIfAborted();
    await Promise.all(entries.slice(i, i + 50).map(async (e) => states.set(e.id, Number(((await contract.entryState(e.id)) as [bigint])[0]))));
  }
  const registered = new Set<string>();
  for (const c of new Set(entries.map((e) => e.record.commons.toLowerCase()))) {
    opts.signal?.throwIfAborted();
    if ((await contract.commonsExists(c)) as boolean) registered.add(c);
  }
  return deriveEntries({ entries, validations: [], corrections: [], checkpoints: new Map(), skipped: [], all: [] }).map((v) => ({
    ...v,
    state: ENTRY_STATES[states.get(v.id)!]!,
    registered: registered.has(v.entry.record.commons.toLowerCase()),
  }));
}

/**
 * A contributor drawn from the chain itself: the agent of entry k, k drawn uniformly from 1 to
 * `count` (one eth_getLogs filtered by the Recorded event's indexed id), so an indexer cannot hide
 * anyone from the draw; a contributor is drawn in proportion to the entries they signed.
 */
export async function randomAgent(provider: Provider, ledger: string, opts: ChainRead, random = Math.random): Promise<string | undefined> {
  return (await randomEntry(provider, ledger, opts, random))?.signer;
}

/** Entry k, k drawn uniformly from 1 to `count`, read from the chain (one eth_getLogs filtered by the Recorded event's indexed id). */
export async function randomEntry(provider: Provider, ledger: string, opts: ChainRead, random = Math.random): Promise<Entry | undefined> {
  opts.signal?.throwIfAborted();
  if (opts.count <= 0n) return undefined;
  const id = 1n + BigInt(Math.floor(random() * Number(opts.count)));
  return (await recordedEntries(provider, ledger, opts.fromBlock, [[zeroPadValue(toBeHex(id), 32)]])).find((e) => e.id === id);
}

/** Names a commons (a lower-case id) in a sentence, when its name is known. */
type CommonsNames = (id: string) => string | undefined;
/** How the sentences name commons and people: a person by their published name, "Alice (0x7099…79C8)", else by the full address. */
interface Naming {
  commonsName?: CommonsNames;
  people?: Names;
}
const agentLabelOf = (address: string, o: Naming) => (o.people?.agent(address) ? agentLabel(o.people, address) : address);
/** A commons as a sentence names it: as `names` gives it, else by a shortened id. */
const commonsLabel = (id: string, names?: CommonsNames) => names?.(id) ?? `commons ${id.slice(0, 10)}…`;
/** A day's totals as a sentence names them. */
const key = (d: DayTotals, names?: CommonsNames) => `${d.day} ${d.action} in ${d.unit} (${commonsLabel(d.commons, names)})`;
const described = (d: DayTotals | undefined, unit: string) =>
  d
    ? `${d.entries} entr${d.entries === 1 ? "y" : "ies"}, ${formatQuantity(d.claimed)} ${unit} claimed, ${formatQuantity(d.accepted)} accepted, ${formatQuantity(d.disputed)} disputed`
    : "nothing";

/**
 * Where the indexer's days of `agent` differ from the chain's, in a sentence (the first day that
 * differs, its commons named by `commonsName` and the agent by `people` if given), or undefined when they are the same; "unchecked" when the agent has too many entries
 * to check. The indexer must hold exactly `count` entries (its head checked against tip()). A
 * validation landing between the two reads can make them differ for a moment: a difference is read
 * again once, `retryMs` later, before it is reported.
 */
export async function accountsDifferFromChain(
  url: string,
  provider: Provider,
  ledger: string,
  agent: string,
  opts: ChainRead & Naming & { retryMs?: number },
): Promise<string | "unchecked" | undefined> {
  return differenceFromChain(`its accounts of ${agentLabelOf(agent, opts)}`, opts.retryMs, async () => {
    const [indexed, chain] = await Promise.all([indexedAccountDays(url, { agent }), agentDaysFromChain(provider, ledger, agent, opts)]);
    return chain && { theirs: dayLines(indexed, opts.commonsName), ours: dayLines(chain, opts.commonsName) };
  });
}

/** Figures as labelled lines, the indexer's and the chain's. */
type Lines = Map<string, string>;

/** Day totals as lines, one per day, action, unit and commons (named by `commonsName`, else by a shortened id). */
function dayLines(days: readonly DayTotals[], commonsName?: CommonsNames, lines: Lines = new Map()): Lines {
  for (const d of [...days].sort((a, b) => key(a).localeCompare(key(b)))) lines.set(`on ${key(d, commonsName)}`, described(d, d.unit));
  return lines;
}

/**
 * The first line `read` gives differently for the indexer and the chain, in a sentence ("<whose>
 * are not the chain's: <line>: it says …, the chain …"), or undefined when every line is the same;
 * "unchecked" when `read` cannot read the chain's (undefined). A validation landing between the
 * two reads can make them differ for a moment: a difference is read again once, `retryMs` later,
 * before it is reported.
 */
async function differenceFromChain(
  whose: string,
  retryMs: number | undefined,
  read: () => Promise<{ theirs: Lines; ours: Lines } | undefined>,
): Promise<string | "unchecked" | undefined> {
  let difference: string | undefined;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const both = await read();
    if (both === undefined) return "unchecked";
    difference = undefined;
    for (const k of new Set([...both.ours.keys(), ...both.theirs.keys()])) {
      const [a, b] = [both.theirs.get(k) ?? "nothing", both.ours.get(k) ?? "nothing"];
      if (a === b) continue;
      difference = `${whose} are not the chain's: ${k}: it says ${a}, the chain ${b}`;
      break;
    }
    if (difference === undefined) return undefined;
    if (attempt === 1) await new Promise((r) => setTimeout(r, retryMs ?? 2_000));
  }
  return difference;
}

/** How many entry ids one filtered eth_getLogs names (an OR of topics). */
const IDS_PER_READ = 100;

/**
 * One agent's activity from the chain alone: the Validated and Endorsed events it gave (filtered by
 * their indexed validator and endorser), those on its `entries` (filtered by their indexed entry
 * ids, IDS_PER_READ at a time) and the span of its entries' times.
 */
async function activityFromChain(
  provider: Provider,
  ledger: string,
  agent: string,
  entries: readonly EntryView[],
  fromBlock: number | undefined,
  signal?: AbortSignal,
): Promise<Activity> {
  const logs = (topic: string, argTopics: (string[] | null)[]) =>
    fetchLogs(provider, ledger, { fromBlock, topic0: [topic], argTopics, initialSpan: 10_000 }).then((l) => decodeLedgerLogs(l));
  const who = zeroPadValue(agent.toLowerCase(), 32);
  const [validated, endorsed] = await Promise.all([logs(LEDGER_TOPICS.Validated, [null, [who]]), logs(LEDGER_TOPICS.Endorsed, [null, [who]])]);
  const given = { accepts: 0, disputes: 0, endorsements: endorsed.all.filter((e) => e.name === "Endorsed").length };
  for (const v of validated.validations) given[v.verdict === 0 ? "accepts" : "disputes"]++;
  const received = { accepts: 0, disputes: 0, endorsements: 0, validators: 0 };
  const validators = new Set<string>();
  const ids = entries.map((e) => zeroPadValue(toBeHex(e.id), 32));
  for (let i = 0; i < ids.length; i += IDS_PER_READ) {
    signal?.throwIfAborted();
    const chunk = ids.slice(i, i + IDS_PER_READ);
    const [v, e] = await Promise.all([logs(LEDGER_TOPICS.Validated, [chunk]), logs(LEDGER_TOPICS.Endorsed, [chunk])]);
    for (const x of v.validations) {
      received[x.verdict === 0 ? "accepts" : "disputes"]++;
      validators.add(x.validator.toLowerCase());
    }
    received.endorsements += e.all.filter((x) => x.name === "Endorsed").length;
  }
  received.validators = validators.size;
  const times = entries.map((e) => e.entry.record.time);
  const span = times.length ? { first: times.reduce((a, b) => (a < b ? a : b)), last: times.reduce((a, b) => (a > b ? a : b)) } : {};
  return { given, received, ...span };
}

/** A person's figures as lines to compare (labelled as the Person page labels them), the first that differs reported. */
function personLines(p: PersonOverview, tallies: readonly EntryTally[], days: readonly DayTotals[], commonsName?: CommonsNames): Map<string, string> {
  const s = p.states;
  const lines = new Map<string, string>([
    ["entries signed", `${p.entries} (${s.accepted} accepted, ${s.claimed} claimed, ${s.disputed} disputed, ${s.corrected} corrected)`],
    ["needs, offers and commitments", String(p.intents)],
    ["supply-chain flows", String(p.flows)],
    ["validations given", `${p.given.accepts} accepts, ${p.given.disputes} disputes, ${p.given.endorsements} endorsements`],
    [
      "validations received",
      `${p.received.accepts} accepts, ${p.received.disputes} disputes from ${p.received.validators} validators, ${p.received.endorsements} endorsements`,
    ],
    [
      "first and last entry",
      p.first === undefined ? "none" : `${new Date(Number(p.first) * 1000).toISOString()} to ${new Date(Number(p.last) * 1000).toISOString()}`,
    ],
  ]);
  const perCommons = new Map<string, number>();
  for (const t of tallies) perCommons.set(t.commons, (perCommons.get(t.commons) ?? 0) + t.entries);
  for (const [c, n] of [...perCommons].sort()) lines.set(`entries in ${commonsLabel(c, commonsName)}`, String(n));
  return dayLines(days, commonsName, lines);
}

/**
 * Where the indexer's figures for one person (what the Person page shows: entries by state and
 * commons, day totals, validations given and received, the span of their entries) differ from the
 * chain's, in a sentence, or undefined when they are the same; "unchecked" when the person has more
 * than MAX_SPOT_CHECK_ENTRIES entries. `commonsName` names a commons (lower-case id) in the sentence, `people` the person.
 * Read again once, `retryMs` later, before a difference is reported (a validation may land between).
 */
export async function personDiffersFromChain(
  url: string,
  provider: Provider,
  ledger: string,
  address: string,
  opts: ChainRead & Naming & { retryMs?: number },
): Promise<string | "unchecked" | undefined> {
  return differenceFromChain(`its figures for ${agentLabelOf(address, opts)}`, opts.retryMs, async () => {
    const [tallies, days, activity, entries] = await Promise.all([
      indexedTallies(url, { agent: address }),
      indexedAccountDays(url, { agent: address }),
      indexedActivity(url, address),
      agentEntriesFromChain(provider, ledger, address, opts),
    ]);
    if (entries === undefined) return undefined;
    const [chainTallies, chainDays] = [entryTallies(entries), dayTotals(entries)];
    const chain = personOverviewOf(
      address,
      [],
      chainTallies,
      chainDays,
      await activityFromChain(provider, ledger, address, entries, opts.fromBlock, opts.signal),
    );
    return {
      theirs: personLines(personOverviewOf(address, [], tallies, days, activity), tallies, days, opts.commonsName),
      ours: personLines(chain, chainTallies, chainDays, opts.commonsName),
    };
  });
}

/**
 * A member of commons `commons` drawn from the chain (the agent of a random entry, up to `draws`
 * draws for one of this commons: the Recorded event does not index the commons), and where the
 * indexer's figures of that member in that commons (their entries by state, their day totals) differ
 * from the chain's, in a sentence (undefined: the same). `checked` false: no draw was of this
 * commons, or the member has more than MAX_SPOT_CHECK_ENTRIES entries. Read again once before a
 * difference is reported.
 */
export async function commonsMemberDiffersFromChain(
  url: string,
  provider: Provider,
  ledger: string,
  commons: string,
  opts: ChainRead & Naming & { retryMs?: number; draws?: number; random?: () => number },
): Promise<{ agent?: string; checked: boolean; difference?: string }> {
  const id = commons.toLowerCase();
  let agent: string | undefined;
  for (let draw = 0; agent === undefined && draw < (opts.draws ?? 3); draw++) {
    const e = await randomEntry(provider, ledger, opts, opts.random);
    if (e?.record.commons.toLowerCase() === id) agent = e.signer;
  }
  if (agent === undefined) return { checked: false };
  const lines = (tallies: readonly EntryTally[], days: readonly DayTotals[]) => {
    const states = new Map<string, number>();
    for (const t of tallies) states.set(t.state, (states.get(t.state) ?? 0) + t.entries);
    const counted = [...states].sort().map(([state, n]) => `${n} ${state}`);
    return dayLines(days, opts.commonsName, new Map([["entries", counted.join(", ") || "none"]]));
  };
  const difference = await differenceFromChain(
    `its figures of ${agentLabelOf(agent, opts)} in ${commonsLabel(id, opts.commonsName)}`,
    opts.retryMs,
    async () => {
      const filter = { commons: id, agent: agent! };
      const [tallies, days, entries] = await Promise.all([
        indexedTallies(url, filter),
        indexedAccountDays(url, filter),
        agentEntriesFromChain(provider, ledger, agent!, opts),
      ]);
      if (entries === undefined) return undefined;
      const own = entries.filter((v) => v.entry.record.commons.toLowerCase() === id);
      return { theirs: lines(tallies, days), ours: lines(entryTallies(own), dayTotals(own)) };
    },
  );
  if (difference === "unchecked") return { agent, checked: false };
  return difference === undefined ? { agent, checked: true } : { agent, checked: true, difference };
}
