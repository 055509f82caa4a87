// What the relayer knows of the ledger's entries, read once and then kept up to date block by block
// (Recorded, Corrected, Checkpointed, Validated, Endorsed and CounterpartyAnswered events after the
// last block read): each entry's agent and record hash, the heads the Ledger stored every
// CHECKPOINT_INTERVAL entries, which entries were corrected, anchored or answered by their
// counterparty, and which record hash is which entry. It answers, without a read of the whole
// ledger: is this record already recorded (a replay), who is entry N's agent and was it corrected
// (a correction's checks at admission), and the EntryProof of entry N (a correction's proof: the
// head before it is chained from the checkpoint before it, in fewer than CHECKPOINT_INTERVAL steps).
// An entry's record (who its counterparty is) is fetched by its id when asked for, and kept.
//
// Every update is checked against the ledger's tip at the block read (entry count and head, the
// head chained from the last checkpoint); a mismatch or a block hash that changed under it (a
// reorg, a restarted chain) drops everything and reads again from the first block. The first read
// decodes block range by block range between I/O turns (readPipelined), so that a large ledger
// does not stall the relayer's event loop.
import { toBeHex } from "ethers";
import type { Provider } from "ethers";
import { chainStep, GENESIS_HEAD, headToBytes32 } from "../core/chain.js";
import { readPipelined, tipAt } from "../node/entry-cache.js";
import { intervalEnd, rangeProofsOf } from "../core/proof.js";
import type { EntryProof, RangeProof } from "../core/proof.js";
import type { LedgerRecord } from "../core/record.js";
import { LEDGER_TOPICS } from "../core/abi.js";
import { decodeLedgerLogs, rpcRetry } from "../core/reader.js";
import type { LedgerEvents } from "../core/reader.js";
import { LIMITS } from "../core/vocabulary.js";

const INTERVAL = LIMITS.checkpointInterval;
/** Records kept (fetched for admission's checks) before the cache is emptied. */
const RECORD_CACHE_ENTRIES = 10_000;

/** A counterparty's answer to an entry, as the Ledger recorded it (CounterpartyAnswered). */
export interface Answer {
  counterparty: string;
  /** "confirm" or "refuse". */
  verdict: "confirm" | "refuse";
  transactionHash: string;
}

const answerOf = (args: Record<string, unknown>, transactionHash: string): Answer => ({
  counterparty: String(args.counterparty),
  verdict: Number(args.verdict) === 2 ? "confirm" : "refuse",
  transactionHash,
});

export class EntryIndex {
  private signers: string[] = [];
  private recordHashes: string[] = [];
  /** Checkpoint k: the head after entry k * INTERVAL, as the Ledger stored it. */
  private readonly checkpoints = new Map<number, string>();
  private readonly idOfHash = new Map<string, number>();
  private readonly correctedBy = new Map<number, number>();
  /** Entries the Ledger has anchored (validated, endorsed, answered or corrected once): a validation needs no proof. */
  private readonly anchored = new Set<number>();
  /** Entries their counterparty answered (confirmed or refused). */
  private readonly answers = new Map<number, Answer>();
  /** Records fetched by id (checked against the record hash read). */
  private readonly records = new Map<number, LedgerRecord>();
  /** The last block read, and its hash. */
  private block: number;
  private blockHash: string | undefined;
  private updating: Promise<void> | undefined;
  private updatedAt = 0;
  /** When the last successful update began: every entry recorded before then is known. */
  private completeAsOf = 0;

  constructor(
    private readonly provider: Provider,
    private readonly ledger: string,
    private readonly fromBlock: number,
  ) {
    this.block = fromBlock - 1;
  }

  get count(): number {
    return this.signers.length;
  }

  /** Every entry recorded before this time (ms) is known. */
  get knownUntil(): number {
    return this.completeAsOf;
  }

  /**
   * Reads the blocks after the last one read, unless that was done less than `maxAgeMs` ago;
   * concurrent callers share one read.
   */
  refresh(maxAgeMs = 250): Promise<void> {
    if (this.updating) return this.updating;
    if (Date.now() - this.updatedAt < maxAgeMs) return Promise.resolve();
    const run = this.update().finally(() => {
      this.updating = undefined;
    });
    this.updating = run;
    return run;
  }

  /** Drops what was read: the next refresh reads the ledger again from the first block. */
  forget(): void {
    this.reset();
    this.updatedAt = 0;
  }

  /** The agent (signer) of entry `id`, if it exists. */
  agentOf(id: bigint): string | undefined {
    return id >= 1n && id <= BigInt(this.count) ? this.signers[Number(id) - 1] : undefined;
  }

  /** The entry that corrected entry `id`, if any. */
  correctionOf(id: bigint): bigint | undefined {
    const c = this.correctedBy.get(Number(id));
    return c === undefined ? undefined : BigInt(c);
  }

  /** The entry that recorded `recordHash`, if any. */
  entryOf(recordHash: string): bigint | undefined {
    const id = this.idOfHash.get(recordHash.toLowerCase());
    return id === undefined ? undefined : BigInt(id);
  }

  /** The counterparty's answer to entry `id`, as of the last read, if it answered. */
  answerOf(id: bigint): Answer | undefined {
    return this.answers.get(Number(id));
  }

  /**
   * The counterparty's answer to entry `id` on chain now (up to the latest block, not only the last
   * read): its CounterpartyAnswered event, found by the entry's id (one indexed eth_getLogs).
   */
  async answerOnChain(id: bigint): Promise<Answer | undefined> {
    const logs = await rpcRetry(`eth_getLogs for the answer to entry ${id}`, () =>
      this.provider.getLogs({
        address: this.ledger,
        topics: [LEDGER_TOPICS.CounterpartyAnswered, toBeHex(id, 32)],
        fromBlock: this.fromBlock,
        toBlock: "latest",
      }),
    );
    const event = decodeLedgerLogs(logs).all.find((e) => e.name === "CounterpartyAnswered" && BigInt(e.args.entryId as bigint) === id);
    return event ? answerOf(event.args, event.transactionHash) : undefined;
  }

  /** The record of entry `id` (read up to the last block read), fetched by its id (one indexed eth_getLogs) unless already fetched. */
  async record(id: bigint): Promise<LedgerRecord> {
    const record = (await this.recordsOf([id])).get(id);
    if (!record) throw new Error(`the node returned no Recorded event for entry ${id}`);
    return record;
  }

  /**
   * The records of entries `ids` (read up to the last block read): those not fetched before in one
   * indexed eth_getLogs, each checked against the record hash read, and kept.
   */
  private async recordsOf(ids: readonly bigint[]): Promise<Map<bigint, LedgerRecord>> {
    for (const id of ids) {
      if (id < 1n || Number(id) > this.count) throw new Error(`entry ${id} does not exist (the relayer has read ${this.count} entries)`);
    }
    const records = new Map<bigint, LedgerRecord>();
    for (const id of ids) if (this.records.has(Number(id))) records.set(id, this.records.get(Number(id))!);
    const missing = [...new Set(ids)].filter((id) => !records.has(id));
    if (missing.length === 0) return records;
    const logs = await rpcRetry(`eth_getLogs for ${missing.length === 1 ? `entry ${missing[0]}` : `${missing.length} entries`}`, () =>
      this.provider.getLogs({
        address: this.ledger,
        topics: [LEDGER_TOPICS.Recorded, missing.map((id) => toBeHex(id, 32))],
        fromBlock: this.fromBlock,
        toBlock: this.block,
      }),
    );
    if (this.records.size + missing.length > RECORD_CACHE_ENTRIES) this.records.clear();
    for (const e of decodeLedgerLogs(logs).entries) {
      if (e.recordHash.toLowerCase() !== this.recordHashes[Number(e.id) - 1]) continue;
      records.set(e.id, e.record);
      this.records.set(Number(e.id), e.record);
    }
    return records;
  }

  /**
   * The EntryProof of entry `id` against the tip last read: what buildEntryProof gives, with the
   * head before the entry chained from the checkpoint before it rather than from genesis. The
   * record is fetched by its id (see `record`).
   */
  async proof(id: bigint): Promise<EntryProof> {
    const i = Number(id);
    const record = await this.record(id);
    const end = Number(intervalEnd(id, BigInt(this.count)));
    return {
      record,
      previousHead: headToBytes32(this.headAfter(i - 1)),
      laterSigners: this.signers.slice(i, end),
      laterRecordHashes: this.recordHashes.slice(i, end),
    };
  }

  /** Whether the Ledger has anchored entry `id` (as of the last read): a validation of it needs no proof. */
  isAnchored(id: bigint): boolean {
    return this.anchored.has(Number(id));
  }

  /**
   * Range proofs (ILedger.RangeProof, one per checkpoint interval) of entries `ids` against the
   * tip last read, with their records in full (anchored or not); the records not fetched before
   * are fetched by id in one indexed eth_getLogs.
   */
  async rangeProofs(ids: readonly bigint[]): Promise<RangeProof[]> {
    if (ids.length === 0) return [];
    const records = await this.recordsOf(ids);
    return rangeProofsOf(
      {
        count: BigInt(this.count),
        signer: (id) => this.signers[Number(id) - 1],
        recordHash: (id) => this.recordHashes[Number(id) - 1],
        record: (id) => {
          const r = records.get(id);
          if (!r) throw new Error(`the node returned no Recorded event for entry ${id}`);
          return r;
        },
        headAfter: (id) => this.headAfter(Number(id)),
      },
      ids,
    );
  }

  /** The chain head after entry `n`: the checkpoint at or before it, chained over the entries since. */
  private headAfter(n: number): string {
    const k = Math.floor(n / INTERVAL);
    let head = k === 0 ? GENESIS_HEAD : this.checkpoints.get(k);
    if (head === undefined) throw new Error(`checkpoint ${k} is missing from what the relayer read`);
    for (let id = k * INTERVAL + 1; id <= n; id++) head = chainStep(head, BigInt(id), this.signers[id - 1], this.recordHashes[id - 1]);
    return head;
  }

  private reset(): void {
    this.signers = [];
    this.recordHashes = [];
    this.checkpoints.clear();
    this.idOfHash.clear();
    this.correctedBy.clear();
    this.anchored.clear();
    this.answers.clear();
    this.records.clear();
    this.block = this.fromBlock - 1;
    this.blockHash = undefined;
  }

  private async update(): Promise<void> {
    const began = Date.now();
    for (let attempt = 0; ; attempt++) {
      const latest = await rpcRetry("eth_blockNumber", () => this.provider.getBlockNumber());
      if (this.blockHash !== undefined) {
        const seen = await rpcRetry(`eth_getBlockByNumber ${this.block}`, () => this.provider.getBlock(this.block));
        if (seen?.hash !== this.blockHash || latest < this.block) this.reset();
      }
      let follows = true;
      if (latest > this.block) {
        // Responses of about 500 logs: each is decoded in one piece, between the relayer's other work.
        const range = { fromBlock: this.block + 1, toBlock: latest, initialSpan: 1, targetLogs: 500 };
        follows = this.apply(
          await readPipelined(this.provider, this.ledger, {
            ...range,
            topic0: [
              LEDGER_TOPICS.Recorded,
              LEDGER_TOPICS.Corrected,
              LEDGER_TOPICS.Checkpointed,
              LEDGER_TOPICS.Validated,
              LEDGER_TOPICS.Endorsed,
              LEDGER_TOPICS.CounterpartyAnswered,
            ],
          }),
        );
        if (follows) {
          this.block = latest;
          this.blockHash = (await rpcRetry(`eth_getBlockByNumber ${latest}`, () => this.provider.getBlock(latest)))?.hash ?? undefined;
        }
      }
      const tip = follows ? await tipAt(this.provider, this.ledger, this.block) : undefined;
      if (tip && tip.count === BigInt(this.count) && tip.head === this.headAfter(this.count)) {
        this.updatedAt = Date.now();
        this.completeAsOf = began;
        return;
      }
      if (attempt >= 1)
        throw new Error(
          `the ledger's events up to block ${this.block} do not match its tip (${this.count} entries read${tip ? `, ${tip.count} on chain` : ", ids out of order"})`,
        );
      this.reset();
    }
  }

  /** Appends what a read found; false (and nothing changed) if its entries do not follow on. */
  private apply(events: LedgerEvents): boolean {
    if (events.entries.some((e, k) => e.id !== BigInt(this.count + k + 1))) return false;
    for (const e of events.entries) {
      const hash = e.recordHash.toLowerCase();
      this.signers.push(e.signer);
      this.recordHashes.push(hash);
      this.idOfHash.set(hash, Number(e.id));
    }
    for (const [k, head] of events.checkpoints) this.checkpoints.set(Number(k), head.toLowerCase());
    for (const c of events.corrections) {
      this.correctedBy.set(Number(c.entryId), Number(c.correctionId));
      this.anchored.add(Number(c.entryId));
    }
    for (const v of events.validations) this.anchored.add(Number(v.entryId));
    for (const e of events.all) {
      if (e.name === "Endorsed") this.anchored.add(Number(e.args.entryId as bigint));
      else if (e.name === "CounterpartyAnswered") {
        // An answer needs the entry anchored (a co-signed record is anchored as it is recorded).
        const id = Number(e.args.entryId as bigint);
        this.anchored.add(id);
        if (!this.answers.has(id)) this.answers.set(id, answerOf(e.args, e.transactionHash));
      }
    }
    return true;
  }
}
