// The demo commons that `npm start` seeds on a new chain: an open-hardware lab run by three
// stewards (any two decide), where several contributors record work, money, use of equipment and
// citation of a design, appointed peers validate (a newcomer's opinion is kept as an endorsement),
// one contributor corrects a mistake, and a need is published.
import { id } from "ethers";
import type { HDNodeWallet, Provider, Signer } from "ethers";
import { LedgerClient } from "../lib/core/client.js";
import { devWallet } from "../lib/node/dev-chain.js";
import { labelId } from "../lib/core/record.js";
import { ALL_ROLES } from "../lib/core/vocabulary.js";

/** Who the local chain's dev accounts play in the demo, by account index (0 pays for relayed records). */
export const DEMO_PEOPLE = ["relayer", "mira", "alice", "bob", "carol", "dave", "erin", "yara"] as const;
export type DemoPerson = (typeof DEMO_PEOPLE)[number];

// The dev keys belong to the local chain (lib/core/dev-chain-keys.ts); re-exported for the tests.
export { devWallet };

export interface SeedResult {
  commons: string;
  people: Record<DemoPerson, string>;
  entries: number;
}

export async function seedDemo(provider: Provider, ledgerAddress: string, fromBlock: number, log: (line: string) => void = console.log): Promise<SeedResult> {
  const w = Object.fromEntries(DEMO_PEOPLE.map((name, i) => [name, devWallet(i, provider)])) as Record<DemoPerson, HDNodeWallet>;
  // The relayer pays for every record; contributors only sign (gasless). Stewards call directly.
  const ledger = await LedgerClient.connect(w.relayer, ledgerAddress, fromBlock);
  const asSteward = (s: Signer) => ledger.contract.connect(s) as typeof ledger.contract;

  const salt = id("sensorica-demo");
  const commons: string = await asSteward(w.mira).registerCommons.staticCall(salt, "Sensorica open hardware lab (demo)");
  await ledger.send(() => asSteward(w.mira).registerCommons(salt, "Sensorica open hardware lab (demo)"));
  // While mira is the only steward (threshold 1) each change takes effect at once: she appoints the
  // validators (erin, a newcomer, is not one), sets the work rule and adds two stewards; then the
  // threshold goes to 2, and from there on every change needs two of the three stewards.
  for (const v of [w.mira, w.yara, w.alice, w.bob, w.carol, w.dave]) await ledger.send(() => asSteward(w.mira).setRoles(commons, v.address, ALL_ROLES));
  await ledger.send(() => asSteward(w.mira).setQuorumRule(commons, 0, 2, 1, false)); // work: 2 accepts, 1 dispute blocks
  await ledger.send(() => asSteward(w.mira).addSteward(commons, w.yara.address));
  await ledger.send(() => asSteward(w.mira).addSteward(commons, w.carol.address));
  await ledger.send(() => asSteward(w.mira).setStewardThreshold(commons, 2));
  const transferRule = await asSteward(w.mira).setQuorumRule.staticCall(commons, 5, 1, 1, false); // transfer (money): 1 accept
  await ledger.send(() => asSteward(w.mira).setQuorumRule(commons, 5, 1, 1, false));
  await ledger.send(() => asSteward(w.yara).approveChange(transferRule));
  log(`  commons registered: ${commons} (stewards mira, yara, carol, any 2 decide; validators mira, yara, alice, bob, carol, dave; work needs 2 accepts)`);

  const design = labelId("process: design open sensor kit v2");
  const printing = labelId("process: print sensor enclosures");
  const alice = await ledger.submit(
    await ledger.sign(w.alice, {
      action: "work",
      commons,
      receiver: w.mira.address,
      process: design,
      side: "input",
      quantity: "3",
      unit: "h",
      evidence: id("git commit 4f2a9c1: enclosure CAD"),
    }),
  );
  const bob = await ledger.submit(
    await ledger.sign(w.bob, {
      action: "work",
      commons,
      receiver: w.mira.address,
      process: design,
      side: "input",
      quantity: "5.5",
      unit: "h",
      evidence: id("git commit 77be012: firmware"),
    }),
  );
  const batch = await ledger.submitBatch([
    await ledger.sign(w.carol, {
      action: "transfer",
      commons,
      receiver: w.mira.address,
      resourceSpec: labelId("loan to the commons"),
      quantity: "250",
      unit: "EUR",
      evidence: id("bank transfer ref 2026-11-0042"),
    }),
    await ledger.sign(w.dave, {
      action: "use",
      commons,
      resource: labelId("3D printer #1 (Prusa MK4)"),
      process: printing,
      side: "input",
      quantity: "4",
      unit: "h",
    }),
    await ledger.sign(w.erin, {
      action: "cite",
      commons,
      resourceSpec: labelId("design: open sensor v1 (CERN-OHL-S)"),
      process: design,
      side: "input",
      quantity: "1",
      unit: "ea",
    }),
    await ledger.sign(w.mira, {
      flow: "need",
      action: "consume",
      commons,
      receiver: w.mira.address,
      resourceSpec: labelId("PLA filament 1.75 mm"),
      process: printing,
      side: "input",
      quantity: "20",
      unit: "kg",
      time: (await ledger.now()) + 14n * 86400n,
    }),
  ]);
  if (batch.skipped.length) throw new Error(`the demo batch skipped items: ${JSON.stringify(batch.skipped)}`);
  const [carol, dave, erin] = batch.ids;
  log(`  recorded entries ${alice.id}..${batch.ids.at(-1)} (work, work, money, equipment use, design citation, a need)`);

  await ledger.validate(w.bob, alice.id, "accept");
  await ledger.validate(w.carol, alice.id, "accept");
  await ledger.validate(w.alice, carol, "accept");
  await ledger.validate(w.mira, dave, "accept");
  await ledger.validate(w.alice, erin, "accept");
  await ledger.validate(w.dave, bob.id, "dispute", id("the firmware commit took about 4.5 h"));
  await ledger.validate(w.erin, alice.id, "accept"); // erin is not appointed: an endorsement, counted nowhere
  log(`  validations: entry ${alice.id} accepted by 2 peers (and endorsed by erin), ${carol}/${dave}/${erin} accepted, ${bob.id} disputed`);

  const fix = await ledger.correct(w.bob, bob.id, {
    action: "work",
    commons,
    receiver: w.mira.address,
    process: design,
    side: "input",
    quantity: "4.5",
    unit: "h",
    evidence: id("git commit 77be012: firmware"),
  });
  await ledger.validate(w.dave, fix.id, "accept", id("4.5 h matches the commit history"));
  await ledger.validate(w.carol, fix.id, "accept");
  log(`  correction: bob's entry ${bob.id} corrected by entry ${fix.id} (5.5 h -> 4.5 h), accepted by dave and carol`);

  // An open signal after the validations (so a distribution cut off here counts them): erin offers
  // two hours of design review next week.
  const offer = await ledger.submit(
    await ledger.sign(w.erin, {
      flow: "offer",
      action: "deliverService",
      commons,
      resourceSpec: labelId("design review of open sensor kit v2"),
      quantity: "2",
      unit: "h",
      time: (await ledger.now()) + 7n * 86400n,
    }),
  );
  log(`  offer: erin offers 2 h of design review next week (entry ${offer.id})`);

  const { count } = await ledger.tip();
  return { commons, people: Object.fromEntries(DEMO_PEOPLE.map((n) => [n, w[n].address])) as Record<DemoPerson, string>, entries: Number(count) };
}
