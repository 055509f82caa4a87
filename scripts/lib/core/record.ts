// Records as the Ledger contract sees them: building from friendly input, checking (the same rules
// as the contract, so bad input is caught before any RPC call), EIP-712 hashing and signing, and a
// portable JSON form that any relayer accepts.
import { AbiCoder, getAddress, getBytes, isAddress, keccak256, toUtf8Bytes, TypedDataEncoder, ZeroAddress, ZeroHash } from "ethers";
import { keccak256 as fastKeccak256, putHex } from "./keccak.js";
import type { TypedDataDomain, TypedDataField } from "ethers";
import { ACTION_SIDES, ACTIONS, FLOWS, LIMITS, nameOf, QUANTITY_DECIMALS, RecordInputError, SIDES, VERDICTS, codeOf } from "./vocabulary.js";
import type { ActionName, FlowName, SideName, VerdictName } from "./vocabulary.js";
import { dateTime } from "./time.js";

/** A record exactly as signed and as the contract's `Record` struct (numbers as bigint/number). */
export interface LedgerRecord {
  flow: number;
  action: number;
  provider: string;
  receiver: string;
  commons: string;
  resource: string;
  resourceSpec: string;
  process: string;
  side: number;
  quantity: bigint;
  unit: string; // bytes8, 0x + 16 hex digits
  time: bigint;
  evidence: string;
  corrects: bigint;
  satisfies: bigint;
  nonce: bigint;
  deadline: bigint;
}

export interface LedgerValidation {
  entryId: bigint;
  verdict: number;
  validator: string;
  evidence: string;
  nonce: bigint;
  deadline: bigint;
}

export const DOMAIN_NAME = "CommonsLedger";
export const DOMAIN_VERSION = "1";

/** The record's fields in their signed (EIP-712) and stored order. */
export const RECORD_FIELDS = [
  "flow",
  "action",
  "provider",
  "receiver",
  "commons",
  "resource",
  "resourceSpec",
  "process",
  "side",
  "quantity",
  "unit",
  "time",
  "evidence",
  "corrects",
  "satisfies",
  "nonce",
  "deadline",
] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];

const RECORD_FIELD_TYPES: Record<RecordField, string> = {
  flow: "uint8",
  action: "uint8",
  provider: "address",
  receiver: "address",
  commons: "bytes32",
  resource: "bytes32",
  resourceSpec: "bytes32",
  process: "bytes32",
  side: "uint8",
  quantity: "uint128",
  unit: "bytes8",
  time: "uint64",
  evidence: "bytes32",
  corrects: "uint64",
  satisfies: "uint64",
  nonce: "uint256",
  deadline: "uint64",
};

export const RECORD_TYPES: Record<string, TypedDataField[]> = {
  Record: RECORD_FIELDS.map((name) => ({ name, type: RECORD_FIELD_TYPES[name] })),
};

export const VALIDATION_TYPES: Record<string, TypedDataField[]> = {
  Validation: [
    { name: "entryId", type: "uint64" },
    { name: "verdict", type: "uint8" },
    { name: "validator", type: "address" },
    { name: "evidence", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint64" },
  ],
};

/** The EIP-712 type string of one of `types`' structs. */
const encodeType = (types: Record<string, TypedDataField[]>, name: string): string => TypedDataEncoder.from(types).encodeType(name);
// (Pure: a bundle that uses neither, such as the app's entry, leaves the typed-data code out.)
export const RECORD_TYPE_STRING = /* @__PURE__ */ encodeType(RECORD_TYPES, "Record");
export const VALIDATION_TYPE_STRING = /* @__PURE__ */ encodeType(VALIDATION_TYPES, "Validation");
/** The Record struct's EIP-712 typehash: the contract's RECORD_TYPEHASH. */
export const RECORD_TYPEHASH = /* @__PURE__ */ keccak256(/* @__PURE__ */ toUtf8Bytes(RECORD_TYPE_STRING));
const RECORD_TYPEHASH_BYTES = /* @__PURE__ */ getBytes(RECORD_TYPEHASH);

/** 0x and the 17 words of a record, in hex. */
const RECORD_WORDS_HEX = /* @__PURE__ */ new RegExp(`^0x[0-9a-fA-F]{${RECORD_FIELDS.length * 64}}$`);
/** RECORD_TYPEHASH ‖ the 17 words, reused (hashes run one at a time); the typehash is written on first use. */
let recordHashInput: Uint8Array | undefined;

/**
 * A record's EIP-712 struct hash from its ABI encoding (`words`: 0x and the 17 words the Recorded
 * event logs, or that recordBatch's calldata carries): keccak256(RECORD_TYPEHASH ‖ words), as the
 * contract computes it. The same value as hashRecord, without decoding the words.
 */
export function recordHashOfWords(words: string | Uint8Array): string {
  if (typeof words === "string" && RECORD_WORDS_HEX.test(words)) {
    // The common case (every entry of a ledger read): the hex goes straight into the reused bytes.
    if (!recordHashInput) {
      recordHashInput = new Uint8Array(32 + RECORD_FIELDS.length * 32);
      recordHashInput.set(RECORD_TYPEHASH_BYTES, 0);
    }
    putHex(recordHashInput, 32, words, 2);
    return fastKeccak256(recordHashInput);
  }
  const bytes = getBytes(words);
  const hashed = new Uint8Array(32 + bytes.length);
  hashed.set(RECORD_TYPEHASH_BYTES, 0);
  hashed.set(bytes, 32);
  return fastKeccak256(hashed);
}

export function ledgerDomain(chainId: bigint | number, verifyingContract: string): TypedDataDomain {
  return { name: DOMAIN_NAME, version: DOMAIN_VERSION, chainId: BigInt(chainId), verifyingContract };
}

/** EIP-712 struct hash of a record: what the hash chain commits to. */
export function hashRecord(r: LedgerRecord): string {
  return TypedDataEncoder.hashStruct("Record", RECORD_TYPES, r);
}

export function recordDigest(domain: TypedDataDomain, r: LedgerRecord): string {
  return TypedDataEncoder.hash(domain, RECORD_TYPES, r);
}

export function validationDigest(domain: TypedDataDomain, v: LedgerValidation): string {
  return TypedDataEncoder.hash(domain, VALIDATION_TYPES, v);
}

/** Anything that can sign EIP-712 typed data (an ethers Wallet or a JSON-RPC signer). */
export interface TypedDataSigner {
  getAddress(): Promise<string>;
  signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string>;
}

export function signRecord(signer: TypedDataSigner, domain: TypedDataDomain, r: LedgerRecord): Promise<string> {
  return signer.signTypedData(domain, RECORD_TYPES, r as unknown as Record<string, unknown>);
}

export function signValidation(signer: TypedDataSigner, domain: TypedDataDomain, v: LedgerValidation): Promise<string> {
  return signer.signTypedData(domain, VALIDATION_TYPES, v as unknown as Record<string, unknown>);
}

/** The record's agent (its signer): the provider, or the receiver when there is no provider. */
export function agentOf(r: LedgerRecord): string {
  return r.provider !== ZeroAddress ? r.provider : r.receiver;
}

/**
 * The other agent a record names, who may confirm or refuse it (Ledger `_counterpartyOf`): its
 * receiver when the provider signed; null for a need (no provider), a flow with no receiver (the
 * zero address is nobody) or a flow to its own provider.
 */
export function counterpartyOf(r: LedgerRecord): string | null {
  if (r.provider === ZeroAddress || r.receiver === ZeroAddress || r.receiver.toLowerCase() === r.provider.toLowerCase()) return null;
  return r.receiver;
}

// ---------------------------------------------------------------- ids, units and quantities

/** A bytes32 id for a human label (resource, resource spec, process): keccak256 of its UTF-8. */
export function labelId(label: string): string {
  if (label.length === 0) throw new RecordInputError("label", "must not be empty");
  return keccak256(new TextEncoder().encode(label));
}

/** The id the contract gives a commons registered by `founder` with `salt`. */
export function commonsId(founder: string, salt: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [founder, salt]));
}

/** "kg" -> 0x6b67000000000000 (bytes8, ASCII, 1..8 printable characters). */
export function encodeUnit(unit: string): string {
  if (!/^[\x21-\x7e]{1,8}$/.test(unit)) {
    throw new RecordInputError("unit", `"${unit}" must be 1 to 8 printable ASCII characters without spaces`);
  }
  let hex = "0x";
  for (let i = 0; i < unit.length; i++) hex += unit.charCodeAt(i).toString(16).padStart(2, "0");
  return hex.padEnd(18, "0");
}

export function decodeUnit(unit: string): string {
  // As Node's "ascii" decoding (high bit cleared), without Buffer so that browsers can use it too.
  let text = "";
  for (let i = 2; i + 1 < unit.length; i += 2) text += String.fromCharCode(Number.parseInt(unit.slice(i, i + 2), 16) & 0x7f);
  return text.replace(/\0+$/, "");
}

/** A fixed-point quantity (QUANTITY_DECIMALS decimals) as a float, for charts and plans. */
export const quantityToNumber = (q: bigint): number => Number(q) / 10 ** QUANTITY_DECIMALS;

/** "3.5" -> 3_500_000n (QUANTITY_DECIMALS decimals). Rejects signs, exponents and excess digits. */
export function parseQuantity(text: string): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new RecordInputError("quantity", `"${text}" is not a non-negative decimal number`);
  const [, whole, frac = ""] = m;
  if (frac.length > QUANTITY_DECIMALS) {
    throw new RecordInputError("quantity", `"${text}" has more than ${QUANTITY_DECIMALS} decimals`);
  }
  const value = BigInt(whole + frac.padEnd(QUANTITY_DECIMALS, "0"));
  if (value > LIMITS.maxQuantity) throw new RecordInputError("quantity", `"${text}" is too large`);
  return value;
}

export function formatQuantity(value: bigint): string {
  const s = value.toString().padStart(QUANTITY_DECIMALS + 1, "0");
  const whole = s.slice(0, -QUANTITY_DECIMALS);
  const frac = s.slice(-QUANTITY_DECIMALS).replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : whole;
}

/** Keyed nonce: key in the high 192 bits, sequence in the low 64. */
export function packNonce(key: bigint, sequence: bigint): bigint {
  return (key << 64n) | sequence;
}

export function nonceKey(nonce: bigint): bigint {
  return nonce >> 64n;
}

// ---------------------------------------------------------------- building from friendly input

/** Friendly input for a record, as a CLI flag set or JSON file gives it. */
export interface RecordInput {
  flow?: FlowName;
  action: ActionName;
  provider?: string;
  receiver?: string;
  commons: string;
  resource?: string;
  resourceSpec?: string;
  process?: string;
  side?: SideName;
  quantity: string;
  unit: string;
  time: bigint | number; // unix seconds
  evidence?: string;
  corrects?: bigint | number;
  satisfies?: bigint | number;
  nonce: bigint;
  deadline: bigint | number;
}

function address(field: string, value: string | undefined): string {
  if (value === undefined || value === "") return ZeroAddress;
  if (!isAddress(value)) throw new RecordInputError(field, `"${value}" is not an address`);
  return getAddress(value);
}

function bytes32(field: string, value: string | undefined): string {
  if (value === undefined || value === "") return ZeroHash;
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw new RecordInputError(field, `"${value}" is not a 32-byte hex value (0x + 64 hex digits)`);
  }
  return value.toLowerCase();
}

function uint64(field: string, value: bigint | number | undefined): bigint {
  if (value === undefined) return 0n;
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    throw new RecordInputError(field, `${value} is not an integer`);
  }
  const v = BigInt(value);
  if (v < 0n || v > LIMITS.maxUint64) throw new RecordInputError(field, `${value} is out of range (0..2^64-1)`);
  return v;
}

export function buildRecord(input: RecordInput): LedgerRecord {
  const r: LedgerRecord = {
    flow: codeOf(FLOWS, input.flow ?? "event", "flow"),
    action: codeOf(ACTIONS, input.action, "action"),
    provider: address("provider", input.provider),
    receiver: address("receiver", input.receiver),
    commons: bytes32("commons", input.commons),
    resource: bytes32("resource", input.resource),
    resourceSpec: bytes32("resourceSpec", input.resourceSpec),
    process: bytes32("process", input.process),
    side: codeOf(SIDES, input.side ?? "none", "side"),
    quantity: parseQuantity(input.quantity),
    unit: encodeUnit(input.unit),
    time: uint64("time", input.time),
    evidence: bytes32("evidence", input.evidence),
    corrects: uint64("corrects", input.corrects),
    satisfies: uint64("satisfies", input.satisfies),
    nonce: input.nonce,
    deadline: uint64("deadline", input.deadline),
  };
  if (r.nonce < 0n || r.nonce >= 1n << 256n) throw new RecordInputError("nonce", `${input.nonce} is out of range`);
  return r;
}

export interface CheckContext {
  /** Current block time (unix seconds). */
  now: bigint;
  /** The id the record would get (the entry count + 1), when known. */
  nextId?: bigint;
  /** Whether a correction is expected (recordCorrection). */
  allowCorrection?: boolean;
}

/**
 * The contract's field checks, in the contract's order. Throws RecordInputError naming the field;
 * `contractError` gives the custom error the contract would revert with.
 */
export function checkRecord(r: LedgerRecord, ctx: CheckContext): void {
  const fail = (field: string, message: string, contractError: string): never => {
    throw Object.assign(new RecordInputError(field, message), { contractError });
  };
  // recordCorrection rejects a record that corrects nothing before any other check.
  if (ctx.allowCorrection && r.corrects === 0n) fail("corrects", "a correction must name the entry it corrects", "LedgerNotACorrection");
  if (FLOWS[r.flow] === undefined) fail("flow", `unknown flow code ${r.flow}`, "LedgerInvalidFlow");
  if (ACTIONS[r.action] === undefined) fail("action", `unknown action code ${r.action}`, "LedgerInvalidAction");
  if (SIDES[r.side] === undefined) fail("side", `unknown side code ${r.side}`, "LedgerInvalidSide");
  const flow = nameOf(FLOWS, r.flow, "flow");
  const action = nameOf(ACTIONS, r.action, "action");
  const side = nameOf(SIDES, r.side, "side");
  if (r.process === ZeroHash) {
    if (side !== "none") fail("side", `"${side}" needs a process`, "LedgerInvalidSide");
  } else {
    const allowed = ACTION_SIDES[action];
    if (side === "none" || !allowed.includes(side)) {
      fail(
        "side",
        `action "${action}" in a process must be ${allowed.length ? allowed.join(" or ") : "outside any process"}, not "${side}"`,
        "LedgerInvalidSide",
      );
    }
  }
  if (r.provider === ZeroAddress && r.receiver === ZeroAddress) {
    fail("provider", "a record needs a provider or (for a need) a receiver", "LedgerZeroAgent");
  }
  if (r.commons === ZeroHash) fail("commons", "is required", "LedgerMissingCommons");
  if (r.quantity === 0n && r.corrects === 0n) fail("quantity", "must be greater than zero", "LedgerZeroQuantity");
  if (r.quantity > LIMITS.maxQuantity) fail("quantity", "is too large", "LedgerMalformedRecord");
  if (r.quantity !== 0n && /^0x0+$/.test(r.unit)) fail("unit", "is required for a quantity", "LedgerMissingUnit");
  if (r.time === 0n) fail("time", "is required", "LedgerMissingTime");
  if (flow === "event" && r.time > ctx.now + BigInt(LIMITS.maxClockSkewSeconds)) {
    fail("time", `${dateTime(r.time)} is in the future (now ${dateTime(ctx.now)}); an event must have happened`, "LedgerTimeInFuture");
  }
  if (r.corrects !== 0n && !ctx.allowCorrection) {
    fail("corrects", "a correction must be submitted with a proof of the corrected entry", "LedgerCorrectionNeedsProof");
  }
  for (const link of ["corrects", "satisfies"] as const) {
    if (ctx.nextId !== undefined && r[link] >= ctx.nextId) {
      fail(link, `entry ${r[link]} does not exist yet (next id is ${ctx.nextId})`, "LedgerLinkNotFound");
    }
  }
  if (r.deadline < ctx.now)
    fail("deadline", `${dateTime(r.deadline, { seconds: true })} has passed (now ${dateTime(ctx.now, { seconds: true })})`, "LedgerExpired");
  if (r.deadline > ctx.now + BigInt(LIMITS.maxValiditySeconds)) {
    fail("deadline", `${dateTime(r.deadline)} is more than 30 days ahead`, "LedgerDeadlineTooFar");
  }
}

export function buildValidation(input: {
  entryId: bigint | number;
  verdict: VerdictName;
  validator: string;
  evidence?: string;
  nonce: bigint;
  deadline: bigint | number;
}): LedgerValidation {
  const entryId = uint64("entryId", input.entryId);
  if (entryId === 0n) throw new RecordInputError("entryId", "entry ids start at 1");
  return {
    entryId,
    verdict: codeOf(VERDICTS, input.verdict, "verdict"),
    validator: address("validator", input.validator),
    evidence: bytes32("evidence", input.evidence),
    nonce: input.nonce,
    deadline: uint64("deadline", input.deadline),
  };
}

// ---------------------------------------------------------------- portable JSON

/** A signed record as portable JSON: everything a relayer needs, numbers as decimal strings. */
export interface SignedRecordJson {
  type: "commons-ledger/signed-record@1";
  chainId: string;
  ledger: string;
  record: Record<keyof LedgerRecord, string | number>;
  signature: string;
  digest: string;
  /** The counterparty's signature of the same digest (`commons cosign`): the record is then sent with `recordConfirmed`. */
  counterpartySignature?: string;
}

export function toSignedJson(domain: TypedDataDomain, r: LedgerRecord, signature: string, counterpartySignature?: string): SignedRecordJson {
  const record = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])) as SignedRecordJson["record"];
  return {
    type: "commons-ledger/signed-record@1",
    chainId: String(domain.chainId),
    ledger: String(domain.verifyingContract),
    record,
    signature,
    digest: recordDigest(domain, r),
    ...(counterpartySignature !== undefined ? { counterpartySignature } : {}),
  };
}

type BigintField = "quantity" | "time" | "corrects" | "satisfies" | "nonce" | "deadline";
type NumberField = "flow" | "action" | "side";

/** Parses and checks the shape of a signed record; throws RecordInputError on any problem. */
export function fromSignedJson(json: unknown): { domain: TypedDataDomain; record: LedgerRecord; signature: string; counterpartySignature?: string } {
  if (typeof json !== "object" || json === null) throw new RecordInputError("json", "is not an object");
  const j = json as Partial<SignedRecordJson>;
  if (j.type !== "commons-ledger/signed-record@1") {
    throw new RecordInputError("type", `expected "commons-ledger/signed-record@1", got ${JSON.stringify(j.type)}`);
  }
  if (typeof j.chainId !== "string" || !/^\d+$/.test(j.chainId)) throw new RecordInputError("chainId", "must be a decimal string");
  const ledger = address("ledger", j.ledger);
  if (typeof j.signature !== "string" || !/^0x([0-9a-fA-F]{2})+$/.test(j.signature)) {
    throw new RecordInputError("signature", "must be 0x-prefixed hex bytes");
  }
  const cosig = j.counterpartySignature;
  if (cosig !== undefined && (typeof cosig !== "string" || !/^0x([0-9a-fA-F]{2})+$/.test(cosig))) {
    throw new RecordInputError("counterpartySignature", "must be 0x-prefixed hex bytes");
  }
  const raw = j.record;
  if (typeof raw !== "object" || raw === null) throw new RecordInputError("record", "is missing");
  const get = (k: keyof LedgerRecord): string | number => {
    const v = (raw as Record<string, unknown>)[k];
    if (typeof v !== "string" && typeof v !== "number") throw new RecordInputError(`record.${k}`, "is missing");
    return v;
  };
  const big = (k: BigintField): bigint => {
    const v = String(get(k));
    if (!/^\d+$/.test(v)) throw new RecordInputError(`record.${k}`, `"${v}" is not a non-negative integer`);
    return BigInt(v);
  };
  const small = (k: NumberField): number => {
    const raw = get(k);
    const v = typeof raw === "number" ? raw : /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new RecordInputError(`record.${k}`, `${JSON.stringify(raw)} is not a uint8`);
    return v;
  };
  const unit = String(get("unit"));
  if (!/^0x[0-9a-fA-F]{16}$/.test(unit)) throw new RecordInputError("record.unit", "must be bytes8 hex");
  const record: LedgerRecord = {
    flow: small("flow"),
    action: small("action"),
    provider: address("record.provider", String(get("provider"))),
    receiver: address("record.receiver", String(get("receiver"))),
    commons: bytes32("record.commons", String(get("commons"))),
    resource: bytes32("record.resource", String(get("resource"))),
    resourceSpec: bytes32("record.resourceSpec", String(get("resourceSpec"))),
    process: bytes32("record.process", String(get("process"))),
    side: small("side"),
    quantity: big("quantity"),
    unit: unit.toLowerCase(),
    time: big("time"),
    evidence: bytes32("record.evidence", String(get("evidence"))),
    corrects: big("corrects"),
    satisfies: big("satisfies"),
    nonce: big("nonce"),
    deadline: big("deadline"),
  };
  for (const k of ["time", "corrects", "satisfies", "deadline"] as const) {
    if (record[k] > LIMITS.maxUint64) throw new RecordInputError(`record.${k}`, "is out of range");
  }
  const domain = ledgerDomain(BigInt(j.chainId), ledger);
  if (j.digest !== undefined && j.digest !== recordDigest(domain, record)) {
    throw new RecordInputError("digest", "does not match the record (the JSON was altered)");
  }
  return { domain, record, signature: j.signature, ...(cosig !== undefined ? { counterpartySignature: cosig } : {}) };
}

/** A signed validation as portable JSON (what `commons validate --out` writes and a relayer takes). */
export interface SignedValidationJson {
  type: "commons-ledger/signed-validation@1";
  chainId: string;
  ledger: string;
  validation: Record<keyof LedgerValidation, string | number>;
  signature: string;
  digest: string;
}

export const SIGNED_RECORD_TYPE = "commons-ledger/signed-record@1";
export const SIGNED_VALIDATION_TYPE = "commons-ledger/signed-validation@1";

/** Which signed message a JSON value says it is (by its `type`), if one of ours. */
export function signedKind(json: unknown): "record" | "validation" | undefined {
  const type = (json as { type?: unknown } | null)?.type;
  return type === SIGNED_RECORD_TYPE ? "record" : type === SIGNED_VALIDATION_TYPE ? "validation" : undefined;
}

export function toSignedValidationJson(domain: TypedDataDomain, v: LedgerValidation, signature: string): SignedValidationJson {
  return {
    type: SIGNED_VALIDATION_TYPE,
    chainId: String(domain.chainId),
    ledger: String(domain.verifyingContract),
    validation: {
      entryId: v.entryId.toString(),
      verdict: v.verdict,
      validator: v.validator,
      evidence: v.evidence,
      nonce: v.nonce.toString(),
      deadline: v.deadline.toString(),
    },
    signature,
    digest: validationDigest(domain, v),
  };
}

/** Parses and checks the shape of a signed validation; throws RecordInputError on any problem. */
export function fromSignedValidationJson(json: unknown): { domain: TypedDataDomain; validation: LedgerValidation; signature: string } {
  if (typeof json !== "object" || json === null) throw new RecordInputError("json", "is not an object");
  const j = json as Partial<SignedValidationJson>;
  if (j.type !== SIGNED_VALIDATION_TYPE) throw new RecordInputError("type", `expected "${SIGNED_VALIDATION_TYPE}", got ${JSON.stringify(j.type)}`);
  if (typeof j.chainId !== "string" || !/^\d+$/.test(j.chainId)) throw new RecordInputError("chainId", "must be a decimal string");
  const ledger = address("ledger", j.ledger);
  if (typeof j.signature !== "string" || !/^0x([0-9a-fA-F]{2})+$/.test(j.signature)) throw new RecordInputError("signature", "must be 0x-prefixed hex bytes");
  const raw = j.validation;
  if (typeof raw !== "object" || raw === null) throw new RecordInputError("validation", "is missing");
  const get = (k: keyof LedgerValidation): string => {
    const v = (raw as Record<string, unknown>)[k];
    if (typeof v !== "string" && typeof v !== "number") throw new RecordInputError(`validation.${k}`, "is missing");
    return String(v);
  };
  const big = (k: "entryId" | "nonce" | "deadline", max: bigint): bigint => {
    const v = get(k);
    if (!/^\d+$/.test(v)) throw new RecordInputError(`validation.${k}`, `"${v}" is not a non-negative integer`);
    if (BigInt(v) > max) throw new RecordInputError(`validation.${k}`, "is out of range");
    return BigInt(v);
  };
  const verdict = get("verdict");
  if (!/^[0-3]$/.test(verdict)) {
    throw new RecordInputError("validation.verdict", `${JSON.stringify(verdict)} is not 0 (accept), 1 (dispute), 2 (confirm) or 3 (refuse)`);
  }
  const entryId = big("entryId", LIMITS.maxUint64);
  if (entryId === 0n) throw new RecordInputError("validation.entryId", "entry ids start at 1");
  const validation: LedgerValidation = {
    entryId,
    verdict: Number(verdict),
    validator: address("validation.validator", get("validator")),
    evidence: bytes32("validation.evidence", get("evidence")),
    nonce: big("nonce", (1n << 256n) - 1n),
    deadline: big("deadline", LIMITS.maxUint64),
  };
  if (validation.validator === ZeroAddress) throw new RecordInputError("validation.validator", "is the zero address");
  const domain = ledgerDomain(BigInt(j.chainId), ledger);
  if (j.digest !== undefined && j.digest !== validationDigest(domain, validation)) {
    throw new RecordInputError("digest", "does not match the validation (the JSON was altered)");
  }
  return { domain, validation, signature: j.signature };
}

/**
 * The evidence digest of a file's bytes: keccak256, the one rule the CLI (`--evidence-file`) and the
 * app (a file dropped on the form, or checked against an entry) both apply.
 */
export function evidenceOfBytes(bytes: Uint8Array): string {
  return keccak256(bytes);
}
