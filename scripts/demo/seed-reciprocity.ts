// Demo reciprocity licensing for `npm start` (new chain only): two works of the demo commons and
// five licensees covering the main states. Licensees and the licensor only sign; the relayer pays.
import { id } from "ethers";
import type { Contract, HDNodeWallet, Provider } from "ethers";
import { LedgerClient } from "../lib/core/client.js";
import {
  buildDeclaration,
  buildGrant,
  buildSettlement,
  readSettlement,
  readStatus,
  registryContract,
  registryDomain,
  settlementProofs,
  signDeclaration,
  signGrant,
  signSettlement,
} from "../lib/reciprocity/reciprocity.js";
import type { DeclarationKindName, EntityFormName, Terms, UseKindName } from "../lib/reciprocity/reciprocity.js";
import { encodeUnit, labelId, parseQuantity } from "../lib/core/record.js";
import { devWallet } from "./seed.js";

/** Licensees of the demo (anvil's dev accounts 8..12: they sign, never pay). */
export const DEMO_LICENSEES = {
  cooperative: 8, // a worker cooperative with commercial rights (attested)
  nonprofit: 9, // a non-profit: non-commercial use only
  firm: 10, // a wage-labour business: excluded (4(d))
  reinstated: 11, // terminated on a breach finding, then reinstated by the licensor
  company: 12, // CopyFair: settles by contributing to the commons
} as const;

export interface ReciprocitySeed {
  registry: string;
  works: { ppl: bigint; copyfair: bigint };
  licensees: Record<keyof typeof DEMO_LICENSEES, string>;
}

export async function seedReciprocity(
  provider: Provider,
  registryAddress: string,
  ledgerAddress: string,
  commons: string,
  fromBlock: number,
  log: (line: string) => void = console.log,
): Promise<ReciprocitySeed> {
  const relayer = devWallet(0, provider);
  const licensor = devWallet(1, provider); // mira, steward of the demo commons
  const attester = devWallet(4, provider); // carol, an auditor the licensor recognises
  const arbiter = devWallet(5, provider); // dave
  const reporter = devWallet(6, provider); // erin
  const validator = devWallet(7, provider); // yara, steward: accepts the company's contribution
  const l = Object.fromEntries(Object.entries(DEMO_LICENSEES).map(([k, i]) => [k, devWallet(i, provider)])) as Record<
    keyof typeof DEMO_LICENSEES,
    HDNodeWallet
  >;
  const registry = registryContract(registryAddress, relayer);
  const domain = await registryDomain(provider, registryAddress);
  const ledger = await LedgerClient.connect(relayer, ledgerAddress, fromBlock);
  const wait = async (p: Promise<{ wait(): Promise<unknown> }>) => {
    await (await p).wait();
  };
  const as = (w: HDNodeWallet) => registry.connect(w) as Contract;
  const lastRecord = async () => ((await registry.counts()) as [bigint, bigint])[1];
  const now = async () => BigInt((await provider.getBlock("latest"))!.timestamp);

  const terms: Terms = {
    kind: 0,
    supersedes: 0n,
    termsHash: id("Peer Production License (Kleiner, Magyar), coopcycle-web LICENSE 09d0da5"),
    termsUri: "https://github.com/coopcycle/coopcycle-web/blob/09d0da5978b17b43309f93732471faa839b5f9fb/LICENSE",
    shareAlike: false,
    attesters: [attester.address],
    arbiter: arbiter.address,
    commons,
    obligation: { amount: 0n, unit: "0x0000000000000000", period: 0n },
  };
  await wait(as(licensor).registerWork(terms));
  const obligation = { amount: parseQuantity("100"), unit: encodeUnit("EUR"), period: 30n * 86_400n };
  await wait(
    as(licensor).registerWork({
      ...terms,
      kind: 1,
      termsHash: id("CopyFair reciprocity license v1 (demo)"),
      termsUri: "https://example.org/copyfair-v1",
      obligation,
    }),
  );
  const works = { ppl: 1n, copyfair: 2n };
  log(`  reciprocity: work 1 "open sensor kit design" (PPL) and work 2 "sensor firmware" (CopyFair: 100 EUR per 30 days) by ${licensor.address}`);

  const declare = async (
    who: HDNodeWallet,
    work: bigint,
    input: { kind: DeclarationKindName; form?: EntityFormName; use?: UseKindName; start?: bigint; end?: bigint },
  ) => {
    const d = buildDeclaration({
      ...input,
      licensee: who.address,
      work,
      evidence: id(`${input.kind} evidence of ${who.address}`),
      nonce: (await registry.declarationNonce(who.address, work)) as bigint,
      deadline: (await now()) + 3600n,
    });
    await wait(registry.declare(d, await signDeclaration(who, domain, d)));
    return lastRecord();
  };

  // A worker cooperative: worker-owned, surplus to the worker-owners for a year, both attested.
  const t = await now();
  const coopEntity = await declare(l.cooperative, works.ppl, { kind: "entity", form: "worker-owned" });
  const coopSurplus = await declare(l.cooperative, works.ppl, { kind: "surplus", start: t - 86_400n, end: t - 86_400n + 365n * 86_400n });
  await declare(l.cooperative, works.ppl, { kind: "use", use: "commercial" });
  await wait(as(attester).attest(l.cooperative.address, works.ppl, coopEntity, id("statutes checked: one member one vote, no outside shareholders")));
  await wait(as(attester).attest(l.cooperative.address, works.ppl, coopSurplus, id("2026 accounts: surplus distributed as patronage to members")));

  // A non-profit: non-commercial only.
  await declare(l.nonprofit, works.ppl, { kind: "entity", form: "other" });
  await declare(l.nonprofit, works.ppl, { kind: "use", use: "non-commercial" });

  // A wage-labour business: excluded.
  await declare(l.firm, works.ppl, { kind: "entity", form: "wage-labour-business" });

  // Terminated on an attribution breach (4(e)), then reinstated by the licensor in writing.
  await declare(l.reinstated, works.ppl, { kind: "entity", form: "other" });
  await wait(as(reporter).reportBreach(l.reinstated.address, works.ppl, 4, id("adaptation published without credit to the original author")));
  const report = await lastRecord();
  await wait(as(licensor).findBreach(report, id("confirmed: no attribution in the published adaptation")));
  const finding = await lastRecord();
  const g = buildGrant({
    kind: "reinstatement",
    licensee: l.reinstated.address,
    work: works.ppl,
    ref: finding,
    terms: id("letter: credit added, rights reinstated"),
    nonce: (await registry.nonces(licensor.address)) as bigint,
    deadline: (await now()) + 3600n,
  });
  await wait(registry.grant(g, await signGrant(licensor, domain, g)));

  // A company under CopyFair: not qualifying, settles with an accepted contribution of 120 EUR.
  await declare(l.company, works.copyfair, { kind: "entity", form: "wage-labour-business" });
  await declare(l.company, works.copyfair, { kind: "use", use: "commercial" });
  const contribution = await ledger.submit(
    await ledger.sign(l.company, {
      action: "transfer",
      commons,
      receiver: licensor.address,
      resourceSpec: labelId("licence reciprocity (Peer Production License)"),
      quantity: "120",
      unit: "EUR",
      evidence: id("bank transfer ref 2026-11-0107: firmware reciprocity"),
    }),
  );
  await ledger.validate(validator, contribution.id, "accept");
  // Only the company may name the work its contribution settles (review F-7): it signs the order,
  // the relayer sends it.
  const order = buildSettlement({
    work: works.copyfair,
    entryId: contribution.id,
    nonce: (await readSettlement(registry, contribution.id)).id,
    deadline: (await now()) + 3600n,
  });
  const { proof, ancestors } = await settlementProofs(
    (await ledger.events()).entries,
    contribution.id,
    async (e) => (await readSettlement(registry, e)).id !== 0n,
  );
  await wait(registry.settleBySignature(order, await signSettlement(l.company, domain, order), proof, ancestors));

  const licensees = Object.fromEntries(Object.entries(l).map(([k, w]) => [k, w.address])) as Record<keyof typeof DEMO_LICENSEES, string>;
  for (const [name, address] of Object.entries(licensees)) {
    const work = name === "company" ? works.copyfair : works.ppl;
    const s = await readStatus(registry, address, work);
    log(`  ${name.padEnd(11)} ${address}  work ${work}: ${s.status}${s.prior !== s.status ? ` (prior ${s.prior})` : ""}`);
  }
  return { registry: registryAddress, works, licensees };
}
