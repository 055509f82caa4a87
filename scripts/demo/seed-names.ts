// The demo's names: every person and organisation of the demo publishes its own display name,
// signed with its own key, and the demo relayer (dev account 0) sends each profile to the Directory
// (gasless for the signer, as a relayer would). Names are what people read in every table and line.
import { Contract } from "ethers";
import type { HDNodeWallet, Provider } from "ethers";
import { buildProfile, directoryDomain, directoryInterface, signProfile } from "../lib/core/directory.js";
import type { AgentKindName } from "../lib/core/directory.js";
import { devWallet } from "../lib/node/dev-chain.js";
import { DEMO_LICENSEES } from "./seed-reciprocity.js";

/** Each demo account's display name and kind, by dev-account index (seed.ts DEMO_PEOPLE, seed-reciprocity.ts DEMO_LICENSEES). */
export const DEMO_NAMES: readonly { index: number; name: string; kind: AgentKindName }[] = [
  { index: 0, name: "Demo relayer", kind: "organisation" },
  { index: 1, name: "Mira", kind: "person" },
  { index: 2, name: "Alice", kind: "person" },
  { index: 3, name: "Bob", kind: "person" },
  { index: 4, name: "Carol", kind: "person" },
  { index: 5, name: "Dave", kind: "person" },
  { index: 6, name: "Erin", kind: "person" },
  { index: 7, name: "Yara", kind: "person" },
  { index: DEMO_LICENSEES.cooperative, name: "Fabrica Cooperative", kind: "organisation" },
  { index: DEMO_LICENSEES.nonprofit, name: "Open Science Society", kind: "organisation" },
  { index: DEMO_LICENSEES.firm, name: "Acme Sensors Ltd", kind: "organisation" },
  { index: DEMO_LICENSEES.reinstated, name: "Riverside Makers", kind: "organisation" },
  { index: DEMO_LICENSEES.company, name: "Instrumenta GmbH", kind: "organisation" },
];

export async function seedNames(provider: Provider, directoryAddress: string, log: (line: string) => void = console.log): Promise<number> {
  const relayer = devWallet(0, provider);
  const directory = new Contract(directoryAddress, directoryInterface(), relayer);
  const { chainId } = await provider.getNetwork();
  const domain = directoryDomain(chainId, directoryAddress);
  const now = BigInt((await provider.getBlock("latest"))!.timestamp);
  let nonce = await provider.getTransactionCount(relayer.address, "pending");
  const sent = [];
  for (const { index, name, kind } of DEMO_NAMES) {
    const agent: HDNodeWallet = devWallet(index, provider);
    const profile = buildProfile({ agent: agent.address, kind, name, nonce: (await directory.nonces(agent.address)) as bigint, deadline: now + 3600n });
    sent.push(await directory.publishProfile(profile, await signProfile(agent, domain, profile), { nonce: nonce++ }));
  }
  for (const tx of sent) {
    const receipt = await tx.wait();
    if (receipt?.status !== 1) throw new Error(`a demo profile was not published (tx ${tx.hash})`);
  }
  log(`  names published: ${DEMO_NAMES.map((d) => d.name).join(", ")} (each signed by its own key, sent by the relayer)`);
  return DEMO_NAMES.length;
}
