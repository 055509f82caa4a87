// `commons list`, `show`, `accounts` and `export`: reading the ledger, no key needed. Entries with
// their state derived from the events (scripts/lib/core/views.ts), filtered; one entry in full; the
// open accounts per contributor, action and unit; every entry as CSV or ValueFlows JSON-LD.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { agentLabel } from "../lib/core/directory.js";
import type { Names } from "../lib/core/directory.js";
import { toCsv } from "../lib/core/export.js";
import { toJsonLd } from "../lib/core/valueflows-jsonld.js";
import { deriveCommons } from "../lib/core/governance.js";
import { decodeLedgerLogs, fetchLogs, GOVERNANCE_TOPICS, readLedger } from "../lib/core/reader.js";
import type { LedgerEvents } from "../lib/core/reader.js";
import { formatQuantity } from "../lib/core/record.js";
import { accounts, accountsFromDays, CONSENT_LABELS, deriveEntries, filterEntries, KIND_FILTERS } from "../lib/core/views.js";
import type { AccountRow, EntryFilter, EntryView, KindFilter, Period } from "../lib/core/views.js";
import { checkIndexer, indexedAccountDays, indexedCommons, indexedViews, IndexerError } from "../lib/core/indexer-client.js";
import { accountsDifferFromChain } from "../lib/core/indexer-spot-check.js";
import { LEDGER_ABI } from "../lib/core/abi.js";
import { Contract } from "ethers";
import type { JsonRpcProvider } from "ethers";
import { connect, namesBeside, optionalDirectory, resolveIndexer, resolveTarget } from "./context.js";
import type { GlobalOptions, Target } from "./context.js";
import { json, out, progress, table } from "./format.js";
import { loadLabels } from "./supply.js";
import { CliInputError, parseAction, parseAddress, parseAgent, parseChoice, parseFlow, parseHex32, parseState, parseTime, parseUint } from "./inputs.js";
import { dateTime, isoTime } from "../lib/core/time.js";

/** The commons' registration names as the indexer lists them. */
async function indexedCommonsNames(url: string) {
  return (await indexedCommons(url)).map((c) => ({ commons: c.id, name: c.name }));
}

interface ListOptions {
  commons?: string;
  agent?: string;
  action?: string;
  flow?: string;
  state?: string;
  from?: string;
  to?: string;
  json?: boolean;
  indexer?: string | true;
}

/** The filter; an `--agent` given by name is resolved once the names are read (`withAgent`). */
function parseFilter(o: ListOptions): EntryFilter {
  return {
    commons: o.commons !== undefined ? parseHex32("--commons", o.commons) : undefined,
    agent: o.agent !== undefined && /^0x/i.test(o.agent) ? parseAddress("--agent", o.agent) : undefined,
    action: o.action !== undefined ? parseAction(o.action) : undefined,
    flow: o.flow !== undefined ? parseFlow(o.flow) : undefined,
    state: o.state !== undefined ? parseState(o.state) : undefined,
    from: o.from !== undefined ? parseTime("--from", o.from) : undefined,
    to: o.to !== undefined ? parseTime("--to", o.to) : undefined,
  };
}

/** The filter with `--agent` resolved: an address as given, or the one agent that published that name. */
function withAgent(filter: EntryFilter, o: ListOptions, names: Names): EntryFilter {
  if (o.agent === undefined || filter.agent !== undefined) return filter;
  return { ...filter, agent: parseAgent("--agent", names, o.agent) };
}

const withFilters = (c: Command) =>
  c
    .option("--commons <id>", "only this commons")
    .option("--agent <name|address>", "only this contributor (the signing agent): an address, or the name it published")
    .option("--action <action>", "only this action")
    .option("--flow <flow>", "only this flow")
    .option("--state <state>", "only entries in this state: claimed, accepted, disputed, corrected")
    .option("--from <when>", "records from this time (ISO 8601 or unix seconds)")
    .option("--to <when>", "records up to this time");

async function loadViews(g: GlobalOptions, onProgress?: (d: number, t: number) => void) {
  const target = resolveTarget(g);
  const directory = optionalDirectory(target);
  const provider = await connect(target);
  const events = await readLedger(provider, target.ledger, { fromBlock: target.fromBlock, onProgress });
  const names = await namesBeside(provider, target, events, directory);
  return { target, provider, events, names, views: deriveEntries(events) };
}

/** An indexer whose head is the Ledger's tip, with the names to show. */
export interface Through {
  url: string;
  names: Names;
  /** The entries it holds: the Ledger's tip count when it was checked. */
  count: bigint;
}

/**
 * The entries `list` shows: through the indexer when one is usable (`indexerFor`), only the
 * filtered ones fetched; else read from the chain.
 */
async function listViews(g: GlobalOptions, o: ListOptions, given: EntryFilter, through: Through | undefined): Promise<{ rows: EntryView[]; names: Names }> {
  if (!through) {
    const { views, names } = await loadViews(g, progress("reading"));
    return { rows: filterEntries(views, withAgent(given, o, names)), names };
  }
  const filter = withAgent(given, o, through.names);
  const views = await indexedViews(through.url, { agent: filter.agent, commons: filter.commons, action: filter.action, flow: filter.flow });
  return { rows: filterEntries(views, filter), names: through.names };
}

/**
 * The indexer `--indexer` names, with the names to show, if its head is the Ledger's tip; else
 * undefined (without `--indexer`, or after saying on stderr why it is not used: the caller then
 * reads the chain).
 */
export async function indexerFor(g: GlobalOptions, o: { indexer?: string | true }): Promise<Through | undefined> {
  if (o.indexer === undefined) return undefined;
  const target = resolveTarget(g);
  const url = resolveIndexer(o.indexer, target);
  const provider = await connect(target);
  const ledger = new Contract(target.ledger, LEDGER_ABI, provider);
  const readTip = async () => {
    const [count, head] = (await ledger.tip()) as [bigint, string];
    return { count, head };
  };
  const check = await checkIndexer(url, readTip).catch((error: unknown) => {
    if (error instanceof IndexerError) return { ok: false as const, reason: error.message };
    throw error;
  });
  if (!check.ok) {
    process.stderr.write(`${check.reason}: reading the chain instead\n`);
    return undefined;
  }
  // The commons' names too: an indexer at the tip that cannot list them is left for the chain, as one that is not at the tip.
  const commons = await indexedCommonsNames(url).catch((error: unknown) => {
    if (!(error instanceof IndexerError)) throw error;
    process.stderr.write(`${error.message}: reading the chain instead\n`);
    return undefined;
  });
  if (commons === undefined) return undefined;
  return { url, names: await namesBeside(provider, target, commons), count: check.head.count };
}

/**
 * Runs a reading through the indexer. When the indexer fails it (an IndexerError: it cannot be
 * reached, it answers an error or the wrong shape, or a spot check finds its figures are not the
 * chain's), says why on stderr and gives undefined: the caller then reads the chain.
 */
export async function orChain<T>(through: Through, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof IndexerError)) throw error;
    process.stderr.write(`the indexer at ${through.url}: ${error.message.replace(/^the indexer at \S+ /, "")}: reading the chain instead\n`);
    return undefined;
  }
}

/**
 * Who decides in each commons, read from the chain itself for a reader that takes the entries
 * through an indexer: the Ledger's governance events only (few, whatever the ledger's size), so
 * that roles and names never rest on the indexer's word; with the chain's time now.
 */
export async function governanceFromChain(provider: JsonRpcProvider, target: Target): Promise<{ events: LedgerEvents; now: bigint }> {
  const latest = (await provider.getBlock("latest"))!;
  const logs = await fetchLogs(provider, target.ledger, { fromBlock: target.fromBlock, toBlock: latest.number, topic0: GOVERNANCE_TOPICS });
  return { events: decodeLedgerLogs(logs), now: BigInt(latest.timestamp) };
}

/**
 * `accounts` rows: from the indexer's daily totals when it can give them exactly (no time bound
 * inside a day, no flow other than events), else from the entries (the indexer's or the chain's).
 */
async function accountRows(
  g: GlobalOptions,
  o: ListOptions,
  given: EntryFilter,
  period: Period,
  kind: KindFilter,
): Promise<{ rows: AccountRow[]; names: Names }> {
  const through = await indexerFor(g, o);
  if (through && given.from === undefined && given.to === undefined) {
    const filter = withAgent(given, o, through.names);
    if (filter.flow !== undefined && filter.flow !== "event") return { rows: [], names: through.names };
    const days = await indexedAccountDays(through.url, { agent: filter.agent, commons: filter.commons, action: filter.action });
    // One contributor's totals are worth checking against the chain: their entries alone, whatever the ledger's size.
    const target = resolveTarget(g);
    const problem = filter.agent
      ? await accountsDifferFromChain(through.url, await connect(target), target.ledger, filter.agent, {
          fromBlock: target.fromBlock,
          count: through.count,
          commonsName: (id) => through.names.commons(id),
          people: through.names,
        })
      : undefined;
    if (problem === undefined || problem === "unchecked") return { rows: accountsFromDays(days, period, kind), names: through.names };
    process.stderr.write(`the indexer at ${through.url}: ${problem}: reading the chain instead\n`);
    const { rows, names } = await listViews(g, o, given, undefined);
    return { rows: accounts(rows, period, kind), names };
  }
  const { rows, names } = await listViews(g, o, given, through);
  return { rows: accounts(rows, period, kind), names };
}

/** `list` and `show` (registered before `verify`, so that `commons --help` keeps its order). */
export function registerRead(program: Command): void {
  withFilters(
    program
      .command("list")
      .description("list entries")
      .option("--json", "JSON output")
      .option("--indexer [url]", "read through an indexer (its head checked against the Ledger's tip first); without a URL, the one npm start runs"),
  ).action(async (o: ListOptions) => {
    const given = parseFilter(o);
    const g = program.opts<GlobalOptions>();
    const { rows, names } = await listViews(g, o, given, await indexerFor(g, o));
    if (o.json)
      return out(
        json(
          rows.map((v) => ({
            id: v.id,
            flow: v.flow,
            action: v.action,
            agent: v.agent,
            agentName: names.agent(v.agent)?.name ?? null,
            quantity: formatQuantity(v.entry.record.quantity),
            unit: v.unit,
            time: isoTime(v.entry.record.time),
            state: v.state,
            accepts: v.accepts,
            disputes: v.disputes,
            correctedBy: v.correctedBy,
            consent: v.consent,
            corrects: v.entry.record.corrects,
            transaction: v.entry.transactionHash,
          })),
        ),
      );
    out(
      table(
        rows.map((v) => ({
          id: v.id,
          flow: v.flow,
          action: v.action,
          agent: agentLabel(names, v.agent),
          quantity: formatQuantity(v.entry.record.quantity),
          unit: v.unit,
          time: dateTime(v.entry.record.time),
          state: v.state + (v.correctedBy ? ` by #${v.correctedBy}` : ""),
          "✓/✗": `${v.accepts}/${v.disputes}`,
          consent: v.consent === "none" ? "" : v.consent,
        })),
      ),
    );
  });

  program
    .command("show")
    .description("one entry in full: record, state, validations, transaction")
    .argument("<entry>", "entry id")
    .option("--json", "JSON output")
    .action(async (entry: string, o: { json?: boolean }) => {
      const entryId = parseUint("entry", entry);
      const { views, events, provider, names } = await loadViews(program.opts<GlobalOptions>());
      const v = views.find((x) => x.id === entryId);
      if (!v) throw new CliInputError("entry", `entry ${entryId} does not exist (the ledger has ${views.length} entries)`);
      const r = v.entry.record;
      const detail = {
        id: v.id,
        flow: v.flow,
        action: v.action,
        agent: v.agent,
        provider: r.provider,
        receiver: r.receiver,
        commons: r.commons,
        resource: r.resource,
        resourceSpec: r.resourceSpec,
        process: r.process,
        side: ["none", "input", "output"][r.side],
        quantity: `${formatQuantity(r.quantity)} ${v.unit}`,
        time: isoTime(r.time),
        evidence: r.evidence,
        corrects: r.corrects,
        satisfies: r.satisfies,
        state: v.state,
        accepts: v.accepts,
        disputes: v.disputes,
        correctedBy: v.correctedBy,
        consent: v.counterparty === null ? CONSENT_LABELS.none : `${CONSENT_LABELS[v.consent]} (${v.counterparty})`,
        recordHash: v.entry.recordHash,
        block: v.entry.blockNumber,
        transaction: v.entry.transactionHash,
        nonce: r.nonce,
        deadline: r.deadline,
        validations: v.validations,
        endorsements: v.endorsements,
      };
      const commons = deriveCommons(events, BigInt((await provider.getBlock("latest"))!.timestamp)).find((c) => c.id === r.commons.toLowerCase());
      if (o.json)
        return out(
          json({
            ...detail,
            names: Object.fromEntries(
              [r.provider, r.receiver, ...v.validations.map((x) => x.validator), ...v.endorsements.map((x) => x.endorser)]
                .filter((a) => names.agent(a))
                .map((a) => [a, names.agent(a)!.name]),
            ),
            stewardship:
              commons?.stewardship ?? "the commons is not registered: nobody is appointed, so nothing in it can be accepted, and the accounts count it nowhere",
          }),
        );
      // People by name beside their full address (the address stays on the line).
      const named = (a: string) => (names.agent(a) ? `${a} (${names.agent(a)!.name})` : a);
      const shown: Record<string, unknown> = { ...detail, agent: named(v.agent), provider: named(r.provider), receiver: named(r.receiver) };
      for (const [k, value] of Object.entries(shown)) {
        if (k === "validations" || k === "endorsements") continue;
        out(`${k.padEnd(13)} ${String(value)}`);
      }
      out(`validations   ${v.validations.length === 0 ? "(none)" : ""}`);
      for (const val of v.validations) out(`  ${val.verdict.padEnd(8)} ${named(val.validator)} (tx ${val.transactionHash})`);
      if (v.endorsements.length) {
        out("endorsements  (accounts not appointed to validate this action: counted nowhere)");
        for (const e of v.endorsements) out(`  ${e.verdict.padEnd(8)} ${named(e.endorser)} (tx ${e.transactionHash})`);
      }
      out(
        `commons       ${commons ? `${commons.name}: ${commons.stewardship}` : "not registered: nobody is appointed, so nothing in it can be accepted, and the accounts count it nowhere"}`,
      );
    });
}

/** `accounts` and `export`. */
export function registerAccounts(program: Command): void {
  withFilters(
    program
      .command("accounts")
      .description("open accounting: per contributor, action and unit, claimed against accepted, per period (contributions unless --kind)")
      .option("--period <period>", "all | year | month | week | day", "all")
      .option(
        "--kind <kind>",
        "contribution (work, use, citations, services, money given) | flow (goods produced, consumed, moved, handed over) | all",
        "contribution",
      )
      .option("--json", "JSON output")
      .option("--indexer [url]", "from the totals an indexer keeps (its head checked against the Ledger's tip first); without a URL, the one npm start runs"),
  ).action(async (o: ListOptions & { period: string; kind: string }) => {
    const period = parseChoice("--period", o.period, ["all", "year", "month", "week", "day"] as const) as Period;
    const kind = parseChoice("--kind", o.kind, KIND_FILTERS);
    const given = parseFilter(o);
    if (given.state !== undefined) throw new CliInputError("--state", "accounts count every state; use list --state instead");
    const { rows, names } = await accountRows(program.opts<GlobalOptions>(), o, given, period, kind);
    if (o.json)
      return out(
        json(
          rows.map((r) => ({
            ...r,
            agentName: names.agent(r.agent)?.name ?? null,
            claimed: formatQuantity(r.claimed),
            accepted: formatQuantity(r.accepted),
            disputed: formatQuantity(r.disputed),
          })),
        ),
      );
    out(
      table(
        rows.map((r) => ({
          period: r.period,
          contributor: agentLabel(names, r.agent),
          action: r.action,
          unit: r.unit,
          entries: r.entries,
          claimed: formatQuantity(r.claimed),
          accepted: formatQuantity(r.accepted),
          disputed: formatQuantity(r.disputed),
        })),
      ),
    );
  });

  program
    .command("export")
    .description("every entry as CSV or as ValueFlows JSON-LD")
    .requiredOption("--format <format>", "csv | jsonld")
    .option("--out <file>", "write here instead of stdout")
    .action(async (o: { format: string; out?: string }) => {
      const format = parseChoice("--format", o.format, ["csv", "jsonld"] as const);
      const { views, provider, target, names } = await loadViews(program.opts<GlobalOptions>(), progress("reading"));
      const labels = loadLabels(undefined);
      const text =
        format === "csv"
          ? toCsv(views, { names, label: (id) => labels.name(id) })
          : json(toJsonLd(views, { chainId: (await provider.getNetwork()).chainId, ledger: target.ledger, names, label: (id) => labels.name(id) }));
      if (o.out !== undefined) {
        writeFileSync(o.out, text.endsWith("\n") ? text : `${text}\n`);
        process.stderr.write(`${views.length} entries -> ${o.out}\n`);
      } else out(text);
    });
}
