// What every write from the app shares: the wallet, the chain's public client, the phases a user
// sees (idle, pending in the wallet, confirming on the chain or the relayer, done, failed), EIP-712
// signing with readable typed data, and a contract call that is simulated first (so a refusal is
// explained before the wallet is asked), sent, and awaited. Declining in the wallet returns to idle
// with a neutral note; any other failure is explained by the contract's own error sentences.
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { Abi, Hex, TransactionReceipt, TypedDataDefinition } from "viem";
import { usePublicClient, useSignTypedData, useWriteContract } from "wagmi";
import { RelayerClient, RelayerError } from "@core/relayer-client.js";
import type { RelayState } from "@core/relayer-client.js";
import { explainReverted } from "../lib/errors";
import { useAppConfig } from "./useAppConfig";
import { useWallet } from "./useWallet";

export type Phase =
  | { kind: "idle"; note?: string }
  | { kind: "pending"; detail: string }
  | { kind: "confirming"; detail: string; txHash?: string }
  | { kind: "done"; entryId: bigint; txHash?: string; via: "relayer" | "direct" }
  | { kind: "failed"; message: string };

/** EIP-712 typed data as the wallet shows it: a contract's domain, its types, one message. */
export function typedData(
  d: { name: string; version: string; chainId: number; verifyingContract: string },
  types: object,
  primaryType: string,
  message: object,
): TypedDataDefinition {
  return {
    domain: { name: d.name, version: d.version, chainId: d.chainId, verifyingContract: d.verifyingContract as Hex },
    types: types as TypedDataDefinition["types"],
    primaryType,
    message: message as Record<string, unknown>,
  } as TypedDataDefinition;
}

export interface ContractCall {
  address: Hex;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
}

export function useWriteFlow(explain: (error: unknown) => { rejected: boolean; message: string }) {
  const { chain } = useAppConfig();
  const wallet = useWallet();
  const client = usePublicClient({ chainId: chain.id });
  const signer = useSignTypedData();
  const writer = useWriteContract();
  const queryClient = useQueryClient();
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });

  /** The wallet's signature of `typed`; the page says what it waits for. */
  async function sign(typed: TypedDataDefinition, waitingFor: string): Promise<Hex> {
    setPhase({ kind: "pending", detail: waitingFor });
    return (await signer.mutateAsync(typed as never)) as Hex;
  }

  /** Simulates `call` from the connected account, has the wallet send it, and waits for its receipt. */
  async function send(call: ContractCall, confirm = "Confirm the transaction in your wallet…"): Promise<{ hash: Hex; receipt: TransactionReceipt }> {
    if (!client || !wallet.address) throw new Error("no wallet or chain client");
    await client.simulateContract({ ...call, account: wallet.address } as never);
    setPhase({ kind: "pending", detail: confirm });
    const hash = await writer.mutateAsync({ ...call, chainId: chain.id } as never);
    setPhase({ kind: "confirming", detail: "Transaction sent; waiting for the chain to include it…", txHash: hash });
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") await explainReverted(client, hash);
    return { hash, receipt };
  }

  /**
   * Posts a signed message to the chain's relayer (submit; its refusal throws) and follows it until
   * it is recorded, the page saying what the relayer reports; a failure throws with the relayer's reason.
   */
  async function relay(signed: { digest: string }, waitingFor: string): Promise<RelayState> {
    const relayer = new RelayerClient(chain.relayerUrl!);
    await relayer.submit(signed);
    setPhase({ kind: "confirming", detail: waitingFor });
    const final = await relayer.waitFor(signed.digest, {
      onState: (s) =>
        setPhase({ kind: "confirming", detail: `The relayer reports: ${s.state}${s.txHash ? " (transaction sent)" : ""}…`, txHash: s.txHash ?? undefined }),
    });
    if (final.state === "failed") throw new Error(final.error ?? "the relayer could not record it");
    return final;
  }

  /**
   * Gasless when it can be: relays `signed` when the chain has a relayer that takes this kind of
   * message, and returns its final state; undefined when there is no relayer, or it answers that it
   * sends no such messages (`refusesKind` matches its reason), so that the caller's wallet sends it.
   */
  async function relayIfTaken(signed: { digest: string }, waitingFor: string, refusesKind: RegExp): Promise<RelayState | undefined> {
    if (!chain.relayerUrl) return undefined;
    try {
      return await relay(signed, waitingFor);
    } catch (error) {
      if (error instanceof RelayerError && refusesKind.test(error.reason ?? "")) return undefined;
      throw error;
    }
  }

  /** Runs a write; its failure becomes the failed phase (or idle, when the wallet declined). Returns whether it succeeded. */
  async function run(work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (error) {
      const e = explain(error);
      setPhase(e.rejected ? { kind: "idle", note: e.message } : { kind: "failed", message: e.message });
      return false;
    }
  }

  return {
    chain,
    wallet,
    client,
    queryClient,
    phase,
    setPhase,
    sign,
    send,
    relay,
    relayIfTaken,
    run,
    busy: phase.kind === "pending" || phase.kind === "confirming",
    reset: () => setPhase({ kind: "idle" }),
  };
}
