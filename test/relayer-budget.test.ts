// The relayer's daily gas budgets: what it pays per UTC day for one signer's messages, and in all.
// A stranger with a thousand free keys can post valid records; the per-signer budget keeps one key
// from spending the day, the total bounds what all of them can cost the operator. The relayer
// counts each mined transaction's gas (split evenly among the signers of its items) and what waits
// (PENDING_GAS each); past a budget it refuses with the hour it renews, and remembers across a
// restart. Relayers run in this process (startRelayer) on a real anvil.
import { expect } from "chai";
import path from "node:path";
import type { Wallet } from "ethers";
import { FastRecordSigner, getHealth, kitWallet, postRecord, waitRecorded, workRecord } from "../scripts/lib/kit/relayer.js";
import { ledgerDomain, packNonce } from "../scripts/lib/core/record.js";
import type { SignedRecordJson } from "../scripts/lib/core/record.js";
import { PENDING_GAS } from "../scripts/lib/relayer/admission.js";
import { RelayQueue } from "../scripts/lib/relayer/queue.js";
import type { Relayer } from "../scripts/lib/relayer/service.js";
import { startLocalLedger, startTestRelayer } from "./helpers/local-ledger.js";
import type { LocalLedger } from "./helpers/local-ledger.js";
import { DAY_MS, utcDay } from "../scripts/lib/core/time.js";

const today = () => utcDay(Date.now());
/** "it renews at 00:00 UTC, in 5 h 12 min" (or "in 40 min", "in 3 h"). */
const RENEWS = "it renews at 00:00 UTC, in (\\d+ h \\d+ min|\\d+ h|\\d+ min)";

describe("relayer: daily gas budgets", function () {
  this.timeout(180_000);
  let l: LocalLedger;
  let signer: FastRecordSigner;
  let chainNow: () => Promise<bigint>;
  let n = 0;

  /** A relayer with these budgets on its own queue file (`file` reuses one). */
  async function relayerWith(o: { dailyGasPerSigner?: bigint; dailyGas?: bigint; waitMs?: number; file?: string }): Promise<Relayer> {
    return startTestRelayer(l, 3, path.join(l.dataDir, o.file ?? `budget-${++n}.sqlite`), {
      waitMs: o.waitMs ?? 50,
      dailyGasPerSigner: o.dailyGasPerSigner ?? 0n,
      dailyGas: o.dailyGas ?? 0n,
    });
  }

  /** `agent`'s signed record with sequence `seq` (nonce key 0): an hour of work a minute ago. */
  async function signed(agent: Wallet, seq: number): Promise<SignedRecordJson> {
    const now = await chainNow();
    return signer.sign(agent, workRecord(agent.address, { nonce: packNonce(0n, BigInt(seq)), time: now - 60n, deadline: now + 3600n }));
  }

  before(async () => {
    l = await startLocalLedger();
    signer = new FastRecordSigner(ledgerDomain(31337n, l.ledger));
    chainNow = async () => BigInt((await l.provider.getBlock("latest"))!.timestamp);
  });
  after(async () => l?.stop());

  describe("per signer", () => {
    it("records a signer's messages until what it was paid today reaches its allowance, then refuses with 429 and the hour it renews; another signer goes on", async () => {
      const r = await relayerWith({ dailyGasPerSigner: 100_000n });
      try {
        const ann = kitWallet("budget/ann");
        const ben = kitWallet("budget/ben");
        let spent = 0n;
        let seq = 0;
        for (; spent < 100_000n; seq++) {
          const json = await signed(ann, seq);
          const reply = await postRecord(r.url, json);
          expect(reply.status, JSON.stringify(reply.body)).to.equal(202);
          const [done] = await waitRecorded(r.url, [json.digest], 30_000);
          spent += (await l.provider.getTransactionReceipt(done.txHash!))!.gasUsed;
        }
        expect(seq, "a record alone costs 48,000 to 70,000 gas: two or three fit in 100,000").to.be.within(2, 3);
        const refused = await postRecord(r.url, await signed(ann, seq));
        expect(refused.status).to.equal(429);
        expect(refused.body.error).to.match(
          new RegExp(
            `^${ann.address} has used its daily allowance at this relayer \\(${spent.toLocaleString("en-US")} of 100,000 gas paid since 00:00 UTC\\); ${RENEWS}; meanwhile send it with a key that pays its own gas$`,
          ),
        );
        const other = await signed(ben, 0);
        expect((await postRecord(r.url, other)).status).to.equal(202);
        await waitRecorded(r.url, [other.digest], 30_000);
        const health = await getHealth(r.url);
        expect(health.spending).to.include({ day: new Date().toISOString().slice(0, 10), dailyGas: "0", dailyGasPerSigner: "100000" });
        expect(BigInt(health.spending.gas)).to.be.above(spent);
      } finally {
        await r.close();
      }
    });

    it(`counts each waiting message at ${PENDING_GAS.toLocaleString("en-US")} gas, so that a signer cannot queue past its allowance before anything is paid`, async () => {
      // A long wait: nothing is sent while the records are posted.
      const r = await relayerWith({ dailyGasPerSigner: 100_000n, waitMs: 60_000 });
      try {
        const cid = kitWallet("budget/cid");
        const accepted = Number(100_000n / PENDING_GAS) + 1; // 0, 30,000, 60,000 and 90,000 waiting are under 100,000
        for (let seq = 0; seq < accepted; seq++) expect((await postRecord(r.url, await signed(cid, seq))).status).to.equal(202);
        const refused = await postRecord(r.url, await signed(cid, accepted));
        expect(refused.status).to.equal(429);
        expect(refused.body.error).to.match(
          new RegExp(
            `^${cid.address} has used its daily allowance at this relayer \\(0 of 100,000 gas paid since 00:00 UTC, and ${accepted} messages waiting\\); ${RENEWS};`,
          ),
        );
        expect((await getHealth(r.url)).queue.queued).to.equal(accepted);
      } finally {
        await r.close();
      }
    });
  });

  describe("in all", () => {
    it("refuses every signer with 503 once the relayer's daily budget is spent, and still after a restart on the same queue", async () => {
      const file = "budget-total.sqlite";
      let r = await relayerWith({ dailyGas: 120_000n, file });
      const keys = Array.from({ length: 4 }, (_, i) => kitWallet(`budget/fresh-${i}`)); // a stranger's fresh keys
      try {
        let k = 0;
        for (; k < keys.length; k++) {
          const json = await signed(keys[k], 0);
          const reply = await postRecord(r.url, json);
          if (reply.status !== 202) {
            expect(reply.status).to.equal(503);
            expect(reply.body.error).to.match(
              new RegExp(
                `^this relayer has spent its gas budget for the day \\([\\d,]+ of 120,000 gas since 00:00 UTC\\); ${RENEWS}; retry then, or send it with a key that pays its own gas$`,
              ),
            );
            break;
          }
          await waitRecorded(r.url, [json.digest], 30_000);
        }
        expect(k, "fresh keys recorded before the budget ran out").to.be.within(2, 3);
        await r.close();
        r = await relayerWith({ dailyGas: 120_000n, file });
        expect((await postRecord(r.url, await signed(keys[k], 0))).status, "the day's spending survives a restart").to.equal(503);
      } finally {
        await r.close();
      }
      // What the queue counted: each signer's share, and the total, which is the gas of the transactions mined.
      const queue = new RelayQueue(path.join(l.dataDir, file));
      try {
        const shares = await Promise.all(keys.map(async (key) => queue.spent(today(), key.address)));
        expect(shares.filter((g) => g > 0n).length).to.be.within(2, 3);
        expect(queue.spent(today())).to.equal(shares.reduce((a, b) => a + b, 0n));
      } finally {
        queue.close();
      }
    });
  });

  describe("when one transaction carries several signers' records", () => {
    it("splits its gas evenly among them (the remainder to the first item's signer)", async () => {
      const file = "budget-split.sqlite";
      const r = await relayerWith({ dailyGasPerSigner: 10_000_000n, waitMs: 1_000, file });
      const [dee, eve] = [kitWallet("budget/dee"), kitWallet("budget/eve")];
      let gasUsed: bigint;
      try {
        const jsons = [await signed(dee, 0), await signed(eve, 0)];
        for (const json of jsons) expect((await postRecord(r.url, json)).status).to.equal(202);
        const done = await waitRecorded(
          r.url,
          jsons.map((j) => j.digest),
          30_000,
        );
        expect(done[0].txHash, "both in one batch").to.equal(done[1].txHash);
        gasUsed = (await l.provider.getTransactionReceipt(done[0].txHash!))!.gasUsed;
      } finally {
        await r.close();
      }
      const queue = new RelayQueue(path.join(l.dataDir, file));
      try {
        const shares = [queue.spent(today(), dee.address), queue.spent(today(), eve.address)];
        expect(shares[0] + shares[1]).to.equal(gasUsed);
        expect(shares[0] - shares[1]).to.be.within(-1n, 1n);
        expect(queue.spent(today())).to.equal(gasUsed);
      } finally {
        queue.close();
      }
    });
  });

  describe("the queue", () => {
    it("adds each signer's share per UTC day (an address in any case is one signer) and keeps the day's total; pruning drops the days before", () => {
      const queue = new RelayQueue(":memory:");
      queue.spend(20_000, [
        { signer: "0xAAaA000000000000000000000000000000000001", gas: 34n },
        { signer: "0xaaaa000000000000000000000000000000000001", gas: 33n },
        { signer: "0xbbbb000000000000000000000000000000000002", gas: 33n },
      ]);
      queue.spend(20_001, [{ signer: "0xbbbb000000000000000000000000000000000002", gas: 7n }]);
      expect(queue.spent(20_000, "0xaaaa000000000000000000000000000000000001")).to.equal(67n);
      expect(queue.spent(20_000, "0xBBBB000000000000000000000000000000000002")).to.equal(33n);
      expect(queue.spent(20_000)).to.equal(100n);
      expect(queue.spent(20_001)).to.equal(7n);
      expect(queue.spent(19_999)).to.equal(0n);
      queue.prune(20_001 * DAY_MS);
      expect(queue.spent(20_000), "pruned with the records of that day").to.equal(0n);
      expect(queue.spent(20_001)).to.equal(7n);
      queue.close();
    });
  });
});
