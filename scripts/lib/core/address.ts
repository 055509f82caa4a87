// What is wrong with a text given as an address, in one sentence: one rule for the CLI and the app.
import { isAddress } from "ethers";

/** 0x and 40 hex digits, in any case: the shape of an address, checksum aside. */
export const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * Why `text` is not an address, or undefined when it is one. Mixed case must carry the EIP-55
 * checksum: a mismatch means a mistyped character, which all lower case would not catch.
 */
export function addressProblem(text: string): string | undefined {
  if (!HEX_ADDRESS.test(text)) return `"${text}" is not an address (0x + 40 hex digits)`;
  if (!isAddress(text)) return `"${text}" has a wrong checksum (mixed-case letters): check it for a typo, or write it all in lower case`;
  return undefined;
}

/** An address as people glance at it: "0x7099…79C8" (anything else as given). */
export function shortAddress(address: string): string {
  return address.length === 42 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}
