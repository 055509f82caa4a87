// The relayer: accepts signed records over HTTP, checks them (schema, chain, signature, nonce,
// deadline) before queueing, keeps them in a durable queue, batches them into recordBatch
// transactions, and reports each record's state by its digest. It never loses an acknowledged
// record and never records one twice: before resending anything it looked at after a crash or an
// RPC failure, it checks on-chain whether the record's nonce was consumed and by which entry.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Contract, Interface, Signature, ZeroAddress, recoverAddress, toBeHex, zeroPadValue } from "ethers";
import type { JsonRpcProvider, TransactionReceipt, TypedDataDomain, Wallet } from "ethers";
import { nextBlockTime } from "../client.js";
import { LEDGER_ABI } from "../abi.js";
import { buildEntryProof } from "../proof.js";
import { decodeLedgerLogs, describeRevert, ledgerInterface, readLedger, toRecord } from "../reader.js";
import { checkRecord, fromSignedJson, hashRecord, ledgerDomain, recordDigest } from "../record.js";
import type { LedgerRecord } from "../record.js";
import { LIMITS, RecordInputError } from "../vocabulary.js";
import { RelayQueue } from "./queue.js";
import type { QueuedRecord } from "./queue.js";

export interface RelayerOptions {
  provider: JsonRpcProvider;
  wallet: Wallet;
  ledger: string;
  fromBlock: number;
  dbFile: string;
  host?: string;
  port?: number;
  /** Records per transaction (at most MAX_BATCH). */
  batchSize?: number;
  /** How long to wait for more records before sending a partial batch, in ms. */
  waitMs?: number;
  /** Largest request body, in bytes. */
  maxBodyBytes?: number;
  /** Per-signer rate limit: records per second and burst. */
  ratePerSecond?: number;
  burst?: number;
  log?: (line: string) => void;
}

export interface Relayer {
  url: string;
  address: string;
  close(): Promise<void>;
}

const CHAIN_VIEW_MS = 500;
/** How many (agent, key) groups' on-chain nonces nextBatch looks up in parallel. */
const NONCE_LOOKAHEAD = 64;
const HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
const ERC1271 = new Interface(["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"]);
const RECORDED_TOPIC = ledgerInterface.getEvent("Recorded")!.topicHash;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Parsed {
  record: LedgerRecord;
  signature: string;
  digest: string;
  agent: string;
  key: bigint;
  seq: bigint;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How much of an oversized body the relayer reads and discards so that its 413 reaches the client. */
const MAX_DISCARD_BYTES = 64 * 1024 * 1024;

/**
 * The request body, at most `max` bytes; 413 beyond (on the declared length first). On overflow the
 * request is not destroyed (that resets the socket, so that the client may never see the 413 and
 * fails its next request on the kept-alive connection): the rest of the body is read and
 * discarded, up to MAX_DISCARD_BYTES, after which the connection is dropped.
 */
function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, `the body is larger than ${max} bytes`);
  const discard = () => {
    let discarded = 0;
    req.on("data", (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > MAX_DISCARD_BYTES) req.socket.destroy();
    });
    req.resume();
  };
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) {
    discard();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) return void chunks.push(chunk);
      req.off("data", onData);
      discard();
      reject(tooLarge());
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

export async function startRelayer(opts: RelayerOptions): Promise<Relayer> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const batchSize = Math.min(opts.batchSize ?? 100, LIMITS.maxBatch);
  const waitMs = opts.waitMs ?? 500;
  const maxBody = opts.maxBodyBytes ?? 256 * 1024;
  const rate = opts.ratePerSecond ?? 50;
  const burst = opts.burst ?? 500;
  const { provider, wallet } = opts;
  const { chainId } = await provider.getNetwork();
  const domain: TypedDataDomain = ledgerDomain(chainId, opts.ledger);
  const ledger = new Contract(opts.ledger, LEDGER_ABI, wallet);
  const queue = new RelayQueue(opts.dbFile);
  const buckets = new Map<string, { tokens: number; at: number }>();
  let stopping = false;

  // ---------------------------------------------------------------- checks

  async function currentSequence(agent: string, key: bigint): Promise<bigint> {
    const nonce: bigint = await ledger.nonces(agent, key);
    return nonce & LIMITS.maxUint64;
  }

  async function signatureValid(r: LedgerRecord, signature: string, digest: string, agent: string): Promise<boolean> {
    if (signature.length === 132) {
      try {
        const s = Signature.from(signature);
        if (BigInt(s.s) <= HALF_ORDER && recoverAddress(digest, s).toLowerCase() === agent.toLowerCase()) return true;
      } catch {
        /* not an EOA signature: try ERC-1271 below */
      }
    }
    if ((await provider.getCode(agent)) === "0x") return false;
    try {
      const out = await provider.call({ to: agent, data: ERC1271.encodeFunctionData("isValidSignature", [digest, signature]), gasLimit: 150_000n });
      return out.slice(0, 10).toLowerCase() === "0x1626ba7e";
    } catch {
      return false;
    }
  }

  // The latest block's time and the entry count, shared by the checks of concurrent requests for
  // up to CHAIN_VIEW_MS instead of two RPC calls per request. Both only grow: an older view is
  // never more lenient on links, and on deadlines by at most CHAIN_VIEW_MS (the latest block's
  // time is itself only an estimate of the time of the block that will hold the record).
  let cachedView: { at: number; value: Promise<{ now: bigint; count: bigint }> } | undefined;
  function chainView(): Promise<{ now: bigint; count: bigint }> {
    if (cachedView && Date.now() - cachedView.at < CHAIN_VIEW_MS) return cachedView.value;
    const value = Promise.all([provider.getBlock("latest"), ledger.tip() as Promise<[bigint, string]>]).then(([block, [count]]) => ({ now: nextBlockTime(BigInt(block!.timestamp)), count }));
    const entry = { at: Date.now(), value };
    cachedView = entry;
    value.catch(() => {
      if (cachedView === entry) cachedView = undefined;
    });
    return value;
  }

  function rateLimited(agent: string): boolean {
    const now = Date.now();
    const b = buckets.get(agent) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    buckets.set(agent, b);
    if (b.tokens < 1) return true;
    b.tokens -= 1;
    return false;
  }

  function parse(value: unknown): Parsed {
    let parsed;
    try {
      parsed = fromSignedJson(value);
    } catch (error) {
      throw new HttpError(400, (error as Error).message);
    }
    if (BigInt(parsed.domain.chainId!) !== chainId) throw new HttpError(400, `signed for chain ${parsed.domain.chainId}; this relayer serves chain ${chainId}`);
    if (String(parsed.domain.verifyingContract).toLowerCase() !== opts.ledger.toLowerCase()) {
      throw new HttpError(400, `signed for ledger ${parsed.domain.verifyingContract}; this relayer serves ${opts.ledger}`);
    }
    const r = parsed.record;
    const agent = r.provider !== ZeroAddress ? r.provider : r.receiver;
    // fromSignedJson checked a given digest against the record in the record's domain, which is
    // now known to be ours: no need to hash it again.
    const given = (value as { digest?: unknown }).digest;
    const digest = typeof given === "string" ? given : recordDigest(domain, r);
    return { record: r, signature: parsed.signature, digest, agent, key: r.nonce >> 64n, seq: r.nonce & LIMITS.maxUint64 };
  }

  /** Checks one record and queues it; returns its state. Idempotent by digest. */
  async function accept(value: unknown): Promise<{ status: number; body: object }> {
    const p = parse(value);
    const known = queue.get(p.digest);
    if (known) return { status: 200, body: view(known) };
    const { now, count } = await chainView();
    try {
      checkRecord(p.record, { now, nextId: count + 1n, allowCorrection: p.record.corrects !== 0n });
    } catch (error) {
      throw new HttpError(400, (error as Error).message);
    }
    if (!(await signatureValid(p.record, p.signature, p.digest, p.agent))) throw new HttpError(400, `the signature is not valid for the record's agent ${p.agent}`);
    // Only records the agent really signed count against its allowance: otherwise anyone could
    // exhaust a contributor's allowance by posting forged records in its name.
    if (rateLimited(p.agent)) throw new HttpError(429, `too many records from ${p.agent}; slow down`);
    const current = await currentSequence(p.agent, p.key);
    if (p.seq < current) {
      const entryId = await findRecorded(p.agent, hashRecord(p.record));
      if (entryId !== undefined) throw new HttpError(409, `already recorded as entry ${entryId}`);
      throw new HttpError(409, `nonce ${p.record.nonce} of ${p.agent} is already used (current ${(p.key << 64n) | current})`);
    }
    const clash = queue.pendingWithNonce(p.agent, p.key.toString(), p.seq);
    if (clash) throw new HttpError(409, `another record (${clash.digest}) with the same nonce is already queued`);
    const body = JSON.stringify(value);
    if (!queue.enqueue({ digest: p.digest, agent: p.agent, nonceKey: p.key.toString(), nonceSeq: p.seq, body })) {
      return { status: 200, body: view(queue.get(p.digest)!) };
    }
    wake();
    return { status: 202, body: view(queue.get(p.digest)!) };
  }

  function view(q: QueuedRecord): object {
    return { digest: q.digest, state: q.state, entryId: q.entryId?.toString() ?? null, txHash: q.txHash, error: q.error, attempts: q.attempts, receivedAt: new Date(q.receivedAt).toISOString() };
  }

  // ---------------------------------------------------------------- chain lookups

  /** The entry id that recorded `recordHash` for `agent`, if any (Recorded events by signer topic). */
  async function findRecorded(agent: string, recordHash: string, fromBlock = opts.fromBlock): Promise<bigint | undefined> {
    const logs = await provider.getLogs({ address: opts.ledger, topics: [RECORDED_TOPIC, null, zeroPadValue(agent, 32)], fromBlock, toBlock: "latest" });
    for (const e of decodeLedgerLogs(logs).entries) if (e.recordHash === recordHash) return e.id;
    return undefined;
  }

  /** After a crash or an RPC failure: what became of a record marked as sending? */
  async function resolve(q: QueuedRecord): Promise<void> {
    const { record } = fromSignedJson(JSON.parse(q.body));
    const current = await currentSequence(q.agent, BigInt(q.nonceKey));
    if (current > q.nonceSeq) {
      const entryId = await findRecorded(q.agent, hashRecord(record));
      if (entryId !== undefined) {
        const tx = await txOfEntry(entryId);
        queue.markRecorded(q.digest, entryId, tx ?? q.txHash ?? "");
      } else queue.markFailed(q.digest, "its nonce was consumed by another record or cancelled");
      return;
    }
    if (q.txHash) {
      const tx = await provider.getTransaction(q.txHash);
      if (tx && tx.blockNumber === null) return; // still pending: leave it as sending
    }
    queue.requeue(q.digest, q.attempts > 0 ? "resent after an interrupted attempt" : undefined);
  }

  async function txOfEntry(entryId: bigint): Promise<string | undefined> {
    const logs = await provider.getLogs({ address: opts.ledger, topics: [RECORDED_TOPIC, toBeHex(entryId, 32)], fromBlock: opts.fromBlock, toBlock: "latest" });
    return logs[0]?.transactionHash;
  }

  // ---------------------------------------------------------------- batching

  let wakeUp: (() => void) | undefined;
  function wake(): void {
    if (queue.counts().queued >= batchSize) wakeUp?.();
  }

  /** Queued records that can go now: per (agent, key), a run of sequences from the on-chain nonce. */
  async function nextBatch(): Promise<{ plain: (QueuedRecord & Parsed)[]; corrections: (QueuedRecord & Parsed)[] }> {
    // Grouped by the stored agent, key and sequence: only the records that go are parsed (parsing
    // hashes the record, which for thousands of queued records per round was most of the CPU).
    const groups = new Map<string, QueuedRecord[]>();
    for (const q of queue.byState("queued", 5_000)) {
      const k = `${q.agent}:${q.nonceKey}`;
      const list = groups.get(k);
      if (list) list.push(q);
      else groups.set(k, [q]);
    }
    const lists = [...groups.values()];
    const sequences: bigint[] = [];
    const ready: QueuedRecord[] = [];
    const now = BigInt(Math.floor(Date.now() / 1000));
    for (const [i, list] of lists.entries()) {
      if (i === sequences.length) {
        // The on-chain nonces of the next groups at once (the provider batches the calls).
        const chunk = lists.slice(i, i + NONCE_LOOKAHEAD);
        sequences.push(...(await Promise.all(chunk.map((l) => currentSequence(l[0].agent, BigInt(l[0].nonceKey))))));
      }
      list.sort((a, b) => (a.nonceSeq < b.nonceSeq ? -1 : 1));
      let expected = sequences[i];
      for (const q of list) {
        if (q.nonceSeq < expected) {
          await resolve({ ...q, state: "sending" }); // consumed meanwhile: recorded elsewhere or lost its nonce
          continue;
        }
        if (q.nonceSeq > expected) {
          const { record } = fromSignedJson(JSON.parse(q.body));
          if (record.deadline < now) queue.markFailed(q.digest, `expired while waiting for nonce sequence ${expected} of ${q.agent}`);
          break; // a gap: wait for the missing sequence
        }
        ready.push(q);
        expected++;
        if (ready.length >= batchSize) break;
      }
      if (ready.length >= batchSize) break;
    }
    const parsed = ready.map((q) => ({ ...q, ...parse(JSON.parse(q.body)) }));
    // Groups keep their sequence order (a later sequence must follow its predecessor in the batch).
    return { plain: parsed.filter((q) => q.record.corrects === 0n), corrections: parsed.filter((q) => q.record.corrects !== 0n) };
  }

  async function sendAndSettle(items: (QueuedRecord & Parsed)[], send: () => Promise<{ hash: string; wait(): Promise<TransactionReceipt | null> }>): Promise<void> {
    queue.markSending(items.map((i) => i.digest));
    let receipt: TransactionReceipt | null = null;
    try {
      const tx = await send();
      queue.setTxHash(items.map((i) => i.digest), tx.hash);
      receipt = await tx.wait();
    } catch (error) {
      const data = (error as { data?: string }).data;
      // A revert (the contract's error data) is an answer, not a transient failure, whatever the
      // reason's text holds (its numbers and addresses often contain "5" and two digits).
      const reverted = typeof data === "string" && data.length >= 10;
      const reason = reverted ? describeRevert(data) : (error as Error).message.split("\n")[0];
      log(`relayer: a transaction for ${items.length} record(s) failed: ${reason}`);
      if (reverted && items.length === 1 && !reason.startsWith("LedgerInvalidNonce")) {
        queue.markFailed(items[0].digest, reason);
        return;
      }
      // Transient, or the nonce was used meanwhile (perhaps by this very record, submitted by
      // someone else): look on-chain.
      if (!reverted) await sleep(500);
      for (const i of items) await resolve({ ...queue.get(i.digest)! });
      return;
    }
    if (!receipt || receipt.status !== 1) {
      for (const i of items) await resolve({ ...queue.get(i.digest)! });
      return;
    }
    const byDigest = new Map(items.map((i) => [i.digest, i]));
    // A Recorded event of this transaction is one of its items: the one with the event's signer
    // and nonce (no two pending items share them), if the event's record hashes to that item.
    const bySignerNonce = new Map(items.map((i) => [`${i.agent.toLowerCase()}:${i.record.nonce}`, i]));
    const skipped = new Map<number, string>();
    const recorded: { digest: string; id: bigint }[] = [];
    for (const l of receipt.logs) {
      if (l.address.toLowerCase() !== opts.ledger.toLowerCase()) continue;
      const parsed = ledgerInterface.parseLog(l);
      if (parsed?.name === "Recorded") {
        const item = bySignerNonce.get(`${String(parsed.args.signer).toLowerCase()}:${parsed.args.record.nonce}`);
        if (item && byDigest.has(item.digest) && hashRecord(toRecord(parsed.args.record)) === hashRecord(item.record)) {
          recorded.push({ digest: item.digest, id: parsed.args.id });
          byDigest.delete(item.digest);
        }
      } else if (parsed?.name === "RecordSkipped") skipped.set(Number(parsed.args.index), describeRevert(parsed.args.reason));
    }
    // One durable commit for the whole transaction, not one per record.
    queue.transaction(() => {
      for (const r of recorded) queue.markRecorded(r.digest, r.id, receipt.hash);
    });
    items.forEach((item, index) => {
      if (!byDigest.has(item.digest)) return;
      const reason = skipped.get(index);
      if (reason && !reason.startsWith("LedgerInvalidNonce")) queue.markFailed(item.digest, reason);
    });
    // Left: skipped for their nonce (perhaps recorded by another relayer) or not seen at all.
    for (const digest of byDigest.keys()) {
      const q = queue.get(digest)!;
      if (q.state === "sending") await resolve(q);
    }
  }

  async function runOnce(): Promise<number> {
    // Between rounds nothing of this process is in flight: a record still marked as sending was
    // left by an earlier process (its resolution at start failed) or its transaction is pending.
    for (const q of queue.byState("sending", 1_000)) {
      try {
        await resolve(q);
      } catch (error) {
        log(`relayer: could not resolve ${q.digest} yet: ${(error as Error).message.split("\n")[0]}`);
      }
    }
    const { plain, corrections } = await nextBatch();
    if (plain.length === 1) {
      await sendAndSettle(plain, () => ledger.record(plain[0].record, plain[0].signature));
    } else if (plain.length > 1) {
      await sendAndSettle(plain, () => ledger.recordBatch(plain.map((p) => p.record), plain.map((p) => p.signature)));
    }
    for (const c of corrections) {
      const { entries } = await readLedger(provider, opts.ledger, { fromBlock: opts.fromBlock });
      const proof = buildEntryProof(entries, c.record.corrects);
      await sendAndSettle([c], () => ledger.recordCorrection(c.record, c.signature, proof));
    }
    return plain.length + corrections.length;
  }

  const loop = (async () => {
    // Recovery first: anything that was being sent when we stopped.
    for (const q of queue.byState("sending")) {
      try {
        await resolve(q);
      } catch (error) {
        log(`relayer: could not resolve ${q.digest} yet: ${(error as Error).message}`);
      }
    }
    let backoff = 250;
    while (!stopping) {
      try {
        const sent = await runOnce();
        backoff = 250;
        if (sent === 0 || sent < batchSize) {
          await new Promise<void>((r) => {
            const t = setTimeout(r, waitMs);
            wakeUp = () => {
              clearTimeout(t);
              r();
            };
          });
          wakeUp = undefined;
        }
      } catch (error) {
        log(`relayer: ${(error as Error).message.split("\n")[0]}; retrying in ${backoff} ms`);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  })();

  // ---------------------------------------------------------------- HTTP

  const server = http.createServer((req, res) => {
    const reply = (status: number, body: object) => {
      res.writeHead(status, { "content-type": "application/json", "access-control-allow-origin": "*" });
      res.end(JSON.stringify(body));
    };
    const handle = async () => {
      const url = new URL(req.url ?? "/", "http://relayer");
      if (req.method === "OPTIONS") {
        res.writeHead(204, { "access-control-allow-origin": "*", "access-control-allow-methods": "GET, POST", "access-control-allow-headers": "content-type" });
        return res.end();
      }
      if (req.method === "GET" && url.pathname === "/health") {
        return reply(200, { ok: true, chainId: chainId.toString(), ledger: opts.ledger, relayer: wallet.address, queue: queue.counts() });
      }
      const m = /^\/records\/(0x[0-9a-fA-F]{64})$/.exec(url.pathname);
      if (req.method === "GET" && m) {
        const q = queue.get(m[1].toLowerCase());
        return q ? reply(200, view(q)) : reply(404, { error: `no record with digest ${m[1]}` });
      }
      if (req.method === "POST" && url.pathname === "/records") {
        if (!(req.headers["content-type"] ?? "").includes("application/json")) throw new HttpError(415, "send JSON (content-type: application/json)");
        const raw = await readBody(req, maxBody);
        let value: unknown;
        try {
          value = JSON.parse(raw.toString("utf8"));
        } catch {
          throw new HttpError(400, "the body is not valid JSON");
        }
        if (Array.isArray(value)) {
          if (value.length === 0 || value.length > LIMITS.maxBatch) throw new HttpError(400, `send 1 to ${LIMITS.maxBatch} records at a time`);
          const results = [];
          for (const v of value) {
            try {
              results.push((await accept(v)).body);
            } catch (error) {
              results.push({ error: (error as Error).message, status: error instanceof HttpError ? error.status : 500 });
            }
          }
          return reply(207, { results });
        }
        const { status, body } = await accept(value);
        return reply(status, body);
      }
      throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
    };
    handle().catch((error: unknown) => {
      if (error instanceof HttpError) return reply(error.status, { error: error.message });
      if (error instanceof RecordInputError) return reply(400, { error: error.message });
      log(`relayer: internal error: ${(error as Error).message}`);
      reply(503, { error: `the relayer could not check the record now (${(error as Error).message.split("\n")[0]}); retry` });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 8787, opts.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${opts.host ?? "127.0.0.1"}:${port}`;
  log(`relayer: ${url} for ledger ${opts.ledger} on chain ${chainId}, paying from ${wallet.address}`);

  return {
    url,
    address: wallet.address,
    async close() {
      stopping = true;
      wakeUp?.();
      await new Promise<void>((r) => server.close(() => r()));
      await loop;
      queue.close();
    },
  };
}

