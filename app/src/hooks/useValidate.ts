// Accepting or disputing an entry: the validator signs an EIP-712 Validation; it goes through the
// relayer when one is configured (gasless: the relayer adds the proof and pays), else the wallet sends it with the
// entry's proof (scripts/lib/core/proof.ts builds it from the events; the contract needs it for an
// entry's first validation). A proof goes stale when a newer entry lands: rebuilt and retried.
import { useState } from "react";
import type { Abi } from "viem";
import { buildEntryProof } from "@core/proof.js";
import { buildValidation, DOMAIN_NAME, DOMAIN_VERSION, ledgerDomain, toSignedValidationJson, VALIDATION_TYPES } from "@core/record.js";
import type { VerdictName } from "@core/vocabulary.js";
import { ledgerAbi } from "../contracts/generated";
import { explainError } from "../lib/errors";
import { EvidenceError, parseEvidence } from "../lib/evidence";
import { readLedgerEvents } from "../lib/ledgerReader";
import { typedData, useWriteFlow } from "./useWriteFlow";

/** Nonce key of validations (the CLI's). */
export const VALIDATION_NONCE_KEY = 2n;

export function useValidate(entryId: bigint) {
  const flow = useWriteFlow(explainError);
  const { chain, wallet, client } = flow;
  const [evidence, setEvidence] = useState("");
  const ledger = chain.contracts.Ledger;
  let evidenceError: string | undefined;
  try {
    parseEvidence(evidence);
  } catch (error) {
    evidenceError = error instanceof EvidenceError ? error.message : String(error);
  }

  /** `appointed`: whether the wallet's account is appointed for the entry's action (the relayer pays only for verdicts that count). */
  async function validate(verdict: VerdictName, appointed: boolean) {
    if (!wallet.canWrite || !ledger || !client || !wallet.address || evidenceError) return;
    const validator = wallet.address;
    await flow.run(async () => {
      const [block, nonce] = await Promise.all([
        client.getBlock({ blockTag: "latest" }),
        client.readContract({ address: ledger, abi: ledgerAbi, functionName: "nonces", args: [validator, VALIDATION_NONCE_KEY] }),
      ]);
      const v = buildValidation({ entryId, verdict, validator, evidence: parseEvidence(evidence), nonce, deadline: block.timestamp + 3600n });
      const signature = await flow.sign(
        typedData({ name: DOMAIN_NAME, version: DOMAIN_VERSION, chainId: chain.id, verifyingContract: ledger }, VALIDATION_TYPES, "Validation", v),
        `Waiting for your signature (${verdict}) in the wallet…`,
      );
      if (chain.relayerUrl && appointed) {
        // Gasless: the relayer checks it as the Ledger would, sends it with the proof and pays.
        const final = await flow.relay(
          toSignedValidationJson(ledgerDomain(chain.id, ledger), v, signature),
          "Sent to the relayer; waiting for it to record your verdict…",
        );
        flow.setPhase({ kind: "done", entryId, txHash: final.txHash ?? undefined, via: "relayer" });
        void flow.queryClient.invalidateQueries({ queryKey: ["ledger-events"] });
        return;
      }
      for (let attempt = 1; ; attempt++) {
        const snapshot = await readLedgerEvents({ rpcUrl: chain.rpcUrl, chainId: chain.id, ledger, fromBlock: chain.fromBlock });
        const proof = buildEntryProof(snapshot.events.entries, entryId);
        try {
          const { hash } = await flow.send({ address: ledger, abi: ledgerAbi as Abi, functionName: "validate", args: [v, signature, proof] });
          flow.setPhase({ kind: "done", entryId, txHash: hash, via: "direct" });
          break;
        } catch (error) {
          if (attempt >= 3 || !/LedgerInvalidProof/.test(String((error as Error).message))) throw error;
        }
      }
      void flow.queryClient.invalidateQueries({ queryKey: ["ledger-events"] });
    });
  }

  return { phase: flow.phase, validate, evidence, setEvidence, evidenceError, busy: flow.busy, reset: flow.reset };
}
