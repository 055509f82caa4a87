// Where the accounts and entries pages read from (scripts/lib/core/indexer-client.ts sourceOf), given the latest
// check of the indexer against the Ledger's tip: the indexer only at the tip's head, a short grace
// while it catches up with new entries, and the chain with the check's reason otherwise.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { CATCH_UP_MS, indexedAccountDays, IndexerError, indexerList, ledgerTip, sourceOf } from "../scripts/lib/core/indexer-client.js";
import { ledgerInterface, rpcRetry } from "../scripts/lib/core/reader.js";
import { freePort } from "../scripts/lib/node/dev-chain.js";
import { IndexerPortTakenError, startIndexer, startIndexerOnFreePort } from "../scripts/lib/node/indexer.js";
import { startLocalChain } from "../scripts/lib/node/local-chain.js";
import type { LocalChain } from "../scripts/lib/node/local-chain.js";

const url = "http://127.0.0.1:8789";
const head = (count: bigint) => ({ count, head: "0x" + count.toString(16).padStart(48, "0"), blockNumber: 10n + count });
const behind = { ok: false as const, reason: "the indexer is at entry 31, the Ledger's tip is entry 32", behind: true };
const diverged = { ok: false as const, reason: "the indexer is at entry 31 with head 0x11…, the Ledger's tip is entry 31 with head 0x22…", behind: false };

describe("sourceOf", function () {
  it("is checking until the first check answers", function () {
    expect(sourceOf(url, undefined, 0, new Map())).to.deep.equal({ kind: "checking", url });
  });

  it("reads through the indexer when its head is the tip's", function () {
    expect(sourceOf(url, { ok: true, head: head(31n) }, 1_000, new Map())).to.deep.equal({ kind: "indexer", url, head: head(31n) });
  });

  describe("when the indexer is behind the tip", function () {
    it("keeps the head last found at the tip, saying why newer entries are missing, for up to CATCH_UP_MS", function () {
      const last = new Map();
      sourceOf(url, { ok: true, head: head(31n) }, 1_000, last);
      expect(sourceOf(url, behind, 1_000 + CATCH_UP_MS, last)).to.deep.equal({ kind: "indexer", url, head: head(31n), catchingUp: behind.reason });
    });

    it("reads the chain once it stayed behind longer", function () {
      const last = new Map();
      sourceOf(url, { ok: true, head: head(31n) }, 1_000, last);
      expect(sourceOf(url, behind, 1_001 + CATCH_UP_MS, last)).to.deep.equal({ kind: "chain", audit: false, reason: behind.reason });
    });

    it("reads the chain when it was never found at the tip (nothing verified to keep)", function () {
      expect(sourceOf(url, behind, 1_000, new Map())).to.deep.equal({ kind: "chain", audit: false, reason: behind.reason });
      const other = new Map([["http://elsewhere", { head: head(31n), at: 1_000 }]]);
      expect(sourceOf(url, behind, 1_000, other).kind, "another indexer's check counts for nothing").to.equal("chain");
    });
  });

  it("reads the chain at once when the indexer's head differs from the tip's or it is ahead, whatever was checked before", function () {
    const last = new Map();
    sourceOf(url, { ok: true, head: head(31n) }, 1_000, last);
    expect(sourceOf(url, diverged, 1_001, last)).to.deep.equal({ kind: "chain", audit: false, reason: diverged.reason });
    const unreachable = { ok: false as const, reason: "the indexer at http://127.0.0.1:8789 cannot be reached (Failed to fetch) for its head" };
    expect(sourceOf(url, unreachable, 1_001, last)).to.deep.equal({ kind: "chain", audit: false, reason: unreachable.reason });
  });
});

// The app's tip read: one eth_call over fetch (the same count and head as the Ledger's tip() is held in
// indexer-pglite and indexer-postgres against a real chain). Here, a stand-in node's bad answers, each in a sentence.
describe("ledgerTip", function () {
  const ledger = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
  let answer: (body: { method: string; params: [{ to: string; data: string }, string] }, res: http.ServerResponse) => void;
  let server: http.Server;
  let rpc: string;
  before(async function () {
    server = http.createServer((req, res) => {
      let text = "";
      req.on("data", (b: Buffer) => (text += b.toString()));
      req.on("end", () => answer(JSON.parse(text), res));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    rpc = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(function () {
    server.closeAllConnections();
    server.close();
  });
  const result = (r: unknown) => (_: unknown, res: http.ServerResponse) => res.end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: r }));
  const word = (hex: string, align: "left" | "right") => (align === "left" ? hex.padEnd(64, "0") : hex.padStart(64, "0"));

  it("asks the Ledger's tip() at the latest block, and reads the count and the head", async function () {
    let asked: unknown;
    answer = (body, res) => {
      asked = [body.method, body.params[0].to, body.params[0].data, body.params[1]];
      result("0x" + word("1f", "right") + word("ab".repeat(24), "left"))(body, res);
    };
    expect(await ledgerTip(rpc, ledger)).to.deep.equal({ count: 31n, head: "0x" + "ab".repeat(24) });
    expect(asked).to.deep.equal(["eth_call", ledger, ledgerInterface().getFunction("tip")!.selector, "latest"]);
  });

  it("refuses an answer that is not a count and a head, naming the address asked", async function () {
    const shown = new Map<unknown, string>([
      ["0x", '"0x"'],
      [42, "42"],
      [undefined, "nothing"],
      ["0x" + word("1f", "right"), `"0x${word("1f", "right")}"`],
      // A head that is not left-aligned (bytes24 ends in 8 zero bytes), shown cut after 80 characters.
      ["0x" + word("1f", "right") + "ff".repeat(32), `"0x${word("1f", "right")}${"f".repeat(13)}…`],
    ]);
    for (const [r, text] of shown) {
      answer = result(r);
      const error = await ledgerTip(rpc, ledger).catch((e: Error) => e);
      expect((error as Error).message).to.equal(`the Ledger at ${ledger} answered ${text} for tip(), not a count and a head (is it a Ledger?)`);
    }
  });

  it("passes the node's error and an HTTP status on, in rpcRetry's sentence", async function () {
    answer = (_, res) => res.end(JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: -32000, message: "execution reverted" } }));
    let error = await rpcRetry("the Ledger's tip()", () => ledgerTip(rpc, ledger)).catch((e: Error) => e);
    expect((error as Error).message).to.equal("the Ledger's tip() failed: JSON-RPC error -32000 execution reverted");
    answer = (_, res) => res.writeHead(503, "Service Unavailable").end("busy");
    error = await rpcRetry("the Ledger's tip()", () => ledgerTip(rpc, ledger), { maxAttempts: 2, backoffMs: 1 }).catch((e: Error) => e);
    expect((error as Error).message).to.equal("the Ledger's tip() failed after 2 attempts: HTTP 503 Service Unavailable");
  });

  it("gives up on a node that does not answer, after its timeout", async function () {
    answer = () => {};
    const t = Date.now();
    const error = await rpcRetry("the Ledger's tip()", () => ledgerTip(rpc, ledger, 200), { maxAttempts: 1 }).catch((e: Error) => e);
    expect((error as Error).message).to.match(/^the Ledger's tip\(\) failed after 1 attempts: request timed out \(.*\)$/);
    expect(Date.now() - t).to.be.lessThan(5_000);
  });
});

// The accounts' agents: the indexer answers them with their checksum (computed once on its side, sparing
// the browser a keccak per contributor); an older indexer's lower-case ones are checksummed here.
describe("indexedAccountDays", function () {
  const alice = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
  let rows: unknown[];
  let server: http.Server;
  let url: string;
  before(async function () {
    server = http.createServer((_, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(rows)));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(function () {
    server.closeAllConnections();
    server.close();
  });
  const row = (agent: unknown) => ({
    day: "2026-12-01",
    agent,
    commons: "0x" + "ab".repeat(32),
    action: 0,
    unit: "0x" + "68".padEnd(16, "0"),
    entries: 1,
    claimed: "1",
    accepted: "0",
    disputed: "0",
  });

  it("takes a checksummed agent as the indexer gives it, and checksums a lower-case one", async function () {
    rows = [row(alice), row(alice.toLowerCase())];
    expect((await indexedAccountDays(url)).map((d) => d.agent)).to.deep.equal([alice, alice]);
  });

  it("refuses an agent that is not an address, in a sentence", async function () {
    for (const agent of ["bob", 42, alice.slice(0, 41)]) {
      rows = [row(agent)];
      const error = await indexedAccountDays(url).catch((e: Error) => e);
      expect((error as Error).message).to.equal(
        `the indexer at ${url} answered ${JSON.stringify(agent)} as a contributor in the accounts, which is not an address`,
      );
    }
  });
});

describe("indexerList (the answers that must be lists of records: accounts, summary, tallies, commons, governance)", function () {
  let body: string;
  let server: http.Server;
  let url: string;
  before(async function () {
    server = http.createServer((_, res) => res.writeHead(200, { "content-type": "application/json" }).end(body));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(function () {
    server.closeAllConnections();
    server.close();
  });

  it("gives the records of a list", async function () {
    body = JSON.stringify([{ id: "a" }, { id: "b" }]);
    expect(await indexerList(`${url}/commons`, "the commons")).to.deep.equal([{ id: "a" }, { id: "b" }]);
    body = "[]";
    expect(await indexerList(`${url}/commons`, "the commons")).to.deep.equal([]);
  });

  describe("when the answer is not a list, or holds something that is not a record", function () {
    it("refuses it in a sentence naming the indexer, what was asked and what came, cut at 60 characters", async function () {
      for (const [given, said] of [
        [{ error: "not an array" }, `answered {"error":"not an array"} for the commons, not a list`],
        ["x".repeat(100), `answered "${"x".repeat(59)}… for the commons, not a list`],
        [null, "answered null for the commons, not a list"],
        [[{ id: "a" }, 7], "answered 7 as item 2 of the commons, not a record"],
        [[null], "answered null as item 1 of the commons, not a record"],
        [[[1, 2]], "answered [1,2] as item 1 of the commons, not a record"],
      ] as const) {
        body = JSON.stringify(given);
        const error = await indexerList(`${url}/commons`, "the commons").catch((e: Error) => e);
        expect(error).to.be.instanceOf(IndexerError);
        expect((error as Error).message).to.equal(`the indexer at ${url} ${said}`);
      }
    });
  });
});

// Starting the indexer: a backfill that keeps moving is waited for however long it takes (a live
// network's ledger); one that shows no progress is stopped and said so.
describe("startIndexer", function () {
  it("stops an indexer that indexes no later block for stallMs (here: its node accepts requests and never answers), saying so", async function () {
    this.timeout(60_000);
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const dir = mkdtempSync(path.join(os.tmpdir(), "commons-stall-"));
    try {
      const error = await startIndexer({
        rpcUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
        chainId: 31337,
        ledger: "0x000000000000000000000000000000000000dEaD",
        fromBlock: 0,
        port: await freePort(),
        dataDir: dir,
        stallMs: 3_000,
      }).catch((e: Error) => e);
      expect((error as Error).message).to.equal(`the indexer was not ready and showed no progress for 3 s; see ${path.join(dir, "indexer.log")}`);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("when another program holds its port (Ponder would move to the next port, where nobody looks)", function () {
    this.timeout(120_000);
    let chain: LocalChain;
    let dir: string;
    /** A stranger on a port of its own that answers 200 "{}" to anything, and what it was asked. */
    let stranger: http.Server;
    let strangerPort: number;
    const asked: string[] = [];
    const options = (sub: string) => ({
      rpcUrl: chain.url,
      chainId: 31337,
      ledger: "0x000000000000000000000000000000000000dEaD",
      fromBlock: 0,
      dataDir: path.join(dir, sub),
      pollMs: 100,
    });
    before(async function () {
      dir = mkdtempSync(path.join(os.tmpdir(), "commons-port-"));
      chain = await startLocalChain({ dataDir: path.join(dir, "chain"), port: await freePort() });
      stranger = http.createServer((req, res) => {
        asked.push(req.url!);
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
      await new Promise<void>((resolve) => stranger.listen(0, "127.0.0.1", resolve));
      strangerPort = (stranger.address() as AddressInfo).port;
    });
    after(async function () {
      stranger?.close();
      await chain?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("refuses to start, saying which port and what to do, never asks the stranger anything, and leaves no indexer running", async function () {
      const error = await startIndexer({ ...options("taken"), port: strangerPort }).catch((e: Error) => e);
      expect(error).to.be.instanceOf(IndexerPortTakenError);
      expect((error as Error).message).to.equal(
        `port ${strangerPort} is already in use by another program: stop it, or give the indexer another port (--port, COMMONS_INDEXER_PORT)`,
      );
      expect(asked).to.deep.equal([]);
      // Ponder had moved to the next port: nothing listens there once it was refused.
      const next = await fetch(`http://127.0.0.1:${strangerPort + 1}/health`).then(
        (r) => r.status,
        () => "refused",
      );
      expect(next).to.equal("refused");
    });

    it("startIndexerOnFreePort tries another free port when the one it found was taken meanwhile; the indexer listens on 127.0.0.1 alone", async function () {
      const ports = [strangerPort];
      const indexer = await startIndexerOnFreePort(options("free"), async () => ports.shift() ?? freePort());
      try {
        expect(indexer.url).to.not.equal(`http://127.0.0.1:${strangerPort}`);
        expect((await indexer.head()).count).to.equal(0n);
        const port = Number(new URL(indexer.url).port);
        const listening = readFileSync("/proc/net/tcp", "utf8") + readFileSync("/proc/net/tcp6", "utf8");
        // /proc/net/tcp: "local_address" as hex IP:PORT, state 0A = LISTEN; 0100007F is 127.0.0.1.
        const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
        const sockets = listening.split("\n").filter((line) => line.includes(`:${hexPort} `) && / 0A /.test(line));
        expect(sockets.map((line) => line.trim().split(/\s+/)[1])).to.deep.equal([`0100007F:${hexPort}`]);
      } finally {
        await indexer.stop();
      }
      expect(asked).to.deep.equal([]);
    });
  });
});
