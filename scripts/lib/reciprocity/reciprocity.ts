// Reciprocity licensing (PPL / CopyFair): the registry's ABI (core/registry-abi.ts), its EIP-712 types, building and
// signing declarations, grants and settlement orders, reading the records back from events, and
// explaining a status in plain words. One module for the CLI, the app, the seed, the benchmarks
// and the tests.
import { Contract, TypedDataEncoder, ZeroAddress, ZeroHash, getAddress, isAddress } from "ethers";
import type { Log, Provider, Signer, TypedDataDomain } from "ethers";
import { buildEntryProof } from "../core/proof.js";
import type { EntryProof } from "../core/proof.js";
import { fetchLogs } from "../core/reader.js";
import type { Entry, ReadOptions } from "../core/reader.js";
import { decodeUnit, formatQuantity } from "../core/record.js";
import type { TypedDataSigner } from "../core/record.js";
import { ENTRY_STATES } from "../core/vocabulary.js";
import type { EntryStateName } from "../core/vocabulary.js";
import {
  LICENSE_KINDS,
  ENTITY_FORMS,
  USE_KINDS,
  DECLARATION_KINDS,
  GRANT_KINDS,
  SECTIONS,
  STATUSES,
  REASONS,
  RECIPROCITY_LIMITS,
  RECIPROCITY_ABI,
  reciprocityInterface,
} from "../core/registry-abi.js";
import type {
  LicenseKindName,
  EntityFormName,
  UseKindName,
  DeclarationKindName,
  GrantKindName,
  SectionName,
  StatusName,
  ReasonName,
} from "../core/registry-abi.js";
import {
  DECLARATION_TYPES,
  GRANT_TYPES,
  RECIPROCITY_DOMAIN_NAME,
  RECIPROCITY_DOMAIN_VERSION,
  SETTLEMENT_TYPES,
  SIGNED_DECLARATION_TYPE,
  declarationDigest,
  fromSignedDeclarationJson,
  grantDigest,
  reciprocityDomain,
  settlementDigest,
  settlementProofsFrom,
  toSignedDeclarationJson,
} from "../core/registry-messages.js";
import type { Declaration, Grant, SettlementOrder, SignedDeclarationJson } from "../core/registry-messages.js";
import { dayOrTime } from "../core/time.js";

// ---------------------------------------------------------------- codes and ABI (IReciprocityRegistry), in core

export {
  LICENSE_KINDS,
  ENTITY_FORMS,
  USE_KINDS,
  DECLARATION_KINDS,
  GRANT_KINDS,
  SECTIONS,
  STATUSES,
  REASONS,
  RECIPROCITY_LIMITS,
  RECIPROCITY_ABI,
  reciprocityInterface,
};
export type { LicenseKindName, EntityFormName, UseKindName, DeclarationKindName, GrantKindName, SectionName, StatusName, ReasonName };

export {
  RECIPROCITY_DOMAIN_NAME,
  RECIPROCITY_DOMAIN_VERSION,
  DECLARATION_TYPES,
  GRANT_TYPES,
  SETTLEMENT_TYPES,
  reciprocityDomain,
  declarationDigest,
  grantDigest,
  toSignedDeclarationJson,
  fromSignedDeclarationJson,
  SIGNED_DECLARATION_TYPE,
  settlementDigest,
};
export type { Declaration, Grant, SettlementOrder, SignedDeclarationJson };

export function registryContract(address: string, runner: Provider | Signer): Contract {
  return new Contract(address, RECIPROCITY_ABI, runner);
}

// ---------------------------------------------------------------- EIP-712 (core/registry-messages.ts)

export const DECLARATION_TYPE_STRING = TypedDataEncoder.from(DECLARATION_TYPES).encodeType("Declaration");
export const GRANT_TYPE_STRING = TypedDataEncoder.from(GRANT_TYPES).encodeType("Grant");
export const SETTLEMENT_TYPE_STRING = TypedDataEncoder.from(SETTLEMENT_TYPES).encodeType("Settlement");

/** What settlementOf answers. */
export interface SettlementView {
  id: bigint;
  licensee: string;
  family: bigint;
  periodStart: bigint;
  quantity: bigint;
  standing: boolean;
}

export interface Obligation {
  amount: bigint;
  unit: string;
  period: bigint;
}

export interface Terms {
  kind: number;
  supersedes: bigint;
  termsHash: string;
  termsUri: string;
  shareAlike: boolean;
  attesters: string[];
  arbiter: string;
  commons: string;
  obligation: Obligation;
}

export const NO_OBLIGATION: Obligation = { amount: 0n, unit: "0x0000000000000000", period: 0n };

/** Thrown for input the contract would refuse, before anything is sent. */
export class ReciprocityInputError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = "ReciprocityInputError";
  }
}

export function codeOfName<T extends readonly string[]>(list: T, name: string, field: string): number {
  const i = list.indexOf(name.toLowerCase());
  if (i < 0) throw new ReciprocityInputError(field, `"${name}" is not one of ${list.join(", ")}`);
  return i;
}

function checkedAddress(value: string, field: string): string {
  if (!isAddress(value) || getAddress(value) === ZeroAddress) throw new ReciprocityInputError(field, `"${value}" is not a non-zero address`);
  return getAddress(value);
}

/** A declaration from friendly input, with the checks the contract makes that need no chain state. */
export function buildDeclaration(input: {
  kind: DeclarationKindName;
  licensee: string;
  work: bigint;
  form?: EntityFormName;
  use?: UseKindName;
  start?: bigint;
  end?: bigint;
  evidence?: string;
  nonce: bigint;
  deadline: bigint;
}): Declaration {
  const kind = codeOfName(DECLARATION_KINDS, input.kind, "kind");
  const licensee = checkedAddress(input.licensee, "licensee");
  if (input.work <= 0n) throw new ReciprocityInputError("work", "must be a work id (1, 2, ...)");
  let value = 0;
  let start = 0n;
  let end = 0n;
  if (input.kind === "entity") {
    if (!input.form) throw new ReciprocityInputError("form", "an entity declaration needs a form");
    value = codeOfName(ENTITY_FORMS, input.form, "form");
  } else if (input.kind === "use") {
    if (!input.use) throw new ReciprocityInputError("use", "a use declaration needs a use");
    value = codeOfName(USE_KINDS, input.use, "use");
  } else {
    start = input.start ?? 0n;
    end = input.end ?? 0n;
    if (end <= start) throw new ReciprocityInputError("period", `ends (${isoDate(end)}) at or before it starts (${isoDate(start)})`);
    if (end > 2n ** 40n - 1n) throw new ReciprocityInputError("period", "ends too far in the future");
  }
  return { kind, licensee, work: input.work, value, start, end, evidence: input.evidence ?? ZeroHash, nonce: input.nonce, deadline: input.deadline };
}

/** A grant from friendly input. */
export function buildGrant(input: {
  kind: GrantKindName;
  licensee: string;
  work: bigint;
  ref?: bigint;
  expiry?: bigint;
  terms?: string;
  nonce: bigint;
  deadline: bigint;
}): Grant {
  const kind = codeOfName(GRANT_KINDS, input.kind, "kind");
  const licensee = checkedAddress(input.licensee, "licensee");
  if (input.work <= 0n) throw new ReciprocityInputError("work", "must be a work id (1, 2, ...)");
  const ref = input.ref ?? 0n;
  if (input.kind === "separate-license" && ref !== 0n) throw new ReciprocityInputError("ref", "a separate license names no finding");
  if (input.kind !== "separate-license" && ref === 0n) throw new ReciprocityInputError("ref", `a ${input.kind} names the breach finding it concerns`);
  return { kind, licensee, work: input.work, ref, expiry: input.expiry ?? 0n, terms: input.terms ?? ZeroHash, nonce: input.nonce, deadline: input.deadline };
}

/** A settlement order from friendly input (ids from 1). */
export function buildSettlement(input: { work: bigint; entryId: bigint; nonce: bigint; deadline: bigint }): SettlementOrder {
  if (input.work <= 0n) throw new ReciprocityInputError("work", "must be a work id (1, 2, ...)");
  if (input.entryId <= 0n) throw new ReciprocityInputError("entry", "must be a Ledger entry id (1, 2, ...)");
  return { work: input.work, entryId: input.entryId, nonce: input.nonce, deadline: input.deadline };
}

export function signSettlement(signer: TypedDataSigner, domain: TypedDataDomain, o: SettlementOrder): Promise<string> {
  return signer.signTypedData(domain, SETTLEMENT_TYPES, o as unknown as Record<string, unknown>);
}

export async function readSettlement(registry: Contract, entryId: bigint): Promise<SettlementView> {
  const v = await registry.settlementOf(entryId);
  return { id: v.id, licensee: v.licensee, family: v.family, periodStart: v.periodStart, quantity: v.quantity, standing: v.standing };
}

/**
 * The proofs `settle` needs for `entryId`, from the Ledger's events: the entry's own, and those of
 * the earlier entries of its correction chain walked before one that was ever settled
 * (`everSettled`, e.g. settlementOf(id).id !== 0n) or one that corrects nothing.
 */
export function settlementProofs(
  entries: readonly Entry[],
  entryId: bigint,
  everSettled: (entryId: bigint) => Promise<boolean>,
): Promise<{ proof: EntryProof; ancestors: EntryProof[] }> {
  return settlementProofsFrom(async (id) => buildEntryProof(entries, id), entryId, everSettled);
}

export function signDeclaration(signer: TypedDataSigner, domain: TypedDataDomain, d: Declaration): Promise<string> {
  return signer.signTypedData(domain, DECLARATION_TYPES, d as unknown as Record<string, unknown>);
}

export function signGrant(signer: TypedDataSigner, domain: TypedDataDomain, g: Grant): Promise<string> {
  return signer.signTypedData(domain, GRANT_TYPES, g as unknown as Record<string, unknown>);
}

/** The registry's EIP-712 domain on the connected chain. */
export async function registryDomain(provider: Provider, registry: string): Promise<TypedDataDomain> {
  const { chainId } = await provider.getNetwork();
  return reciprocityDomain(chainId, registry);
}

// ---------------------------------------------------------------- status

export interface Status {
  status: StatusName;
  prior: StatusName;
  reason: ReasonName;
  attested: boolean;
  /** Unix seconds; 0n: no end (holds until a new record changes it). */
  validUntil: bigint;
  records: bigint[];
}

export function decodeStatus(raw: {
  status: bigint;
  prior: bigint;
  reason: bigint;
  attested: boolean;
  validUntil: bigint;
  records: readonly bigint[];
}): Status {
  return {
    status: STATUSES[Number(raw.status)],
    prior: STATUSES[Number(raw.prior)],
    reason: REASONS[Number(raw.reason)],
    attested: raw.attested,
    validUntil: BigInt(raw.validUntil),
    records: raw.records.map((x) => BigInt(x)),
  };
}

export async function readStatus(registry: Contract, licensee: string, work: bigint): Promise<Status> {
  return decodeStatus(await registry.statusOf(licensee, work));
}

// ---------------------------------------------------------------- records from events

export type RegistryRecord =
  | {
      id: bigint;
      type: "declaration";
      licensee: string;
      work: bigint;
      kind: DeclarationKindName;
      value: number;
      start: bigint;
      end: bigint;
      evidence: string;
      signer: string;
    }
  | { id: bigint; type: "attestation"; licensee: string; work: bigint; declaration: bigint; signer: string; evidence: string }
  | { id: bigint; type: "report"; licensee: string; work: bigint; section: SectionName; signer: string; evidence: string }
  | { id: bigint; type: "finding" | "dismissal"; licensee: string; work: bigint; report: bigint; signer: string; evidence: string }
  | { id: bigint; type: "grant"; licensee: string; work: bigint; kind: GrantKindName; ref: bigint; expiry: bigint; terms: string; signer: string }
  | { id: bigint; type: "bulk-dismissal"; licensee: string; work: bigint; report: bigint; signer: string; evidence: string }
  | { id: bigint; type: "settlement"; licensee: string; work: bigint; entryId: bigint; periodStart: bigint; quantity: bigint; tally: bigint; signer: string }
  /** Anyone may reverse: the event names no caller, `signer` is the zero address. */
  | {
      id: bigint;
      type: "reversal";
      licensee: string;
      work: bigint;
      entryId: bigint;
      settlement: bigint;
      periodStart: bigint;
      quantity: bigint;
      tally: bigint;
      entryState: number;
      signer: string;
    };

export type TimedRecord = RegistryRecord & { time: bigint; block: number; tx: string };

export interface WorkInfo {
  work: bigint;
  licensor: string;
  family: bigint;
  kind: LicenseKindName;
  supersedes: bigint;
  termsHash: string;
  termsUri: string;
  shareAlike: boolean;
  arbiter: string;
  commons: string;
  obligation: Obligation;
  attesters: string[];
}

export interface RegistryEvents {
  works: WorkInfo[];
  records: TimedRecord[];
}

/** Decodes the registry's logs (ignoring other addresses and unknown topics). */
export async function readRegistry(provider: Provider, address: string, opts: ReadOptions = {}): Promise<RegistryEvents> {
  const logs = await fetchLogs(provider, address, opts);
  const times = new Map<number, bigint>();
  for (const block of new Set(logs.map((l) => l.blockNumber))) {
    const b = await provider.getBlock(block);
    times.set(block, BigInt(b?.timestamp ?? 0));
  }
  return decodeRegistryLogs(logs, address, times);
}

export function decodeRegistryLogs(logs: readonly Log[], address: string, times: ReadonlyMap<number, bigint>): RegistryEvents {
  const works: WorkInfo[] = [];
  const records: TimedRecord[] = [];
  for (const log of logs) {
    if (log.address.toLowerCase() !== address.toLowerCase()) continue;
    const parsed = reciprocityInterface().parseLog({ topics: log.topics as string[], data: log.data });
    if (!parsed) continue;
    const a = parsed.args;
    const at = { time: times.get(log.blockNumber) ?? 0n, block: log.blockNumber, tx: log.transactionHash };
    switch (parsed.name) {
      case "WorkRegistered":
        works.push({
          work: a.work,
          licensor: a.licensor,
          family: a.family,
          kind: LICENSE_KINDS[Number(a.kind)],
          supersedes: a.supersedes,
          termsHash: a.termsHash,
          termsUri: a.termsUri,
          shareAlike: a.shareAlike,
          arbiter: a.arbiter,
          commons: a.commons,
          obligation: { amount: a.obligation.amount, unit: a.obligation.unit, period: a.obligation.period },
          attesters: [...a.attesters],
        });
        break;
      case "Declared":
        records.push({
          ...at,
          id: a.id,
          type: "declaration",
          licensee: a.licensee,
          work: a.work,
          kind: DECLARATION_KINDS[Number(a.kind)],
          value: Number(a.value),
          start: a.start,
          end: a.end,
          evidence: a.evidence,
          signer: a.licensee,
        });
        break;
      case "Attested":
        records.push({
          ...at,
          id: a.id,
          type: "attestation",
          licensee: a.licensee,
          work: a.work,
          declaration: a.declaration,
          signer: a.attester,
          evidence: a.evidence,
        });
        break;
      case "BreachReported":
        records.push({
          ...at,
          id: a.id,
          type: "report",
          licensee: a.licensee,
          work: a.work,
          section: SECTIONS[Number(a.section)],
          signer: a.reporter,
          evidence: a.evidence,
        });
        break;
      case "BreachDecided":
        records.push({
          ...at,
          id: a.id,
          type: a.found ? "finding" : "dismissal",
          licensee: a.licensee,
          work: a.work,
          report: a.report,
          signer: a.by,
          evidence: a.evidence,
        });
        break;
      case "Granted":
        records.push({
          ...at,
          id: a.id,
          type: "grant",
          licensee: a.licensee,
          work: a.work,
          kind: GRANT_KINDS[Number(a.kind)],
          ref: a.ref,
          expiry: a.expiry,
          terms: a.terms,
          signer: a.licensor,
        });
        break;
      case "BreachesDismissed":
        records.push({ ...at, id: a.id, type: "bulk-dismissal", licensee: a.licensee, work: a.work, report: a.report, signer: a.by, evidence: a.evidence });
        break;
      case "Settled":
        records.push({
          ...at,
          id: a.id,
          type: "settlement",
          licensee: a.licensee,
          work: a.work,
          entryId: a.entryId,
          periodStart: a.periodStart,
          quantity: a.quantity,
          tally: a.tally,
          signer: a.licensee,
        });
        break;
      case "SettlementReversed":
        records.push({
          ...at,
          id: a.id,
          type: "reversal",
          licensee: a.licensee,
          work: a.work,
          entryId: a.entryId,
          settlement: a.settlement,
          periodStart: a.periodStart,
          quantity: a.quantity,
          tally: a.tally,
          entryState: Number(a.entryState),
          signer: ZeroAddress,
        });
        break;
    }
  }
  records.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return { works, records };
}

// ---------------------------------------------------------------- plain words

/** A time in the one date style people read (core/time.ts): a day at midnight UTC, else the minute. */
export function isoDate(seconds: bigint): string {
  return dayOrTime(seconds);
}

const STATUS_WORDS: Record<StatusName, string> = {
  Undeclared: "nothing on file: no entity declaration, so nothing can be said",
  NonCommercialPermitted: "may use, adapt and share the work non-commercially (s.3, 4(b))",
  CommercialPermitted: "may use the work commercially too (4(c))",
  CommercialLapsed: "commercial use is suspended; non-commercial use remains",
  Excluded: "no use at all under the license (4(d))",
  SeparatelyLicensed: "uses the work under a separate license from the licensor, outside the PPL",
  Disputed: "a breach is alleged and not yet decided",
  Terminated: "rights under the license ended automatically on a breach finding (7(a))",
  ReciprocitySettled: "may use the work commercially because its recorded contributions to the commons cover this period's obligation",
};

const REASON_WORDS: Record<ReasonName, string> = {
  NothingOnFile: "no entity declaration is on file",
  NonCommercialOnly: "the declared form is not a worker-owned business, so 4(c) does not cover commercial use: commercial use needs a separate license",
  CommercialUseNotCovered: "commercial use is declared, but 4(c) covers only worker-owned businesses: that use needs a separate license",
  WorkerOwnedNoSurplus: "worker-owned, but no surplus declaration (4(c)(ii)) covers now",
  WorkerOwnedSurplus: "worker-owned (4(c)(i)) with a current declaration that all surplus goes to the worker-owners (4(c)(ii))",
  IndividualAsWorkerOwned:
    "an individual with a surplus declaration, treated as a worker-owned business; whether 4(c) covers a self-employed individual is an open question",
  SurplusExpired: "the last surplus declaration's period has ended",
  FormChanged: "the declared form is no longer worker-owned",
  WageLabourBusiness: "declared a privately owned business profiting from waged labour (4(d))",
  SeparateLicense: "a licensor-signed separate license is in force",
  BreachReported: "a breach report is open",
  BreachFound: "a breach was found and the licensor has not reinstated (1(g), 8(d))",
  ContributionsCoverPeriod: "accepted contributions to the work's commons cover the settlement obligation for the current period",
  IndividualNoSurplus:
    "an individual: non-commercial use is permitted (s.3); commercial use would need a surplus declaration (4(c)(ii)) covering now, under which the registry treats an individual as a worker-owned business (an open question), or a separate license",
};

export interface Explanation {
  licensee: string;
  work: bigint;
  status: Status;
  summary: string;
  reason: string;
  holds: string;
  /** Which declarations are attested, by whom, and what is missing. */
  attestation: string;
  evidence: { id: bigint; what: string; signer: string; time: bigint }[];
  changes: string[];
  /** Records that count but should not: settlements of entries that no longer stand. */
  warnings: string[];
  openQuestions: string[];
}

export function describeRecord(r: RegistryRecord): string {
  switch (r.type) {
    case "declaration":
      if (r.kind === "entity") return `entity declaration: ${ENTITY_FORMS[r.value]}`;
      if (r.kind === "use") return `use declaration: ${USE_KINDS[r.value]}`;
      return `surplus declaration for [${isoDate(r.start)}, ${isoDate(r.end)})`;
    case "attestation":
      return `attestation of record ${r.declaration}`;
    case "report":
      return `breach report under 4(${r.section.slice(1)})`;
    case "finding":
      return `breach finding on report ${r.report}`;
    case "dismissal":
      return `dismissal of report ${r.report}`;
    case "bulk-dismissal":
      return `dismissal of report ${r.report} and of every earlier open report`;
    case "grant":
      return `licensor grant: ${r.kind}${r.ref !== 0n ? ` of finding ${r.ref}` : ""}${r.expiry !== 0n ? `, expires ${isoDate(r.expiry)}` : ", no expiry"}`;
    case "settlement":
      return `settlement: ledger entry ${r.entryId} (${formatQuantity(r.quantity)}) counted for the period from ${isoDate(r.periodStart)}, period total ${formatQuantity(r.tally)}`;
    case "reversal":
      return `reversal of settlement ${r.settlement}: ledger entry ${r.entryId} no longer accepted (${ENTRY_STATES[r.entryState] ?? `state ${r.entryState}`}), ${formatQuantity(r.quantity)} removed from the period from ${isoDate(r.periodStart)}, period total ${formatQuantity(r.tally)}`;
  }
}

// ---------------------------------------------------------------- work families, reports, settlements from the records

/** A CopyFair obligation in words ("100 EUR of accepted contributions to the work's commons per 30 days"); "" when there is none. */
export function describeObligation(o: Obligation): string {
  if (o.period === 0n) return "";
  return `${formatQuantity(o.amount)} ${decodeUnit(o.unit)} of accepted contributions to the work's commons per ${Number(o.period) / 86400} days`;
}

/** Every version of `work`'s family, oldest first, each with the version that superseded it (none: the current one). */
export function familyVersions(works: readonly WorkInfo[], work: bigint): (WorkInfo & { supersededBy?: bigint })[] {
  const family = familyOfWork(works, work);
  const versions = works.filter((x) => familyOfWork(works, x.work) === family);
  const supersededBy = new Map(versions.filter((v) => v.supersedes !== 0n).map((v) => [v.supersedes, v.work]));
  return versions.map((v) => ({ ...v, supersededBy: supersededBy.get(v.work) }));
}

/** The family of `work` (its first version), from the WorkRegistered events; the work itself if unknown. */
export function familyOfWork(works: readonly WorkInfo[], work: bigint): bigint {
  return works.find((w) => w.work === work)?.family ?? work;
}

/** The current (latest) version of a family, or undefined if no work of it is known. */
export function currentVersion(works: readonly WorkInfo[], family: bigint): WorkInfo | undefined {
  return works.filter((w) => w.family === family).at(-1);
}

/** The records of `licensee` on the family of `work` (declarations for other works never count). */
export function recordsOf(records: readonly TimedRecord[], works: readonly WorkInfo[], licensee: string, work: bigint): TimedRecord[] {
  const family = familyOfWork(works, work);
  const who = licensee.toLowerCase();
  return records.filter((r) => r.licensee.toLowerCase() === who && familyOfWork(works, r.work) === family);
}

/** Breach reports still open among one standing's records (individual and bulk dismissals applied). */
export function openReports(mine: readonly TimedRecord[]): TimedRecord[] {
  const decided = new Set<bigint>();
  let dismissedUpTo = 0n;
  for (const r of mine) {
    if (r.type === "finding" || r.type === "dismissal") decided.add(r.report);
    if (r.type === "bulk-dismissal" && r.report > dismissedUpTo) dismissedUpTo = r.report;
  }
  return mine.filter((r) => r.type === "report" && !decided.has(r.id) && r.id > dismissedUpTo);
}

export type SettlementRecord = Extract<TimedRecord, { type: "settlement" }>;

/** Settlements not reversed (they count in their period's tally), among one standing's records. */
export function standingSettlements(mine: readonly TimedRecord[]): SettlementRecord[] {
  const reversed = new Set(mine.flatMap((r) => (r.type === "reversal" ? [r.settlement] : [])));
  return mine.filter((r): r is SettlementRecord => r.type === "settlement" && !reversed.has(r.id));
}

export interface StaleSettlement {
  settlement: SettlementRecord;
  state: EntryStateName;
  correctedBy: bigint;
}

/** The standing settlements whose Ledger entry is no longer Accepted (anyone may reverse them). */
export async function findStaleSettlements(
  standing: readonly SettlementRecord[],
  entryState: (entryId: bigint) => Promise<{ state: number | bigint | EntryStateName; correctedBy: bigint }>,
): Promise<StaleSettlement[]> {
  const out: StaleSettlement[] = [];
  for (const settlement of standing) {
    const { state, correctedBy } = await entryState(settlement.entryId);
    const name = typeof state === "string" ? state : ENTRY_STATES[Number(state)];
    if (name !== "accepted") out.push({ settlement, state: name, correctedBy: BigInt(correctedBy) });
  }
  return out;
}

// ---------------------------------------------------------------- the explanation

/**
 * Explains a status in plain words from the view and the registry's records: what it means, why,
 * the records it rests on (ids, signers, times), which declarations are attested, how long it
 * holds, and what would change it. Only the licensee's records on the family of `work` count
 * (`works` maps versions to families and names the current attesters). `stale`: settlements that
 * still count though their entries no longer stand (findStaleSettlements), named as warnings.
 */
export function explainStatus(p: {
  licensee: string;
  work: bigint;
  status: Status;
  records: readonly TimedRecord[];
  works?: readonly WorkInfo[];
  workInfo?: WorkInfo;
  obligation?: Obligation;
  stale?: readonly StaleSettlement[];
  now: bigint;
}): Explanation {
  const s = p.status;
  const works = p.works ?? (p.workInfo ? [p.workInfo] : []);
  const family = familyOfWork(works, p.work);
  const current = currentVersion(works, family);
  const mine = recordsOf(p.records, works, p.licensee, p.work);
  const byId = new Map(p.records.map((r) => [r.id, r]));
  const evidence = s.records.map((id) => {
    const r = byId.get(id);
    return r
      ? { id, what: describeRecord(r), signer: r.signer, time: r.time }
      : { id, what: "record not found in the events read", signer: ZeroAddress, time: 0n };
  });
  const latest = (pred: (r: TimedRecord) => boolean) => [...mine].reverse().find(pred);
  const entity = latest((r) => r.type === "declaration" && r.kind === "entity");
  const form = entity && entity.type === "declaration" ? ENTITY_FORMS[entity.value] : undefined;
  const nextYear = new Date(Number(p.now) * 1000).getUTCFullYear() + 1;
  const changes: string[] = [];
  const warnings: string[] = [];
  const openQuestions: string[] = [];
  const settling = p.obligation && p.obligation.period !== 0n;
  const unit = settling ? ` ${decodeUnit(p.obligation!.unit)}` : "";
  const obligationWords = settling ? describeObligation(p.obligation!) : "";

  const base = s.status === "Disputed" || s.status === "Terminated" || s.status === "SeparatelyLicensed" ? s.prior : s.status;
  switch (s.status) {
    case "SeparatelyLicensed":
      changes.push(
        s.validUntil !== 0n
          ? `when the separate license expires (${isoDate(s.validUntil)}), the status returns to ${s.prior}`
          : "nothing short of a new record: the separate license has no expiry",
      );
      break;
    case "Terminated":
      changes.push("a reinstatement or waiver grant signed by the licensor, naming the latest finding, would restore the prior status " + s.prior);
      changes.push("a separate license grant from the licensor would permit use outside the PPL");
      break;
    case "Disputed": {
      const open = openReports(mine);
      const ids = open.map((r) => r.id).join(", ");
      changes.push(
        open.length > 1
          ? `${open.length} reports are open (records ${ids}): the licensor or its arbiter must decide all of them (one decision dismisses the latest and every earlier one) to restore ${s.prior}`
          : `a dismissal of the report${open.length === 1 ? ` (record ${ids})` : ""} by the licensor or its arbiter would restore ${s.prior}`,
      );
      changes.push("a finding would terminate the license (7(a))");
      break;
    }
    default:
      break;
  }
  switch (base) {
    case "Undeclared":
      changes.push("an entity declaration by the licensee would give a status: non-commercial use for any form but a wage-labour business (4(d): excluded)");
      break;
    case "NonCommercialPermitted":
      if (form === "worker-owned") changes.push(`a surplus declaration (4(c)(ii)), e.g. for ${nextYear}, would make commercial use permitted`);
      else if (form === "individual")
        changes.push(
          `a surplus declaration (4(c)(ii)), e.g. for ${nextYear}, would make commercial use permitted, the individual then being treated as worker-owned`,
        );
      else changes.push("a separate license from the licensor would permit commercial use");
      if (settling) changes.push(`CopyFair settlement: ${obligationWords} would make commercial use permitted for that period`);
      changes.push("an entity declaration as a wage-labour business would exclude all use (4(d))");
      break;
    case "CommercialPermitted":
      if (s.validUntil !== 0n) changes.push(`the surplus period ends ${isoDate(s.validUntil)}: without a new surplus declaration commercial use then lapses`);
      changes.push("an entity declaration of another form would lapse commercial use (a wage-labour business: excluded)");
      break;
    case "CommercialLapsed":
      changes.push(`a new surplus declaration covering now, e.g. for ${nextYear}, would make commercial use permitted again`);
      if (settling) changes.push(`CopyFair settlement: ${obligationWords} would permit commercial use for the period`);
      break;
    case "Excluded":
      changes.push("a separate license from the licensor would permit use outside the PPL");
      changes.push("an entity declaration of another form (e.g. after converting to a worker cooperative) would end the exclusion");
      if (settling) changes.push(`CopyFair settlement: ${obligationWords} would permit use for the period`);
      break;
    case "ReciprocitySettled":
      changes.push(`the settlement period ends ${isoDate(s.validUntil)}: contributions must cover the next period too`);
      break;
    default:
      break;
  }
  if (s.status !== "Disputed" && s.status !== "Terminated" && s.status !== "SeparatelyLicensed" && s.status !== "Undeclared") {
    changes.push("a breach report by anyone would put the status in dispute; a finding would terminate it");
  }

  // Settlements that count though their entries no longer stand.
  for (const x of p.stale ?? []) {
    const why =
      x.state === "corrected" ? `was corrected by entry ${x.correctedBy}` : x.state === "disputed" ? "is disputed" : "no longer has the quorum's acceptance";
    warnings.push(
      `ledger entry ${x.settlement.entryId} (${formatQuantity(x.settlement.quantity)}${unit}) ${why}, yet its settlement (record ${x.settlement.id}, period from ${isoDate(x.settlement.periodStart)}) still counts: anyone may reverse it (commons settlement reverse ${x.settlement.entryId})`,
    );
  }
  if (s.status === "ReciprocitySettled" && settling && (p.stale ?? []).length > 0) {
    const inPeriod = (x: SettlementRecord) => x.periodStart <= p.now && p.now < x.periodStart + p.obligation!.period;
    const tally = standingSettlements(mine)
      .filter(inPeriod)
      .reduce((a, x) => a + x.quantity, 0n);
    const staleNow = (p.stale ?? [])
      .map((x) => x.settlement)
      .filter(inPeriod)
      .reduce((a, x) => a + x.quantity, 0n);
    if (staleNow > 0n && tally - staleNow < p.obligation!.amount) {
      warnings.push(
        `without them this period's total is ${formatQuantity(tally - staleNow)}${unit}, short of the ${formatQuantity(p.obligation!.amount)}${unit} owed: the status rests on contributions that no longer stand`,
      );
    }
  }

  if (s.reason === "IndividualAsWorkerOwned" || form === "individual")
    openQuestions.push(
      'Is a self-employed individual a "worker-owned business" for 4(c)? The registry treats it as one when it declares its surplus, and says so.',
    );
  if (form === "worker-owned") {
    openQuestions.push(
      "Does a cooperative with some non-member waged employees fall under 4(d)? The registry records the declared form; a breach report under 4(d) is how to contest it.",
    );
    openQuestions.push(
      'Do retained reserves break "all ... surplus ... distributed among the worker-owners"? The surplus declaration is the licensee\'s claim; attesters and breach reports test it.',
    );
  }
  const use = latest((r) => r.type === "declaration" && r.kind === "use");
  if (use && use.type === "declaration" && use.value === 1)
    openQuestions.push('What counts as "primarily" commercial for mixed uses (4(b))? The use declaration is the licensee\'s own answer.');

  const holds =
    s.validUntil === 0n
      ? "until a new record changes it"
      : `until ${isoDate(s.validUntil)} (${Math.max(0, Math.round(Number(s.validUntil - p.now) / 86400))} days from now), unless a new record changes it sooner`;
  const priorNote = s.prior !== s.status ? ` (prior status: ${s.prior})` : "";
  return {
    licensee: p.licensee,
    work: p.work,
    status: s,
    summary: `${s.status}${s.attested ? " (attested)" : ""}: ${STATUS_WORDS[s.status]}${priorNote}`,
    reason: REASON_WORDS[s.reason],
    holds,
    attestation: attestationWords(s, mine, byId, base, current, p.now),
    evidence,
    changes,
    warnings,
    openQuestions,
  };
}

/** Which declarations the status rests on are attested (by attesters the current terms recognise), and what is missing. */
function attestationWords(
  s: Status,
  mine: readonly TimedRecord[],
  byId: ReadonlyMap<bigint, TimedRecord>,
  base: StatusName,
  current: WorkInfo | undefined,
  now: bigint,
): string {
  const cited = s.records.map((id) => byId.get(id)).filter((r): r is TimedRecord => r !== undefined);
  const entity = cited.find((r) => r.type === "declaration" && r.kind === "entity");
  if (!entity) return "nothing to attest: no entity declaration is on file";
  const needed: [TimedRecord, string][] = [[entity, "the entity declaration"]];
  if (base === "CommercialPermitted") {
    const surplus = cited.find((r) => r.type === "declaration" && r.kind === "surplus" && r.start <= now && now < r.end);
    if (surplus) needed.push([surplus, "the surplus declaration"]);
  }
  const parts = needed.map(([decl, label]) => {
    const counted = cited.find((r) => r.type === "attestation" && r.declaration === decl.id);
    if (counted) return `${label} (record ${decl.id}) is attested by ${counted.signer} (record ${counted.id})`;
    const dropped = mine.filter((r) => r.type === "attestation" && r.declaration === decl.id);
    const note =
      dropped.length > 0 && current
        ? ` (${dropped.map((r) => `attestation ${r.id} by ${r.signer}`).join(", ")} no longer counts: the current terms, work ${current.work}, do not recognise that attester)`
        : "";
    return `${label} (record ${decl.id}) has no attestation by an attester the current terms recognise${note}`;
  });
  return `${s.attested ? "attested" : "not attested"}: ${parts.join("; ")}`;
}
