// Gas of the reciprocity registry (statusOf, relayed declarations) on the in-process EDR chain.
//   npm run bench:reciprocity   (hardhat run scripts/bench/reciprocity.ts)
// Prints a table beside the targets and writes bench/results/reciprocity.json.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Wallet, id } from "ethers";
import type { Contract } from "ethers";
import { network } from "hardhat";
import ReciprocityRegistryModule from "../ignition/modules/ReciprocityRegistry.js";
import { measureReciprocity, RECIPROCITY_TARGETS } from "./kit/reciprocity.js";
import { n, table, toJson } from "./kit/report.js";

const OUT = path.join("bench", "results", "reciprocity.json");
const { ethers, ignition } = await network.create({ override: { hardfork: "prague" } });
const { ledger, registry } = await ignition.deploy(ReciprocityRegistryModule);
const [relayer, licensor, attester, steward, validator] = await ethers.getSigners();
const r = await measureReciprocity({
  registry: registry as unknown as Contract,
  ledger: ledger as unknown as Contract,
  relayer,
  licensor,
  attester,
  steward,
  validator,
  a: new Wallet(id("bench licensee a")),
  b: new Wallet(id("bench licensee b")),
});
const ok = (v: number, max: number) => (v <= max ? "yes" : "NO");
const rows: (string | number)[][] = [
  [
    "statusOf, worst realistic case (eth_call incl. 21,000)",
    n(r.statusOfWorst),
    n(RECIPROCITY_TARGETS.statusOf),
    ok(r.statusOfWorst, RECIPROCITY_TARGETS.statusOf),
  ],
  [
    "statusOf, commercial licensee (eth_call incl. 21,000)",
    n(r.statusOfTypical),
    n(RECIPROCITY_TARGETS.statusOf),
    ok(r.statusOfTypical, RECIPROCITY_TARGETS.statusOf),
  ],
  ...r.returning.map(({ label, m }) => [
    `relayed declaration, returning licensee: ${label}`,
    n(m.gasUsed),
    n(RECIPROCITY_TARGETS.declaration),
    ok(m.gasUsed, RECIPROCITY_TARGETS.declaration),
  ]),
  [
    "relayed declaration, a licensee's first (new storage slot)",
    n(r.firstDeclaration.gasUsed),
    n(RECIPROCITY_TARGETS.declaration),
    ok(r.firstDeclaration.gasUsed, RECIPROCITY_TARGETS.declaration),
  ],
  ["relayed settlement (settleBySignature, plain entry)", n(r.settle.gasUsed), "", ""],
];
console.log("\nReciprocity registry gas (Prague)\n");
console.log(table(["measure", ">gas", ">target", "met"], rows));
mkdirSync(path.dirname(OUT), { recursive: true });
writeFileSync(
  OUT,
  toJson({
    targets: RECIPROCITY_TARGETS,
    statusOfWorst: r.statusOfWorst,
    statusOfTypical: r.statusOfTypical,
    firstDeclaration: r.firstDeclaration.gasUsed,
    settle: r.settle.gasUsed,
    returning: Object.fromEntries(
      r.returning.map(({ label, m }) => [label, { gasUsed: m.gasUsed, executionGas: m.executionGas, calldataBytes: m.calldata.bytes }]),
    ),
  }),
);
console.log(`\nwritten to ${OUT}`);
