// A licensee declaring from the app: the declaration built and checked by scripts/lib/reciprocity.ts
// (buildDeclaration), signed as EIP-712 in the wallet (the registry's domain and Declaration type,
// so the wallet shows every field), simulated, then sent to the registry by the licensee.
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { Hex, TypedDataDefinition } from "viem";
import { usePublicClient, useSignTypedData, useWriteContract } from "wagmi";
import { buildDeclaration, DECLARATION_TYPES, RECIPROCITY_DOMAIN_NAME, RECIPROCITY_DOMAIN_VERSION, ReciprocityInputError } from "../../../scripts/lib/reciprocity.js";
import type { DeclarationKindName, EntityFormName, UseKindName } from "../../../scripts/lib/reciprocity.js";
import { reciprocityRegistryAbi } from "../contracts/generated";
import { explainRegistryError } from "../lib/contractErrors";
import { EvidenceError, parseEvidence } from "../lib/evidence";
import type { Phase } from "./useContribute";
import { useAppConfig } from "./useAppConfig";
import { useWallet } from "./useWallet";

export interface DeclareInput {
  kind: DeclarationKindName;
  work: bigint;
  form: EntityFormName;
  use: UseKindName;
  /** Surplus period, "YYYY-MM-DD" (UTC days; the end day is excluded). */
  start: string;
  end: string;
  evidence: string;
}

const day = (text: string, field: string) => {
  if (!/^\d{4}-\d\d-\d\d$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) throw new ReciprocityInputError(field, `"${text}" is not a date (YYYY-MM-DD)`);
  return BigInt(Date.parse(`${text}T00:00:00Z`) / 1000);
};

export function useDeclare() {
  const { chain } = useAppConfig();
  const wallet = useWallet();
  const client = usePublicClient({ chainId: chain.id });
  const signer = useSignTypedData();
  const writer = useWriteContract();
  const queryClient = useQueryClient();
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const registry = chain.contracts.ReciprocityRegistry;

  /** The field problem of `input`, or undefined (checked before the wallet is asked). */
  function problem(input: DeclareInput): string | undefined {
    try {
      parseEvidence(input.evidence);
      buildDeclaration({ kind: input.kind, licensee: wallet.address ?? "0x0000000000000000000000000000000000000001", work: input.work, form: input.form, use: input.use, start: input.kind === "surplus" ? day(input.start, "start") : undefined, end: input.kind === "surplus" ? day(input.end, "end") : undefined, nonce: 0n, deadline: 0n });
      return undefined;
    } catch (error) {
      if (error instanceof ReciprocityInputError || error instanceof EvidenceError) return error.message;
      throw error;
    }
  }

  async function declare(input: DeclareInput): Promise<boolean> {
    if (!wallet.canWrite || !wallet.address || !client || !registry || problem(input)) return false;
    const licensee = wallet.address;
    try {
      const [block, nonce] = await Promise.all([
        client.getBlock({ blockTag: "latest" }),
        client.readContract({ address: registry, abi: reciprocityRegistryAbi, functionName: "declarationNonce", args: [licensee, input.work] }),
      ]);
      const d = buildDeclaration({ kind: input.kind, licensee, work: input.work, form: input.form, use: input.use, start: input.kind === "surplus" ? day(input.start, "start") : undefined, end: input.kind === "surplus" ? day(input.end, "end") : undefined, evidence: parseEvidence(input.evidence), nonce: BigInt(nonce), deadline: block.timestamp + 3600n });
      setPhase({ kind: "pending", detail: `Waiting for your signature (${input.kind} declaration) in the wallet…` });
      const typed = {
        domain: { name: RECIPROCITY_DOMAIN_NAME, version: RECIPROCITY_DOMAIN_VERSION, chainId: chain.id, verifyingContract: registry },
        types: DECLARATION_TYPES as unknown as TypedDataDefinition["types"],
        primaryType: "Declaration",
        message: d as unknown as Record<string, unknown>,
      } as TypedDataDefinition;
      const signature = (await signer.mutateAsync(typed as never)) as Hex;
      const args = [d as never, signature] as const;
      await client.simulateContract({ address: registry, abi: reciprocityRegistryAbi, functionName: "declare", args, account: licensee });
      setPhase({ kind: "pending", detail: "Confirm the transaction in your wallet…" });
      const hash = await writer.mutateAsync({ address: registry, abi: reciprocityRegistryAbi, functionName: "declare", args, chainId: chain.id });
      setPhase({ kind: "confirming", detail: "Transaction sent; waiting for the chain to include it…", txHash: hash });
      const receipt = await client.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
      // The registry's records are read again before "done", so the status shown names the new record.
      await queryClient.refetchQueries({ queryKey: ["reciprocity-registry"] });
      // "done" carries the work id in entryId (the phase type is shared with the ledger writes).
      setPhase({ kind: "done", entryId: input.work, txHash: hash, via: "direct" });
      return true;
    } catch (error) {
      const e = explainRegistryError(error);
      setPhase(e.rejected ? { kind: "idle", note: e.message } : { kind: "failed", message: e.message });
      return false;
    }
  }

  return { phase, declare, problem, busy: phase.kind === "pending" || phase.kind === "confirming", reset: () => setPhase({ kind: "idle" }) };
}
