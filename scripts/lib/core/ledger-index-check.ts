// Checks a ledger index (ledger-index.ts) against the chain, so that a page can show the index at
// once and still show only what the chain says:
// - entries: the hash chain is recomputed from the index's records and signers (each record's
//   EIP-712 struct hash, then bytes24(keccak256(head, id, signer, recordHash)) as the contract
//   does), extended with the entries recorded after the index's last block (read from the node),
//   and compared with the contract's own head at the last block read (`tip()` at that block);
// - every other event (validations, corrections, commons, stewards, quorum rules, checkpoints,
//   skipped records, cancelled nonces): read from the node with a topic filter over the index's
//   blocks and compared one by one, fields, block, transaction and log position.
// Not checked: the block, transaction and log position the index gives each entry (the chain proves
// an entry's content and order, not where it was mined); the Entry page reads its transaction from
// the node itself.
import { Contract, toQuantity } from "ethers";
import type { JsonRpcProvider } from "ethers";
import { chainStep, GENESIS_HEAD } from "./chain.js";
import { loadFastKeccak } from "./keccak.js";
import type { LedgerIndexMeta } from "./ledger-index.js";
import { LEDGER_TOPICS } from "./abi.js";
import { decodeLedgerLogs, fetchLogs, ledgerInterface, rpcRetry } from "./reader.js";
import type { Entry, LedgerEvents } from "./reader.js";

export type IndexCheck =
  { ok: true; entries: number; otherEvents: number; head: string; checkedToBlock: number; laterEntries: number } | { ok: false; problem: string };

const OTHER_TOPICS: string[] = [];
ledgerInterface().forEachEvent((e) => {
  if (e.topicHash !== LEDGER_TOPICS.Recorded) OTHER_TOPICS.push(e.topicHash);
});

/** A canonical text of a decoded event (bigints as decimals), for comparison. */
function canonical(e: LedgerEvents["all"][number]): string {
  return JSON.stringify(
    { name: e.name, args: e.args, blockNumber: e.blockNumber, transactionHash: e.transactionHash.toLowerCase(), logIndex: e.logIndex },
    (_k, v) => (typeof v === "bigint" ? v.toString() : typeof v === "string" ? v.toLowerCase() : v),
  );
}

function chainEntries(entries: readonly Entry[], start: { head: string; next: bigint }, what: string): { head: string; next: bigint } | { problem: string } {
  let { head, next } = start;
  for (const e of entries) {
    if (e.id !== next) return { problem: `${what} has entry #${e.id} where #${next} was expected` };
    head = chainStep(head, e.id, e.signer, e.recordHash);
    next++;
  }
  return { head, next };
}

export async function checkLedgerIndex(o: {
  provider: JsonRpcProvider;
  meta: LedgerIndexMeta;
  events: LedgerEvents;
  onProgress?: (stage: string) => void;
}): Promise<IndexCheck> {
  const { provider, meta, events } = o;
  const ledger = new Contract(meta.ledger, ["function tip() view returns (uint64 count, bytes24 head)"], provider);

  o.onProgress?.("entries");
  await loadFastKeccak(); // every entry is hashed twice below
  const chained = chainEntries(events.entries, { head: GENESIS_HEAD, next: 1n }, "the index");
  if ("problem" in chained) return { ok: false, problem: chained.problem };

  // The entries after the index's last block, then the contract's head at the last block read.
  o.onProgress?.("later entries");
  const latest = await rpcRetry("eth_blockNumber", () => provider.getBlockNumber(), { maxAttempts: 3 });
  if (latest < meta.toBlock) return { ok: false, problem: `the index reaches block ${meta.toBlock}, the chain only ${latest}` };
  const later =
    latest > meta.toBlock
      ? decodeLedgerLogs(
          await fetchLogs(provider, meta.ledger, { fromBlock: meta.toBlock + 1, toBlock: latest, topic0: [LEDGER_TOPICS.Recorded], maxAttempts: 3 }),
          {
            lazyRecordHash: false,
          },
        ).entries
      : [];
  const all = chainEntries(later, chained, "the chain after the index");
  if ("problem" in all) return { ok: false, problem: all.problem };
  const [count, head] = (await rpcRetry("tip()", () => ledger.tip({ blockTag: toQuantity(latest) }), { maxAttempts: 3 })) as [bigint, string];
  const total = all.next - 1n;
  if (count !== total) {
    return { ok: false, problem: `the contract held ${count} entries at block ${latest}; the index and the later blocks give ${total}` };
  }
  if (head.toLowerCase() !== all.head) {
    return {
      ok: false,
      problem: `the entries do not chain to the contract's head at block ${latest} (${head.toLowerCase()}, recomputed ${all.head}): an entry's record or signer differs from what was recorded`,
    };
  }

  // Every other event over the index's blocks, compared with the node's.
  o.onProgress?.("other events");
  const fromChain = decodeLedgerLogs(
    await fetchLogs(provider, meta.ledger, { fromBlock: meta.fromBlock, toBlock: meta.toBlock, topic0: OTHER_TOPICS, maxAttempts: 3 }),
  ).all;
  const fromIndex = events.all.filter((e) => e.name !== "Recorded");
  const n = Math.max(fromChain.length, fromIndex.length);
  for (let i = 0; i < n; i++) {
    const c = fromChain[i];
    const x = fromIndex[i];
    if (!c) return { ok: false, problem: `the index has a ${x.name} event in block ${x.blockNumber} (log ${x.logIndex}) that the chain does not have` };
    if (!x) return { ok: false, problem: `the index lacks the chain's ${c.name} event in block ${c.blockNumber} (log ${c.logIndex})` };
    if (canonical(c) !== canonical(x))
      return {
        ok: false,
        problem: `the index's ${x.name} event in block ${x.blockNumber} (log ${x.logIndex}) differs from the chain's ${c.name} event in block ${c.blockNumber} (log ${c.logIndex})`,
      };
  }
  return { ok: true, entries: events.entries.length, otherEvents: fromIndex.length, head: all.head, checkedToBlock: latest, laterEntries: later.length };
}
