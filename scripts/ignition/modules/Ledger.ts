import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** The Ledger has no constructor arguments and no owner: one deployment per chain. */
export default buildModule("LedgerModule", (m) => {
  const ledger = m.contract("Ledger");
  return { ledger };
});
