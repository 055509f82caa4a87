// The relayer: accepts signed records, signed validations and (given the registry) licensees'
// signed declarations over HTTP (POST /records takes them all, told apart by their `type`), checks them as the Ledger would before queueing
// (admission.ts), keeps them in a durable queue (queue.ts), sends them in fair, bounded batches
// (sender.ts) and reports each record's state by its digest. It never loses an acknowledged
// record and never records one twice: before resending anything it looked at after a crash or an
// RPC failure, it checks on-chain whether the record's nonce was consumed and by which entry
// (entries.ts keeps what it has read of the ledger up to date).
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { JsonRpcProvider, Wallet } from "ethers";
import { ledgerDomain } from "../core/record.js";
import { LIMITS, RecordInputError } from "../core/vocabulary.js";
import { Admission, Refusal, view, viewMessage } from "./admission.js";
import { EntryIndex } from "./entries.js";
import { RelayQueue } from "./queue.js";
import { MAX_CALLDATA_BYTES, Sender } from "./sender.js";
import { DAY_MS, utcDay } from "../core/time.js";

export interface RelayerOptions {
  provider: JsonRpcProvider;
  /**
   * The connection that sends transactions and follows them (default: provider). A connection
   * of its own keeps the send loop's calls out of the queue of admission's calls, which hostile
   * load makes long.
   */
  sendProvider?: JsonRpcProvider;
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
  /** Pending records per signer (every nonce key together), and in all. */
  maxPendingPerSigner?: number;
  maxPending?: number;
  /** Sequences accepted beyond the ledger's next one and those already held (default 16). */
  gapWindow?: number;
  /** How long recorded and failed records stay answerable before they are pruned, in ms (default 7 days). */
  retentionMs?: number;
  /** Transactions that may carry one record before it fails (default 5), and the first retry delay in ms (default 1,000, doubling). */
  maxAttempts?: number;
  retryBaseMs?: number;
  /** Wallet (ERC-1271) items per batch (default 16). */
  maxWalletItems?: number;
  /** The ReciprocityRegistry whose signed declarations the relayer also sends (none: it refuses them). */
  registry?: string;
  /** The Directory whose signed profiles the relayer also sends (none: it refuses them). */
  directory?: string;
  /** Relay validations by accounts the entry's commons has not appointed (endorsements; default false: see AdmissionLimits). */
  relayEndorsements?: boolean;
  /** Gas this relayer pays per UTC day for one signer's messages (default 10,000,000; 0n: no limit), and in all (default 0n: no limit). */
  dailyGasPerSigner?: bigint;
  dailyGas?: bigint;
  log?: (line: string) => void;
}

export interface Relayer {
  url: string;
  address: string;
  close(): Promise<void>;
}

/** About 450 records a day in batches, or 180 validations sent alone: far beyond one person's day, far below a drain. */
export const DEFAULT_DAILY_GAS_PER_SIGNER = 10_000_000n;
const PRUNE_EVERY_MS = 60_000;

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
  const tooLarge = () => new Refusal(413, `the body is larger than ${max} bytes`);
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
  const retentionMs = opts.retentionMs ?? 7 * DAY_MS;
  const { provider, wallet } = opts;
  const { chainId } = await provider.getNetwork();
  const queue = new RelayQueue(opts.dbFile);
  const entries = new EntryIndex(provider, opts.ledger, opts.fromBlock);
  let stopping = false;

  // Records that can go in the next batch, accepted since the round began: a full batch wakes the loop.
  let readySinceRound = 0;
  let wakeUp: (() => void) | undefined;
  const admission = new Admission(
    provider,
    opts.ledger,
    chainId,
    ledgerDomain(chainId, opts.ledger),
    queue,
    entries,
    {
      gapWindow: opts.gapWindow ?? 16,
      maxPendingPerSigner: opts.maxPendingPerSigner ?? 100,
      maxPending: opts.maxPending ?? 100_000,
      ratePerSecond: opts.ratePerSecond ?? 50,
      burst: opts.burst ?? 500,
      relayEndorsements: opts.relayEndorsements ?? false,
      dailyGasPerSigner: opts.dailyGasPerSigner ?? DEFAULT_DAILY_GAS_PER_SIGNER,
      dailyGas: opts.dailyGas ?? 0n,
    },
    (ready) => {
      if (ready && ++readySinceRound >= batchSize) wakeUp?.();
    },
    opts.registry,
    opts.directory,
  );
  const sendProvider = opts.sendProvider ?? provider;
  const sender = new Sender(sendProvider, wallet.connect(sendProvider), opts.ledger, opts.fromBlock, queue, entries, {
    batchSize,
    maxCalldataBytes: MAX_CALLDATA_BYTES,
    maxBatchGas: 15_000_000n,
    maxWalletItems: opts.maxWalletItems ?? 16,
    maxAttempts: opts.maxAttempts ?? 5,
    retryBaseMs: opts.retryBaseMs ?? 1_000,
    txTimeoutMs: 120_000,
    registry: opts.registry,
    directory: opts.directory,
    log,
  });
  // The ledger is read once in the background; what needs it (replays, corrections) waits for it.
  entries.refresh(0).catch((error: Error) => log(`relayer: could not read the ledger yet: ${error.message.split("\n")[0]}`));

  const loop = (async () => {
    let backoff = 250;
    let prunedAt = 0;
    while (!stopping) {
      try {
        if (Date.now() - prunedAt > Math.min(PRUNE_EVERY_MS, retentionMs / 4)) {
          const pruned = queue.prune(Date.now() - retentionMs);
          if (pruned > 0) log(`relayer: pruned ${pruned} records finished more than ${(retentionMs / DAY_MS).toFixed(2)} days ago`);
          prunedAt = Date.now();
        }
        readySinceRound = 0;
        const roundStart = Date.now();
        const { sent, more } = await sender.runOnce();
        backoff = 250;
        // Rounds start every waitMs (counted from their start, so that a record that arrives
        // during a long round waits no longer than one that arrives at an idle relayer); sooner
        // when a full batch is ready, or when a budget (bytes, wallet items) closed the last one
        // with records left that could go now.
        if (sent < batchSize && !more && !stopping) {
          await new Promise<void>((r) => {
            const t = setTimeout(r, Math.max(0, roundStart + waitMs - Date.now()));
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
        // What this relayer paid today (UTC) and its daily budgets ("0": none), as decimal strings.
        const day = utcDay(Date.now());
        const spending = {
          day: new Date(day * DAY_MS).toISOString().slice(0, 10),
          gas: queue.spent(day).toString(),
          dailyGas: (opts.dailyGas ?? 0n).toString(),
          dailyGasPerSigner: (opts.dailyGasPerSigner ?? DEFAULT_DAILY_GAS_PER_SIGNER).toString(),
        };
        return reply(200, { ok: true, chainId: chainId.toString(), ledger: opts.ledger, relayer: wallet.address, queue: queue.counts(), spending });
      }
      const m = /^\/records\/(0x[0-9a-fA-F]{64})$/.exec(url.pathname);
      if (req.method === "GET" && m) {
        const q = queue.get(m[1].toLowerCase());
        if (q) return reply(200, view(q));
        const message = queue.getMessage(m[1].toLowerCase());
        return message ? reply(200, viewMessage(message)) : reply(404, { error: `no record with digest ${m[1]}` });
      }
      if (req.method === "POST" && url.pathname === "/records") {
        if (!(req.headers["content-type"] ?? "").includes("application/json")) throw new Refusal(415, "send JSON (content-type: application/json)");
        const raw = await readBody(req, maxBody);
        let value: unknown;
        try {
          value = JSON.parse(raw.toString("utf8"));
        } catch {
          throw new Refusal(400, "the body is not valid JSON");
        }
        if (Array.isArray(value)) {
          if (value.length === 0 || value.length > LIMITS.maxBatch) throw new Refusal(400, `send 1 to ${LIMITS.maxBatch} records at a time`);
          const results = [];
          for (const v of value) {
            try {
              results.push((await admission.accept(v)).body);
            } catch (error) {
              results.push({ error: (error as Error).message, status: statusOf(error) });
              if (statusOf(error) === 500) log(`relayer: internal error: ${(error as Error).message}`);
            }
          }
          return reply(207, { results });
        }
        const { status, body } = await admission.accept(value);
        return reply(status, body);
      }
      throw new Refusal(404, `no route ${req.method} ${url.pathname}`);
    };
    handle().catch((error: unknown) => {
      const status = statusOf(error);
      if (status !== 500) return reply(status, { error: (error as Error).message });
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

/** The HTTP status of a refusal; 500 for anything unexpected. */
function statusOf(error: unknown): number {
  if (error instanceof Refusal) return error.status;
  if (error instanceof RecordInputError) return 400;
  return 500;
}
