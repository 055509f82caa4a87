// The relayer's durable queue: SQLite (node:sqlite) in WAL mode with synchronous=FULL, so a record
// acknowledged with 202 survives a crash (kill -9) of the relayer.
//
// Two tables. `records`: one row per accepted record (its canonical signed JSON and its state),
// kept after it is recorded or failed for a retention period so that GET /records/<digest> can
// answer, then pruned. `lanes`: one row per (agent, nonce key) with pending records, holding the
// sequence the ledger expects next as last seen. A record can go when its sequence is its lane's
// next one (or follows, without a gap, one that goes in the same batch); the scheduler reads only
// those, never a window of the oldest rows, so records that wait for a missing sequence hold
// nothing up. A signed validation is a row too (`validates`: the entry it validates): it shares
// its validator's nonce lanes with records, and ends its lane's run, like a correction (the
// round's validations go together in one validateBatch, with range proofs). A counterparty's
// answer (a signed validation with verdict confirm or refuse) is such a row with `answer` set:
// one pending per entry, beside its signer's own verdict on the entry, if any. A record co-signed
// by its counterparty is a record row with `answer` set: it goes alone (recordConfirmed).
// `messages`: signed messages for the ReciprocityRegistry (declarations, grants, settlement orders),
// one per transaction, in the order received; `scope` keeps one pending message per licensee and
// work (a declaration), per grant, or per Ledger entry (a settlement order). `spending`: the gas the
// relayer paid per UTC day for each signer's messages (a transaction's gas split evenly among the
// items it carried), and in all (payer ''), for the daily budgets.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fromSignedJson, toSignedJson } from "../core/record.js";
import type { RegistryMessage } from "../core/registry-messages.js";
import { utcDay } from "../core/time.js";

export type RecordState = "queued" | "sending" | "recorded" | "failed";

/** What admission inserts. */
export interface NewRecord {
  digest: string;
  agent: string;
  nonceKey: string;
  nonceSeq: bigint;
  /** The entry a correction corrects (0n for a plain record). */
  corrects: bigint;
  /** For a signed validation (not a record): the entry it validates; 0n for a record. */
  validates: bigint;
  /** Whether the row carries the counterparty's answer: a signed validation with verdict confirm or refuse (not a peer's verdict), or a record its counterparty co-signed. */
  answer?: boolean;
  /** Whether the signature was accepted through the agent's ERC-1271 wallet (it may change its answer). */
  wallet: boolean;
  /** The signature's deadline (unix seconds). */
  deadline: bigint;
  /** The canonical signed JSON; empty once the record is recorded or failed. */
  body: string;
}

/** Where a queued record or message stands in its sending. */
export interface SendProgress {
  state: RecordState;
  txHash: string | null;
  error: string | null;
  /** Transactions that carried it. */
  attempts: number;
  /** Not to be sent before this time (ms), after a failed send. */
  notBefore: number;
  receivedAt: number;
  updatedAt: number;
}

export interface QueuedRecord extends Omit<NewRecord, "answer">, SendProgress {
  answer: boolean;
  entryId: bigint | null;
}

/** A signed message for another contract than the Ledger (a ReciprocityRegistry declaration or grant), sent one per transaction. */
export interface QueuedMessage extends SendProgress {
  digest: string;
  kind: RegistryMessage["kind"];
  signer: string;
  /** What only one pending message may hold at a time (e.g. a licensee's declaration sequence for a work). */
  scope: string;
  deadline: bigint;
  body: string;
  /** The registry record id once recorded. */
  recordId: bigint | null;
}

/** The sending columns both tables have. */
interface ProgressRow {
  state: RecordState;
  tx_hash: string | null;
  error: string | null;
  attempts: number;
  not_before: number;
  received_at: number;
  updated_at: number;
}

const progressOf = (r: ProgressRow): SendProgress => ({
  state: r.state,
  txHash: r.tx_hash,
  error: r.error,
  attempts: r.attempts,
  notBefore: r.not_before,
  receivedAt: r.received_at,
  updatedAt: r.updated_at,
});

interface MessageRow extends ProgressRow {
  digest: string;
  kind: RegistryMessage["kind"];
  signer: string;
  scope: string;
  deadline: number;
  body: string;
  record_id: string | null;
}

const fromMessageRow = (r: MessageRow): QueuedMessage => ({
  digest: r.digest,
  kind: r.kind,
  signer: r.signer,
  scope: r.scope,
  deadline: BigInt(r.deadline),
  body: r.body,
  recordId: r.record_id === null ? null : BigInt(r.record_id),
  ...progressOf(r),
});

export interface Lane {
  agent: string;
  nonceKey: string;
  nextSeq: bigint;
}

interface Row extends ProgressRow {
  digest: string;
  agent: string;
  nonce_key: string;
  nonce_seq: number;
  corrects: number;
  validates: number;
  answer: number;
  wallet: number;
  deadline: number;
  body: string;
  entry_id: string | null;
}

const fromRow = (r: Row): QueuedRecord => ({
  digest: r.digest,
  agent: r.agent,
  nonceKey: r.nonce_key,
  nonceSeq: BigInt(r.nonce_seq),
  corrects: BigInt(r.corrects),
  validates: BigInt(r.validates ?? 0),
  answer: r.answer === 1,
  wallet: r.wallet === 1,
  deadline: BigInt(r.deadline),
  body: r.body,
  entryId: r.entry_id === null ? null : BigInt(r.entry_id),
  ...progressOf(r),
});

const SCHEMA_VERSION = 4;
// `state IN PENDING` is written out in every query that should use the partial indexes (SQLite
// uses a partial index only when the query repeats its condition).
const PENDING = "('queued', 'sending')";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS records (
    digest      TEXT PRIMARY KEY,
    agent       TEXT NOT NULL,
    nonce_key   TEXT NOT NULL,
    nonce_seq   INTEGER NOT NULL,
    corrects    INTEGER NOT NULL DEFAULT 0,
    validates   INTEGER NOT NULL DEFAULT 0,
    answer      INTEGER NOT NULL DEFAULT 0,
    wallet      INTEGER NOT NULL DEFAULT 0,
    deadline    INTEGER NOT NULL,
    body        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'recorded', 'failed')),
    entry_id    TEXT,
    tx_hash     TEXT,
    error       TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  INTEGER NOT NULL DEFAULT 0,
    received_at INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS records_pending_nonce
    ON records (agent, nonce_key, nonce_seq) WHERE state IN ${PENDING};
  CREATE UNIQUE INDEX IF NOT EXISTS records_pending_correction
    ON records (corrects) WHERE corrects != 0 AND state IN ${PENDING};
  CREATE UNIQUE INDEX IF NOT EXISTS records_pending_verdict
    ON records (agent, validates, answer) WHERE validates != 0 AND state IN ${PENDING};
  CREATE UNIQUE INDEX IF NOT EXISTS records_pending_answer
    ON records (validates) WHERE validates != 0 AND answer != 0 AND state IN ${PENDING};
  CREATE INDEX IF NOT EXISTS records_state_updated ON records (state, updated_at);
  CREATE INDEX IF NOT EXISTS records_state_deadline ON records (state, deadline);
  CREATE TABLE IF NOT EXISTS messages (
    digest      TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    signer      TEXT NOT NULL,
    scope       TEXT NOT NULL,
    deadline    INTEGER NOT NULL,
    body        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'recorded', 'failed')),
    record_id   TEXT,
    tx_hash     TEXT,
    error       TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  INTEGER NOT NULL DEFAULT 0,
    received_at INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS messages_pending_scope ON messages (scope) WHERE state IN ${PENDING};
  CREATE TABLE IF NOT EXISTS spending (
    payer TEXT NOT NULL,
    day   INTEGER NOT NULL,
    gas   INTEGER NOT NULL,
    PRIMARY KEY (payer, day)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS lanes (
    agent      TEXT NOT NULL,
    nonce_key  TEXT NOT NULL,
    next_seq   INTEGER NOT NULL,
    checked_at INTEGER NOT NULL,
    PRIMARY KEY (agent, nonce_key)
  ) WITHOUT ROWID;
`;

export class RelayQueue {
  private readonly db: DatabaseSync;

  constructor(file: string) {
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    this.db = new DatabaseSync(file);
    // journal_size_limit: the WAL file is cut back to 16 MiB after a checkpoint instead of keeping its peak size.
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; PRAGMA journal_size_limit = 16777216;");
    const version = Number((this.db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version);
    const hasRecords = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'records'").get() !== undefined;
    if (hasRecords && version < 2) this.migrateFromV1();
    else if (hasRecords && version < SCHEMA_VERSION) {
      this.transaction(() => {
        // Version 2 had no signed validations: they get their column (0 for every record).
        if (version === 2) this.db.exec("ALTER TABLE records ADD COLUMN validates INTEGER NOT NULL DEFAULT 0");
        // Version 3 had no counterparty answers: their column (0 for every row), and the index of
        // one pending verdict per validator and entry becomes one per validator, entry and kind.
        this.db.exec("ALTER TABLE records ADD COLUMN answer INTEGER NOT NULL DEFAULT 0; DROP INDEX IF EXISTS records_pending_validation;");
        this.db.exec(SCHEMA);
        this.db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
      });
    } else {
      this.db.exec(SCHEMA);
      this.db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    }
  }

  /**
   * The first version kept the posted JSON verbatim (unknown fields included), the sequence as text
   * and neither deadline nor lanes. Rows are copied with their canonical JSON; pending ones get a
   * lane whose next sequence (0) the scheduler checks against the chain before anything goes.
   */
  private migrateFromV1(): void {
    this.transaction(() => {
      this.db.exec("ALTER TABLE records RENAME TO records_v1; DROP INDEX IF EXISTS records_pending_nonce; DROP INDEX IF EXISTS records_state;");
      this.db.exec(SCHEMA);
      const insert = this.db.prepare(
        "INSERT INTO records (digest, agent, nonce_key, nonce_seq, corrects, wallet, deadline, body, state, entry_id, tx_hash, error, attempts, received_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      );
      for (const r of this.db.prepare("SELECT * FROM records_v1").all() as unknown as (Omit<Row, "nonce_seq"> & { nonce_seq: string })[]) {
        const { domain, record, signature } = fromSignedJson(JSON.parse(r.body));
        const pending = r.state === "queued" || r.state === "sending";
        const body = pending ? JSON.stringify(toSignedJson(domain, record, signature)) : "";
        // The old rows do not say how the signature was checked: a signature other than 65 bytes
        // can only be a wallet's; a 65-byte one is counted as a wallet's too (the larger gas margin).
        insert.run(
          r.digest,
          r.agent,
          r.nonce_key,
          Number(r.nonce_seq),
          Number(record.corrects),
          1,
          Number(record.deadline),
          body,
          r.state,
          r.entry_id,
          r.tx_hash,
          r.error,
          r.attempts,
          r.received_at,
          r.updated_at,
        );
        if (pending) this.db.prepare("INSERT OR IGNORE INTO lanes (agent, nonce_key, next_seq, checked_at) VALUES (?, ?, 0, 0)").run(r.agent, r.nonce_key);
      }
      this.db.exec(`DROP TABLE records_v1; PRAGMA user_version = ${SCHEMA_VERSION};`);
    });
  }

  get(digest: string): QueuedRecord | undefined {
    const row = this.db.prepare("SELECT * FROM records WHERE digest = ?").get(digest) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** A pending (queued or sending) record with the same agent, key and sequence, if any. */
  pendingWithNonce(agent: string, nonceKey: string, nonceSeq: bigint): QueuedRecord | undefined {
    const row = this.db
      .prepare(`SELECT * FROM records WHERE agent = ? AND nonce_key = ? AND nonce_seq = ? AND state IN ${PENDING}`)
      .get(agent, nonceKey, Number(nonceSeq)) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** The pending correction of entry `entryId`, if any. */
  pendingCorrection(entryId: bigint): QueuedRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM records WHERE corrects = ? AND corrects != 0 AND state IN ${PENDING}`).get(Number(entryId)) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** The pending validation (a peer's verdict, not an answer) of entry `entryId` by `agent`, if any. */
  pendingValidation(agent: string, entryId: bigint): QueuedRecord | undefined {
    const row = this.db
      .prepare(`SELECT * FROM records WHERE agent = ? AND validates = ? AND answer = 0 AND validates != 0 AND state IN ${PENDING}`)
      .get(agent, Number(entryId)) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** The pending counterparty's answer (confirm or refuse) to entry `entryId`, if any. */
  pendingAnswer(entryId: bigint): QueuedRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM records WHERE validates = ? AND validates != 0 AND answer != 0 AND state IN ${PENDING}`).get(Number(entryId)) as
      Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** How many records of `agent` are pending (every nonce key). */
  pendingOf(agent: string): number {
    return Number((this.db.prepare(`SELECT COUNT(*) AS n FROM records WHERE agent = ? AND state IN ${PENDING}`).get(agent) as { n: number }).n);
  }

  /** How many pending sequences of the lane follow `fromSeq` without a gap (fromSeq, fromSeq + 1, ...). */
  contiguousFrom(agent: string, nonceKey: string, fromSeq: bigint, max: number): number {
    const seqs = this.db
      .prepare(`SELECT nonce_seq FROM records WHERE agent = ? AND nonce_key = ? AND state IN ${PENDING} AND nonce_seq >= ? ORDER BY nonce_seq LIMIT ?`)
      .all(agent, nonceKey, Number(fromSeq), max) as { nonce_seq: number }[];
    let n = 0;
    while (n < seqs.length && seqs[n].nonce_seq === Number(fromSeq) + n) n++;
    return n;
  }

  /**
   * Inserts a new queued record, or puts a failed one back in the queue with its new body (a failed
   * record may be posted again, e.g. with a valid signature after an invalid one). Returns false
   * if the digest is pending or recorded, or another pending record holds the nonce, corrects the
   * same entry, gives the same validator's verdict on the same entry or answers the same entry.
   */
  enqueue(r: NewRecord): boolean {
    const now = Date.now();
    try {
      const result = this.db
        .prepare(
          `INSERT INTO records (digest, agent, nonce_key, nonce_seq, corrects, validates, answer, wallet, deadline, body, state, received_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)
           ON CONFLICT (digest) DO UPDATE SET body = excluded.body, wallet = excluded.wallet, state = 'queued', entry_id = NULL, tx_hash = NULL, error = NULL,
             attempts = 0, not_before = 0, received_at = excluded.received_at, updated_at = excluded.updated_at
           WHERE records.state = 'failed'`,
        )
        .run(
          r.digest,
          r.agent,
          r.nonceKey,
          Number(r.nonceSeq),
          Number(r.corrects),
          Number(r.validates),
          r.answer ? 1 : 0,
          r.wallet ? 1 : 0,
          Number(r.deadline),
          r.body,
          now,
          now,
        );
      return Number(result.changes) === 1;
    } catch (error) {
      if (/UNIQUE constraint failed/.test((error as Error).message)) return false;
      throw error;
    }
  }

  /** Records the sequence the ledger expects next for a lane (it only grows, unless `force`). */
  setLane(agent: string, nonceKey: string, nextSeq: bigint, force = false): void {
    this.db
      .prepare(
        `INSERT INTO lanes (agent, nonce_key, next_seq, checked_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (agent, nonce_key) DO UPDATE SET checked_at = excluded.checked_at,
           next_seq = CASE WHEN ? OR excluded.next_seq > lanes.next_seq THEN excluded.next_seq ELSE lanes.next_seq END`,
      )
      .run(agent, nonceKey, Number(nextSeq), Date.now(), force ? 1 : 0);
  }

  lane(agent: string, nonceKey: string): Lane | undefined {
    const row = this.db.prepare("SELECT next_seq FROM lanes WHERE agent = ? AND nonce_key = ?").get(agent, nonceKey) as { next_seq: number } | undefined;
    return row ? { agent, nonceKey, nextSeq: BigInt(row.next_seq) } : undefined;
  }

  /**
   * Queued records due by `now` whose sequence is within `run` of their lane's next sequence, by
   * agent, key and sequence (the caller keeps each lane's gap-free run from the next sequence).
   */
  candidates(now: number, run: number): (QueuedRecord & { laneNext: bigint })[] {
    return (
      this.db
        .prepare(
          `SELECT r.*, l.next_seq AS lane_next FROM lanes l JOIN records r ON r.agent = l.agent AND r.nonce_key = l.nonce_key
           WHERE r.state IN ${PENDING} AND r.state = 'queued' AND r.nonce_seq >= l.next_seq AND r.nonce_seq < l.next_seq + ? AND r.not_before <= ?
           ORDER BY r.agent, r.nonce_key, r.nonce_seq`,
        )
        .all(run, now) as unknown as (Row & { lane_next: number })[]
    ).map((r) => ({ ...fromRow(r), laneNext: BigInt(r.lane_next) }));
  }

  /** Queued records whose sequence is below their lane's next one: their nonce was used meanwhile. */
  overtaken(limit: number): QueuedRecord[] {
    return (
      this.db
        .prepare(
          `SELECT r.* FROM lanes l JOIN records r ON r.agent = l.agent AND r.nonce_key = l.nonce_key
           WHERE r.state IN ${PENDING} AND r.state = 'queued' AND r.nonce_seq < l.next_seq LIMIT ?`,
        )
        .all(limit) as unknown as Row[]
    ).map(fromRow);
  }

  /**
   * Lanes with queued records but none at the next sequence (waiting for a missing one), not
   * checked against the chain since `before`: the oldest-checked first, at most `limit`.
   */
  lanesToCheck(before: number, limit: number): Lane[] {
    return (
      this.db
        .prepare(
          `SELECT l.agent, l.nonce_key, l.next_seq FROM lanes l
           WHERE l.checked_at < ?
             AND EXISTS (SELECT 1 FROM records r WHERE r.agent = l.agent AND r.nonce_key = l.nonce_key AND r.state IN ${PENDING} AND r.state = 'queued')
             AND NOT EXISTS (SELECT 1 FROM records r WHERE r.agent = l.agent AND r.nonce_key = l.nonce_key AND r.nonce_seq = l.next_seq AND r.state IN ${PENDING})
           ORDER BY l.checked_at LIMIT ?`,
        )
        .all(before, limit) as { agent: string; nonce_key: string; next_seq: number }[]
    ).map((l) => ({ agent: l.agent, nonceKey: l.nonce_key, nextSeq: BigInt(l.next_seq) }));
  }

  /** Queued records whose deadline (unix seconds) is before `now`. */
  expired(now: bigint, limit: number): QueuedRecord[] {
    return (this.db.prepare("SELECT * FROM records WHERE state = 'queued' AND deadline < ? LIMIT ?").all(Number(now), limit) as unknown as Row[]).map(fromRow);
  }

  byState(state: RecordState, limit = 1_000_000): QueuedRecord[] {
    return (this.db.prepare("SELECT * FROM records WHERE state = ? ORDER BY updated_at, digest LIMIT ?").all(state, limit) as unknown as Row[]).map(fromRow);
  }

  /** Records and messages by state. */
  counts(): Record<RecordState, number> {
    const out: Record<RecordState, number> = { queued: 0, sending: 0, recorded: 0, failed: 0 };
    for (const table of ["records", "messages"])
      for (const row of this.db.prepare(`SELECT state, COUNT(*) AS n FROM ${table} GROUP BY state`).all() as { state: RecordState; n: number }[])
        out[row.state] += Number(row.n);
    return out;
  }

  // ---------------------------------------------------------------- messages (other contracts)

  getMessage(digest: string): QueuedMessage | undefined {
    const row = this.db.prepare("SELECT * FROM messages WHERE digest = ?").get(digest) as MessageRow | undefined;
    return row ? fromMessageRow(row) : undefined;
  }

  /** The pending message holding `scope`, if any. */
  pendingMessage(scope: string): QueuedMessage | undefined {
    const row = this.db.prepare(`SELECT * FROM messages WHERE scope = ? AND state IN ${PENDING}`).get(scope) as MessageRow | undefined;
    return row ? fromMessageRow(row) : undefined;
  }

  /** Inserts a queued message (or puts a failed one back); false if its digest is pending or recorded or its scope is held. */
  enqueueMessage(m: Pick<QueuedMessage, "digest" | "kind" | "signer" | "scope" | "deadline" | "body">): boolean {
    const now = Date.now();
    try {
      const result = this.db
        .prepare(
          `INSERT INTO messages (digest, kind, signer, scope, deadline, body, state, received_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?)
           ON CONFLICT (digest) DO UPDATE SET body = excluded.body, state = 'queued', record_id = NULL, tx_hash = NULL, error = NULL,
             attempts = 0, not_before = 0, received_at = excluded.received_at, updated_at = excluded.updated_at
           WHERE messages.state = 'failed'`,
        )
        .run(m.digest, m.kind, m.signer, m.scope, Number(m.deadline), m.body, now, now);
      return Number(result.changes) === 1;
    } catch (error) {
      if (/UNIQUE constraint failed/.test((error as Error).message)) return false;
      throw error;
    }
  }

  /** Queued messages due by `now`, the oldest first. */
  queuedMessages(now: number, limit: number): QueuedMessage[] {
    return (
      this.db
        .prepare("SELECT * FROM messages WHERE state = 'queued' AND not_before <= ? ORDER BY received_at, digest LIMIT ?")
        .all(now, limit) as unknown as MessageRow[]
    ).map(fromMessageRow);
  }

  messagesInState(state: RecordState, limit: number): QueuedMessage[] {
    return (this.db.prepare("SELECT * FROM messages WHERE state = ? ORDER BY updated_at LIMIT ?").all(state, limit) as unknown as MessageRow[]).map(
      fromMessageRow,
    );
  }

  /** Queued messages whose deadline (unix seconds) is before `now`. */
  expiredMessages(now: bigint, limit: number): QueuedMessage[] {
    return (this.db.prepare("SELECT * FROM messages WHERE state = 'queued' AND deadline < ? LIMIT ?").all(Number(now), limit) as unknown as MessageRow[]).map(
      fromMessageRow,
    );
  }

  markMessageSending(digest: string): void {
    this.db
      .prepare("UPDATE messages SET state = 'sending', attempts = attempts + 1, tx_hash = NULL, updated_at = ? WHERE digest = ? AND state = 'queued'")
      .run(Date.now(), digest);
  }

  setMessageTxHash(digest: string, txHash: string): void {
    this.db.prepare("UPDATE messages SET tx_hash = ?, updated_at = ? WHERE digest = ? AND state = 'sending'").run(txHash, Date.now(), digest);
  }

  markMessageRecorded(digest: string, recordId: bigint, txHash: string): void {
    this.db
      .prepare("UPDATE messages SET state = 'recorded', record_id = ?, tx_hash = ?, error = NULL, body = '', updated_at = ? WHERE digest = ?")
      .run(recordId.toString(), txHash, Date.now(), digest);
  }

  markMessageFailed(digest: string, error: string): void {
    this.fail("messages", digest, error);
  }

  requeueMessage(digest: string, note?: string, notBefore = 0): void {
    this.requeueIn("messages", digest, note, notBefore);
  }

  /** Failed with `error`; the body is no longer needed. */
  private fail(table: "records" | "messages", digest: string, error: string): void {
    this.db.prepare(`UPDATE ${table} SET state = 'failed', error = ?, body = '', updated_at = ? WHERE digest = ?`).run(error, Date.now(), digest);
  }

  /** Back in the queue, to be sent again from `notBefore` (ms) on. */
  private requeueIn(table: "records" | "messages", digest: string, note: string | undefined, notBefore: number): void {
    this.db
      .prepare(`UPDATE ${table} SET state = 'queued', tx_hash = NULL, error = ?, not_before = ?, updated_at = ? WHERE digest = ?`)
      .run(note ?? null, notBefore, Date.now(), digest);
  }

  /** Marks records as being sent, durably, before their transaction is broadcast. */
  markSending(digests: readonly string[]): void {
    this.transaction(() => {
      const stmt = this.db.prepare(
        "UPDATE records SET state = 'sending', attempts = attempts + 1, tx_hash = NULL, updated_at = ? WHERE digest = ? AND state = 'queued'",
      );
      for (const d of digests) stmt.run(Date.now(), d);
    });
  }

  setTxHash(digests: readonly string[], txHash: string): void {
    this.transaction(() => {
      const stmt = this.db.prepare("UPDATE records SET tx_hash = ?, updated_at = ? WHERE digest = ? AND state = 'sending'");
      for (const d of digests) stmt.run(txHash, Date.now(), d);
    });
  }

  /** Recorded as `entryId`; its lane's next sequence follows it. The body is no longer needed. */
  markRecorded(digest: string, entryId: bigint, txHash: string): void {
    const row = this.db
      .prepare(
        "UPDATE records SET state = 'recorded', entry_id = ?, tx_hash = ?, error = NULL, body = '', updated_at = ? WHERE digest = ? RETURNING agent, nonce_key, nonce_seq",
      )
      .get(entryId.toString(), txHash, Date.now(), digest) as { agent: string; nonce_key: string; nonce_seq: number } | undefined;
    if (row) this.setLane(row.agent, row.nonce_key, BigInt(row.nonce_seq) + 1n);
  }

  markFailed(digest: string, error: string): void {
    this.fail("records", digest, error);
  }

  /** Back in the queue, to be sent again from `notBefore` (ms) on. */
  requeue(digest: string, note?: string, notBefore = 0): void {
    this.requeueIn("records", digest, note, notBefore);
  }

  /** Deletes recorded and failed records last changed before `before` (ms), and lanes left empty. Returns the records deleted. */
  /** Adds the gas paid on UTC day `day` for each signer's items, and to the day's total (payer ''). */
  spend(day: number, shares: readonly { signer: string; gas: bigint }[]): void {
    const add = this.db.prepare("INSERT INTO spending (payer, day, gas) VALUES (?, ?, ?) ON CONFLICT (payer, day) DO UPDATE SET gas = gas + excluded.gas");
    this.transaction(() => {
      let total = 0n;
      for (const { signer, gas } of shares) {
        add.run(signer.toLowerCase(), day, Number(gas));
        total += gas;
      }
      add.run("", day, Number(total));
    });
  }

  /** The gas paid on UTC day `day` for `signer`'s messages (undefined: in all). */
  spent(day: number, signer?: string): bigint {
    const row = this.db.prepare("SELECT gas FROM spending WHERE payer = ? AND day = ?").get(signer?.toLowerCase() ?? "", day) as { gas: number } | undefined;
    return BigInt(row?.gas ?? 0);
  }

  prune(before: number): number {
    let deleted = 0;
    this.transaction(() => {
      deleted = Number(this.db.prepare("DELETE FROM records WHERE state IN ('recorded', 'failed') AND updated_at < ?").run(before).changes);
      // The budgets look at today only; a day's spending is kept as long as the records of that day.
      this.db.prepare("DELETE FROM spending WHERE day < ?").run(utcDay(before));
      deleted += Number(this.db.prepare("DELETE FROM messages WHERE state IN ('recorded', 'failed') AND updated_at < ?").run(before).changes);
      this.db.exec(
        `DELETE FROM lanes WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.agent = lanes.agent AND r.nonce_key = lanes.nonce_key AND r.state IN ${PENDING})`,
      );
    });
    return deleted;
  }

  transaction(fn: () => void): void {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      fn();
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }
}
