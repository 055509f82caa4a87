// The public development keys of anvil and Hardhat, and who they play in the demo. Free of
// imports so that the browser app can use them too (for its local-chain-only dev-key wallet).

/** anvil's and Hardhat's well-known development mnemonic: never use these keys on a real network. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

export const DEMO_PEOPLE = ["relayer", "mira", "alice", "bob", "carol", "dave", "erin", "yara"] as const;
export type DemoPerson = (typeof DEMO_PEOPLE)[number];
