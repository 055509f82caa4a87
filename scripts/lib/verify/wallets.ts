// ERC-1271 wallet signatures, judged as the contract saw them (V-1).
//
// The contract accepted every recorded signature (the hash chain to the on-chain head shows the
// entry was recorded, and its rule is EOA or ERC-1271), but a wallet's answer can be asked again
// only at block boundaries: the state before the recording block and after it. A wallet that
// answers valid at either verifies. Otherwise the recording transaction's trace, where the node
// offers one, shows the answer the contract got, and decides. Without a trace, a wallet that has
// code at a boundary yet says invalid at both changed its answer within the block (V-1), and a
// wallet whose code existed only within the block (an EIP-7702 delegation set and removed there)
// cannot be asked at all: both are undecided, as is an entry whose requests the node failed. A
// non-EOA signature by an agent without code before or after the block, with nothing in the block
// giving it code, is a bad signature.
import { Interface, verifyAuthorization } from "ethers";
import type { Provider } from "ethers";
import { classifyRpcError, LedgerReadError, rpcRetry, rpcSend } from "../core/reader.js";
import type { Entry, ReadOptions } from "../core/reader.js";
import { agentOf } from "../core/record.js";
import { tracedCalls } from "./transactions.js";

const ERC1271 = new Interface(["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"]);
const MAGIC = "0x1626ba7e";
const MAGIC_WORD = MAGIC + "0".repeat(56);
/** Whether a wallet's returned data is the magic value as the contract reads it: at least 32 bytes, the first word equal to it. */
const isMagicWord = (returned: string): boolean => returned.length >= 66 && returned.slice(0, 66).toLowerCase() === MAGIC_WORD;

/** What a wallet said at one block boundary (the state after `block`). */
interface WalletAnswer {
  block: number;
  /** valid: the magic value for one of the signatures; invalid: anything else, a revert included. */
  answer: "valid" | "invalid" | "no code" | "failed";
  /** Why the node failed (a LedgerReadError naming the request). */
  error?: LedgerReadError;
}

/** Whether an eth_call failure is the wallet's own (a revert, out of gas): an invalid answer, as the contract takes it. */
function walletFailed(error: unknown): boolean {
  const { kind, reason } = classifyRpcError(error);
  return kind === "fatal" && /^JSON-RPC error 3 |revert|out of gas|outofgas|invalid opcode|stack (under|over)flow/i.test(reason);
}

/**
 * The wallet `agent`'s answers to isValidSignature(digest, candidate) before the recording block
 * and after it (stopping at the first valid one), asked as the ledger asks (from `caller`).
 * `codeAt` caches eth_getCode.
 */
async function askWallet(
  provider: Provider,
  agent: string,
  digest: string,
  candidates: readonly string[],
  blockNumber: number,
  opts: ReadOptions,
  codeAt: Map<string, Promise<string>>,
  caller?: string,
): Promise<WalletAnswer[]> {
  const answers: WalletAnswer[] = [];
  for (const block of [blockNumber - 1, blockNumber]) {
    const key = `${agent.toLowerCase()}@${block}`;
    if (!codeAt.has(key))
      codeAt.set(
        key,
        rpcRetry(`eth_getCode ${agent} at block ${block}`, () => provider.getCode(agent, block), opts),
      );
    let code: string;
    try {
      code = await codeAt.get(key)!;
    } catch (error) {
      answers.push({ block, answer: "failed", error: error as LedgerReadError });
      continue;
    }
    if (code === "0x") {
      answers.push({ block, answer: "no code" });
      continue;
    }
    let answer: WalletAnswer = { block, answer: "invalid" };
    for (const sig of candidates) {
      const data = ERC1271.encodeFunctionData("isValidSignature", [digest, sig]);
      try {
        const out = await rpcRetry(
          `eth_call isValidSignature on ${agent} at block ${block}`,
          () => provider.call({ to: agent, data, blockTag: block, ...(caller ? { from: caller } : {}) }),
          opts,
        );
        if (isMagicWord(out)) {
          answer = { block, answer: "valid" };
          break;
        }
      } catch (error) {
        if (!walletFailed((error as LedgerReadError).cause)) answer = { block, answer: "failed", error: error as LedgerReadError };
      }
    }
    answers.push(answer);
    if (answer.answer === "valid") break;
  }
  return answers;
}

/**
 * Whether one of `candidates` is a valid ERC-1271 signature of `digest` by the wallet `agent`,
 * asked before the recording block and after it. A wallet that reverts is an invalid signature;
 * a request the node keeps failing is a LedgerReadError. `codeAt` caches eth_getCode. (verifyLedger
 * goes further: see judgeWalletSignature.)
 */
export async function walletSignatureValid(
  provider: Provider,
  agent: string,
  digest: string,
  candidates: readonly string[],
  blockNumber: number,
  opts: ReadOptions = {},
  codeAt: Map<string, Promise<string>> = new Map(),
): Promise<boolean> {
  const answers = await askWallet(provider, agent, digest, candidates, blockNumber, opts, codeAt);
  if (answers.some((a) => a.answer === "valid")) return true;
  const failed = answers.find((a) => a.error);
  if (failed) throw failed.error;
  return false;
}

/**
 * The answer the ledger got from `agent` for `digest` in transaction `hash`, from the node's trace:
 * valid if one of its isValidSignature calls returned the magic value as the contract reads it,
 * else invalid; undefined if the node does not trace.
 */
async function walletAnswerInTrace(
  provider: Provider,
  ledger: string,
  agent: string,
  digest: string,
  hash: string,
  opts: ReadOptions,
): Promise<"valid" | "invalid" | undefined> {
  const frames = await tracedCalls(provider, hash, opts);
  if (!frames) return undefined;
  const asked = frames.filter(
    (f) =>
      f.from?.toLowerCase() === ledger &&
      f.to?.toLowerCase() === agent.toLowerCase() &&
      f.input?.slice(0, 74).toLowerCase() === MAGIC + digest.slice(2).toLowerCase(),
  );
  return asked.some((f) => !f.error && typeof f.output === "string" && isMagicWord(f.output)) ? "valid" : "invalid";
}

/** A transaction of block `blockNumber` carrying an EIP-7702 delegation authorised by `agent`, if any. */
async function delegationInBlock(provider: Provider, agent: string, blockNumber: number, opts: ReadOptions): Promise<string | undefined> {
  const block = await rpcRetry(`eth_getBlockByNumber ${blockNumber}`, () => provider.getBlock(blockNumber, true), opts);
  if (!block) throw new LedgerReadError(`the node does not know block ${blockNumber}`);
  for (const tx of block.prefetchedTransactions) {
    for (const auth of tx.authorizationList ?? []) {
      try {
        if (verifyAuthorization(auth, auth.signature).toLowerCase() === agent.toLowerCase()) return tx.hash;
      } catch {
        /* an authorization that recovers to nobody */
      }
    }
  }
  return undefined;
}

export type WalletVerdict = { kind: "valid" } | { kind: "invalid"; reason: string } | { kind: "undecided"; reason: string };

/**
 * Judges a recorded entry's signature that is not its agent's EOA signature, as the contract saw
 * it (see the rule above). A request that fails for this entry alone makes it undecided, once the
 * node is shown to answer otherwise; a node that answers nothing any more is a LedgerReadError.
 */
export async function judgeWalletSignature(
  provider: Provider,
  ledger: string,
  e: Entry,
  digest: string,
  candidates: readonly string[],
  opts: ReadOptions,
  codeAt: Map<string, Promise<string>>,
): Promise<WalletVerdict> {
  const agent = agentOf(e.record);
  const n = e.blockNumber;
  const answers = await askWallet(provider, agent, digest, candidates, n, opts, codeAt, ledger);
  if (answers.some((a) => a.answer === "valid")) return { kind: "valid" };
  let failure = answers.find((a) => a.error)?.error;
  const nodeAnswers = async (error: LedgerReadError): Promise<void> => {
    try {
      await rpcRetry("eth_blockNumber", () => rpcSend(provider, "eth_blockNumber", []), opts);
    } catch {
      throw error;
    }
  };
  if (failure) await nodeAnswers(failure);
  const notEoa = `the signature does not verify for ${agent}: it is not its EOA signature`;
  try {
    const traced = await walletAnswerInTrace(provider, ledger, agent, digest, e.transactionHash, opts);
    if (traced === "valid") return { kind: "valid" };
    if (traced === "invalid")
      return { kind: "invalid", reason: `${notEoa}, and the trace of transaction ${e.transactionHash} shows the ledger got no ERC-1271 magic value from it` };
  } catch (error) {
    if (!failure) await nodeAnswers(error as LedgerReadError);
    failure ??= error as LedgerReadError;
  }
  const nodeFailed = (error: LedgerReadError): WalletVerdict => ({
    kind: "undecided",
    reason: `not ${agent}'s EOA signature, and the node failed a request needed to ask the wallet (${error.message})`,
  });
  if (failure) return nodeFailed(failure);
  const transient = "which a node without transaction tracing cannot replay";
  if (answers.some((a) => a.answer === "invalid")) {
    const [before, after] = answers.map((a) => (a.answer === "no code" ? "had no code" : "said invalid"));
    const said = before === after ? `${before} before and after block ${n}` : `${before} before block ${n} and ${after} after it`;
    return {
      kind: "undecided",
      reason: `the wallet ${agent} ${said}, yet the contract accepted its signature in that block: the wallet's answer changed within the block, ${transient}`,
    };
  }
  let delegation: string | undefined;
  try {
    delegation = await delegationInBlock(provider, agent, n, opts);
  } catch (error) {
    await nodeAnswers(error as LedgerReadError);
    return nodeFailed(error as LedgerReadError);
  }
  if (delegation) {
    return {
      kind: "undecided",
      reason: `${agent} had no code before and after block ${n}, but transaction ${delegation} of that block carries its EIP-7702 delegation: the wallet code the contract accepted the signature with existed only within the block, ${transient}`,
    };
  }
  return { kind: "invalid", reason: `${notEoa}, and it had no code before or after block ${n} (the contract takes an EOA or an ERC-1271 signature)` };
}
