import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import LedgerModule from "./Ledger.js";

/** The directory of names reads the chain's Ledger (commons and their stewards); no owner, no parameters. */
export default buildModule("DirectoryModule", (m) => {
  const { ledger } = m.useModule(LedgerModule);
  const directory = m.contract("Directory", [ledger]);
  return { ledger, directory };
});
