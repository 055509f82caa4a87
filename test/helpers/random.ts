// A seeded PRNG (SplitMix64) and random records/validations for parity tests: deterministic, so a
// failure reproduces with the same seed.
import { getAddress, toBeHex, ZeroAddress, ZeroHash } from "ethers";
import type { LedgerRecord, LedgerValidation } from "../../scripts/lib/core/record.js";

const M64 = (1n << 64n) - 1n;

export class Prng {
  private state: bigint;

  constructor(seed: bigint) {
    this.state = seed & M64;
  }

  /** 64 random bits. */
  next64(): bigint {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & M64;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    return z ^ (z >> 31n);
  }

  /** `bits` random bits. */
  bits(bits: number): bigint {
    let v = 0n;
    for (let have = 0; have < bits; have += 64) v = (v << 64n) | this.next64();
    return v & ((1n << BigInt(bits)) - 1n);
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Number(this.next64() % BigInt(n));
  }

  /** A value of `bits` bits, with edge values (0, 1, max) a quarter of the time. */
  uint(bits: number): bigint {
    const max = (1n << BigInt(bits)) - 1n;
    switch (this.below(8)) {
      case 0:
        return 0n;
      case 1:
        return max;
      default:
        return this.bits(bits);
    }
  }

  address(): string {
    return this.below(6) === 0 ? ZeroAddress : getAddress(toBeHex(this.bits(160), 20));
  }

  bytes32(): string {
    return this.below(6) === 0 ? ZeroHash : toBeHex(this.bits(256), 32);
  }
}

/** Any record the ABI can carry with in-range enum codes (the hashes must not care about validity). */
export function randomRecord(rng: Prng): LedgerRecord {
  return {
    flow: rng.below(4),
    action: rng.below(19),
    provider: rng.address(),
    receiver: rng.address(),
    commons: rng.bytes32(),
    resource: rng.bytes32(),
    resourceSpec: rng.bytes32(),
    process: rng.bytes32(),
    side: rng.below(3),
    quantity: rng.uint(128),
    unit: toBeHex(rng.uint(64), 8),
    time: rng.uint(64),
    evidence: rng.bytes32(),
    corrects: rng.uint(64),
    satisfies: rng.uint(64),
    nonce: rng.uint(256),
    deadline: rng.uint(64),
  };
}

export function randomValidation(rng: Prng): LedgerValidation {
  return {
    entryId: rng.uint(64),
    verdict: rng.below(2),
    validator: rng.address(),
    evidence: rng.bytes32(),
    nonce: rng.uint(256),
    deadline: rng.uint(64),
  };
}
