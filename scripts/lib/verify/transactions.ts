// The signatures that recording transactions carried to the ledger: from the calldata of a direct
// call (core/calldata.ts), else from the calls into the ledger in the transaction's trace
// (debug_traceTransaction's callTracer), for transactions sent through a contract. Transactions are
// fetched in JSON-RPC batches of 20, a few batches at a time, each retried on transient failures.
import type { Provider } from "ethers";
import { signaturesFromCalldata } from "../core/calldata.js";
import type { SignatureMap } from "../core/calldata.js";
import { classifyRpcError, LedgerReadError, rpcRetry, rpcSend, rpcSendBatch, withRetry } from "../core/reader.js";
import type { ReadOptions } from "../core/reader.js";
import pMap from "p-map";

export type { SignatureMap };

/** Reading options, and how many RPC requests may run in parallel (4). */
export interface TransactionReadOptions extends ReadOptions {
  concurrency?: number;
}

/** One call of a transaction, as debug_traceTransaction's callTracer reports it. */
export interface CallFrame {
  from?: string;
  to?: string;
  input?: string;
  output?: string;
  error?: string;
  calls?: CallFrame[];
}

/** Every call made in a transaction (debug_traceTransaction's callTracer), or undefined if the node does not trace. */
export async function tracedCalls(provider: Provider, hash: string, opts: ReadOptions): Promise<CallFrame[] | undefined> {
  let root: CallFrame;
  try {
    root = (await withRetry(() => rpcSend(provider, "debug_traceTransaction", [hash, { tracer: "callTracer" }]), opts)) as CallFrame;
  } catch (error) {
    // A node without tracing leaves the signature unchecked (reported); a failing node is an error.
    const { kind, reason } = classifyRpcError(error);
    if (kind === "transient")
      throw new LedgerReadError(`debug_traceTransaction ${hash} failed after ${Math.max(1, opts.maxAttempts ?? 5)} attempts: ${reason}`, { cause: error });
    return undefined;
  }
  const frames: CallFrame[] = [];
  const walk = (f: CallFrame) => {
    if (!f) return;
    frames.push(f);
    f.calls?.forEach(walk);
  };
  walk(root);
  return frames;
}

/** Calls into the ledger inside a transaction sent through another contract (needs debug_traceTransaction). */
async function ledgerCallsInTrace(provider: Provider, hash: string, ledger: string, opts: ReadOptions): Promise<string[] | undefined> {
  const frames = await tracedCalls(provider, hash, opts);
  return frames?.filter((f) => f.to?.toLowerCase() === ledger && f.input).map((f) => f.input!);
}

/**
 * The signatures that the transactions `hashes` carried to the ledger at `ledgerAddress`
 * (lowercase), per transaction and record (keyed by the record's 17 logged words in hex): from the
 * calldata of a direct call, else from the calls into the ledger in the transaction's trace. A
 * transaction the node cannot trace is added to `untraceable`. Transactions already in `into` are
 * not fetched again.
 */
export async function loadTransactionSignatures(
  provider: Provider,
  ledgerAddress: string,
  hashes: readonly string[],
  into: Map<string, SignatureMap>,
  untraceable: Set<string>,
  opts: TransactionReadOptions = {},
): Promise<void> {
  const missing = [...new Set(hashes)].filter((h) => !into.has(h));
  const groups: string[][] = [];
  for (let i = 0; i < missing.length; i += 20) groups.push(missing.slice(i, i + 20));
  await pMap(
    groups,
    async (group) => {
      const txs = (await rpcRetry(
        `eth_getTransactionByHash (${group.length} transactions)`,
        () =>
          rpcSendBatch(
            provider,
            group.map((h) => ({ method: "eth_getTransactionByHash", params: [h] })),
          ),
        opts,
      )) as ({ to?: unknown; input?: unknown } | null)[];
      for (let i = 0; i < group.length; i++) {
        const hash = group[i];
        const tx = txs[i];
        if (!tx || typeof tx !== "object") throw new LedgerReadError(`the node does not know transaction ${hash}`);
        const signatures: SignatureMap = new Map();
        if (
          typeof tx.to === "string" &&
          tx.to.toLowerCase() === ledgerAddress &&
          typeof tx.input === "string" &&
          signaturesFromCalldata(tx.input, signatures)
        ) {
          into.set(hash, signatures);
          continue;
        }
        const inputs = await ledgerCallsInTrace(provider, hash, ledgerAddress, opts);
        if (!inputs) untraceable.add(hash);
        else for (const input of inputs) signaturesFromCalldata(input, signatures);
        into.set(hash, signatures);
      }
    },
    { concurrency: opts.concurrency ?? 4 },
  );
}
