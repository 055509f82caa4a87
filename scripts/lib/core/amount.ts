// Amounts of a token (ETH: 18 decimals) for people: rounded to what matters, the exact value beside
// it (on hover in the app, under --json in the CLI). Browser-safe.

/** How many significant digits an amount under one whole unit keeps (0.1543, 0.0001235). */
const SIGNIFICANT = 4;

/**
 * `value` (in base units of a token with `decimals`) rounded for reading: two decimals from one
 * whole unit up (1,234.50), else four significant digits (0.1543, 0.0001235); half up; thousands
 * separated. 0.999999999999999998 reads 1.00.
 */
export function roundAmount(value: bigint, decimals: number): string {
  const negative = value < 0n;
  const v = negative ? -value : value;
  const unit = 10n ** BigInt(decimals);
  let keep = 2;
  if (v !== 0n && v < unit) {
    let zeros = 0;
    for (let x = v * 10n; x < unit; x *= 10n) zeros++;
    keep = zeros + SIGNIFICANT;
  }
  keep = Math.min(keep, decimals);
  const scale = 10n ** BigInt(decimals - keep);
  const rounded = (v + scale / 2n) / scale;
  const whole = (rounded / 10n ** BigInt(keep)).toLocaleString("en-US");
  const sign = negative && rounded !== 0n ? "-" : "";
  if (keep === 0) return `${sign}${whole}`;
  let fraction = (rounded % 10n ** BigInt(keep)).toString().padStart(keep, "0");
  if (keep > 2) fraction = fraction.replace(/0+$/, "").padEnd(2, "0");
  return `${sign}${whole}.${fraction}`;
}

/** `value` exactly, in whole units (formatUnits without trailing zeros): 0.999999999999999998. */
export function exactAmount(value: bigint, decimals: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}
