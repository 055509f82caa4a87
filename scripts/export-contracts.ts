// Writes app/src/contracts/generated.ts (ABIs of contracts/*.sol and live-network addresses).
//   PATH=$PWD/node_modules/.bin:$PATH tsx scripts/export-contracts.ts     (after `hardhat build`)
import path from "node:path";
import { exportContracts } from "./lib/node/export-contracts.js";

const root = path.resolve(import.meta.dirname, "..");
const result = exportContracts(root);
console.log(
  `${path.relative(root, result.file)}: ${result.contracts.join(", ")}${result.chains.length ? `; addresses for chains ${result.chains.join(", ")}` : ""}${result.changed ? "" : " (unchanged)"}`,
);
