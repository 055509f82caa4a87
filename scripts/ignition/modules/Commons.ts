import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import DirectoryModule from "./Directory.js";
import IncomeDistributorModule from "./IncomeDistributor.js";
import LedgerModule from "./Ledger.js";
import ReciprocityRegistryModule from "./ReciprocityRegistry.js";

/**
 * Everything `npm start` deploys on a chain: the Ledger and the contracts that read it (the
 * reciprocity registry, the income distributor and the directory of names). Each
 * contract's address is recorded in data/deployment.json under its contract name.
 */
export default buildModule("CommonsModule", (m) => {
  const { ledger } = m.useModule(LedgerModule);
  const { registry } = m.useModule(ReciprocityRegistryModule);
  const { distributor } = m.useModule(IncomeDistributorModule);
  const { directory } = m.useModule(DirectoryModule);
  return { ledger, registry, distributor, directory };
});
