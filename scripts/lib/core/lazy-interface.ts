// An ethers Interface built the first time it is asked for, then kept: parsing an ABI's fragments
// takes tens of milliseconds, which a page reading through the indexer need not spend before it shows
// anything (the app loads the core's ABI modules on every first visit).
import { Interface } from "ethers";
import type { InterfaceAbi } from "ethers";

/** A function that gives the Interface of `abi()`, built on its first call. */
export function lazyInterface(abi: () => InterfaceAbi): () => Interface {
  let built: Interface | undefined;
  return () => (built ??= new Interface(abi()));
}
