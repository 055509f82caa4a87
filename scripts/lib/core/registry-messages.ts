// The ReciprocityRegistry's signed messages: its EIP-712 domain and types, the declaration and grant
// structs, their digests, and a signed declaration as portable JSON (what \`commons declare --out\`
// writes and a relayer takes). Browser-safe; the reciprocity domain (scripts/lib/reciprocity/)
// builds and signs them, the relayer checks and sends them.
import { getAddress, isAddress, TypedDataEncoder, ZeroAddress } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";
import { DECLARATION_KINDS } from "./registry-abi.js";

export const RECIPROCITY_DOMAIN_NAME = "CommonsReciprocity";
export const RECIPROCITY_DOMAIN_VERSION = "1";

export const DECLARATION_TYPES: Record<string, TypedDataField[]> = {
  Declaration: [
    { name: "kind", type: "uint8" },
    { name: "licensee", type: "address" },
    { name: "work", type: "uint256" },
    { name: "value", type: "uint8" },
    { name: "start", type: "uint64" },
    { name: "end", type: "uint64" },
    { name: "evidence", type: "bytes32" },
    { name: "nonce", type: "uint64" },
    { name: "deadline", type: "uint64" },
  ],
};

export const GRANT_TYPES: Record<string, TypedDataField[]> = {
  Grant: [
    { name: "kind", type: "uint8" },
    { name: "licensee", type: "address" },
    { name: "work", type: "uint256" },
    { name: "ref", type: "uint256" },
    { name: "expiry", type: "uint64" },
    { name: "terms", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint64" },
  ],
};

export const SETTLEMENT_TYPES: Record<string, TypedDataField[]> = {
  Settlement: [
    { name: "work", type: "uint256" },
    { name: "entryId", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint64" },
  ],
};

export function reciprocityDomain(chainId: bigint | number, verifyingContract: string): TypedDataDomain {
  return { name: RECIPROCITY_DOMAIN_NAME, version: RECIPROCITY_DOMAIN_VERSION, chainId: BigInt(chainId), verifyingContract };
}

export interface Declaration {
  kind: number;
  licensee: string;
  work: bigint;
  value: number;
  start: bigint;
  end: bigint;
  evidence: string;
  nonce: bigint;
  deadline: bigint;
}

export interface Grant {
  kind: number;
  licensee: string;
  work: bigint;
  ref: bigint;
  expiry: bigint;
  terms: string;
  nonce: bigint;
  deadline: bigint;
}

export function declarationDigest(domain: TypedDataDomain, d: Declaration): string {
  return TypedDataEncoder.hash(domain, DECLARATION_TYPES, d);
}

export function grantDigest(domain: TypedDataDomain, g: Grant): string {
  return TypedDataEncoder.hash(domain, GRANT_TYPES, g);
}

/** A signed declaration as portable JSON: everything a relayer needs, numbers as decimal strings. */
export interface SignedDeclarationJson {
  type: "commons-ledger/signed-declaration@1";
  chainId: string;
  registry: string;
  declaration: Record<keyof Declaration, string | number>;
  signature: string;
  digest: string;
}

export const SIGNED_DECLARATION_TYPE = "commons-ledger/signed-declaration@1";

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

export function toSignedDeclarationJson(domain: TypedDataDomain, d: Declaration, signature: string): SignedDeclarationJson {
  const declaration = Object.fromEntries(
    Object.entries(d).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v]),
  ) as SignedDeclarationJson["declaration"];
  return {
    type: SIGNED_DECLARATION_TYPE,
    chainId: String(domain.chainId),
    registry: String(domain.verifyingContract),
    declaration,
    signature,
    digest: declarationDigest(domain, d),
  };
}

/** Parses and checks the shape of a signed declaration; throws SignedMessageError on any problem. */
export function fromSignedDeclarationJson(json: unknown): { domain: TypedDataDomain; declaration: Declaration; signature: string } {
  if (typeof json !== "object" || json === null) throw new SignedMessageError("json", "is not an object");
  const j = json as Partial<SignedDeclarationJson>;
  if (j.type !== SIGNED_DECLARATION_TYPE) throw new SignedMessageError("type", `expected "${SIGNED_DECLARATION_TYPE}", got ${JSON.stringify(j.type)}`);
  if (typeof j.chainId !== "string" || !/^\d+$/.test(j.chainId)) throw new SignedMessageError("chainId", "must be a decimal string");
  if (typeof j.registry !== "string" || !isAddress(j.registry)) throw new SignedMessageError("registry", "must be an address");
  if (typeof j.signature !== "string" || !/^0x([0-9a-fA-F]{2})+$/.test(j.signature)) throw new SignedMessageError("signature", "must be 0x-prefixed hex bytes");
  const raw = j.declaration;
  if (typeof raw !== "object" || raw === null) throw new SignedMessageError("declaration", "is missing");
  const get = (k: keyof Declaration): string => {
    const v = (raw as Record<string, unknown>)[k];
    if (typeof v !== "string" && typeof v !== "number") throw new SignedMessageError(`declaration.${k}`, "is missing");
    return String(v);
  };
  const uint = (k: keyof Declaration, bits: number): bigint => {
    const v = get(k);
    if (!/^\d+$/.test(v) || BigInt(v) >= 1n << BigInt(bits)) throw new SignedMessageError(`declaration.${k}`, `"${v}" is not a uint${bits}`);
    return BigInt(v);
  };
  const licensee = get("licensee");
  if (!isAddress(licensee) || getAddress(licensee) === ZeroAddress) throw new SignedMessageError("declaration.licensee", `"${licensee}" is not an address`);
  const evidence = get("evidence");
  if (!/^0x[0-9a-fA-F]{64}$/.test(evidence)) throw new SignedMessageError("declaration.evidence", "must be 0x + 64 hex digits");
  const kind = Number(uint("kind", 8));
  if (kind >= DECLARATION_KINDS.length)
    throw new SignedMessageError("declaration.kind", `${kind} is not a declaration kind (0 to ${DECLARATION_KINDS.length - 1})`);
  const declaration: Declaration = {
    kind,
    licensee: getAddress(licensee),
    work: uint("work", 256),
    value: Number(uint("value", 8)),
    start: uint("start", 64),
    end: uint("end", 64),
    evidence: evidence.toLowerCase(),
    nonce: uint("nonce", 64),
    deadline: uint("deadline", 64),
  };
  const domain = reciprocityDomain(BigInt(j.chainId), getAddress(j.registry));
  if (j.digest !== undefined && j.digest !== declarationDigest(domain, declaration)) {
    throw new SignedMessageError("digest", "does not match the declaration (the JSON was altered)");
  }
  return { domain, declaration, signature: j.signature };
}
