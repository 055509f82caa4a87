import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import LedgerModule from "./Ledger.js";

/**
 * The income distributor beside the Ledger. `minChallengeWindow` (seconds) is the shortest
 * challenge window a steward may give a distribution: set it per network in
 * scripts/ignition/parameters/<network>.json (e.g. 259200 = 3 days on a live network).
 */
export default buildModule("IncomeDistributorModule", (m) => {
  const { ledger } = m.useModule(LedgerModule);
  const distributor = m.contract("IncomeDistributor", [ledger, m.getParameter("minChallengeWindow", 3600n)]);
  return { ledger, distributor };
});
