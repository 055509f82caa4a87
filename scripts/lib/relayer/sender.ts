// The send loop's rounds: what goes next, how it is sent, and what became of it.
//
// Fair: each round reads only records that can go now (their lane's next sequence and the gap-free
// run after it), and fills the batch round-robin across agents, the least recently served agent
// first, so that no signer's backlog delays another signer by more than a round. Bounded: a batch
// stays under a calldata budget measured on the real encoding (and its signed transaction under
// 128 KiB), and under a number of wallet items. Safe against wallets that change their answer
// between the estimate and the execution: the gas limit covers every wallet item turning valid
// (ERC1271_GAS plus recording it); a batch that still fails is split (wallet items apart from the
// others, else in halves) and the parts sent at once. A send that fails without a revert is retried
// with backoff a bounded number of times, then the record fails with the reason.
//
// Nothing it does may record a record twice: before anything is sent again, the nonce tells
// whether it was consumed, and the entry index by which entry.
import { toBeHex, zeroPadValue } from "ethers";
import type { FeeData, JsonRpcProvider, TransactionReceipt, Wallet } from "ethers";
import { LEDGER_TOPICS } from "../core/abi.js";
import { classifyRpcError, describeRevert, ledgerInterface, toRecord } from "../core/reader.js";
import { fromSignedJson, fromSignedValidationJson, hashRecord } from "../core/record.js";
import type { LedgerRecord, LedgerValidation } from "../core/record.js";
import { LIMITS } from "../core/vocabulary.js";
import { explainRevertData, revertSentence } from "../core/contract-errors.js";
import { reciprocityInterface } from "../core/registry-abi.js";
import { messageCalldata, readRegistryMessage, RECORDED_BY, registryCallArgs } from "../core/registry-messages.js";
import { directoryInterface } from "../core/directory-abi.js";
import { ERC1271_GAS, settlementProofsOf, when } from "./admission.js";
import type { EntryIndex } from "./entries.js";
import type { QueuedMessage, QueuedRecord, RelayQueue } from "./queue.js";
import { utcDay } from "../core/time.js";

/** The usual transaction-pool limit on a signed transaction (geth's txMaxSize). */
export const MAX_TX_BYTES = 128 * 1024;
/** What a signed transaction adds around its calldata (type, nonce, fees, gas, to, value, signature: ~120 bytes), with room to spare. */
const ENVELOPE_BYTES = 1_024;
/** The calldata budget of a batch: what fits in MAX_TX_BYTES with the envelope. */
export const MAX_CALLDATA_BYTES = MAX_TX_BYTES - ENVELOPE_BYTES;
/** Calldata of recordBatch besides its items: selector, two offsets, two lengths. */
const BATCH_HEAD_BYTES = 4 + 4 * 32;
/** Extra gas a batch item may need when its wallet turns from invalid (skipped) to valid: the wallet's whole allowance, the nonce slot, the Recorded event and a checkpoint. */
export const WALLET_FLIP_GAS = ERC1271_GAS + 60_000n;
/** Margin on every estimate: a tenth, plus this. */
const BASE_MARGIN_GAS = 25_000n;
/** Corrections and co-signed records per round: each goes alone, in its own transaction. */
const ALONE_PER_ROUND = 2;
/** Signed validations per round: they go together in one validateBatch (with the range proofs of entries not anchored yet, or answered). */
const VALIDATIONS_PER_ROUND = 50;
const LANE_RECHECK_MS = 10_000;
const LANES_PER_ROUND = 32;
const OVERTAKEN_PER_ROUND = 64;
const MAX_SPLIT_DEPTH = 8;
/** A round longer than this is logged with its stages. */
const SLOW_ROUND_MS = 1_000;
/** Registry messages sent per round, one transaction each. */
const MESSAGES_PER_ROUND = 4;
/** Selectors of the ValidationSkipped reasons the relayer resolves against the chain rather than fails. */
const NONCE_ERROR = ledgerInterface().getError("LedgerInvalidNonce")!.selector;
const NOT_ANCHORED_ERROR = ledgerInterface().getError("LedgerEntryNotAnchored")!.selector;
/** Why the Ledger anchors no entry given in full: its commons is not registered. */
const NOT_ANCHORED_GIVEN =
  "its record was given in full, so its commons is not registered on this ledger (the Ledger anchors no entry of an unregistered commons)";
/** Stands in for the record of a validation item (which carries `validation` instead). */
const NO_RECORD = {} as LedgerRecord;
/** The events that record a queued validation: Validated or Endorsed for a peer's verdict, CounterpartyAnswered for an answer. */
const topicsOf = (q: Pick<QueuedRecord, "answer">): string[] =>
  q.answer ? [LEDGER_TOPICS.CounterpartyAnswered] : [LEDGER_TOPICS.Validated, LEDGER_TOPICS.Endorsed];
/** Whether a log's topics are the event that records `q` (a signed validation): of its entry, by its signer. */
const isValidationLog = (topics: readonly string[], q: Pick<QueuedRecord, "answer" | "validates" | "agent">) =>
  topicsOf(q).includes(topics[0]) && BigInt(topics[1]) === q.validates && topics[2].toLowerCase() === zeroPadValue(q.agent, 32).toLowerCase();

export interface SenderOptions {
  /** Records per transaction (at most LIMITS.maxBatch). */
  batchSize: number;
  /** Largest calldata of a batch, in bytes. */
  maxCalldataBytes: number;
  /** Largest gas limit of a batch (a batch over it is split). */
  maxBatchGas: bigint;
  /** Wallet (ERC-1271) items per batch. */
  maxWalletItems: number;
  /** Transactions that may carry one record before it fails. */
  maxAttempts: number;
  /** First delay before a record is sent again after a failed send (doubling after each). */
  retryBaseMs: number;
  /** How long to wait for a transaction to be mined before leaving it to the next round. */
  txTimeoutMs: number;
  /** The ReciprocityRegistry the queued declarations, grants and settlement orders go to. */
  registry?: string;
  /** The Directory the queued profiles go to. */
  directory?: string;
  log: (line: string) => void;
}

/** A queued message ready to send: a record, or a signed validation or answer (`validation`; in a validateBatch, or alone like a correction). */
type Item = QueuedRecord & { record: LedgerRecord; validation?: LedgerValidation; signature: string; counterpartySignature?: string };
type Plan = { estimate: bigint; nonce: number; fees: FeeData };
type Outcome = "recorded" | "failed" | "requeued" | "pending";

/** A transaction's gas limit: the estimate, 10 % and a base margin, and room for each wallet item to change its answer. */
const gasLimitFor = (plan: Plan, items: readonly Item[]) =>
  plan.estimate + plan.estimate / 10n + BASE_MARGIN_GAS + BigInt(items.filter((i) => i.wallet).length) * WALLET_FLIP_GAS;

/** recordBatch's calldata for items with these signatures (the ABI encoding's size, exactly). */
export function batchCalldataBytes(signatureBytes: readonly number[]): number {
  return BATCH_HEAD_BYTES + signatureBytes.reduce((sum, n) => sum + itemBytes(n), 0);
}

/** One item of recordBatch: the record (17 words), the signature's offset and length words, the signature padded to words. */
const itemBytes = (signatureBytes: number) => 17 * 32 + 2 * 32 + Math.ceil(signatureBytes / 32) * 32;
const signatureBytes = (q: QueuedRecord) => (JSON.parse(q.body).signature.length - 2) / 2;
const keyLabel = (key: string) => (key === "0" ? "" : ` (nonce key ${key})`);
const revertData = (error: unknown): string | undefined => {
  const data = (error as { data?: unknown }).data;
  return typeof data === "string" && data.length >= 10 ? data : undefined;
};

export class Sender {
  /** Round in which each agent last had a record sent (fewer, earlier: served first). */
  private readonly served = new Map<string, number>();
  private round = 0;

  constructor(
    private readonly provider: JsonRpcProvider,
    private readonly wallet: Wallet,
    private readonly ledger: string,
    private readonly fromBlock: number,
    private readonly queue: RelayQueue,
    private readonly entries: EntryIndex,
    private readonly opts: SenderOptions,
  ) {}

  /** Resolves the records (and registry messages) an earlier round or process left as sending. */
  async resolveSending(): Promise<void> {
    if (this.opts.registry || this.opts.directory)
      await this.resolveSendingMessages().catch((error: Error) =>
        this.opts.log(`relayer: could not resolve the declarations being sent yet: ${error.message.split("\n")[0]}`),
      );
    for (const q of this.queue.byState("sending", 1_000)) {
      try {
        await this.resolve(q);
      } catch (error) {
        this.opts.log(`relayer: could not resolve ${q.digest} yet: ${(error as Error).message.split("\n")[0]}`);
      }
    }
  }

  /** One round; returns how many records it sent, and whether records that could go were left for the next round. */
  async runOnce(): Promise<{ sent: number; more: boolean }> {
    this.round++;
    this.stages = [];
    const t = [performance.now()];
    // Between rounds nothing of this process is in flight: a record still marked as sending was
    // left by an earlier process, or its transaction is pending.
    await this.resolveSending();
    t.push(performance.now());
    const { plain, alone, validations, more } = this.select();
    t.push(performance.now());
    if (plain.length > 0) await this.sendBatch(plain);
    t.push(performance.now());
    if (validations.length > 0) await this.sendValidations(validations);
    for (const c of alone) await this.sendAlone(c);
    const messages = this.opts.registry || this.opts.directory ? this.queue.queuedMessages(Date.now(), MESSAGES_PER_ROUND) : [];
    for (const m of messages) await this.sendMessage(m);
    t.push(performance.now());
    // Housekeeping after the send, so that it never delays what can go now.
    this.expire();
    await this.recheckLanes();
    const overtaken = this.queue.overtaken(OVERTAKEN_PER_ROUND);
    await Promise.all(overtaken.map((q) => this.resolve(q)));
    t.push(performance.now());
    if (t[5] - t[0] > SLOW_ROUND_MS) {
      const ms = (i: number) => (t[i + 1] - t[i]).toFixed(0);
      this.opts.log(
        `relayer: a slow round (${(t[5] - t[0]).toFixed(0)} ms): resolving ${ms(0)} ms, selection ${ms(1)} ms, a batch of ${plain.length} ${ms(2)} ms (${this.stages.join(", ")}), ${alone.length} sent alone ${ms(3)} ms, housekeeping ${ms(4)} ms (${overtaken.length} overtaken)`,
      );
    }
    return { sent: plain.length + alone.length + validations.length + messages.length, more: more || messages.length === MESSAGES_PER_ROUND };
  }

  // ---------------------------------------------------------------- messages for the registry and the directory

  /** Resolves registry messages left as sending: mined (recorded), still pending, or to send again unless the registry now refuses them. */
  async resolveSendingMessages(): Promise<void> {
    for (const m of this.queue.messagesInState("sending", 100)) {
      if (m.txHash) {
        const receipt = await this.provider.getTransactionReceipt(m.txHash);
        if (receipt) {
          this.settleMessage(m, receipt);
          continue;
        }
        const tx = await this.provider.getTransaction(m.txHash);
        if (tx && tx.blockNumber === null) continue; // still pending
      }
      const refusal = await this.messageRefusal(m);
      if (refusal) this.queue.markMessageFailed(m.digest, refusal);
      else this.queue.requeueMessage(m.digest, m.attempts > 0 ? "resent after an interrupted attempt" : undefined);
    }
  }

  /** What the contract says against the message now (a sentence), or undefined if it would take it. */
  private async messageRefusal(m: QueuedMessage): Promise<string | undefined> {
    const { to, data } = await this.messageCall(m);
    try {
      await this.provider.call({ to, data });
      return undefined;
    } catch (error) {
      const revert = revertData(error);
      if (!revert) throw error;
      return `the ${contractWord(m)} refused it: ${revertSentence(error) ?? describeRevert(revert)}`;
    }
  }

  /** The call a queued message makes on the contract it is signed for (a settlement's with its entry's proofs as of the latest block). */
  private async messageCall(m: QueuedMessage): Promise<{ to: string; data: string }> {
    const message = readRegistryMessage(JSON.parse(m.body))!;
    if (message.settles !== undefined) await this.entries.refresh(0);
    const args = await registryCallArgs(message, (entryId) => settlementProofsOf(this.provider, this.opts.registry!, this.entries, entryId));
    return { to: String(message.domain.verifyingContract), data: messageCalldata(message, args) };
  }

  /** One registry message (a declaration, a grant or a settlement order), in a transaction of its own. */
  private async sendMessage(m: QueuedMessage): Promise<void> {
    if (m.deadline < BigInt(Math.floor(Date.now() / 1000))) {
      this.queue.markMessageFailed(m.digest, `its signature expired at ${when(m.deadline)} before it could be sent`);
      return;
    }
    const { to, data } = await this.messageCall(m);
    let plan: Plan;
    try {
      const [estimate, nonce, fees] = await Promise.all([
        this.provider.estimateGas({ from: this.wallet.address, to, data }),
        this.provider.getTransactionCount(this.wallet.address, "pending"),
        this.provider.getFeeData(),
      ]);
      plan = { estimate, nonce, fees };
    } catch (error) {
      const revert = revertData(error);
      if (!revert) throw error;
      this.queue.markMessageFailed(m.digest, `the ${contractWord(m)} refused it: ${revertSentence(error) ?? describeRevert(revert)}`);
      return;
    }
    const { fees } = plan;
    const pricing =
      fees.maxFeePerGas !== null && fees.maxPriorityFeePerGas !== null
        ? { type: 2, maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas }
        : { gasPrice: fees.gasPrice };
    const gasLimit = plan.estimate + plan.estimate / 10n + BASE_MARGIN_GAS + WALLET_FLIP_GAS;
    const signed = await this.wallet.signTransaction(await this.wallet.populateTransaction({ to, data, gasLimit, nonce: plan.nonce, ...pricing }));
    this.queue.markMessageSending(m.digest);
    let hash: string;
    try {
      hash = (await this.provider.broadcastTransaction(signed)).hash;
    } catch (error) {
      const { reason } = classifyRpcError(error);
      this.opts.log(`relayer: a transaction for ${m.kind} ${m.digest} could not be sent: ${reason}`);
      if (m.attempts + 1 >= this.opts.maxAttempts)
        this.queue.markMessageFailed(m.digest, `the relayer gave up after ${m.attempts + 1} attempts to send it; the node said: ${reason}`);
      else this.queue.requeueMessage(m.digest, `sending failed (${reason}); trying again`, Date.now() + this.backoff(m.attempts + 1));
      return;
    }
    this.queue.setMessageTxHash(m.digest, hash);
    const receipt = await this.receipt(hash).catch(() => null);
    if (receipt) this.charge([m.signer], receipt);
    if (receipt) this.settleMessage(this.queue.getMessage(m.digest)!, receipt); // else: resolved next round
  }

  /** A mined message: recorded with the registry's record id (a profile's version), or (reverted) sent again or failed. */
  private settleMessage(m: QueuedMessage, receipt: TransactionReceipt): void {
    const kind = m.kind as keyof typeof RECORDED_BY;
    const contract = kind === "profile" ? this.opts.directory : this.opts.registry;
    const abi = kind === "profile" ? directoryInterface() : reciprocityInterface();
    for (const l of receipt.logs) {
      if (l.address.toLowerCase() !== contract?.toLowerCase()) continue;
      const parsed = abi.parseLog(l);
      if (parsed?.name === RECORDED_BY[kind].event) {
        this.queue.markMessageRecorded(m.digest, parsed.args[RECORDED_BY[kind].id] as bigint, receipt.hash);
        return;
      }
    }
    if (m.attempts >= this.opts.maxAttempts)
      this.queue.markMessageFailed(m.digest, `the relayer gave up after ${m.attempts} transactions that failed at execution; the last was ${receipt.hash}`);
    else this.queue.requeueMessage(m.digest, `its transaction ${receipt.hash} failed at execution; trying again`, Date.now() + this.backoff(m.attempts));
  }

  // ---------------------------------------------------------------- what goes next

  /**
   * The next batch: each lane's gap-free run from its next sequence (up to a correction or a
   * co-signed record, which goes alone, after the batch), taken round-robin across agents in the order they were last
   * served, within the count, calldata and wallet budgets.
   */
  private select(): { plain: Item[]; alone: Item[]; validations: Item[]; more: boolean } {
    const runs = new Map<string, QueuedRecord[][]>(); // agent -> its lanes' runs
    let lane = "";
    let expected = 0n;
    let open = false;
    for (const q of this.queue.candidates(Date.now(), this.opts.batchSize)) {
      const k = `${q.agent}:${q.nonceKey}`;
      if (k !== lane) {
        lane = k;
        expected = q.laneNext;
        open = true;
        const list = runs.get(q.agent) ?? [];
        list.push([]);
        runs.set(q.agent, list);
      }
      if (!open || q.nonceSeq !== expected) {
        open = false;
        continue;
      }
      const run = runs.get(q.agent)!.at(-1)!;
      if (q.corrects !== 0n || q.validates !== 0n || q.answer) {
        open = false; // a correction, a co-signed record or a validation goes alone, and what follows it waits for it
        if (run.length > 0) continue;
      }
      run.push(q);
      expected++;
    }
    const servedAt = new Map<string, number>();
    const oldest = new Map<string, number>();
    for (const [agent, list] of runs) {
      const received = list.flat().map((q) => q.receivedAt);
      if (received.length === 0) continue;
      servedAt.set(agent, this.served.get(agent) ?? -1);
      oldest.set(agent, Math.min(...received));
    }
    const agents = [...servedAt.keys()].sort((a, b) => servedAt.get(a)! - servedAt.get(b)! || oldest.get(a)! - oldest.get(b)!);

    const alone: QueuedRecord[] = [];
    const validations: QueuedRecord[] = [];
    const queues = new Map<string, QueuedRecord[]>();
    let ready = 0;
    for (const agent of agents) {
      const plain: QueuedRecord[] = [];
      for (const run of runs.get(agent)!) {
        if (run.length === 0) continue;
        ready++;
        if (run[0].corrects === 0n && run[0].validates === 0n && !run[0].answer) {
          plain.push(...run);
          ready += run.length - 1;
        } else if (run[0].validates !== 0n) {
          if (validations.length < VALIDATIONS_PER_ROUND) validations.push(run[0]);
        } else if (alone.length < ALONE_PER_ROUND) alone.push(run[0]);
      }
      queues.set(agent, plain);
    }
    const batch: QueuedRecord[] = [];
    let bytes = BATCH_HEAD_BYTES;
    let walletItems = 0;
    const done = new Set<string>();
    for (let pass = 0; batch.length < this.opts.batchSize && done.size < agents.length; pass++) {
      for (const agent of agents) {
        if (batch.length >= this.opts.batchSize) break;
        if (done.has(agent)) continue;
        const q = queues.get(agent)![pass];
        const size = q ? itemBytes(signatureBytes(q)) : 0;
        // An item that does not fit ends its agent's turn (its lane's later sequences must follow it).
        if (!q || bytes + size > this.opts.maxCalldataBytes || (q.wallet && walletItems >= this.opts.maxWalletItems)) {
          done.add(agent);
          continue;
        }
        batch.push(q);
        bytes += size;
        if (q.wallet) walletItems++;
      }
    }
    for (const q of [...batch, ...alone, ...validations]) this.served.set(q.agent, this.round);
    if (this.served.size > 10_000) for (const [a, r] of this.served) if (r < this.round - 100) this.served.delete(a);
    const parse = (q: QueuedRecord): Item => {
      if (q.validates !== 0n) {
        const { validation, signature } = fromSignedValidationJson(JSON.parse(q.body));
        return { ...q, record: NO_RECORD, validation, signature };
      }
      const { record, signature, counterpartySignature } = fromSignedJson(JSON.parse(q.body));
      return { ...q, record, signature, counterpartySignature };
    };
    return {
      plain: batch.map(parse),
      alone: alone.map(parse),
      validations: validations.map(parse),
      more: ready > batch.length + alone.length + validations.length,
    };
  }

  /** Fails queued records whose deadline passed (by the clock) while they waited. */
  private expire(): void {
    for (const q of this.queue.expired(BigInt(Math.floor(Date.now() / 1000)), 1_000)) {
      const lane = this.queue.lane(q.agent, q.nonceKey);
      const waiting = lane && lane.nextSeq < q.nonceSeq ? ` while it waited for sequence ${lane.nextSeq} of ${q.agent}${keyLabel(q.nonceKey)}` : "";
      this.queue.markFailed(q.digest, `its signature expired at ${when(q.deadline)} before it could be sent${waiting}`);
    }
  }

  /** Lanes waiting for a missing sequence: has someone sent it elsewhere? A few per round. */
  private async recheckLanes(): Promise<void> {
    const lanes = this.queue.lanesToCheck(Date.now() - LANE_RECHECK_MS, LANES_PER_ROUND);
    const sequences = await Promise.all(lanes.map((l) => this.sequence(l.agent, BigInt(l.nonceKey))));
    lanes.forEach((l, i) => this.queue.setLane(l.agent, l.nonceKey, sequences[i], true));
  }

  private async sequence(agent: string, key: bigint): Promise<bigint> {
    const data = await this.provider.call({ to: this.ledger, data: ledgerInterface().encodeFunctionData("nonces", [agent, key]) });
    return BigInt(data) & LIMITS.maxUint64;
  }

  // ---------------------------------------------------------------- sending

  /** Milliseconds spent in the stages of the round's last send (for the slow-round line). */
  private stages: string[] = [];
  private stage(name: string, since: number): number {
    const now = performance.now();
    this.stages.push(`${name} ${(now - since).toFixed(0)}`);
    return now;
  }

  private async sendBatch(items: Item[], depth = 0): Promise<void> {
    let t = performance.now();
    const data = ledgerInterface().encodeFunctionData("recordBatch", [items.map((i) => i.record), items.map((i) => i.signature)]);
    const bytes = (data.length - 2) / 2;
    if (bytes > this.opts.maxCalldataBytes && items.length > 1) return this.split(items, depth, `its calldata was ${bytes} bytes`);
    const plan = await this.planOrRevert(data);
    if ("revert" in plan) {
      // recordBatch skips invalid items: it reverts only when a wallet check lacks gas.
      if (items.length > 1) return this.split(items, depth, describeRevert(plan.revert));
      this.queue.markFailed(items[0].digest, `the Ledger refused it: ${describeRevert(plan.revert)}`);
      return;
    }
    this.stage("estimate", t);
    const gasLimit = gasLimitFor(plan, items);
    if (gasLimit > this.opts.maxBatchGas && items.length > 1) return this.split(items, depth, `it needs ${gasLimit} gas with the margin`);
    const sent = await this.transact(items, data, gasLimit, plan);
    if (sent === "split") return this.split(items, depth, "the node refused its transaction");
    if (sent === "handled") return;
    if (sent.status !== 1) return this.afterRevert(items, depth, sent);
    t = performance.now();
    await this.settle(items, sent);
    this.stage("settle", t);
  }

  /**
   * Signed validations (each the next of its validator's lane), together in one validateBatch with
   * range proofs of the entries not anchored yet and of the entries answered (a counterparty's
   * answer needs its entry's record given in full in the transaction, anchored or not: only the
   * record names the counterparty). A range proof lists every entry from its first given one to
   * its interval's end, and gives in full each entry wanted in that interval, so one proof serves
   * the validations and the answers of its entries. The Ledger skips an invalid item
   * (ValidationSkipped) and records the others: each item is settled by its own event. If the
   * batch cannot go whole (a proof that no longer holds, a node refusal), each is sent alone.
   */
  private async sendValidations(items: Item[]): Promise<void> {
    await this.entries.refresh(0);
    const given = new Set(items.filter((i) => i.answer || !this.entries.isAnchored(i.validates)).map((i) => i.validates));
    const proofs = await this.entries.rangeProofs([...given]);
    const data = ledgerInterface().encodeFunctionData("validateBatch", [items.map((i) => i.validation), items.map((i) => i.signature), proofs]);
    const plan = await this.planOrRevert(data);
    if ("revert" in plan) {
      this.opts.log(`relayer: a batch of ${items.length} validation(s) would revert (${describeRevert(plan.revert)}); each is sent alone`);
      this.entries.forget();
      for (const i of items) await this.sendAlone(i);
      return;
    }
    const sent = await this.transact(items, data, gasLimitFor(plan, items), plan);
    if (sent === "split") {
      for (const i of items) if (this.queue.get(i.digest)?.state === "queued") await this.sendAlone(i);
      return;
    }
    if (sent === "handled") return;
    if (sent.status !== 1) {
      this.opts.log(`relayer: a batch of ${items.length} validation(s) failed at execution (${sent.hash}, ${sent.gasUsed} gas used)`);
      await Promise.all(items.map((i) => this.resolve(this.queue.get(i.digest)!)));
      return;
    }
    const skipped = new Map<number, string>();
    for (const log of sent.logs) {
      if (log.address.toLowerCase() !== this.ledger.toLowerCase() || log.topics[0] !== LEDGER_TOPICS.ValidationSkipped) continue;
      const parsed = ledgerInterface().parseLog({ topics: [...log.topics], data: log.data });
      if (parsed) skipped.set(Number(parsed.args.index as bigint), parsed.args.reason as string);
    }
    const mine = items.map((i) => sent.logs.some((l) => l.address.toLowerCase() === this.ledger.toLowerCase() && isValidationLog(l.topics, i)));
    // Admission reads the answers from the entry index: it learns of these before they show as recorded.
    if (items.some((i, k) => i.answer && mine[k])) await this.entries.refresh(0).catch(() => {});
    for (const [k, i] of items.entries()) {
      if (mine[k]) {
        this.queue.markRecorded(i.digest, i.validates, sent.hash);
        continue;
      }
      const reason = skipped.get(k);
      const q = this.queue.get(i.digest)!;
      if (reason?.startsWith(NOT_ANCHORED_ERROR) && given.has(i.validates)) {
        // Not anchored although its record was given: no proof makes it so.
        this.queue.markFailed(i.digest, `the Ledger refused it: ${explainRevertData(reason) ?? describeRevert(reason)} (${NOT_ANCHORED_GIVEN})`);
        continue;
      }
      // A used nonce (another message of the lane landed first) or an entry the relayer wrongly
      // thought anchored: resolved against the chain; any other reason is the Ledger's refusal.
      if (reason === undefined || reason.startsWith(NONCE_ERROR) || reason.startsWith(NOT_ANCHORED_ERROR)) {
        if ((await this.resolve(q)) === "requeued" && reason?.startsWith(NOT_ANCHORED_ERROR)) this.entries.forget();
      } else this.queue.markFailed(i.digest, `the Ledger refused it: ${explainRevertData(reason) ?? describeRevert(reason)}`);
    }
  }

  /** A correction or a signed validation (with the proof of the entry it corrects or validates), or a co-signed record (recordConfirmed): alone. */
  private async sendAlone(c: Item): Promise<void> {
    // The proof must match the tip when it runs: read up to the latest block first.
    await this.entries.refresh(0);
    const data = c.validation
      ? ledgerInterface().encodeFunctionData("validate", [c.validation, c.signature, await this.entries.proof(c.validates)])
      : c.corrects !== 0n
        ? ledgerInterface().encodeFunctionData("recordCorrection", [c.record, c.signature, await this.entries.proof(c.corrects)])
        : ledgerInterface().encodeFunctionData("recordConfirmed", [c.record, c.signature, c.counterpartySignature!]);
    const plan = await this.planOrRevert(data);
    if ("revert" in plan) {
      const reason = describeRevert(plan.revert);
      if (reason.startsWith("LedgerInvalidNonce")) await this.resolve(c);
      else if (reason.startsWith("LedgerInvalidProof")) {
        // A new entry landed meanwhile, or what the relayer read is wrong: read it all again.
        this.opts.log(`relayer: the proof for ${c.digest} did not hold (${reason}); the ledger is read again`);
        this.entries.forget();
      } else this.queue.markFailed(c.digest, `the Ledger refused it: ${reason}`);
      return;
    }
    const sent = await this.transact([c], data, gasLimitFor(plan, [c]), plan);
    if (sent === "split" || sent === "handled") return;
    if (sent.status !== 1) return this.afterRevert([c], 0, sent);
    if (c.validation) {
      // A validation makes no entry: its Validated (or Endorsed, or CounterpartyAnswered) event names the entry and the signer.
      const mine = sent.logs.some((l) => l.address.toLowerCase() === this.ledger.toLowerCase() && isValidationLog(l.topics, c));
      if (mine && c.answer) await this.entries.refresh(0).catch(() => {});
      if (mine) this.queue.markRecorded(c.digest, c.validates, sent.hash);
      else await this.resolve(this.queue.get(c.digest)!);
      return;
    }
    await this.settle([c], sent);
    // Admission refuses a second correction of the entry from now on.
    await this.entries.refresh(0);
  }

  /** The plan of a call (see `plan`), or the revert data its estimate met; a node failure throws (the round is tried again, nothing was marked). */
  private async planOrRevert(data: string): Promise<Plan | { revert: string }> {
    try {
      return await this.plan(data);
    } catch (error) {
      const revert = revertData(error);
      if (!revert) throw error;
      return { revert };
    }
  }

  /**
   * The gas estimate of a call with `data` (a revert throws, with its data), and what its
   * transaction needs besides, the account's next nonce and the fees: asked at once, so that a
   * send costs three round trips to the node (these, the broadcast, the receipt).
   */
  private async plan(data: string): Promise<Plan> {
    const [estimate, nonce, fees] = await Promise.all([
      this.provider.estimateGas({ from: this.wallet.address, to: this.ledger, data }),
      this.provider.getTransactionCount(this.wallet.address, "pending"),
      this.provider.getFeeData(),
    ]);
    return { estimate, nonce, fees };
  }

  /**
   * Signs and broadcasts a transaction for `items` (marked as sending first, durably) and waits
   * for its receipt. "split": not sent (too large, or refused by the node) and worth splitting;
   * "handled": the failure was dealt with, or the transaction is still pending.
   */
  private async transact(items: Item[], data: string, gasLimit: bigint, plan: Plan): Promise<TransactionReceipt | "split" | "handled"> {
    const digests = items.map((i) => i.digest);
    let t = performance.now();
    const { fees, nonce } = plan;
    const pricing =
      fees.maxFeePerGas !== null && fees.maxPriorityFeePerGas !== null
        ? { type: 2, maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas }
        : { gasPrice: fees.gasPrice };
    const signed = await this.wallet.signTransaction(await this.wallet.populateTransaction({ to: this.ledger, data, gasLimit, nonce, ...pricing }));
    t = this.stage("sign", t);
    const txBytes = (signed.length - 2) / 2;
    if (txBytes > MAX_TX_BYTES) {
      this.opts.log(`relayer: a transaction for ${items.length} record(s) would be ${txBytes} bytes, over ${MAX_TX_BYTES}; not sent`);
      if (items.length > 1) return "split";
      this.queue.markFailed(items[0].digest, `its transaction would be ${txBytes} bytes, over the ${MAX_TX_BYTES}-byte limit of transaction pools`);
      return "handled";
    }
    this.queue.markSending(digests);
    let hash: string;
    try {
      hash = (await this.provider.broadcastTransaction(signed)).hash;
      t = this.stage("broadcast", t);
    } catch (error) {
      return this.afterSendFailure(items, error);
    }
    this.queue.setTxHash(digests, hash);
    try {
      const receipt = await this.receipt(hash);
      this.stage("receipt", t);
      if (receipt)
        this.charge(
          items.map((i) => i.agent),
          receipt,
        );
      return receipt ?? "handled";
    } catch (error) {
      this.opts.log(`relayer: no receipt for ${hash} yet (${classifyRpcError(error).reason}); it is looked at next round`);
      return "handled";
    }
  }

  /** Counts a mined transaction's gas (reverted or not) against today's budgets, split evenly among the signers of its items. */
  private charge(signers: readonly string[], receipt: TransactionReceipt): void {
    const n = BigInt(signers.length);
    const share = receipt.gasUsed / n;
    const rest = receipt.gasUsed - share * n;
    this.queue.spend(
      utcDay(Date.now()),
      signers.map((signer, k) => ({ signer, gas: share + (k === 0 ? rest : 0n) })),
    );
  }

  /**
   * The transaction's receipt, asked for at once and then every 25 ms growing to 1 s, or null after
   * txTimeoutMs. (ethers' waitForTransaction waits for the provider's block polling, every 4 s by
   * default, when the first look misses.)
   */
  private async receipt(hash: string): Promise<TransactionReceipt | null> {
    const until = Date.now() + this.opts.txTimeoutMs;
    for (let delay = 25; ; delay = Math.min(delay * 2, 1_000)) {
      const receipt = await this.provider.getTransactionReceipt(hash);
      if (receipt) return receipt;
      if (Date.now() + delay > until) return null;
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** A broadcast that failed without a revert: resolved on-chain, then retried later or failed. */
  private async afterSendFailure(items: Item[], error: unknown): Promise<"split" | "handled"> {
    const { kind, reason } = classifyRpcError(error);
    this.opts.log(`relayer: a transaction for ${items.length} record(s) could not be sent: ${reason}`);
    const split = kind !== "transient" && items.length > 1;
    await Promise.all(
      items.map(async (i) => {
        const q = this.queue.get(i.digest)!;
        if ((await this.resolve(q)) !== "requeued" || split) return; // a split's parts are sent at once
        if (q.attempts >= this.opts.maxAttempts)
          this.queue.markFailed(q.digest, `the relayer gave up after ${q.attempts} attempts to send it; the node said: ${reason}`);
        else this.queue.requeue(q.digest, `sending failed (${reason}); trying again`, Date.now() + this.backoff(q.attempts));
      }),
    );
    return split ? "split" : "handled";
  }

  /** A transaction that reverted or ran out of gas at execution: split it, or retry the one record later. */
  private async afterRevert(items: Item[], depth: number, receipt: TransactionReceipt): Promise<void> {
    this.opts.log(`relayer: a transaction for ${items.length} record(s) failed at execution (${receipt.hash}, ${receipt.gasUsed} gas used)`);
    await Promise.all(items.map((i) => this.resolve(this.queue.get(i.digest)!)));
    if (items.length > 1) return this.split(items, depth, `its transaction ${receipt.hash} failed`);
    const q = this.queue.get(items[0].digest)!;
    if (q.state !== "queued") return;
    if (q.attempts >= this.opts.maxAttempts)
      this.queue.markFailed(
        q.digest,
        `the relayer gave up after ${q.attempts} transactions that failed at execution (out of gas or reverted); the last was ${receipt.hash}`,
      );
    else this.queue.requeue(q.digest, `its transaction ${receipt.hash} failed at execution; trying again`, Date.now() + this.backoff(q.attempts));
  }

  /** Sends the parts of a batch that cannot go whole: wallet items apart from the others, else halves. */
  private async split(items: Item[], depth: number, why: string): Promise<void> {
    const left = items.filter((i) => this.queue.get(i.digest)?.state === "queued");
    this.opts.log(`relayer: splitting a batch of ${items.length} record(s) (${why})`);
    if (left.length === 0) return;
    if (depth >= MAX_SPLIT_DEPTH) {
      for (const i of left) this.queue.requeue(i.digest, `its batch could not be sent (${why}); trying again`, Date.now() + this.backoff(1));
      return;
    }
    const wallets = left.filter((i) => i.wallet);
    const others = left.filter((i) => !i.wallet);
    const half = Math.ceil(left.length / 2);
    const parts = wallets.length > 0 && others.length > 0 ? [others, wallets] : [left.slice(0, half), left.slice(half)];
    for (const part of parts) if (part.length > 0) await this.sendBatch(part, depth + 1);
  }

  private backoff(attempts: number): number {
    return this.opts.retryBaseMs * 2 ** Math.max(0, attempts - 1);
  }

  // ---------------------------------------------------------------- what became of it

  /** Marks what a mined transaction recorded, failed what it skipped, and resolves the rest. */
  private async settle(items: Item[], receipt: TransactionReceipt): Promise<void> {
    const byDigest = new Map(items.map((i) => [i.digest, i]));
    // A Recorded event of this transaction is one of its items: the one with the event's signer
    // and nonce (no two pending items share them), if the event's record hashes to that item.
    const bySignerNonce = new Map(items.map((i) => [`${i.agent.toLowerCase()}:${i.record.nonce}`, i]));
    const skipped = new Map<number, { reason: string; expected?: bigint }>();
    const recorded: { digest: string; id: bigint }[] = [];
    for (const l of receipt.logs) {
      if (l.address.toLowerCase() !== this.ledger.toLowerCase()) continue;
      const parsed = ledgerInterface().parseLog(l);
      if (parsed?.name === "Recorded") {
        const item = bySignerNonce.get(`${String(parsed.args.signer).toLowerCase()}:${parsed.args.record.nonce}`);
        if (item && byDigest.has(item.digest) && hashRecord(toRecord(parsed.args.record)) === hashRecord(item.record)) {
          recorded.push({ digest: item.digest, id: parsed.args.id });
          byDigest.delete(item.digest);
        }
      } else if (parsed?.name === "RecordSkipped") {
        const error = ledgerInterface().parseError(parsed.args.reason);
        skipped.set(Number(parsed.args.index), {
          reason: describeRevert(parsed.args.reason),
          expected: error?.name === "LedgerInvalidNonce" ? (error.args[2] as bigint) : undefined,
        });
      }
    }
    // One durable commit for the whole transaction, not one per record.
    this.queue.transaction(() => {
      for (const r of recorded) this.queue.markRecorded(r.digest, r.id, receipt.hash);
    });
    items.forEach((item, index) => {
      const skip = skipped.get(index);
      if (!byDigest.has(item.digest) || !skip) return;
      if (skip.expected === undefined) {
        this.queue.markFailed(item.digest, `the Ledger refused it: ${skip.reason}`);
        byDigest.delete(item.digest);
      } else if ((skip.expected & LIMITS.maxUint64) <= item.nonceSeq) {
        // Its nonce was not used when it ran (an earlier sequence of its lane was refused or is
        // missing): it waits for that sequence, as the ledger said, with nothing to look up.
        this.queue.requeue(item.digest);
        this.queue.setLane(item.agent, item.nonceKey, skip.expected & LIMITS.maxUint64, true);
        byDigest.delete(item.digest);
      }
    });
    // Left: skipped because their nonce was used (perhaps they were recorded by another relayer)
    // or not seen at all. Looked up together (the provider batches the calls).
    await Promise.all(
      [...byDigest.keys()]
        .map((digest) => this.queue.get(digest)!)
        .filter((q) => q.state === "sending")
        .map((q) => this.resolve(q)),
    );
  }

  /** What became of a record that was (perhaps) sent: recorded, its nonce used by another, or to send again. */
  async resolve(q: QueuedRecord): Promise<Outcome> {
    const current = await this.sequence(q.agent, BigInt(q.nonceKey));
    if (current > q.nonceSeq) {
      const found = q.validates !== 0n ? await this.validationOf(q) : await this.entryOfRecord(q);
      if (found) {
        this.queue.markRecorded(q.digest, found.id, found.txHash);
        return "recorded";
      }
      this.queue.markFailed(
        q.digest,
        `its nonce (sequence ${q.nonceSeq}${keyLabel(q.nonceKey)}) was consumed by another record or validation, or cancelled, before it was recorded`,
      );
      this.queue.setLane(q.agent, q.nonceKey, current);
      return "failed";
    }
    if (q.state === "sending" && q.txHash) {
      const tx = await this.provider.getTransaction(q.txHash);
      if (tx && tx.blockNumber === null) return "pending"; // still pending: leave it as sending
    }
    if (q.state === "sending") this.queue.requeue(q.digest, q.attempts > 0 ? "resent after an interrupted attempt" : undefined);
    // The chain is the authority on the lane's next sequence (a lane ahead of it would leave this
    // record overtaken, never sent).
    this.queue.setLane(q.agent, q.nonceKey, current, true);
    return "requeued";
  }

  /** The entry that recorded a queued record (and its transaction), if one did. */
  private async entryOfRecord(q: QueuedRecord): Promise<{ id: bigint; txHash: string } | undefined> {
    const { record } = fromSignedJson(JSON.parse(q.body));
    await this.entries.refresh(0);
    const id = this.entries.entryOf(hashRecord(record));
    return id === undefined ? undefined : { id, txHash: (await this.txOfEntry(id)) ?? q.txHash ?? "" };
  }

  /** A queued validation's Validated (or Endorsed) event, or an answer's CounterpartyAnswered, found by its entry and signer: the entry and the transaction. */
  private async validationOf(q: QueuedRecord): Promise<{ id: bigint; txHash: string } | undefined> {
    const logs = await this.provider.getLogs({
      address: this.ledger,
      topics: [topicsOf(q), toBeHex(q.validates, 32), zeroPadValue(q.agent, 32)],
      fromBlock: this.fromBlock,
      toBlock: "latest",
    });
    return logs.length > 0 ? { id: q.validates, txHash: logs[0].transactionHash } : undefined;
  }

  private async txOfEntry(entryId: bigint): Promise<string | undefined> {
    const logs = await this.provider.getLogs({
      address: this.ledger,
      topics: [LEDGER_TOPICS.Recorded, toBeHex(entryId, 32)],
      fromBlock: this.fromBlock,
      toBlock: "latest",
    });
    return logs[0]?.transactionHash;
  }
}

/** The contract a queued message goes to, in words. */
const contractWord = (m: QueuedMessage) => (m.kind === "profile" ? "directory" : "registry");
