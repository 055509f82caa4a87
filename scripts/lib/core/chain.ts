// The ledger's hash chain, recomputed off-chain from the events alone (browser-safe: no node:*, no
// Buffer). One step is bytes24(keccak256(abi.encode(bytes32 head, uint256 id, address signer,
// bytes32 recordHash))), as the contract computes it.
import { AbiCoder, getBytes } from "ethers";
import { keccak256, putHex } from "./keccak.js";
import { LIMITS } from "./vocabulary.js";
import { HEX_ADDRESS } from "./address.js";

/** The head before the first entry. */
export const GENESIS_HEAD = "0x" + "00".repeat(24);

const HEAD = /^0x[0-9a-fA-F]{48}$/;
const WORD = /^0x[0-9a-fA-F]{64}$/;
/** The 128 bytes of one step's ABI encoding, reused (steps run one at a time). */
const step = new Uint8Array(128);

/**
 * One chain step: bytes24(keccak256(abi.encode(bytes32(head), id, signer, recordHash))). Well-formed
 * hex is written straight into the 128 encoded bytes (the ABI encoder costs more than the hash);
 * anything else goes through the ABI encoder, which pads or refuses it as before.
 */
export function chainStep(head: string, id: bigint, signer: string, recordHash: string): string {
  if (!HEAD.test(head) || !HEX_ADDRESS.test(signer) || !WORD.test(recordHash) || id < 0n || id >= 1n << 64n) {
    const encoded = AbiCoder.defaultAbiCoder().encode(["bytes32", "uint256", "address", "bytes32"], [head.padEnd(66, "0"), id, signer, recordHash]);
    return keccak256(getBytes(encoded)).slice(0, 50);
  }
  step.fill(0);
  putHex(step, 0, head, 2);
  const idHex = id.toString(16);
  putHex(step, 64 - Math.ceil(idHex.length / 2), idHex.length % 2 === 0 ? idHex : "0" + idHex, 0);
  putHex(step, 76, signer, 2);
  putHex(step, 96, recordHash, 2);
  return keccak256(step).slice(0, 50);
}

/** A bytes24 head as the bytes32 the contract's EntryProof expects (left-aligned). */
export function headToBytes32(head: string): string {
  return head.padEnd(66, "0");
}

export interface ChainLink {
  id: bigint;
  signer: string;
  recordHash: string;
}

export interface ChainCheck {
  ok: boolean;
  count: bigint;
  /** Head recomputed from the links. */
  head: string;
  /** Heads after each entry, index i = head after entry i+1. */
  heads: string[];
  /** The first problem found, if any. */
  divergence?: { id: bigint; reason: string };
}

/**
 * Recomputes the chain over `links` (which must be entries 1..n in order) and compares the result
 * with the on-chain tip and, where given, the stored checkpoints.
 */
export function verifyChain(
  links: readonly ChainLink[],
  tip: { count: bigint; head: string },
  checkpoints: ReadonlyMap<bigint, string> = new Map(),
  checkpointInterval = BigInt(LIMITS.checkpointInterval),
): ChainCheck {
  let head = GENESIS_HEAD;
  const heads: string[] = [];
  for (let i = 0; i < links.length; i++) {
    const link = links[i];
    const expectedId = BigInt(i + 1);
    if (link.id !== expectedId) {
      return { ok: false, count: BigInt(i), head, heads, divergence: { id: expectedId, reason: `entry ${expectedId} is missing (found ${link.id})` } };
    }
    head = chainStep(head, link.id, link.signer, link.recordHash);
    heads.push(head);
    if (link.id % checkpointInterval === 0n) {
      const stored = checkpoints.get(link.id / checkpointInterval);
      if (stored !== undefined && stored.toLowerCase() !== head) {
        return {
          ok: false,
          count: link.id,
          head,
          heads,
          divergence: { id: link.id, reason: `checkpoint ${link.id / checkpointInterval} is ${stored}, recomputed ${head}` },
        };
      }
    }
  }
  const count = BigInt(links.length);
  if (count !== tip.count) {
    return { ok: false, count, head, heads, divergence: { id: count + 1n, reason: `the contract holds ${tip.count} entries, the events ${count}` } };
  }
  if (head !== tip.head.toLowerCase()) {
    return { ok: false, count, head, heads, divergence: { id: count, reason: `on-chain head ${tip.head} differs from the recomputed ${head}` } };
  }
  return { ok: true, count, head, heads };
}
