// Admission: every check the Ledger would make, made before a record is queued, so that what the
// relayer accepts can be recorded and what it cannot is refused at once with one sentence. In
// order, cheapest first: the JSON's shape, chain and ledger; the contract's field rules (at the
// chain's time); the signature's size; the nonce (a used one is a replay, answered from the chain
// without charging anyone; one too far ahead of the sequences the ledger expects and this relayer
// holds is refused); a correction's target (exists, is the correction's agent's, not yet
// corrected); the signature, exactly as the contract checks it; the commons (registered on this
// ledger: the contract records any, but no view counts an unregistered commons' entries); then, with no await in between,
// the queue's own limits (one pending record per nonce and per corrected entry, a cap of pending
// records per signer and in all, the signer's rate) and the insert. A signed validation goes the
// same way: its deadline, its entry (exists, not the validator's own, not corrected), the nonce, the
// signature, whether the validator already validated the entry, then the same limits. A
// counterparty's answer (a signed validation with verdict confirm or refuse) needs no role and is
// no vote: instead of the validator's checks, its entry must name a counterparty, the signer must
// be that counterparty, the entry's commons must be registered (the Ledger anchors no other), and
// the entry must not be answered already, on chain or in the queue (an answer is final).
import { Contract, Interface, ZeroAddress } from "ethers";
import type { JsonRpcProvider, TypedDataDomain } from "ethers";
import { nextBlockTime } from "../core/client.js";
import { LEDGER_ABI } from "../core/abi.js";
import { revertSentence } from "../core/contract-errors.js";
import { reciprocityInterface } from "../core/registry-abi.js";
import { directoryInterface } from "../core/directory-abi.js";
import { SIGNED_PROFILE_TYPE } from "../core/directory.js";
import { durationWords } from "../core/duration.js";
import { CONTRACT_MESSAGE_TYPES, messageCalldata, readRegistryMessage, registryCallArgs, settlementProofsFrom } from "../core/registry-messages.js";
import type { RegistryMessage, SettlementProofs } from "../core/registry-messages.js";
import { classifyRpcError } from "../core/reader.js";
import {
  checkRecord,
  agentOf,
  counterpartyOf,
  fromSignedJson,
  fromSignedValidationJson,
  hashRecord,
  recordDigest,
  signedKind,
  toSignedJson,
  toSignedValidationJson,
  validationDigest,
} from "../core/record.js";
import type { LedgerRecord, LedgerValidation } from "../core/record.js";
import { checkEoaSignatures, EoaKeyCache, eoaFormProblem } from "../verify/signatures.js";
import { ACTIONS, isAnswer, LIMITS, RecordInputError } from "../core/vocabulary.js";
import type { EntryIndex } from "./entries.js";
import type { QueuedMessage, QueuedRecord, RelayQueue } from "./queue.js";
import { DAY_MS, utcDay } from "../core/time.js";

/** Gas the Ledger gives an ERC-1271 wallet's isValidSignature (Ledger.ERC1271_GAS). */
export const ERC1271_GAS = 150_000n;
/** The largest signature accepted: a wallet's (an EOA's is 65 bytes). */
export const MAX_SIGNATURE_BYTES = 4_096;
const ERC1271_MAGIC_WORD = "0x1626ba7e" + "0".repeat(56);
const ERC1271 = new Interface(["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"]);
const CHAIN_VIEW_MS = 500;
const NONCE_CACHE_MS = 500;
/** How long an account's code is reused (a wallet deployed meanwhile is seen after this). */
const CODE_CACHE_MS = 2_000;
/** What a waiting message is counted at against the daily budgets before it is sent (a record in a batch costs ~22,000, a validation alone ~55,000). */
export const PENDING_GAS = 30_000n;
/** Size at which the small caches (nonces, rate buckets, EOA keys) are emptied. */
const CACHE_ENTRIES = 10_000;

export interface AdmissionLimits {
  /** Sequences accepted beyond the ledger's next one and those this relayer already holds. */
  gapWindow: number;
  /** Pending (queued or sending) records per signer, every nonce key together. */
  maxPendingPerSigner: number;
  /** Pending records in all. */
  maxPending: number;
  /** Per-signer rate limit: records per second and burst. */
  ratePerSecond: number;
  burst: number;
  /**
   * Daily gas budgets (0n: none), per UTC day: what this relayer pays for one signer's messages,
   * and in all. The per-signer one keeps one key from spending the day's budget; the total bounds
   * what a thousand fresh keys can cost the operator. A message is refused while what was paid
   * today, plus PENDING_GAS for each of its signer's (or everyone's) waiting messages, reaches it.
   */
  dailyGasPerSigner: bigint;
  dailyGas: bigint;
  /**
   * Whether to relay a validation by an account the entry's commons has not appointed for its
   * action (kept on-chain as an endorsement, counted nowhere). Off by default: otherwise a stranger
   * with a thousand free keys makes the relayer pay ~70,000 to 330,000 gas per key and entry for
   * verdicts that change nothing. Such a validator can still send it and pay.
   */
  relayEndorsements: boolean;
}

/** A refusal: the HTTP status and one sentence. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** 2026-12-01 10:00:00 UTC for unix seconds. */
export function when(seconds: bigint | number): string {
  return new Date(Number(seconds) * 1000)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
}

/** checkRecord's error as a sentence with dates instead of unix seconds where it names a time. */
export function explainCheck(error: unknown, r: LedgerRecord, now: bigint): Refusal {
  const code = (error as { contractError?: string }).contractError;
  if (code === "LedgerTimeInFuture")
    return new Refusal(400, `time: the event is dated ${when(r.time)}, after the chain's time ${when(now)} (plus 15 minutes); an event must have happened`);
  if (code === "LedgerExpired")
    return new Refusal(400, `deadline: the signature expired at ${when(r.deadline)} (the chain's time is ${when(now)}); sign the record again`);
  if (code === "LedgerDeadlineTooFar") return new Refusal(400, `deadline: ${when(r.deadline)} is more than 30 days after the chain's time ${when(now)}`);
  return new Refusal(400, (error as Error).message);
}

/** A signed message as admission reads it: a record, or a validation (`agent` is its validator; `answer`: it is the counterparty's confirm or refuse). */
interface Parsed {
  record?: LedgerRecord;
  validation?: LedgerValidation;
  answer?: boolean;
  signature: string;
  /** A co-signed record's counterparty's signature of the same digest (sent alone with recordConfirmed). */
  counterpartySignature?: string;
  digest: string;
  agent: string;
  key: bigint;
  seq: bigint;
}

export interface Accepted {
  status: number;
  body: object;
}

/** The public state of a queued record (GET /records/<digest>). */
export function view(q: QueuedRecord): object {
  return {
    digest: q.digest,
    kind: q.validates !== 0n ? "validation" : "record",
    state: q.state,
    entryId: q.entryId?.toString() ?? null,
    txHash: q.txHash,
    error: q.error,
    attempts: q.attempts,
    receivedAt: new Date(q.receivedAt).toISOString(),
  };
}

/** The public state of a queued registry message (GET /records/<digest>); `entryId` is the registry record id. */
export function viewMessage(m: QueuedMessage): object {
  return {
    digest: m.digest,
    kind: m.kind,
    state: m.state,
    entryId: m.recordId?.toString() ?? null,
    txHash: m.txHash,
    error: m.error,
    attempts: m.attempts,
    receivedAt: new Date(m.receivedAt).toISOString(),
  };
}

/**
 * The Ledger proofs a settlement order of `entryId` takes, from a relayer's entry index (read up to
 * the latest block by the caller), walking the entry's correction chain down to an entry the
 * registry ever settled (IReciprocityRegistry.settle).
 */
export function settlementProofsOf(provider: JsonRpcProvider, registry: string, entries: EntryIndex, entryId: bigint): Promise<SettlementProofs> {
  const everSettled = async (e: bigint) => {
    const out = await provider.call({ to: registry, data: reciprocityInterface().encodeFunctionData("settlementOf", [e]) });
    return (reciprocityInterface().decodeFunctionResult("settlementOf", out)[0] as { id: bigint }).id !== 0n;
  };
  return settlementProofsFrom((id) => entries.proof(id), entryId, everSettled);
}

const gas = (g: bigint) => g.toLocaleString("en-US");

/** Why a record names no counterparty (see `counterpartyOf`), in a few words. */
function noCounterpartyReason(record: LedgerRecord): string {
  return record.provider === ZeroAddress
    ? "it is a need: it has no provider"
    : record.receiver === ZeroAddress
      ? "it has no receiver"
      : "its provider is its receiver";
}

/** Refuses (400) a signature longer than this relayer takes. */
function refuseLongSignature(field: string, signature: string): void {
  const bytes = (signature.length - 2) / 2;
  if (bytes > MAX_SIGNATURE_BYTES)
    throw new Refusal(
      400,
      `${field}: ${bytes.toLocaleString("en-US")} bytes is more than this relayer takes (${MAX_SIGNATURE_BYTES.toLocaleString("en-US")} bytes; an EOA signature is 65)`,
    );
}

export class Admission {
  private readonly ledger: Contract;
  private keys = new EoaKeyCache();
  private readonly sequences = new Map<string, { at: number; value: Promise<bigint> }>();
  private readonly codes = new Map<string, { at: number; value: Promise<string> }>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly registered = new Set<string>();
  private readonly unregistered = new Map<string, number>();
  private view: { at: number; value: Promise<{ now: bigint; count: bigint }> } | undefined;
  private pendingCount: { at: number; value: number } | undefined;

  constructor(
    private readonly provider: JsonRpcProvider,
    private readonly ledgerAddress: string,
    private readonly chainId: bigint,
    private readonly domain: TypedDataDomain,
    private readonly queue: RelayQueue,
    private readonly entries: EntryIndex,
    private readonly limits: AdmissionLimits,
    /** Called after each insert; `ready` when the record can go in the next batch. */
    private readonly onQueued: (ready: boolean) => void,
    /** The ReciprocityRegistry whose signed declarations this relayer also sends (none: it refuses them). */
    private readonly registryAddress?: string,
    /** The Directory whose signed profiles this relayer also sends (none: it refuses them). */
    private readonly directoryAddress?: string,
  ) {
    this.ledger = new Contract(ledgerAddress, LEDGER_ABI, provider);
  }

  /** Checks one signed message (a record, a validation, a declaration or a grant) and queues it; returns its state. Idempotent by digest. */
  async accept(value: unknown): Promise<Accepted> {
    const type = (value as { type?: unknown } | null)?.type;
    if (typeof type === "string" && CONTRACT_MESSAGE_TYPES.includes(type)) return this.acceptRegistryMessage(value, type === SIGNED_PROFILE_TYPE);
    const p = signedKind(value) === "validation" ? this.parseValidation(value) : this.parse(value);
    const known = this.queue.get(p.digest);
    // A failed record may be posted again (with another signature, say): it is checked afresh.
    if (known && known.state !== "failed") return { status: 200, body: view(known) };
    const { now, count } = await this.chainView();
    if (p.record) {
      try {
        checkRecord(p.record, { now, nextId: count + 1n, allowCorrection: p.record.corrects !== 0n });
      } catch (error) {
        throw explainCheck(error, p.record, now);
      }
    } else await this.checkValidation(p, p.validation!, now, count);
    refuseLongSignature("signature", p.signature);
    if (p.counterpartySignature !== undefined) refuseLongSignature("counterpartySignature", p.counterpartySignature);

    const keyText = p.key.toString();
    const { value: sequence, at: sequenceAt } = this.sequence(p.agent, p.key);
    const chainSeq = await sequence;
    // The lane's next sequence may be ahead of a cached nonce: it moves when this relayer records.
    const next = maxOf(chainSeq, this.queue.lane(p.agent, keyText)?.nextSeq ?? 0n);
    if (p.seq < next) return this.refuseUsed(p, next, sequenceAt);
    const held = this.queue.contiguousFrom(p.agent, keyText, next, this.limits.maxPendingPerSigner);
    if (p.seq >= next + BigInt(held + this.limits.gapWindow)) {
      const holding = held > 0 ? `, this relayer holds sequences ${next} to ${next + BigInt(held) - 1n}` : "";
      throw new Refusal(
        409,
        `nonce: sequence ${p.seq} of ${p.agent}${keyLabel(p.key)} is too far ahead (the ledger expects ${next} next${holding}); this relayer queues at most ${this.limits.gapWindow - 1} sequences beyond those, so send the missing ones first`,
      );
    }
    if (p.record && p.record.corrects !== 0n) await this.checkCorrection(p);
    const wallet = await this.checkSignature(p);
    // After the signature: a forged record costs no lookup; a signed one already cost a nonce read.
    if (p.record && !(await this.commonsExists(p.record.commons)))
      throw new Refusal(
        400,
        `commons: ${p.record.commons} is not registered on this ledger (${this.ledgerAddress}); check the id (commons list shows the registered ones). The Ledger would record it, but no view counts an entry of an unregistered commons`,
      );
    if (p.counterpartySignature !== undefined) await this.checkCounterpartySignature(p.record!, p.digest, p.counterpartySignature);
    if (p.answer) {
      // An answer is no vote: no role, no mark of the validator; the entry takes one answer.
      const answered = await this.rpc(`the answer to entry ${p.validation!.entryId}`, () => this.entries.answerOnChain(p.validation!.entryId));
      if (answered) throw alreadyAnswered(p.validation!.entryId, answered);
    } else if (p.validation) {
      if (await this.rpc("the entry's validations", () => this.ledger.hasValidated(p.validation!.entryId, p.agent)))
        throw new Refusal(409, `${p.agent} has already validated entry ${p.validation.entryId}; a validator gives one verdict per entry`);
      if (!this.limits.relayEndorsements) await this.refuseEndorsement(p.agent, p.validation.entryId);
    }

    // From here to the insert nothing awaits: no other request's checks run in between.
    const again = this.queue.get(p.digest);
    if (again && again.state !== "failed") return { status: 200, body: view(again) };
    const clash = this.queue.pendingWithNonce(p.agent, keyText, p.seq);
    if (clash) throw new Refusal(409, `another record or validation (${clash.digest}) with the same nonce is already queued`);
    if (p.record && p.record.corrects !== 0n) {
      const rival = this.queue.pendingCorrection(p.record.corrects);
      if (rival) throw new Refusal(409, `corrects: a correction of entry ${p.record.corrects} (${rival.digest}) is already queued`);
    }
    if (p.answer) {
      const rival = this.queue.pendingAnswer(p.validation!.entryId);
      if (rival) throw new Refusal(409, `an answer to entry ${p.validation!.entryId} (${rival.digest}) is already queued; an answer is final`);
    } else if (p.validation) {
      const rival = this.queue.pendingValidation(p.agent, p.validation.entryId);
      if (rival) throw new Refusal(409, `a validation of entry ${p.validation.entryId} by ${p.agent} (${rival.digest}) is already queued`);
    }
    const pendingOfAgent = this.queue.pendingOf(p.agent);
    if (pendingOfAgent >= this.limits.maxPendingPerSigner) {
      throw new Refusal(
        429,
        `${p.agent} already has ${pendingOfAgent} records waiting at this relayer (at most ${this.limits.maxPendingPerSigner}); send more once some are recorded`,
      );
    }
    if (this.pendingTotal() >= this.limits.maxPending)
      throw new Refusal(503, `this relayer's queue is full (${this.limits.maxPending.toLocaleString("en-US")} records waiting); retry later`);
    // Only new work counts against the signer's allowance: not replays (answered above), not
    // records with a bad signature (anyone could post those in its name).
    this.checkBudgets(p.agent, pendingOfAgent);
    if (this.rateLimited(p.agent)) throw new Refusal(429, `too many records from ${p.agent}; slow down`);
    const body = JSON.stringify(
      p.record ? toSignedJson(this.domain, p.record, p.signature, p.counterpartySignature) : toSignedValidationJson(this.domain, p.validation!, p.signature),
    );
    let inserted = false;
    this.queue.transaction(() => {
      inserted = this.queue.enqueue({
        digest: p.digest,
        agent: p.agent,
        nonceKey: keyText,
        nonceSeq: p.seq,
        corrects: p.record?.corrects ?? 0n,
        validates: p.validation?.entryId ?? 0n,
        // A co-signed record carries its counterparty's answer too: it is sent alone, with recordConfirmed.
        answer: p.answer === true || p.counterpartySignature !== undefined,
        wallet,
        deadline: p.record?.deadline ?? p.validation!.deadline,
        body,
      });
      if (inserted) this.queue.setLane(p.agent, keyText, chainSeq);
    });
    if (!inserted) throw new Refusal(409, "another pending record or validation holds the same nonce, corrects the same entry, validates it or answers it");
    this.pendingCount = undefined;
    this.onQueued(p.seq < next + BigInt(held) + 1n);
    return { status: 202, body: view(this.queue.get(p.digest)!) };
  }

  /**
   * A signed message for the ReciprocityRegistry (a licensee's declaration, a licensor's grant):
   * its shape, chain and registry, its deadline, a declaration's EOA signature (checked here), then
   * the registry's own rules by calling it as the relayer's transaction would (a refusal is the
   * registry's sentence; a grant's signature is checked there, against the work's licensor); one
   * pending declaration per licensee and work; the signer's rate.
   */
  private async acceptRegistryMessage(value: unknown, forDirectory: boolean): Promise<Accepted> {
    const contract = forDirectory ? this.directoryAddress : this.registryAddress;
    const word = forDirectory ? "directory" : "registry";
    if (!contract)
      throw new Refusal(
        400,
        forDirectory
          ? "this relayer sends no Directory profiles (it was started without a directory)"
          : "this relayer sends no ReciprocityRegistry declarations or grants (it was started without a registry)",
      );
    const m = this.parsed(value, (v) => readRegistryMessage(v)!, word, contract);
    const known = this.queue.getMessage(m.digest);
    if (known && known.state !== "failed") return { status: 200, body: viewMessage(known) };
    const { now } = await this.chainView();
    if (m.deadline < now)
      throw new Refusal(400, `deadline: the signature expired at ${when(m.deadline)} (the chain's time is ${when(now)}); sign the ${m.kind} again`);
    refuseLongSignature("signature", m.signature);
    if (m.signer) {
      if (this.keys.keys.size > CACHE_ENTRIES) this.keys = new EoaKeyCache();
      const eoa = checkEoaSignatures([{ digest: m.digest, signature: m.signature, agent: m.signer }], this.keys)[0];
      if (!eoa && (await this.code(m.signer)) === "0x") {
        const problem = eoaFormProblem(m.signature);
        const who = forDirectory ? "agent" : "licensee";
        throw new Refusal(400, problem ? `${problem} (the ${who} ${m.signer} is not a contract)` : `the signature is not valid for the ${who} ${m.signer}`);
      }
    }
    let signer = m.signer;
    if (m.settles !== undefined) {
      // A settlement order is signed by its entry's signer: that is whose rate it counts against.
      const { count } = await this.chainView(true);
      if (m.settles > count) throw new Refusal(400, `entry ${m.settles} does not exist (the ledger has ${count} entries)`);
      await this.entries.refresh(0);
      signer = this.entries.agentOf(m.settles);
      if (signer === undefined) throw new Refusal(503, `entry ${m.settles} is not in what this relayer has read of the ledger yet; retry in a moment`);
    }
    const data = messageCalldata(m, await this.rpc(`the proofs of entry ${m.settles}`, () => this.callArgs(m)));
    try {
      await this.provider.call({ to: contract, data });
    } catch (error) {
      const { kind, reason } = classifyRpcError(error);
      if (kind === "transient") throw new Refusal(503, `the relayer could not ask the ${word} now (${reason}); retry`);
      // A used nonce is a conflict (409, as for records); any other rule a bad request (400).
      const data = (error as { data?: unknown }).data;
      const abi = forDirectory ? directoryInterface() : reciprocityInterface();
      const name = typeof data === "string" && data.length >= 10 ? abi.parseError(data)?.name : undefined;
      throw new Refusal(name !== undefined && /Nonce/.test(name) ? 409 : 400, `the ${word} would refuse it: ${revertSentence(error) ?? reason}`);
    }
    signer ??= m.domain.verifyingContract as string; // a grant's rate is counted per registry: its licensor is not named in it
    const again = this.queue.getMessage(m.digest);
    if (again && again.state !== "failed") return { status: 200, body: viewMessage(again) };
    const rival = this.queue.pendingMessage(m.scope);
    if (rival) throw new Refusal(409, `another ${m.kind} (${rival.digest}) holds its place in the queue; send the next once it is recorded`);
    if (this.pendingTotal() >= this.limits.maxPending)
      throw new Refusal(503, `this relayer's queue is full (${this.limits.maxPending.toLocaleString("en-US")} records waiting); retry later`);
    this.checkBudgets(signer, this.queue.pendingOf(signer));
    if (this.rateLimited(signer)) throw new Refusal(429, `too many messages from ${signer}; slow down`);
    if (!this.queue.enqueueMessage({ digest: m.digest, kind: m.kind, signer, scope: m.scope, deadline: m.deadline, body: JSON.stringify(m.json) }))
      throw new Refusal(409, `another pending ${m.kind} holds the same place`);
    this.pendingCount = undefined;
    this.onQueued(true);
    return { status: 202, body: viewMessage(this.queue.getMessage(m.digest)!) };
  }

  /** A registry message's call arguments, a settlement's with its entry's proofs as of now. */
  private callArgs(m: RegistryMessage): Promise<unknown[]> {
    return registryCallArgs(m, (entryId) => settlementProofsOf(this.provider, this.registryAddress!, this.entries, entryId));
  }

  // ---------------------------------------------------------------- the checks

  /** Parses a signed message with `read` (its errors are 400s) and checks it is for this chain and `contract` (the Ledger, or the registry). */
  private parsed<T extends { domain: TypedDataDomain }>(value: unknown, read: (v: unknown) => T, name = "ledger", contract = this.ledgerAddress): T {
    let parsed: T;
    try {
      parsed = read(value);
    } catch (error) {
      throw new Refusal(400, (error as Error).message);
    }
    if (BigInt(parsed.domain.chainId!) !== this.chainId)
      throw new Refusal(400, `signed for chain ${parsed.domain.chainId}; this relayer serves chain ${this.chainId}`);
    if (String(parsed.domain.verifyingContract).toLowerCase() !== contract.toLowerCase())
      throw new Refusal(400, `signed for ${name} ${parsed.domain.verifyingContract}; this relayer serves ${contract}`);
    return parsed;
  }

  private parse(value: unknown): Parsed {
    const parsed = this.parsed(value, fromSignedJson);
    const r = parsed.record;
    const agent = agentOf(r);
    // fromSignedJson checked a given digest against the record in the record's domain, which is
    // now known to be ours: no need to hash it again.
    const given = (value as { digest?: unknown }).digest;
    const digest = typeof given === "string" ? given.toLowerCase() : recordDigest(this.domain, r);
    const cosig = parsed.counterpartySignature;
    if (cosig !== undefined && r.corrects !== 0n)
      throw new Refusal(
        400,
        `counterpartySignature: a correction cannot be co-signed (the Ledger's recordConfirmed takes new records only); relay the correction alone and let the receiver confirm it (commons confirm)`,
      );
    return {
      record: r,
      signature: parsed.signature,
      ...(cosig !== undefined ? { counterpartySignature: cosig } : {}),
      digest,
      agent,
      key: r.nonce >> 64n,
      seq: r.nonce & LIMITS.maxUint64,
    };
  }

  private parseValidation(value: unknown): Parsed {
    const parsed = this.parsed(value, fromSignedValidationJson);
    const v = parsed.validation;
    const given = (value as { digest?: unknown }).digest;
    const digest = typeof given === "string" ? given.toLowerCase() : validationDigest(this.domain, v);
    return {
      validation: v,
      answer: isAnswer(v.verdict),
      signature: parsed.signature,
      digest,
      agent: v.validator,
      key: v.nonce >> 64n,
      seq: v.nonce & LIMITS.maxUint64,
    };
  }

  /**
   * What the Ledger checks of a validation before its signature: the deadline, the entry exists,
   * is not the validator's own and is not corrected (a correction replaces it). For an answer,
   * instead of the validator's own: see `checkAnswer`.
   */
  private async checkValidation(p: Parsed, v: LedgerValidation, now: bigint, count: bigint): Promise<void> {
    if (v.deadline < now)
      throw new Refusal(
        400,
        `deadline: the signature expired at ${when(v.deadline)} (the chain's time is ${when(now)}); sign the ${p.answer ? "answer" : "validation"} again`,
      );
    if (v.deadline > now + BigInt(LIMITS.maxValiditySeconds))
      throw new Refusal(400, `deadline: ${when(v.deadline)} is more than 30 days after the chain's time ${when(now)}`);
    // The shared view may be up to CHAIN_VIEW_MS old: an entry recorded since is looked for afresh.
    if (v.entryId > count) count = (await this.chainView(true)).count;
    if (v.entryId > count) throw new Refusal(400, `entry ${v.entryId} does not exist (the ledger has ${count} entries)`);
    await this.entries.refresh();
    if (BigInt(this.entries.count) < v.entryId) await this.entries.refresh(0);
    const owner = this.entries.agentOf(v.entryId);
    if (owner === undefined) throw new Refusal(503, `entry ${v.entryId} is not in what this relayer has read of the ledger yet; retry in a moment`);
    if (!p.answer && owner.toLowerCase() === p.agent.toLowerCase())
      throw new Refusal(403, `${p.agent} recorded entry ${v.entryId}; nobody validates their own entry`);
    const by = this.entries.correctionOf(v.entryId);
    if (by !== undefined) throw new Refusal(409, `entry ${v.entryId} was corrected by entry ${by}; ${p.answer ? "answer" : "validate"} that one instead`);
    if (p.answer) await this.checkAnswer(p, v);
  }

  /**
   * What the Ledger checks of a counterparty's answer before its nonce and signature, in its order:
   * the entry's record names a counterparty, the signer is that counterparty, and it has not
   * answered yet (as far as the entry index has read: the chain is asked after the signature).
   * Besides, the entry's commons must be registered: the Ledger anchors no entry of another, and
   * an answer needs its entry anchored.
   */
  private async checkAnswer(p: Parsed, v: LedgerValidation): Promise<void> {
    const record = await this.rpc(`entry ${v.entryId}`, () => this.entries.record(v.entryId));
    const counterparty = counterpartyOf(record);
    if (counterparty === null)
      throw new Refusal(400, `entry ${v.entryId} names no counterparty (${noCounterpartyReason(record)}), so nobody can confirm or refuse it`);
    if (counterparty.toLowerCase() !== p.agent.toLowerCase())
      throw new Refusal(
        403,
        `entry ${v.entryId} names ${counterparty} as its counterparty, not ${p.agent}; only the other agent a record names can confirm or refuse it`,
      );
    const answered = this.entries.answerOf(v.entryId);
    if (answered) throw alreadyAnswered(v.entryId, answered);
    if (!(await this.commonsExists(record.commons)))
      throw new Refusal(
        400,
        `entry ${v.entryId}'s commons ${record.commons} is not registered on this ledger, so the Ledger cannot anchor the entry, and takes no answer to it`,
      );
  }

  /** Refuses (403) a validation that would only be an endorsement: its validator is not appointed for the entry's action in its commons. */
  private async refuseEndorsement(validator: string, entryId: bigint): Promise<void> {
    const record = await this.rpc(`entry ${entryId}`, () => this.entries.record(entryId));
    const roles = BigInt(await this.rpc("the validator's roles", () => this.ledger.rolesOf(record.commons, validator)));
    const appointed = ((roles >> BigInt(record.action)) & 1n) === 1n;
    if (!appointed)
      throw new Refusal(
        403,
        `${validator} is not appointed to validate ${ACTIONS[record.action] ?? record.action} in entry ${entryId}'s commons, so its verdict would be an endorsement that counts nowhere; ` +
          "this relayer pays only for verdicts that count: send it yourself (commons validate without --relayer), or ask the commons' stewards to appoint you",
      );
  }

  /**
   * The nonce is used: a replay of a recorded record, or another record took the nonce. The entry
   * index is read up to now only if it may not hold the entry that used the nonce yet (it was
   * last read before the nonce was), so that a flood of used nonces costs no read each.
   */
  private async refuseUsed(p: Parsed, chainSeq: bigint, sequenceAt: number): Promise<never> {
    if (!p.record) {
      const v = p.validation!;
      if (p.answer) {
        const answered = await this.rpc(`the answer to entry ${v.entryId}`, () => this.entries.answerOnChain(v.entryId));
        if (answered && answered.counterparty.toLowerCase() === p.agent.toLowerCase())
          throw new Refusal(409, `already recorded: ${p.agent} has ${answered.verdict === "confirm" ? "confirmed" : "refused"} entry ${v.entryId}`);
      } else if (await this.rpc("the entry's validations", () => this.ledger.hasValidated(v.entryId, p.agent)))
        throw new Refusal(409, `already recorded: ${p.agent} has validated entry ${v.entryId}`);
      throw new Refusal(
        409,
        `nonce ${v.nonce} of ${p.agent} is already used (the ledger expects ${(p.key << 64n) | chainSeq} next); sign the ${p.answer ? "answer" : "validation"} again with that nonce`,
      );
    }
    await this.entries.refresh();
    const recordHash = hashRecord(p.record!);
    if (this.entries.entryOf(recordHash) === undefined && this.entries.knownUntil < sequenceAt) await this.entries.refresh(0);
    const id = this.entries.entryOf(recordHash);
    if (id !== undefined) throw new Refusal(409, `already recorded as entry ${id}`);
    throw new Refusal(
      409,
      `nonce ${p.record!.nonce} of ${p.agent} is already used (the ledger expects ${(p.key << 64n) | chainSeq} next); sign the record again with that nonce`,
    );
  }

  private async checkCorrection(p: Parsed): Promise<void> {
    const target = p.record!.corrects;
    await this.entries.refresh();
    if (BigInt(this.entries.count) < target) await this.entries.refresh(0);
    const owner = this.entries.agentOf(target);
    if (owner === undefined) throw new Refusal(503, `entry ${target} is not in what this relayer has read of the ledger yet; retry in a moment`);
    if (owner.toLowerCase() !== p.agent.toLowerCase())
      throw new Refusal(403, `corrects: entry ${target} was recorded by ${owner}; only its agent can correct it, not ${p.agent}`);
    const by = this.entries.correctionOf(target);
    if (by !== undefined) throw new Refusal(409, `corrects: entry ${target} was already corrected by entry ${by}; correct that one instead`);
  }

  /**
   * The signature, as the Ledger checks it: ecrecover with 65 bytes, v 27 or 28 and a low s; else,
   * if the agent has code, ERC-1271 isValidSignature called as the Ledger calls it (from the
   * Ledger, with ERC1271_GAS, the magic value in a 32-byte word). Returns whether the wallet
   * path accepted it.
   */
  private async checkSignature(p: Parsed): Promise<boolean> {
    if (this.keys.keys.size > CACHE_ENTRIES) this.keys = new EoaKeyCache();
    if (checkEoaSignatures([{ digest: p.digest, signature: p.signature, agent: p.agent }], this.keys)[0]) return false;
    const code = await this.code(p.agent);
    if (code === "0x") {
      const problem = eoaFormProblem(p.signature);
      throw new Refusal(
        400,
        problem ? `${problem} (the record's agent ${p.agent} is not a contract)` : `the signature is not valid for the record's agent ${p.agent}`,
      );
    }
    if (!(await this.walletAccepts(p.agent, p.digest, p.signature))) {
      throw new Refusal(
        400,
        `the signature is not valid for the record's agent ${p.agent}: the wallet contract did not return the ERC-1271 magic value when called as the Ledger calls it (with ${ERC1271_GAS.toLocaleString("en-US")} gas)`,
      );
    }
    return true;
  }

  /**
   * A co-signed record's second signature, checked as `recordConfirmed` checks it: the record
   * names a counterparty (its receiver), and that counterparty signed the record's own digest, as
   * an EOA or through its ERC-1271 wallet.
   */
  private async checkCounterpartySignature(record: LedgerRecord, digest: string, signature: string): Promise<void> {
    const counterparty = counterpartyOf(record);
    if (counterparty === null)
      throw new Refusal(400, `counterpartySignature: the record names no counterparty (${noCounterpartyReason(record)}), so nobody can co-sign it`);
    if (checkEoaSignatures([{ digest, signature, agent: counterparty }], this.keys)[0]) return;
    if ((await this.code(counterparty)) === "0x") {
      const problem = eoaFormProblem(signature);
      throw new Refusal(
        400,
        `counterpartySignature: ${problem ?? `it is not the signature of the record's receiver ${counterparty}`}; only the receiver a record names can co-sign it`,
      );
    }
    if (!(await this.walletAccepts(counterparty, digest, signature)))
      throw new Refusal(
        400,
        `counterpartySignature: the receiver's wallet ${counterparty} did not return the ERC-1271 magic value when called as the Ledger calls it (with ${ERC1271_GAS.toLocaleString("en-US")} gas)`,
      );
  }

  private async walletAccepts(agent: string, digest: string, signature: string): Promise<boolean> {
    const data = ERC1271.encodeFunctionData("isValidSignature", [digest, signature]);
    // The call's own gas (21,000 and the calldata) on top of what the Ledger gives the wallet; at
    // least the EIP-7623 calldata floor (never binding up to MAX_SIGNATURE_BYTES).
    let zeros = 0;
    for (let i = 2; i < data.length; i += 2) if (data[i] === "0" && data[i + 1] === "0") zeros++;
    const nonZeros = (data.length - 2) / 2 - zeros;
    const standard = 21_000n + BigInt(4 * zeros + 16 * nonZeros) + ERC1271_GAS;
    const floor = 21_000n + BigInt(10 * (zeros + 4 * nonZeros));
    try {
      const out = await this.provider.call({ from: this.ledgerAddress, to: agent, data, gasLimit: standard > floor ? standard : floor });
      return out.length >= 66 && out.slice(0, 66).toLowerCase() === ERC1271_MAGIC_WORD;
    } catch (error) {
      const { kind, reason } = classifyRpcError(error);
      if (kind === "transient") throw new Refusal(503, `the relayer could not ask the wallet ${agent} now (${reason}); retry`);
      return false; // reverted, out of gas: not valid
    }
  }

  // ---------------------------------------------------------------- chain views, shared briefly

  /**
   * The next block's time and the entry count, shared by the checks of concurrent requests for up
   * to CHAIN_VIEW_MS instead of two RPC calls per request. Both only grow: an older view is never
   * more lenient on links, and on deadlines by at most CHAIN_VIEW_MS.
   */
  private chainView(fresh = false): Promise<{ now: bigint; count: bigint }> {
    if (!fresh && this.view && Date.now() - this.view.at < CHAIN_VIEW_MS) return this.view.value;
    const value = this.rpc("the chain's time and tip", () =>
      Promise.all([this.provider.getBlock("latest"), this.ledger.tip() as Promise<[bigint, string]>]).then(([block, [count]]) => ({
        now: nextBlockTime(BigInt(block!.timestamp)),
        count,
      })),
    );
    const entry = { at: Date.now(), value };
    this.view = entry;
    value.catch(() => {
      if (this.view === entry) this.view = undefined;
    });
    return value;
  }

  /** The ledger's next sequence for (agent, key) and when it was asked, shared for NONCE_CACHE_MS (it only grows). */
  private sequence(agent: string, key: bigint): { at: number; value: Promise<bigint> } {
    const k = `${agent}:${key}`;
    const hit = this.sequences.get(k);
    if (hit && Date.now() - hit.at < NONCE_CACHE_MS) return hit;
    if (this.sequences.size > CACHE_ENTRIES) this.sequences.clear();
    const entry = {
      at: Date.now(),
      value: this.rpc(`the nonce of ${agent}`, async () => ((await this.ledger.nonces(agent, key)) as bigint) & LIMITS.maxUint64),
    };
    this.sequences.set(k, entry);
    entry.value.catch(() => this.sequences.delete(k));
    return entry;
  }

  /**
   * Whether the commons is registered: a registered one stays so (its last steward cannot leave),
   * so a yes is kept for good; a no is asked again after CHAIN_VIEW_MS.
   */
  private async commonsExists(commons: string): Promise<boolean> {
    if (this.registered.has(commons)) return true;
    const hit = this.unregistered.get(commons);
    if (hit !== undefined && Date.now() - hit < CHAIN_VIEW_MS) return false;
    const exists = (await this.rpc(`whether commons ${commons} is registered`, () => this.ledger.commonsExists(commons))) as boolean;
    if (this.registered.size > CACHE_ENTRIES) this.registered.clear();
    if (this.unregistered.size > CACHE_ENTRIES) this.unregistered.clear();
    if (exists) this.registered.add(commons);
    else this.unregistered.set(commons, Date.now());
    return exists;
  }

  /** The agent's code, shared for CODE_CACHE_MS (a forged signature costs no lookup each). */
  private code(agent: string): Promise<string> {
    const hit = this.codes.get(agent);
    if (hit && Date.now() - hit.at < CODE_CACHE_MS) return hit.value;
    if (this.codes.size > CACHE_ENTRIES) this.codes.clear();
    const entry = { at: Date.now(), value: this.rpc(`eth_getCode ${agent}`, () => this.provider.getCode(agent)) };
    this.codes.set(agent, entry);
    entry.value.catch(() => this.codes.delete(agent));
    return entry.value;
  }

  private pendingTotal(): number {
    if (!this.pendingCount || Date.now() - this.pendingCount.at > 1_000) {
      const c = this.queue.counts();
      this.pendingCount = { at: Date.now(), value: c.queued + c.sending };
    }
    return this.pendingCount.value;
  }

  /** Refuses a message when today's gas budget of its signer (429) or of this relayer (503) is used up, counting what waits. */
  private checkBudgets(signer: string, pendingOfSigner: number): void {
    const { dailyGasPerSigner, dailyGas } = this.limits;
    if (dailyGasPerSigner === 0n && dailyGas === 0n) return;
    const now = Date.now();
    const day = utcDay(now);
    const renews = `it renews at 00:00 UTC, in ${durationWords(DAY_MS - (now % DAY_MS))}`;
    const waiting = (n: number) => (n > 0 ? `, and ${n.toLocaleString("en-US")} message${n === 1 ? "" : "s"} waiting` : "");
    if (dailyGasPerSigner > 0n) {
      const spent = this.queue.spent(day, signer);
      if (spent + BigInt(pendingOfSigner) * PENDING_GAS >= dailyGasPerSigner)
        throw new Refusal(
          429,
          `${signer} has used its daily allowance at this relayer (${gas(spent)} of ${gas(dailyGasPerSigner)} gas paid since 00:00 UTC${waiting(pendingOfSigner)}); ${renews}; meanwhile send it with a key that pays its own gas`,
        );
    }
    if (dailyGas > 0n) {
      const pending = this.pendingTotal();
      const spent = this.queue.spent(day);
      if (spent + BigInt(pending) * PENDING_GAS >= dailyGas)
        throw new Refusal(
          503,
          `this relayer has spent its gas budget for the day (${gas(spent)} of ${gas(dailyGas)} gas since 00:00 UTC${waiting(pending)}); ${renews}; retry then, or send it with a key that pays its own gas`,
        );
    }
  }

  private rateLimited(agent: string): boolean {
    const { ratePerSecond: rate, burst } = this.limits;
    const now = Date.now();
    if (this.buckets.size > CACHE_ENTRIES) {
      // Full buckets carry no information: drop them.
      for (const [a, b] of this.buckets) if (b.tokens + ((now - b.at) / 1000) * rate >= burst) this.buckets.delete(a);
    }
    const b = this.buckets.get(agent) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    this.buckets.set(agent, b);
    if (b.tokens < 1) return true;
    b.tokens -= 1;
    return false;
  }

  /** An RPC call whose failure is a 503 (the node, not the record). */
  private async rpc<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof Refusal || error instanceof RecordInputError) throw error;
      throw new Refusal(503, `the relayer could not read ${what} now (${classifyRpcError(error).reason}); retry`);
    }
  }
}

const maxOf = (a: bigint, b: bigint) => (a > b ? a : b);
/** 409: the entry's counterparty answered it already (an answer is final). */
const alreadyAnswered = (entryId: bigint, a: { counterparty: string; verdict: string }) =>
  new Refusal(409, `${a.counterparty} has already ${a.verdict === "confirm" ? "confirmed" : "refused"} entry ${entryId}; an answer is final`);
const keyLabel = (key: bigint) => (key === 0n ? "" : ` (nonce key ${key})`);
