// Writes app/src/contracts/generated.ts (ABIs of contracts/*.sol) and addresses.ts (live-network addresses).
//   PATH=$PWD/node_modules/.bin:$PATH tsx scripts/export-contracts.ts     (after `hardhat build`)
import path from "node:path";
import { exportContracts } from "./lib/node/export-contracts.js";

const root = path.resolve(import.meta.dirname, "..");
const result = exportContracts(root);
console.log(
  `${result.files.map((f) => path.relative(root, f)).join(" and ")}: ${result.contracts.join(", ")}${result.chains.length ? `; addresses for chains ${result.chains.join(", ")}` : ""}${result.changed ? "" : " (unchanged)"}`,
);
