// `--verify` for track and trace: each hop's signature (EOA by ecrecover rules, ERC-1271 wallets
// asked at the recording block) and its on-chain inclusion (the hop's Recorded event is in its
// transaction's receipt, emitted by the ledger, with the same record; and the hash chain over all
// entries, which commits to every (id, signer, record hash), ends in the on-chain head). The
// building blocks are verify's (transactions.ts, signatures.ts, wallets.ts) and core's (chain.ts);
// only the selection of entries is new. A hop is any entry of the ledger that a tool wants checked
// (supply/supply.ts's trace hops, for `trace --verify`); this file needs only its id and transaction.
import { isHexString, TypedDataEncoder } from "ethers";
import type { Provider } from "ethers";
import { LEDGER_TOPICS } from "../core/abi.js";
import { ledgerInterface, LedgerReadError, rpcRetry, rpcSendBatch } from "../core/reader.js";
import type { Entry, LedgerEvents } from "../core/reader.js";
import { agentOf, ledgerDomain, recordHashOfWords } from "../core/record.js";
import { verifyChain } from "../core/chain.js";
import { checkEoaSignatures, eoaSignatureValid, recordDigest712 } from "./signatures.js";
import { loadTransactionSignatures } from "./transactions.js";
import type { SignatureMap, TransactionReadOptions } from "./transactions.js";
import { walletSignatureValid } from "./wallets.js";

/** An entry to verify, as a trace lists it; verifyHops sets `verified`. */
export interface VerifiableHop {
  id: bigint;
  transactionHash: string;
  verified?: { ok: boolean; signature: string; inclusion: string };
}

export interface HopVerification {
  /** The hash chain over all entries read, against the on-chain head at `block`. */
  chain: { ok: boolean; head: string; onChainHead: string; reason?: string };
  block: number;
  verified: number;
  failed: number;
}

interface ReceiptLog {
  address?: string;
  topics?: string[];
  data?: string;
}
interface Receipt {
  status?: string;
  blockNumber?: string;
  logs?: ReceiptLog[];
}

/**
 * Verifies each hop and sets `hop.verified`. `events` must hold every entry of the ledger up to
 * `block` (as readLedger returns them with `toBlock: block`).
 */
export async function verifyHops(
  provider: Provider,
  ledger: string,
  events: LedgerEvents,
  block: number,
  hops: readonly VerifiableHop[],
  opts: TransactionReadOptions = {},
): Promise<HopVerification> {
  const ledgerAddress = ledger.toLowerCase();
  const { chainId } = await rpcRetry("eth_chainId", () => provider.getNetwork(), opts);
  const domainSeparator = TypedDataEncoder.hashDomain(ledgerDomain(chainId, ledger));
  const tipCall = ledgerInterface().encodeFunctionData("tip");
  const tipData = await rpcRetry("tip()", () => provider.call({ to: ledger, data: tipCall, blockTag: block }), opts);
  const [count, onChainHead] = ledgerInterface().decodeFunctionResult("tip", tipData) as unknown as [bigint, string];
  const chain = verifyChain(events.entries, { count, head: onChainHead }, events.checkpoints);
  const chainReason = chain.divergence ? `hash chain diverges at entry ${chain.divergence.id}: ${chain.divergence.reason}` : undefined;

  const byId = new Map<bigint, Entry>(events.entries.map((e) => [e.id, e]));
  const txs = [...new Set(hops.map((h) => h.transactionHash))];
  const receipts = new Map<string, Receipt | null>();
  for (let i = 0; i < txs.length; i += 20) {
    const group = txs.slice(i, i + 20);
    const got = (await rpcRetry(
      `eth_getTransactionReceipt (${group.length})`,
      () =>
        rpcSendBatch(
          provider,
          group.map((h) => ({ method: "eth_getTransactionReceipt", params: [h] })),
        ),
      opts,
    )) as (Receipt | null)[];
    group.forEach((h, k) => receipts.set(h, got[k]));
  }
  const signatures = new Map<string, SignatureMap>();
  const untraceable = new Set<string>();
  await loadTransactionSignatures(provider, ledgerAddress, txs, signatures, untraceable, opts);

  // Inclusion first; then the signatures of included hops, EOA ones in one batch.
  const words = new Map<VerifiableHop, string>();
  for (const hop of hops) {
    const entry = byId.get(hop.id);
    const fail = (inclusion: string) => (hop.verified = { ok: false, signature: "not checked", inclusion });
    if (!entry || entry.transactionHash !== hop.transactionHash) {
      fail(`entry ${hop.id} is not among the ledger's events up to block ${block}`);
      continue;
    }
    const receipt = receipts.get(hop.transactionHash);
    if (!receipt) {
      fail(`the node has no receipt for ${hop.transactionHash}`);
      continue;
    }
    if (receipt.status !== "0x1") {
      fail(`transaction ${hop.transactionHash} reverted`);
      continue;
    }
    if (Number(receipt.blockNumber) !== entry.blockNumber) {
      fail(`transaction ${hop.transactionHash} is in block ${Number(receipt.blockNumber)}, not ${entry.blockNumber}`);
      continue;
    }
    const log = (receipt.logs ?? []).find(
      (l) =>
        l.address?.toLowerCase() === ledgerAddress && l.topics?.[0] === LEDGER_TOPICS.Recorded && l.topics.length === 3 && BigInt(l.topics[1]) === entry.id,
    );
    if (!log || typeof log.data !== "string") {
      fail(`no Recorded event for entry ${entry.id} from the ledger in ${hop.transactionHash}`);
      continue;
    }
    // (Data that is not hex, from a node that misbehaves, carries no record at all.)
    if (!isHexString(log.data, true) || recordHashOfWords(log.data) !== entry.recordHash || `0x${log.topics![2].slice(26)}` !== entry.signer.toLowerCase()) {
      fail(`the Recorded event in ${hop.transactionHash} carries another record or signer than entry ${entry.id}`);
      continue;
    }
    if (chainReason && entry.id >= chain.divergence!.id) {
      fail(chainReason);
      continue;
    }
    if (!chain.ok) {
      fail(chainReason ?? "the hash chain does not end in the on-chain head");
      continue;
    }
    words.set(hop, log.data.slice(2).toLowerCase());
  }
  const eoa: { hop: VerifiableHop; entry: Entry; candidates: string[] }[] = [];
  for (const [hop, w] of words) {
    const entry = byId.get(hop.id)!;
    const candidates = signatures.get(hop.transactionHash)?.get(w);
    if (!candidates) {
      hop.verified = {
        ok: false,
        signature: untraceable.has(hop.transactionHash)
          ? "sent through a contract the node cannot trace; not checked"
          : "no signature found in the transaction",
        inclusion: "ok",
      };
      continue;
    }
    eoa.push({ hop, entry, candidates });
  }
  const valid = checkEoaSignatures(
    eoa.map(({ entry, candidates }) => ({
      digest: recordDigest712(domainSeparator, entry.recordHash),
      signature: candidates[0],
      agent: agentOf(entry.record),
    })),
  );
  const codeAt = new Map<string, Promise<string>>();
  for (let i = 0; i < eoa.length; i++) {
    const { hop, entry, candidates } = eoa[i];
    const agent = agentOf(entry.record);
    const digest = recordDigest712(domainSeparator, entry.recordHash);
    let signature = "not valid for the agent (EOA or ERC-1271)";
    if (agent.toLowerCase() !== entry.signer.toLowerCase()) signature = `the event's signer ${entry.signer} is not the record's agent ${agent}`;
    else if (valid[i] || candidates.slice(1).some((s) => eoaSignatureValid(digest, s, agent))) signature = "ok";
    else if (await walletSignatureValid(provider, agent, digest, candidates, entry.blockNumber, opts, codeAt)) signature = "ok";
    hop.verified = { ok: signature === "ok", signature, inclusion: "ok" };
  }
  let verified = 0;
  for (const h of hops) if (h.verified?.ok) verified++;
  if (hops.some((h) => !h.verified)) throw new LedgerReadError("internal: a hop was left unverified");
  return {
    chain: { ok: chain.ok, head: chain.head, onChainHead: onChainHead.toLowerCase(), reason: chainReason },
    block,
    verified,
    failed: hops.length - verified,
  };
}
