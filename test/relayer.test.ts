// The relayer end to end: a real anvil with the Ledger deployed through Ignition, the relayer as its
// own process (as `npm run relayer` runs it), and HTTP clients posting signed records.
import pMap from "p-map";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Interface, Wallet } from "ethers";
import { Contract, ContractFactory, JsonRpcProvider, Network, ZeroAddress } from "ethers";
import { LEDGER_ABI } from "../scripts/lib/core/abi.js";
import { LedgerClient } from "../scripts/lib/core/client.js";
import {
  appointKitValidator,
  FastRecordSigner,
  getHealth,
  getRecord,
  KIT_COMMONS,
  kitWallet,
  kitWallets,
  postRecord,
  waitFor,
  waitRecorded,
  workRecord,
} from "../scripts/lib/kit/relayer.js";
import type { Health, RecordState, Reply } from "../scripts/lib/kit/relayer.js";
import { ledgerInterface } from "../scripts/lib/core/reader.js";
import { buildValidation, ledgerDomain, packNonce, signValidation, toSignedValidationJson } from "../scripts/lib/core/record.js";
import type { LedgerRecord, LedgerValidation, SignedRecordJson, SignedValidationJson } from "../scripts/lib/core/record.js";
import { RelayQueue } from "../scripts/lib/relayer/queue.js";
import type { Relayer } from "../scripts/lib/relayer/service.js";
import { devWallet } from "../scripts/demo/seed.js";
import { root, startLocalLedger, startRelayerProcess, startTestRelayer } from "./helpers/local-ledger.js";
import type { LocalLedger, RelayerProcess } from "./helpers/local-ledger.js";

const BATCH_SIZE = 40;

async function stopRelayer(r: RelayerProcess | undefined): Promise<void> {
  if (!r || r.child.exitCode !== null) return;
  r.child.kill("SIGTERM");
  await r.exited;
}

/** The queue's total (every state): what the relayer has accepted so far. */
const total = (h: Health) => h.queue.queued + h.queue.sending + h.queue.recorded + h.queue.failed;

describe("relayer", function () {
  this.timeout(180_000);
  let l: LocalLedger;
  let signer: FastRecordSigner;
  /** The latest block's time: what the relayer checks deadlines and times against. */
  let chainNow: () => Promise<bigint>;
  /** A typical record by `wallet`: time a minute ago, valid for an hour. */
  let recordOf: (wallet: Wallet, nonce: bigint, extra?: Partial<LedgerRecord>) => Promise<LedgerRecord>;

  before(async () => {
    l = await startLocalLedger();
    signer = new FastRecordSigner(ledgerDomain(31337n, l.ledger));
    chainNow = async () => BigInt((await l.provider.getBlock("latest"))!.timestamp);
    recordOf = async (wallet, nonce, extra = {}) => {
      const now = await chainNow();
      return { ...workRecord(wallet.address, { nonce, time: now - 60n, deadline: now + 3600n }), ...extra };
    };
  });
  after(async () => l?.stop());

  describe(`a relayer process (--batch-size ${BATCH_SIZE} --wait-ms 200)`, () => {
    let r: RelayerProcess;
    /** Every record this relayer answered 202 for, and those expected to end as failed. */
    let accepted = 0;
    let expectedFailed = 0;
    /** Of those, signed validations (recorded, but no entry). */
    let acceptedValidations = 0;

    /** POSTs a record that must be accepted (202, queued). */
    async function accept(json: SignedRecordJson): Promise<RecordState> {
      const reply = await postRecord(r.url, json);
      expect(reply.status, JSON.stringify(reply.body)).to.equal(202);
      accepted++;
      return reply.body as RecordState;
    }

    before(async () => {
      r = await startRelayerProcess(l, path.join(l.dataDir, "relayer.sqlite"), ["--batch-size", String(BATCH_SIZE), "--wait-ms", "200"]);
    });
    after(async () => stopRelayer(r));

    describe("POST /records", () => {
      const alice = kitWallet("alice");
      let first: SignedRecordJson;
      let recorded: RecordState;

      it("accepts a valid signed record with 202, queued", async () => {
        first = signer.sign(alice, await recordOf(alice, 0n));
        const state = await accept(first);
        expect(state).to.include({ digest: first.digest, state: "queued", entryId: null, txHash: null, error: null });
      });

      it("records the accepted record with an entry id and a tx hash (GET /records/:digest)", async () => {
        [recorded] = await waitRecorded(r.url, [first.digest]);
        expect(recorded.state).to.equal("recorded");
        expect(recorded.entryId).to.match(/^[1-9]\d*$/);
        expect(recorded.txHash).to.match(/^0x[0-9a-f]{64}$/);
        const receipt = await l.provider.getTransactionReceipt(recorded.txHash!);
        expect(receipt?.status).to.equal(1);
        const logs = receipt!.logs.map((x) => ledgerInterface().parseLog(x)).filter((x) => x?.name === "Recorded");
        expect(logs.map((x) => x!.args.id.toString())).to.include(recorded.entryId);
      });

      it("answers a repeated POST of the same record with 200 and the same state", async () => {
        const again = await postRecord(r.url, first);
        expect(again.status).to.equal(200);
        expect(again.body).to.deep.equal(recorded);
      });

      it("answers a repeated POST of a still-queued record with 200 and the same state", async () => {
        const bob = kitWallet("bob");
        const waiting = signer.sign(bob, await recordOf(bob, 7n)); // sequence 7 waits for 0..6
        const state = await accept(waiting);
        const again = await postRecord(r.url, waiting);
        expect(again.status).to.equal(200);
        expect(again.body).to.deep.equal(state);
      });

      it("records out-of-order nonces (sequence 1 posted before 0) in nonce order", async () => {
        const carol = kitWallet("carol");
        const seq1 = signer.sign(carol, await recordOf(carol, 1n));
        const seq0 = signer.sign(carol, await recordOf(carol, 0n));
        await accept(seq1);
        await new Promise((resolve) => setTimeout(resolve, 700)); // a few batching rounds
        expect((await getRecord(r.url, seq1.digest)).body.state).to.equal("queued");
        await accept(seq0);
        const [s0, s1] = await waitRecorded(r.url, [seq0.digest, seq1.digest]);
        expect(BigInt(s0.entryId!)).to.be.lessThan(BigInt(s1.entryId!));
      });

      it(`records 300 records from 30 signers in recordBatch transactions of at most ${BATCH_SIZE} records`, async () => {
        const wallets = kitWallets("batch", 30);
        const records = await Promise.all(wallets.flatMap((w) => Array.from({ length: 10 }, (_, s) => recordOf(w, BigInt(s)))));
        const jsons = records.map((rec, i) => signer.sign(wallets[Math.floor(i / 10)], rec));
        await pMap(jsons, async (j) => accept(j), { concurrency: 16 });
        const states = await waitRecorded(
          r.url,
          jsons.map((j) => j.digest),
          120_000,
        );
        const txs = [...new Set(states.map((s) => s.txHash!))];
        expect(txs.length).to.be.at.least(Math.ceil(300 / BATCH_SIZE));
        let batches = 0;
        let ours = 0;
        const digests = new Set(jsons.map((j) => j.digest));
        for (const hash of txs) {
          const tx = (await l.provider.getTransaction(hash))!;
          const call = ledgerInterface().parseTransaction({ data: tx.data })!;
          expect(call.name).to.be.oneOf(["recordBatch", "record"]);
          if (call.name === "recordBatch") {
            batches++;
            expect(call.args.records.length).to.be.within(2, BATCH_SIZE);
          }
          const receipt = (await l.provider.getTransactionReceipt(hash))!;
          const recordedHere = receipt.logs.map((x) => ledgerInterface().parseLog(x)).filter((x) => x?.name === "Recorded");
          expect(recordedHere.length).to.be.at.most(BATCH_SIZE);
          ours += states.filter((s) => s.txHash === hash && digests.has(s.digest)).length;
        }
        expect(ours).to.equal(300);
        expect(batches).to.be.at.least(Math.ceil(300 / BATCH_SIZE) - 1);
        // Each signer's records are recorded in nonce order.
        for (let w = 0; w < 30; w++) {
          const ids = states.slice(w * 10, w * 10 + 10).map((s) => BigInt(s.entryId!));
          expect(ids).to.deep.equal([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        }
      });

      it("accepts an array of records with 207 and a result per record", async () => {
        const dora = kitWallet("dora");
        const good = signer.sign(dora, await recordOf(dora, 0n));
        const bad = { ...signer.sign(dora, await recordOf(dora, 1n)), signature: signer.sign(alice, await recordOf(dora, 1n)).signature };
        const reply = await postRecord(r.url, [good, bad]);
        expect(reply.status).to.equal(207);
        expect(reply.body.results[0]).to.include({ digest: good.digest, state: "queued" });
        expect(reply.body.results[1]).to.include({ status: 400 });
        expect(reply.body.results[1].error).to.match(/signature is not valid/);
        accepted++;
        await waitRecorded(r.url, [good.digest]);
      });

      describe("from an ERC-1271 wallet contract", () => {
        const owner = kitWallet("erc1271-owner");
        let honest: string;
        let wrongMagic: string;

        before(async () => {
          const artifact = JSON.parse(
            readFileSync(path.join(root, "artifacts", "contracts", "mocks", "ERC1271WalletMock.sol", "ERC1271WalletMock.json"), "utf8"),
          );
          const deployer = devWallet(9, l.provider); // not the relayer's paying account (dev account 0)
          const factory = new ContractFactory(artifact.abi, artifact.bytecode, deployer);
          const a = await factory.deploy(owner.address);
          const b = await factory.deploy(owner.address);
          await Promise.all([a.waitForDeployment(), b.waitForDeployment()]);
          honest = await a.getAddress();
          wrongMagic = await b.getAddress();
          await (await b.getFunction("setMode")(1)).wait(); // Mode.WrongMagic
        });

        it("accepts a record the wallet's owner signed and records it", async () => {
          const rec = { ...(await recordOf(owner, 0n)), provider: honest };
          const json = signer.json(rec, signer.signDigest(owner, signer.digest(rec)));
          await accept(json);
          const [state] = await waitRecorded(r.url, [json.digest]);
          const ledger = new Contract(l.ledger, LEDGER_ABI, l.provider);
          expect(await ledger.nonces(honest, 0)).to.equal(1n);
          expect(state.entryId).to.match(/^\d+$/);
        });

        it("rejects a record with 400 when the wallet does not return the magic value", async () => {
          const rec = { ...(await recordOf(owner, 0n)), provider: wrongMagic };
          const json = signer.json(rec, signer.signDigest(owner, signer.digest(rec)));
          const reply = await postRecord(r.url, json);
          expect(reply.status).to.equal(400);
          expect(reply.body.error).to.match(
            new RegExp(`^the signature is not valid for the record's agent ${wrongMagic}: the wallet contract did not return the ERC-1271 magic value`, "i"),
          );
          expect((await getRecord(r.url, json.digest)).status).to.equal(404);
        });
      });

      describe("when another record consumes a queued record's nonce on-chain", () => {
        it("marks the queued record failed with the reason", async () => {
          const erin = kitWallet("erin");
          const waiting = signer.sign(erin, await recordOf(erin, 1n, { evidence: `0x${"e1".repeat(32)}` }));
          await accept(waiting);
          expectedFailed++;
          // Someone else submits erin's sequences 0 and 1 (another sequence 1) directly, paying gas,
          // in one transaction: the relayer cannot send its sequence 1 between the two.
          const payer = devWallet(8, l.provider);
          const ledger = new Contract(l.ledger, LEDGER_ABI, payer);
          const others = [await recordOf(erin, 0n), await recordOf(erin, 1n)];
          const receipt = await (
            await ledger.recordBatch(
              others,
              others.map((o) => signer.signDigest(erin, signer.digest(o))),
            )
          ).wait();
          expect(receipt.logs.filter((x: { topics: readonly string[] }) => x.topics[0] === ledgerInterface().getEvent("Recorded")!.topicHash)).to.have.length(
            2,
          );
          const state = await waitFor("the record to fail", async () => {
            const s = (await getRecord(r.url, waiting.digest)).body as RecordState;
            return s.state === "failed" ? s : undefined;
          });
          expect(state.error).to.equal("its nonce (sequence 1) was consumed by another record or validation, or cancelled, before it was recorded");
          expect(state.entryId).to.equal(null);
        });
      });
    });

    describe("POST /records with a signed validation (gasless for the validator)", () => {
      const kate = kitWallet("kim");
      const val = kitWallet("validator-1");
      let entry: bigint;
      let sent: SignedValidationJson;
      const validationOf = async (who: Wallet, entryId: bigint, o: { nonce?: bigint; deadline?: bigint; verdict?: "accept" | "dispute" } = {}) => {
        const now = await chainNow();
        const v = buildValidation({
          entryId,
          verdict: o.verdict ?? "accept",
          validator: who.address,
          nonce: o.nonce ?? packNonce(2n, 0n),
          deadline: o.deadline ?? now + 3600n,
        });
        return toSignedValidationJson(signer.domain, v, await signValidation(who, signer.domain, v));
      };
      const post = (json: SignedValidationJson) => postRecord(r.url, json);

      before(async () => {
        const json = signer.sign(kate, await recordOf(kate, 0n));
        await accept(json);
        entry = BigInt((await waitRecorded(r.url, [json.digest]))[0].entryId!);
        // val may validate work (action 0) in the kit's commons; the validator-N wallets may not.
        await appointKitValidator(l.provider, l.ledger, val.address, [0]);
      });

      it("accepts it with 202 and records it: its state names the entry it validates, and the Ledger has the verdict", async () => {
        const json = (sent = await validationOf(val, entry));
        const reply = await post(json);
        expect(reply.status, JSON.stringify(reply.body)).to.equal(202);
        accepted++;
        acceptedValidations++;
        expect(reply.body).to.include({ digest: json.digest, kind: "validation", state: "queued" });
        const [done] = await waitRecorded(r.url, [json.digest]);
        expect(done).to.include({ kind: "validation", state: "recorded", entryId: entry.toString() });
        const ledger = new Contract(l.ledger, LEDGER_ABI, l.provider);
        expect(await ledger.hasValidated(entry, val.address)).to.equal(true);
        const receipt = await l.provider.getTransactionReceipt(done.txHash!);
        const events = receipt!.logs.map((log) => ledgerInterface().parseLog(log)).filter((e) => e?.name === "Validated");
        expect(events.map((e) => [e!.args.entryId, e!.args.validator, e!.args.accepts])).to.deep.equal([[entry, val.address, 1n]]);
        expect(await l.provider.getBalance(val.address)).to.equal(0n);
      });

      it("sends validations queued together in one validateBatch, with one range proof for the entries nobody validated yet", async () => {
        const validators = [kitWallet("batch-validator-1"), kitWallet("batch-validator-2"), kitWallet("batch-validator-3")];
        const records = [];
        for (let k = 1n; k <= 3n; k++) records.push(signer.sign(kate, await recordOf(kate, k)));
        for (const json of records) await accept(json);
        const entries = (
          await waitRecorded(
            r.url,
            records.map((j) => j.digest),
          )
        ).map((d) => BigInt(d.entryId!));
        for (const v of validators) await appointKitValidator(l.provider, l.ledger, v.address, [0]);
        const jsons = await Promise.all(validators.map((v, i) => validationOf(v, entries[i])));
        const replies = await Promise.all(jsons.map((j) => post(j)));
        for (const reply of replies) expect(reply.status, JSON.stringify(reply.body)).to.equal(202);
        accepted += 3;
        acceptedValidations += 3;
        const done = await waitRecorded(
          r.url,
          jsons.map((j) => j.digest),
        );
        const ledger = new Contract(l.ledger, LEDGER_ABI, l.provider);
        const selector = ledgerInterface().getFunction("validateBatch")!.selector;
        for (const [i, d] of done.entries()) {
          expect(d).to.include({ kind: "validation", state: "recorded", entryId: entries[i].toString() });
          expect(await ledger.hasValidated(entries[i], validators[i].address)).to.equal(true);
          const tx = await l.provider.getTransaction(d.txHash!);
          expect(tx!.data.slice(0, 10)).to.equal(selector);
          const [vs, , proofs] = ledgerInterface().decodeFunctionData("validateBatch", tx!.data);
          // Every entry the batch validates is either proven in it or was anchored before.
          const proven = new Set(
            (proofs as { firstId: bigint; signers: string[] }[]).flatMap((p) =>
              p.signers.flatMap((s, k) => (s === ZeroAddress ? [p.firstId + BigInt(k)] : [])),
            ),
          );
          for (const v of vs as { entryId: bigint }[]) expect(proven.has(v.entryId), `entry ${v.entryId} proven`).to.equal(true);
          expect(await l.provider.getBalance(validators[i].address)).to.equal(0n);
        }
      });

      it("answers the same validation posted again with 200 and its recorded state; a re-signed copy with the used nonce with 409", async () => {
        const again = await post(sent);
        expect(again.status).to.equal(200);
        expect(again.body).to.include({ digest: sent.digest, kind: "validation", state: "recorded", entryId: entry.toString() });
        const resigned = await post(await validationOf(val, entry, { deadline: (await chainNow()) + 7200n }));
        expect(resigned.status).to.equal(409);
        expect(resigned.body.error).to.equal(`already recorded: ${val.address} has validated entry ${entry}`);
      });

      it("refuses a second verdict of the same validator on the entry with 409 (a new nonce)", async () => {
        const json = await validationOf(val, entry, { nonce: packNonce(2n, 1n), verdict: "dispute" });
        const reply = await post(json);
        expect(reply.status, JSON.stringify(reply.body)).to.equal(409);
        expect(reply.body.error).to.equal(`${val.address} has already validated entry ${entry}; a validator gives one verdict per entry`);
      });

      it("refuses a validation of the validator's own entry with 403", async () => {
        const reply = await post(await validationOf(kate, entry, { nonce: packNonce(2n, 0n) }));
        expect(reply.status, JSON.stringify(reply.body)).to.equal(403);
        expect(reply.body.error).to.equal(`${kate.address} recorded entry ${entry}; nobody validates their own entry`);
      });

      it("refuses with 403 a validation by an account not appointed for the entry's action (an endorsement: it would pay for a verdict that counts nowhere)", async () => {
        const stranger = kitWallet("validator-7");
        const json = await validationOf(stranger, entry);
        const reply = await post(json);
        expect(reply.status, JSON.stringify(reply.body)).to.equal(403);
        expect(reply.body.error).to.equal(
          `${stranger.address} is not appointed to validate work in entry ${entry}'s commons, so its verdict would be an endorsement that counts nowhere; ` +
            "this relayer pays only for verdicts that count: send it yourself (commons validate without --relayer), or ask the commons' stewards to appoint you",
        );
        expect((await getRecord(r.url, json.digest)).status).to.equal(404);
      });

      it("refuses a validation of an entry that does not exist with 400", async () => {
        const reply = await post(await validationOf(kitWallet("validator-2"), 1_000_000n));
        expect(reply.status).to.equal(400);
        expect(reply.body.error).to.match(/^entry 1000000 does not exist \(the ledger has \d+ entries\)$/);
      });

      it("refuses a validation signed by someone other than its validator with 400", async () => {
        const other = kitWallet("validator-3");
        const json = await validationOf(other, entry);
        const forged = { ...json, signature: (await validationOf(kitWallet("validator-4"), entry)).signature };
        const reply = await post(forged);
        expect(reply.status).to.equal(400);
        expect(reply.body.error).to.include(`signature is not valid for the record's agent ${other.address}`);
        expect((await getRecord(r.url, json.digest)).status).to.equal(404);
      });

      it("refuses a validation past its deadline with 400, in dates", async () => {
        const reply = await post(await validationOf(kitWallet("validator-5"), entry, { deadline: (await chainNow()) - 10n }));
        expect(reply.status).to.equal(400);
        expect(reply.body.error).to.match(
          /^deadline: the signature expired at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(the chain's time is .* UTC\); sign the validation again$/,
        );
      });

      it("refuses a malformed validation (verdict 4) with 400 naming the field", async () => {
        const json = await validationOf(kitWallet("validator-6"), entry);
        const reply = await post({ ...json, validation: { ...json.validation, verdict: 4 }, digest: undefined } as unknown as SignedValidationJson);
        expect(reply.status).to.equal(400);
        expect(reply.body.error).to.equal('validation.verdict: "4" is not 0 (accept), 1 (dispute), 2 (confirm) or 3 (refuse)');
      });
    });

    describe("POST /records with bad input", () => {
      const frank = kitWallet("frank");
      const grace = kitWallet("grace");
      let before: Health;

      /** Posts and checks the status, the error and that nothing was queued. */
      async function rejects(reply: Promise<Reply>, status: number, error: RegExp, digest?: string): Promise<void> {
        before = await getHealth(r.url);
        const res = await reply;
        expect(res.status, JSON.stringify(res.body)).to.equal(status);
        expect(res.body.error).to.be.a("string").and.match(error);
        expect(total(await getHealth(r.url))).to.equal(total(before));
        if (digest) expect((await getRecord(r.url, digest)).status).to.equal(404);
      }

      it("rejects a body that is not JSON with 400", async () => {
        await rejects(postRecord(r.url, "{ this is not json", { raw: true }), 400, /not valid JSON/);
      });

      it("rejects a body that is not sent as application/json with 415", async () => {
        const json = signer.sign(frank, await recordOf(frank, 0n));
        await rejects(postRecord(r.url, JSON.stringify(json), { raw: true, contentType: "text/plain" }), 415, /content-type: application\/json/, json.digest);
      });

      // The checks after the POST reuse the kept-alive connection: it must still work after a 413.
      it("rejects a body over the size cap with 413 and keeps the connection usable", async () => {
        const json = signer.sign(frank, await recordOf(frank, 0n));
        await rejects(postRecord(r.url, { ...json, padding: "x".repeat(20_000_000) }), 413, /larger than 262144 bytes/, json.digest);
      });

      it("rejects a streamed body (no content-length) over the size cap with 413", async () => {
        const json = signer.sign(frank, await recordOf(frank, 0n));
        await rejects(postRecord(r.url, { ...json, padding: "x".repeat(1_000_000) }, { chunked: true }), 413, /larger than 262144 bytes/, json.digest);
      });

      it("rejects a wrong type tag with 400", async () => {
        const json = signer.sign(frank, await recordOf(frank, 0n));
        await rejects(
          postRecord(r.url, { ...json, type: "commons-ledger/signed-record@2" }),
          400,
          /^type: expected "commons-ledger\/signed-record@1"/,
          json.digest,
        );
      });

      it("rejects a record whose digest does not match it (altered JSON) with 400", async () => {
        const json = signer.sign(frank, await recordOf(frank, 0n));
        const altered = { ...json, record: { ...json.record, quantity: "99000000" } };
        await rejects(postRecord(r.url, altered), 400, /digest: does not match the record \(the JSON was altered\)/, json.digest);
      });

      it("rejects a malformed field with 400 naming it", async () => {
        const json = signer.sign(frank, await recordOf(frank, 0n));
        await rejects(postRecord(r.url, { ...json, record: { ...json.record, quantity: "-1" }, digest: undefined }), 400, /record\.quantity/);
      });

      it("rejects a record signed for another chain with 400", async () => {
        const json = new FastRecordSigner(ledgerDomain(1n, l.ledger)).sign(frank, await recordOf(frank, 0n));
        await rejects(postRecord(r.url, json), 400, /signed for chain 1; this relayer serves chain 31337/, json.digest);
      });

      it("rejects a record signed for another ledger with 400", async () => {
        const other = "0x000000000000000000000000000000000000dEaD";
        const json = new FastRecordSigner(ledgerDomain(31337n, other)).sign(frank, await recordOf(frank, 0n));
        await rejects(postRecord(r.url, json), 400, new RegExp(`signed for ledger ${other}; this relayer serves ${l.ledger}`, "i"), json.digest);
      });

      it("rejects a record past its deadline with 400", async () => {
        const now = await chainNow();
        const json = signer.sign(frank, await recordOf(frank, 0n, { deadline: now - 30n }));
        await rejects(
          postRecord(r.url, json),
          400,
          /^deadline: the signature expired at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(the chain's time is \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\); sign the record again$/,
          json.digest,
        );
      });

      it("rejects a record whose event time is in the future with 400", async () => {
        const now = await chainNow();
        const json = signer.sign(frank, await recordOf(frank, 0n, { time: now + 3600n }));
        await rejects(postRecord(r.url, json), 400, /^time: the event is dated \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, after the chain's time/, json.digest);
      });

      it("rejects a record signed by someone other than its agent with 400", async () => {
        const rec = await recordOf(frank, 0n);
        const json = signer.json(rec, signer.signDigest(grace, signer.digest(rec)));
        await rejects(postRecord(r.url, json), 400, new RegExp(`signature is not valid for the record's agent ${frank.address}`), json.digest);
      });

      it("rejects a record whose nonce is already used with 409", async () => {
        const alice = kitWallet("alice"); // alice's sequence 0 was recorded above
        const json = signer.sign(alice, await recordOf(alice, 0n, { quantity: 2_000_000n }));
        await rejects(
          postRecord(r.url, json),
          409,
          /^nonce 0 of 0x[0-9a-fA-F]{40} is already used \(the ledger expects 1 next\); sign the record again with that nonce$/,
          json.digest,
        );
      });

      it("rejects another record with the same nonce as a queued one with 409", async () => {
        const queued = signer.sign(grace, await recordOf(grace, 3n)); // waits for sequences 0..2
        await accept(queued);
        const rival = signer.sign(grace, await recordOf(grace, 3n, { quantity: 5_000_000n }));
        await rejects(
          postRecord(r.url, rival),
          409,
          new RegExp(`another record or validation \\(${queued.digest}\\) with the same nonce is already queued`),
          rival.digest,
        );
        expect((await getRecord(r.url, queued.digest)).body.state).to.equal("queued");
      });

      it("rejects a record of a commons that is not registered (a typo in the id) with 400", async () => {
        const typo = KIT_COMMONS.slice(0, -1) + (KIT_COMMONS.endsWith("0") ? "1" : "0");
        const json = signer.sign(frank, await recordOf(frank, 0n, { commons: typo }));
        await rejects(
          postRecord(r.url, json),
          400,
          new RegExp(`^commons: ${typo} is not registered on this ledger \\(${l.ledger}\\); check the id`),
          json.digest,
        );
      });

      it("rejects a forged record of an unregistered commons for its signature (checked first: a forgery costs no commons lookup)", async () => {
        const rec = await recordOf(frank, 0n, { commons: "0x" + "ab".repeat(32) });
        const json = signer.json(rec, signer.signDigest(grace, signer.digest(rec)));
        await rejects(postRecord(r.url, json), 400, new RegExp(`signature is not valid for the record's agent ${frank.address}`), json.digest);
      });

      it("rejects an empty array with 400", async () => {
        await rejects(postRecord(r.url, []), 400, /send 1 to 150 records at a time/);
      });
    });

    describe("GET /records/:digest", () => {
      it("answers 404 for an unknown digest", async () => {
        const reply = await getRecord(r.url, `0x${"ab".repeat(32)}`);
        expect(reply.status).to.equal(404);
        expect(reply.body.error).to.match(/no record with digest 0xabab/);
      });

      it("answers 404 for a path that is not a digest", async () => {
        const reply = await getRecord(r.url, "0x1234");
        expect(reply.status).to.equal(404);
        expect(reply.body.error).to.match(/no route GET \/records\/0x1234/);
      });
    });

    describe("GET /health", () => {
      it("counts every accepted record by state", async () => {
        // Settle: everything is recorded, except the records left waiting for missing sequences.
        const h = await waitFor("the queue to settle", async () => {
          const x = await getHealth(r.url);
          return x.queue.sending === 0 && x.queue.failed + x.queue.recorded + 2 === accepted ? x : undefined;
        });
        expect(h).to.deep.include({ ok: true, chainId: "31337" });
        expect(h.ledger.toLowerCase()).to.equal(l.ledger.toLowerCase());
        expect(h.relayer).to.equal(devWallet(0, l.provider).address);
        expect(h.queue).to.deep.equal({ queued: 2, sending: 0, recorded: accepted - 2 - expectedFailed, failed: expectedFailed });
        const { count } = await new Contract(l.ledger, LEDGER_ABI, l.provider).tip();
        expect(Number(count)).to.equal(accepted - 2 - expectedFailed + 2 - acceptedValidations); // + erin's two direct records, - the validations (no entry)
      });
    });
  });

  // What an earlier process left behind when it was killed: the queue database says "sending".
  describe("on start, with records an earlier relayer left in flight", () => {
    /** A queue database with `json` marked as being sent, as a killed relayer leaves it. */
    function leftSending(db: string, json: SignedRecordJson, agent: string): void {
      const q = new RelayQueue(db);
      q.enqueue({
        digest: json.digest,
        agent,
        nonceKey: "0",
        nonceSeq: BigInt(json.record.nonce),
        corrects: 0n,
        validates: 0n,
        wallet: false,
        deadline: BigInt(json.record.deadline),
        body: JSON.stringify(json),
      });
      q.setLane(agent, "0", 0n);
      q.markSending([json.digest]);
      q.close();
    }

    /** Records `rec` directly (paying from dev account 8), as the killed relayer's transaction did. */
    async function recordDirectly(rec: LedgerRecord, agent: Wallet): Promise<{ id: bigint; hash: string }> {
      const ledger = new Contract(l.ledger, LEDGER_ABI, devWallet(8, l.provider));
      const receipt = await (await ledger.record(rec, signer.signDigest(agent, signer.digest(rec)))).wait();
      const event = receipt.logs
        .map((x: Parameters<Interface["parseLog"]>[0]) => ledgerInterface().parseLog(x))
        .find((x: { name: string } | null) => x?.name === "Recorded");
      return { id: event.args.id, hash: receipt.hash };
    }

    let relayer: Relayer | undefined;
    afterEach(async () => {
      await relayer?.close();
      relayer = undefined;
    });

    const start = (db: string, provider: JsonRpcProvider = l.provider) => startTestRelayer(l, 2, db, { provider });

    it("marks a record whose transaction was mined as recorded, with its entry id and transaction hash", async () => {
      const kate = kitWallet("kate");
      const rec = await recordOf(kate, 0n);
      const json = signer.sign(kate, rec);
      const db = path.join(l.dataDir, "left-mined.sqlite");
      leftSending(db, json, kate.address);
      const mined = await recordDirectly(rec, kate);
      // Entry ids with an odd number of hex digits (1-15, 256-4095, ...) once broke the lookup of
      // the entry's transaction; this file has recorded a few hundred entries by now.
      relayer = await start(db);
      const [state] = await waitRecorded(relayer.url, [json.digest], 20_000);
      expect(state).to.include({ state: "recorded", entryId: mined.id.toString(), txHash: mined.hash });
    });

    it("sends a record whose transaction never went out, once", async () => {
      const liam = kitWallet("liam");
      const json = signer.sign(liam, await recordOf(liam, 0n));
      const db = path.join(l.dataDir, "left-unsent.sqlite");
      leftSending(db, json, liam.address);
      relayer = await start(db);
      const [state] = await waitRecorded(relayer.url, [json.digest], 20_000);
      expect(state.attempts).to.equal(2);
      const ledger = new Contract(l.ledger, LEDGER_ABI, l.provider);
      expect(await ledger.nonces(liam.address, 0)).to.equal(1n);
    });

    /** Queues the signed validation `json` in `q`, its lane starting at sequence 0. */
    function enqueueValidation(q: RelayQueue, json: SignedValidationJson): void {
      const nonce = BigInt(json.validation.nonce);
      q.enqueue({
        digest: json.digest,
        agent: String(json.validation.validator),
        nonceKey: String(nonce >> 64n),
        nonceSeq: nonce & ((1n << 64n) - 1n),
        corrects: 0n,
        validates: BigInt(json.validation.entryId),
        wallet: false,
        deadline: BigInt(json.validation.deadline),
        body: JSON.stringify(json),
      });
      q.setLane(String(json.validation.validator), String(nonce >> 64n), 0n);
    }

    /** A queue database with the signed validation `json` marked as being sent. */
    function leftSendingValidation(db: string, json: SignedValidationJson): void {
      const q = new RelayQueue(db);
      enqueueValidation(q, json);
      q.markSending([json.digest]);
      q.close();
    }

    /** An entry recorded directly, and a validation of it signed by `validator` (nonce key 2, sequence 0). */
    async function entryAndValidation(agent: Wallet, validator: Wallet): Promise<{ entry: bigint; json: SignedValidationJson; v: LedgerValidation }> {
      const { id: entry } = await recordDirectly(await recordOf(agent, 0n), agent);
      const v = buildValidation({
        entryId: entry,
        verdict: "accept",
        validator: validator.address,
        nonce: packNonce(2n, 0n),
        deadline: (await chainNow()) + 3600n,
      });
      return { entry, v, json: toSignedValidationJson(signer.domain, v, await signValidation(validator, signer.domain, v)) };
    }

    it("marks a validation whose transaction was mined as recorded, found by its entry and validator", async () => {
      const validator = kitWallet("crash/validator-1");
      const { entry, v, json } = await entryAndValidation(kitWallet("crash/agent-1"), validator);
      const db = path.join(l.dataDir, "left-validation-mined.sqlite");
      leftSendingValidation(db, json);
      const client = await LedgerClient.connect(devWallet(8, l.provider), l.ledger, l.fromBlock);
      const receipt = await client.submitValidation(v, json.signature);
      relayer = await start(db);
      const [state] = await waitRecorded(relayer.url, [json.digest], 20_000);
      expect(state).to.include({ kind: "validation", state: "recorded", entryId: entry.toString(), txHash: receipt.hash });
    });

    it("sends a validation whose transaction never went out, once", async () => {
      const validator = kitWallet("crash/validator-2");
      const { entry, json } = await entryAndValidation(kitWallet("crash/agent-2"), validator);
      const db = path.join(l.dataDir, "left-validation-unsent.sqlite");
      leftSendingValidation(db, json);
      relayer = await start(db);
      const [state] = await waitRecorded(relayer.url, [json.digest], 20_000);
      expect(state).to.include({ kind: "validation", state: "recorded", entryId: entry.toString(), attempts: 2 });
      const ledger = new Contract(l.ledger, LEDGER_ABI, l.provider);
      expect(await ledger.hasValidated(entry, validator.address)).to.equal(true);
      expect(await ledger.nonces(validator.address, 2n)).to.equal(packNonce(2n, 1n));
    });

    it("fails a left validation whose nonce another message used, naming that", async () => {
      const validator = kitWallet("crash/validator-3");
      const { json } = await entryAndValidation(kitWallet("crash/agent-3"), validator);
      const db = path.join(l.dataDir, "left-validation-overtaken.sqlite");
      leftSendingValidation(db, json);
      // The validator cancels the nonce (invalidateNonce), paying for it.
      await l.provider.send("anvil_setBalance", [validator.address, "0xde0b6b3a7640000"]);
      const ledger = new Contract(l.ledger, LEDGER_ABI, validator.connect(l.provider));
      await (await ledger.invalidateNonce(2n)).wait();
      relayer = await start(db);
      const state = await waitFor(
        "the validation to fail",
        async () => {
          const s = (await getRecord(relayer!.url, json.digest)).body as RecordState;
          return s.state === "failed" ? s : undefined;
        },
        20_000,
      );
      expect(state.error).to.equal("its nonce (sequence 0 (nonce key 2)) was consumed by another record or validation, or cancelled, before it was recorded");
    });

    it("sends queued validations in one validateBatch: the one the Ledger skips (its validator validated the entry meanwhile) fails with the Ledger's sentence, the other is recorded", async () => {
      const good = kitWallet("batch/validator-1");
      const late = kitWallet("batch/validator-2");
      const a = await entryAndValidation(kitWallet("batch/agent-1"), good);
      const b = await entryAndValidation(kitWallet("batch/agent-2"), late);
      await appointKitValidator(l.provider, l.ledger, good.address, [0]);
      await appointKitValidator(l.provider, l.ledger, late.address, [0]);
      const db = path.join(l.dataDir, "batch-skip.sqlite");
      const q = new RelayQueue(db);
      for (const json of [a.json, b.json]) enqueueValidation(q, json);
      q.close();
      // `late` validates its entry itself, with another nonce lane (key 3), before the relayer starts.
      const direct = buildValidation({
        entryId: b.entry,
        verdict: "dispute",
        validator: late.address,
        nonce: packNonce(3n, 0n),
        deadline: (await chainNow()) + 3600n,
      });
      const client = await LedgerClient.connect(devWallet(8, l.provider), l.ledger, l.fromBlock);
      await client.submitValidation(direct, await signValidation(late, signer.domain, direct));
      relayer = await start(db);
      const [recorded] = await waitRecorded(relayer.url, [a.json.digest], 20_000);
      expect(recorded).to.include({ kind: "validation", state: "recorded", entryId: a.entry.toString() });
      const failed = await waitFor(
        "the skipped validation to fail",
        async () => {
          const s = (await getRecord(relayer!.url, b.json.digest)).body as RecordState;
          return s.state === "failed" ? s : undefined;
        },
        20_000,
      );
      expect(failed.error).to.match(new RegExp(`^the Ledger refused it: 0x[0-9a-fA-F]{40} has already validated entry ${b.entry}\\.$`));
      expect(failed.error!.toLowerCase()).to.include(late.address.toLowerCase());
      const tx = await l.provider.getTransaction(recorded.txHash!);
      const [vs] = ledgerInterface().decodeFunctionData("validateBatch", tx!.data);
      expect((vs as unknown[]).length).to.equal(2);
      const ledger = new Contract(l.ledger, LEDGER_ABI, l.provider);
      expect(await ledger.nonces(late.address, 2n)).to.equal(packNonce(2n, 0n), "the skipped item consumed no nonce");
    });

    it("keeps trying to resolve a record when the chain could not be read at start", async () => {
      /** A provider whose first eth_call fails as if the node were unreachable. */
      class FlakyProvider extends JsonRpcProvider {
        failures = 1;
        override async send(method: string, params: unknown[] | Record<string, unknown>): Promise<unknown> {
          if (method === "eth_call" && this.failures > 0) {
            this.failures--;
            throw new Error("connect ECONNREFUSED 127.0.0.1 (injected)");
          }
          return super.send(method, params);
        }
      }
      const flaky = new FlakyProvider(l.rpc, Network.from(31337), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
      const mia = kitWallet("mia");
      const rec = await recordOf(mia, 0n);
      const json = signer.sign(mia, rec);
      const db = path.join(l.dataDir, "left-flaky.sqlite");
      leftSending(db, json, mia.address);
      const mined = await recordDirectly(rec, mia);
      try {
        relayer = await start(db, flaky);
        const [state] = await waitRecorded(relayer.url, [json.digest], 20_000);
        expect(flaky.failures).to.equal(0);
        expect(state).to.include({ state: "recorded", entryId: mined.id.toString(), txHash: mined.hash });
      } finally {
        await relayer?.close();
        relayer = undefined;
        flaky.destroy();
      }
    });
  });

  describe("when a record's transaction reverts", () => {
    /** A provider that runs `beforeEstimate` once, just before the relayer's first eth_estimateGas. */
    class HookedProvider extends JsonRpcProvider {
      beforeEstimate: (() => Promise<void>) | undefined;
      override async send(method: string, params: unknown[] | Record<string, unknown>): Promise<unknown> {
        const hook = method === "eth_estimateGas" ? this.beforeEstimate : undefined;
        if (hook) {
          this.beforeEstimate = undefined;
          await hook();
        }
        return super.send(method, params);
      }
    }
    let provider: HookedProvider;
    let relayer: Relayer | undefined;
    const start = (db: string, waitMs = 100) => startTestRelayer(l, 3, path.join(l.dataDir, db), { provider, waitMs });
    beforeEach(() => {
      provider = new HookedProvider(l.rpc, Network.from(31337), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
    });
    afterEach(async () => {
      await relayer?.close();
      relayer = undefined;
      provider.destroy();
    });

    it("reports a record as recorded when someone else recorded it just before the relayer's transaction", async () => {
      // A signer whose address has no "5" and two decimal digits (see the next test).
      let nora = kitWallet("nora");
      for (let i = 0; /5\d\d/.test(nora.address); i++) nora = kitWallet(`nora/${i}`);
      const rec = await recordOf(nora, 0n);
      const json = signer.sign(nora, rec);
      let direct: { hash: string; id: bigint } | undefined;
      provider.beforeEstimate = async () => {
        // The same signed record, submitted directly by someone else (it reaches the chain first).
        const ledger = new Contract(l.ledger, LEDGER_ABI, devWallet(8, l.provider));
        const receipt = await (await ledger.record(rec, json.signature)).wait();
        const event = receipt.logs
          .map((x: Parameters<Interface["parseLog"]>[0]) => ledgerInterface().parseLog(x))
          .find((x: { name: string } | null) => x?.name === "Recorded");
        direct = { hash: receipt.hash, id: event.args.id };
      };
      relayer = await start("raced.sqlite");
      expect((await postRecord(relayer.url, json)).status).to.equal(202);
      const state = await waitFor(
        "the record to settle",
        async () => {
          const x = (await getRecord(relayer!.url, json.digest)).body as RecordState;
          return x.state === "recorded" || x.state === "failed" ? x : undefined;
        },
        20_000,
      );
      expect(direct, "the direct submission ran").to.not.equal(undefined);
      expect(state).to.include({ state: "recorded", entryId: direct!.id.toString(), txHash: direct!.hash, error: null });
    });

    it("fails a record whose transaction reverts, whatever digits the revert reason holds", async () => {
      // The reason names the wallet's address; one with "5" and two decimal digits in it (as many
      // numbers and addresses have) was once taken for an HTTP 5xx, that is a transient failure,
      // and the record was resent forever.
      const owner = kitWallet("erc1271-owner-2");
      const artifact = JSON.parse(readFileSync(path.join(root, "artifacts", "contracts", "mocks", "ERC1271WalletMock.sol", "ERC1271WalletMock.json"), "utf8"));
      const factory = new ContractFactory(artifact.abi, artifact.bytecode, devWallet(9, l.provider));
      let wallet: Contract;
      for (;;) {
        wallet = (await (await factory.deploy(owner.address)).waitForDeployment()) as Contract;
        if (/5\d\d/.test(await wallet.getAddress())) break;
      }
      const address = await wallet.getAddress();
      const rec = { ...(await recordOf(owner, 0n)), provider: address };
      const json = signer.json(rec, signer.signDigest(owner, signer.digest(rec)));
      relayer = await start("reverted.sqlite", 4_000); // its first round is over: the next one is 4 s away
      expect((await postRecord(relayer.url, json)).status).to.equal(202);
      await (await wallet.getFunction("setMode")(1)).wait(); // the wallet stops accepting the signature
      const state = await waitFor(
        "the record to fail",
        async () => {
          const x = (await getRecord(relayer!.url, json.digest)).body as RecordState;
          return x.state === "failed" ? x : undefined;
        },
        20_000,
      );
      expect(state.error).to.equal(`the Ledger refused it: LedgerInvalidSignature(${address})`);
      expect(state.attempts).to.equal(1);
    });
  });

  describe("a relayer process with --rate 1 --burst 2", () => {
    let r: RelayerProcess;
    before(async () => {
      r = await startRelayerProcess(l, path.join(l.dataDir, "relayer-rate.sqlite"), ["--rate", "1", "--burst", "2", "--wait-ms", "100"]);
    });
    after(async () => stopRelayer(r));

    it("answers 429 to a signer over its rate, queues nothing, and serves other signers", async () => {
      const heidi = kitWallet("heidi");
      const ivan = kitWallet("ivan");
      const [a, b, c] = await Promise.all([0n, 1n, 2n].map(async (s) => signer.sign(heidi, await recordOf(heidi, s))));
      expect((await postRecord(r.url, a)).status).to.equal(202);
      expect((await postRecord(r.url, b)).status).to.equal(202);
      const limited = await postRecord(r.url, c);
      expect(limited.status).to.equal(429);
      expect(limited.body.error).to.equal(`too many records from ${heidi.address}; slow down`);
      expect((await getRecord(r.url, c.digest)).status).to.equal(404);
      const other = signer.sign(ivan, await recordOf(ivan, 0n));
      expect((await postRecord(r.url, other)).status).to.equal(202);
      await new Promise((resolve) => setTimeout(resolve, 1_100)); // one more token
      expect((await postRecord(r.url, c)).status).to.equal(202);
      await waitRecorded(r.url, [a.digest, b.digest, c.digest, other.digest]);
    });

    it("does not count records with a bad signature against the signer they name", async () => {
      const judy = kitWallet("judy");
      const mallory = kitWallet("mallory");
      for (let i = 0; i < 4; i++) {
        const rec = await recordOf(judy, BigInt(i));
        const forged = signer.json(rec, signer.signDigest(mallory, signer.digest(rec)));
        const reply = await postRecord(r.url, forged);
        expect(reply.status, JSON.stringify(reply.body)).to.equal(400);
      }
      const real = signer.sign(judy, await recordOf(judy, 0n));
      const reply = await postRecord(r.url, real);
      expect(reply.status, JSON.stringify(reply.body)).to.equal(202);
      await waitRecorded(r.url, [real.digest]);
    });
  });
});
