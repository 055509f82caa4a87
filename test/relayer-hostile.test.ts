// The relayer against the attacks of the December 2026 review (R-1..R-6, F-4) and the checklist's
// RELAY-FAIR, RELAY-GAS and RELAY-SIZE: each attack is refused at admission or made harmless, and
// an honest signer's record goes through. Relayers run in this process (startRelayer), so that a
// test can give one a provider that injects faults or flips a wallet at a chosen RPC call.
import pMap from "p-map";
import { expect } from "chai";
import { statSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { JsonRpcProvider, Network, Signature } from "ethers";
import type { TransactionReceipt, Wallet } from "ethers";
import {
  deployWalletMock,
  FastRecordSigner,
  getRecord,
  hostileRecords,
  kitWallet,
  kitWallets,
  postRecord,
  prepareHostile,
  setWalletMode,
  WALLET_MODE,
  waitFor,
  waitRecorded,
  workRecord,
  recordDirectly as recordDirectlyBy,
} from "../scripts/lib/kit/relayer.js";
import type { HostileKind, RecordState } from "../scripts/lib/kit/relayer.js";
import { buildEntryProof } from "../scripts/lib/core/proof.js";
import { ledgerInterface, readLedger } from "../scripts/lib/core/reader.js";
import { fromSignedJson, ledgerDomain, packNonce, toSignedJson } from "../scripts/lib/core/record.js";
import type { LedgerRecord, SignedRecordJson } from "../scripts/lib/core/record.js";
import { EntryIndex } from "../scripts/lib/relayer/entries.js";
import { RelayQueue } from "../scripts/lib/relayer/queue.js";
import { MAX_TX_BYTES } from "../scripts/lib/relayer/sender.js";
import type { Relayer, RelayerOptions } from "../scripts/lib/relayer/service.js";
import { devWallet } from "../scripts/demo/seed.js";
import { startLocalLedger, startTestRelayer } from "./helpers/local-ledger.js";
import type { LocalLedger } from "./helpers/local-ledger.js";

/** A provider that runs hooks before chosen JSON-RPC methods, and may answer them itself. */
class HookedProvider extends JsonRpcProvider {
  readonly hooks = new Map<string, (params: unknown[]) => Promise<unknown>>();
  readonly calls: { method: string; params: unknown[]; at: number }[] = [];
  override async send(method: string, params: unknown[] | Record<string, unknown>): Promise<unknown> {
    const p = params as unknown[];
    this.calls.push({ method, params: p, at: Date.now() });
    const hook = this.hooks.get(method);
    if (hook) {
      const answer = await hook(p);
      if (answer !== undefined) return answer;
    }
    return super.send(method, params);
  }
}

/** Pending rows per agent, the largest first, read from the queue's database. */
function pendingPerAgent(db: string): { agent: string; n: number }[] {
  const d = new DatabaseSync(db, { readOnly: true });
  try {
    return (
      d.prepare("SELECT agent, COUNT(*) AS n FROM records WHERE state IN ('queued', 'sending') GROUP BY agent ORDER BY n DESC").all() as {
        agent: string;
        n: number;
      }[]
    ).map((r) => ({ agent: r.agent, n: Number(r.n) }));
  } finally {
    d.close();
  }
}

describe("relayer under attack (review 2026-12: R-1..R-6, F-4)", function () {
  this.timeout(600_000);
  let l: LocalLedger;
  let signer: FastRecordSigner;
  let payer: Wallet;
  let chainNow: () => Promise<bigint>;
  /** A typical record by `agent`: time a minute ago, valid for an hour. */
  let recordOf: (agent: string, nonce: bigint, extra?: Partial<LedgerRecord>) => Promise<LedgerRecord>;
  let relayer: Relayer | undefined;
  let provider: HookedProvider;
  let lines: string[];

  /** A relayer in this process, paying from dev account 1, with its own database. */
  async function start(name: string, o: Partial<RelayerOptions> = {}): Promise<Relayer> {
    relayer = await startTestRelayer(l, 1, path.join(l.dataDir, `${name}.sqlite`), { provider, log: (x) => lines.push(x), ...o });
    return relayer;
  }
  const db = (name: string) => path.join(l.dataDir, `${name}.sqlite`);

  /** Records `jsons` directly (paid by dev account 9); returns their entry ids. */
  const recordDirectly = (jsons: SignedRecordJson[]) => recordDirectlyBy(l.ledger, payer, jsons);

  async function waitState(url: string, digest: string, state: RecordState["state"], timeoutMs = 30_000): Promise<RecordState> {
    return waitFor(
      `${digest} to be ${state}`,
      async () => {
        const s = (await getRecord(url, digest)).body as RecordState;
        return s.state === state ? s : undefined;
      },
      timeoutMs,
    );
  }

  before(async () => {
    l = await startLocalLedger();
    signer = new FastRecordSigner(ledgerDomain(31337n, l.ledger));
    payer = devWallet(9, l.provider) as unknown as Wallet;
    chainNow = async () => BigInt((await l.provider.getBlock("latest"))!.timestamp);
    recordOf = async (agent, nonce, extra = {}) => {
      const now = await chainNow();
      return { ...workRecord(agent, { nonce, time: now - 60n, deadline: now + 3600n }), ...extra };
    };
  });
  beforeEach(() => {
    lines = [];
    provider = new HookedProvider(l.rpc, Network.from(31337), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 50 });
  });
  afterEach(async function () {
    await relayer?.close();
    relayer = undefined;
    provider.destroy();
    if (this.currentTest?.state === "failed") console.log(lines.slice(-20).join("\n"));
  });
  after(async () => l?.stop());

  describe("POST /records", () => {
    describe("when a signer posts sequences far beyond the ledger's next one", () => {
      it("R-1: queues sequences up to the gap window ahead, refuses the rest with 409, and records them once the gap is filled", async () => {
        const r = await start("r1-gap");
        const w = kitWallet("r1/gapper");
        const jsons = await Promise.all(Array.from({ length: 21 }, async (_, s) => signer.sign(w, await recordOf(w.address, BigInt(s)))));
        for (let s = 1; s <= 15; s++) expect((await postRecord(r.url, jsons[s])).status, `sequence ${s}`).to.equal(202);
        const refused = await postRecord(r.url, jsons[16]);
        expect(refused.status).to.equal(409);
        expect(refused.body.error).to.equal(
          `nonce: sequence 16 of ${w.address} is too far ahead (the ledger expects 0 next); this relayer queues at most 15 sequences beyond those, so send the missing ones first`,
        );
        expect((await getRecord(r.url, jsons[16].digest)).status).to.equal(404);
        // The missing sequence 0 arrives: now 0..15 are held and 16..30 fit.
        expect((await postRecord(r.url, jsons[0])).status).to.equal(202);
        expect((await postRecord(r.url, jsons[16])).status).to.equal(202);
        const states = await waitRecorded(
          r.url,
          jsons.slice(0, 17).map((j) => j.digest),
        );
        const ids = states.map((s) => BigInt(s.entryId!));
        expect(ids).to.deep.equal([...ids].sort((a, b) => (a < b ? -1 : 1)));
      });

      it("R-1: records another signer's record at once while a signer's gapped records wait (nothing is head-of-line)", async () => {
        const r = await start("r1-hol", { batchSize: 5 });
        // The review's attack at the scale the gap window leaves: 15 never-sendable records from each of 20 keys.
        const attackers = kitWallets("r1/attacker", 20);
        const gapped = await Promise.all(
          attackers.flatMap((w) => Array.from({ length: 15 }, async (_, s) => signer.sign(w, await recordOf(w.address, BigInt(s + 1))))),
        );
        for (let i = 0; i < gapped.length; i += 150) {
          const reply = await postRecord(r.url, gapped.slice(i, i + 150));
          expect(reply.body.results.every((x: { state?: string }) => x.state === "queued")).to.equal(true);
        }
        const alice = kitWallet("r1/alice");
        const honest = signer.sign(alice, await recordOf(alice.address, 0n));
        expect((await postRecord(r.url, honest)).status).to.equal(202);
        const [state] = await waitRecorded(r.url, [honest.digest], 20_000);
        expect(state.attempts).to.equal(1);
        for (const j of gapped.slice(0, 30)) expect((await getRecord(r.url, j.digest)).body).to.include({ state: "queued", attempts: 0 });
      });
    });

    describe("when one signer has many records waiting", () => {
      it("R-1: caps a signer's waiting records over every nonce key with 429, and serves other signers", async () => {
        const r = await start("r1-cap", { maxPendingPerSigner: 5 });
        const w = kitWallet("r1/hoarder");
        // Sequence 1 on keys 1..6: each waits for its sequence 0.
        const jsons = await Promise.all(Array.from({ length: 6 }, async (_, k) => signer.sign(w, await recordOf(w.address, packNonce(BigInt(k + 1), 1n)))));
        for (const j of jsons.slice(0, 5)) expect((await postRecord(r.url, j)).status).to.equal(202);
        const capped = await postRecord(r.url, jsons[5]);
        expect(capped.status).to.equal(429);
        expect(capped.body.error).to.equal(`${w.address} already has 5 records waiting at this relayer (at most 5); send more once some are recorded`);
        const bob = kitWallet("r1/bob");
        const other = signer.sign(bob, await recordOf(bob.address, 0n));
        expect((await postRecord(r.url, other)).status).to.equal(202);
        await waitRecorded(r.url, [other.digest]);
        expect(pendingPerAgent(db("r1-cap"))).to.deep.equal([{ agent: w.address, n: 5 }]);
      });
    });

    describe("when the queue holds as many waiting records as it takes in all", () => {
      it("R-1: refuses a new record with 503 and queues nothing (sybils can block new records, not delay queued ones)", async () => {
        const r = await start("r1-full", { maxPending: 3 });
        const jsons = await Promise.all(kitWallets("r1/sybil", 4).map(async (w) => signer.sign(w, await recordOf(w.address, 1n))));
        for (const j of jsons.slice(0, 3)) expect((await postRecord(r.url, j)).status).to.equal(202);
        const full = await postRecord(r.url, jsons[3]);
        expect(full.status).to.equal(503);
        expect(full.body.error).to.equal("this relayer's queue is full (3 records waiting); retry later");
        expect((await getRecord(r.url, jsons[3].digest)).status).to.equal(404);
      });
    });

    describe("with fields the signed-record format does not have", () => {
      it("R-2: stores only the canonical signed record, whatever else the JSON holds", async () => {
        const r = await start("r2-fields", { waitMs: 60_000 });
        const w = kitWallet("r2/padder");
        const json = signer.sign(w, await recordOf(w.address, 1n));
        const padded = { ...json, pad: "x".repeat(200_000), record: { ...json.record, extra: "y".repeat(10_000) } };
        expect((await postRecord(r.url, padded)).status).to.equal(202);
        const q = new RelayQueue(db("r2-fields"));
        const row = q.get(json.digest)!;
        q.close();
        const { domain, record, signature } = fromSignedJson(json);
        expect(row.body).to.equal(JSON.stringify(toSignedJson(domain, record, signature)));
        expect(row.body.length).to.be.below(1_500);
      });
    });

    describe("when someone replays a signer's recorded record", () => {
      it("R-3: answers each replay 409 from the chain and leaves the signer's rate limit alone", async () => {
        const r = await start("r3-replay", { ratePerSecond: 0.001, burst: 2 });
        const carol = kitWallet("r3/carol");
        const old = signer.sign(carol, await recordOf(carol.address, 0n));
        const [id] = await recordDirectly([old]); // as the CLI does without --relayer; public in the calldata
        const replies = await Promise.all(
          Array.from({ length: 4 }, () =>
            postRecord(
              r.url,
              Array.from({ length: 150 }, () => old),
            ),
          ),
        );
        const results = replies.flatMap((x) => x.body.results);
        expect(results).to.have.length(600);
        for (const x of results) expect(x).to.deep.equal({ status: 409, error: `already recorded as entry ${id}` });
        // Her allowance (a burst of 2) is whole.
        const fresh = await Promise.all([1n, 2n, 3n].map(async (s) => signer.sign(carol, await recordOf(carol.address, s))));
        expect((await postRecord(r.url, fresh[0])).status).to.equal(202);
        expect((await postRecord(r.url, fresh[1])).status).to.equal(202);
        expect((await postRecord(r.url, fresh[2])).status).to.equal(429); // the limit is on
      });
    });

    describe("with a 65-byte signature the Ledger's ecrecover refuses", () => {
      for (const v of [0, 1, 35]) {
        it(`R-4: refuses v = ${v} with the reason, and then accepts and records the correct signature`, async () => {
          const r = await start(`r4-v${v}`);
          const dave = kitWallet(`r4/dave-${v}`);
          const good = signer.sign(dave, await recordOf(dave.address, 0n));
          const bad = { ...good, signature: good.signature.slice(0, 130) + v.toString(16).padStart(2, "0") };
          const reply = await postRecord(r.url, bad);
          expect(reply.status).to.equal(400);
          expect(reply.body.error).to.equal(
            `the signature's v byte is ${v}; the Ledger accepts only 27 or 28 (the record's agent ${dave.address} is not a contract)`,
          );
          expect((await getRecord(r.url, good.digest)).status).to.equal(404);
          expect((await postRecord(r.url, good)).status).to.equal(202);
          await waitRecorded(r.url, [good.digest]);
        });
      }

      it("R-4: refuses the high-s twin of a valid signature", async () => {
        const r = await start("r4-s");
        const erin = kitWallet("r4/erin");
        const good = signer.sign(erin, await recordOf(erin.address, 0n));
        const sig = Signature.from(good.signature);
        const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
        const twin = sig.r + (n - BigInt(sig.s)).toString(16).padStart(64, "0") + (sig.v === 27 ? "1c" : "1b");
        const reply = await postRecord(r.url, { ...good, signature: twin });
        expect(reply.status).to.equal(400);
        expect(reply.body.error).to.match(
          /^the signature's s is in the upper half of the curve order \(the malleable twin\); the Ledger accepts only the low-s form/,
        );
      });

      it("R-4: queues a failed record again when it is posted again and passes the checks (a failure never squats its digest)", async () => {
        const owner = kitWallet("r4/wallet-owner");
        const walletAddress = await deployWalletMock(payer, owner.address);
        const r = await start("r4-again", { waitMs: 2_000 });
        const rec = await recordOf(walletAddress, 0n);
        const json = signer.json(rec, signer.signDigest(owner, signer.digest(rec)));
        expect((await postRecord(r.url, json)).status).to.equal(202);
        await setWalletMode(payer, walletAddress, WALLET_MODE.WrongMagic); // before the next round: it fails on chain
        const failed = await waitState(r.url, json.digest, "failed");
        expect(failed.error).to.equal(`the Ledger refused it: LedgerInvalidSignature(${walletAddress})`);
        await setWalletMode(payer, walletAddress, WALLET_MODE.Honest);
        const again = await postRecord(r.url, json);
        expect(again.status).to.equal(202);
        expect(again.body).to.include({ state: "queued", error: null, attempts: 0 });
        await waitRecorded(r.url, [json.digest]);
      });
    });

    describe("with a correction", () => {
      let owner: Wallet;
      let ownEntry: bigint;
      let otherEntry: bigint;
      before(async () => {
        owner = kitWallet("r5/owner");
        const other = kitWallet("r5/other");
        [ownEntry, otherEntry] = await recordDirectly([
          signer.sign(owner, await recordOf(owner.address, 0n)),
          signer.sign(other, await recordOf(other.address, 0n)),
        ]);
      });
      const correction = async (w: Wallet, nonce: bigint, corrects: bigint) => signer.sign(w, await recordOf(w.address, nonce, { quantity: 0n, corrects }));

      it("R-5: refuses a correction of another agent's entry with 403 naming the entry's agent, and queues nothing", async () => {
        const r = await start("r5-foreign");
        const reply = await postRecord(r.url, await Promise.all(kitWallets("r5/corrector", 60).map((w) => correction(w, 0n, otherEntry))));
        expect(reply.body.results).to.have.length(60);
        for (const [i, x] of reply.body.results.entries()) {
          expect(x).to.deep.equal({
            status: 403,
            error: `corrects: entry ${otherEntry} was recorded by ${kitWallet("r5/other").address}; only its agent can correct it, not ${kitWallets("r5/corrector", 60)[i].address}`,
          });
        }
        expect(pendingPerAgent(db("r5-foreign"))).to.deep.equal([]);
      });

      it("R-5: records the agent's own correction, refuses a second one while it waits and after it is recorded", async () => {
        const r = await start("r5-own", { waitMs: 1_000 });
        const first = await correction(owner, 1n, ownEntry);
        expect((await postRecord(r.url, first)).status).to.equal(202);
        const rival = await correction(owner, packNonce(1n, 0n), ownEntry);
        const queued = await postRecord(r.url, rival);
        expect(queued.status).to.equal(409);
        expect(queued.body.error).to.equal(`corrects: a correction of entry ${ownEntry} (${first.digest}) is already queued`);
        const [state] = await waitRecorded(r.url, [first.digest]);
        const receipt = (await l.provider.getTransactionReceipt(state.txHash!))!;
        const corrected = receipt.logs.map((x) => ledgerInterface().parseLog(x)).find((x) => x?.name === "Corrected")!;
        expect([corrected.args.entryId, corrected.args.correctionId]).to.deep.equal([ownEntry, BigInt(state.entryId!)]);
        const late = await postRecord(r.url, rival);
        expect(late.status).to.equal(409);
        expect(late.body.error).to.equal(`corrects: entry ${ownEntry} was already corrected by entry ${state.entryId}; correct that one instead`);
      });

      it("R-5: builds a correction's proof from the entry index, equal to buildEntryProof over the whole ledger", async () => {
        // Enough entries (over 200) for closed checkpoint intervals of 64 entries (1-64, 65-128,
        // 129-192) and an open one; the ids checked are at the first two intervals' ends and the tip.
        const ws = kitWallets("r5/filler", 50);
        for (let b = 0; b < 2; b++)
          await recordDirectly(
            await Promise.all(
              Array.from({ length: 100 }, (_, i) =>
                recordOf(ws[i % 50].address, BigInt(b * 2 + Math.floor(i / 50))).then((rec) => signer.sign(ws[i % 50], rec)),
              ),
            ),
          );
        const index = new EntryIndex(l.provider, l.ledger, l.fromBlock);
        await index.refresh(0);
        const { entries } = await readLedger(l.provider, l.ledger, { fromBlock: l.fromBlock });
        expect(index.count).to.equal(entries.length);
        for (const id of [1n, 63n, 64n, 65n, 127n, 128n, 129n, BigInt(entries.length - 1), BigInt(entries.length)]) {
          expect(await index.proof(id), `entry ${id}`).to.deep.equal(buildEntryProof(entries, id));
        }
        // It follows new entries block by block.
        const more = kitWallet("r5/late");
        await recordDirectly([signer.sign(more, await recordOf(more.address, 0n))]);
        await index.refresh(0);
        expect(index.count).to.equal(entries.length + 1);
        expect(index.agentOf(BigInt(entries.length + 1))).to.equal(more.address);
      });
    });

    describe("with a signature larger than the relayer takes", () => {
      it("R-6: refuses it with 400 naming its size and the limit", async () => {
        const r = await start("r6-size");
        const walletAddress = await deployWalletMock(payer, payer.address, WALLET_MODE.AlwaysValid);
        const json = signer.json(await recordOf(walletAddress, 0n), "0x" + "11".repeat(4_097));
        const reply = await postRecord(r.url, json);
        expect(reply.status).to.equal(400);
        expect(reply.body.error).to.equal("signature: 4,097 bytes is more than this relayer takes (4,096 bytes; an EOA signature is 65)");
        expect((await getRecord(r.url, json.digest)).status).to.equal(404);
      });
    });
  });

  describe("sending", () => {
    it("RELAY-SIZE, R-6: sends no transaction over 128 KiB, and records 150 wallet records with 4,096-byte signatures", async () => {
      const wallets = [];
      for (let i = 0; i < 10; i++) wallets.push(await deployWalletMock(payer, payer.address, WALLET_MODE.AlwaysValid));
      const r = await start("r6-budget", { batchSize: 150, maxWalletItems: 150, waitMs: 1_500 });
      const sig = "0x" + "5a".repeat(4_096);
      const jsons = await Promise.all(wallets.flatMap((a) => Array.from({ length: 15 }, async (_, s) => signer.json(await recordOf(a, BigInt(s)), sig))));
      for (let i = 0; i < jsons.length; i += 25) {
        const reply = await postRecord(r.url, jsons.slice(i, i + 25)); // 25 x 8 KiB of hex: under the body cap
        expect(reply.body.results.filter((x: { state?: string }) => x.state === "queued")).to.have.length(25);
      }
      await waitRecorded(
        r.url,
        jsons.map((j) => j.digest),
        120_000,
      );
      const sizes = provider.calls.filter((c) => c.method === "eth_sendRawTransaction").map((c) => (String(c.params[0]).length - 2) / 2);
      expect(Math.max(...sizes)).to.be.at.most(MAX_TX_BYTES);
      expect(Math.max(...sizes), "the byte budget, not the count, closed the batches").to.be.above(100_000);
      expect(sizes.length).to.be.at.least(6);
      console.log(`      ${sizes.length} transactions of ${sizes.join(", ")} bytes (limit ${MAX_TX_BYTES})`);
    });

    it("R-6: retries a send the node refuses (not a revert) with growing delays, at most maxAttempts times, then fails the record with the node's reason", async () => {
      provider.hooks.set("eth_sendRawTransaction", async () => {
        throw new Error("oversized data (injected)");
      });
      const r = await start("r6-retry", { maxAttempts: 3, retryBaseMs: 200 });
      const w = kitWallet("r6/retried");
      const json = signer.sign(w, await recordOf(w.address, 0n));
      expect((await postRecord(r.url, json)).status).to.equal(202);
      const state = await waitState(r.url, json.digest, "failed");
      expect(state.error).to.equal("the relayer gave up after 3 attempts to send it; the node said: oversized data (injected)");
      expect(state.attempts).to.equal(3);
      const at = provider.calls.filter((c) => c.method === "eth_sendRawTransaction").map((c) => c.at);
      expect(at).to.have.length(3);
      expect(at[1] - at[0]).to.be.at.least(200);
      expect(at[2] - at[1]).to.be.at.least(400);
    });

    describe("when ERC-1271 wallets refuse at the estimate and accept at execution", () => {
      let walletAddresses: string[];
      let owner: Wallet;
      before(async () => {
        owner = kitWallet("f4/owner");
        walletAddresses = [];
        for (let i = 0; i < 3; i++) walletAddresses.push(await deployWalletMock(payer, owner.address));
      });
      /** 27 records of fresh EOAs and one of each wallet (Honest, signed by the owner), all sequence `seq`. */
      async function mixedBatch(label: string, seq: bigint): Promise<{ honest: SignedRecordJson[]; fickle: SignedRecordJson[] }> {
        const honest = await Promise.all(kitWallets(label, 27).map(async (w) => signer.sign(w, await recordOf(w.address, 0n))));
        const fickle = await Promise.all(
          walletAddresses.map(async (a) => {
            const rec = await recordOf(a, seq);
            return signer.json(rec, signer.signDigest(owner, signer.digest(rec)));
          }),
        );
        return { honest, fickle };
      }
      const modes = async (mode: number) => {
        for (const a of walletAddresses) await setWalletMode(payer, a, mode);
      };

      it("F-4, RELAY-GAS: records all 30 items in one transaction: the gas limit covers every wallet turning valid", async () => {
        const { honest, fickle } = await mixedBatch("f4/honest", 0n);
        let estimate = 0n;
        provider.hooks.set("eth_estimateGas", async (params) => {
          provider.hooks.delete("eth_estimateGas");
          await modes(WALLET_MODE.WrongMagic); // the estimate runs with the wallets refusing
          estimate = BigInt((await l.provider.send("eth_estimateGas", params)) as string);
          await modes(WALLET_MODE.Honest); // the owner front-runs: valid at execution
          return "0x" + estimate.toString(16);
        });
        const r = await start("f4-margin", { waitMs: 1_500 });
        const reply = await postRecord(r.url, [...fickle, ...honest]);
        expect(reply.body.results.every((x: { state?: string }) => x.state === "queued")).to.equal(true);
        const states = await waitRecorded(
          r.url,
          [...fickle, ...honest].map((j) => j.digest),
        );
        expect(new Set(states.map((s) => s.txHash)).size).to.equal(1);
        const receipt = (await l.provider.getTransactionReceipt(states[0].txHash!))!;
        const tx = (await l.provider.getTransaction(states[0].txHash!))!;
        expect(receipt.status).to.equal(1);
        expect(receipt.gasUsed, "the estimate alone would have run out of gas").to.be.above(estimate);
        expect(tx.gasLimit).to.be.at.least(receipt.gasUsed);
        console.log(`      estimate ${estimate} (wallets refusing), gas used ${receipt.gasUsed} (wallets accepting), gas limit ${tx.gasLimit}`);
      });

      it("F-4, RELAY-GAS: splits a batch that fails at execution and records its honest items", async () => {
        const { honest, fickle } = await mixedBatch("f4/split", 1n);
        // A node whose first estimate is far too low: the batch runs out of gas, whatever the margin.
        provider.hooks.set("eth_estimateGas", async (params) => {
          provider.hooks.delete("eth_estimateGas");
          return "0x" + (BigInt((await l.provider.send("eth_estimateGas", params)) as string) / 3n).toString(16);
        });
        const r = await start("f4-split", { waitMs: 1_500 });
        await postRecord(r.url, [...fickle, ...honest]);
        const states = await waitRecorded(
          r.url,
          [...honest, ...fickle].map((j) => j.digest),
        );
        const sent = provider.calls.filter((c) => c.method === "eth_sendRawTransaction").length;
        expect(sent).to.equal(3); // the failed batch, then the EOA part and the wallet part
        const receipts: TransactionReceipt[] = [];
        for (const h of new Set(states.map((s) => s.txHash!))) receipts.push((await l.provider.getTransactionReceipt(h))!);
        expect(receipts.every((x) => x.status === 1)).to.equal(true);
        for (const s of states.slice(0, 27)) expect(s.attempts).to.equal(2);
        expect(lines.some((x) => /failed at execution/.test(x))).to.equal(true);
      });
    });
  });

  describe("the queue", () => {
    it("R-2: prunes recorded and failed records after the retention period, answering by digest until then", async () => {
      const r = await start("r2-prune", { retentionMs: 3_000 });
      const w = kitWallet("r2/pruned");
      const ok = signer.sign(w, await recordOf(w.address, 0n));
      const walletAddress = await deployWalletMock(payer, payer.address, WALLET_MODE.AlwaysValid);
      const doomed = signer.json(await recordOf(walletAddress, 0n), "0x00");
      provider.hooks.set("eth_estimateGas", async () => {
        provider.hooks.delete("eth_estimateGas");
        await setWalletMode(payer, walletAddress, WALLET_MODE.WrongMagic);
        return undefined;
      });
      await postRecord(r.url, [ok, doomed]);
      await waitRecorded(r.url, [ok.digest]);
      await waitState(r.url, doomed.digest, "failed");
      expect((await getRecord(r.url, ok.digest)).status).to.equal(200);
      const q = new RelayQueue(db("r2-prune"));
      expect(q.get(ok.digest)!.body, "a finished record keeps no body").to.equal("");
      q.close();
      await waitFor(
        "both to be pruned",
        async () => ((await getRecord(r.url, ok.digest)).status === 404 && (await getRecord(r.url, doomed.digest)).status === 404 ? true : undefined),
        20_000,
        250,
      );
      expect(lines.some((x) => /pruned \d+ records finished/.test(x))).to.equal(true);
      // A replay of the pruned record is still answered from the chain.
      const again = await postRecord(r.url, ok);
      expect(again.status).to.equal(409);
      expect(again.body.error).to.match(/^already recorded as entry \d+$/);
    });

    it("opens a queue database written by the previous version: canonical bodies, and pending records sent", async () => {
      const file = db("v1");
      const old = new DatabaseSync(file);
      old.exec(`PRAGMA journal_mode = WAL;
        CREATE TABLE records (digest TEXT PRIMARY KEY, agent TEXT NOT NULL, nonce_key TEXT NOT NULL, nonce_seq TEXT NOT NULL, body TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'recorded', 'failed')), entry_id TEXT, tx_hash TEXT, error TEXT,
          attempts INTEGER NOT NULL DEFAULT 0, received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE UNIQUE INDEX records_pending_nonce ON records (agent, nonce_key, nonce_seq) WHERE state IN ('queued', 'sending');
        CREATE INDEX records_state ON records (state, received_at);`);
      const w = kitWallet("v1/left");
      const json = signer.sign(w, await recordOf(w.address, 0n));
      const insert = old.prepare(
        "INSERT INTO records (digest, agent, nonce_key, nonce_seq, body, state, received_at, updated_at) VALUES (?, ?, '0', '0', ?, 'queued', 1, 1)",
      );
      insert.run(json.digest, w.address, JSON.stringify({ ...json, junk: "z".repeat(50_000) }));
      old.close();
      const r = await start("v1");
      await waitRecorded(r.url, [json.digest]);
      expect(pendingPerAgent(file)).to.deep.equal([]);
    });
  });

  describe("a queue database of version 2 (before signed validations)", () => {
    it("gets the validates column (0 for its records) and keeps its rows; a validation then queues beside them", async () => {
      const file = db("v2");
      const old = new DatabaseSync(file);
      old.exec(`PRAGMA journal_mode = WAL;
        CREATE TABLE records (digest TEXT PRIMARY KEY, agent TEXT NOT NULL, nonce_key TEXT NOT NULL, nonce_seq INTEGER NOT NULL,
          corrects INTEGER NOT NULL DEFAULT 0, wallet INTEGER NOT NULL DEFAULT 0, deadline INTEGER NOT NULL, body TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'recorded', 'failed')), entry_id TEXT, tx_hash TEXT, error TEXT,
          attempts INTEGER NOT NULL DEFAULT 0, not_before INTEGER NOT NULL DEFAULT 0, received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE TABLE lanes (agent TEXT NOT NULL, nonce_key TEXT NOT NULL, next_seq INTEGER NOT NULL, checked_at INTEGER NOT NULL, PRIMARY KEY (agent, nonce_key)) WITHOUT ROWID;
        INSERT INTO records (digest, agent, nonce_key, nonce_seq, deadline, body, state, entry_id, tx_hash, received_at, updated_at)
          VALUES ('0x${"ab".repeat(32)}', '0x${"11".repeat(20)}', '1', 0, 1, '', 'recorded', '7', '0x${"cd".repeat(32)}', 1, 1);
        PRAGMA user_version = 2;`);
      old.close();
      const q = new RelayQueue(file);
      try {
        expect(q.get("0x" + "ab".repeat(32))).to.include({ state: "recorded", entryId: 7n, validates: 0n, corrects: 0n });
        const agent = "0x" + "22".repeat(20);
        const base = { agent, nonceKey: "2", corrects: 0n, wallet: false, deadline: 10n ** 10n, body: "{}" };
        expect(q.enqueue({ ...base, digest: "0x" + "01".repeat(32), nonceSeq: 0n, validates: 7n })).to.equal(true);
        expect(q.pendingValidation(agent, 7n)?.digest).to.equal("0x" + "01".repeat(32));
        // One pending validation per validator and entry, whatever its nonce.
        expect(q.enqueue({ ...base, digest: "0x" + "02".repeat(32), nonceSeq: 1n, validates: 7n })).to.equal(false);
      } finally {
        q.close();
      }
    });
  });

  describe("RELAY-FAIR: an honest signer's record under hostile load", () => {
    it("RELAY-FAIR: records honest records while 5,000 hostile records from 100 keys are refused or wait, with each signer's waiting rows capped", async () => {
      const setup = await prepareHostile(l.provider, l.ledger, signer, payer, { wallets: 10, victims: 20, label: "fair" });
      const now = await chainNow();
      const hostile = hostileRecords(signer, setup, { time: now - 60n, deadline: now + 7200n }, { perKey: 50, label: "fair" });
      expect(hostile).to.have.length(5_000);
      expect(new Set(hostile.map((h) => fromSignedJson(h.json).record.provider)).size).to.equal(100);
      const r = await start("fair", { waitMs: 200 });
      const statuses = new Map<string, number>();
      const count = (kind: HostileKind, results: { status?: number; state?: string }[]) => {
        for (const x of results) {
          const k = `${kind} ${x.status ?? 202}`;
          statuses.set(k, (statuses.get(k) ?? 0) + 1);
        }
      };
      // The wallets' records first (accepted while the wallets say yes), then the wallets turn.
      const byKey: { kind: HostileKind; jsons: SignedRecordJson[] }[] = [];
      // In arrays of 10 (ten 5,000-byte signatures in hex stay under the 256 KiB body cap).
      for (let i = 0; i < hostile.length; i += 10) byKey.push({ kind: hostile[i].kind, jsons: hostile.slice(i, i + 10).map((h) => h.json) });
      const fickle = byKey.filter((k) => k.kind === "fickle-wallet");
      for (const k of fickle) count(k.kind, (await postRecord(r.url, k.jsons)).body.results);
      for (const a of setup.wallets) await setWalletMode(payer, a, WALLET_MODE.WrongMagic);

      const flood = pMap(
        byKey.filter((k) => k.kind !== "fickle-wallet"),
        async (k) => count(k.kind, (await postRecord(r.url, k.jsons)).body.results),
        { concurrency: 4 },
      );
      const honest: { digest: string; ms: number }[] = [];
      for (let i = 0; i < 5; i++) {
        const w = kitWallet(`fair/honest/${i}`);
        const json = signer.sign(w, await recordOf(w.address, 0n));
        const t = Date.now();
        expect((await postRecord(r.url, json)).status).to.equal(202);
        const [state] = await waitRecorded(r.url, [json.digest], 60_000, 25);
        expect(state.attempts).to.equal(1);
        honest.push({ digest: json.digest, ms: Date.now() - t });
      }
      await flood;
      const fickleLeft = (await Promise.all(fickle.flatMap((k) => k.jsons).map(async (j) => (await getRecord(r.url, j.digest)).body.state))).filter(
        (s) => s === "queued" || s === "sending",
      ).length;

      expect(Object.fromEntries([...statuses].sort())).to.deep.equal({
        "fickle-wallet 202": 500,
        "foreign-correction 403": 500,
        "gapped 202": 600, // sequences 1..15 of 40 keys wait for a sequence 0 that never comes
        "gapped 409": 1_400,
        "oversize 400": 1_000,
        "replay 409": 1_000,
      });
      // Bounded: no signer holds more than its cap, bodies are canonical, the file stays small.
      const pending = pendingPerAgent(db("fair"));
      expect(pending[0].n).to.be.at.most(100);
      expect(pending.filter((p) => p.n > 15).every((p) => setup.wallets.includes(p.agent))).to.equal(true);
      const size = statSync(db("fair")).size + statSync(db("fair") + "-wal").size;
      expect(size).to.be.below(16 * 1024 * 1024);
      // The replayed victims' allowance is whole.
      const victim = kitWallet("fair/victim/0");
      expect((await postRecord(r.url, signer.sign(victim, await recordOf(victim.address, 1n)))).status).to.equal(202);
      console.log(
        `      honest records recorded after ${honest.map((h) => h.ms).join(", ")} ms; once the flood ended ${fickleLeft} of the 500 wallet records still waited; queue files ${size.toLocaleString("en-US")} bytes`,
      );
    });
  });
});
