// The L1 data fee an OP-stack chain (OP Mainnet, Base, ...) bills a transaction since its Fjord
// upgrade: the signed, RLP-encoded transaction compressed with FastLZ (solady's LibZip, the same
// compressor op-geth's `FlzCompressLen` implements), turned into an estimated compressed size by
// op-geth's linear fit (core/types/rollup_cost.go: intercept, coefficient, and a 100-byte floor),
// then priced by the chain's L1 base fee, blob base fee and their scalars:
//   estimatedSize = max(100e6, -42,585,600 + 836,500 * fastlzSize)            (bytes * 1e6)
//   l1Fee         = estimatedSize * (16 * baseFeeScalar * l1BaseFee + blobBaseFeeScalar * blobBaseFee) / 1e12
import solady from "solady";

export const FJORD = { intercept: -42_585_600n, fastlzCoef: 836_500n, minTxSizeScaled: 100_000_000n } as const;

/** An OP-stack chain's L1 prices (wei) and fee scalars (6 decimals), as its L1Block predeploy holds them. */
export interface L1Prices {
  l1BaseFee: bigint;
  blobBaseFee: bigint;
  baseFeeScalar: bigint;
  blobBaseFeeScalar: bigint;
}

/** The length of `hex` (0x-prefixed bytes) compressed with FastLZ. */
export function fastlzSize(hex: string): number {
  return (solady.LibZip.flzCompress(hex).length - 2) / 2;
}

/** Fjord's estimated compressed size of a transaction of `fastlz` compressed bytes, scaled by 1e6. */
export function estimatedSizeScaled(fastlz: number): bigint {
  const estimate = FJORD.intercept + FJORD.fastlzCoef * BigInt(fastlz);
  return estimate > FJORD.minTxSizeScaled ? estimate : FJORD.minTxSizeScaled;
}

/** The L1 data fee (wei) of a transaction of `fastlz` compressed bytes at `prices`. */
export function l1DataFee(fastlz: number, prices: L1Prices): bigint {
  const perByteScaled = 16n * prices.baseFeeScalar * prices.l1BaseFee + prices.blobBaseFeeScalar * prices.blobBaseFee;
  return (estimatedSizeScaled(fastlz) * perByteScaled) / 1_000_000_000_000n;
}

/** What an OP-stack chain bills for one signed transaction's data: its sizes and, at `prices`, its L1 fee. */
export function l1DataCost(signedTx: string, prices: L1Prices) {
  const fastlz = fastlzSize(signedTx);
  return {
    txBytes: (signedTx.length - 2) / 2,
    fastlzBytes: fastlz,
    estimatedBytes: Number(estimatedSizeScaled(fastlz)) / 1e6,
    l1FeeWei: l1DataFee(fastlz, prices),
  };
}
