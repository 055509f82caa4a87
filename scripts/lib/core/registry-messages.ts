// The ReciprocityRegistry's signed messages: its EIP-712 domain and types, the declaration, grant
// and settlement structs, their digests, and each as portable JSON (what \`commons declare --out\`,
// \`grant --out\` and \`settlement add --out\` write and a relayer takes). Browser-safe; the reciprocity domain (scripts/lib/reciprocity/)
// builds and signs them, the relayer checks and sends them.
import { getAddress, isAddress, TypedDataEncoder, ZeroAddress } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";
import { DECLARATION_KINDS, reciprocityInterface } from "./registry-abi.js";
import { directoryInterface } from "./directory-abi.js";
import { fromSignedProfileJson, profileDigest, SIGNED_PROFILE_TYPE, toSignedProfileJson } from "./directory.js";
import type { SignedProfileJson } from "./directory.js";
import type { EntryProof } from "./proof.js";
import { envelope, fieldsOf, SignedMessageError } from "./signed-message.js";

export { SignedMessageError } from "./signed-message.js";

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

/** A licensee's order to count one of its Ledger entries toward a work (IReciprocityRegistry.Settlement). */
export interface SettlementOrder {
  work: bigint;
  entryId: bigint;
  /** The entry's latest settlement record (settlementOf(entryId).id; 0n if never settled). */
  nonce: bigint;
  deadline: bigint;
}

export function settlementDigest(domain: TypedDataDomain, o: SettlementOrder): string {
  return TypedDataEncoder.hash(domain, SETTLEMENT_TYPES, o);
}

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
  const j = envelope(json, SIGNED_DECLARATION_TYPE, "declaration");
  const { get, uint } = fieldsOf(j.body, "declaration");
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
  const domain = reciprocityDomain(BigInt(j.chainId), j.contract);
  if (j.digest !== undefined && j.digest !== declarationDigest(domain, declaration)) {
    throw new SignedMessageError("digest", "does not match the declaration (the JSON was altered)");
  }
  return { domain, declaration, signature: j.signature };
}

/** A licensor's signed grant as portable JSON. */
export interface SignedGrantJson {
  type: "commons-ledger/signed-grant@1";
  chainId: string;
  registry: string;
  grant: Record<keyof Grant, string | number>;
  signature: string;
  digest: string;
}

export const SIGNED_GRANT_TYPE = "commons-ledger/signed-grant@1";

export function toSignedGrantJson(domain: TypedDataDomain, g: Grant, signature: string): SignedGrantJson {
  const grant = Object.fromEntries(Object.entries(g).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])) as SignedGrantJson["grant"];
  return {
    type: SIGNED_GRANT_TYPE,
    chainId: String(domain.chainId),
    registry: String(domain.verifyingContract),
    grant,
    signature,
    digest: grantDigest(domain, g),
  };
}

/** Parses and checks the shape of a signed grant; throws SignedMessageError on any problem. */
export function fromSignedGrantJson(json: unknown): { domain: TypedDataDomain; grant: Grant; signature: string } {
  const j = envelope(json, SIGNED_GRANT_TYPE, "grant");
  const { get, uint } = fieldsOf(j.body, "grant");
  const licensee = get("licensee");
  if (!isAddress(licensee) || getAddress(licensee) === ZeroAddress) throw new SignedMessageError("grant.licensee", `"${licensee}" is not an address`);
  const terms = get("terms");
  if (!/^0x[0-9a-fA-F]{64}$/.test(terms)) throw new SignedMessageError("grant.terms", "must be 0x + 64 hex digits");
  const grant: Grant = {
    kind: Number(uint("kind", 8)),
    licensee: getAddress(licensee),
    work: uint("work", 256),
    ref: uint("ref", 256),
    expiry: uint("expiry", 64),
    terms: terms.toLowerCase(),
    nonce: uint("nonce", 256),
    deadline: uint("deadline", 64),
  };
  const domain = reciprocityDomain(BigInt(j.chainId), j.contract);
  if (j.digest !== undefined && j.digest !== grantDigest(domain, grant))
    throw new SignedMessageError("digest", "does not match the grant (the JSON was altered)");
  return { domain, grant, signature: j.signature };
}

/** A licensee's signed settlement order as portable JSON. */
export interface SignedSettlementJson {
  type: "commons-ledger/signed-settlement@1";
  chainId: string;
  registry: string;
  settlement: Record<keyof SettlementOrder, string>;
  signature: string;
  digest: string;
}

export const SIGNED_SETTLEMENT_TYPE = "commons-ledger/signed-settlement@1";

export function toSignedSettlementJson(domain: TypedDataDomain, o: SettlementOrder, signature: string): SignedSettlementJson {
  return {
    type: SIGNED_SETTLEMENT_TYPE,
    chainId: String(domain.chainId),
    registry: String(domain.verifyingContract),
    settlement: { work: o.work.toString(), entryId: o.entryId.toString(), nonce: o.nonce.toString(), deadline: o.deadline.toString() },
    signature,
    digest: settlementDigest(domain, o),
  };
}

/** Parses and checks the shape of a signed settlement order; throws SignedMessageError on any problem. */
export function fromSignedSettlementJson(json: unknown): { domain: TypedDataDomain; settlement: SettlementOrder; signature: string } {
  const j = envelope(json, SIGNED_SETTLEMENT_TYPE, "settlement");
  const { uint } = fieldsOf(j.body, "settlement");
  const settlement: SettlementOrder = { work: uint("work", 256), entryId: uint("entryId", 256), nonce: uint("nonce", 256), deadline: uint("deadline", 64) };
  if (settlement.work === 0n) throw new SignedMessageError("settlement.work", "must be a work id (1, 2, ...)");
  if (settlement.entryId === 0n) throw new SignedMessageError("settlement.entryId", "must be a Ledger entry id (1, 2, ...)");
  const domain = reciprocityDomain(BigInt(j.chainId), j.contract);
  if (j.digest !== undefined && j.digest !== settlementDigest(domain, settlement))
    throw new SignedMessageError("digest", "does not match the settlement order (the JSON was altered)");
  return { domain, settlement, signature: j.signature };
}

/**
 * A signed message for a contract beside the Ledger, read for a relayer: what it is, who signed it
 * (a declaration names its licensee, a profile its agent), and the call it makes on the contract
 * its signature is for (`domain.verifyingContract`: the ReciprocityRegistry, or the Directory for
 * a profile).
 */
export interface RegistryMessage {
  kind: "declaration" | "grant" | "settlement" | "profile";
  domain: TypedDataDomain;
  digest: string;
  signature: string;
  /** The signer the message names (the licensee of a declaration); a grant's licensor is the work's, read from the registry. */
  signer?: string;
  deadline: bigint;
  /** What only one pending message may hold at a time. */
  scope: string;
  /**
   * The registry function and its arguments. A settlement's call also takes the Ledger proofs of
   * its entry (and of the earlier entries of its correction chain), built when it is sent: see
   * `registryCallArgs`.
   */
  call: { fn: "declare" | "grant" | "settleBySignature" | "publishProfile"; args: unknown[] };
  /** For a settlement: the Ledger entry it settles, whose proofs the call needs. */
  settles?: bigint;
  /** The portable JSON, canonical. */
  json: SignedDeclarationJson | SignedGrantJson | SignedSettlementJson | SignedProfileJson;
}

/** The proofs a settlement's call takes after the order and its signature: the entry's own, then its correction chain's. */
export type SettlementProofs = { proof: EntryProof; ancestors: EntryProof[] };

/**
 * The proofs `settle` needs for `entryId`, with each entry's proof from `proofOf` (the Ledger's
 * events, or a relayer's entry index): the entry's own, and those of the earlier entries of its
 * correction chain walked before one that was ever settled (`everSettled`) or one that corrects
 * nothing.
 */
export async function settlementProofsFrom(
  proofOf: (entryId: bigint) => Promise<EntryProof>,
  entryId: bigint,
  everSettled: (entryId: bigint) => Promise<boolean>,
): Promise<{ proof: EntryProof; ancestors: EntryProof[] }> {
  const proof = await proofOf(entryId);
  const ancestors: EntryProof[] = [];
  let earlier = proof.record.corrects;
  while (earlier !== 0n && !(await everSettled(earlier))) {
    const p = await proofOf(earlier);
    ancestors.push(p);
    earlier = p.record.corrects;
  }
  return { proof, ancestors };
}

/** A registry message's call arguments: as read, and for a settlement with its entry's proofs from `proofs` (as of now). */
export async function registryCallArgs(m: RegistryMessage, proofs: (entryId: bigint) => Promise<SettlementProofs>): Promise<unknown[]> {
  if (m.settles === undefined) return m.call.args;
  const { proof, ancestors } = await proofs(m.settles);
  return [...m.call.args, proof, ancestors];
}

/** The message types a relayer sends to a contract beside the Ledger. */
export const CONTRACT_MESSAGE_TYPES: readonly string[] = [SIGNED_DECLARATION_TYPE, SIGNED_GRANT_TYPE, SIGNED_SETTLEMENT_TYPE, SIGNED_PROFILE_TYPE];

/** The calldata of a message's call with `args` (as `registryCallArgs` gives them), for the contract it is signed for. */
export function messageCalldata(m: RegistryMessage, args: readonly unknown[]): string {
  return m.kind === "profile" ? directoryInterface().encodeFunctionData(m.call.fn, args) : reciprocityInterface().encodeFunctionData(m.call.fn, args);
}

/** The event that records each kind of message, and the argument that numbers it (a registry record id; a profile's version). */
export const RECORDED_BY = {
  declaration: { event: "Declared", id: "id" },
  grant: { event: "Granted", id: "id" },
  settlement: { event: "Settled", id: "id" },
  profile: { event: "ProfilePublished", id: "nonce" },
} as const;

/** Reads a signed declaration, grant, settlement order or profile (by its `type`), or undefined if the JSON is none of them. */
export function readRegistryMessage(json: unknown): RegistryMessage | undefined {
  const type = (json as { type?: unknown } | null)?.type;
  if (type === SIGNED_PROFILE_TYPE) {
    const { domain, profile: p, signature } = fromSignedProfileJson(json);
    return {
      kind: "profile",
      domain,
      digest: profileDigest(domain, p),
      signature,
      signer: p.agent,
      deadline: p.deadline,
      scope: `profile:${p.agent.toLowerCase()}`,
      call: { fn: "publishProfile", args: [p, signature] },
      json: toSignedProfileJson(domain, p, signature),
    };
  }
  if (type === SIGNED_DECLARATION_TYPE) {
    const { domain, declaration: d, signature } = fromSignedDeclarationJson(json);
    const digest = declarationDigest(domain, d);
    return {
      kind: "declaration",
      domain,
      digest,
      signature,
      signer: d.licensee,
      deadline: d.deadline,
      scope: `declaration:${d.licensee.toLowerCase()}:${d.work}`,
      call: { fn: "declare", args: [d, signature] },
      json: toSignedDeclarationJson(domain, d, signature),
    };
  }
  if (type === SIGNED_GRANT_TYPE) {
    const { domain, grant: g, signature } = fromSignedGrantJson(json);
    const digest = grantDigest(domain, g);
    return {
      kind: "grant",
      domain,
      digest,
      signature,
      deadline: g.deadline,
      scope: `grant:${digest}`,
      call: { fn: "grant", args: [g, signature] },
      json: toSignedGrantJson(domain, g, signature),
    };
  }
  if (type === SIGNED_SETTLEMENT_TYPE) {
    const { domain, settlement: o, signature } = fromSignedSettlementJson(json);
    return {
      kind: "settlement",
      domain,
      digest: settlementDigest(domain, o),
      signature,
      deadline: o.deadline,
      scope: `settlement:${o.entryId}`,
      call: { fn: "settleBySignature", args: [o, signature] },
      settles: o.entryId,
      json: toSignedSettlementJson(domain, o, signature),
    };
  }
  return undefined;
}
