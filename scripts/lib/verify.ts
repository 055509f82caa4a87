// Full verification of a ledger by anyone, from public data only: every entry's signature
// (EOA by ecrecover; ERC-1271 wallets by calling them at the recording block), the hash chain
// recomputed from the events, the stored checkpoints, and the on-chain head.
import { Contract, Interface, recoverAddress, Signature } from "ethers";
import type { Provider } from "ethers";
import { verifyChain } from "./chain.js";
import { fetchLogs, decodeLedgerLogs, ledgerInterface, toRecord } from "./reader.js";
import type { Entry, LedgerEvents, ReadOptions } from "./reader.js";
import { agentOf, hashRecord, ledgerDomain, recordDigest } from "./record.js";

const ERC1271 = new Interface(["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"]);
const MAGIC = "0x1626ba7e";
const HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

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
  /** The first divergence of the chain, if any, then every bad signature. */
  problems: VerifyProblem[];
  events: LedgerEvents;
}

export interface VerifyOptions extends ReadOptions {
  /** Called as signatures are checked (done, total). */
  onSignatures?: (done: number, total: number) => void;
  /** Parallel RPC requests for transactions and wallet calls. */
  concurrency?: number;
}

/** Signatures of the records a transaction carried, by record hash (from Ledger calldata). */
function signaturesFromCalldata(input: string, into: Map<string, string>): boolean {
  let parsed;
  try {
    parsed = ledgerInterface.parseTransaction({ data: input });
  } catch {
    return false;
  }
  if (!parsed) return false;
  const add = (r: unknown, sig: string) => into.set(hashRecord(toRecord(r)), sig);
  if (parsed.name === "record" || parsed.name === "recordCorrection") add(parsed.args[0], parsed.args[1]);
  else if (parsed.name === "recordBatch") (parsed.args[0] as unknown[]).forEach((r, i) => add(r, parsed.args[1][i]));
  else return false;
  return true;
}

interface CallFrame {
  to?: string;
  input?: string;
  calls?: CallFrame[];
}

/** Calls into the ledger inside a transaction sent through another contract (needs debug_traceTransaction). */
async function ledgerCallsInTrace(provider: Provider & { send?: (m: string, p: unknown[]) => Promise<unknown> }, hash: string, ledger: string): Promise<string[] | undefined> {
  if (typeof provider.send !== "function") return undefined;
  try {
    const root = (await provider.send("debug_traceTransaction", [hash, { tracer: "callTracer" }])) as CallFrame;
    const inputs: string[] = [];
    const walk = (f: CallFrame) => {
      if (f.to?.toLowerCase() === ledger && f.input) inputs.push(f.input);
      f.calls?.forEach(walk);
    };
    walk(root);
    return inputs;
  } catch {
    return undefined;
  }
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}

export async function verifyLedger(provider: Provider, address: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const ledgerAddress = address.toLowerCase();
  const block = opts.toBlock ?? (await provider.getBlockNumber());
  const events = decodeLedgerLogs(await fetchLogs(provider, address, { ...opts, toBlock: block }));
  const contract = new Contract(address, ["function tip() view returns (uint64 count, bytes24 head)"], provider);
  const [count, onChainHead] = (await contract.tip({ blockTag: block })) as [bigint, string];
  const check = verifyChain(events.entries, { count, head: onChainHead }, events.checkpoints);
  const problems: VerifyProblem[] = check.divergence ? [check.divergence] : [];

  // Signatures: from each transaction's calldata (or its trace when relayed through a contract).
  const { chainId } = await provider.getNetwork();
  const domain = ledgerDomain(chainId, address);
  const byTx = new Map<string, Entry[]>();
  for (const e of events.entries) byTx.set(e.transactionHash, [...(byTx.get(e.transactionHash) ?? []), e]);
  const signatures = new Map<string, string>();
  const untraceable = new Set<string>();
  await pool([...byTx.keys()], opts.concurrency ?? 8, async (hash) => {
    const tx = await provider.getTransaction(hash);
    if (!tx) throw new Error(`the node does not know transaction ${hash}`);
    if (tx.to?.toLowerCase() === ledgerAddress && signaturesFromCalldata(tx.data, signatures)) return;
    const inputs = await ledgerCallsInTrace(provider as Provider & { send?: (m: string, p: unknown[]) => Promise<unknown> }, hash, ledgerAddress);
    if (!inputs) {
      untraceable.add(hash);
      return;
    }
    for (const input of inputs) signaturesFromCalldata(input, signatures);
  });

  let eoa = 0;
  let wallets = 0;
  let done = 0;
  const codeAt = new Map<string, Promise<string>>();
  await pool(events.entries, opts.concurrency ?? 8, async (e) => {
    const fail = (reason: string) => problems.push({ id: e.id, reason });
    const agent = agentOf(e.record);
    if (agent.toLowerCase() !== e.signer.toLowerCase()) fail(`event signer ${e.signer} is not the record's agent ${agent}`);
    const sig = signatures.get(e.recordHash);
    if (!sig) {
      fail(untraceable.has(e.transactionHash) ? `transaction ${e.transactionHash} was sent through a contract and the node cannot trace it; signature not checked` : `no signature found for the record in transaction ${e.transactionHash}`);
    } else {
      const digest = recordDigest(domain, e.record);
      let valid = false;
      if (sig.length === 132) {
        try {
          const s = Signature.from(sig);
          valid = BigInt(s.s) <= HALF_ORDER && recoverAddress(digest, s).toLowerCase() === agent.toLowerCase();
        } catch {
          valid = false;
        }
      }
      if (valid) eoa++;
      else {
        const key = `${agent}@${e.blockNumber}`;
        if (!codeAt.has(key)) codeAt.set(key, provider.getCode(agent, e.blockNumber));
        if ((await codeAt.get(key)!) !== "0x") {
          const data = ERC1271.encodeFunctionData("isValidSignature", [digest, sig]);
          for (const tag of [e.blockNumber - 1, e.blockNumber]) {
            try {
              const out = await provider.call({ to: agent, data, blockTag: tag });
              if (out.slice(0, 10).toLowerCase() === MAGIC) {
                valid = true;
                break;
              }
            } catch {
              /* a wallet that reverts is an invalid signature */
            }
          }
          if (valid) wallets++;
        }
        if (!valid) fail(`the signature does not verify for ${agent} (EOA or ERC-1271 at block ${e.blockNumber})`);
      }
    }
    opts.onSignatures?.(++done, events.entries.length);
  });
  problems.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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
    events,
  };
}
