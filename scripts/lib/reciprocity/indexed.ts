// The ReciprocityRegistry's works and records as the indexer (scripts/indexer/) keeps them: the row
// a decoded record or work becomes, and reading them back for one licensee's standing on one work
// family, checked first against the registry's own counts(). The indexer decodes with this
// module's decodeRegistryLogs, so a record read back deep-equals the one read from the chain's logs.
// Browser-safe.
import { getAddress } from "ethers";
import type { Log, Provider } from "ethers";
import { IndexerError, indexerJson } from "../core/indexer-client.js";
import type { LicenseKindName } from "../core/registry-abi.js";
import { decodeRegistryLogs } from "./reciprocity.js";
import type { RegistryEvents, TimedRecord, WorkInfo } from "./reciprocity.js";
import { HEX_ADDRESS } from "../core/address.js";

/** The fields of a registry record that are whole numbers (bigints), whatever its type. */
const BIGINT_FIELDS = [
  "id",
  "work",
  "start",
  "end",
  "declaration",
  "report",
  "ref",
  "expiry",
  "entryId",
  "periodStart",
  "quantity",
  "tally",
  "settlement",
  "time",
];

type JsonValue = string | number | boolean;

/** A record as JSON carries it (the indexer's `detail` column): bigints as decimal strings. */
export function recordJson(r: TimedRecord): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? String(v) : (v as JsonValue)]));
}

/** A record from its JSON (recordJson's inverse). */
export function recordOfJson(j: Record<string, JsonValue>): TimedRecord {
  const r: Record<string, unknown> = { ...j };
  for (const k of BIGINT_FIELDS) if (typeof r[k] === "string") r[k] = BigInt(r[k] as string);
  return r as unknown as TimedRecord;
}

/** What the indexer's `work` table keeps of a work (and its /reciprocity/works answers, bigints as strings). */
export function workRow(w: WorkInfo) {
  return {
    id: w.work,
    licensor: w.licensor.toLowerCase() as `0x${string}`,
    family: w.family,
    kind: w.kind,
    supersedes: w.supersedes,
    termsHash: w.termsHash as `0x${string}`,
    termsUri: w.termsUri,
    shareAlike: w.shareAlike,
    arbiter: w.arbiter.toLowerCase() as `0x${string}`,
    commons: w.commons as `0x${string}`,
    obligationAmount: w.obligation.amount,
    obligationUnit: w.obligation.unit as `0x${string}`,
    obligationPeriod: w.obligation.period,
    attesters: w.attesters.map((a) => a.toLowerCase() as `0x${string}`),
  };
}

type WorkJson = { [K in keyof ReturnType<typeof workRow>]: ReturnType<typeof workRow>[K] extends bigint ? string : ReturnType<typeof workRow>[K] };

/** A work from the indexer's answer (workRow's inverse). */
function workOfJson(w: WorkJson): WorkInfo {
  return {
    work: BigInt(w.id),
    licensor: getAddress(w.licensor),
    family: BigInt(w.family),
    kind: w.kind as LicenseKindName,
    supersedes: BigInt(w.supersedes),
    termsHash: w.termsHash,
    termsUri: w.termsUri,
    shareAlike: w.shareAlike,
    arbiter: getAddress(w.arbiter),
    commons: w.commons,
    obligation: { amount: BigInt(w.obligationAmount), unit: w.obligationUnit, period: BigInt(w.obligationPeriod) },
    attesters: w.attesters.map((a) => getAddress(a)),
  };
}

/** How far the indexer has read the registry: its address (none when the deployment it indexes has no registry) and how many works and records it holds. */
export interface RegistryIndexHead {
  registry: string | null;
  works: bigint;
  records: bigint;
}

/** The indexer's /reciprocity/head, or an IndexerError saying it is not one. */
export async function registryIndexHead(url: string): Promise<RegistryIndexHead> {
  const h = await indexerJson<{ registry: unknown; works: unknown; records: unknown }>(`${url}/reciprocity/head`, "how far it has read the registry");
  const count = (v: unknown) => typeof v === "string" && /^\d{1,30}$/.test(v);
  if (!(h.registry === null || (typeof h.registry === "string" && HEX_ADDRESS.test(h.registry))) || !count(h.works) || !count(h.records))
    throw new IndexerError(
      `the indexer at ${url} answered ${JSON.stringify(h).slice(0, 200)} for how far it has read the registry, which is not a registry, works and records`,
    );
  return { registry: h.registry as string | null, works: BigInt(h.works as string), records: BigInt(h.records as string) };
}

/** The registry's counts(): how many works and records it holds. */
export interface RegistryCounts {
  works: bigint;
  records: bigint;
}

/**
 * Whether the indexer may be used for the registry at `registry`: it indexes that registry and holds
 * as many works and records as counts() says, waiting up to `waitMs` for it to catch up (counts are
 * read again once if it is found ahead); or why not, in a sentence.
 */
export async function checkRegistryIndex(
  url: string,
  registry: string,
  readCounts: () => Promise<RegistryCounts>,
  waitMs = 5_000,
): Promise<{ ok: true; counts: RegistryCounts } | { ok: false; reason: string }> {
  const until = Date.now() + waitMs;
  let [counts, head] = await Promise.all([readCounts(), registryIndexHead(url)]);
  if (head.registry === null) return { ok: false, reason: `the indexer at ${url} does not index a ReciprocityRegistry` };
  if (head.registry.toLowerCase() !== registry.toLowerCase())
    return { ok: false, reason: `the indexer at ${url} indexes the registry at ${getAddress(head.registry)}, not ${getAddress(registry)}` };
  for (let rereads = 0; ; head = await registryIndexHead(url)) {
    if (head.works === counts.works && head.records === counts.records) return { ok: true, counts };
    const ahead = head.works > counts.works || head.records > counts.records;
    if (ahead && rereads++ === 0) {
      counts = await readCounts();
      continue;
    }
    if (ahead || Date.now() > until)
      return {
        ok: false,
        reason: `the indexer at ${url} holds ${head.works} works and ${head.records} records of the registry, which holds ${counts.works} works and ${counts.records} records`,
      };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The registered works (every version), or those of one family, in id order. */
export async function indexedWorks(url: string, family?: bigint): Promise<WorkInfo[]> {
  const q = family === undefined ? "" : `?family=${family}`;
  const works = await indexerJson<WorkJson[]>(`${url}/reciprocity/works${q}`, family === undefined ? "the works" : `the versions of work family ${family}`);
  return works.map(workOfJson);
}

/** Which records to read: one licensee's, one work family's, those naming one Ledger entry (any together). */
export interface RecordFilter {
  licensee?: string;
  family?: bigint;
  entry?: bigint;
}

/** Every record that passes `filter`, in id order, 500 per request. */
export async function indexedRecords(url: string, filter: RecordFilter = {}): Promise<TimedRecord[]> {
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (filter.licensee !== undefined) q.set("licensee", filter.licensee.toLowerCase());
  if (filter.family !== undefined) q.set("family", String(filter.family));
  if (filter.entry !== undefined) q.set("entry", String(filter.entry));
  const what = [
    "the registry's records",
    filter.licensee && `of ${filter.licensee}`,
    filter.family !== undefined && `on work family ${filter.family}`,
    filter.entry !== undefined && `naming entry ${filter.entry}`,
  ]
    .filter(Boolean)
    .join(" ");
  const records: TimedRecord[] = [];
  for (let from = 1n; ;) {
    q.set("from", String(from));
    const page = await indexerJson<Record<string, JsonValue>[]>(`${url}/reciprocity/records?${q}`, what);
    records.push(...page.map(recordOfJson));
    if (page.length < PAGE) return records;
    from = records.at(-1)!.id + 1n;
  }
}

/** Records per request (the indexer's most). */
const PAGE = 500;

/**
 * One licensee's standing on one work family, as explainStatus reads it: the family's versions and
 * the licensee's records on any of them, in id order (the same WorkInfo and TimedRecord values
 * readRegistry decodes from the chain's logs).
 */
export async function indexedStanding(url: string, licensee: string, family: bigint): Promise<RegistryEvents> {
  const [works, records] = await Promise.all([indexedWorks(url, family), indexedRecords(url, { licensee, family })]);
  return { works, records };
}

/**
 * The whole registry (every work and record) through the indexer at `url`, if it reads `registry`,
 * holds what counts() says, and answers works and records numbered from 1 without a gap, at least
 * as many as counted (records may have arrived since); else why not, in a sentence.
 */
export async function registryThrough(
  url: string,
  registry: string,
  readCounts: () => Promise<RegistryCounts>,
  waitMs = 2_000,
): Promise<{ events: RegistryEvents; counts: RegistryCounts } | { reason: string }> {
  try {
    const check = await checkRegistryIndex(url, registry, readCounts, waitMs);
    if (!check.ok) return { reason: check.reason };
    const [works, records] = await Promise.all([indexedWorks(url), indexedRecords(url)]);
    const numbered = (ids: bigint[], counted: bigint) => ids.length >= Number(counted) && ids.every((id, k) => id === BigInt(k + 1));
    if (
      !numbered(
        works.map((w) => w.work),
        check.counts.works,
      ) ||
      !numbered(
        records.map((r) => r.id),
        check.counts.records,
      )
    )
      return {
        reason: `the indexer at ${url} answered ${works.length} works and ${records.length} records, not the registry's ${check.counts.works} and ${check.counts.records} numbered from 1`,
      };
    return { events: { works, records }, counts: check.counts };
  } catch (error) {
    if (error instanceof IndexerError) return { reason: error.message };
    throw error;
  }
}

/**
 * Checks records an indexer answered against the chain itself: each is decoded again from the logs
 * of the transaction it names (its receipt, and its block's time) and must be that record, field
 * for field. Undefined when they all are; else which one is not, in a sentence. One receipt per
 * transaction, so a licensee's few records cost a few requests, whatever the registry's size.
 */
export async function recordsDifferFromChain(provider: Provider, registry: string, records: readonly TimedRecord[]): Promise<string | undefined> {
  const byTx = new Map<string, TimedRecord[]>();
  for (const r of records) byTx.set(r.tx, [...(byTx.get(r.tx) ?? []), r]);
  for (const [tx, answered] of byTx) {
    const receipt = await provider.getTransactionReceipt(tx);
    const block = receipt ? await provider.getBlock(receipt.blockNumber) : null;
    const onChain =
      receipt && block ? decodeRegistryLogs(receipt.logs as readonly Log[], registry, new Map([[receipt.blockNumber, BigInt(block.timestamp)]])).records : [];
    for (const r of answered) {
      const same = onChain.find((c) => c.id === r.id);
      if (!same || JSON.stringify(recordJson(same)) !== JSON.stringify(recordJson(r)))
        return same ? `record ${r.id} is not what its transaction ${tx} recorded` : `record ${r.id} is not in the transaction ${tx} it names`;
    }
  }
  return undefined;
}
