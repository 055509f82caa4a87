// Verifies an entry's signature in the browser: takes it from the recording transaction's
// calldata, recovers the EOA signer (viem recoverTypedDataAddress) and checks it for the agent
// with publicClient.verifyTypedData, which also asks an ERC-1271 wallet contract.
import { useQuery } from "@tanstack/react-query";
import { recoverTypedDataAddress } from "viem";
import type { Hex, PublicClient } from "viem";
import { usePublicClient } from "wagmi";
import { agentOf } from "@core/record.js";
import type { Entry } from "@core/reader.js";
import { signatureFromCalldata } from "@core/calldata.js";
import { recordTypedData } from "./useContribute";
import { useAppConfig } from "./useAppConfig";

export interface SignatureCheck {
  signature?: Hex;
  /** Address recovered as for an EOA (undefined for contract signatures that are not 65 bytes). */
  recovered?: string;
  valid: boolean;
  kind: "eoa" | "contract" | "unknown";
  reason?: string;
}

/** Checks one entry's signature against its agent (the Entry page, and each hop of a trace). */
export async function checkEntrySignature(client: PublicClient, chainId: number, ledger: string, entry: Entry): Promise<SignatureCheck> {
  const tx = await client.getTransaction({ hash: entry.transactionHash as Hex });
  const signature = tx.to && tx.to.toLowerCase() === ledger.toLowerCase() ? (signatureFromCalldata(tx.input, entry.recordHash) as Hex | undefined) : undefined;
  if (!signature)
    return {
      valid: false,
      kind: "unknown",
      reason:
        "the recording transaction is not a direct call to the Ledger (e.g. through a wallet contract), so its signature cannot be read here; run `npx commons verify`",
    };
  const agent = agentOf(entry.record) as Hex;
  const typed = recordTypedData(chainId, ledger as Hex, entry.record);
  let recovered: string | undefined;
  if (signature.length === 132) {
    try {
      recovered = await recoverTypedDataAddress({ ...typed, signature } as never);
    } catch {
      recovered = undefined;
    }
  }
  const valid = await client.verifyTypedData({ ...typed, address: agent, signature } as never);
  const kind = recovered && recovered.toLowerCase() === agent.toLowerCase() ? "eoa" : valid ? "contract" : "unknown";
  return { signature, recovered, valid, kind, reason: valid ? undefined : `the signature does not belong to the agent ${agent}` };
}

export function useEntrySignature(entry: Entry | undefined) {
  const { chain } = useAppConfig();
  const client = usePublicClient({ chainId: chain.id });
  const ledger = chain.contracts.Ledger;
  return useQuery({
    queryKey: ["entry-signature", chain.id, ledger, entry?.id.toString(), entry?.transactionHash],
    enabled: entry !== undefined && client !== undefined && ledger !== undefined,
    staleTime: Infinity,
    retry: 1,
    queryFn: () => checkEntrySignature(client!, chain.id, ledger!, entry!),
  });
}
