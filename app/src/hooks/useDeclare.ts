// A licensee declaring from the app: the declaration built and checked by scripts/lib/reciprocity/reciprocity.ts
// (buildDeclaration), signed as EIP-712 in the wallet (the registry's domain and Declaration type,
// so the wallet shows every field), simulated, then sent to the registry by the licensee.
import type { Abi } from "viem";
import { buildDeclaration, DECLARATION_TYPES, RECIPROCITY_DOMAIN_NAME, RECIPROCITY_DOMAIN_VERSION, ReciprocityInputError } from "@reciprocity/reciprocity.js";
import type { DeclarationKindName, EntityFormName, UseKindName } from "@reciprocity/reciprocity.js";
import { reciprocityDomain, toSignedDeclarationJson } from "@core/registry-messages.js";
import { reciprocityRegistryAbi } from "../contracts/generated";
import { explainError } from "../lib/errors";
import { EvidenceError, parseEvidence } from "../lib/evidence";
import { typedData, useWriteFlow } from "./useWriteFlow";

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
  if (!/^\d{4}-\d\d-\d\d$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`)))
    throw new ReciprocityInputError(field, `"${text}" is not a date (YYYY-MM-DD)`);
  return BigInt(Date.parse(`${text}T00:00:00Z`) / 1000);
};

export function useDeclare() {
  const flow = useWriteFlow(explainError);
  const { chain, wallet, client } = flow;
  const registry = chain.contracts.ReciprocityRegistry;

  /** The field problem of `input`, or undefined (checked before the wallet is asked). */
  function problem(input: DeclareInput): string | undefined {
    try {
      parseEvidence(input.evidence);
      buildDeclaration({
        kind: input.kind,
        licensee: wallet.address ?? "0x0000000000000000000000000000000000000001",
        work: input.work,
        form: input.form,
        use: input.use,
        start: input.kind === "surplus" ? day(input.start, "start") : undefined,
        end: input.kind === "surplus" ? day(input.end, "end") : undefined,
        nonce: 0n,
        deadline: 0n,
      });
      return undefined;
    } catch (error) {
      if (error instanceof ReciprocityInputError || error instanceof EvidenceError) return error.message;
      throw error;
    }
  }

  async function declare(input: DeclareInput): Promise<boolean> {
    if (!wallet.canWrite || !wallet.address || !client || !registry || problem(input)) return false;
    const licensee = wallet.address;
    return flow.run(async () => {
      const [block, nonce] = await Promise.all([
        client.getBlock({ blockTag: "latest" }),
        client.readContract({ address: registry, abi: reciprocityRegistryAbi, functionName: "declarationNonce", args: [licensee, input.work] }),
      ]);
      const d = buildDeclaration({
        kind: input.kind,
        licensee,
        work: input.work,
        form: input.form,
        use: input.use,
        start: input.kind === "surplus" ? day(input.start, "start") : undefined,
        end: input.kind === "surplus" ? day(input.end, "end") : undefined,
        evidence: parseEvidence(input.evidence),
        nonce: BigInt(nonce),
        deadline: block.timestamp + 3600n,
      });
      const domain = { name: RECIPROCITY_DOMAIN_NAME, version: RECIPROCITY_DOMAIN_VERSION, chainId: chain.id, verifyingContract: registry };
      const signature = await flow.sign(
        typedData(domain, DECLARATION_TYPES, "Declaration", d),
        `Waiting for your signature (${input.kind} declaration) in the wallet…`,
      );
      // Gasless: the relayer checks it (the registry's own rules included) and pays. A relayer
      // that sends no registry messages says so; then the wallet sends it.
      const final = await flow.relayIfTaken(
        toSignedDeclarationJson(reciprocityDomain(chain.id, registry), d, signature),
        "Sent to the relayer; waiting for it to record your declaration…",
        /sends no ReciprocityRegistry declarations/,
      );
      if (final) {
        await flow.queryClient.refetchQueries({ queryKey: ["reciprocity-registry"] });
        flow.setPhase({ kind: "done", entryId: input.work, txHash: final.txHash ?? undefined, via: "relayer" });
        return;
      }
      const { hash } = await flow.send({ address: registry, abi: reciprocityRegistryAbi as Abi, functionName: "declare", args: [d, signature] });
      // The registry's records are read again before "done", so the status shown names the new record.
      await flow.queryClient.refetchQueries({ queryKey: ["reciprocity-registry"] });
      // "done" carries the work id in entryId (the phase type is shared with the ledger writes).
      flow.setPhase({ kind: "done", entryId: input.work, txHash: hash, via: "direct" });
    });
  }

  return { phase: flow.phase, declare, problem, busy: flow.busy, reset: flow.reset };
}
