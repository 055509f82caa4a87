// Full verification of a ledger by anyone, from public data only: every entry's signature
// (EOA by ecrecover rules, signatures.ts; ERC-1271 wallets by asking them before and after the
// recording block, or by the recording transaction's trace, wallets.ts), the hash chain recomputed
// from the events (core/chain.ts), the stored checkpoints, and the on-chain head. An entry whose
// signature cannot be judged from what the node offers is reported as undecided, with the reason,
// and does not fail the ledger (V-1).
//
// Cost: the signatures come from the recording transactions' calldata (transactions.ts: fetched in
// JSON-RPC batches, each decoded once, records matched by their raw words); EOA signatures are
// checked in batches, on a worker thread for large ledgers (workers.ts), while the main thread goes
// on reading and decoding the logs. Every RPC call is retried on transient failures (reader.ts), so
// a flaky node gives the same report as a healthy one, or a one-line LedgerReadError.
import { availableParallelism } from "node:os";
import { Contract, TypedDataEncoder } from "ethers";
import type { Log, Provider } from "ethers";
import { verifyChain } from "../core/chain.js";
import { LEDGER_TOPICS } from "../core/abi.js";
import { decodeLedgerLogs, fetchLogs, mergeEvents, rpcRetry } from "../core/reader.js";
import type { Entry, LedgerEvents } from "../core/reader.js";
import { agentOf, ledgerDomain } from "../core/record.js";
import pMap from "p-map";
import { EoaKeyCache, eoaSignatureValid, recordDigest712 } from "./signatures.js";
import { loadTransactionSignatures } from "./transactions.js";
import type { SignatureMap, TransactionReadOptions } from "./transactions.js";
import { judgeWalletSignature } from "./wallets.js";
import { checkBatch, SignatureWorker } from "./workers.js";
import type { SignatureBatch } from "./workers.js";

export interface VerifyProblem {
  id: bigint;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Block the verification was pinned to. */
  block: number;
  entries: number;
  head: string;
  onChainHead: string;
  checkpoints: number;
  eoaSignatures: number;
  contractSignatures: number;
  /** The first divergence of the chain, if any, then every bad signature. `ok` is false iff any. */
  problems: VerifyProblem[];
  /**
   * Entries whose signature cannot be judged from what the node offers (a wallet whose answer
   * changed within the recording block, a transaction the node cannot trace, a request the node
   * failed for that entry alone), each with the reason. They do not count against `ok`.
   */
  undecided: VerifyProblem[];
  events: LedgerEvents;
}

export interface VerifyOptions extends TransactionReadOptions {
  /**
   * Check signatures in a worker thread while the main thread reads and decodes: true always,
   * false never; by default when a batch holds thousands of signatures and there is a second CPU.
   */
  worker?: boolean;
  /** false: check EOA signatures with @noble/curves even where libsecp256k1 loads (as COMMONS_VERIFY_NATIVE=0 does). */
  native?: boolean;
  /** Called as signatures are checked (done, total). */
  onSignatures?: (done: number, total: number) => void;
}

/** A recorded entry waiting for its signature check. */
interface Pending {
  entry: Entry;
  /** The record's words as logged (hex, no 0x): the key of its signatures in the calldata. */
  words: string;
}

export async function verifyLedger(provider: Provider, address: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const ledgerAddress = address.toLowerCase();
  const concurrency = opts.concurrency ?? 4;
  const block = opts.toBlock ?? (await rpcRetry("eth_blockNumber", () => provider.getBlockNumber(), opts));
  const { chainId } = await rpcRetry("eth_chainId", () => provider.getNetwork(), opts);
  const domainSeparator = TypedDataEncoder.hashDomain(ledgerDomain(chainId, address));
  const digestOf = (structHash: string) => recordDigest712(domainSeparator, structHash);

  // Signatures come from each transaction's calldata (or its trace when relayed through a
  // contract), kept per transaction: a copy of a record with another signature in another
  // transaction (skipped by the contract) must not replace the one that was recorded. Each block
  // range is decoded, and its transactions fetched and signatures checked, while the next range
  // is being read.
  const signaturesByTx = new Map<string, SignatureMap>();
  const untraceable = new Set<string>();
  const results = new Map<Entry, { candidates: string[]; valid?: boolean }>();
  const keys = new EoaKeyCache();
  let worker: SignatureWorker | undefined;
  const checking: Promise<void>[] = [];
  const emptyBatch = (): SignatureBatch => ({
    domainSeparator,
    structHashes: [],
    signatures: [],
    agents: [],
    ...(opts.native === false ? { native: false } : {}),
  });
  let queued = emptyBatch();
  let queuedFor: Entry[] = [];
  let flushes = 0;
  const flush = () => {
    flushes++;
    const batch = queued;
    const batchFor = queuedFor;
    queued = emptyBatch();
    queuedFor = [];
    const record = (valid: boolean[]) => batchFor.forEach((e, i) => (results.get(e)!.valid = valid[i]));
    if (opts.worker === true || (opts.worker === undefined && batchFor.length >= 2_000 && availableParallelism() > 1) || worker) {
      worker ??= new SignatureWorker();
      checking.push(worker.check(batch).then(record));
    } else record(checkBatch(batch, keys));
  };
  const loadTransactions = (hashes: readonly string[]) =>
    loadTransactionSignatures(provider, ledgerAddress, hashes, signaturesByTx, untraceable, { ...opts, concurrency });
  const checkRange = async (pending: readonly Pending[]): Promise<void> => {
    await loadTransactions(pending.map((p) => p.entry.transactionHash));
    for (const { entry, words } of pending) {
      const candidates = signaturesByTx.get(entry.transactionHash)?.get(words);
      if (!candidates) continue;
      // Checked against the EIP-712 digest of the struct hash the decoder computed (the record is
      // not hashed again).
      results.set(entry, { candidates });
      queued.structHashes.push(entry.recordHash);
      queued.signatures.push(candidates[0]);
      queued.agents.push(agentOf(entry.record));
      queuedFor.push(entry);
    }
    // Large batches cost fewer messages to the worker per signature; the first one is
    // sent early so that the worker starts (and recovers the agents' keys) while reading goes on.
    if (queuedFor.length >= (worker && flushes > 0 ? 12_000 : 2_000)) flush();
  };
  const parts: LedgerEvents[] = [];
  let pipeline: Promise<void> = Promise.resolve();
  let pipelineError: unknown;
  let aborted = false;
  const onLogs = (logs: readonly Log[]) => {
    opts.onLogs?.(logs);
    const inOrder = logs.every(
      (x, i) => i === 0 || logs[i - 1].blockNumber < x.blockNumber || (logs[i - 1].blockNumber === x.blockNumber && logs[i - 1].index < x.index),
    );
    const sorted = inOrder ? logs : [...logs].sort((x, y) => x.blockNumber - y.blockNumber || x.index - y.index);
    const part = decodeLedgerLogs(sorted);
    parts.push(part);
    const words = new Map<string, string>();
    for (const log of sorted) if (log.topics[0] === LEDGER_TOPICS.Recorded) words.set(`${log.transactionHash}:${log.index}`, log.data.slice(2));
    const pending = part.entries.map((entry) => ({ entry, words: words.get(`${entry.transactionHash}:${entry.logIndex}`) ?? "" }));
    // A dense ledger: start the worker now, so that it has loaded by the time the first batch is ready.
    if (!worker && opts.worker !== false && pending.length >= 500 && availableParallelism() > 1) worker = new SignatureWorker().warm();
    if (pending.length > 0)
      pipeline = pipeline.then(() => (pipelineError || aborted ? undefined : checkRange(pending))).catch((e: unknown) => void (pipelineError ??= e));
  };

  let events: LedgerEvents;
  let count: bigint;
  let onChainHead: string;
  try {
    await fetchLogs(provider, address, { ...opts, toBlock: block, onLogs });
    events = mergeEvents(parts);
    const contract = new Contract(address, ["function tip() view returns (uint64 count, bytes24 head)"], provider);
    [count, onChainHead] = await rpcRetry("tip()", () => contract.tip({ blockTag: block }) as Promise<[bigint, string]>, opts);
    await pipeline;
    if (pipelineError) throw pipelineError;
    if (queuedFor.length > 0) flush();
    // Reading is done: this thread checks what the worker has not started yet.
    worker?.help();
    await Promise.all(checking);
  } catch (error) {
    aborted = true;
    throw error;
  } finally {
    await pipeline;
    await worker?.close();
  }
  const check = verifyChain(events.entries, { count, head: onChainHead }, events.checkpoints);
  const problems: VerifyProblem[] = check.divergence ? [check.divergence] : [];
  const undecided: VerifyProblem[] = [];

  let eoa = 0;
  let wallets = 0;
  let done = 0;
  const total = events.entries.length;
  const walletChecks: { e: Entry; digest: string; candidates: string[] }[] = [];
  for (const e of events.entries) {
    const fail = (reason: string) => problems.push({ id: e.id, reason });
    const agent = agentOf(e.record);
    if (agent.toLowerCase() !== e.signer.toLowerCase()) fail(`event signer ${e.signer} is not the record's agent ${agent}`);
    const r = results.get(e);
    if (!r) {
      if (untraceable.has(e.transactionHash))
        undecided.push({
          id: e.id,
          reason: `transaction ${e.transactionHash} was sent through a contract and the node cannot trace it; signature not checked`,
        });
      else fail(`no signature found for the record in transaction ${e.transactionHash}`);
      opts.onSignatures?.(++done, total);
      continue;
    }
    if (r.valid || r.candidates.slice(1).some((sig) => eoaSignatureValid(digestOf(e.recordHash), sig, agent))) {
      eoa++;
      opts.onSignatures?.(++done, total);
    } else walletChecks.push({ e, digest: digestOf(e.recordHash), candidates: r.candidates });
  }

  // Not an EOA signature: an ERC-1271 wallet, judged as the contract saw it (judgeWalletSignature).
  const codeAt = new Map<string, Promise<string>>();
  await pMap(
    walletChecks,
    async ({ e, digest, candidates }) => {
      const verdict = await judgeWalletSignature(provider, ledgerAddress, e, digest, candidates, opts, codeAt);
      if (verdict.kind === "valid") wallets++;
      else (verdict.kind === "invalid" ? problems : undecided).push({ id: e.id, reason: verdict.reason });
      opts.onSignatures?.(++done, total);
    },
    { concurrency: concurrency },
  );
  const byId = (a: VerifyProblem, b: VerifyProblem) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  problems.sort(byId);
  undecided.sort(byId);
  return {
    ok: problems.length === 0,
    block,
    entries: events.entries.length,
    head: check.head,
    onChainHead,
    checkpoints: events.checkpoints.size,
    eoaSignatures: eoa,
    contractSignatures: wallets,
    problems,
    undecided,
    events,
  };
}
