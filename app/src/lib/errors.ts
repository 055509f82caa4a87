// Turns wallet, RPC, relayer and contract failures into one sentence a person can act on. Walks
// viem's error chain (BaseError.walk), maps the Ledger's custom errors (by name, with their
// arguments) to sentences, and recognises a user's refusal in the wallet as neutral, not a failure.
import { BaseError, ContractFunctionRevertedError, decodeErrorResult, UserRejectedRequestError } from "viem";
import type { Hex, PublicClient } from "viem";
import { ledgerAbi } from "../contracts/generated";
import { LEDGER_ERRORS } from "@core/ledger-errors.js";

type Args = readonly unknown[];

export interface Explained {
  /** The user declined in the wallet: not a failure. */
  rejected: boolean;
  message: string;
}

/** A sentence for a custom error given by name and arguments, or by its text "LedgerX(a, b)". */
export function explainLedgerError(name: string, args: Args): string | undefined {
  return LEDGER_ERRORS[name]?.(args);
}

const TEXT_FORM = /(Ledger[A-Za-z]+)\(([^)]*)\)/;

export function explainError(error: unknown): Explained {
  if (error instanceof BaseError) {
    if (error.walk((e) => e instanceof UserRejectedRequestError)) return { rejected: true, message: "You declined in the wallet; nothing was signed or sent." };
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
    if (revert?.data?.errorName) {
      const s = explainLedgerError(revert.data.errorName, revert.data.args ?? []);
      if (s) return { rejected: false, message: s };
    }
    const raw = (revert?.raw ?? (error.walk((e) => typeof (e as { data?: unknown }).data === "string") as { data?: Hex } | null)?.data) as Hex | undefined;
    if (raw && raw.length >= 10) {
      try {
        const d = decodeErrorResult({ abi: ledgerAbi, data: raw });
        const s = explainLedgerError(d.errorName, d.args ?? []);
        if (s) return { rejected: false, message: s };
      } catch {
        /* not one of ours */
      }
    }
  }
  const e = error as { code?: unknown; message?: unknown; shortMessage?: unknown };
  if (e && (e.code === 4001 || e.code === "ACTION_REJECTED")) return { rejected: true, message: "You declined in the wallet; nothing was signed or sent." };
  const text = String(e?.shortMessage ?? e?.message ?? error);
  const m = TEXT_FORM.exec(text);
  if (m) {
    const args = m[2].split(",").map((s) => s.trim()).filter((s) => s !== "");
    const s = explainLedgerError(m[1], args);
    if (s) return { rejected: false, message: s };
  }
  if (/failed to fetch|fetch failed|networkerror|load failed/i.test(text)) return { rejected: false, message: "The network request failed: the node or the relayer is not reachable." };
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
