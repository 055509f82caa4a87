// Display helpers: addresses, ids, quantities, times.
import { formatQuantity } from "@core/record.js";

export { shortAddress } from "@core/address.js";
export const shortHex = (h: string) => (h.length > 14 ? `${h.slice(0, 10)}…${h.slice(-6)}` : h);
export const isZeroHex = (h: string) => /^0x0*$/.test(h);
export const quantity = (q: bigint, unit: string) => `${formatQuantity(q)} ${unit}`;
/** A quantity (6 decimals) as a JS number, for charts only. */
export { quantityToNumber as toNumber } from "@core/record.js";
export { dateTime, dateOnly } from "@core/time.js";
export { formatQuantity };
