// The envelope every signed message for a contract beside the Ledger shares in its portable JSON
// (type, chain, contract, signature, the message object) and readers of its fields, each problem
// named by its field. Browser-safe; registry-messages.ts and directory.ts build on it.
import { getAddress, isAddress } from "ethers";

/** A problem with a signed message's JSON: the field and what is wrong with it. */
export class SignedMessageError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = "SignedMessageError";
  }
}

/**
 * The common part of a signed message's JSON: type, chain, the contract it is for (under
 * `contractField`: "registry", or "directory" for a profile), signature and the message object
 * under `field`.
 */
export function envelope(
  json: unknown,
  type: string,
  field: string,
  contractField = "registry",
): { chainId: string; contract: string; signature: string; digest?: string; body: object } {
  if (typeof json !== "object" || json === null) throw new SignedMessageError("json", "is not an object");
  const j = json as Record<string, unknown>;
  if (j.type !== type) throw new SignedMessageError("type", `expected "${type}", got ${JSON.stringify(j.type)}`);
  if (typeof j.chainId !== "string" || !/^\d+$/.test(j.chainId)) throw new SignedMessageError("chainId", "must be a decimal string");
  const contract = j[contractField];
  if (typeof contract !== "string" || !isAddress(contract)) throw new SignedMessageError(contractField, "must be an address");
  if (typeof j.signature !== "string" || !/^0x([0-9a-fA-F]{2})+$/.test(j.signature)) throw new SignedMessageError("signature", "must be 0x-prefixed hex bytes");
  const body = j[field];
  if (typeof body !== "object" || body === null) throw new SignedMessageError(field, "is missing");
  return { chainId: j.chainId, contract: getAddress(contract), signature: j.signature, digest: typeof j.digest === "string" ? j.digest : undefined, body };
}

/** Readers of a message object's fields, naming `prefix.field` in their errors. */
export function fieldsOf(raw: object, prefix: string) {
  const get = (k: string): string => {
    const v = (raw as Record<string, unknown>)[k];
    if (typeof v !== "string" && typeof v !== "number") throw new SignedMessageError(`${prefix}.${k}`, "is missing");
    return String(v);
  };
  const uint = (k: string, bits: number): bigint => {
    const v = get(k);
    if (!/^\d+$/.test(v) || BigInt(v) >= 1n << BigInt(bits)) throw new SignedMessageError(`${prefix}.${k}`, `"${v}" is not a uint${bits}`);
    return BigInt(v);
  };
  return { get, uint };
}
