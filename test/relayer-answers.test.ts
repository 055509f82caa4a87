// The relayer and counterparty answers: a signed validation with verdict confirm or refuse, signed
// by the other agent an entry's record names (its receiver when the provider signed). Admission
// checks it as the Ledger would (the counterparty, one answer per entry, no role needed); the sender
// puts it in the same validateBatch as validations, with the entry's record given in full even when
// the entry is anchored. Relayers run in this process (startRelayer) on a real anvil.
import { expect } from "chai";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { readFileSync } from "node:fs";
import { Contract, ContractFactory, ZeroAddress } from "ethers";
import type { Wallet } from "ethers";
import { LEDGER_ABI } from "../scripts/lib/core/abi.js";
import { LedgerClient } from "../scripts/lib/core/client.js";
import {
  appointKitValidator,
  FastRecordSigner,
  getHealth,
  getRecord,
  kitWallet,
  postRecord,
  waitFor,
  waitRecorded,
  workRecord,
  recordDirectly as recordDirectlyBy,
} from "../scripts/lib/kit/relayer.js";
import type { RecordState } from "../scripts/lib/kit/relayer.js";
import { ledgerInterface, readLedger } from "../scripts/lib/core/reader.js";
import { buildValidation, fromSignedJson, ledgerDomain, packNonce, RECORD_TYPES, signValidation, toSignedValidationJson } from "../scripts/lib/core/record.js";
import type { LedgerRecord, LedgerValidation, SignedRecordJson, SignedValidationJson } from "../scripts/lib/core/record.js";
import { deriveEntries } from "../scripts/lib/core/views.js";
import type { EntryView } from "../scripts/lib/core/views.js";
import { LIMITS } from "../scripts/lib/core/vocabulary.js";
import type { VerdictName } from "../scripts/lib/core/vocabulary.js";
import { RelayQueue } from "../scripts/lib/relayer/queue.js";
import type { Relayer } from "../scripts/lib/relayer/service.js";
import { devWallet } from "../scripts/demo/seed.js";
import { root, startLocalLedger, startTestRelayer } from "./helpers/local-ledger.js";
import type { LocalLedger } from "./helpers/local-ledger.js";

const CONFIRM = 2n;
const REFUSE = 3n;
const INTERVAL = BigInt(LIMITS.checkpointInterval);

/** The proofs of a validateBatch transaction, as decoded from its calldata. */
interface DecodedRangeProof {
  firstId: bigint;
  records: unknown[];
  signers: string[];
}

describe("relayer: counterparty answers (confirm, refuse)", function () {
  this.timeout(180_000);
  let l: LocalLedger;
  let signer: FastRecordSigner;
  let payer: Wallet;
  let client: LedgerClient;
  let ledger: Contract;
  let chainNow: () => Promise<bigint>;

  /** A typical record by `agent`: an hour of work a minute ago, valid for an hour. */
  async function recordOf(agent: Wallet, nonce: bigint, extra: Partial<LedgerRecord> = {}): Promise<LedgerRecord> {
    const now = await chainNow();
    return { ...workRecord(agent.address, { nonce, time: now - 60n, deadline: now + 3600n }), ...extra };
  }

  /** Records `jsons` directly in one recordBatch (paid by dev account 9); returns their entry ids. */
  const recordDirectly = (jsons: SignedRecordJson[]) => recordDirectlyBy(l.ledger, payer, jsons);

  /** A flow from `provider` to `receiver` (the provider signs, the receiver is its counterparty), recorded directly. */
  async function flow(provider: Wallet, receiver: Wallet, nonce = 0n, extra: Partial<LedgerRecord> = {}): Promise<bigint> {
    const [id] = await recordDirectly([signer.sign(provider, await recordOf(provider, nonce, { receiver: receiver.address, ...extra }))]);
    return id;
  }

  /** `who`'s signed validation of `entryId` with `verdict` (an answer for confirm and refuse), nonce key 2 sequence 0 unless given. */
  async function signed(
    who: Wallet,
    entryId: bigint,
    verdict: VerdictName,
    o: { nonce?: bigint; evidence?: string } = {},
  ): Promise<{ v: LedgerValidation; json: SignedValidationJson }> {
    const v = buildValidation({
      entryId,
      verdict,
      validator: who.address,
      evidence: o.evidence,
      nonce: o.nonce ?? packNonce(2n, 0n),
      deadline: (await chainNow()) + 3600n,
    });
    return { v, json: toSignedValidationJson(signer.domain, v, await signValidation(who, signer.domain, v)) };
  }

  /** The entry's view (consent, counterparty, validations) as every reader derives it from the events. */
  async function viewOf(entryId: bigint): Promise<EntryView> {
    const views = deriveEntries(await readLedger(l.provider, l.ledger, { fromBlock: l.fromBlock }));
    return views.find((v) => v.entry.id === entryId)!;
  }

  /** The CounterpartyAnswered events of a transaction, as [entryId, counterparty, verdict, evidence]. */
  async function answersIn(txHash: string): Promise<[bigint, string, bigint, string][]> {
    const receipt = (await l.provider.getTransactionReceipt(txHash))!;
    return receipt.logs
      .map((x) => ledgerInterface().parseLog(x))
      .filter((e) => e?.name === "CounterpartyAnswered")
      .map((e) => [e!.args.entryId, e!.args.counterparty, e!.args.verdict, e!.args.evidence]);
  }

  /** The validateBatch call a transaction made: its validations and range proofs. */
  async function validateBatchOf(txHash: string): Promise<{ validations: { entryId: bigint; validator: string }[]; proofs: DecodedRangeProof[] }> {
    const tx = (await l.provider.getTransaction(txHash))!;
    const call = ledgerInterface().parseTransaction({ data: tx.data })!;
    expect(call.name).to.equal("validateBatch");
    return { validations: call.args.validations, proofs: call.args.proofs };
  }

  /** The entries a range proof gives in full (a zero signer at their position). */
  const givenInFull = (proofs: readonly DecodedRangeProof[]) =>
    proofs.flatMap((p) => p.signers.flatMap((s, k) => (s === ZeroAddress ? [p.firstId + BigInt(k)] : [])));

  /** Records filler entries until the ledger's count is a multiple of the checkpoint interval: the next entries share an interval. */
  async function padToInterval(): Promise<void> {
    const [count] = (await ledger.tip()) as [bigint, string];
    const missing = (INTERVAL - (count % INTERVAL)) % INTERVAL;
    if (missing === 0n) return;
    const filler = kitWallet(`answers/filler/${count}`);
    const jsons = [];
    for (let s = 0n; s < missing; s++) jsons.push(signer.sign(filler, await recordOf(filler, s)));
    await recordDirectly(jsons);
  }

  async function waitState(url: string, digest: string, state: RecordState["state"]): Promise<RecordState> {
    return waitFor(
      `${digest} to be ${state}`,
      async () => {
        const s = (await getRecord(url, digest)).body as RecordState;
        return s.state === state ? s : undefined;
      },
      30_000,
    );
  }

  before(async () => {
    l = await startLocalLedger();
    signer = new FastRecordSigner(ledgerDomain(31337n, l.ledger));
    payer = devWallet(9, l.provider) as unknown as Wallet;
    client = await LedgerClient.connect(devWallet(8, l.provider), l.ledger, l.fromBlock);
    ledger = new Contract(l.ledger, LEDGER_ABI, l.provider);
    chainNow = async () => BigInt((await l.provider.getBlock("latest"))!.timestamp);
  });
  after(async () => l?.stop());

  describe("POST /records with a counterparty's answer", () => {
    let r: Relayer;
    /** The relayer's transactions so far (its account's nonce). */
    const relayerTxs = () => l.provider.getTransactionCount(r.address);

    /** Posts `json`, expects a refusal with `status` and exactly `error`, and checks nothing was queued or sent. */
    async function refused(json: SignedValidationJson, status: number, error: string): Promise<void> {
      const txs = await relayerTxs();
      const reply = await postRecord(r.url, json);
      expect(reply.status, JSON.stringify(reply.body)).to.equal(status);
      expect(reply.body.error).to.equal(error);
      expect((await getRecord(r.url, json.digest)).status).to.equal(404);
      const health = await getHealth(r.url);
      expect(health.queue.queued + health.queue.sending).to.equal(0);
      expect(await relayerTxs()).to.equal(txs, "no transaction sent");
    }

    before(async () => {
      r = await startTestRelayer(l, 1, path.join(l.dataDir, "answers.sqlite"));
    });
    after(async () => r?.close());

    describe("when the entry's receiver confirms it", () => {
      it("queues it with 202 as a validation and records it: CounterpartyAnswered on chain, consent 'confirmed', no validator's mark, nothing paid by the receiver", async () => {
        const alice = kitWallet("answers/alice");
        const bob = kitWallet("answers/bob"); // appointed to nothing: an answer needs no role
        const entry = await flow(alice, bob);
        expect((await viewOf(entry)).consent).to.equal("one-sided");
        const evidence = "0x" + "c0".repeat(32);
        const { json } = await signed(bob, entry, "confirm", { evidence });
        const reply = await postRecord(r.url, json);
        expect(reply.status, JSON.stringify(reply.body)).to.equal(202);
        expect(reply.body).to.include({ digest: json.digest, kind: "validation", state: "queued" });
        const [done] = await waitRecorded(r.url, [json.digest], 30_000);
        expect(done).to.include({ kind: "validation", state: "recorded", entryId: entry.toString(), error: null });
        expect(await answersIn(done.txHash!)).to.deep.equal([[entry, bob.address, CONFIRM, evidence]]);
        const view = await viewOf(entry);
        expect(view).to.include({ counterparty: bob.address, consent: "confirmed" });
        expect(view.answer).to.deep.equal({ evidence, transactionHash: done.txHash });
        expect(view.validations).to.deep.equal([]);
        expect(await ledger.hasValidated(entry, bob.address)).to.equal(false);
        expect(await ledger.nonces(bob.address, 2n)).to.equal(packNonce(2n, 1n));
        expect(await l.provider.getBalance(bob.address)).to.equal(0n);
      });
    });

    describe("when the entry's receiver refuses it", () => {
      it("records the refusal: CounterpartyAnswered with verdict refuse, consent 'refused'", async () => {
        const carol = kitWallet("answers/carol");
        const dan = kitWallet("answers/dan");
        const entry = await flow(carol, dan);
        const { json } = await signed(dan, entry, "refuse");
        expect((await postRecord(r.url, json)).status).to.equal(202);
        const [done] = await waitRecorded(r.url, [json.digest], 30_000);
        expect(await answersIn(done.txHash!)).to.deep.equal([[entry, dan.address, REFUSE, "0x" + "00".repeat(32)]]);
        expect(await viewOf(entry)).to.include({ counterparty: dan.address, consent: "refused" });
      });
    });

    describe("when the entry is anchored already (validated before)", () => {
      it("sends the answer in a validateBatch whose range proof gives the entry's record in full, and records it", async () => {
        const erin = kitWallet("answers/erin");
        const fay = kitWallet("answers/fay");
        const validator = kitWallet("answers/validator-1");
        const entry = await flow(erin, fay);
        await appointKitValidator(l.provider, l.ledger, validator.address, [0]);
        await client.validate(validator, entry, "accept"); // anchors the entry
        expect(await ledger.hasValidated(entry, validator.address)).to.equal(true);
        const { json } = await signed(fay, entry, "confirm");
        expect((await postRecord(r.url, json)).status).to.equal(202);
        const [done] = await waitRecorded(r.url, [json.digest], 30_000);
        const { validations, proofs } = await validateBatchOf(done.txHash!);
        expect(validations.map((v) => [v.entryId, v.validator])).to.deep.equal([[entry, fay.address]]);
        expect(givenInFull(proofs)).to.deep.equal([entry]);
        // The proof runs from the entry to its interval's end (or the tip, for the open interval).
        const [count] = (await ledger.tip({ blockTag: (await l.provider.getTransactionReceipt(done.txHash!))!.blockNumber })) as [bigint, string];
        const end = ((entry - 1n) / INTERVAL + 1n) * INTERVAL;
        expect(proofs[0].firstId).to.equal(entry);
        expect(BigInt(proofs[0].signers.length)).to.equal((end < count ? end : count) - entry + 1n);
        expect(await answersIn(done.txHash!)).to.deep.equal([[entry, fay.address, CONFIRM, "0x" + "00".repeat(32)]]);
        const view = await viewOf(entry);
        expect(view).to.include({ consent: "confirmed", state: "accepted" });
        expect(view.validations.map((v) => v.validator)).to.deep.equal([validator.address]);
      });
    });

    describe("when someone other than the counterparty answers", () => {
      it("refuses a third party's answer with 403 naming the counterparty and the signer, and sends no transaction", async () => {
        const gus = kitWallet("answers/gus");
        const hana = kitWallet("answers/hana");
        const mallory = kitWallet("answers/mallory");
        const entry = await flow(gus, hana);
        const { json } = await signed(mallory, entry, "confirm");
        await refused(
          json,
          403,
          `entry ${entry} names ${hana.address} as its counterparty, not ${mallory.address}; only the other agent a record names can confirm or refuse it`,
        );
      });

      it("refuses the entry's own agent's answer with 403 the same way", async () => {
        const ida = kitWallet("answers/ida");
        const jon = kitWallet("answers/jon");
        const entry = await flow(ida, jon);
        const { json } = await signed(ida, entry, "refuse");
        await refused(
          json,
          403,
          `entry ${entry} names ${jon.address} as its counterparty, not ${ida.address}; only the other agent a record names can confirm or refuse it`,
        );
      });
    });

    describe("when the entry was answered already, or an answer to it is queued", () => {
      it("refuses a second answer with 409 while the first waits in the queue, and once it is recorded", async () => {
        const kim = kitWallet("answers/kim");
        const leo = kitWallet("answers/leo");
        const entry = await flow(kim, leo);
        // The first answer takes sequence 1 of leo's nonce key 5: it waits for sequence 0.
        const first = (await signed(leo, entry, "confirm", { nonce: packNonce(5n, 1n) })).json;
        const queued = await postRecord(r.url, first);
        expect(queued.status, JSON.stringify(queued.body)).to.equal(202);
        const second = (await signed(leo, entry, "refuse", { nonce: packNonce(6n, 0n) })).json;
        const whileQueued = await postRecord(r.url, second);
        expect(whileQueued.status, JSON.stringify(whileQueued.body)).to.equal(409);
        expect(whileQueued.body.error).to.equal(`an answer to entry ${entry} (${first.digest}) is already queued; an answer is final`);
        expect((await getRecord(r.url, first.digest)).body.state).to.equal("queued");
        // leo's sequence 0 of key 5 (a record of its own) lets the first answer go.
        const own = signer.sign(leo, await recordOf(leo, packNonce(5n, 0n)));
        expect((await postRecord(r.url, own)).status).to.equal(202);
        const [, done] = await waitRecorded(r.url, [own.digest, first.digest], 30_000);
        expect(await answersIn(done.txHash!)).to.deep.equal([[entry, leo.address, CONFIRM, "0x" + "00".repeat(32)]]);
        const txs = await relayerTxs();
        const afterwards = await postRecord(r.url, second);
        expect(afterwards.status, JSON.stringify(afterwards.body)).to.equal(409);
        expect(afterwards.body.error).to.equal(`${leo.address} has already confirmed entry ${entry}; an answer is final`);
        expect((await getRecord(r.url, second.digest)).status).to.equal(404);
        expect(await relayerTxs()).to.equal(txs);
      });

      it("refuses with 409 an answer to an entry its counterparty answered directly (not through this relayer)", async () => {
        const max = kitWallet("answers/max");
        const nia = kitWallet("answers/nia");
        const entry = await flow(max, nia);
        const direct = await signed(nia, entry, "refuse", { nonce: packNonce(3n, 0n) });
        await client.submitValidation(direct.v, direct.json.signature);
        const { json } = await signed(nia, entry, "confirm");
        await refused(json, 409, `${nia.address} has already refused entry ${entry}; an answer is final`);
      });
    });

    describe("when the entry names no counterparty", () => {
      it("refuses an answer to a need (no provider) with 400, and sends no transaction", async () => {
        const oli = kitWallet("answers/oli");
        const pia = kitWallet("answers/pia");
        const need = await recordOf(oli, 0n, { flow: 1, provider: ZeroAddress, receiver: oli.address });
        const [entry] = await recordDirectly([signer.sign(oli, need)]);
        const sentence = `entry ${entry} names no counterparty (it is a need: it has no provider), so nobody can confirm or refuse it`;
        await refused((await signed(pia, entry, "confirm")).json, 400, sentence);
        await refused((await signed(oli, entry, "confirm")).json, 400, sentence);
      });

      it("refuses an answer to a record with no receiver with 400", async () => {
        const quin = kitWallet("answers/quin");
        const [entry] = await recordDirectly([signer.sign(quin, await recordOf(quin, 0n))]);
        await refused(
          (await signed(kitWallet("answers/rae"), entry, "confirm")).json,
          400,
          `entry ${entry} names no counterparty (it has no receiver), so nobody can confirm or refuse it`,
        );
      });
    });

    describe("when a record co-signed by its receiver is posted", () => {
      /** `provider`'s record naming `receiver` (nonce key 5), with `cosigner`'s signature of its digest as the co-signature. */
      async function cosigned(provider: Wallet, receiver: string, cosigner: Wallet, extra: Partial<LedgerRecord> = {}): Promise<SignedRecordJson> {
        const json = signer.sign(provider, await recordOf(provider, packNonce(5n, 0n), { receiver, ...extra }));
        return { ...json, counterpartySignature: await cosigner.signTypedData(signer.domain, RECORD_TYPES, fromSignedJson(json).record) };
      }

      /** Posts `json`, expects a refusal with 400 and exactly `error`, and checks nothing was queued or sent. */
      async function refusedRecord(json: SignedRecordJson, error: string): Promise<void> {
        const txs = await relayerTxs();
        const reply = await postRecord(r.url, json);
        expect(reply.status, JSON.stringify(reply.body)).to.equal(400);
        expect(reply.body.error).to.equal(error);
        expect((await getRecord(r.url, json.digest)).status).to.equal(404);
        expect(await relayerTxs()).to.equal(txs, "no transaction sent");
      }

      it("queues it with 202 and sends it alone with recordConfirmed: the entry is confirmed by both parties from its first block", async () => {
        const sam = kitWallet("answers/sam");
        const tia = kitWallet("answers/tia");
        const json = await cosigned(sam, tia.address, tia);
        const reply = await postRecord(r.url, json);
        expect(reply.status, JSON.stringify(reply.body)).to.equal(202);
        expect(reply.body).to.include({ digest: json.digest, kind: "record", state: "queued" });
        const [done] = await waitRecorded(r.url, [json.digest], 30_000);
        expect(done).to.include({ kind: "record", state: "recorded", error: null });
        const tx = (await l.provider.getTransaction(done.txHash!))!;
        const call = ledgerInterface().parseTransaction({ data: tx.data })!;
        expect(call.name).to.equal("recordConfirmed");
        expect(call.args.counterpartySignature).to.equal(json.counterpartySignature);
        const entry = BigInt(done.entryId!);
        expect(await answersIn(done.txHash!)).to.deep.equal([[entry, tia.address, CONFIRM, "0x" + "00".repeat(32)]]);
        expect(await viewOf(entry)).to.include({ counterparty: tia.address, consent: "confirmed" });
        expect(await l.provider.getTransactionCount(tia.address)).to.equal(0, "the receiver paid nothing");
        // Posting it again answers with its state; a later answer to the entry is refused: it has one.
        expect((await postRecord(r.url, json)).status).to.equal(200);
        const { json: again } = await signed(tia, entry, "refuse");
        await refused(again, 409, `${tia.address} has already confirmed entry ${entry}; an answer is final`);
      });

      it("keeps its signer's nonce order: a plain record before it goes in a batch, it goes alone, and the one after it waits for it", async () => {
        const vic = kitWallet("answers/vic");
        const wes = kitWallet("answers/wes");
        const key = 7n;
        const first = signer.sign(vic, await recordOf(vic, packNonce(key, 0n)));
        const middle = signer.sign(vic, await recordOf(vic, packNonce(key, 1n), { receiver: wes.address }));
        middle.counterpartySignature = await wes.signTypedData(signer.domain, RECORD_TYPES, fromSignedJson(middle).record);
        const last = signer.sign(vic, await recordOf(vic, packNonce(key, 2n)));
        for (const json of [last, middle, first]) expect((await postRecord(r.url, json)).status).to.equal(202);
        const done = await waitRecorded(r.url, [first.digest, middle.digest, last.digest], 30_000);
        const ids = done.map((d) => BigInt(d.entryId!));
        expect(ids[1]).to.be.above(ids[0]);
        expect(ids[2]).to.be.above(ids[1]);
        const calls = await Promise.all(
          done.map(async (d) => ledgerInterface().parseTransaction({ data: (await l.provider.getTransaction(d.txHash!))!.data })!.name),
        );
        expect(calls[1]).to.equal("recordConfirmed");
        expect(done[1].txHash).to.not.equal(done[0].txHash);
        expect(done[1].txHash).to.not.equal(done[2].txHash);
        expect((await viewOf(ids[1])).consent).to.equal("confirmed");
        expect((await viewOf(ids[2])).consent).to.equal("none");
      });

      it("accepts a co-signature by the receiver's ERC-1271 wallet and records it", async () => {
        const owner = kitWallet("answers/wallet-owner");
        const artifact = JSON.parse(
          readFileSync(path.join(root, "artifacts", "contracts", "mocks", "ERC1271WalletMock.sol", "ERC1271WalletMock.json"), "utf8"),
        );
        const wallet = await (await new ContractFactory(artifact.abi, artifact.bytecode, payer).deploy(owner.address)).waitForDeployment();
        const uma = kitWallet("answers/uma");
        const json = await cosigned(uma, await wallet.getAddress(), owner);
        expect((await postRecord(r.url, json)).status).to.equal(202);
        const [done] = await waitRecorded(r.url, [json.digest], 30_000);
        expect(await viewOf(BigInt(done.entryId!))).to.include({ counterparty: await wallet.getAddress(), consent: "confirmed" });
      });

      it("refuses a co-signature by anyone but the receiver with 400 naming the receiver, and queues nothing", async () => {
        const sam = kitWallet("answers/sam-2");
        const tia = kitWallet("answers/tia-2");
        const mallory = kitWallet("answers/mallory");
        await refusedRecord(
          await cosigned(sam, tia.address, mallory),
          `counterpartySignature: it is not the signature of the record's receiver ${tia.address}; only the receiver a record names can co-sign it`,
        );
        // Nor the provider's own signature twice.
        await refusedRecord(
          await cosigned(sam, tia.address, sam),
          `counterpartySignature: it is not the signature of the record's receiver ${tia.address}; only the receiver a record names can co-sign it`,
        );
      });

      it("refuses a co-signed record that names no counterparty, and a co-signed correction, with 400", async () => {
        const sam = kitWallet("answers/sam-3");
        await refusedRecord(
          await cosigned(sam, ZeroAddress, sam),
          "counterpartySignature: the record names no counterparty (it has no receiver), so nobody can co-sign it",
        );
        await refusedRecord(
          await cosigned(sam, sam.address, sam),
          "counterpartySignature: the record names no counterparty (its provider is its receiver), so nobody can co-sign it",
        );
        const tia = kitWallet("answers/tia-3");
        const entry = await flow(sam, tia);
        await refusedRecord(
          await cosigned(sam, tia.address, tia, { corrects: entry }),
          "counterpartySignature: a correction cannot be co-signed (the Ledger's recordConfirmed takes new records only); relay the correction alone and let the receiver confirm it (commons confirm)",
        );
      });
    });

    describe("when the entry's commons is not registered", () => {
      it("refuses the counterparty's answer with 400 (the Ledger anchors no entry of an unregistered commons)", async () => {
        const sam = kitWallet("answers/sam");
        const tia = kitWallet("answers/tia");
        const commons = "0x" + "ab".repeat(32);
        const entry = await flow(sam, tia, 0n, { commons });
        await refused(
          (await signed(tia, entry, "confirm")).json,
          400,
          `entry ${entry}'s commons ${commons} is not registered on this ledger, so the Ledger cannot anchor the entry, and takes no answer to it`,
        );
      });
    });

    describe("when the counterparty is also an appointed validator", () => {
      it("queues its answer and its own verdict on the same entry side by side, and records both", async () => {
        const uma = kitWallet("answers/uma");
        const vic = kitWallet("answers/vic");
        await appointKitValidator(l.provider, l.ledger, vic.address, [0]);
        const entry = await flow(uma, vic);
        const vote = (await signed(vic, entry, "accept", { nonce: packNonce(4n, 0n) })).json;
        const answer = (await signed(vic, entry, "confirm")).json;
        const replies = await Promise.all([postRecord(r.url, vote), postRecord(r.url, answer)]);
        for (const reply of replies) expect(reply.status, JSON.stringify(reply.body)).to.equal(202);
        await waitRecorded(r.url, [vote.digest, answer.digest], 30_000);
        expect(await ledger.hasValidated(entry, vic.address)).to.equal(true);
        const view = await viewOf(entry);
        expect(view).to.include({ consent: "confirmed", state: "accepted" });
        expect(view.validations.map((v) => [v.validator, v.verdict])).to.deep.equal([[vic.address, "accept"]]);
      });
    });
  });

  describe("validateBatch with validations and answers", () => {
    let relayer: Relayer | undefined;
    afterEach(async () => {
      await relayer?.close();
      relayer = undefined;
    });
    const start = (db: string) => startTestRelayer(l, 2, db);

    /** Queues the signed validation (or answer) `json` in `q`, its lane starting at sequence 0, as admission would. */
    function enqueue(q: RelayQueue, json: SignedValidationJson): void {
      const nonce = BigInt(json.validation.nonce);
      const validator = String(json.validation.validator);
      q.enqueue({
        digest: json.digest,
        agent: validator,
        nonceKey: String(nonce >> 64n),
        nonceSeq: nonce & LIMITS.maxUint64,
        corrects: 0n,
        validates: BigInt(json.validation.entryId),
        answer: Number(json.validation.verdict) >= 2,
        wallet: false,
        deadline: BigInt(json.validation.deadline),
        body: JSON.stringify(json),
      });
      q.setLane(validator, String(nonce >> 64n), 0n);
    }

    it("sends validations and answers of one interval in one validateBatch: one range proof gives every entry validated before or answered in full, and each item is recorded", async () => {
      await padToInterval();
      const [a1, a2, a3] = ["agent-1", "agent-2", "agent-3"].map((x) => kitWallet(`answers/batch/${x}`));
      const [c1, c2, c3] = ["receiver-1", "receiver-2", "receiver-3"].map((x) => kitWallet(`answers/batch/${x}`));
      const [v1, v2] = ["validator-1", "validator-2"].map((x) => kitWallet(`answers/batch/${x}`));
      for (const v of [v1, v2, c3]) await appointKitValidator(l.provider, l.ledger, v.address, [0]);
      const [e1, e2, e3] = await recordDirectly([
        signer.sign(a1, await recordOf(a1, 0n, { receiver: c1.address })),
        signer.sign(a2, await recordOf(a2, 0n, { receiver: c2.address })),
        signer.sign(a3, await recordOf(a3, 0n, { receiver: c3.address })),
      ]);
      expect((e1 - 1n) / INTERVAL).to.equal((e3 - 1n) / INTERVAL, "one interval");
      await client.validate(v2, e2, "accept"); // e2 is anchored before the batch
      const items = [
        (await signed(v1, e1, "accept")).json, // a validation of an entry not anchored yet
        (await signed(c2, e2, "refuse")).json, // an answer to an anchored entry
        (await signed(c3, e3, "confirm")).json, // an answer to an entry not anchored yet ...
        (await signed(c3, e3, "accept", { nonce: packNonce(4n, 0n) })).json, // ... and its counterparty's own verdict on it
      ];
      const db = path.join(l.dataDir, "answers-batch.sqlite");
      const q = new RelayQueue(db);
      for (const json of items) enqueue(q, json);
      q.close();
      relayer = await start(db);
      const done = await waitRecorded(
        relayer.url,
        items.map((j) => j.digest),
        30_000,
      );
      expect(new Set(done.map((d) => d.txHash)).size).to.equal(1, "one transaction");
      expect(done.map((d) => d.entryId)).to.deep.equal([e1, e2, e3, e3].map(String));
      const { validations, proofs } = await validateBatchOf(done[0].txHash!);
      expect(validations).to.have.length(4);
      expect(proofs).to.have.length(1);
      expect(proofs[0].firstId).to.equal(e1);
      expect(givenInFull(proofs)).to.deep.equal([e1, e2, e3]);
      expect(proofs[0].records).to.have.length(3);
      // The batch orders its items by signer (round-robin): the answers in either order.
      expect(await answersIn(done[0].txHash!)).to.have.deep.members([
        [e2, c2.address, REFUSE, "0x" + "00".repeat(32)],
        [e3, c3.address, CONFIRM, "0x" + "00".repeat(32)],
      ]);
      expect(await ledger.hasValidated(e1, v1.address)).to.equal(true);
      expect(await ledger.hasValidated(e3, c3.address)).to.equal(true);
      expect(await ledger.hasValidated(e2, c2.address)).to.equal(false);
      const consent = await Promise.all([e1, e2, e3].map(async (e) => (await viewOf(e)).consent));
      expect(consent).to.deep.equal(["one-sided", "refused", "confirmed"]);
    });

    it("fails an answer the Ledger skips (the entry was answered meanwhile) with the Ledger's sentence, and records the batch's other item", async () => {
      const [a1, a2] = ["agent-4", "agent-5"].map((x) => kitWallet(`answers/batch/${x}`));
      const [c1, c2] = ["receiver-4", "receiver-5"].map((x) => kitWallet(`answers/batch/${x}`));
      const [e1, e2] = await recordDirectly([
        signer.sign(a1, await recordOf(a1, 0n, { receiver: c1.address })),
        signer.sign(a2, await recordOf(a2, 0n, { receiver: c2.address })),
      ]);
      const good = (await signed(c1, e1, "confirm")).json;
      const late = (await signed(c2, e2, "confirm")).json;
      const db = path.join(l.dataDir, "answers-skip.sqlite");
      const q = new RelayQueue(db);
      for (const json of [good, late]) enqueue(q, json);
      q.close();
      // c2 answers its entry itself, with another nonce key, before the relayer starts.
      const direct = await signed(c2, e2, "refuse", { nonce: packNonce(3n, 0n) });
      await client.submitValidation(direct.v, direct.json.signature);
      relayer = await start(db);
      const [recorded] = await waitRecorded(relayer.url, [good.digest], 30_000);
      const failed = await waitState(relayer.url, late.digest, "failed");
      expect(failed.error).to.equal(`the Ledger refused it: ${c2.address} has already answered for entry ${e2}; an answer is final.`);
      expect(failed.txHash).to.equal(recorded.txHash);
      const { validations } = await validateBatchOf(recorded.txHash!);
      expect(validations).to.have.length(2);
      expect(await ledger.nonces(c2.address, 2n)).to.equal(packNonce(2n, 0n), "the skipped answer consumed no nonce");
      expect((await viewOf(e2)).consent).to.equal("refused");
    });

    it("marks an answer an earlier process left in flight as recorded once mined, found by its entry and counterparty (CounterpartyAnswered)", async () => {
      const a = kitWallet("answers/crash/agent");
      const c = kitWallet("answers/crash/receiver");
      const entry = await flow(a, c);
      const { v, json } = await signed(c, entry, "confirm");
      const db = path.join(l.dataDir, "answers-left.sqlite");
      const q = new RelayQueue(db);
      enqueue(q, json);
      q.markSending([json.digest]);
      q.close();
      const receipt = await client.submitValidation(v, json.signature);
      relayer = await start(db);
      const [state] = await waitRecorded(relayer.url, [json.digest], 30_000);
      expect(state).to.include({ kind: "validation", state: "recorded", entryId: entry.toString(), txHash: receipt.hash });
    });
  });

  describe("the queue", () => {
    it("opens a version 3 database: its rows are no answers; an answer then queues beside its signer's validation of the entry, a second answer to the entry does not", async () => {
      const file = path.join(l.dataDir, "answers-v3.sqlite");
      const old = new DatabaseSync(file);
      old.exec(`PRAGMA journal_mode = WAL;
        CREATE TABLE records (digest TEXT PRIMARY KEY, agent TEXT NOT NULL, nonce_key TEXT NOT NULL, nonce_seq INTEGER NOT NULL,
          corrects INTEGER NOT NULL DEFAULT 0, validates INTEGER NOT NULL DEFAULT 0, wallet INTEGER NOT NULL DEFAULT 0, deadline INTEGER NOT NULL, body TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'recorded', 'failed')), entry_id TEXT, tx_hash TEXT, error TEXT,
          attempts INTEGER NOT NULL DEFAULT 0, not_before INTEGER NOT NULL DEFAULT 0, received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE UNIQUE INDEX records_pending_validation ON records (agent, validates) WHERE validates != 0 AND state IN ('queued', 'sending');
        CREATE TABLE lanes (agent TEXT NOT NULL, nonce_key TEXT NOT NULL, next_seq INTEGER NOT NULL, checked_at INTEGER NOT NULL, PRIMARY KEY (agent, nonce_key)) WITHOUT ROWID;
        INSERT INTO records (digest, agent, nonce_key, nonce_seq, validates, deadline, body, state, received_at, updated_at)
          VALUES ('0x${"ab".repeat(32)}', '0x${"11".repeat(20)}', '2', 0, 7, 10000000000, '{}', 'queued', 1, 1);
        PRAGMA user_version = 3;`);
      old.close();
      const q = new RelayQueue(file);
      try {
        const agent = "0x" + "11".repeat(20);
        expect(q.get("0x" + "ab".repeat(32))).to.include({ state: "queued", validates: 7n, answer: false });
        const base = { nonceKey: "3", corrects: 0n, validates: 7n, wallet: false, deadline: 10n ** 10n, body: "{}" };
        expect(q.enqueue({ ...base, agent, digest: "0x" + "01".repeat(32), nonceSeq: 0n, answer: true })).to.equal(true);
        expect(q.pendingValidation(agent, 7n)?.digest).to.equal("0x" + "ab".repeat(32));
        expect(q.pendingAnswer(7n)?.digest).to.equal("0x" + "01".repeat(32));
        // One pending answer per entry, whoever signed it; one pending verdict per validator and entry.
        expect(q.enqueue({ ...base, agent: "0x" + "22".repeat(20), digest: "0x" + "02".repeat(32), nonceSeq: 0n, answer: true })).to.equal(false);
        expect(q.enqueue({ ...base, agent, digest: "0x" + "03".repeat(32), nonceSeq: 1n })).to.equal(false);
      } finally {
        q.close();
      }
      const d = new DatabaseSync(file, { readOnly: true });
      try {
        expect(Number((d.prepare("PRAGMA user_version").get() as { user_version: number }).user_version)).to.equal(4);
        const indexes = (d.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records'").all() as { name: string }[]).map(
          (x) => x.name,
        );
        expect(indexes).to.include.members(["records_pending_verdict", "records_pending_answer"]);
        expect(indexes).to.not.include("records_pending_validation");
      } finally {
        d.close();
      }
    });
  });
});
