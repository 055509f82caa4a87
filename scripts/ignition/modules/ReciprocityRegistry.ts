import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import LedgerModule from "./Ledger.js";

/** The reciprocity registry reads the chain's Ledger (CopyFair settlements); no owner, no parameters. */
export default buildModule("ReciprocityRegistryModule", (m) => {
  const { ledger } = m.useModule(LedgerModule);
  const registry = m.contract("ReciprocityRegistry", [ledger]);
  return { ledger, registry };
});
