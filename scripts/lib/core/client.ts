// A thin client over the Ledger for scripts: signs records with a contributor's wallet and has a
// relayer submit them, builds entry proofs from the events, reads states. Used by the demo seed and
// the CLI; tests use it to drive the contract as a user would.
import { Contract, ZeroAddress } from "ethers";
import type { ContractRunner, ContractTransactionReceipt, Provider, TypedDataDomain } from "ethers";
import { LEDGER_ABI } from "./abi.js";
import { explainRevertData } from "./contract-errors.js";
import { buildEntryProof } from "./proof.js";
import type { EntryProof } from "./proof.js";
import { describeRevert, ledgerInterface, readLedger } from "./reader.js";
import type { LedgerEvents } from "./reader.js";
import { buildRecord, buildValidation, checkRecord, ledgerDomain, packNonce, signRecord, signValidation } from "./record.js";
import type { LedgerRecord, LedgerValidation, RecordInput, TypedDataSigner } from "./record.js";
import { ENTRY_STATES } from "./vocabulary.js";
import type { EntryStateName, VerdictName } from "./vocabulary.js";

export type RecordDraft = Omit<RecordInput, "nonce" | "deadline" | "time"> & {
  time?: bigint | number;
  nonceKey?: bigint;
  /** Seconds the signature stays valid (default one day). */
  validFor?: number;
};

export interface SignedRecord {
  record: LedgerRecord;
  signature: string;
  /** The counterparty's signature of the same record digest: sent with `recordConfirmed`. */
  counterpartySignature?: string;
}

/**
 * The time the next block will most likely carry: the latest block's time, or this machine's clock
 * if that is later. A chain that mines only on demand (anvil, a quiet devnet) keeps an old latest
 * block, but its next block takes the current time; judging "is this time in the future?" against
 * the latest block alone would then reject a record stamped now. The contract has the last word.
 */
export function nextBlockTime(latestBlockTime: bigint, clockMs = Date.now()): bigint {
  const clock = BigInt(Math.floor(clockMs / 1000));
  return clock > latestBlockTime ? clock : latestBlockTime;
}

export class LedgerClient {
  readonly contract: Contract;

  private constructor(
    readonly provider: Provider,
    readonly address: string,
    readonly domain: TypedDataDomain,
    readonly fromBlock: number,
    runner: ContractRunner,
  ) {
    this.contract = new Contract(address, LEDGER_ABI, runner);
  }

  /** `runner` pays for transactions (the relayer); contributors only sign. */
  static async connect(runner: ContractRunner & { provider: Provider | null }, address: string, fromBlock = 0): Promise<LedgerClient> {
    const provider = runner.provider;
    if (!provider) throw new Error("the runner has no provider");
    if ((await provider.getCode(address)) === "0x") throw new Error(`no contract at ${address}`);
    const { chainId } = await provider.getNetwork();
    return new LedgerClient(provider, address, ledgerDomain(chainId, address), fromBlock, runner);
  }

  /** The time the next block will most likely carry (see nextBlockTime). */
  async now(): Promise<bigint> {
    const block = await this.provider.getBlock("latest");
    if (!block) throw new Error("the node returned no latest block");
    return nextBlockTime(BigInt(block.timestamp));
  }

  async tip(): Promise<{ count: bigint; head: string }> {
    const [count, head] = await this.contract.tip();
    return { count, head };
  }

  /** Whether a commons with this id is registered (once registered, always: its last steward cannot leave). */
  async commonsExists(commons: string): Promise<boolean> {
    return this.contract.commonsExists(commons);
  }

  async nonce(owner: string, key: bigint): Promise<bigint> {
    return this.contract.nonces(owner, key);
  }

  /** Builds, checks (as the contract would) and signs a record for the signer's current nonce. */
  async sign(signer: TypedDataSigner, draft: RecordDraft, opts: { allowCorrection?: boolean; nonceOffset?: bigint } = {}): Promise<SignedRecord> {
    const agent = await signer.getAddress();
    const now = await this.now();
    const key = draft.nonceKey ?? 1n;
    const sequence = (await this.nonce(agent, key)) & ((1n << 64n) - 1n);
    const input: RecordInput = {
      ...draft,
      provider: draft.provider ?? (draft.flow === "need" ? undefined : agent),
      time: draft.time ?? now,
      nonce: packNonce(key, sequence + (opts.nonceOffset ?? 0n)),
      deadline: now + BigInt(draft.validFor ?? 24 * 3600),
    };
    const record = buildRecord(input);
    const { count } = await this.tip();
    checkRecord(record, { now, nextId: count + 1n, allowCorrection: opts.allowCorrection });
    const expectedAgent = record.provider !== ZeroAddress ? record.provider : record.receiver;
    if (expectedAgent.toLowerCase() !== agent.toLowerCase()) {
      throw new Error(`the signer ${agent} is not the record's agent ${expectedAgent}`);
    }
    return { record, signature: await signRecord(signer, this.domain, record) };
  }

  async submit(s: SignedRecord): Promise<{ id: bigint; receipt: ContractTransactionReceipt }> {
    const receipt = await this.send(() =>
      s.counterpartySignature !== undefined
        ? this.contract.recordConfirmed(s.record, s.signature, s.counterpartySignature)
        : this.contract.record(s.record, s.signature),
    );
    return { id: this.recordedIds(receipt)[0], receipt };
  }

  async submitBatch(items: SignedRecord[]): Promise<{ ids: bigint[]; skipped: { index: bigint; reason: string }[]; receipt: ContractTransactionReceipt }> {
    const receipt = await this.send(() =>
      this.contract.recordBatch(
        items.map((i) => i.record),
        items.map((i) => i.signature),
      ),
    );
    const skipped: { index: bigint; reason: string }[] = [];
    for (const log of receipt.logs) {
      const parsed = ledgerInterface().parseLog(log);
      if (parsed?.name === "RecordSkipped") skipped.push({ index: parsed.args.index, reason: describeRevert(parsed.args.reason) });
    }
    return { ids: this.recordedIds(receipt), skipped, receipt };
  }

  async events(): Promise<LedgerEvents> {
    return readLedger(this.provider, this.address, { fromBlock: this.fromBlock });
  }

  async proof(entryId: bigint): Promise<EntryProof> {
    const { entries } = await this.events();
    return buildEntryProof(entries, entryId);
  }

  /** Signs a validation (nonce key 2, the validator's next sequence; valid for `validFor` seconds, default one hour). */
  async signValidation(
    signer: TypedDataSigner,
    entryId: bigint,
    verdict: VerdictName,
    evidence?: string,
    validFor = 3600,
  ): Promise<{ validation: LedgerValidation; signature: string }> {
    const validator = await signer.getAddress();
    const now = await this.now();
    const key = 2n;
    const nonce = packNonce(key, (await this.nonce(validator, key)) & ((1n << 64n) - 1n));
    const validation = buildValidation({ entryId, verdict, validator, evidence, nonce, deadline: now + BigInt(validFor) });
    return { validation, signature: await signValidation(signer, this.domain, validation) };
  }

  /** Sends a signed validation (the runner pays gas), with a fresh proof of its entry. */
  async submitValidation(validation: LedgerValidation, signature: string): Promise<ContractTransactionReceipt> {
    return this.withFreshProof(validation.entryId, (proof) => this.send(() => this.contract.validate(validation, signature, proof)));
  }

  async validate(signer: TypedDataSigner, entryId: bigint, verdict: VerdictName, evidence?: string): Promise<ContractTransactionReceipt> {
    const { validation, signature } = await this.signValidation(signer, entryId, verdict, evidence);
    return this.submitValidation(validation, signature);
  }

  /**
   * A proof for an entry in the open checkpoint interval must reach the tip, so a record landing
   * first makes it stale (LedgerInvalidProof). Rebuild it and try again, a few times.
   */
  private async withFreshProof<T>(entryId: bigint, fn: (proof: EntryProof) => Promise<T>, attempts = 4): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await fn(await this.proof(entryId));
      } catch (error) {
        if (i >= attempts || !/LedgerInvalidProof/.test((error as Error).message)) throw error;
      }
    }
  }

  async correct(signer: TypedDataSigner, entryId: bigint, draft: RecordDraft): Promise<{ id: bigint; receipt: ContractTransactionReceipt }> {
    const s = await this.sign(signer, { ...draft, corrects: entryId }, { allowCorrection: true });
    const receipt = await this.withFreshProof(entryId, (proof) => this.send(() => this.contract.recordCorrection(s.record, s.signature, proof)));
    return { id: this.recordedIds(receipt)[0], receipt };
  }

  async state(entryId: bigint): Promise<{ state: EntryStateName; accepts: number; disputes: number; correctedBy: bigint }> {
    const [state, accepts, disputes, correctedBy] = await this.contract.entryState(entryId);
    return { state: ENTRY_STATES[Number(state)], accepts: Number(accepts), disputes: Number(disputes), correctedBy };
  }

  /**
   * Sends a transaction and waits for it; a revert becomes an Error saying which contract refused
   * (`contract`: the Ledger unless the call goes to the registry or the directory) and why, in a
   * sentence when the error is one of ours.
   */
  async send(fn: () => Promise<{ wait(): Promise<ContractTransactionReceipt | null> }>, contract = "the Ledger"): Promise<ContractTransactionReceipt> {
    try {
      const tx = await fn();
      const receipt = await tx.wait();
      if (!receipt || receipt.status !== 1) throw new Error("the transaction reverted");
      return receipt;
    } catch (error) {
      const data = (error as { data?: string }).data;
      if (typeof data === "string" && data.length >= 10)
        throw new Error(`${contract} refused: ${explainRevertData(data) ?? describeRevert(data)}`, { cause: error });
      throw error;
    }
  }

  private recordedIds(receipt: ContractTransactionReceipt): bigint[] {
    const ids: bigint[] = [];
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== this.address.toLowerCase()) continue;
      const parsed = ledgerInterface().parseLog(log);
      if (parsed?.name === "Recorded") ids.push(parsed.args.id);
    }
    return ids;
  }
}
