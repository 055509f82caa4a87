// FT-RESTART: the relayer is killed with SIGKILL at random points (a seeded schedule) while 500
// signed records flow in from a client that retries a POST when the connection fails, and is
// restarted on the same queue database. In the end every record is recorded exactly once.
//
// The relayer talks to anvil through a small JSON-RPC proxy. When the test arms it, the proxy
// forwards the next eth_sendRawTransaction (anvil mines it at once) and holds back the answer, so
// that the kill lands while the relayer's transaction is in flight: mined, but not yet known to
// the relayer. Set RELAYER_CRASH_SEED to replay another schedule.
import pMap from "p-map";
import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Contract } from "ethers";
import { LEDGER_ABI } from "../scripts/lib/core/abi.js";
import {
  FastRecordSigner,
  getHealth,
  getRecord,
  kitWallets,
  postRetrying,
  seededRandom,
  spawnRelayer,
  waitFor,
  workRecord,
} from "../scripts/lib/kit/relayer.js";
import type { RecordState, RelayerChild } from "../scripts/lib/kit/relayer.js";
import { readLedger } from "../scripts/lib/core/reader.js";
import { hashRecord, ledgerDomain, packNonce } from "../scripts/lib/core/record.js";
import type { LedgerRecord, SignedRecordJson } from "../scripts/lib/core/record.js";
import { freePort, startLocalLedger } from "./helpers/local-ledger.js";
import type { LocalLedger } from "./helpers/local-ledger.js";

const SEED = Number(process.env.RELAYER_CRASH_SEED ?? 0x5eed_4);
const SIGNERS = 48; // x 10 sequential nonces (key 0) = 480
const SEQUENCES = 10;
const KEYED_SIGNERS = 5; // x 4 independent nonce keys (1..4), sequence 0 each = 20
const KEYS = 4;
const KILLS = 6; // alternately at a random time and while a transaction is in flight
const HOLD_MS = 400; // how long the proxy holds back an armed eth_sendRawTransaction answer

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RpcProxy {
  url: string;
  /** Transactions broadcast through the proxy. */
  sends: number;
  /**
   * Arms the proxy: resolves when the next eth_sendRawTransaction has reached anvil (and is mined),
   * while its answer is held back for HOLD_MS; or with false after `timeoutMs` without one.
   */
  nextSend(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

async function startRpcProxy(upstream: string): Promise<RpcProxy> {
  let armed: (() => void) | undefined;
  const state = { sends: 0 };
  const server = http.createServer((req, res) => {
    res.on("error", () => {});
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", () => {});
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let sending = false;
      try {
        const json = JSON.parse(body);
        sending = (Array.isArray(json) ? json : [json]).some((m) => m?.method === "eth_sendRawTransaction");
      } catch {
        /* forwarded as it is */
      }
      let status: number;
      let text: string;
      try {
        const answer = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
        status = answer.status;
        text = await answer.text();
      } catch {
        res.destroy();
        return;
      }
      if (sending) {
        state.sends++;
        const hit = armed;
        armed = undefined;
        if (hit) {
          hit();
          await sleep(HOLD_MS);
        }
      }
      if (res.destroyed || req.socket.destroyed) return;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get sends() {
      return state.sends;
    },
    nextSend(timeoutMs) {
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          armed = undefined;
          resolve(false);
        }, timeoutMs);
        armed = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The queue's rows by state, read from the database file while the relayer is down. */
function queueStates(db: string): Record<string, number> {
  const d = new DatabaseSync(db);
  try {
    const rows = d.prepare("SELECT state, COUNT(*) AS n FROM records GROUP BY state").all() as { state: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  } finally {
    d.close();
  }
}

describe("relayer crash recovery (FT-RESTART)", function () {
  this.timeout(300_000);
  let l: LocalLedger;
  let proxy: RpcProxy;
  let relayer: RelayerChild | undefined;

  before(async () => {
    l = await startLocalLedger();
    proxy = await startRpcProxy(l.rpc);
  });
  after(async () => {
    await relayer?.stop();
    await proxy?.close();
    await l?.stop();
  });

  it(`records each of 500 records exactly once while the relayer is killed ${KILLS} times with SIGKILL (seed ${SEED})`, async () => {
    const rand = seededRandom(SEED);
    const signer = new FastRecordSigner(ledgerDomain(31337n, l.ledger));
    const now = BigInt((await l.provider.getBlock("latest"))!.timestamp);
    const at = { time: now - 60n, deadline: now + 3600n };

    // 480 records from 48 signers with sequential nonces, 20 with independent nonce keys.
    const records: { record: LedgerRecord; json: SignedRecordJson }[] = [];
    const sequential = kitWallets("crash", SIGNERS);
    for (let s = 0; s < SEQUENCES; s++) {
      for (const w of sequential) records.push({ record: workRecord(w.address, { ...at, nonce: packNonce(0n, BigInt(s)) }), json: undefined! });
    }
    const keyed = kitWallets("crash-keyed", KEYED_SIGNERS);
    for (let k = 1; k <= KEYS; k++) {
      for (const w of keyed) records.push({ record: workRecord(w.address, { ...at, nonce: packNonce(BigInt(k), 0n) }), json: undefined! });
    }
    const wallets = new Map([...sequential, ...keyed].map((w) => [w.address, w]));
    for (const r of records) r.json = signer.sign(wallets.get(r.record.provider)!, r.record);
    expect(records).to.have.length(500);
    // Roughly in nonce order, with some records moved ahead of their predecessors.
    for (let i = 0; i < records.length; i++) {
      if (rand() < 0.15) {
        const j = Math.min(records.length - 1, i + 1 + Math.floor(rand() * 60));
        [records[i], records[j]] = [records[j], records[i]];
      }
    }

    const port = await freePort();
    const db = path.join(l.dataDir, "relayer-crash.sqlite");
    const start = () => spawnRelayer({ rpc: proxy.url, ledger: l.ledger, fromBlock: l.fromBlock, db, port, args: ["--batch-size", "10", "--wait-ms", "50"] });
    const url = `http://127.0.0.1:${port}`;
    relayer = await start();

    // The client: 6 workers, paced so that the flow lasts through the kills, each POST retried
    // until the relayer answers 200 or 202.
    let retries = 0;
    let posted = 0;
    const posting = pMap(
      records,
      async ({ json }) => {
        await sleep(40 + rand() * 40);
        const reply = await postRetrying(url, json, { delayMs: 50, timeoutMs: 120_000 });
        retries += reply.attempts - 1;
        posted++;
      },
      { concurrency: 6 },
    );
    posting.catch(() => {}); // awaited below; a failure must not be an unhandled rejection meanwhile

    const kills: { kind: string; afterPosted: number; sendsSoFar: number; queue: Record<string, number> }[] = [];
    for (let k = 0; k < KILLS; k++) {
      let kind = k % 2 === 0 ? "random time" : "tx in flight";
      if (kind === "tx in flight") {
        if (await proxy.nextSend(15_000)) await sleep(rand() * HOLD_MS * 0.75);
        else kind = "random time (no tx came)";
      } else {
        await sleep(500 + rand() * 2_500);
      }
      await relayer.kill();
      const queue = queueStates(db);
      kills.push({ kind, afterPosted: posted, sendsSoFar: proxy.sends, queue });
      if (kind === "tx in flight") expect(queue.sending ?? 0, "records in flight at the kill").to.be.greaterThan(0);
      await sleep(rand() * 500); // down for a moment; the client keeps retrying
      relayer = await start();
    }
    expect(kills.filter((k) => k.kind === "tx in flight").length, JSON.stringify(kills)).to.be.at.least(2);
    expect(kills.filter((k) => k.afterPosted < records.length).length, "kills while records were still being posted").to.be.at.least(3);

    await posting;
    let last: Awaited<ReturnType<typeof getHealth>> | undefined;
    const health = await waitFor(
      "every record to be recorded",
      async () => {
        const h = (last = await getHealth(url));
        if (h.queue.failed > 0) throw new Error(`records failed: ${JSON.stringify(h.queue)}`);
        return h.queue.recorded === 500 ? h : undefined;
      },
      90_000,
      200,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}; queue ${JSON.stringify(last?.queue)}; kills ${JSON.stringify(kills)}; relayer output:\n${relayer!.output().slice(-3000)}`,
      );
    });
    expect(health.queue).to.deep.equal({ queued: 0, sending: 0, recorded: 500, failed: 0 });

    // On-chain: exactly the 500 record hashes, each once, with dense entry ids 1..500.
    const { entries } = await readLedger(l.provider, l.ledger, { fromBlock: l.fromBlock });
    expect(entries).to.have.length(500);
    expect(entries.map((e) => e.id)).to.deep.equal(Array.from({ length: 500 }, (_, i) => BigInt(i + 1)));
    const byHash = new Map(entries.map((e) => [e.recordHash, e]));
    expect(byHash.size).to.equal(500);
    for (const { record } of records) expect(byHash.has(hashRecord(record)), `record ${record.provider}/${record.nonce} on-chain`).to.equal(true);
    const { count } = await new Contract(l.ledger, LEDGER_ABI, l.provider).tip();
    expect(count).to.equal(500n);

    // The relayer reports each record's real entry id and transaction.
    await pMap(
      records,
      async ({ record, json }) => {
        const reply = await getRecord(url, json.digest);
        const state = reply.body as RecordState;
        const entry = byHash.get(hashRecord(record))!;
        expect(state.state).to.equal("recorded");
        expect(state.entryId).to.equal(entry.id.toString());
        expect(state.txHash).to.equal(entry.transactionHash);
      },
      { concurrency: 8 },
    );

    // Each signer's sequential records are entries in nonce order.
    for (const w of sequential) {
      const seqs = entries.filter((e) => e.signer === w.address).map((e) => e.record.nonce);
      expect(seqs).to.deep.equal(Array.from({ length: SEQUENCES }, (_, s) => BigInt(s)));
    }

    console.log(`      seed ${SEED}: ${kills.length} kills, ${retries} client retries, ${proxy.sends} transactions broadcast`);
    for (const k of kills) console.log(`        killed (${k.kind}) after ${k.afterPosted} posted, ${k.sendsSoFar} txs: queue ${JSON.stringify(k.queue)}`);
  });
});
