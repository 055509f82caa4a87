// Which chain instance a node serves: two local chains share a chain id, so readers that keep
// anything per chain (a deployment record, a served index, a browser cache) key it by the hash of
// the chain's first block as well. Browser-safe.
//
// That hash is read from block 1, as its parent, and from block 0 itself only while block 1 does
// not exist. anvil, started from a saved state file, adds a new block 0 (stamped with that second,
// so another hash) to the file at every start and serves one of them as block 0, while block 1 and
// everything after it stay as they were and still name the first block 0 as their parent (anvil
// 1.7.1: over 7 starts from one file, block 0 was another block from the 4th start on). On any
// other chain the two reads agree.
import type { Provider } from "ethers";
import { rpcRetry } from "./rpc-errors.js";

/** The hash of the chain's first block, as block 1 records it (block 0's own hash while there is no block 1). */
export async function chainInstanceHash(provider: Provider): Promise<string> {
  const block1 = await rpcRetry("eth_getBlockByNumber(1)", () => provider.getBlock(1), { maxAttempts: 2 });
  if (block1) return block1.parentHash;
  const block0 = await rpcRetry("eth_getBlockByNumber(0)", () => provider.getBlock(0), { maxAttempts: 2 });
  if (!block0?.hash) throw new Error("the node returned no genesis block");
  return block0.hash;
}
