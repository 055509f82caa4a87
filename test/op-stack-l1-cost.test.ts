// The OP-stack L1 data fee of bench:gas (scripts/lib/kit/op-stack.ts): FastLZ sizes and Fjord's
// estimate and fee formula, on inputs whose answer is known by hand.
import { expect } from "chai";
import solady from "solady";
import { estimatedSizeScaled, FJORD, fastlzSize, l1DataCost, l1DataFee } from "../scripts/lib/kit/op-stack.js";

const prices = { l1BaseFee: 1_000_000_000n, blobBaseFee: 1n, baseFeeScalar: 5_000n, blobBaseFeeScalar: 1_000_000n };

describe("OP-stack L1 data cost (Fjord)", function () {
  describe("fastlzSize", function () {
    it("compresses repetitive data far below its length, and the compression round-trips", function () {
      const zeros = "0x" + "00".repeat(1_000);
      expect(fastlzSize(zeros)).to.be.lessThan(40);
      expect(solady.LibZip.flzDecompress(solady.LibZip.flzCompress(zeros))).to.equal(zeros);
    });

    it("does not shrink random data (a signature, a hash)", function () {
      const random = "0x" + Array.from({ length: 64 }, (_, i) => ((i * 97 + 13) % 256).toString(16).padStart(2, "0")).join("");
      expect(fastlzSize(random)).to.be.at.least(64);
    });
  });

  describe("estimatedSizeScaled", function () {
    it("is the linear fit above the floor: 200 compressed bytes estimate 124.7144 bytes", function () {
      expect(estimatedSizeScaled(200)).to.equal(-42_585_600n + 836_500n * 200n);
      expect(Number(estimatedSizeScaled(200)) / 1e6).to.equal(124.7144);
    });

    it("never goes below the 100-byte floor for a small transaction", function () {
      expect(estimatedSizeScaled(10)).to.equal(FJORD.minTxSizeScaled);
      expect(estimatedSizeScaled(170)).to.equal(FJORD.minTxSizeScaled); // 99.6 bytes by the fit
      expect(estimatedSizeScaled(171)).to.equal(-42_585_600n + 836_500n * 171n);
    });
  });

  describe("l1DataFee", function () {
    it("prices the estimated size by the L1 base fee and the blob base fee, each by its scalar", function () {
      // 124.7144 bytes * (16 * 5,000 * 1 gwei + 1,000,000 * 1 wei) / 1e12
      expect(l1DataFee(200, prices)).to.equal((124_714_400n * (16n * 5_000n * 1_000_000_000n + 1_000_000n)) / 1_000_000_000_000n);
      expect(l1DataFee(200, { ...prices, l1BaseFee: 0n, blobBaseFee: 0n })).to.equal(0n);
    });

    it("grows with the compressed size", function () {
      expect(l1DataFee(400, prices) > l1DataFee(200, prices)).to.equal(true);
    });
  });

  it("l1DataCost gives the transaction's bytes, compressed bytes, estimated bytes and fee together", function () {
    const tx = "0x02" + "f8".padEnd(400, "0");
    const cost = l1DataCost(tx, prices);
    expect(cost.txBytes).to.equal(201);
    expect(cost.fastlzBytes).to.equal(fastlzSize(tx));
    expect(cost.l1FeeWei).to.equal(l1DataFee(cost.fastlzBytes, prices));
  });
});
