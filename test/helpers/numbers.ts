// Floating-point comparisons. chai's closeTo is overridden by Hardhat's chai matchers (loaded once
// any test file connects to a network) with a bigint version that rejects non-integers.
import { expect } from "chai";

/** Asserts |actual - expected| <= tolerance. */
export function expectNear(actual: number, expected: number, tolerance: number, what = "value"): void {
  expect(Number.isFinite(actual), `${what} is a finite number (got ${actual})`).to.equal(true);
  expect(Math.abs(actual - expected) <= tolerance, `${what}: expected ${actual} to be within ${tolerance} of ${expected}`).to.equal(true);
}
