// The signature of an entry lives in the calldata of the transaction that recorded it (record,
// recordCorrection or one item of recordBatch); the event holds the record only.
import { decodeFunctionData } from "viem";
import type { Hex } from "viem";
import { hashRecord } from "@core/record.js";
import { recordOf } from "@core/reader.js";
import { ledgerAbi } from "../contracts/generated";

/**
 * The signature carried for the record with struct hash `recordHash` in a call to the Ledger, or
 * undefined when the transaction is no such direct call (e.g. it went through another contract).
 */
export function signatureFromCalldata(input: Hex, recordHash: string): Hex | undefined {
  let call;
  try {
    call = decodeFunctionData({ abi: ledgerAbi, data: input });
  } catch {
    return undefined;
  }
  const args = call.args as readonly unknown[];
  if (call.functionName === "record" || call.functionName === "recordCorrection") {
    return hashRecord(recordOf(args[0] as Record<string, unknown>)) === recordHash ? (args[1] as Hex) : undefined;
  }
  if (call.functionName === "recordBatch") {
    const records = args[0] as Record<string, unknown>[];
    const sigs = args[1] as Hex[];
    for (let i = 0; i < records.length; i++) if (hashRecord(recordOf(records[i])) === recordHash) return sigs[i];
  }
  return undefined;
}
