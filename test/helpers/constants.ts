// The Ledger's constants and enum codes as the specification (contracts/interfaces/ILedger.sol and
// contracts/Ledger.sol) states them. Written out, not read from the contract, so a change fails a test.
import { days, minutes } from "./time.js";

export const MAX_BATCH = 150n;
export const CHECKPOINT_INTERVAL = 64n;
export const ROSTER_SEATS = 224n;
export const MAX_VALIDITY = days(30);
export const MAX_CLOCK_SKEW = minutes(15);
export const MAX_NAME_BYTES = 200n;
export const ERC1271_GAS = 150_000n;
/** Gas left that `_isValidSignature` requires before calling a wallet (EIP-150 headroom). */
export const ERC1271_GAS_NEEDED = ERC1271_GAS + ERC1271_GAS / 63n + 5_000n;

export const Side = { None: 0, Input: 1, Output: 2 } as const;
export const Verdict = { Accept: 0, Dispute: 1 } as const;
export const EntryState = { Claimed: 0, Accepted: 1, Disputed: 2, Corrected: 3 } as const;

/** ERC1271WalletMock.Mode */
export const WalletMode = { Honest: 0, WrongMagic: 1, Reverts: 2, ShortReturn: 3, ReturnBomb: 4, GasHog: 5, AlwaysValid: 6 } as const;
/** The wallet modes that must count as an invalid signature (SIG-1271). */
export const MISBEHAVING_MODES = ["WrongMagic", "Reverts", "ShortReturn", "ReturnBomb", "GasHog"] as const;

/** secp256k1 group order (for high-s signature twins). */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
