// Accepting or disputing an entry: the validator signs an EIP-712 Validation and sends it with the
// entry's proof (scripts/lib/proof.ts builds it from the events; the contract needs it for an
// entry's first validation). A proof goes stale when a newer entry lands: rebuilt and retried.
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { Hex, TypedDataDefinition } from "viem";
import { usePublicClient, useSignTypedData, useWriteContract } from "wagmi";
import { buildEntryProof } from "../../../scripts/lib/proof.js";
import { buildValidation, DOMAIN_NAME, DOMAIN_VERSION, VALIDATION_TYPES } from "../../../scripts/lib/record.js";
import type { VerdictName } from "../../../scripts/lib/vocabulary.js";
import { ledgerAbi } from "../contracts/generated";
import { explainError, explainReverted } from "../lib/errors";
import { EvidenceError, parseEvidence } from "../lib/evidence";
import { readLedgerEvents } from "../lib/ledgerReader";
import type { Phase } from "./useContribute";
import { useAppConfig } from "./useAppConfig";
import { useWallet } from "./useWallet";

/** Nonce key of validations (the CLI's). */
export const VALIDATION_NONCE_KEY = 2n;

export function useValidate(entryId: bigint) {
  const { chain } = useAppConfig();
  const wallet = useWallet();
  const client = usePublicClient({ chainId: chain.id });
  const signer = useSignTypedData();
  const writer = useWriteContract();
  const queryClient = useQueryClient();
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const [evidence, setEvidence] = useState("");
  const ledger = chain.contracts.Ledger;
  let evidenceError: string | undefined;
  try {
    parseEvidence(evidence);
  } catch (error) {
    evidenceError = error instanceof EvidenceError ? error.message : String(error);
  }

  async function validate(verdict: VerdictName) {
    if (!wallet.canWrite || !ledger || !client || !wallet.address || evidenceError) return;
    try {
      const validator = wallet.address;
      const [block, nonce] = await Promise.all([
        client.getBlock({ blockTag: "latest" }),
        client.readContract({ address: ledger, abi: ledgerAbi, functionName: "nonces", args: [validator, VALIDATION_NONCE_KEY] }),
      ]);
      const v = buildValidation({ entryId, verdict, validator, evidence: parseEvidence(evidence), nonce, deadline: block.timestamp + 3600n });
      setPhase({ kind: "pending", detail: `Waiting for your signature (${verdict}) in the wallet…` });
      const typed = {
        domain: { name: DOMAIN_NAME, version: DOMAIN_VERSION, chainId: chain.id, verifyingContract: ledger },
        types: VALIDATION_TYPES as unknown as TypedDataDefinition["types"],
        primaryType: "Validation",
        message: v as unknown as Record<string, unknown>,
      } as TypedDataDefinition;
      const signature = await signer.mutateAsync(typed as never);
      for (let attempt = 1; ; attempt++) {
        const snapshot = await readLedgerEvents({ rpcUrl: chain.rpcUrl, chainId: chain.id, ledger, fromBlock: chain.fromBlock });
        const proof = buildEntryProof(snapshot.events.entries, entryId);
        try {
          await client.simulateContract({ address: ledger, abi: ledgerAbi, functionName: "validate", args: [v as never, signature as Hex, proof as never], account: validator });
          setPhase({ kind: "pending", detail: "Confirm the transaction in your wallet…" });
          const hash = await writer.mutateAsync({ address: ledger, abi: ledgerAbi, functionName: "validate", args: [v as never, signature as Hex, proof as never], chainId: chain.id });
          setPhase({ kind: "confirming", detail: "Transaction sent; waiting for the chain to include it…", txHash: hash });
          const receipt = await client.waitForTransactionReceipt({ hash });
          if (receipt.status !== "success") await explainReverted(client, hash);
          setPhase({ kind: "done", entryId, txHash: hash, via: "direct" });
          break;
        } catch (error) {
          if (attempt >= 3 || !/LedgerInvalidProof/.test(String((error as Error).message))) throw error;
        }
      }
      void queryClient.invalidateQueries({ queryKey: ["ledger-events"] });
    } catch (error) {
      const e = explainError(error);
      setPhase(e.rejected ? { kind: "idle", note: e.message } : { kind: "failed", message: e.message });
    }
  }

  return { phase, validate, evidence, setEvidence, evidenceError, busy: phase.kind === "pending" || phase.kind === "confirming", reset: () => setPhase({ kind: "idle" }) };
}
