// Runs the Ponder indexer (scripts/indexer/) as a process of its own: embedded PGlite under
// `dataDir` by default, PostgreSQL when `databaseUrl` (or DATABASE_URL) is given. Resolves once its
// API answers; `waitForCount` waits until it has indexed a given number of entries.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export interface IndexerOptions {
  rpcUrl: string;
  chainId: number;
  ledger: string;
  /** The ReciprocityRegistry beside the Ledger, if the deployment has one: its works and records are indexed too. */
  registry?: string;
  /** The IncomeDistributor beside the Ledger, if the deployment has one: its distributions, claims, objections and deposits are indexed too. */
  distributor?: string;
  fromBlock: number;
  port: number;
  /** The address it listens on (default 127.0.0.1: this machine alone; 0.0.0.0 or :: for every interface). */
  hostname?: string;
  /** Where PGlite keeps its files (and the log, indexer.log). */
  dataDir: string;
  /** PostgreSQL instead of PGlite. */
  databaseUrl?: string;
  /** The database schema this instance owns (one per ledger; Ponder locks it). */
  schema?: string;
  /** Milliseconds between polls of the chain for new blocks. */
  pollMs?: number;
  ownProcessGroup?: boolean;
  /** The Ponder project to run (default: ours, scripts/indexer; the scale benchmark runs one whose handlers do nothing). */
  project?: string;
  /** How long the indexer may show no progress before it is ready (default 120 s): a backfill that keeps moving is waited for, however long. */
  stallMs?: number;
  /** Called with the process as soon as it is spawned (before it is ready), so that it can be stopped meanwhile. */
  onSpawn?: (child: ChildProcess) => void;
}

export interface Indexer {
  url: string;
  process: ChildProcess;
  /** The head the indexer has reached (GET /head). */
  head(): Promise<{ count: bigint; head: string; blockNumber: bigint }>;
  /** Waits until the indexer has stored `count` entries (or throws after `timeoutMs`). */
  waitForCount(count: bigint, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Ponder's CLI script, run with this Node directly (so the child's PID is the indexer's). */
function ponderBin(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.resolve("ponder"))), "bin", "ponder.js");
}

/** Ponder found its schema written by another version of the indexer (its tables or handlers changed since). */
const OTHER_BUILD = "was previously used by a different Ponder app";

/**
 * Starts the indexer. An embedded database written by another version of the indexer (after an
 * update changed its tables or handlers) is the chain's data indexed the old way: it is deleted and
 * the chain indexed afresh. A PostgreSQL schema is not ours to drop: that is said in a sentence.
 */
export async function startIndexer(o: IndexerOptions): Promise<Indexer> {
  const databaseUrl = o.databaseUrl ?? process.env.DATABASE_URL;
  try {
    return await launchIndexer(o, databaseUrl);
  } catch (error) {
    if (!(error instanceof OtherBuildError)) throw error;
    if (databaseUrl)
      throw new Error(
        `the PostgreSQL schema "${o.schema ?? "commons"}" holds another version of the indexer's tables: drop it (DROP SCHEMA "${o.schema ?? "commons"}" CASCADE) or give the indexer another schema`,
        { cause: error },
      );
    writeFileSync(path.join(o.dataDir, "indexer.log"), "the embedded database was written by another version of the indexer: indexing the chain afresh\n", {
      flag: "a",
    });
    rmSync(path.join(o.dataDir, "pglite"), { recursive: true, force: true });
    return launchIndexer(o, databaseUrl);
  }
}

class OtherBuildError extends Error {}

/** The indexer's port was taken by another program: Ponder would have moved to the next free one, where nobody would look for it. */
export class IndexerPortTakenError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} is already in use by another program: stop it, or give the indexer another port (--port, COMMONS_INDEXER_PORT)`);
  }
}

/**
 * Starts the indexer on a free port (tests, benchmarks): a port found free can be taken by another
 * program before Ponder listens on it, and then another free one is tried, up to three times.
 */
export async function startIndexerOnFreePort(o: Omit<IndexerOptions, "port">, freePort: () => Promise<number>): Promise<Indexer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startIndexer({ ...o, port: await freePort() });
    } catch (error) {
      if (!(error instanceof IndexerPortTakenError) || attempt === 3) throw error;
    }
  }
}

async function launchIndexer(o: IndexerOptions, databaseUrl: string | undefined): Promise<Indexer> {
  mkdirSync(o.dataDir, { recursive: true });
  const project = o.project ?? path.join(root, "scripts", "indexer");
  const log = createWriteStream(path.join(o.dataDir, "indexer.log"), { flags: "a" });
  const child = spawn(
    process.execPath,
    [
      ponderBin(),
      "start",
      "--root",
      project,
      "--port",
      String(o.port),
      "--hostname",
      o.hostname ?? "127.0.0.1",
      "--schema",
      o.schema ?? "commons",
      "--log-format",
      "json",
    ],
    {
      // Ponder writes generated/schema.graphql (and its .ponder cache) under the working directory.
      cwd: project,
      env: {
        ...process.env,
        PONDER_TELEMETRY_DISABLED: "true",
        COMMONS_RPC: o.rpcUrl,
        COMMONS_CHAIN_ID: String(o.chainId),
        COMMONS_LEDGER: o.ledger,
        COMMONS_REGISTRY: o.registry ?? "",
        COMMONS_DISTRIBUTOR: o.distributor ?? "",
        COMMONS_FROM_BLOCK: String(o.fromBlock),
        COMMONS_INDEXER_DIR: path.join(o.dataDir, "pglite"),
        COMMONS_INDEXER_POLL_MS: String(o.pollMs ?? 500),
        DATABASE_URL: databaseUrl ?? "",
        DATABASE_PRIVATE_URL: "",
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: o.ownProcessGroup ?? false,
    },
  );
  o.onSpawn?.(child);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  // The output's end, to tell why it stopped before it was ready.
  let tail = "";
  for (const stream of [child.stdout, child.stderr]) stream.on("data", (b: Buffer) => (tail = (tail + b.toString()).slice(-20_000)));
  // The port its server listens on, from its log ("Created HTTP server"): Ponder moves to the next
  // port when the one asked for is taken, and then whatever holds that port would be asked instead.
  let listening: number | undefined;
  let partial = "";
  child.stdout.on("data", (b: Buffer) => {
    const lines = (partial + b.toString()).split("\n");
    partial = lines.pop()!;
    for (const line of lines) {
      if (listening !== undefined || !line.includes("Created HTTP server")) continue;
      try {
        listening = Number((JSON.parse(line) as { port?: unknown }).port);
      } catch {
        // not one of its JSON lines
      }
    }
  });
  let exited: number | null | undefined;
  // "close": after its output has all been read (the reason it stopped is in it).
  child.once("close", (code) => (exited = code));
  // Asked on loopback when it listens on every interface.
  const host = o.hostname === undefined || o.hostname === "0.0.0.0" || o.hostname === "::" ? "127.0.0.1" : o.hostname;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${o.port}`;

  const head = async () => {
    const r = (await (await fetch(`${url}/head`)).json()) as { count: string; head: string; blockNumber: string };
    return { count: BigInt(r.count), head: r.head, blockNumber: BigInt(r.blockNumber) };
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      if (exited !== undefined) return resolve();
      child.once("close", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    });

  // Ponder answers /health at once and /ready (200) once the backfill is done. A long backfill (a
  // live network's ledger) may take many minutes: the wait ends only when the indexer has indexed no
  // later block (Ponder's /status) for `stallMs`. (Its output is no sign: an indexer whose node is
  // down logs its retries forever.)
  const stallMs = o.stallMs ?? 120_000;
  let lastSign = Date.now();
  let lastBlock = -1;
  for (;;) {
    if (exited !== undefined && tail.includes(OTHER_BUILD)) throw new OtherBuildError(OTHER_BUILD);
    // Taken between Ponder's check of the port and its listening on it.
    if (exited !== undefined && tail.includes("EADDRINUSE")) throw new IndexerPortTakenError(o.port);
    if (exited !== undefined) throw new Error(`the indexer exited with code ${exited} before it was ready; see ${path.join(o.dataDir, "indexer.log")}`);
    if (listening !== undefined && listening !== o.port) {
      await stop();
      throw new IndexerPortTakenError(o.port);
    }
    // Nothing is asked before its own server listens: what answers on the port before that is not it.
    if (listening !== undefined)
      try {
        if ((await fetch(`${url}/ready`)).status === 200) break;
        const status = (await (await fetch(`${url}/status`)).json()) as { ledger?: { block?: { number?: number } } };
        const block = status.ledger?.block?.number ?? -1;
        if (block > lastBlock) [lastBlock, lastSign] = [block, Date.now()];
      } catch {
        // not listening yet
      }
    if (Date.now() - lastSign > stallMs) {
      await stop();
      throw new Error(
        `the indexer was not ready and showed no progress for ${Math.round(stallMs / 1000)} s${lastBlock >= 0 ? ` (it had indexed up to block ${lastBlock})` : ""}; see ${path.join(o.dataDir, "indexer.log")}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    process: child,
    head,
    async waitForCount(count, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const h = await head();
        if (h.count >= count) return;
        if (Date.now() > until) throw new Error(`the indexer reached entry ${h.count} of ${count} within ${timeoutMs / 1000} s`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop,
  };
}
