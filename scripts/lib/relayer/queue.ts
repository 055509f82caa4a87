// The relayer's durable queue: SQLite (node:sqlite) in WAL mode with synchronous=FULL, so a record
// acknowledged with 202 survives a crash (kill -9) of the relayer.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";

export type RecordState = "queued" | "sending" | "recorded" | "failed";

export interface QueuedRecord {
  digest: string;
  agent: string;
  nonceKey: string;
  nonceSeq: bigint;
  body: string;
  state: RecordState;
  entryId: bigint | null;
  txHash: string | null;
  error: string | null;
  attempts: number;
  receivedAt: number;
  updatedAt: number;
}

interface Row {
  digest: string;
  agent: string;
  nonce_key: string;
  nonce_seq: string;
  body: string;
  state: RecordState;
  entry_id: string | null;
  tx_hash: string | null;
  error: string | null;
  attempts: number;
  received_at: number;
  updated_at: number;
}

const fromRow = (r: Row): QueuedRecord => ({
  digest: r.digest,
  agent: r.agent,
  nonceKey: r.nonce_key,
  nonceSeq: BigInt(r.nonce_seq),
  body: r.body,
  state: r.state,
  entryId: r.entry_id === null ? null : BigInt(r.entry_id),
  txHash: r.tx_hash,
  error: r.error,
  attempts: r.attempts,
  receivedAt: r.received_at,
  updatedAt: r.updated_at,
});

export class RelayQueue {
  private readonly db: DatabaseSync;

  constructor(file: string) {
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    this.db = new DatabaseSync(file);
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS records (
        digest      TEXT PRIMARY KEY,
        agent       TEXT NOT NULL,
        nonce_key   TEXT NOT NULL,
        nonce_seq   TEXT NOT NULL,
        body        TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'recorded', 'failed')),
        entry_id    TEXT,
        tx_hash     TEXT,
        error       TEXT,
        attempts    INTEGER NOT NULL DEFAULT 0,
        received_at INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX IF NOT EXISTS records_pending_nonce
        ON records (agent, nonce_key, nonce_seq) WHERE state IN ('queued', 'sending');
      CREATE INDEX IF NOT EXISTS records_state ON records (state, received_at);
    `);
  }

  get(digest: string): QueuedRecord | undefined {
    const row = this.db.prepare("SELECT * FROM records WHERE digest = ?").get(digest) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** A pending (queued or sending) record with the same agent, key and sequence, if any. */
  pendingWithNonce(agent: string, nonceKey: string, nonceSeq: bigint): QueuedRecord | undefined {
    const row = this.db
      .prepare("SELECT * FROM records WHERE agent = ? AND nonce_key = ? AND nonce_seq = ? AND state IN ('queued', 'sending')")
      .get(agent, nonceKey, nonceSeq.toString()) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Inserts a new queued record; returns false if the digest is already known. */
  enqueue(r: { digest: string; agent: string; nonceKey: string; nonceSeq: bigint; body: string }): boolean {
    const now = Date.now();
    const result = this.db
      .prepare("INSERT OR IGNORE INTO records (digest, agent, nonce_key, nonce_seq, body, state, received_at, updated_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)")
      .run(r.digest, r.agent, r.nonceKey, r.nonceSeq.toString(), r.body, now, now);
    return Number(result.changes) === 1;
  }

  byState(state: RecordState, limit = 1_000_000): QueuedRecord[] {
    return (this.db.prepare("SELECT * FROM records WHERE state = ? ORDER BY received_at, digest LIMIT ?").all(state, limit) as unknown as Row[]).map(fromRow);
  }

  counts(): Record<RecordState, number> {
    const out: Record<RecordState, number> = { queued: 0, sending: 0, recorded: 0, failed: 0 };
    for (const row of this.db.prepare("SELECT state, COUNT(*) AS n FROM records GROUP BY state").all() as { state: RecordState; n: number }[]) out[row.state] = Number(row.n);
    return out;
  }

  /** Marks records as being sent, durably, before their transaction is broadcast. */
  markSending(digests: readonly string[]): void {
    this.transaction(() => {
      const stmt = this.db.prepare("UPDATE records SET state = 'sending', attempts = attempts + 1, tx_hash = NULL, updated_at = ? WHERE digest = ? AND state = 'queued'");
      for (const d of digests) stmt.run(Date.now(), d);
    });
  }

  setTxHash(digests: readonly string[], txHash: string): void {
    this.transaction(() => {
      const stmt = this.db.prepare("UPDATE records SET tx_hash = ?, updated_at = ? WHERE digest = ? AND state = 'sending'");
      for (const d of digests) stmt.run(txHash, Date.now(), d);
    });
  }

  markRecorded(digest: string, entryId: bigint, txHash: string): void {
    this.db.prepare("UPDATE records SET state = 'recorded', entry_id = ?, tx_hash = ?, error = NULL, updated_at = ? WHERE digest = ?").run(entryId.toString(), txHash, Date.now(), digest);
  }

  markFailed(digest: string, error: string): void {
    this.db.prepare("UPDATE records SET state = 'failed', error = ?, updated_at = ? WHERE digest = ?").run(error, Date.now(), digest);
  }

  requeue(digest: string, note?: string): void {
    this.db.prepare("UPDATE records SET state = 'queued', tx_hash = NULL, error = ?, updated_at = ? WHERE digest = ?").run(note ?? null, Date.now(), digest);
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
