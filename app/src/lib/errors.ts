// Turns wallet, RPC, relayer and contract failures into one sentence a person can act on. Walks
// viem's error chain (BaseError.walk) for a user's refusal in the wallet (neutral, not a failure);
// a revert of any of our three contracts gets its sentence from scripts/lib/core/contract-errors.ts,
// the one copy the CLI prints too.
import { BaseError, UserRejectedRequestError } from "viem";
import type { Hex, PublicClient } from "viem";
import { explainContractError, lacksGas, noGasSentence, revertSentence } from "@core/contract-errors.js";

export interface Explained {
  /** The user declined in the wallet: not a failure. */
  rejected: boolean;
  message: string;
}

/** An error's text form "LedgerX(a, b)" (as some wallets and nodes give it). */
const TEXT_FORM = /((?:Ledger|IncomeDistributor|ReciprocityRegistry)[A-Za-z]+)\(([^)]*)\)/;

export function explainError(error: unknown): Explained {
  if (error instanceof BaseError && error.walk((e) => e instanceof UserRejectedRequestError))
    return { rejected: true, message: "You declined in the wallet; nothing was signed or sent." };
  const sentence = revertSentence(error);
  if (sentence) return { rejected: false, message: sentence };
  const short = lacksGas(error);
  if (short)
    return { rejected: false, message: noGasSentence(short.account, " (choose the relayer where the page offers it), or ask someone to send the account ETH") };
  const e = error as { code?: unknown; message?: unknown; shortMessage?: unknown };
  if (e && (e.code === 4001 || e.code === "ACTION_REJECTED")) return { rejected: true, message: "You declined in the wallet; nothing was signed or sent." };
  const text = String(e?.shortMessage ?? e?.message ?? error);
  const m = TEXT_FORM.exec(text);
  if (m) {
    const args = m[2]
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    const s = explainContractError(m[1], args);
    if (s) return { rejected: false, message: s };
  }
  if (/failed to fetch|fetch failed|networkerror|load failed/i.test(text))
    return { rejected: false, message: "The network request failed: the node or the relayer is not reachable." };
  return { rejected: false, message: text.split("\n")[0] };
}

/**
 * Throws the reason a mined transaction reverted: replays it as a call on the state before its
 * block (the call's error carries the revert data, which explainError decodes).
 */
export async function explainReverted(client: Pick<PublicClient, "getTransaction" | "call">, hash: Hex): Promise<never> {
  const tx = await client.getTransaction({ hash });
  await client.call({ account: tx.from, to: tx.to ?? undefined, data: tx.input, value: tx.value, gas: tx.gas, blockNumber: tx.blockNumber! - 1n });
  throw new Error("the transaction reverted (replaying it did not reproduce the reason)");
}
