// An on-disk cache of the ledger's decoded events for read-only tools (trace, track, needs, plan),
// keyed by chain id + ledger address + first block, and pinned to the block it was read up to (its
// hash and the ledger's tip there: entry count and hash-chain head).
//
// Keying on the head alone is not enough: validations change entry states without appending an
// entry, so the head stays the same while the states move. So a read checks that the cached block
// is still in the chain (same hash: no reorg below it, not a new chain), fetches only the logs of
// the blocks after it (usually none or a few), merges them, and checks the result against the
// tip at the current block: the entry count, and the head (unchanged when no entry was added,
// recomputed over all entries when some were). Any mismatch drops the cache and reads in full, so a
// stale cache is never served. The file holds what the supply views need: entries, validations,
// corrections, checkpoints, and of the other events those in KEPT below (quorum rules, endorsements,
// answers, membership).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ZeroAddress, ZeroHash } from "ethers";
import type { Log, Provider } from "ethers";
import { verifyChain } from "../core/chain.js";
import { decodeLedgerLogs, fetchLogs, ledgerInterface, mergeEvents, readLedger, rpcRetry } from "../core/reader.js";
import type { Entry, LedgerEvents, ReadOptions } from "../core/reader.js";

// @4: the counterparties' answers are kept (@3 dropped them, so a cached read showed a refused hand-over as one-sided).
const FORMAT = "commons-ledger/entry-cache@4";
/**
 * The events of `all` the views read: quorum rules (entry states), endorsements (shown apart), the
 * counterparties' answers (confirmed, refused), and who the commons' members are (registration,
 * stewards, validator roles: the planner's --demand-from members).
 */
const KEPT = new Set([
  "QuorumRuleSet",
  "Endorsed",
  "CounterpartyAnswered",
  "CommonsRegistered",
  "StewardAdded",
  "StewardRemoved",
  "StewardThresholdSet",
  "RolesSet",
]);

interface CacheFile {
  format: typeof FORMAT;
  chainId: string;
  ledger: string;
  fromBlock: number;
  block: number;
  blockHash: string;
  count: string;
  head: string;
  // Entries as arrays: [id, signer, blockNumber, txHash, logIndex, recordHash, flow, action, provider, receiver, commons, resource, resourceSpec, process, side, quantity, unit, time, evidence, corrects, satisfies, nonce, deadline]
  entries: (string | number)[][];
  validations: LedgerEvents["validations"];
  corrections: { entryId: string; correctionId: string; blockNumber: number }[];
  checkpoints: [string, string][];
  others: LedgerEvents["all"];
}

export interface CachedRead {
  events: LedgerEvents;
  /** The block the events and the tip were read at. */
  block: number;
  tip: { count: bigint; head: string };
  /** "hit", "updated" (the blocks after the cached one were read and merged), "miss" (read in full and written) or "off". */
  cache: "hit" | "updated" | "miss" | "off";
}

/** Zero addresses and hashes are stored as "" (most records leave several fields empty). */
const z = (hex: string) => (hex === ZeroHash || hex === ZeroAddress ? "" : hex);
const big = (_: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);

function toFile(events: LedgerEvents, meta: Omit<CacheFile, "format" | "entries" | "validations" | "corrections" | "checkpoints" | "others">): CacheFile {
  return {
    format: FORMAT,
    ...meta,
    entries: events.entries.map((e) => {
      const r = e.record;
      return [
        e.id.toString(),
        e.signer,
        e.blockNumber,
        e.transactionHash,
        e.logIndex,
        e.recordHash,
        r.flow,
        r.action,
        z(r.provider),
        z(r.receiver),
        r.commons,
        z(r.resource),
        z(r.resourceSpec),
        z(r.process),
        r.side,
        r.quantity.toString(),
        r.unit,
        r.time.toString(),
        z(r.evidence),
        r.corrects.toString(),
        r.satisfies.toString(),
        r.nonce.toString(),
        r.deadline.toString(),
      ];
    }),
    validations: events.validations,
    corrections: events.corrections.map((c) => ({ entryId: c.entryId.toString(), correctionId: c.correctionId.toString(), blockNumber: c.blockNumber })),
    checkpoints: [...events.checkpoints].map(([k, v]) => [k.toString(), v]),
    others: events.all.filter((a) => KEPT.has(a.name)),
  };
}

function fromFile(f: CacheFile): LedgerEvents {
  const entries: Entry[] = f.entries.map((a) => {
    const s = (i: number) => a[i] as string;
    const n = (i: number) => a[i] as number;
    return {
      id: BigInt(s(0)),
      signer: s(1),
      blockNumber: n(2),
      transactionHash: s(3),
      logIndex: n(4),
      recordHash: s(5),
      commons: s(10),
      record: {
        flow: n(6),
        action: n(7),
        provider: s(8) || ZeroAddress,
        receiver: s(9) || ZeroAddress,
        commons: s(10),
        resource: s(11) || ZeroHash,
        resourceSpec: s(12) || ZeroHash,
        process: s(13) || ZeroHash,
        side: n(14),
        quantity: BigInt(s(15)),
        unit: s(16),
        time: BigInt(s(17)),
        evidence: s(18) || ZeroHash,
        corrects: BigInt(s(19)),
        satisfies: BigInt(s(20)),
        nonce: BigInt(s(21)),
        deadline: BigInt(s(22)),
      },
    };
  });
  return {
    entries,
    validations: f.validations.map((v) => ({ ...v, entryId: BigInt(v.entryId as unknown as string) })),
    corrections: f.corrections.map((c) => ({ entryId: BigInt(c.entryId), correctionId: BigInt(c.correctionId), blockNumber: c.blockNumber })),
    checkpoints: new Map(f.checkpoints.map(([k, v]) => [BigInt(k), v])),
    skipped: [],
    all: f.others,
  };
}

/** The cache file for a ledger (one per chain, address and first block). */
export function cacheFile(dir: string, chainId: bigint, ledger: string, fromBlock: number): string {
  return path.join(dir, `entries-${chainId}-${ledger.toLowerCase()}-${fromBlock}.json`);
}

/** The ledger's tip at `block` (one eth_call). */
export async function tipAt(provider: Provider, ledger: string, block: number, opts: ReadOptions = {}): Promise<{ count: bigint; head: string }> {
  const data = await rpcRetry("tip()", () => provider.call({ to: ledger, data: ledgerInterface().encodeFunctionData("tip"), blockTag: block }), opts);
  const [count, head] = ledgerInterface().decodeFunctionResult("tip", data) as unknown as [bigint, string];
  return { count, head: head.toLowerCase() };
}

/**
 * Every event of the ledger up to the current block, from the cache when the tip is unchanged,
 * else read (and cached). `dir` undefined turns the cache off.
 */
export async function readLedgerCached(provider: Provider, ledger: string, opts: ReadOptions & { dir?: string } = {}): Promise<CachedRead> {
  const block = await rpcRetry("eth_blockNumber", () => provider.getBlockNumber(), opts);
  const { chainId } = await rpcRetry("eth_chainId", () => provider.getNetwork(), opts);
  const tip = await tipAt(provider, ledger, block, opts);
  const fromBlock = opts.fromBlock ?? 0;
  const file = opts.dir !== undefined ? cacheFile(opts.dir, chainId, ledger, fromBlock) : undefined;
  if (file) {
    try {
      const f = JSON.parse(readFileSync(file, "utf8")) as CacheFile;
      if (f.format === FORMAT && f.chainId === chainId.toString() && f.ledger === ledger.toLowerCase() && f.fromBlock === fromBlock && f.block <= block) {
        const cachedBlock = await rpcRetry(`eth_getBlockByNumber ${f.block}`, () => provider.getBlock(f.block), opts);
        if (cachedBlock?.hash === f.blockHash) {
          const events = fromFile(f);
          const added = f.block < block ? await readLedger(provider, ledger, { ...opts, fromBlock: f.block + 1, toBlock: block }) : undefined;
          if (added) {
            events.entries.push(...added.entries);
            events.validations.push(...added.validations);
            events.corrections.push(...added.corrections);
            for (const [k, v] of added.checkpoints) events.checkpoints.set(k, v);
            events.all.push(...added.all.filter((a) => KEPT.has(a.name)));
          }
          const consistent = added?.entries.length
            ? verifyChain(events.entries, tip, events.checkpoints).ok
            : BigInt(events.entries.length) === tip.count && f.head === tip.head;
          if (consistent) {
            if (added) await write(provider, file, events, { chainId, ledger, fromBlock, block, tip }, opts);
            return { events, block, tip, cache: added ? "updated" : "hit" };
          }
        }
      }
    } catch {
      /* no cache, or an unreadable one: read afresh */
    }
  }
  const events = await readPipelined(provider, ledger, { ...opts, toBlock: block });
  if (file) await write(provider, file, events, { chainId, ledger, fromBlock, block, tip }, opts);
  return { events, block, tip, cache: file ? "miss" : "off" };
}

/**
 * readLedger, with each block range decoded while the node answers the next one (the decoding is
 * deferred to the event loop, which runs it while the next eth_getLogs is in flight). The result
 * equals readLedger's: ranges arrive in block order and are merged in that order.
 */
export async function readPipelined(provider: Provider, ledger: string, opts: ReadOptions = {}): Promise<LedgerEvents> {
  const parts: LedgerEvents[] = [];
  let decoding: Promise<void> = Promise.resolve();
  await fetchLogs(provider, ledger, {
    ...opts,
    onLogs: (logs: readonly Log[]) => {
      opts.onLogs?.(logs);
      const inOrder = logs.every(
        (x, i) => i === 0 || logs[i - 1].blockNumber < x.blockNumber || (logs[i - 1].blockNumber === x.blockNumber && logs[i - 1].index < x.index),
      );
      const sorted = inOrder ? logs : [...logs].sort((x, y) => x.blockNumber - y.blockNumber || x.index - y.index);
      decoding = decoding.then(
        () =>
          new Promise<void>((resolve, reject) =>
            setImmediate(() => {
              try {
                parts.push(decodeLedgerLogs(sorted));
                resolve();
              } catch (error) {
                reject(error);
              }
            }),
          ),
      );
      decoding.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    },
  });
  await decoding;
  return mergeEvents(parts);
}

async function write(
  provider: Provider,
  file: string,
  events: LedgerEvents,
  m: { chainId: bigint; ledger: string; fromBlock: number; block: number; tip: { count: bigint; head: string } },
  opts: ReadOptions,
): Promise<void> {
  const b = await rpcRetry(`eth_getBlockByNumber ${m.block}`, () => provider.getBlock(m.block), opts);
  if (!b?.hash) return;
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(
    tmp,
    JSON.stringify(
      toFile(events, {
        chainId: m.chainId.toString(),
        ledger: m.ledger.toLowerCase(),
        fromBlock: m.fromBlock,
        block: m.block,
        blockHash: b.hash,
        count: m.tip.count.toString(),
        head: m.tip.head,
      }),
      big,
    ),
  );
  renameSync(tmp, file);
}
