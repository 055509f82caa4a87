// Block time helpers: the Ledger judges deadlines and event times against block.timestamp.
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";

export const minutes = (n: number | bigint): bigint => BigInt(n) * 60n;
export const hours = (n: number | bigint): bigint => BigInt(n) * 3_600n;
export const days = (n: number | bigint): bigint => BigInt(n) * 86_400n;

/** The latest block's timestamp. */
export async function latest(helpers: NetworkHelpers): Promise<bigint> {
  return BigInt(await helpers.time.latest());
}

/**
 * Fixes the timestamp of the next block (latest + `ahead` seconds) and returns it, so that an
 * error argument such as `blockTime` can be asserted exactly. Gas estimation runs on that block too.
 */
export async function pinNextBlock(helpers: NetworkHelpers, ahead = 1n): Promise<bigint> {
  const t = (await latest(helpers)) + ahead;
  await helpers.time.setNextBlockTimestamp(t);
  return t;
}
