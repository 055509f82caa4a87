// Publishing your own display name from the app: the profile built and checked by
// scripts/lib/core/directory.ts (the name rule, the kind), signed as EIP-712 in the wallet (the
// Directory's domain and Profile type, so the wallet shows the name it signs), then sent by the
// relayer (gasless) or, without one, by the wallet itself.
import type { Abi } from "viem";
import {
  AGENT_KINDS,
  buildProfile,
  DIRECTORY_DOMAIN_NAME,
  DIRECTORY_DOMAIN_VERSION,
  directoryDomain,
  nameProblem,
  PROFILE_TYPES,
  toSignedProfileJson,
} from "@core/directory.js";
import type { AgentKindName } from "@core/directory.js";
import { directoryAbi } from "../contracts/generated";
import { explainError } from "../lib/errors";
import { typedData, useWriteFlow } from "./useWriteFlow";

export { AGENT_KINDS };

export function usePublishName() {
  const flow = useWriteFlow(explainError);
  const { chain, wallet, client } = flow;
  const directory = chain.contracts.Directory;

  async function publish(name: string, kind: AgentKindName): Promise<boolean> {
    if (!wallet.canWrite || !wallet.address || !client || !directory || nameProblem(name)) return false;
    const agent = wallet.address;
    return flow.run(async () => {
      const [block, nonce] = await Promise.all([
        client.getBlock({ blockTag: "latest" }),
        client.readContract({ address: directory, abi: directoryAbi, functionName: "nonces", args: [agent] }),
      ]);
      const profile = buildProfile({ agent, kind, name, nonce: BigInt(nonce), deadline: block.timestamp + 3600n });
      const domain = { name: DIRECTORY_DOMAIN_NAME, version: DIRECTORY_DOMAIN_VERSION, chainId: chain.id, verifyingContract: directory };
      const signature = await flow.sign(
        typedData(domain, PROFILE_TYPES, "Profile", profile),
        `Waiting for your signature (your name "${name}") in the wallet…`,
      );
      // Gasless through the relayer; one that sends no profiles says so, and then the wallet sends it.
      const final = await flow.relayIfTaken(
        toSignedProfileJson(directoryDomain(chain.id, directory), profile, signature),
        "Sent to the relayer; waiting for it to publish your name…",
        /sends no Directory profiles/,
      );
      if (final) {
        await flow.queryClient.refetchQueries({ queryKey: ["directory-names"] });
        flow.setPhase({ kind: "done", entryId: profile.nonce, txHash: final.txHash ?? undefined, via: "relayer" });
        return;
      }
      const { hash } = await flow.send({ address: directory, abi: directoryAbi as Abi, functionName: "publishProfile", args: [profile, signature] });
      await flow.queryClient.refetchQueries({ queryKey: ["directory-names"] });
      // "done" carries the profile's version in entryId (the phase type is shared with the ledger writes).
      flow.setPhase({ kind: "done", entryId: profile.nonce, txHash: hash, via: "direct" });
    });
  }

  return { phase: flow.phase, publish, problem: nameProblem, busy: flow.busy, reset: flow.reset, available: directory !== undefined, wallet };
}
