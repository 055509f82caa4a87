// The TypeScript core module (scripts/lib) against the deployed contract: the tools must hash, sign,
// check, serialize, read and verify exactly as the Ledger does.
import { expect } from "chai";
import { network } from "hardhat";
import { readFileSync } from "node:fs";
import path from "node:path";
import { AbiCoder, getAddress, getBytes, Interface, keccak256, toUtf8Bytes, TypedDataEncoder, ZeroAddress, ZeroHash } from "ethers";
import type { Log, Provider } from "ethers";
import LedgerModule from "../scripts/ignition/modules/Ledger.js";
import type { Ledger } from "../types/ethers-contracts/index.js";
import { LEDGER_ABI, LEDGER_TOPICS } from "../scripts/lib/core/abi.js";
import { chainStep, GENESIS_HEAD, verifyChain } from "../scripts/lib/core/chain.js";
import { keccak256 as fastKeccak256, loadFastKeccak } from "../scripts/lib/core/keccak.js";
import type { ChainLink } from "../scripts/lib/core/chain.js";
import { nextBlockTime } from "../scripts/lib/core/client.js";
import { buildEntryProof } from "../scripts/lib/core/proof.js";
import { readLedger } from "../scripts/lib/core/reader.js";
import {
  buildRecord,
  buildValidation,
  checkRecord,
  fromSignedJson,
  hashRecord,
  ledgerDomain,
  packNonce,
  RECORD_TYPE_STRING,
  RECORD_TYPEHASH,
  recordHashOfWords,
  RECORD_TYPES,
  recordDigest,
  toSignedJson,
  VALIDATION_TYPE_STRING,
  VALIDATION_TYPES,
  validationDigest,
} from "../scripts/lib/core/record.js";
import type { CheckContext, LedgerRecord, RecordInput } from "../scripts/lib/core/record.js";
import { ACTION_SIDES, ACTIONS, ALL_ROLES, LIMITS, QUANTITY_DECIMALS, RecordInputError } from "../scripts/lib/core/vocabulary.js";
import { ERC1271_GAS, MAX_NAME_BYTES } from "./helpers/constants.js";
import { Prng, randomRecord, randomValidation } from "./helpers/random.js";
import { COMMONS_TREASURY, domainOf, eoaAgent, EVIDENCE, KEY, recordTuple, signedWorkRecords, workRecord } from "./helpers/records.js";
import { days, latest } from "./helpers/time.js";

const { ethers, ignition, networkHelpers } = await network.create();

const DAY = days(1);
const PROCESS = "0x" + "ab".repeat(32);
const ARTIFACT = path.resolve(import.meta.dirname, "..", "artifacts", "contracts", "Ledger.sol", "Ledger.json");
/** Entries per checkpoint interval (Ledger.CHECKPOINT_INTERVAL): a checkpoint is stored after entries I, 2I, ... */
const I = BigInt(LIMITS.checkpointInterval);

async function deployLedgers() {
  const { ledger: deployed } = await ignition.deploy(LedgerModule);
  const ledger = deployed as unknown as Ledger;
  // A second deployment of the same code emits the same events from another address.
  const second = (await ignition.deploy(LedgerModule)).ledger as unknown as Ledger;
  const [relayer, alice, bob, filler] = await ethers.getSigners();
  const domain = await domainOf(ethers, ledger);
  const secondDomain = await domainOf(ethers, second);
  const commons = ethers.id("commons");
  // Entry 1 by bob, so that links to entry 1 exist and links to entry 2 do not.
  const now = await latest(networkHelpers);
  const first = workRecord({ provider: bob.address, commons, now });
  await ledger.record(first, await eoaAgent(bob, domain).signRecord(first));
  // 131 records by `filler`, signed once, to get past the first checkpoint fast.
  const fill = await signedWorkRecords(eoaAgent(filler, domain), commons, now, 131, { key: 9n, validity: 7n * DAY });
  return {
    ledger,
    ledgerAddress: await ledger.getAddress(),
    second,
    secondAddress: await second.getAddress(),
    domain,
    secondDomain,
    relayer,
    alice,
    bob,
    filler,
    commons,
    fill,
    aliceAgent: eoaAgent(alice, domain),
  };
}

type Fixture = Awaited<ReturnType<typeof deployLedgers>>;

/** Runs `fn` and returns the RecordInputError it throws (fails if it throws nothing else). */
function inputErrorOf(fn: () => unknown): RecordInputError & { contractError?: string } {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(RecordInputError);
    return error as RecordInputError & { contractError?: string };
  }
  expect.fail("expected a RecordInputError");
}

/** A typical valid record by alice with her current nonce. */
async function aliceRecord(f: Fixture, overrides: Partial<RecordInput> = {}): Promise<LedgerRecord> {
  const now = await latest(networkHelpers);
  const sequence = (await f.ledger.nonces(f.alice.address, KEY)) & ((1n << 64n) - 1n);
  return workRecord({ provider: f.alice.address, commons: f.commons, now, sequence, overrides });
}

async function contextOf(f: Fixture, allowCorrection = false): Promise<CheckContext> {
  const [count] = await f.ledger.tip();
  return { now: await latest(networkHelpers), nextId: count + 1n, allowCorrection };
}

/** Submits `r` (signed by alice) as record or, for corrections, recordCorrection with a proof of entry 1. */
async function submit(f: Fixture, r: LedgerRecord, asCorrection: boolean) {
  const signature = await f.aliceAgent.signRecord(r);
  if (!asCorrection) return f.ledger.record(r, signature);
  const { entries } = await readLedger(ethers.provider, f.ledgerAddress);
  return f.ledger.recordCorrection(r, signature, buildEntryProof(entries, 1n));
}

/** A provider whose eth_getLogs ignores the address filter, like a faulty or hostile RPC. */
function unfilteredProvider(provider: Provider, seen: Set<string>): Provider {
  return new Proxy(provider, {
    get(target, prop, receiver) {
      if (prop === "getLogs") {
        return async (filter: { fromBlock?: number; toBlock?: number }) => {
          const logs: Log[] = await target.getLogs({ fromBlock: filter.fromBlock, toBlock: filter.toBlock });
          for (const l of logs) seen.add(l.address);
          return logs;
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("Ledger core module (scripts/lib)", () => {
  // -------------------------------------------------------------- EIP-712 parity
  describe("record.ts hashing (SIG-DIGEST-PARITY)", () => {
    describe("when the type strings are hashed", () => {
      it("gives the contract's RECORD_TYPEHASH and VALIDATION_TYPEHASH", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        expect(keccak256(toUtf8Bytes(RECORD_TYPE_STRING))).to.equal(await f.ledger.RECORD_TYPEHASH());
        expect(RECORD_TYPEHASH).to.equal(await f.ledger.RECORD_TYPEHASH());
        expect(keccak256(toUtf8Bytes(VALIDATION_TYPE_STRING))).to.equal(await f.ledger.VALIDATION_TYPEHASH());
      });
    });

    describe("when the domain is hashed", () => {
      it("gives the contract's domainSeparator", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        expect(TypedDataEncoder.hashDomain(f.domain)).to.equal(await f.ledger.domainSeparator());
        expect(TypedDataEncoder.hashDomain(f.secondDomain)).to.equal(await f.second.domainSeparator());
      });
    });

    describe("when 200 pseudo-random records are hashed (seed 0x5eed)", () => {
      it("hashRecord and recordDigest equal the contract's, ethers' TypedDataEncoder and abi.encode(TYPEHASH, record)", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        const rng = new Prng(0x5eedn);
        const records = Array.from({ length: 200 }, () => randomRecord(rng));
        const typehash = keccak256(toUtf8Bytes(RECORD_TYPE_STRING));
        const abiTypes = ["bytes32", ...RECORD_TYPES.Record.map((field) => field.type)];
        const onChain = await Promise.all(records.map(async (r) => [await f.ledger.hashRecord(r), await f.ledger.recordDigest(r)]));
        records.forEach((r, i) => {
          const structHash = hashRecord(r);
          const label = `record ${i}: ${JSON.stringify(r, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`;
          expect(structHash, label).to.equal(onChain[i][0]);
          expect(structHash, label).to.equal(TypedDataEncoder.hashStruct("Record", RECORD_TYPES, r));
          expect(structHash, label).to.equal(keccak256(AbiCoder.defaultAbiCoder().encode(abiTypes, [typehash, ...recordTuple(r)])));
          expect(recordHashOfWords(AbiCoder.defaultAbiCoder().encode(abiTypes.slice(1), recordTuple(r))), label).to.equal(structHash);
          expect(recordDigest(f.domain, r), label).to.equal(onChain[i][1]);
          expect(recordDigest(f.domain, r), label).to.equal(TypedDataEncoder.hash(f.domain, RECORD_TYPES, r));
        });
        // The generator covers the edges it claims to (so the loop above is not vacuous).
        expect(records.some((r) => r.quantity === (1n << 128n) - 1n)).to.equal(true);
        expect(records.some((r) => r.provider === ZeroAddress)).to.equal(true);
        expect(new Set(records.map((r) => hashRecord(r))).size).to.equal(200);
      });
    });

    describe("when 200 pseudo-random validations are hashed (seed 0xa11d)", () => {
      it("validationDigest equals the contract's and ethers' TypedDataEncoder", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        const rng = new Prng(0xa11dn);
        const validations = Array.from({ length: 200 }, () => randomValidation(rng));
        const onChain = await Promise.all(validations.map((v) => f.ledger.validationDigest(v)));
        validations.forEach((v, i) => {
          expect(validationDigest(f.domain, v), `validation ${i}`).to.equal(onChain[i]);
          expect(validationDigest(f.domain, v), `validation ${i}`).to.equal(TypedDataEncoder.hash(f.domain, VALIDATION_TYPES, v));
        });
        expect(new Set(onChain).size).to.equal(200);
      });
    });

    // The readers hash every entry with hash-wasm's keccak once it has loaded (ethers' before).
    describe("when the WebAssembly keccak is loaded (keccak.ts)", () => {
      it("loadFastKeccak resolves to true in Node, and keccak256 equals ethers' on every length from 0 to 700 bytes", async () => {
        expect(await loadFastKeccak()).to.equal(true);
        const rng = new Prng(0x6b656363n);
        for (let length = 0; length <= 700; length++) {
          const bytes = Uint8Array.from({ length }, () => rng.below(256));
          expect(fastKeccak256(bytes), `${length} bytes`).to.equal(keccak256(bytes));
        }
      });

      it("recordHashOfWords equals hashRecord for 200 pseudo-random records, from hex in either case and from bytes", async () => {
        await loadFastKeccak();
        const rng = new Prng(0x5eedn);
        const abiTypes = RECORD_TYPES.Record.map((field) => field.type);
        for (let i = 0; i < 200; i++) {
          const r = randomRecord(rng);
          const words = AbiCoder.defaultAbiCoder().encode(abiTypes, recordTuple(r));
          const label = `record ${i}`;
          expect(recordHashOfWords(words), label).to.equal(hashRecord(r));
          expect(recordHashOfWords("0x" + words.slice(2).toUpperCase()), label).to.equal(hashRecord(r));
          expect(recordHashOfWords(getBytes(words)), label).to.equal(hashRecord(r));
        }
      });

      it("chainStep equals bytes24(keccak256(abi.encode(head, id, signer, recordHash))) computed by ethers", async () => {
        await loadFastKeccak();
        const rng = new Prng(0xc4a1n);
        let head = GENESIS_HEAD;
        for (let id = 1n; id <= 200n; id++) {
          const signer = rng.address();
          const recordHash = rng.bytes32();
          const encoded = AbiCoder.defaultAbiCoder().encode(["bytes32", "uint256", "address", "bytes32"], [head.padEnd(66, "0"), id, signer, recordHash]);
          const next = chainStep(head, id, signer, recordHash);
          expect(next, `step ${id}`).to.equal(keccak256(encoded).slice(0, 50));
          head = next;
        }
      });

      it("recordHashOfWords refuses words that are not hex, as before", async () => {
        await loadFastKeccak();
        expect(() => recordHashOfWords("0x" + "zz".repeat(17 * 32))).to.throw(/invalid BytesLike value/);
      });
    });
  });

  // -------------------------------------------------------------- ABI parity
  describe("abi.ts", () => {
    const artifact = new Interface(JSON.parse(readFileSync(ARTIFACT, "utf8")).abi);
    const core = new Interface(LEDGER_ABI);
    const functions = (i: Interface) => {
      const m = new Map<string, string>();
      i.forEachFunction((fn) => m.set(fn.format("sighash"), `${fn.constant ? "view" : "write"} -> (${fn.outputs.map((o) => o.format("sighash")).join(",")})`));
      return m;
    };
    const events = (i: Interface) => {
      const m = new Map<string, string>();
      i.forEachEvent((ev) => m.set(ev.topicHash, `${ev.format("sighash")} indexed ${ev.inputs.map((x) => x.indexed === true).join(",")}`));
      return m;
    };
    const errors = (i: Interface) => {
      const m = new Map<string, string>();
      i.forEachError((er) => m.set(er.selector, er.format("sighash")));
      return m;
    };
    /** Public constants of the contract that off-chain code mirrors in vocabulary.ts / record.ts instead. */
    const MIRRORED_CONSTANTS: Record<string, bigint | string> = {
      "CHECKPOINT_INTERVAL()": BigInt(LIMITS.checkpointInterval),
      "ROSTER_SEATS()": BigInt(LIMITS.rosterSeats),
      "ERC1271_GAS()": ERC1271_GAS,
      "MAX_BATCH()": BigInt(LIMITS.maxBatch),
      "MAX_CLOCK_SKEW()": BigInt(LIMITS.maxClockSkewSeconds),
      "MAX_NAME_BYTES()": MAX_NAME_BYTES,
      "MAX_VALIDITY()": BigInt(LIMITS.maxValiditySeconds),
      "QUANTITY_DECIMALS()": BigInt(QUANTITY_DECIMALS),
      "RECORD_TYPEHASH()": keccak256(toUtf8Bytes(RECORD_TYPE_STRING)),
      "VALIDATION_TYPEHASH()": keccak256(toUtf8Bytes(VALIDATION_TYPE_STRING)),
      "ALL_ROLES()": BigInt(ALL_ROLES),
      "PROPOSAL_TTL()": BigInt(LIMITS.proposalTtlSeconds),
    };

    describe("when compared with the compiled artifact", () => {
      it("has every function of abi.ts in the artifact, with the same outputs and mutability class", () => {
        const a = functions(artifact);
        for (const [sig, shape] of functions(core)) expect(a.get(sig), sig).to.equal(shape);
      });

      it("has every artifact function in abi.ts, except public constants whose values the core module mirrors", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        const c = functions(core);
        const missing = [...functions(artifact).keys()].filter((sig) => !c.has(sig));
        expect(missing.sort()).to.deep.equal(Object.keys(MIRRORED_CONSTANTS).sort());
        for (const sig of missing) {
          const value = await f.ledger.getFunction(sig).staticCall();
          expect(value, sig).to.equal(MIRRORED_CONSTANTS[sig]);
        }
      });

      it("has every event of abi.ts in the artifact, with the same indexed arguments", () => {
        const a = events(artifact);
        for (const [topic, shape] of events(core)) expect(a.get(topic), shape).to.equal(shape);
      });

      it("has every artifact event in abi.ts", () => {
        const c = events(core);
        const missing = [...events(artifact)].filter(([topic]) => !c.has(topic)).map(([, shape]) => shape);
        expect(missing).to.deep.equal([]);
      });

      it("has every error of abi.ts in the artifact", () => {
        const a = errors(artifact);
        const extra = [...errors(core)].filter(([selector]) => !a.has(selector)).map(([, sig]) => sig);
        expect(extra).to.deep.equal([]);
      });

      it("has every artifact error in abi.ts", () => {
        const c = errors(core);
        const missing = [...errors(artifact)].filter(([selector]) => !c.has(selector)).map(([, sig]) => sig);
        expect(missing).to.deep.equal([]);
      });
    });

    describe("LEDGER_TOPICS", () => {
      it("holds each event of the artifact by name, with the topic its signature hashes to", () => {
        const byName: Record<string, string> = {};
        artifact.forEachEvent((ev) => {
          byName[ev.name] = ev.topicHash;
        });
        expect(LEDGER_TOPICS).to.deep.equal(byName);
      });
    });
  });

  // -------------------------------------------------------------- buildRecord
  describe("buildRecord", () => {
    const base: RecordInput = {
      action: "work",
      provider: "0x000000000000000000000000000000000000a11c",
      receiver: COMMONS_TREASURY,
      commons: "0x" + "11".repeat(32),
      quantity: "3",
      unit: "h",
      time: 1_700_000_000n,
      evidence: EVIDENCE,
      nonce: packNonce(KEY, 0n),
      deadline: 1_700_003_600n,
    };

    describe("when the input is valid", () => {
      it("builds the contract's record (3 hours of work, 6 decimals, bytes8 unit)", () => {
        const r = buildRecord(base);
        expect(r).to.deep.include({
          flow: 0,
          action: 0,
          side: 0,
          quantity: 3_000_000n,
          unit: "0x6800000000000000",
          corrects: 0n,
          satisfies: 0n,
          resource: ZeroHash,
        });
        expect(r.provider).to.equal(getAddress(base.provider!));
        expect(r.receiver).to.equal(getAddress(COMMONS_TREASURY));
        expect(buildRecord({ ...base, quantity: "340282366920938463463374607431768.211455" }).quantity).to.equal((1n << 128n) - 1n);
        expect(buildRecord({ ...base, quantity: "0.000001", unit: "kWh" }).quantity).to.equal(1n);
      });
    });

    describe("when a field is malformed", () => {
      const cases: { title: string; input: Partial<RecordInput>; field: string }[] = [
        { title: "a malformed provider address", input: { provider: "0x1234" }, field: "provider" },
        { title: "a receiver that is not an address", input: { receiver: "alice" }, field: "receiver" },
        { title: "bad hex in the commons", input: { commons: "0x" + "zz".repeat(32) }, field: "commons" },
        { title: "a short evidence digest", input: { evidence: "0x1234" }, field: "evidence" },
        { title: "a process without 0x", input: { process: "ab".repeat(32) }, field: "process" },
        { title: "an unknown action", input: { action: "dance" as RecordInput["action"] }, field: "action" },
        { title: "an unknown flow", input: { flow: "gift" as RecordInput["flow"] }, field: "flow" },
        { title: "an unknown side", input: { side: "left" as RecordInput["side"] }, field: "side" },
        { title: "a negative quantity", input: { quantity: "-1" }, field: "quantity" },
        { title: "an oversized quantity (2^128 units)", input: { quantity: "340282366920938463463374607431768.211456" }, field: "quantity" },
        { title: "a quantity with too many decimals", input: { quantity: "1.0000001" }, field: "quantity" },
        { title: "a quantity in exponent notation", input: { quantity: "1e3" }, field: "quantity" },
        { title: "an empty quantity", input: { quantity: "" }, field: "quantity" },
        { title: "a unit longer than 8 bytes", input: { unit: "kilograms" }, field: "unit" },
        { title: "an empty unit", input: { unit: "" }, field: "unit" },
        { title: "a unit with a space", input: { unit: "m 2" }, field: "unit" },
        { title: "a negative time", input: { time: -1 }, field: "time" },
        { title: "a time past uint64", input: { time: 1n << 64n }, field: "time" },
        { title: "a fractional time", input: { time: 1.5 }, field: "time" },
        { title: "a link past uint64", input: { satisfies: 1n << 64n }, field: "satisfies" },
        { title: "a negative correction link", input: { corrects: -1n }, field: "corrects" },
        { title: "a negative nonce", input: { nonce: -1n }, field: "nonce" },
        { title: "a nonce past uint256", input: { nonce: 1n << 256n }, field: "nonce" },
        { title: "a deadline past uint64", input: { deadline: 1n << 64n }, field: "deadline" },
      ];
      for (const c of cases) {
        it(`rejects ${c.title} with RecordInputError naming "${c.field}"`, () => {
          const error = inputErrorOf(() => buildRecord({ ...base, ...c.input }));
          expect(error.field).to.equal(c.field);
          expect(error.message.startsWith(`${c.field}: `)).to.equal(true);
        });
      }
    });
  });

  describe("buildValidation", () => {
    describe("when the entry id is 0 or the validator malformed", () => {
      it("rejects them with RecordInputError naming the field", () => {
        const ok = { entryId: 1n, verdict: "accept" as const, validator: COMMONS_TREASURY, nonce: 0n, deadline: 1n };
        expect(buildValidation(ok).verdict).to.equal(0);
        expect(inputErrorOf(() => buildValidation({ ...ok, entryId: 0n })).field).to.equal("entryId");
        expect(inputErrorOf(() => buildValidation({ ...ok, validator: "0x12" })).field).to.equal("validator");
        expect(inputErrorOf(() => buildValidation({ ...ok, verdict: "maybe" as "accept" })).field).to.equal("verdict");
      });
    });
  });

  // -------------------------------------------------------------- checkRecord vs the contract
  describe("checkRecord", () => {
    describe("when the record is valid", () => {
      it("passes, and the contract records it", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        const r = await aliceRecord(f, { process: PROCESS, side: "input", satisfies: 1n });
        checkRecord(r, await contextOf(f));
        await expect(submit(f, r, false))
          .to.emit(f.ledger, "Recorded")
          .withArgs(2n, f.alice.address, recordTuple(r));
      });

      it("passes a correction with quantity 0 (a void), and the contract records it", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        // alice's own entry 2, corrected by entry 3
        const own = await aliceRecord(f);
        await f.ledger.record(own, await f.aliceAgent.signRecord(own));
        const r = await aliceRecord(f, { corrects: 2n, quantity: "0" });
        checkRecord(r, await contextOf(f, true));
        const { entries } = await readLedger(ethers.provider, f.ledgerAddress);
        await expect(f.ledger.recordCorrection(r, await f.aliceAgent.signRecord(r), buildEntryProof(entries, 2n)))
          .to.emit(f.ledger, "Corrected")
          .withArgs(2n, 3n);
      });
    });

    describe("when a field is invalid", () => {
      const cases: {
        title: string;
        overrides: (now: bigint, nextId: bigint) => Partial<LedgerRecord>;
        field: string;
        contractError: string;
        correction?: boolean;
      }[] = [
        { title: "a side without a process", overrides: () => ({ side: 1 }), field: "side", contractError: "LedgerInvalidSide" },
        { title: "a process without a side", overrides: () => ({ process: PROCESS }), field: "side", contractError: "LedgerInvalidSide" },
        { title: "a side the action does not allow", overrides: () => ({ process: PROCESS, side: 2 }), field: "side", contractError: "LedgerInvalidSide" },
        {
          title: "a transfer inside a process",
          overrides: () => ({ action: 5, process: PROCESS, side: 1 }),
          field: "side",
          contractError: "LedgerInvalidSide",
        },
        {
          title: "no provider and no receiver",
          overrides: () => ({ provider: ZeroAddress, receiver: ZeroAddress }),
          field: "provider",
          contractError: "LedgerZeroAgent",
        },
        { title: "no commons", overrides: () => ({ commons: ZeroHash }), field: "commons", contractError: "LedgerMissingCommons" },
        { title: "a zero quantity", overrides: () => ({ quantity: 0n }), field: "quantity", contractError: "LedgerZeroQuantity" },
        { title: "a quantity without unit", overrides: () => ({ unit: "0x0000000000000000" }), field: "unit", contractError: "LedgerMissingUnit" },
        { title: "no time", overrides: () => ({ time: 0n }), field: "time", contractError: "LedgerMissingTime" },
        { title: "an event in the future", overrides: (now) => ({ time: now + DAY }), field: "time", contractError: "LedgerTimeInFuture" },
        { title: "a correction without proof", overrides: () => ({ corrects: 1n }), field: "corrects", contractError: "LedgerCorrectionNeedsProof" },
        { title: "a link to a future entry", overrides: (_, nextId) => ({ satisfies: nextId }), field: "satisfies", contractError: "LedgerLinkNotFound" },
        {
          title: "a correction of a future entry",
          overrides: (_, nextId) => ({ corrects: nextId }),
          field: "corrects",
          contractError: "LedgerLinkNotFound",
          correction: true,
        },
        { title: "a correction that corrects nothing", overrides: () => ({}), field: "corrects", contractError: "LedgerNotACorrection", correction: true },
        { title: "an expired deadline", overrides: (now) => ({ deadline: now - 10n }), field: "deadline", contractError: "LedgerExpired" },
        { title: "a deadline too far ahead", overrides: (now) => ({ deadline: now + 31n * DAY }), field: "deadline", contractError: "LedgerDeadlineTooFar" },
        { title: "an unknown flow code", overrides: () => ({ flow: 4 }), field: "flow", contractError: "LedgerInvalidFlow" },
        { title: "an unknown action code", overrides: () => ({ action: 19 }), field: "action", contractError: "LedgerInvalidAction" },
        { title: "an unknown side code", overrides: () => ({ process: PROCESS, side: 3 }), field: "side", contractError: "LedgerInvalidSide" },
      ];
      for (const c of cases) {
        it(`rejects ${c.title} naming "${c.field}", as the contract does with ${c.contractError}`, async () => {
          const f = await networkHelpers.loadFixture(deployLedgers);
          const ctx = await contextOf(f, c.correction ?? false);
          const r = { ...(await aliceRecord(f)), ...c.overrides(ctx.now, ctx.nextId!) };
          const error = inputErrorOf(() => checkRecord(r, ctx));
          expect(error.field).to.equal(c.field);
          expect(error.contractError).to.equal(c.contractError);
          await expect(submit(f, r, c.correction ?? false)).to.be.revertedWithCustomError(f.ledger, c.contractError);
        });
      }
    });

    describe("when several fields are invalid", () => {
      const cases: { title: string; overrides: (now: bigint) => Partial<LedgerRecord>; correction: boolean }[] = [
        { title: "no unit and an expired deadline", overrides: (now) => ({ unit: "0x0000000000000000", deadline: now - 10n }), correction: false },
        { title: "no agent and a bad side", overrides: () => ({ provider: ZeroAddress, receiver: ZeroAddress, side: 2 }), correction: false },
        { title: "a future event and a link to a future entry", overrides: (now) => ({ time: now + DAY, satisfies: 9n }), correction: false },
        { title: "a correction that corrects nothing and names no commons", overrides: () => ({ commons: ZeroHash }), correction: true },
      ];
      for (const c of cases) {
        it(`names the contract's first error for ${c.title}`, async () => {
          const f = await networkHelpers.loadFixture(deployLedgers);
          const ctx = await contextOf(f, c.correction);
          const r = { ...(await aliceRecord(f)), ...c.overrides(ctx.now) };
          const error = inputErrorOf(() => checkRecord(r, ctx));
          await expect(submit(f, r, c.correction)).to.be.revertedWithCustomError(f.ledger, error.contractError ?? "(no contractError)");
        });
      }
    });

    describe("when every action is placed on each side of a process", () => {
      it("accepts exactly the sides the contract accepts (ACTION_SIDES parity)", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        const ctx = await contextOf(f);
        const mismatches: string[] = [];
        for (const name of ACTIONS) {
          for (const side of ["input", "output"] as const) {
            const r = await aliceRecord(f, { action: name, process: PROCESS, side });
            let core = true;
            try {
              checkRecord(r, ctx);
            } catch {
              core = false;
            }
            let chain = true;
            try {
              await f.ledger.record.staticCall(r, await f.aliceAgent.signRecord(r));
            } catch {
              chain = false;
            }
            if (core !== chain) mismatches.push(`${name}/${side}: core ${core}, contract ${chain}`);
            expect(core).to.equal(ACTION_SIDES[name].includes(side));
          }
        }
        expect(mismatches).to.deep.equal([]);
      });
    });
  });

  // -------------------------------------------------------------- portable JSON
  describe("nextBlockTime", () => {
    it("takes this machine's clock when the latest block is older (a chain that mines on demand)", () => {
      expect(nextBlockTime(1_000n, 1_900_500)).to.equal(1_900n);
    });
    it("takes the latest block's time when it is ahead of the clock (time travelled)", () => {
      expect(nextBlockTime(5_000n, 1_900_500)).to.equal(5_000n);
    });
  });

  describe("toSignedJson / fromSignedJson", () => {
    describe("when a signed record goes through JSON text and back", () => {
      it("returns the same domain, record and signature, which the contract records", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        const r = await aliceRecord(f, { quantity: "340282366920938463463374607431768.211455", nonce: packNonce((1n << 192n) - 1n, 0n) });
        const signature = await f.aliceAgent.signRecord(r);
        const text = JSON.stringify(toSignedJson(f.domain, r, signature));
        const parsed = fromSignedJson(JSON.parse(text));
        expect(parsed.record).to.deep.equal(r);
        expect(parsed.signature).to.equal(signature);
        expect(parsed.domain).to.deep.equal(ledgerDomain(f.domain.chainId as bigint, f.ledgerAddress));
        await expect(f.ledger.connect(f.relayer).record(parsed.record, parsed.signature))
          .to.emit(f.ledger, "Recorded")
          .withArgs(2n, f.alice.address, recordTuple(r));
      });
    });

    describe("when the JSON is altered, mistyped or not decimal", () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the cases write wrong types into the JSON on purpose
      const cases: { title: string; alter: (j: Record<string, any>) => void; field: string }[] = [
        { title: "an altered quantity", alter: (j) => (j.record.quantity = "4000000"), field: "digest" },
        { title: "an altered provider", alter: (j) => (j.record.provider = COMMONS_TREASURY), field: "digest" },
        { title: "another chain id", alter: (j) => (j.chainId = "1"), field: "digest" },
        { title: "another ledger", alter: (j) => (j.ledger = COMMONS_TREASURY), field: "digest" },
        { title: "a wrong type tag", alter: (j) => (j.type = "commons-ledger/signed-record@2"), field: "type" },
        { title: "a missing type tag", alter: (j) => delete j.type, field: "type" },
        { title: "a hex quantity", alter: (j) => (j.record.quantity = "0x2dc6c0"), field: "record.quantity" },
        { title: "an exponent nonce", alter: (j) => (j.record.nonce = "1e20"), field: "record.nonce" },
        { title: "a negative deadline", alter: (j) => (j.record.deadline = "-1"), field: "record.deadline" },
        { title: "a fractional time", alter: (j) => (j.record.time = "1700000000.5"), field: "record.time" },
        { title: "a time past uint64", alter: (j) => (j.record.time = (1n << 64n).toString()), field: "record.time" },
        { title: "a fractional flow", alter: (j) => (j.record.flow = 0.5), field: "record.flow" },
        { title: "an action past uint8", alter: (j) => (j.record.action = 256), field: "record.action" },
        { title: "a hex chain id", alter: (j) => (j.chainId = "0x7a69"), field: "chainId" },
        { title: "a missing field", alter: (j) => delete j.record.satisfies, field: "record.satisfies" },
        { title: "a malformed unit", alter: (j) => (j.record.unit = "h"), field: "record.unit" },
        { title: "a malformed commons", alter: (j) => (j.record.commons = "0x1234"), field: "record.commons" },
        { title: "a signature that is not hex", alter: (j) => (j.signature = "0xnot"), field: "signature" },
      ];
      for (const c of cases) {
        it(`rejects ${c.title} with RecordInputError naming "${c.field}"`, async () => {
          const f = await networkHelpers.loadFixture(deployLedgers);
          const r = await aliceRecord(f);
          const json = JSON.parse(JSON.stringify(toSignedJson(f.domain, r, await f.aliceAgent.signRecord(r))));
          expect(() => fromSignedJson(json)).to.not.throw();
          c.alter(json);
          expect(inputErrorOf(() => fromSignedJson(json)).field).to.equal(c.field);
        });
      }
    });
  });

  // -------------------------------------------------------------- reader
  describe("readLedger (IN-LOGS-EMITTER)", () => {
    describe("when a second Ledger deployment emits the same events", () => {
      it("reads only the events of the address it is given", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        // The same record content, agent and event on both deployments (signed per domain).
        const r = await aliceRecord(f);
        await f.ledger.record(r, await f.aliceAgent.signRecord(r));
        const secondAlice = eoaAgent(f.alice, f.secondDomain);
        await f.second.record(r, await secondAlice.signRecord(r));
        const first = await readLedger(ethers.provider, f.ledgerAddress);
        const second = await readLedger(ethers.provider, f.secondAddress);
        expect(first.entries.map((e) => [e.id, e.signer])).to.deep.equal([
          [1n, f.bob.address],
          [2n, f.alice.address],
        ]);
        expect(second.entries.map((e) => [e.id, e.signer, e.recordHash])).to.deep.equal([[1n, f.alice.address, hashRecord(r)]]);
        const [count, head] = await f.ledger.tip();
        expect(verifyChain(first.entries, { count, head }).ok).to.equal(true);
      });

      it("ignores logs of another address even when the RPC returns them with the right topics", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        const r = await aliceRecord(f);
        await f.second.record(r, await eoaAgent(f.alice, f.secondDomain).signRecord(r));
        await f.second.connect(f.bob).registerCommons(ZeroHash, "decoy");
        const seen = new Set<string>();
        const read = await readLedger(unfilteredProvider(ethers.provider, seen), f.ledgerAddress);
        expect(seen.has(f.secondAddress), "the faulty RPC did return the decoy's logs").to.equal(true);
        const honest = await readLedger(ethers.provider, f.ledgerAddress);
        expect(read.entries).to.deep.equal(honest.entries);
        expect(read.all.map((e) => e.name)).to.deep.equal(["Recorded"]);
        expect(read.entries.map((e) => e.signer)).to.deep.equal([f.bob.address]);
      });
    });
  });

  // -------------------------------------------------------------- chain
  describe("verifyChain", () => {
    async function history(f: Fixture) {
      await f.ledger.recordBatch(f.fill.records, f.fill.signatures); // entries 2..132
      const events = await readLedger(ethers.provider, f.ledgerAddress);
      const [count, head] = await f.ledger.tip();
      return { events, tip: { count, head } };
    }
    const tamper = (links: readonly ChainLink[], id: bigint, change: Partial<ChainLink>): ChainLink[] =>
      links.map((l) => (l.id === id ? { ...l, ...change } : l));
    const firstDifferentHead = (a: string[], b: string[]): number => a.findIndex((h, i) => h !== b[i]) + 1;

    describe("when the events are complete and untouched", () => {
      it("recomputes the on-chain head and matches the checkpoints", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        const { events, tip } = await history(f);
        const check = verifyChain(events.entries, tip, events.checkpoints);
        expect(check).to.deep.include({ ok: true, count: 132n, head: tip.head });
        expect(events.checkpoints.size)
          .to.equal(Number(132n / I))
          .and.to.be.greaterThan(0);
        for (let k = 1n; k * I <= 132n; k++) {
          expect(check.heads[Number(k * I) - 1], `checkpoint ${k}`).to.equal(await f.ledger.checkpoint(k));
          expect(events.checkpoints.get(k), `checkpoint ${k}`).to.equal(await f.ledger.checkpoint(k));
        }
      });
    });

    describe("when a record hash in a closed interval was tampered with", () => {
      it("fails at the first checkpoint after it, and the heads diverge from that entry on", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        const { events, tip } = await history(f);
        const good = verifyChain(events.entries, tip, events.checkpoints);
        const bad = verifyChain(tamper(events.entries, 3n, { recordHash: ethers.id("forged") }), tip, events.checkpoints);
        expect(bad.ok).to.equal(false);
        expect(bad.divergence?.id).to.equal(I);
        expect(bad.divergence?.reason).to.match(/checkpoint 1/);
        expect(firstDifferentHead(bad.heads, good.heads)).to.equal(3);
      });
    });

    describe("when a signer in the open interval was tampered with", () => {
      it("fails at the tip", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        const { events, tip } = await history(f);
        const good = verifyChain(events.entries, tip, events.checkpoints);
        const id = (tip.count / I) * I + 2n; // the second entry of the open interval
        expect(id).to.be.lessThanOrEqual(tip.count);
        const bad = verifyChain(tamper(events.entries, id, { signer: f.alice.address }), tip, events.checkpoints);
        expect(bad.ok).to.equal(false);
        expect(bad.divergence?.id).to.equal(132n);
        expect(bad.divergence?.reason).to.match(/on-chain head/);
        expect(firstDifferentHead(bad.heads, good.heads)).to.equal(Number(id));
      });
    });

    describe("when an entry is missing", () => {
      it("names the missing id", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        const { events, tip } = await history(f);
        const bad = verifyChain(
          events.entries.filter((e) => e.id !== 3n),
          tip,
          events.checkpoints,
        );
        expect(bad.ok).to.equal(false);
        expect(bad.divergence?.id).to.equal(3n);
        expect(bad.divergence?.reason).to.match(/entry 3 is missing/);
      });

      it("detects a truncated history by the count", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        const { events, tip } = await history(f);
        const bad = verifyChain(events.entries.slice(0, -1), tip, events.checkpoints);
        expect(bad).to.deep.include({ ok: false, count: 131n });
        expect(bad.divergence?.id).to.equal(132n);
      });
    });

    describe("when the tip is wrong", () => {
      it("fails on a wrong count and on a wrong head", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        const { events, tip } = await history(f);
        const wrongCount = verifyChain(events.entries, { ...tip, count: tip.count + 1n }, events.checkpoints);
        expect(wrongCount.ok).to.equal(false);
        expect(wrongCount.divergence?.id).to.equal(133n);
        const wrongHead = verifyChain(events.entries, { ...tip, head: "0x" + "11".repeat(24) }, events.checkpoints);
        expect(wrongHead.ok).to.equal(false);
        expect(wrongHead.divergence?.id).to.equal(132n);
      });
    });

    describe("when a stored checkpoint disagrees", () => {
      it("fails at that checkpoint", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        const { events, tip } = await history(f);
        const bad = verifyChain(events.entries, tip, new Map([[1n, "0x" + "22".repeat(24)]]));
        expect(bad.ok).to.equal(false);
        expect(bad.divergence?.id).to.equal(I);
        expect(bad.divergence?.reason).to.match(/checkpoint 1 /);
      });
    });
  });

  // -------------------------------------------------------------- proofs
  describe("buildEntryProof", () => {
    describe("when the entry does not exist", () => {
      it("throws", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        const { entries } = await readLedger(ethers.provider, f.ledgerAddress);
        expect(() => buildEntryProof(entries, 0n)).to.throw(/does not exist/);
        expect(() => buildEntryProof(entries, 2n)).to.throw(/does not exist/);
      });
    });

    describe("when the entry exists", () => {
      it("proves it up to its checkpoint or to the tip", async () => {
        const f = await networkHelpers.loadFixture(deployLedgers);
        await f.ledger.recordBatch(f.fill.records, f.fill.signatures);
        const { entries } = await readLedger(ethers.provider, f.ledgerAddress);
        const count = BigInt(entries.length);
        const open = (count / I) * I + 1n; // the first entry of the open interval
        expect(open).to.be.lessThan(count);
        expect(buildEntryProof(entries, 1n).laterSigners.length).to.equal(Number(I) - 1);
        expect(buildEntryProof(entries, I).laterSigners.length).to.equal(0);
        expect(buildEntryProof(entries, open).laterSigners.length).to.equal(Number(count - open));
        expect(buildEntryProof(entries, count).laterSigners.length).to.equal(0);
      });
    });
  });
});
