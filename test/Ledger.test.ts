// The Ledger contract, function by function, as the specification in contracts/interfaces/ILedger.sol
// states it, through the TypeScript side (ethers signers, the core's records and proofs, events).
// Every state change is asserted by its event. Each revert is asserted once: the contract's own checks
// in the Solidity suites (test/Ledger*.t.sol, with arguments and nothing changed); here only those
// no Solidity test covers or that need a transaction's gas limit or the TypeScript signers.
// Signature paths run for an EOA and for an ERC-1271 wallet (SIG-1271).
import { expect } from "chai";
import { network } from "hardhat";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { TypedDataEncoder, ZeroAddress } from "ethers";
import type { ContractTransactionReceipt, LogDescription } from "ethers";
import LedgerModule from "../scripts/ignition/modules/Ledger.js";
import type { ERC1271WalletMock, Ledger } from "../types/ethers-contracts/index.js";
import { chainStep, GENESIS_HEAD, verifyChain } from "../scripts/lib/core/chain.js";
import { toRecord } from "../scripts/lib/core/reader.js";
import { commonsId, hashRecord, labelId, packNonce, recordDigest, RECORD_TYPES, validationDigest } from "../scripts/lib/core/record.js";
import type { LedgerRecord, LedgerValidation, RecordInput } from "../scripts/lib/core/record.js";
import { ACTIONS, ALL_ROLES } from "../scripts/lib/core/vocabulary.js";
import { emptyProof, eventsOf, proofFor } from "./helpers/proofs.js";
import type { EntryProof } from "./helpers/proofs.js";
import { domainOf, eoaAgent, KEY, recordTuple, signedWorkRecords, validationOf, walletAgent, workRecord } from "./helpers/records.js";
import type { Agent } from "./helpers/records.js";
import {
  CHECKPOINT_INTERVAL,
  EntryState,
  ERC1271_GAS,
  ERC1271_GAS_NEEDED,
  MAX_BATCH,
  MAX_CLOCK_SKEW,
  MAX_NAME_BYTES,
  MISBEHAVING_MODES,
  Verdict,
  WalletMode,
} from "./helpers/constants.js";
import { days, latest, pinNextBlock } from "./helpers/time.js";

const { ethers, ignition, networkHelpers } = await network.create();

// ---------------------------------------------------------------- codes (ILedger enums)

const State = EntryState;
const Mode = WalletMode;
const MISBEHAVING = MISBEHAVING_MODES;
const DAY = days(1);
const action = (name: (typeof ACTIONS)[number]): number => ACTIONS.indexOf(name);
const PROCESS = labelId("process: build the ledger");
/** Entries per checkpoint interval, as a count (a checkpoint is stored after entries I, 2I, ...). */
const I = Number(CHECKPOINT_INTERVAL);

// ---------------------------------------------------------------- fixture

async function deployLedger() {
  const { ledger: deployed } = await ignition.deploy(LedgerModule);
  const ledger = deployed as unknown as Ledger;
  const [deployer, alice, bob, carol, dave, steward, stranger, walletOwner, filler, costeward] = await ethers.getSigners();
  const wallet = (await ethers.deployContract("ERC1271WalletMock", [walletOwner.address])) as unknown as ERC1271WalletMock;
  // A second deployment: same code, another EIP-712 domain (replay across deployments).
  const otherLedger = (await ignition.deploy(LedgerModule)).ledger as unknown as Ledger;
  const domain = await domainOf(ethers, ledger);
  const salt = ethers.id("commons A");
  await ledger.connect(steward).registerCommons(salt, "Commons A");
  const commons = commonsId(steward.address, salt);
  // The commons appoints its validators (threshold 1: the steward alone); strangers only endorse.
  for (const v of [alice.address, bob.address, carol.address, dave.address, await wallet.getAddress()]) {
    await ledger.connect(steward).setRoles(commons, v, ALL_ROLES);
  }
  const filling = eoaAgent(filler, domain);
  // 150 records by `filler` (nonce key 9), signed once: enough to cross the first checkpoint fast.
  const fill = await signedWorkRecords(filling, commons, await latest(networkHelpers), 150, { key: 9n, validity: 7n * DAY });
  return {
    ledger,
    ledgerAddress: await ledger.getAddress(),
    otherLedger,
    wallet,
    walletAddress: await wallet.getAddress(),
    domain,
    deployer,
    alice,
    bob,
    carol,
    dave,
    steward,
    costeward,
    stranger,
    walletOwner,
    filler,
    salt,
    commons,
    fill,
    agents: {
      alice: eoaAgent(alice, domain),
      bob: eoaAgent(bob, domain),
      carol: eoaAgent(carol, domain),
      dave: eoaAgent(dave, domain),
      filler: filling,
      wallet: walletAgent(await wallet.getAddress(), walletOwner, domain),
    },
  };
}

type Fixture = Awaited<ReturnType<typeof deployLedger>>;
const SIGNER_KINDS = ["EOA", "ERC-1271"] as const;
/** The record author of a signature test: alice (EOA) or the wallet (ERC-1271). */
const authorOf = (f: Fixture, kind: (typeof SIGNER_KINDS)[number]): Agent => (kind === "EOA" ? f.agents.alice : f.agents.wallet);
/** The validator of a signature test: bob (EOA) or the wallet (ERC-1271). */
const validatorOf = (f: Fixture, kind: (typeof SIGNER_KINDS)[number]): Agent => (kind === "EOA" ? f.agents.bob : f.agents.wallet);

// ---------------------------------------------------------------- local helpers

async function nextSequence(f: Fixture, owner: string, key = KEY): Promise<bigint> {
  return (await f.ledger.nonces(owner, key)) & ((1n << 64n) - 1n);
}

/** A typical record by `agent` with its current nonce, `overrides` applied. */
async function freshRecord(f: Fixture, agent: Agent, overrides: Partial<RecordInput> = {}): Promise<LedgerRecord> {
  const now = await latest(networkHelpers);
  return workRecord({ provider: agent.address, commons: f.commons, now, sequence: await nextSequence(f, agent.address), overrides });
}

/** Records a typical record by `agent`; returns it and its entry id. */
async function recordWork(f: Fixture, agent: Agent, overrides: Partial<RecordInput> = {}): Promise<{ record: LedgerRecord; id: bigint }> {
  const r = await freshRecord(f, agent, overrides);
  await f.ledger.connect(f.stranger).record(r, await agent.signRecord(r));
  const [count] = await f.ledger.tip();
  return { record: r, id: count };
}

/** A correction of `entryId` by `agent` with its current nonce. */
async function correctionOf(f: Fixture, agent: Agent, entryId: bigint, overrides: Partial<RecordInput> = {}): Promise<LedgerRecord> {
  return freshRecord(f, agent, { corrects: entryId, quantity: "2", ...overrides });
}

async function freshValidation(f: Fixture, validator: Agent, entryId: bigint, verdict: "accept" | "dispute" = "accept"): Promise<LedgerValidation> {
  return validationOf({
    entryId,
    validator: validator.address,
    verdict,
    now: await latest(networkHelpers),
    sequence: await nextSequence(f, validator.address),
  });
}

/** Validates `entryId` as `validator`, with a proof read from the events. */
async function validateAs(f: Fixture, validator: Agent, entryId: bigint, verdict: "accept" | "dispute" = "accept"): Promise<void> {
  const v = await freshValidation(f, validator, entryId, verdict);
  await f.ledger.validate(v, await validator.signValidation(v), await proofFor(ethers, f.ledger, entryId));
}

async function stateOf(f: Fixture, entryId: bigint) {
  const [state, accepts, disputes, correctedBy] = await f.ledger.entryState(entryId);
  return { state: Number(state), accepts: Number(accepts), disputes: Number(disputes), correctedBy };
}

async function tipOf(f: Fixture): Promise<{ count: bigint; head: string }> {
  const [count, head] = await f.ledger.tip();
  return { count, head };
}

/** The Ledger's decoded logs of `name` in a receipt, in log order. */
function logsNamed(f: Fixture, receipt: ContractTransactionReceipt | null, name: string): LogDescription[] {
  if (!receipt) throw new Error("no receipt");
  return receipt.logs
    .filter((l) => l.address === f.ledgerAddress)
    .map((l) => f.ledger.interface.parseLog(l))
    .filter((p): p is LogDescription => p !== null && p.name === name);
}

function skippedIn(f: Fixture, receipt: ContractTransactionReceipt | null): { index: bigint; agent: string; reason: string }[] {
  return logsNamed(f, receipt, "RecordSkipped").map((p) => ({ index: p.args.index, agent: p.args.agent, reason: p.args.reason }));
}

function errorData(f: Fixture, name: string, args: unknown[] = []): string {
  return f.ledger.interface.encodeErrorResult(name, args);
}

/** Heads after each record if `records` were entries 1..n signed by `signer`. */
function headsOf(signer: string, records: readonly LedgerRecord[]): string[] {
  const heads: string[] = [];
  let head = GENESIS_HEAD;
  records.forEach((r, i) => {
    head = chainStep(head, BigInt(i + 1), signer, hashRecord(r));
    heads.push(head);
  });
  return heads;
}

// ================================================================ tests

describe("Ledger", () => {
  // -------------------------------------------------------------- record
  describe("record", () => {
    for (const kind of SIGNER_KINDS) {
      describe(`when a valid record is signed by its provider (${kind})`, () => {
        it("appends it as entry 1 and emits Recorded with the signer, the commons and the whole record", async () => {
          const f = await networkHelpers.loadFixture(deployLedger);
          const author = authorOf(f, kind);
          const r = await freshRecord(f, author);
          await expect(f.ledger.connect(f.stranger).record(r, await author.signRecord(r)))
            .to.emit(f.ledger, "Recorded")
            .withArgs(1n, author.address, recordTuple(r));
        });

        it("returns the new id and ids stay dense", async () => {
          const f = await networkHelpers.loadFixture(deployLedger);
          const author = authorOf(f, kind);
          const r1 = await freshRecord(f, author);
          expect(await f.ledger.record.staticCall(r1, await author.signRecord(r1))).to.equal(1n);
          await recordWork(f, author);
          const r2 = await freshRecord(f, author);
          expect(await f.ledger.record.staticCall(r2, await author.signRecord(r2))).to.equal(2n);
        });

        it("advances the tip to the next link of the hash chain", async () => {
          const f = await networkHelpers.loadFixture(deployLedger);
          const author = authorOf(f, kind);
          const { record: r1 } = await recordWork(f, author);
          const { record: r2 } = await recordWork(f, author);
          const head1 = chainStep(GENESIS_HEAD, 1n, author.address, hashRecord(r1));
          expect(await tipOf(f)).to.deep.equal({ count: 2n, head: chainStep(head1, 2n, author.address, hashRecord(r2)) });
        });

        it("consumes the agent's nonce and no other", async () => {
          const f = await networkHelpers.loadFixture(deployLedger);
          const author = authorOf(f, kind);
          await recordWork(f, author);
          expect(await f.ledger.nonces(author.address, KEY)).to.equal(packNonce(KEY, 1n));
          expect(await f.ledger.nonces(author.address, KEY + 1n)).to.equal(packNonce(KEY + 1n, 0n));
          expect(await f.ledger.nonces(f.stranger.address, KEY)).to.equal(packNonce(KEY, 0n));
        });

        it("records the agent, not the relayer, as the entry's signer", async () => {
          const f = await networkHelpers.loadFixture(deployLedger);
          const author = authorOf(f, kind);
          await recordWork(f, author);
          const { entries } = await eventsOf(ethers, f.ledger);
          expect(entries.map((e) => e.signer)).to.deep.equal([author.address]);
        });
      });

      describe(`when the signature is not the agent's (${kind})`, () => {
        it("reverts with LedgerInvalidSignature when signed for another Ledger deployment (SIG-REPLAY)", async () => {
          const f = await networkHelpers.loadFixture(deployLedger);
          const author = authorOf(f, kind);
          const r = await freshRecord(f, author);
          const otherDomain = await domainOf(ethers, f.otherLedger);
          const foreign = kind === "EOA" ? eoaAgent(f.alice, otherDomain) : walletAgent(f.walletAddress, f.walletOwner, otherDomain);
          const signature = await foreign.signRecord(r);
          await expect(f.ledger.record(r, signature)).to.be.revertedWithCustomError(f.ledger, "LedgerInvalidSignature").withArgs(author.address);
          await expect(f.otherLedger.record(r, signature)).to.emit(f.otherLedger, "Recorded");
        });
      });
    }

    describe("when the ERC-1271 wallet misbehaves (SIG-1271)", () => {
      it("treats a 4-byte magic return as invalid even over zeroed scratch memory (nonce key 0, empty signature)", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await f.wallet.setMode(Mode.ShortReturn);
        const r = await freshRecord(f, f.agents.wallet, { nonce: packNonce(0n, 0n) });
        await expect(f.ledger.record(r, "0x")).to.be.revertedWithCustomError(f.ledger, "LedgerInvalidSignature").withArgs(f.walletAddress);
        await expect(f.ledger.recordBatch([r], ["0x"]))
          .to.emit(f.ledger, "RecordSkipped")
          .withArgs(0n, f.walletAddress, errorData(f, "LedgerInvalidSignature", [f.walletAddress]));
      });

      it("records anything a permissive wallet accepts (the wallet decides)", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await f.wallet.setMode(Mode.AlwaysValid);
        const r = await freshRecord(f, f.agents.wallet);
        await expect(f.ledger.record(r, "0x")).to.emit(f.ledger, "Recorded").withArgs(1n, f.walletAddress, recordTuple(r));
      });

      it("keeps an entry recorded by a wallet after the wallet stops accepting the signature", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const { id } = await recordWork(f, f.agents.wallet);
        await f.wallet.setMode(Mode.Reverts);
        await validateAs(f, f.agents.bob, id);
        expect(await stateOf(f, id)).to.deep.equal({ state: State.Accepted, accepts: 1, disputes: 0, correctedBy: 0n });
        expect((await tipOf(f)).count).to.equal(1n);
      });
    });

    describe("when too little gas is left to judge a wallet signature", () => {
      it("reverts with LedgerInsufficientGas instead of calling the wallet with less than ERC1271_GAS", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const r = await freshRecord(f, f.agents.wallet);
        await expect(f.ledger.record(r, await f.agents.wallet.signRecord(r), { gasLimit: 120_000 }))
          .to.be.revertedWithCustomError(f.ledger, "LedgerInsufficientGas")
          .withArgs(anyValue, ERC1271_GAS_NEEDED);
        expect(await tipOf(f)).to.deep.equal({ count: 0n, head: GENESIS_HEAD });
        expect(await f.ledger.nonces(f.walletAddress, KEY)).to.equal(r.nonce);
      });
    });

    describe("when the record is a need without a provider", () => {
      it("takes the receiver as its agent", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const now = await latest(networkHelpers);
        const r = workRecord({
          provider: f.bob.address,
          commons: f.commons,
          now,
          overrides: { flow: "need", provider: "", receiver: f.bob.address, action: "transfer", quantity: "5", unit: "kg", time: now + 7n * DAY },
        });
        expect(r.provider).to.equal(ZeroAddress);
        await expect(f.ledger.record(r, await f.agents.bob.signRecord(r)))
          .to.emit(f.ledger, "Recorded")
          .withArgs(1n, f.bob.address, recordTuple(r));
      });
    });

    describe("when the record belongs to a process", () => {
      it("accepts work as an input and produce as an output", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.alice, { process: PROCESS, side: "input" });
        await recordWork(f, f.agents.alice, { process: PROCESS, side: "output", action: "produce", unit: "ea" });
        await recordWork(f, f.agents.alice, { process: PROCESS, side: "output", action: "deliverService" });
        await recordWork(f, f.agents.alice, { process: PROCESS, side: "input", action: "deliverService" });
        expect((await tipOf(f)).count).to.equal(4n);
      });
    });

    describe("when the record satisfies an earlier entry", () => {
      it("records the link", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.bob, { flow: "need", provider: "", receiver: f.bob.address });
        const r = await freshRecord(f, f.agents.alice, { satisfies: 1n });
        await expect(f.ledger.record(r, await f.agents.alice.signRecord(r)))
          .to.emit(f.ledger, "Recorded")
          .withArgs(2n, f.alice.address, recordTuple(r));
      });
    });

    describe("when the deadline is the block time (SIG-DEADLINE)", () => {
      it("records it", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const t = await pinNextBlock(networkHelpers, 5n);
        const r = await freshRecord(f, f.agents.alice, { deadline: t });
        await expect(f.ledger.record(r, await f.agents.alice.signRecord(r))).to.emit(f.ledger, "Recorded");
      });
    });

    describe("when nonces of two keys are used (SIG-NONCE)", () => {
      it("keeps nonce keys independent (parallel relays)", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const now = await latest(networkHelpers);
        const onKey2 = workRecord({ provider: f.alice.address, commons: f.commons, now, key: 2n });
        const onKey1 = workRecord({ provider: f.alice.address, commons: f.commons, now, key: 1n });
        await f.ledger.record(onKey2, await f.agents.alice.signRecord(onKey2));
        await expect(f.ledger.record(onKey1, await f.agents.alice.signRecord(onKey1)))
          .to.emit(f.ledger, "Recorded")
          .withArgs(2n, f.alice.address, recordTuple(onKey1));
      });
    });

    describe("when an event lies within the clock skew or a commitment is due later", () => {
      it("accepts an event within the clock skew and a commitment due later", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const t = await pinNextBlock(networkHelpers, 3n);
        const r = await freshRecord(f, f.agents.alice, { time: t + MAX_CLOCK_SKEW });
        await expect(f.ledger.record(r, await f.agents.alice.signRecord(r))).to.emit(f.ledger, "Recorded");
        const due = await freshRecord(f, f.agents.alice, { flow: "commitment", time: t + 20n * DAY });
        await expect(f.ledger.record(due, await f.agents.alice.signRecord(due))).to.emit(f.ledger, "Recorded");
      });
    });
  });

  // -------------------------------------------------------------- recordBatch
  describe("recordBatch", () => {
    describe("when every item is valid", () => {
      it("records them as consecutive entries, EOA and ERC-1271 signers alike, and returns their count", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const items = [f.agents.alice, f.agents.wallet, f.agents.bob];
        const records: LedgerRecord[] = [];
        for (const a of items) records.push(await freshRecord(f, a));
        const signatures = await Promise.all(records.map((r, i) => items[i].signRecord(r)));
        expect(await f.ledger.recordBatch.staticCall(records, signatures)).to.equal(3n);
        const receipt = await (await f.ledger.connect(f.stranger).recordBatch(records, signatures)).wait();
        const recorded = logsNamed(f, receipt, "Recorded").map((p) => [
          p.args.id,
          p.args.signer,
          toRecord(p.args.record).commons,
          hashRecord(toRecord(p.args.record)),
        ]);
        expect(recorded).to.deep.equal(records.map((r, i) => [BigInt(i + 1), items[i].address, f.commons, hashRecord(r)]));
        expect(skippedIn(f, receipt)).to.deep.equal([]);
      });

      it("chains the entries exactly as single records would", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const batch = f.fill.records.slice(0, 5);
        await f.ledger.recordBatch(batch, f.fill.signatures.slice(0, 5));
        expect(await tipOf(f)).to.deep.equal({ count: 5n, head: headsOf(f.filler.address, batch)[4] });
      });

      it("accepts MAX_BATCH items", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        expect(BigInt(f.fill.records.length)).to.equal(MAX_BATCH);
        await f.ledger.recordBatch(f.fill.records, f.fill.signatures);
        expect((await tipOf(f)).count).to.equal(MAX_BATCH);
      });
    });

    describe(`when it crosses the first checkpoint (entry ${I})`, () => {
      it(`emits Checkpointed(1) with the head after entry ${I} and stores it`, async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const batch = f.fill.records.slice(0, I + 2);
        const heads = headsOf(f.filler.address, batch);
        await expect(f.ledger.recordBatch(batch, f.fill.signatures.slice(0, I + 2)))
          .to.emit(f.ledger, "Checkpointed")
          .withArgs(1n, heads[I - 1]);
        expect(await f.ledger.checkpoint(1n)).to.equal(heads[I - 1]);
        expect(await f.ledger.checkpoint(2n)).to.equal(GENESIS_HEAD);
        expect(await tipOf(f)).to.deep.equal({ count: BigInt(I + 2), head: heads[I + 1] });
      });
    });

    describe(`when it crosses two checkpoints (entries ${I} and ${2 * I})`, () => {
      it("emits Checkpointed for each, in order, and stores both", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        expect(f.fill.records.length).to.be.greaterThan(2 * I);
        const batch = f.fill.records.slice(0, 2 * I + 2);
        const heads = headsOf(f.filler.address, batch);
        const receipt = await (await f.ledger.recordBatch(batch, f.fill.signatures.slice(0, 2 * I + 2))).wait();
        const checkpointed = logsNamed(f, receipt, "Checkpointed").map((p) => [p.args.index, p.args.head]);
        expect(checkpointed).to.deep.equal([
          [1n, heads[I - 1]],
          [2n, heads[2 * I - 1]],
        ]);
        expect(await f.ledger.checkpoint(1n)).to.equal(heads[I - 1]);
        expect(await f.ledger.checkpoint(2n)).to.equal(heads[2 * I - 1]);
        expect(await f.ledger.checkpoint(3n)).to.equal(GENESIS_HEAD);
      });
    });

    describe("when some items are invalid (SIG-BATCH)", () => {
      it("records only the valid items and emits RecordSkipped with the encoded error per bad index", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const { alice, bob, carol, dave, wallet } = f.agents;
        const { record: recorded } = await recordWork(f, alice); // entry 1, alice's nonce 0
        const aliceNext = await freshRecord(f, alice); // alice's nonce 1
        const now = await latest(networkHelpers);
        const expired = await freshRecord(f, bob, { deadline: now });
        const forged = await freshRecord(f, carol);
        const walletItem = await freshRecord(f, wallet);
        const daveItem = await freshRecord(f, dave);
        const records = [aliceNext, recorded, aliceNext, expired, forged, walletItem, daveItem];
        const signatures = [
          await alice.signRecord(aliceNext),
          await alice.signRecord(recorded),
          await alice.signRecord(aliceNext),
          await bob.signRecord(expired),
          await dave.signRecord(forged),
          await wallet.signRecord(walletItem),
          await dave.signRecord(daveItem),
        ];
        const t = await pinNextBlock(networkHelpers, 10n);
        const tx = f.ledger.connect(f.stranger).recordBatch(records, signatures);
        await expect(tx)
          .to.emit(f.ledger, "RecordSkipped")
          .withArgs(3n, f.bob.address, errorData(f, "LedgerExpired", [now, t]));
        const receipt = await (await tx).wait();
        expect(skippedIn(f, receipt)).to.deep.equal([
          { index: 1n, agent: f.alice.address, reason: errorData(f, "LedgerInvalidNonce", [f.alice.address, packNonce(KEY, 0n), packNonce(KEY, 2n)]) },
          { index: 2n, agent: f.alice.address, reason: errorData(f, "LedgerInvalidNonce", [f.alice.address, packNonce(KEY, 1n), packNonce(KEY, 2n)]) },
          { index: 3n, agent: f.bob.address, reason: errorData(f, "LedgerExpired", [now, t]) },
          { index: 4n, agent: f.carol.address, reason: errorData(f, "LedgerInvalidSignature", [f.carol.address]) },
        ]);
        const entries = logsNamed(f, receipt, "Recorded").map((p) => [p.args.id, p.args.signer]);
        expect(entries).to.deep.equal([
          [2n, f.alice.address],
          [3n, f.walletAddress],
          [4n, f.dave.address],
        ]);
        expect((await tipOf(f)).count).to.equal(4n);
      });

      it("consumes no nonce of a skipped item", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const good = await freshRecord(f, f.agents.alice);
        const forged = await freshRecord(f, f.agents.carol);
        await f.ledger.recordBatch([good, forged], [await f.agents.alice.signRecord(good), await f.agents.bob.signRecord(forged)]);
        expect(await f.ledger.nonces(f.carol.address, KEY)).to.equal(packNonce(KEY, 0n));
        await expect(f.ledger.record(forged, await f.agents.carol.signRecord(forged)))
          .to.emit(f.ledger, "Recorded")
          .withArgs(2n, f.carol.address, recordTuple(forged));
      });

      it("does not revert when a front-runner submits one of its items first", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const items = [f.agents.alice, f.agents.bob, f.agents.carol];
        const records: LedgerRecord[] = [];
        for (const a of items) records.push(await freshRecord(f, a));
        const signatures = await Promise.all(records.map((r, i) => items[i].signRecord(r)));
        await f.ledger.connect(f.stranger).record(records[1], signatures[1]); // the front-runner
        const receipt = await (await f.ledger.recordBatch(records, signatures)).wait();
        expect(receipt?.status).to.equal(1);
        expect(skippedIn(f, receipt)).to.deep.equal([
          { index: 1n, agent: f.bob.address, reason: errorData(f, "LedgerInvalidNonce", [f.bob.address, packNonce(KEY, 0n), packNonce(KEY, 1n)]) },
        ]);
        expect(logsNamed(f, receipt, "Recorded").map((p) => [p.args.id, p.args.signer])).to.deep.equal([
          [2n, f.alice.address],
          [3n, f.carol.address],
        ]);
      });

      it("skips a correction with LedgerCorrectionNeedsProof", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.alice);
        const correction = await correctionOf(f, f.agents.alice, 1n);
        await expect(f.ledger.recordBatch([correction], [await f.agents.alice.signRecord(correction)]))
          .to.emit(f.ledger, "RecordSkipped")
          .withArgs(0n, f.alice.address, errorData(f, "LedgerCorrectionNeedsProof", [1n]));
        expect((await tipOf(f)).count).to.equal(1n);
      });

      for (const mode of MISBEHAVING) {
        it(`skips the item of a wallet in mode ${mode} and records the others within bounded gas (SIG-1271)`, async () => {
          const f = await networkHelpers.loadFixture(deployLedger);
          await f.wallet.setMode(Mode[mode]);
          const walletItem = await freshRecord(f, f.agents.wallet);
          const aliceItem = await freshRecord(f, f.agents.alice);
          const receipt = await (
            await f.ledger.recordBatch([walletItem, aliceItem], [await f.agents.wallet.signRecord(walletItem), await f.agents.alice.signRecord(aliceItem)], {
              gasLimit: 2_000_000,
            })
          ).wait();
          expect(skippedIn(f, receipt)).to.deep.equal([
            { index: 0n, agent: f.walletAddress, reason: errorData(f, "LedgerInvalidSignature", [f.walletAddress]) },
          ]);
          expect(logsNamed(f, receipt, "Recorded").map((p) => p.args.signer)).to.deep.equal([f.alice.address]);
          // The wallet gets at most ERC1271_GAS: it cannot drain the relayer's transaction.
          expect(receipt!.gasUsed < 2n * ERC1271_GAS + 100_000n, `gas used ${receipt!.gasUsed}`).to.equal(true);
        });
      }
    });

    describe("when every item is invalid", () => {
      it("returns 0, emits RecordSkipped for each and leaves the tip unchanged", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const r = await freshRecord(f, f.agents.alice);
        const bad = await f.agents.bob.signRecord(r);
        expect(await f.ledger.recordBatch.staticCall([r, r], [bad, bad])).to.equal(0n);
        const receipt = await (await f.ledger.recordBatch([r, r], [bad, bad])).wait();
        const reason = errorData(f, "LedgerInvalidSignature", [f.alice.address]);
        expect(skippedIn(f, receipt)).to.deep.equal([
          { index: 0n, agent: f.alice.address, reason },
          { index: 1n, agent: f.alice.address, reason },
        ]);
        expect(await tipOf(f)).to.deep.equal({ count: 0n, head: GENESIS_HEAD });
      });
    });

    describe("when too little gas is left to judge a wallet signature", () => {
      it("reverts with LedgerInsufficientGas rather than skipping a valid item", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const r = await freshRecord(f, f.agents.wallet);
        await expect(f.ledger.recordBatch([r], [await f.agents.wallet.signRecord(r)], { gasLimit: 130_000 }))
          .to.be.revertedWithCustomError(f.ledger, "LedgerInsufficientGas")
          .withArgs(anyValue, ERC1271_GAS_NEEDED);
        expect(await tipOf(f)).to.deep.equal({ count: 0n, head: GENESIS_HEAD });
        expect(await f.ledger.nonces(f.walletAddress, KEY)).to.equal(r.nonce);
      });
    });
  });

  // -------------------------------------------------------------- recordCorrection
  describe("recordCorrection", () => {
    for (const kind of SIGNER_KINDS) {
      describe(`when the agent corrects its own entry with a proof (${kind})`, () => {
        it("appends the correction, emits Recorded and Corrected, and marks the entry Corrected", async () => {
          const f = await networkHelpers.loadFixture(deployLedger);
          const author = authorOf(f, kind);
          await recordWork(f, author);
          await recordWork(f, f.agents.bob);
          const c = await correctionOf(f, author, 1n);
          const tx = f.ledger.connect(f.stranger).recordCorrection(c, await author.signRecord(c), await proofFor(ethers, f.ledger, 1n));
          await expect(tx).to.emit(f.ledger, "Recorded").withArgs(3n, author.address, recordTuple(c));
          await expect(tx).to.emit(f.ledger, "Corrected").withArgs(1n, 3n);
          expect(await stateOf(f, 1n)).to.deep.equal({ state: State.Corrected, accepts: 0, disputes: 0, correctedBy: 3n });
          expect(await stateOf(f, 3n)).to.deep.equal({ state: State.Claimed, accepts: 0, disputes: 0, correctedBy: 0n });
        });
      });
    }

    describe("when the correction has quantity 0", () => {
      it("voids the entry", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.alice);
        const c = await correctionOf(f, f.agents.alice, 1n, { quantity: "0" });
        expect(c.quantity).to.equal(0n);
        const tx = f.ledger.recordCorrection(c, await f.agents.alice.signRecord(c), await proofFor(ethers, f.ledger, 1n));
        await expect(tx).to.emit(f.ledger, "Recorded").withArgs(2n, f.alice.address, recordTuple(c));
        await expect(tx).to.emit(f.ledger, "Corrected").withArgs(1n, 2n);
        expect((await stateOf(f, 1n)).state).to.equal(State.Corrected);
      });
    });

    describe("when the entry is already anchored by a validation", () => {
      it("needs no proof", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const { record } = await recordWork(f, f.agents.alice);
        await validateAs(f, f.agents.bob, 1n);
        await recordWork(f, f.agents.carol);
        const c = await correctionOf(f, f.agents.alice, 1n);
        await expect(f.ledger.recordCorrection(c, await f.agents.alice.signRecord(c), emptyProof(record)))
          .to.emit(f.ledger, "Corrected")
          .withArgs(1n, 3n);
      });
    });

    describe("when it corrects a correction", () => {
      it("marks the correction Corrected in turn", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.alice);
        const c1 = await correctionOf(f, f.agents.alice, 1n);
        await f.ledger.recordCorrection(c1, await f.agents.alice.signRecord(c1), await proofFor(ethers, f.ledger, 1n));
        const c2 = await correctionOf(f, f.agents.alice, 2n, { quantity: "1" });
        await expect(f.ledger.recordCorrection(c2, await f.agents.alice.signRecord(c2), await proofFor(ethers, f.ledger, 2n)))
          .to.emit(f.ledger, "Corrected")
          .withArgs(2n, 3n);
        expect((await stateOf(f, 1n)).correctedBy).to.equal(2n);
        expect((await stateOf(f, 2n)).correctedBy).to.equal(3n);
      });
    });

    describe("when the proof names another agent as the entry's writer", () => {
      it("cannot be made to believe another agent wrote the entry", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.alice);
        const proof = await proofFor(ethers, f.ledger, 1n);
        const c = await correctionOf(f, f.agents.bob, 1n);
        const lie: EntryProof = { ...proof, record: { ...proof.record, provider: f.bob.address } };
        await expect(f.ledger.recordCorrection(c, await f.agents.bob.signRecord(c), lie))
          .to.be.revertedWithCustomError(f.ledger, "LedgerInvalidProof")
          .withArgs(1n, 0n);
      });
    });
  });

  // -------------------------------------------------------------- validate
  describe("validate", () => {
    for (const kind of SIGNER_KINDS) {
      describe(`when a peer accepts the entry (${kind})`, () => {
        it("emits Validated with the tallies and marks the validator", async () => {
          const f = await networkHelpers.loadFixture(deployLedger);
          await recordWork(f, f.agents.alice);
          const validator = validatorOf(f, kind);
          const v = await freshValidation(f, validator, 1n);
          await expect(f.ledger.connect(f.stranger).validate(v, await validator.signValidation(v), await proofFor(ethers, f.ledger, 1n)))
            .to.emit(f.ledger, "Validated")
            .withArgs(1n, validator.address, Verdict.Accept, v.evidence, 1n, 0n);
          expect(await f.ledger.hasValidated(1n, validator.address)).to.equal(true);
          expect(await f.ledger.nonces(validator.address, KEY)).to.equal(packNonce(KEY, 1n));
        });
      });

      describe(`when the validator's signature is invalid (${kind})`, () => {
        it("reverts with LedgerInvalidSignature", async () => {
          const f = await networkHelpers.loadFixture(deployLedger);
          await recordWork(f, f.agents.alice);
          const validator = validatorOf(f, kind);
          const v = await freshValidation(f, validator, 1n);
          await expect(f.ledger.validate(v, await f.agents.carol.signValidation(v), await proofFor(ethers, f.ledger, 1n)))
            .to.be.revertedWithCustomError(f.ledger, "LedgerInvalidSignature")
            .withArgs(validator.address);
        });
      });
    }

    describe("when a peer disputes the entry", () => {
      it("emits Validated with the dispute tallied", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.alice);
        const v = await freshValidation(f, f.agents.bob, 1n, "dispute");
        await expect(f.ledger.validate(v, await f.agents.bob.signValidation(v), await proofFor(ethers, f.ledger, 1n)))
          .to.emit(f.ledger, "Validated")
          .withArgs(1n, f.bob.address, Verdict.Dispute, v.evidence, 0n, 1n);
      });
    });

    describe("when the validator holds no role for the entry's action (SYB-ELIGIBLE)", () => {
      it("emits Endorsed, not Validated, and the entry stays claimed", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.alice);
        const stranger = eoaAgent(f.stranger, f.domain);
        const v = await freshValidation(f, stranger, 1n);
        const tx = f.ledger.validate(v, await stranger.signValidation(v), await proofFor(ethers, f.ledger, 1n));
        await expect(tx).to.emit(f.ledger, "Endorsed").withArgs(1n, f.stranger.address, Verdict.Accept, v.evidence);
        await expect(tx).not.to.emit(f.ledger, "Validated");
        expect(await stateOf(f, 1n)).to.deep.equal({ state: State.Claimed, accepts: 0, disputes: 0, correctedBy: 0n });
        expect((await f.ledger.rolesOf(f.commons, f.stranger.address)) & (1n << BigInt(action("work")))).to.equal(0n);
      });

      it("counts the same key once the stewards appoint it for that action", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.alice);
        await recordWork(f, f.agents.alice);
        const stranger = eoaAgent(f.stranger, f.domain);
        await validateAs(f, stranger, 1n);
        await expect(f.ledger.connect(f.steward).setRoles(f.commons, f.stranger.address, 1 << action("work")))
          .to.emit(f.ledger, "RolesSet")
          .withArgs(f.commons, f.stranger.address, 1 << action("work"), f.steward.address);
        const v = await freshValidation(f, stranger, 2n);
        await expect(f.ledger.validate(v, await stranger.signValidation(v), await proofFor(ethers, f.ledger, 2n)))
          .to.emit(f.ledger, "Validated")
          .withArgs(2n, f.stranger.address, Verdict.Accept, v.evidence, 1n, 0n);
        expect((await stateOf(f, 1n)).state).to.equal(State.Claimed, "the earlier endorsement still counts nothing");
        expect((await stateOf(f, 2n)).state).to.equal(State.Accepted);
      });
    });

    describe("when several peers validate", () => {
      it("accumulates the tallies in the events", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.alice);
        await validateAs(f, f.agents.bob, 1n);
        await validateAs(f, f.agents.carol, 1n);
        const v = await freshValidation(f, f.agents.dave, 1n, "dispute");
        await expect(f.ledger.validate(v, await f.agents.dave.signValidation(v), emptyProof(await freshRecord(f, f.agents.alice))))
          .to.emit(f.ledger, "Validated")
          .withArgs(1n, f.dave.address, Verdict.Dispute, v.evidence, 2n, 1n);
      });
    });

    describe("when the ERC-1271 validator misbehaves (SIG-1271)", () => {
      for (const mode of MISBEHAVING) {
        it(`treats a wallet in mode ${mode} as an invalid signature`, async () => {
          const f = await networkHelpers.loadFixture(deployLedger);
          await recordWork(f, f.agents.alice);
          await f.wallet.setMode(Mode[mode]);
          const v = await freshValidation(f, f.agents.wallet, 1n);
          await expect(f.ledger.validate(v, await f.agents.wallet.signValidation(v), await proofFor(ethers, f.ledger, 1n)))
            .to.be.revertedWithCustomError(f.ledger, "LedgerInvalidSignature")
            .withArgs(f.walletAddress);
        });
      }
    });

    describe("when the entry lies in a closed checkpoint interval", () => {
      it(`accepts the proof of entry 5 after ${I + 2} entries, before and after later appends`, async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await f.ledger.recordBatch(f.fill.records.slice(0, I + 2), f.fill.signatures.slice(0, I + 2));
        const proof = await proofFor(ethers, f.ledger, 5n);
        expect(proof.laterSigners.length).to.equal(I - 5); // entries 6..I: up to the checkpoint, not to the tip
        await recordWork(f, f.agents.alice); // entry I + 3: a closed interval's proof does not go stale
        const v = await freshValidation(f, f.agents.bob, 5n);
        await expect(f.ledger.validate(v, await f.agents.bob.signValidation(v), proof))
          .to.emit(f.ledger, "Validated")
          .withArgs(5n, f.bob.address, Verdict.Accept, v.evidence, 1n, 0n);
      });
    });

    describe("when the entry lies in the open interval", () => {
      it("accepts the proof up to the tip", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await f.ledger.recordBatch(f.fill.records.slice(0, I + 2), f.fill.signatures.slice(0, I + 2));
        const id = BigInt(I + 1); // the first entry after the checkpoint
        const proof = await proofFor(ethers, f.ledger, id);
        expect(proof.laterSigners).to.deep.equal([f.filler.address]);
        const v = await freshValidation(f, f.agents.bob, id);
        await expect(f.ledger.validate(v, await f.agents.bob.signValidation(v), proof))
          .to.emit(f.ledger, "Validated")
          .withArgs(id, f.bob.address, Verdict.Accept, v.evidence, 1n, 0n);
      });
    });

    describe("when the entry is already anchored", () => {
      it("ignores the proof", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.alice);
        await validateAs(f, f.agents.bob, 1n);
        await recordWork(f, f.agents.dave);
        const v = await freshValidation(f, f.agents.carol, 1n, "dispute");
        const garbage: EntryProof = {
          record: await freshRecord(f, f.agents.carol),
          previousHead: ethers.id("x"),
          laterSigners: [f.carol.address],
          laterRecordHashes: [],
        };
        await expect(f.ledger.validate(v, await f.agents.carol.signValidation(v), garbage))
          .to.emit(f.ledger, "Validated")
          .withArgs(1n, f.carol.address, Verdict.Dispute, v.evidence, 1n, 1n);
      });
    });
  });

  // -------------------------------------------------------------- registerCommons
  describe("registerCommons", () => {
    describe("when the name and salt are new", () => {
      it("emits CommonsRegistered and StewardAdded and returns keccak256(abi.encode(founder, salt))", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const salt = ethers.id("B");
        const expected = commonsId(f.alice.address, salt);
        expect(await f.ledger.connect(f.alice).registerCommons.staticCall(salt, "Commons B")).to.equal(expected);
        const tx = f.ledger.connect(f.alice).registerCommons(salt, "Commons B");
        await expect(tx).to.emit(f.ledger, "CommonsRegistered").withArgs(expected, f.alice.address, salt, "Commons B");
        await expect(tx).to.emit(f.ledger, "StewardAdded").withArgs(expected, f.alice.address, f.alice.address);
        expect(await f.ledger.commonsExists(expected)).to.equal(true);
        expect(await f.ledger.isSteward(expected, f.alice.address)).to.equal(true);
      });

      it("gives the same salt of another founder another commons", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await expect(f.ledger.connect(f.alice).registerCommons(f.salt, "Commons A too"))
          .to.emit(f.ledger, "CommonsRegistered")
          .withArgs(commonsId(f.alice.address, f.salt), f.alice.address, f.salt, "Commons A too");
        expect(await f.ledger.isSteward(f.commons, f.alice.address)).to.equal(false);
      });

      it("accepts a name of exactly MAX_NAME_BYTES bytes", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await expect(f.ledger.connect(f.alice).registerCommons(f.salt, "n".repeat(200))).to.emit(f.ledger, "CommonsRegistered");
      });
    });

    describe("when the name is too long in UTF-8 bytes", () => {
      it("reverts with LedgerInvalidName counting bytes, not characters", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await expect(f.ledger.connect(f.alice).registerCommons(f.salt, "é".repeat(101)))
          .to.be.revertedWithCustomError(f.ledger, "LedgerInvalidName")
          .withArgs(202n, MAX_NAME_BYTES);
        expect(await f.ledger.commonsExists(commonsId(f.alice.address, f.salt))).to.equal(false);
      });
    });
  });

  // -------------------------------------------------------------- addSteward
  describe("addSteward", () => {
    describe("when a steward adds an account", () => {
      it("emits StewardAdded and gives the account a steward's powers", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await expect(f.ledger.connect(f.steward).addSteward(f.commons, f.costeward.address))
          .to.emit(f.ledger, "StewardAdded")
          .withArgs(f.commons, f.costeward.address, f.steward.address);
        expect(await f.ledger.isSteward(f.commons, f.costeward.address)).to.equal(true);
        await expect(f.ledger.connect(f.costeward).setQuorumRule(f.commons, action("work"), 2, 1, false)).to.emit(f.ledger, "QuorumRuleSet");
      });
    });
  });

  // -------------------------------------------------------------- removeSteward
  describe("removeSteward", () => {
    describe("when a steward removes another steward", () => {
      it("emits StewardRemoved and takes the steward's powers away", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await f.ledger.connect(f.steward).addSteward(f.commons, f.costeward.address);
        await expect(f.ledger.connect(f.steward).removeSteward(f.commons, f.costeward.address))
          .to.emit(f.ledger, "StewardRemoved")
          .withArgs(f.commons, f.costeward.address, f.steward.address);
        expect(await f.ledger.isSteward(f.commons, f.costeward.address)).to.equal(false);
        await expect(f.ledger.connect(f.costeward).setQuorumRule(f.commons, 0, 1, 1, false))
          .to.be.revertedWithCustomError(f.ledger, "LedgerNotSteward")
          .withArgs(f.commons, f.costeward.address);
      });
    });

    describe("when a steward removes itself", () => {
      it("emits StewardRemoved and keeps the commons registered", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await f.ledger.connect(f.steward).addSteward(f.commons, f.costeward.address);
        await expect(f.ledger.connect(f.steward).removeSteward(f.commons, f.steward.address))
          .to.emit(f.ledger, "StewardRemoved")
          .withArgs(f.commons, f.steward.address, f.steward.address);
        expect(await f.ledger.commonsExists(f.commons)).to.equal(true);
      });
    });

    describe("when the caller is not a steward", () => {
      it("reverts with LedgerNotSteward naming the caller", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await expect(f.ledger.connect(f.stranger).removeSteward(f.commons, f.steward.address))
          .to.be.revertedWithCustomError(f.ledger, "LedgerNotSteward")
          .withArgs(f.commons, f.stranger.address);
      });
    });

    describe("when the commons is not registered", () => {
      it("reverts with LedgerCommonsUnknown", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const unknown = ethers.id("nobody's commons");
        await expect(f.ledger.connect(f.steward).removeSteward(unknown, f.steward.address))
          .to.be.revertedWithCustomError(f.ledger, "LedgerCommonsUnknown")
          .withArgs(unknown);
      });
    });
  });

  // -------------------------------------------------------------- stewardship by threshold
  describe("approveChange", () => {
    /** The fixture's commons with costeward and dave as stewards too, and a threshold of 2. */
    async function twoOfThree(f: Fixture) {
      await f.ledger.connect(f.steward).addSteward(f.commons, f.costeward.address);
      await f.ledger.connect(f.steward).addSteward(f.commons, f.dave.address);
      await f.ledger.connect(f.steward).setStewardThreshold(f.commons, 2);
    }

    describe("when a change has fewer approvals than the threshold", () => {
      it("emits ChangeProposed and ChangeApproved and changes nothing", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await twoOfThree(f);
        const id = await f.ledger.connect(f.steward).setQuorumRule.staticCall(f.commons, action("work"), 3, 1, false);
        const tx = f.ledger.connect(f.steward).setQuorumRule(f.commons, action("work"), 3, 1, false);
        await expect(tx).to.emit(f.ledger, "ChangeProposed");
        await expect(tx).to.emit(f.ledger, "ChangeApproved").withArgs(id, f.steward.address, 1n, 2n);
        await expect(tx).not.to.emit(f.ledger, "QuorumRuleSet");
        expect(ruleOf(await f.ledger.quorumRule(f.commons, action("work")))).to.deep.equal([1n, 1n]);
        const p = await f.ledger.proposalOf(id);
        expect([p.approvals, p.executed, p.proposer]).to.deep.equal([1n, false, f.steward.address]);
      });
    });

    describe("when another steward's approval reaches the threshold", () => {
      it("applies the change with its event, then ChangeExecuted", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await twoOfThree(f);
        const id = await f.ledger.connect(f.steward).setQuorumRule.staticCall(f.commons, action("work"), 3, 1, false);
        await f.ledger.connect(f.steward).setQuorumRule(f.commons, action("work"), 3, 1, false);
        const tx = f.ledger.connect(f.dave).approveChange(id);
        await expect(tx).to.emit(f.ledger, "ChangeApproved").withArgs(id, f.dave.address, 2n, 2n);
        await expect(tx).to.emit(f.ledger, "QuorumRuleSet").withArgs(f.commons, action("work"), 3n, 1n, false, f.dave.address);
        await expect(tx).to.emit(f.ledger, "ChangeExecuted").withArgs(id, f.commons);
        expect(ruleOf(await f.ledger.quorumRule(f.commons, action("work")))).to.deep.equal([3n, 1n]);
        expect(await f.ledger.stewardship(f.commons)).to.deep.equal([3n, 2n, 3n]);
      });
    });
  });

  // -------------------------------------------------------------- setQuorumRule
  describe("setQuorumRule", () => {
    describe("when a steward sets a rule", () => {
      it("emits QuorumRuleSet and the rule is in force for that action only", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await expect(f.ledger.connect(f.steward).setQuorumRule(f.commons, action("produce"), 3, 2, false))
          .to.emit(f.ledger, "QuorumRuleSet")
          .withArgs(f.commons, action("produce"), 3n, 2n, false, f.steward.address);
        expect(ruleOf(await f.ledger.quorumRule(f.commons, action("produce")))).to.deep.equal([3n, 2n]);
        expect(ruleOf(await f.ledger.quorumRule(f.commons, action("work")))).to.deep.equal([1n, 1n]);
      });
    });

    describe("when the commons is not registered", () => {
      it("reverts with LedgerCommonsUnknown", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const unknown = ethers.id("nobody's commons");
        await expect(f.ledger.connect(f.steward).setQuorumRule(unknown, 0, 1, 1, false))
          .to.be.revertedWithCustomError(f.ledger, "LedgerCommonsUnknown")
          .withArgs(unknown);
      });
    });
  });

  // -------------------------------------------------------------- invalidateNonce
  describe("invalidateNonce", () => {
    describe("when an owner invalidates its current nonce", () => {
      it("emits NonceInvalidated, returns the nonce and advances the sequence", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        expect(await f.ledger.connect(f.alice).invalidateNonce.staticCall(KEY)).to.equal(packNonce(KEY, 0n));
        await expect(f.ledger.connect(f.alice).invalidateNonce(KEY)).to.emit(f.ledger, "NonceInvalidated").withArgs(f.alice.address, packNonce(KEY, 0n));
        expect(await f.ledger.nonces(f.alice.address, KEY)).to.equal(packNonce(KEY, 1n));
        expect(await f.ledger.connect(f.alice).invalidateNonce.staticCall(KEY)).to.equal(packNonce(KEY, 1n));
      });

      it("leaves other keys and other owners alone", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const maxKey = (1n << 192n) - 1n;
        await expect(f.ledger.connect(f.alice).invalidateNonce(maxKey)).to.emit(f.ledger, "NonceInvalidated").withArgs(f.alice.address, packNonce(maxKey, 0n));
        expect(await f.ledger.nonces(f.alice.address, maxKey)).to.equal(packNonce(maxKey, 1n));
        expect(await f.ledger.nonces(f.alice.address, KEY)).to.equal(packNonce(KEY, 0n));
        expect(await f.ledger.nonces(f.bob.address, maxKey)).to.equal(packNonce(maxKey, 0n));
      });
    });
  });

  // -------------------------------------------------------------- views
  describe("tip", () => {
    describe("when nothing was recorded", () => {
      it("returns count 0 and the zero head", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        expect(await tipOf(f)).to.deep.equal({ count: 0n, head: GENESIS_HEAD });
      });
    });

    describe("when entries were recorded one by one and in batches", () => {
      it("returns the count and the head recomputed from the events", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.alice);
        await f.ledger.recordBatch(f.fill.records.slice(0, 3), f.fill.signatures.slice(0, 3));
        await recordWork(f, f.agents.wallet);
        const { entries } = await eventsOf(ethers, f.ledger);
        const tip = await tipOf(f);
        expect(tip.count).to.equal(5n);
        expect(verifyChain(entries, tip).head).to.equal(tip.head);
      });
    });
  });

  describe("checkpoint", () => {
    describe("when the interval is not closed yet", () => {
      it("returns zero", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await f.ledger.recordBatch(f.fill.records.slice(0, I - 1), f.fill.signatures.slice(0, I - 1));
        expect(await f.ledger.checkpoint(1n)).to.equal(GENESIS_HEAD);
        expect(await f.ledger.checkpoint(0n)).to.equal(GENESIS_HEAD);
      });
    });

    describe(`when entry ${I} was recorded`, () => {
      it(`returns the head after entry ${I} for index 1 and zero for index 2`, async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await f.ledger.recordBatch(f.fill.records.slice(0, I - 1), f.fill.signatures.slice(0, I - 1));
        await expect(f.ledger.recordBatch(f.fill.records.slice(I - 1, I), f.fill.signatures.slice(I - 1, I))).to.emit(f.ledger, "Checkpointed");
        expect(await f.ledger.checkpoint(1n)).to.equal(headsOf(f.filler.address, f.fill.records.slice(0, I))[I - 1]);
        expect(await f.ledger.checkpoint(2n)).to.equal(GENESIS_HEAD);
      });
    });
  });

  describe("entryState", () => {
    describe("when the entry has no validation", () => {
      it("returns Claimed", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.alice);
        expect(await stateOf(f, 1n)).to.deep.equal({ state: State.Claimed, accepts: 0, disputes: 0, correctedBy: 0n });
      });
    });

    describe("when the default rule (one accept, one dispute) applies", () => {
      it("moves claimed -> accepted on one accept", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.alice);
        await validateAs(f, f.agents.bob, 1n);
        expect(await stateOf(f, 1n)).to.deep.equal({ state: State.Accepted, accepts: 1, disputes: 0, correctedBy: 0n });
      });

      it("moves to disputed on one dispute, even with accepts (disputes win)", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.alice);
        await validateAs(f, f.agents.bob, 1n);
        await validateAs(f, f.agents.carol, 1n);
        await validateAs(f, f.agents.dave, 1n, "dispute");
        expect(await stateOf(f, 1n)).to.deep.equal({ state: State.Disputed, accepts: 2, disputes: 1, correctedBy: 0n });
      });

      it("returns Corrected for a corrected entry whatever its tallies", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const { record } = await recordWork(f, f.agents.alice);
        await validateAs(f, f.agents.bob, 1n);
        const c = await correctionOf(f, f.agents.alice, 1n);
        await f.ledger.recordCorrection(c, await f.agents.alice.signRecord(c), emptyProof(record));
        expect(await stateOf(f, 1n)).to.deep.equal({ state: State.Corrected, accepts: 1, disputes: 0, correctedBy: 2n });
      });
    });

    describe("when the commons sets a stricter rule", () => {
      it("stays claimed until the required accepts and disputes are reached", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await f.ledger.connect(f.steward).setQuorumRule(f.commons, action("work"), 2, 2, false);
        await recordWork(f, f.agents.alice);
        await validateAs(f, f.agents.bob, 1n);
        expect(await stateOf(f, 1n)).to.deep.equal({ state: State.Claimed, accepts: 1, disputes: 0, correctedBy: 0n });
        await validateAs(f, f.agents.carol, 1n);
        expect((await stateOf(f, 1n)).state).to.equal(State.Accepted);
        await validateAs(f, f.agents.dave, 1n, "dispute");
        expect((await stateOf(f, 1n)).state).to.equal(State.Accepted);
        await validateAs(f, f.agents.wallet, 1n, "dispute");
        expect(await stateOf(f, 1n)).to.deep.equal({ state: State.Disputed, accepts: 2, disputes: 2, correctedBy: 0n });
      });
    });

    describe("when the rule changes after validations", () => {
      it("applies the new rule to existing entries", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.alice);
        await validateAs(f, f.agents.bob, 1n);
        expect((await stateOf(f, 1n)).state).to.equal(State.Accepted);
        await f.ledger.connect(f.steward).setQuorumRule(f.commons, action("work"), 3, 1, false);
        expect((await stateOf(f, 1n)).state).to.equal(State.Claimed);
        await f.ledger.connect(f.steward).setQuorumRule(f.commons, action("work"), 1, 1, false);
        expect((await stateOf(f, 1n)).state).to.equal(State.Accepted);
      });

      it("applies it only to entries of that commons and action", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await f.ledger.connect(f.carol).registerCommons(f.salt, "Commons C");
        const other = commonsId(f.carol.address, f.salt);
        await f.ledger.connect(f.carol).setRoles(other, f.bob.address, ALL_ROLES);
        await recordWork(f, f.agents.alice); // 1: work in commons A
        await recordWork(f, f.agents.alice, { action: "use" }); // 2: use in commons A
        await recordWork(f, f.agents.alice, { commons: other }); // 3: work in another commons
        for (const id of [1n, 2n, 3n]) await validateAs(f, f.agents.bob, id);
        await f.ledger.connect(f.steward).setQuorumRule(f.commons, action("work"), 2, 1, false);
        expect([(await stateOf(f, 1n)).state, (await stateOf(f, 2n)).state, (await stateOf(f, 3n)).state]).to.deep.equal([
          State.Claimed,
          State.Accepted,
          State.Accepted,
        ]);
      });
    });
  });

  describe("hasValidated", () => {
    describe("when a validator validated an entry", () => {
      it("returns true for that validator and entry only", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.alice);
        await recordWork(f, f.agents.alice);
        expect(await f.ledger.hasValidated(1n, f.bob.address)).to.equal(false);
        await validateAs(f, f.agents.bob, 1n, "dispute");
        expect(await f.ledger.hasValidated(1n, f.bob.address)).to.equal(true);
        expect(await f.ledger.hasValidated(2n, f.bob.address)).to.equal(false);
        expect(await f.ledger.hasValidated(1n, f.carol.address)).to.equal(false);
      });
    });
  });

  describe("quorumRule", () => {
    describe("when no rule was set", () => {
      it("returns the default of one accept and one dispute, even for an unknown commons", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        expect(ruleOf(await f.ledger.quorumRule(ethers.id("unknown"), action("copy")))).to.deep.equal([1n, 1n]);
      });
    });

    describe("when a rule was set", () => {
      it("returns it", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await f.ledger.connect(f.steward).setQuorumRule(f.commons, action("copy"), 7, 4, false);
        expect(ruleOf(await f.ledger.quorumRule(f.commons, action("copy")))).to.deep.equal([7n, 4n]);
      });
    });
  });

  describe("isSteward", () => {
    describe("when asked about founders, others and unknown commons", () => {
      it("returns true only for stewards of that commons", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        expect(await f.ledger.isSteward(f.commons, f.steward.address)).to.equal(true);
        expect(await f.ledger.isSteward(f.commons, f.deployer.address)).to.equal(false);
        expect(await f.ledger.isSteward(ethers.id("unknown"), f.steward.address)).to.equal(false);
      });
    });
  });

  describe("commonsExists", () => {
    describe("when asked about registered and unknown commons", () => {
      it("returns true only once registered", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const later = commonsId(f.alice.address, f.salt);
        expect(await f.ledger.commonsExists(f.commons)).to.equal(true);
        expect(await f.ledger.commonsExists(later)).to.equal(false);
        await f.ledger.connect(f.alice).registerCommons(f.salt, "later");
        expect(await f.ledger.commonsExists(later)).to.equal(true);
      });
    });
  });

  describe("hashRecord", () => {
    describe("when given a record", () => {
      it("returns the EIP-712 struct hash the core module computes", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const r = await freshRecord(f, f.agents.alice, { process: PROCESS, side: "input", satisfies: 3n });
        expect(await f.ledger.hashRecord(r)).to.equal(hashRecord(r));
        expect(await f.ledger.hashRecord(r)).to.equal(TypedDataEncoder.hashStruct("Record", RECORD_TYPES, r));
      });

      it("commits to every one of the 17 fields", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const r = await freshRecord(f, f.agents.alice);
        const base = await f.ledger.hashRecord(r);
        const changed: Partial<LedgerRecord>[] = [
          { flow: 1 },
          { action: 1 },
          { provider: f.bob.address },
          { receiver: f.bob.address },
          { commons: ethers.id("c") },
          { resource: ethers.id("r") },
          { resourceSpec: ethers.id("s") },
          { process: ethers.id("p") },
          { side: 1 },
          { quantity: r.quantity + 1n },
          { unit: "0x6b67000000000000" },
          { time: r.time + 1n },
          { evidence: ethers.id("e") },
          { corrects: 1n },
          { satisfies: 1n },
          { nonce: r.nonce + 1n },
          { deadline: r.deadline + 1n },
        ];
        const hashes = await Promise.all(changed.map((c) => f.ledger.hashRecord({ ...r, ...c })));
        expect(new Set([base, ...hashes]).size).to.equal(18);
      });
    });
  });

  describe("recordDigest", () => {
    describe("when given a record", () => {
      it("returns the EIP-712 digest bound to this chain and deployment", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const r = await freshRecord(f, f.agents.alice);
        expect(await f.ledger.recordDigest(r)).to.equal(recordDigest(f.domain, r));
        expect(await f.ledger.recordDigest(r)).to.equal(TypedDataEncoder.hash(f.domain, RECORD_TYPES, r));
        expect(await f.otherLedger.recordDigest(r)).to.equal(recordDigest(await domainOf(ethers, f.otherLedger), r));
        expect(await f.otherLedger.recordDigest(r)).to.not.equal(await f.ledger.recordDigest(r));
      });
    });
  });

  describe("validationDigest", () => {
    describe("when given a validation", () => {
      it("returns the EIP-712 digest the validator signs", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const v = validationOf({ entryId: 7n, validator: f.bob.address, verdict: "dispute", now: 1_700_000_000n, sequence: 3n });
        expect(await f.ledger.validationDigest(v)).to.equal(validationDigest(f.domain, v));
        expect(await f.ledger.validationDigest({ ...v, verdict: 0 })).to.equal(validationDigest(f.domain, { ...v, verdict: 0 }));
        expect(await f.ledger.validationDigest({ ...v, verdict: 0 })).to.not.equal(await f.ledger.validationDigest(v));
      });
    });
  });

  describe("nonces", () => {
    describe("when nothing was used", () => {
      it("returns the key with sequence 0 for any key", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        expect(await f.ledger.nonces(f.alice.address, 0n)).to.equal(0n);
        expect(await f.ledger.nonces(f.alice.address, 42n)).to.equal(42n << 64n);
      });
    });

    describe("when records and validations used nonces", () => {
      it("returns each owner's next sequence per key", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.alice);
        await recordWork(f, f.agents.alice);
        await validateAs(f, f.agents.bob, 1n);
        expect(await f.ledger.nonces(f.alice.address, KEY)).to.equal(packNonce(KEY, 2n));
        expect(await f.ledger.nonces(f.bob.address, KEY)).to.equal(packNonce(KEY, 1n));
      });
    });
  });

  describe("domainSeparator", () => {
    describe("when read", () => {
      it("equals the hash of the CommonsLedger v1 domain of this chain and deployment", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        expect(await f.ledger.domainSeparator()).to.equal(TypedDataEncoder.hashDomain(f.domain));
        expect(await f.otherLedger.domainSeparator()).to.equal(TypedDataEncoder.hashDomain(await domainOf(ethers, f.otherLedger)));
        expect(await f.otherLedger.domainSeparator()).to.not.equal(await f.ledger.domainSeparator());
        const d = await f.ledger.eip712Domain();
        expect([d.name, d.version, d.chainId, d.verifyingContract]).to.deep.equal(["CommonsLedger", "1", f.domain.chainId, f.ledgerAddress]);
      });
    });
  });

  // -------------------------------------------------------------- access control
  describe("access control (AC)", () => {
    describe("when the ABI is inspected", () => {
      it("has no owner, admin, pause or upgrade function: the state-changing functions are exactly the spec's", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const writers: string[] = [];
        f.ledger.interface.forEachFunction((fn) => {
          if (!fn.constant) writers.push(fn.name);
        });
        expect(writers.sort()).to.deep.equal(
          [
            "addSteward",
            "approveChange",
            "invalidateNonce",
            "record",
            "recordBatch",
            "recordConfirmed",
            "recordCorrection",
            "registerCommons",
            "removeSteward",
            "setQuorumRule",
            "setRoles",
            "setStewardThreshold",
            "validate",
            "validateBatch",
          ].sort(),
        );
      });
    });

    describe("when the deployer acts on someone else's commons", () => {
      it("reverts with LedgerNotSteward for steward and rule changes", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const d = f.ledger.connect(f.deployer);
        await expect(d.addSteward(f.commons, f.deployer.address))
          .to.be.revertedWithCustomError(f.ledger, "LedgerNotSteward")
          .withArgs(f.commons, f.deployer.address);
        await expect(d.removeSteward(f.commons, f.steward.address))
          .to.be.revertedWithCustomError(f.ledger, "LedgerNotSteward")
          .withArgs(f.commons, f.deployer.address);
        await expect(d.setQuorumRule(f.commons, action("work"), 100, 1, false))
          .to.be.revertedWithCustomError(f.ledger, "LedgerNotSteward")
          .withArgs(f.commons, f.deployer.address);
        await expect(d.setRoles(f.commons, f.deployer.address, ALL_ROLES))
          .to.be.revertedWithCustomError(f.ledger, "LedgerNotSteward")
          .withArgs(f.commons, f.deployer.address);
        await expect(d.setStewardThreshold(f.commons, 1)).to.be.revertedWithCustomError(f.ledger, "LedgerNotSteward").withArgs(f.commons, f.deployer.address);
      });
    });

    describe("when the deployer acts on someone else's entry", () => {
      it("cannot correct it (LedgerNotEntryAgent) nor validate for another (LedgerInvalidSignature)", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await recordWork(f, f.agents.alice);
        const deployerAgent = eoaAgent(f.deployer, f.domain);
        const c = await correctionOf(f, deployerAgent, 1n, { quantity: "0" });
        await expect(f.ledger.connect(f.deployer).recordCorrection(c, await deployerAgent.signRecord(c), await proofFor(ethers, f.ledger, 1n)))
          .to.be.revertedWithCustomError(f.ledger, "LedgerNotEntryAgent")
          .withArgs(1n, f.alice.address, f.deployer.address);
        const v = await freshValidation(f, f.agents.bob, 1n, "dispute");
        await expect(f.ledger.connect(f.deployer).validate(v, await deployerAgent.signValidation(v), await proofFor(ethers, f.ledger, 1n)))
          .to.be.revertedWithCustomError(f.ledger, "LedgerInvalidSignature")
          .withArgs(f.bob.address);
      });
    });

    describe("when a stranger acts on a commons", () => {
      it("reverts with LedgerNotSteward for steward and rule changes", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        const s = f.ledger.connect(f.stranger);
        await expect(s.addSteward(f.commons, f.stranger.address))
          .to.be.revertedWithCustomError(f.ledger, "LedgerNotSteward")
          .withArgs(f.commons, f.stranger.address);
        await expect(s.removeSteward(f.commons, f.steward.address))
          .to.be.revertedWithCustomError(f.ledger, "LedgerNotSteward")
          .withArgs(f.commons, f.stranger.address);
        await expect(s.setQuorumRule(f.commons, action("work"), 1, 100, false))
          .to.be.revertedWithCustomError(f.ledger, "LedgerNotSteward")
          .withArgs(f.commons, f.stranger.address);
      });
    });
  });

  // -------------------------------------------------------------- events
  describe("events", () => {
    describe("when a history of batches, records, validations, corrections and rule changes is read back", () => {
      it("reconstructs the entry count, the chain head, the checkpoints and every entry's state", async () => {
        const f = await networkHelpers.loadFixture(deployLedger);
        await f.ledger.recordBatch(f.fill.records.slice(0, 130), f.fill.signatures.slice(0, 130));
        const { id: mine } = await recordWork(f, f.agents.alice); // 131
        await recordWork(f, f.agents.wallet); // 132
        await f.ledger.connect(f.steward).setQuorumRule(f.commons, action("work"), 2, 2, false);
        await validateAs(f, f.agents.bob, 5n);
        await validateAs(f, f.agents.carol, 5n);
        await validateAs(f, f.agents.bob, 129n, "dispute");
        await validateAs(f, f.agents.carol, 129n, "dispute");
        await validateAs(f, f.agents.dave, 130n);
        await validateAs(f, f.agents.bob, 132n, "dispute");
        const c = await correctionOf(f, f.agents.alice, mine);
        await f.ledger.recordCorrection(c, await f.agents.alice.signRecord(c), await proofFor(ethers, f.ledger, mine)); // 133

        const events = await eventsOf(ethers, f.ledger);
        const tip = await tipOf(f);
        expect(BigInt(events.entries.length)).to.equal(tip.count);
        const check = verifyChain(events.entries, tip, events.checkpoints);
        expect(check.ok, JSON.stringify(check.divergence)).to.equal(true);
        expect(check.head).to.equal(tip.head);
        // One checkpoint per closed interval, each as stored.
        const closed = Array.from({ length: Number(tip.count / CHECKPOINT_INTERVAL) }, (_, k) => BigInt(k + 1));
        expect(closed).to.not.deep.equal([]);
        expect([...events.checkpoints.keys()]).to.deep.equal(closed);
        for (const index of closed) expect(events.checkpoints.get(index), `checkpoint ${index}`).to.equal(await f.ledger.checkpoint(index));

        // Tallies, corrections and rules from the events alone, then the derived state.
        const tallies = new Map<bigint, { accepts: number; disputes: number }>();
        for (const v of events.validations) {
          const t = tallies.get(v.entryId) ?? { accepts: 0, disputes: 0 };
          if (v.verdict === Verdict.Accept) t.accepts++;
          else t.disputes++;
          expect([v.accepts, v.disputes]).to.deep.equal([t.accepts, t.disputes]);
          tallies.set(v.entryId, t);
        }
        const correctedBy = new Map(events.corrections.map((x) => [x.entryId, x.correctionId]));
        const rules = new Map<string, [number, number]>();
        for (const e of events.all) {
          if (e.name === "QuorumRuleSet") rules.set(`${e.args.commons}/${e.args.action}`, [Number(e.args.acceptsRequired), Number(e.args.disputesToBlock)]);
        }
        for (const entry of events.entries) {
          const t = tallies.get(entry.id) ?? { accepts: 0, disputes: 0 };
          const by = correctedBy.get(entry.id) ?? 0n;
          const [needAccepts, needDisputes] = rules.get(`${entry.commons}/${BigInt(entry.record.action)}`) ?? [1, 1];
          const state = by !== 0n ? State.Corrected : t.disputes >= needDisputes ? State.Disputed : t.accepts >= needAccepts ? State.Accepted : State.Claimed;
          expect(await stateOf(f, entry.id), `entry ${entry.id}`).to.deep.equal({ state, accepts: t.accepts, disputes: t.disputes, correctedBy: by });
        }
        // The scenario reaches every state.
        expect([(await stateOf(f, 5n)).state, (await stateOf(f, 129n)).state, (await stateOf(f, 130n)).state, (await stateOf(f, mine)).state]).to.deep.equal([
          State.Accepted,
          State.Disputed,
          State.Claimed,
          State.Corrected,
        ]);
      });
    });
  });
});

// ---------------------------------------------------------------- small converters

function ruleOf(rule: { acceptsRequired: bigint; disputesToBlock: bigint }): [bigint, bigint] {
  return [rule.acceptsRequired, rule.disputesToBlock];
}
