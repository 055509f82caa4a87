// The ReciprocityRegistry as contracts/interfaces/IReciprocityRegistry.sol specifies it and as the
// Peer Production License text (shared/docs/peer-production-license.txt) requires. The scenario
// table names the license section each status rule checks; every revert is asserted by error name
// and arguments with nothing recorded, every state change by its event.
import { expect } from "chai";
import { network } from "hardhat";
import { Interface, keccak256, toUtf8Bytes, ZeroAddress, ZeroHash } from "ethers";
import type { Signer } from "ethers";
import { readFileSync } from "node:fs";
import ReciprocityRegistryModule from "../scripts/ignition/modules/ReciprocityRegistry.js";
import type { ERC1271WalletMock, Ledger, ReciprocityRegistry } from "../types/ethers-contracts/index.js";
import {
  buildDeclaration,
  buildGrant,
  buildSettlement,
  decodeStatus,
  DECLARATION_TYPE_STRING,
  declarationDigest,
  explainStatus,
  findStaleSettlements,
  GRANT_TYPE_STRING,
  openReports,
  grantDigest,
  readRegistry,
  recordsOf,
  RECIPROCITY_ABI,
  RECIPROCITY_LIMITS,
  reciprocityDomain,
  SETTLEMENT_TYPE_STRING,
  settlementDigest,
  settlementProofs,
  signDeclaration,
  signGrant,
  signSettlement,
  standingSettlements,
} from "../scripts/lib/reciprocity/reciprocity.js";
import type {
  Declaration,
  DeclarationKindName,
  EntityFormName,
  GrantKindName,
  ReasonName,
  StatusName,
  Terms,
  UseKindName,
} from "../scripts/lib/reciprocity/reciprocity.js";
import { commonsId, encodeUnit, labelId, parseQuantity } from "../scripts/lib/core/record.js";
import { ALL_ROLES } from "../scripts/lib/core/vocabulary.js";
import { domainOf, eoaAgent, validationOf, walletAgent, workRecord } from "./helpers/records.js";
import { eventsOf, proofFor } from "./helpers/proofs.js";
import { days, latest } from "./helpers/time.js";

const { ethers, ignition, networkHelpers } = await network.create({ override: { hardfork: "prague" } });

const DAY = days(1);
const YEAR = days(365);
const TERMS_HASH = keccak256(toUtf8Bytes("Peer Production License text"));
const TERMS_URI = "ipfs://bafy-peer-production-license";
const EVIDENCE = labelId("statutes and accounts");
const ARTIFACT = "artifacts/contracts/ReciprocityRegistry.sol/ReciprocityRegistry.json";

/** Targets of the issue: statusOf in one eth_call, a relayed declaration. */
const STATUS_GAS_MAX = 50_000n;
const DECLARATION_GAS_MAX = 60_000n;
/** A licensee's very first declaration creates its storage slot (22,100 gas of the total): see the README. */
const FIRST_DECLARATION_GAS_MAX = 70_000n;
/** A settlement (the proof of a fresh entry in an open checkpoint interval included). */
const SETTLE_GAS_MAX = 160_000n;

// ---------------------------------------------------------------- fixture

async function deployRegistry() {
  const { ledger: l, registry: r } = await ignition.deploy(ReciprocityRegistryModule);
  const ledger = l as unknown as Ledger;
  const registry = r as unknown as ReciprocityRegistry;
  const [licensor, attester, arbiter, stranger, relayer, coop, nonprofit, firm, person, steward, validator, otherLicensor, walletOwner] =
    await ethers.getSigners();
  const salt = ethers.id("demo commons");
  await ledger.connect(steward).registerCommons(salt, "Demo commons");
  const commons = commonsId(steward.address, salt);
  // Only appointed validators count: the steward appoints `validator` and itself (the disputing peer).
  for (const v of [validator.address, steward.address]) await ledger.connect(steward).setRoles(commons, v, ALL_ROLES);
  const wallet = (await ethers.deployContract("ERC1271WalletMock", [walletOwner.address])) as unknown as ERC1271WalletMock;
  const base: Terms = {
    kind: 0,
    supersedes: 0n,
    termsHash: TERMS_HASH,
    termsUri: TERMS_URI,
    shareAlike: false,
    attesters: [attester.address],
    arbiter: arbiter.address,
    commons,
    obligation: { amount: 0n, unit: "0x0000000000000000", period: 0n },
  };
  await registry.connect(licensor).registerWork(base); // work 1: PPL
  const obligation = { amount: parseQuantity("100"), unit: encodeUnit("EUR"), period: 30n * DAY };
  await registry.connect(licensor).registerWork({ ...base, kind: 1, obligation }); // work 2: CopyFair
  const { chainId } = await ethers.provider.getNetwork();
  const domain = reciprocityDomain(chainId, await registry.getAddress());
  return {
    ledger,
    registry,
    domain,
    commons,
    base,
    obligation,
    wallet,
    licensor,
    attester,
    arbiter,
    stranger,
    relayer,
    coop,
    nonprofit,
    firm,
    person,
    steward,
    validator,
    otherLicensor,
    walletOwner,
  };
}
type F = Awaited<ReturnType<typeof deployRegistry>>;
const PPL = 1n;
const COPYFAIR = 2n;

async function now(): Promise<bigint> {
  return latest(networkHelpers);
}

interface DeclareInput {
  kind: DeclarationKindName;
  form?: EntityFormName;
  use?: UseKindName;
  start?: bigint;
  end?: bigint;
  work?: bigint;
}

/** A declaration signed by `licensee` (current nonce, valid for an hour) and its signature. */
async function signedDeclaration(f: F, licensee: Signer, input: DeclareInput, signer: Signer = licensee, licenseeAddress?: string) {
  const work = input.work ?? PPL;
  const address = licenseeAddress ?? (await licensee.getAddress());
  const d = buildDeclaration({
    ...input,
    licensee: address,
    work,
    evidence: EVIDENCE,
    nonce: await f.registry.declarationNonce(address, work),
    deadline: (await now()) + 3600n,
  });
  return { d, signature: await signDeclaration(signer as never, f.domain, d) };
}

/** Relays the licensee's declaration (the relayer pays); returns the new record id. */
async function declare(f: F, licensee: Signer, input: DeclareInput): Promise<bigint> {
  const { d, signature } = await signedDeclaration(f, licensee, input);
  await f.registry.connect(f.relayer).declare(d, signature);
  return (await f.registry.counts()).records;
}

async function signedGrant(
  f: F,
  input: { kind: GrantKindName; licensee: string; ref?: bigint; expiry?: bigint; work?: bigint },
  signer: Signer = f.licensor,
  domain = f.domain,
) {
  const g = buildGrant({
    ...input,
    work: input.work ?? PPL,
    terms: labelId("signed letter"),
    nonce: await f.registry.nonces(f.licensor.address),
    deadline: (await now()) + 3600n,
  });
  return { g, signature: await signGrant(signer as never, domain, g) };
}

async function grant(f: F, input: { kind: GrantKindName; licensee: string; ref?: bigint; expiry?: bigint; work?: bigint }): Promise<bigint> {
  const { g, signature } = await signedGrant(f, input);
  await f.registry.connect(f.relayer).grant(g, signature);
  return (await f.registry.counts()).records;
}

async function report(f: F, licensee: string, section = 1, work = PPL): Promise<bigint> {
  await f.registry.connect(f.stranger).reportBreach(licensee, work, section, EVIDENCE);
  return (await f.registry.counts()).records;
}

async function find(f: F, reportId: bigint, by: Signer = f.licensor): Promise<bigint> {
  await f.registry.connect(by).findBreach(reportId, EVIDENCE);
  return (await f.registry.counts()).records;
}

async function statusOf(f: F, licensee: string, work = PPL) {
  return decodeStatus(await f.registry.statusOf(licensee, work));
}

/** A current one-year surplus period starting a day ago. */
async function currentPeriod(): Promise<{ start: bigint; end: bigint }> {
  const t = await now();
  return { start: t - DAY, end: t - DAY + YEAR };
}

/** A worker cooperative with a current one-year surplus declaration: CommercialPermitted (4(c)). */
async function commercialCoop(f: F): Promise<{ e: bigint; s: bigint; p: { start: bigint; end: bigint } }> {
  const e = await declare(f, f.coop, { kind: "entity", form: "worker-owned" });
  const p = await currentPeriod();
  const s = await declare(f, f.coop, { kind: "surplus", ...p });
  return { e, s, p };
}

async function warp(seconds: bigint): Promise<void> {
  await networkHelpers.time.increase(seconds);
}

const sequenceOf = (f: F, who: string) => f.ledger.nonces(who, 1n).then((n) => n & ((1n << 64n) - 1n));

/** A peer validation of Ledger entry `id` (accept or dispute) by `validator`. */
async function validateEntry(f: F, id: bigint, validator: Signer & { address: string }, verdict: "accept" | "dispute"): Promise<void> {
  const agent = eoaAgent(validator, await domainOf(ethers, f.ledger));
  const v = validationOf({ entryId: id, validator: validator.address, verdict, now: await now(), sequence: await sequenceOf(f, validator.address) });
  await f.ledger.connect(f.relayer).validate(v, await agent.signValidation(v), await proofFor(ethers, f.ledger, id));
}

/**
 * THE one place where this suite makes a Ledger entry Accepted (coordination with the Ledger's
 * commons appoints `f.validator` in the fixture).
 */
async function accept(f: F, id: bigint): Promise<void> {
  await validateEntry(f, id, f.validator, "accept");
}

/** The one place where this suite disputes an entry (by `f.steward`, a second peer). */
async function dispute(f: F, id: bigint): Promise<void> {
  await validateEntry(f, id, f.steward, "dispute");
}

interface ContributionOpts {
  unit?: string;
  accept?: boolean;
  commons?: string;
  flow?: "event" | "need" | "offer" | "commitment";
  time?: bigint;
  /** Record it as a correction of this entry (same agent). */
  corrects?: bigint;
}

/** A contribution by `who` recorded on the Ledger (transfer of EUR to the commons), accepted unless `accept: false`. */
async function acceptedContribution(f: F, who: Signer & { address: string }, amount: string, opts: ContributionOpts = {}): Promise<bigint> {
  const agent = eoaAgent(who, await domainOf(ethers, f.ledger));
  const [count] = await f.ledger.tip();
  const t = await now();
  const r = workRecord({
    provider: who.address,
    commons: opts.commons ?? f.commons,
    now: t,
    sequence: await sequenceOf(f, who.address),
    overrides: { action: "transfer", quantity: amount, unit: opts.unit ?? "EUR", flow: opts.flow, time: opts.time ?? t, corrects: opts.corrects },
  });
  if (opts.corrects !== undefined)
    await f.ledger.connect(f.relayer).recordCorrection(r, await agent.signRecord(r), await proofFor(ethers, f.ledger, opts.corrects));
  else await f.ledger.connect(f.relayer).record(r, await agent.signRecord(r));
  const id = count + 1n;
  if (opts.accept ?? true) await accept(f, id);
  return id;
}

/** The proofs settle needs for `entryId` (its own and its correction chain's, see settlementProofs). */
async function proofsFor(f: F, entryId: bigint) {
  const { entries } = await eventsOf(ethers, f.ledger);
  return settlementProofs(entries, entryId, async (e) => (await f.registry.settlementOf(e)).id !== 0n);
}

/** `who`, the entry's signer, settles it toward `work`; returns the new record id. */
async function settle(f: F, who: Signer, entryId: bigint, work = COPYFAIR): Promise<bigint> {
  const { proof, ancestors } = await proofsFor(f, entryId);
  await f.registry.connect(who).settle(work, entryId, proof, ancestors);
  return (await f.registry.counts()).records;
}

/** An order by `who` to settle `entryId` toward `work`, signed (current nonce, valid for an hour). */
async function signedSettlement(f: F, who: Signer, entryId: bigint, work = COPYFAIR) {
  const order = buildSettlement({ work, entryId, nonce: (await f.registry.settlementOf(entryId)).id, deadline: (await now()) + 3600n });
  return { order, signature: await signSettlement(who as never, f.domain, order) };
}

// ---------------------------------------------------------------- the scenario table

interface Scenario {
  section: string;
  title: string;
  run: (f: F) => Promise<{ licensee: string; records: bigint[]; work?: bigint; validUntil?: bigint }>;
  status: StatusName;
  prior?: StatusName;
  reason: ReasonName;
  attested?: boolean;
}

const SCENARIOS: Scenario[] = [
  {
    section: "state machine: initial",
    title: "nothing on file is Undeclared",
    run: async (f) => ({ licensee: f.coop.address, records: [] }),
    status: "Undeclared",
    reason: "NothingOnFile",
  },
  {
    section: "3, 4(b)",
    title: "a non-profit may use the work non-commercially only",
    run: async (f) => ({ licensee: f.nonprofit.address, records: [await declare(f, f.nonprofit, { kind: "entity", form: "other" })] }),
    status: "NonCommercialPermitted",
    reason: "NonCommercialOnly",
  },
  {
    section: "4(c)",
    title: "a non-profit declaring commercial use is still non-commercial only (commercial use needs a separate license)",
    run: async (f) => {
      const e = await declare(f, f.nonprofit, { kind: "entity", form: "other" });
      const u = await declare(f, f.nonprofit, { kind: "use", use: "commercial" });
      return { licensee: f.nonprofit.address, records: [e, u] };
    },
    status: "NonCommercialPermitted",
    reason: "CommercialUseNotCovered",
  },
  {
    section: "4(d)",
    title: "a wage-labour business is Excluded from all use, non-commercial included",
    run: async (f) => ({ licensee: f.firm.address, records: [await declare(f, f.firm, { kind: "entity", form: "wage-labour-business" })] }),
    status: "Excluded",
    reason: "WageLabourBusiness",
  },
  {
    section: "4(c)(ii)",
    title: "a worker-owned business without a surplus declaration is non-commercial only",
    run: async (f) => ({ licensee: f.coop.address, records: [await declare(f, f.coop, { kind: "entity", form: "worker-owned" })] }),
    status: "NonCommercialPermitted",
    reason: "WorkerOwnedNoSurplus",
  },
  {
    section: "3, 4(c), explanation (e)",
    title: "an individual without a surplus declaration is non-commercial only, with a reason that speaks of an individual",
    run: async (f) => ({ licensee: f.person.address, records: [await declare(f, f.person, { kind: "entity", form: "individual" })] }),
    status: "NonCommercialPermitted",
    reason: "IndividualNoSurplus",
  },
  {
    section: "evidence, explanation (b)",
    title: "a new terms version that no longer recognises the attester drops its attestations",
    run: async (f) => {
      const { e, s, p } = await commercialCoop(f);
      await f.registry.connect(f.attester).attest(f.coop.address, PPL, e, EVIDENCE);
      await f.registry.connect(f.attester).attest(f.coop.address, PPL, s, EVIDENCE);
      await f.registry.connect(f.licensor).registerWork({ ...f.base, supersedes: PPL, termsHash: labelId("PPL v2"), attesters: [f.stranger.address] });
      return { licensee: f.coop.address, records: [e, s], validUntil: p.end };
    },
    status: "CommercialPermitted",
    reason: "WorkerOwnedSurplus",
    attested: false,
  },
  {
    section: "4(c)(i)+(ii)",
    title: "worker-owned with a current surplus declaration may use commercially, until the period ends (not attested)",
    run: async (f) => {
      const { e, s, p } = await commercialCoop(f);
      return { licensee: f.coop.address, records: [e, s], validUntil: p.end };
    },
    status: "CommercialPermitted",
    reason: "WorkerOwnedSurplus",
    attested: false,
  },
  {
    section: "4(c), evidence",
    title: "with both declarations attested by a recognised attester the answer says attested",
    run: async (f) => {
      const { e, s, p } = await commercialCoop(f);
      await f.registry.connect(f.attester).attest(f.coop.address, PPL, e, EVIDENCE);
      const ae = (await f.registry.counts()).records;
      await f.registry.connect(f.attester).attest(f.coop.address, PPL, s, EVIDENCE);
      const as = (await f.registry.counts()).records;
      return { licensee: f.coop.address, records: [e, ae, s, as], validUntil: p.end };
    },
    status: "CommercialPermitted",
    reason: "WorkerOwnedSurplus",
    attested: true,
  },
  {
    section: "4(c)(ii), state machine: CommercialPermitted -> CommercialLapsed",
    title: "when the surplus period ends, commercial use lapses and non-commercial remains",
    run: async (f) => {
      const { e, s } = await commercialCoop(f);
      await warp(YEAR);
      return { licensee: f.coop.address, records: [e, s] };
    },
    status: "CommercialLapsed",
    reason: "SurplusExpired",
  },
  {
    section: "4(c)(ii), state machine: CommercialLapsed -> CommercialPermitted",
    title: "a new surplus declaration after a lapse permits commercial use again",
    run: async (f) => {
      const { e } = await commercialCoop(f);
      await warp(YEAR);
      const t = await now();
      const s2 = await declare(f, f.coop, { kind: "surplus", start: t, end: t + YEAR });
      return { licensee: f.coop.address, records: [e, s2], validUntil: t + YEAR };
    },
    status: "CommercialPermitted",
    reason: "WorkerOwnedSurplus",
  },
  {
    section: "4(c)(ii)",
    title: "a contiguous next period declared in advance keeps commercial use without a gap and extends validUntil",
    run: async (f) => {
      const e = await declare(f, f.coop, { kind: "entity", form: "worker-owned" });
      const p = await currentPeriod();
      const s1 = await declare(f, f.coop, { kind: "surplus", ...p });
      const s2 = await declare(f, f.coop, { kind: "surplus", start: p.end, end: p.end + YEAR });
      return { licensee: f.coop.address, records: [e, s2, s1], validUntil: p.end + YEAR };
    },
    status: "CommercialPermitted",
    reason: "WorkerOwnedSurplus",
  },
  {
    section: "4(c)(ii)",
    title: "a future surplus period alone does not permit commercial use yet; it holds until that period starts",
    run: async (f) => {
      const e = await declare(f, f.coop, { kind: "entity", form: "worker-owned" });
      const t = await now();
      const s = await declare(f, f.coop, { kind: "surplus", start: t + 10n * DAY, end: t + YEAR });
      return { licensee: f.coop.address, records: [e, s], validUntil: t + 10n * DAY };
    },
    status: "NonCommercialPermitted",
    reason: "WorkerOwnedNoSurplus",
  },
  {
    section: "4(c)(i), state machine: form change",
    title: "a worker cooperative that converts to investor ownership lapses commercial use",
    run: async (f) => {
      await declare(f, f.coop, { kind: "entity", form: "worker-owned" });
      const p = await currentPeriod();
      const s = await declare(f, f.coop, { kind: "surplus", ...p });
      const e2 = await declare(f, f.coop, { kind: "entity", form: "other" });
      return { licensee: f.coop.address, records: [e2, s] };
    },
    status: "CommercialLapsed",
    reason: "FormChanged",
  },
  {
    section: "4(d), state machine: CommercialLapsed -> Excluded",
    title: "a lapsed licensee that becomes a wage-labour business is Excluded",
    run: async (f) => {
      await commercialCoop(f);
      await warp(YEAR);
      const e2 = await declare(f, f.coop, { kind: "entity", form: "wage-labour-business" });
      return { licensee: f.coop.address, records: [e2] };
    },
    status: "Excluded",
    reason: "WageLabourBusiness",
  },
  {
    section: "4(d) (text over state machine: no detour through CommercialLapsed)",
    title: "a commercially permitted licensee declared a wage-labour business is Excluded at once",
    run: async (f) => {
      await commercialCoop(f);
      const e2 = await declare(f, f.coop, { kind: "entity", form: "wage-labour-business" });
      return { licensee: f.coop.address, records: [e2] };
    },
    status: "Excluded",
    reason: "WageLabourBusiness",
  },
  {
    section: "4(c)(i), open question",
    title: "an individual with a surplus declaration is treated as worker-owned and the reason flags the question",
    run: async (f) => {
      const e = await declare(f, f.person, { kind: "entity", form: "individual" });
      const p = await currentPeriod();
      const s = await declare(f, f.person, { kind: "surplus", ...p });
      return { licensee: f.person.address, records: [e, s], validUntil: p.end };
    },
    status: "CommercialPermitted",
    reason: "IndividualAsWorkerOwned",
  },
  {
    section: "7(a), state machine: any PPL state -> Disputed",
    title: "a breach report by anyone puts the status in dispute and shows the prior status",
    run: async (f) => {
      const e = await declare(f, f.nonprofit, { kind: "entity", form: "other" });
      const r = await report(f, f.nonprofit.address, 4);
      return { licensee: f.nonprofit.address, records: [e, r] };
    },
    status: "Disputed",
    prior: "NonCommercialPermitted",
    reason: "BreachReported",
  },
  {
    section: "state machine: Disputed -> previous",
    title: "a dismissed report restores the prior status",
    run: async (f) => {
      const e = await declare(f, f.nonprofit, { kind: "entity", form: "other" });
      const r = await report(f, f.nonprofit.address, 4);
      await f.registry.connect(f.arbiter).dismissBreach(r, EVIDENCE);
      return { licensee: f.nonprofit.address, records: [e] };
    },
    status: "NonCommercialPermitted",
    reason: "NonCommercialOnly",
  },
  {
    section: "7(a)",
    title: "a breach finding terminates the license automatically, no cure period",
    run: async (f) => {
      const { e, s } = await commercialCoop(f);
      const r = await report(f, f.coop.address, 4);
      const x = await find(f, r);
      return { licensee: f.coop.address, records: [e, s, x] };
    },
    status: "Terminated",
    prior: "CommercialPermitted",
    reason: "BreachFound",
  },
  {
    section: "7(a), arbiter",
    title: "the arbiter the licensor named may record the finding",
    run: async (f) => {
      const e = await declare(f, f.nonprofit, { kind: "entity", form: "other" });
      const x = await find(f, await report(f, f.nonprofit.address, 0), f.arbiter);
      return { licensee: f.nonprofit.address, records: [e, x] };
    },
    status: "Terminated",
    prior: "NonCommercialPermitted",
    reason: "BreachFound",
  },
  {
    section: "1(g), 8(d)",
    title: "a licensor-signed reinstatement restores the prior status",
    run: async (f) => {
      const e = await declare(f, f.nonprofit, { kind: "entity", form: "other" });
      const x = await find(f, await report(f, f.nonprofit.address));
      const g = await grant(f, { kind: "reinstatement", licensee: f.nonprofit.address, ref: x });
      return { licensee: f.nonprofit.address, records: [e, g] };
    },
    status: "NonCommercialPermitted",
    reason: "NonCommercialOnly",
  },
  {
    section: "8(d)",
    title: "a licensor-signed waiver of the finding restores the prior status",
    run: async (f) => {
      const e = await declare(f, f.nonprofit, { kind: "entity", form: "other" });
      const x = await find(f, await report(f, f.nonprofit.address));
      const g = await grant(f, { kind: "waiver", licensee: f.nonprofit.address, ref: x });
      return { licensee: f.nonprofit.address, records: [e, g] };
    },
    status: "NonCommercialPermitted",
    reason: "NonCommercialOnly",
  },
  {
    section: "1(g), grant expiry",
    title: "a reinstatement that expires leaves the licensee Terminated again",
    run: async (f) => {
      const e = await declare(f, f.nonprofit, { kind: "entity", form: "other" });
      const x = await find(f, await report(f, f.nonprofit.address));
      await grant(f, { kind: "reinstatement", licensee: f.nonprofit.address, ref: x, expiry: (await now()) + 10n * DAY });
      await warp(11n * DAY);
      return { licensee: f.nonprofit.address, records: [e, x] };
    },
    status: "Terminated",
    prior: "NonCommercialPermitted",
    reason: "BreachFound",
  },
  {
    section: "7(a), 1(g)",
    title: "a new finding after a reinstatement terminates again",
    run: async (f) => {
      const e = await declare(f, f.nonprofit, { kind: "entity", form: "other" });
      const x = await find(f, await report(f, f.nonprofit.address));
      await grant(f, { kind: "reinstatement", licensee: f.nonprofit.address, ref: x });
      const x2 = await find(f, await report(f, f.nonprofit.address));
      return { licensee: f.nonprofit.address, records: [e, x2] };
    },
    status: "Terminated",
    prior: "NonCommercialPermitted",
    reason: "BreachFound",
  },
  {
    section: "7(a) second sentence: no cascade",
    title: "a downstream licensee keeps its own status when the one it received the work from is terminated",
    run: async (f) => {
      await declare(f, f.nonprofit, { kind: "entity", form: "other" });
      await find(f, await report(f, f.nonprofit.address));
      const { e, s, p } = await commercialCoop(f);
      return { licensee: f.coop.address, records: [e, s], validUntil: p.end };
    },
    status: "CommercialPermitted",
    reason: "WorkerOwnedSurplus",
  },
  {
    section: "4(f), 8(d), state machine: Excluded -> SeparatelyLicensed",
    title: "a separate license opens use to an excluded firm until it expires",
    run: async (f) => {
      const e = await declare(f, f.firm, { kind: "entity", form: "wage-labour-business" });
      const expiry = (await now()) + 90n * DAY;
      const g = await grant(f, { kind: "separate-license", licensee: f.firm.address, expiry });
      return { licensee: f.firm.address, records: [e, g], validUntil: expiry };
    },
    status: "SeparatelyLicensed",
    prior: "Excluded",
    reason: "SeparateLicense",
  },
  {
    section: "state machine: SeparatelyLicensed --grant expires--> previous",
    title: "when the separate license expires the firm is Excluded again",
    run: async (f) => {
      const e = await declare(f, f.firm, { kind: "entity", form: "wage-labour-business" });
      await grant(f, { kind: "separate-license", licensee: f.firm.address, expiry: (await now()) + 90n * DAY });
      await warp(91n * DAY);
      return { licensee: f.firm.address, records: [e] };
    },
    status: "Excluded",
    reason: "WageLabourBusiness",
  },
  {
    section: "8(d): a separate license is outside the PPL",
    title: "a separate license holds over a termination",
    run: async (f) => {
      const e = await declare(f, f.nonprofit, { kind: "entity", form: "other" });
      const x = await find(f, await report(f, f.nonprofit.address));
      const g = await grant(f, { kind: "separate-license", licensee: f.nonprofit.address });
      return { licensee: f.nonprofit.address, records: [e, x, g] };
    },
    status: "SeparatelyLicensed",
    prior: "Terminated",
    reason: "SeparateLicense",
  },
  {
    section: "work families (supersedes)",
    title: "records on an earlier version hold for the new version of the same work",
    run: async (f) => {
      const e = await declare(f, f.nonprofit, { kind: "entity", form: "other" });
      await f.registry.connect(f.licensor).registerWork({ ...f.base, supersedes: PPL, termsHash: labelId("PPL v2") });
      return { licensee: f.nonprofit.address, records: [e], work: 3n };
    },
    status: "NonCommercialPermitted",
    reason: "NonCommercialOnly",
  },
  {
    section: "CopyFair: settlement",
    title: "a non-qualifying commercial user whose accepted contributions cover the period is ReciprocitySettled",
    run: async (f) => {
      const e = await declare(f, f.firm, { kind: "entity", form: "wage-labour-business", work: COPYFAIR });
      await settle(f, f.firm, await acceptedContribution(f, f.firm, "60"));
      const s2 = await settle(f, f.firm, await acceptedContribution(f, f.firm, "40"));
      return { licensee: f.firm.address, records: [e, s2], work: COPYFAIR };
    },
    status: "ReciprocitySettled",
    prior: "Excluded",
    reason: "ContributionsCoverPeriod",
  },
  {
    section: "CopyFair: settlement",
    title: "contributions short of the obligation leave the prior status",
    run: async (f) => {
      const e = await declare(f, f.firm, { kind: "entity", form: "wage-labour-business", work: COPYFAIR });
      await settle(f, f.firm, await acceptedContribution(f, f.firm, "99.99"));
      return { licensee: f.firm.address, records: [e], work: COPYFAIR };
    },
    status: "Excluded",
    reason: "WageLabourBusiness",
  },
  {
    section: "CopyFair: settlement period",
    title: "a settled period ends: the next period needs its own contributions",
    run: async (f) => {
      const e = await declare(f, f.firm, { kind: "entity", form: "wage-labour-business", work: COPYFAIR });
      await settle(f, f.firm, await acceptedContribution(f, f.firm, "100"));
      await warp(30n * DAY);
      return { licensee: f.firm.address, records: [e], work: COPYFAIR };
    },
    status: "Excluded",
    reason: "WageLabourBusiness",
  },
];

describe("ReciprocityRegistry", () => {
  describe("statusOf: the scenario table", () => {
    for (const sc of SCENARIOS) {
      it(`[${sc.section}] ${sc.title}`, async () => {
        const f = await networkHelpers.loadFixture(deployRegistry);
        const out = await sc.run(f);
        const s = await statusOf(f, out.licensee, out.work ?? PPL);
        expect(s.status).to.equal(sc.status);
        expect(s.prior).to.equal(sc.prior ?? sc.status);
        expect(s.reason).to.equal(sc.reason);
        if (sc.attested !== undefined) expect(s.attested).to.equal(sc.attested);
        expect(s.records).to.have.members(out.records);
        if (out.validUntil !== undefined) expect(s.validUntil).to.equal(out.validUntil);
      });
    }
  });

  describe("statusOf: gas", () => {
    it(`answers in one eth_call with at most ${STATUS_GAS_MAX} gas in the worst realistic case`, async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      // Every slot statusOf reads is populated: attested entity, two surplus periods (the later one
      // contiguous), an attested surplus, a use, a reinstated finding, an open report, settlement
      // tallies and an expired separate license.
      // Asked about a superseded version (the family's current one is read too), with the entity and
      // the surplus attested by two different attesters (two recognition lookups).
      await f.registry
        .connect(f.licensor)
        .registerWork({ ...f.base, kind: 1, supersedes: COPYFAIR, obligation: f.obligation, attesters: [f.attester.address, f.arbiter.address] });
      const V2 = 3n;
      const e = await declare(f, f.coop, { kind: "entity", form: "worker-owned", work: V2 });
      await f.registry.connect(f.attester).attest(f.coop.address, V2, e, EVIDENCE);
      const p = await currentPeriod();
      await declare(f, f.coop, { kind: "surplus", ...p, work: V2 });
      const s2 = await declare(f, f.coop, { kind: "surplus", start: p.end, end: p.end + YEAR, work: V2 });
      await f.registry.connect(f.arbiter).attest(f.coop.address, V2, s2, EVIDENCE);
      await declare(f, f.coop, { kind: "use", use: "commercial", work: V2 });
      await grant(f, { kind: "separate-license", licensee: f.coop.address, expiry: (await now()) + DAY, work: COPYFAIR });
      const x = await find(f, await report(f, f.coop.address, 1, COPYFAIR));
      await grant(f, { kind: "reinstatement", licensee: f.coop.address, ref: x, work: COPYFAIR });
      await report(f, f.coop.address, 4, COPYFAIR);
      await report(f, f.coop.address, 0, COPYFAIR); // two open reports: the list holds both
      await warp(YEAR - DAY); // into the second, contiguous surplus period; the separate license has expired
      await settle(f, f.coop, await acceptedContribution(f, f.coop, "5"));
      const gas = await f.registry.statusOf.estimateGas(f.coop.address, COPYFAIR);
      const s = await statusOf(f, f.coop.address, COPYFAIR);
      expect(s.status).to.equal("Disputed");
      expect(s.prior).to.equal("CommercialPermitted");
      expect(s.attested).to.equal(true);
      expect(s.records.length).to.be.greaterThanOrEqual(6);
      console.log(`      statusOf worst realistic case: ${gas} gas (eth_call, including the 21,000 intrinsic)`);
      expect(gas).to.be.at.most(STATUS_GAS_MAX);
    });
  });

  describe("declare", () => {
    it("emits Declared with the record id, licensee, work, kind, value, period and evidence", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      const p = await currentPeriod();
      const { d, signature } = await signedDeclaration(f, f.coop, { kind: "surplus", ...p });
      await expect(f.registry.connect(f.relayer).declare(d, signature))
        .to.emit(f.registry, "Declared")
        .withArgs(1n, f.coop.address, PPL, 2, 0, p.start, p.end, EVIDENCE);
      expect(await f.registry.declarationNonce(f.coop.address, PPL)).to.equal(1n);
    });

    it("accepts a declaration signed by an ERC-1271 wallet licensee (SIG-1271)", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      const wallet = await f.wallet.getAddress();
      const { d, signature } = await signedDeclaration(f, f.walletOwner, { kind: "entity", form: "worker-owned" }, f.walletOwner, wallet);
      await expect(f.registry.connect(f.relayer).declare(d, signature)).to.emit(f.registry, "Declared").withArgs(1n, wallet, PPL, 0, 1, 0n, 0n, EVIDENCE);
      expect((await statusOf(f, wallet)).status).to.equal("NonCommercialPermitted");
    });

    it("digest equals the TS core's EIP-712 digest and the typehash its type string (SIG-DIGEST-PARITY)", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      const { d } = await signedDeclaration(f, f.coop, { kind: "entity", form: "other" });
      expect(await f.registry.declarationDigest(d)).to.equal(declarationDigest(f.domain, d));
      expect(await f.registry.DECLARATION_TYPEHASH()).to.equal(keccak256(toUtf8Bytes(DECLARATION_TYPE_STRING)));
      const { g } = await signedGrant(f, { kind: "separate-license", licensee: f.coop.address });
      expect(await f.registry.grantDigest(g)).to.equal(grantDigest(f.domain, g));
      expect(await f.registry.GRANT_TYPEHASH()).to.equal(keccak256(toUtf8Bytes(GRANT_TYPE_STRING)));
    });

    it(`costs at most ${DECLARATION_GAS_MAX} gas relayed for a returning licensee (use, entity change, surplus renewal), at most ${FIRST_DECLARATION_GAS_MAX} for a licensee's first`, async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      await declare(f, f.nonprofit, { kind: "entity", form: "other" }); // the registry has records already
      const first = await signedDeclaration(f, f.coop, { kind: "entity", form: "worker-owned" });
      const r1 = await (await f.registry.connect(f.relayer).declare(first.d, first.signature)).wait();
      const p = await currentPeriod();
      const gas: bigint[] = [];
      for (const input of [
        { kind: "use", use: "commercial" },
        { kind: "surplus", ...p },
        { kind: "surplus", start: p.end, end: p.end + YEAR },
        { kind: "entity", form: "other" },
      ] as DeclareInput[]) {
        const { d, signature } = await signedDeclaration(f, f.coop, input);
        gas.push((await (await f.registry.connect(f.relayer).declare(d, signature)).wait())!.gasUsed);
      }
      console.log(
        `      relayed declaration: first of a licensee ${r1!.gasUsed} gas; returning: use ${gas[0]}, surplus ${gas[1]}, renewal ${gas[2]}, entity change ${gas[3]}`,
      );
      expect(r1!.gasUsed).to.be.at.most(FIRST_DECLARATION_GAS_MAX);
      for (const g of gas) expect(g).to.be.at.most(DECLARATION_GAS_MAX);
    });
  });

  describe("registerWork", () => {
    it("emits WorkRegistered with the terms, and a new version links the family", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      const terms = { ...f.base, supersedes: PPL, termsHash: labelId("PPL v2"), shareAlike: true };
      await expect(f.registry.connect(f.licensor).registerWork(terms))
        .to.emit(f.registry, "WorkRegistered")
        .withArgs(
          3n,
          f.licensor.address,
          PPL,
          0,
          PPL,
          terms.termsHash,
          TERMS_URI,
          true,
          f.arbiter.address,
          f.commons,
          [0n, "0x0000000000000000", 0n],
          [f.attester.address],
        );
      const w = await f.registry.workOf(PPL);
      expect(w.supersededBy).to.equal(3n);
      expect(w.shareAlike).to.equal(false); // the PPL text has no share-alike clause: the default
      expect((await f.registry.familyOf(3n)).current).to.equal(3n);
    });
  });

  describe("attest", () => {
    it("emits Attested naming the declaration and the attester", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      const e = await declare(f, f.coop, { kind: "entity", form: "worker-owned" });
      await expect(f.registry.connect(f.attester).attest(f.coop.address, PPL, e, EVIDENCE))
        .to.emit(f.registry, "Attested")
        .withArgs(2n, f.coop.address, PPL, e, f.attester.address, EVIDENCE);
    });
  });

  describe("reportBreach, findBreach, dismissBreach", () => {
    it("emit BreachReported and BreachDecided (found / dismissed) with the deciding account", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      await expect(f.registry.connect(f.stranger).reportBreach(f.firm.address, PPL, 3, EVIDENCE))
        .to.emit(f.registry, "BreachReported")
        .withArgs(1n, f.firm.address, PPL, 3, f.stranger.address, EVIDENCE);
      await expect(f.registry.connect(f.licensor).findBreach(1n, EVIDENCE))
        .to.emit(f.registry, "BreachDecided")
        .withArgs(2n, f.firm.address, PPL, 1n, true, f.licensor.address, EVIDENCE);
      await f.registry.connect(f.stranger).reportBreach(f.firm.address, PPL, 0, EVIDENCE);
      await expect(f.registry.connect(f.arbiter).dismissBreach(3n, EVIDENCE))
        .to.emit(f.registry, "BreachDecided")
        .withArgs(4n, f.firm.address, PPL, 3n, false, f.arbiter.address, EVIDENCE);
    });
  });

  describe("dismissBreachesUpTo", () => {
    it("F-5: emits BreachesDismissed naming the latest report dismissed; earlier ones close with it, later ones stay open", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      const r1 = await report(f, f.firm.address);
      const r2 = await report(f, f.firm.address);
      const r3 = await report(f, f.firm.address);
      await expect(f.registry.connect(f.arbiter).dismissBreachesUpTo(r2, EVIDENCE))
        .to.emit(f.registry, "BreachesDismissed")
        .withArgs(r3 + 1n, f.firm.address, PPL, r2, f.arbiter.address, EVIDENCE);
      const s = await statusOf(f, f.firm.address);
      expect(s.status).to.equal("Disputed");
      expect(s.records).to.include(r3).and.not.include(r1);
      const events = await readRegistry(ethers.provider, await f.registry.getAddress());
      expect(openReports(recordsOf(events.records, events.works, f.firm.address, PPL)).map((r) => r.id)).to.deep.equal([r3]);
    });
  });

  describe("grant", () => {
    it("emits Granted with the licensor as signer; anyone relays", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      const { g, signature } = await signedGrant(f, { kind: "separate-license", licensee: f.firm.address });
      await expect(f.registry.connect(f.stranger).grant(g, signature))
        .to.emit(f.registry, "Granted")
        .withArgs(1n, f.firm.address, PPL, 2, 0n, 0n, g.terms, f.licensor.address);
      expect(await f.registry.nonces(f.licensor.address)).to.equal(1n);
    });

    describe("when the grant is replayed", () => {
      it("reverts ReciprocityRegistryInvalidNonce(licensor, nonce, next) (SIG-REPLAY)", async () => {
        const f = await networkHelpers.loadFixture(deployRegistry);
        const { g, signature } = await signedGrant(f, { kind: "separate-license", licensee: f.firm.address });
        await f.registry.connect(f.relayer).grant(g, signature);
        await expect(f.registry.connect(f.stranger).grant(g, signature))
          .to.be.revertedWithCustomError(f.registry, "ReciprocityRegistryInvalidNonce")
          .withArgs(f.licensor.address, 0n, 1n);
        expect((await f.registry.counts()).records).to.equal(1n);
      });
    });

    describe("when the grant was signed for another contract", () => {
      it("reverts ReciprocityRegistryInvalidSignature(licensor) (SIG-REPLAY; another chain: ReciprocityRegistry.t.sol)", async () => {
        const f = await networkHelpers.loadFixture(deployRegistry);
        const { chainId } = await ethers.provider.getNetwork();
        const domain = reciprocityDomain(chainId, await f.ledger.getAddress());
        const { g, signature } = await signedGrant(f, { kind: "separate-license", licensee: f.firm.address }, f.licensor, domain);
        await expect(f.registry.grant(g, signature))
          .to.be.revertedWithCustomError(f.registry, "ReciprocityRegistryInvalidSignature")
          .withArgs(f.licensor.address);
        expect((await f.registry.counts()).records).to.equal(0n);
      });
    });

    describe("when the signature deadline or the grant's expiry has passed", () => {
      it("reverts ReciprocityRegistryExpired(time, blockTime) (SIG-DEADLINE)", async () => {
        const f = await networkHelpers.loadFixture(deployRegistry);
        const { g, signature } = await signedGrant(f, { kind: "separate-license", licensee: f.firm.address });
        await networkHelpers.time.setNextBlockTimestamp(g.deadline + 1n);
        await expect(f.registry.grant(g, signature))
          .to.be.revertedWithCustomError(f.registry, "ReciprocityRegistryExpired")
          .withArgs(g.deadline, g.deadline + 1n);
        const t = await now();
        const late = await signedGrant(f, { kind: "separate-license", licensee: f.firm.address, expiry: t + 5n });
        await networkHelpers.time.setNextBlockTimestamp(t + 5n);
        await expect(f.registry.grant(late.g, late.signature))
          .to.be.revertedWithCustomError(f.registry, "ReciprocityRegistryExpired")
          .withArgs(t + 5n, t + 5n);
        expect((await f.registry.counts()).records).to.equal(0n);
      });
    });
  });

  describe("views", () => {
    it("name the Ledger, the current version's attesters, and no tally before the obligation starts", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      expect(await f.registry.ledger()).to.equal(await f.ledger.getAddress());
      expect(await f.registry.isAttester(PPL, f.attester.address)).to.equal(true);
      await f.registry.connect(f.licensor).registerWork({ ...f.base, supersedes: PPL, termsHash: labelId("PPL v2"), attesters: [f.stranger.address] });
      expect([await f.registry.isAttester(PPL, f.attester.address), await f.registry.isAttester(PPL, f.stranger.address)]).to.deep.equal([false, true]);
      const { obligationStart } = await f.registry.familyOf(COPYFAIR);
      const before = await f.registry.settledIn(f.firm.address, COPYFAIR, obligationStart - 1n);
      expect([before.tally, before.periodStart]).to.deep.equal([0n, 0n]);
    });
  });

  describe("settle", () => {
    /** A second CopyFair work of the same commons and unit (work 3). */
    async function secondCopyFairWork(f: F): Promise<bigint> {
      await f.registry.connect(f.licensor).registerWork({ ...f.base, kind: 1, termsHash: labelId("CopyFair B"), obligation: f.obligation });
      return 3n;
    }

    it("emits Settled with the entry, period and tally when the entry's signer calls; settlementOf says it stands", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      const id = await acceptedContribution(f, f.firm, "60");
      const { obligationStart } = await f.registry.familyOf(COPYFAIR);
      await expect(f.registry.connect(f.firm).settle(COPYFAIR, id, await proofFor(ethers, f.ledger, id), []))
        .to.emit(f.registry, "Settled")
        .withArgs(1n, f.firm.address, COPYFAIR, id, obligationStart, parseQuantity("60"), parseQuantity("60"));
      const v = await f.registry.settlementOf(id);
      expect([v.id, v.licensee, v.family, v.periodStart, v.quantity, v.standing]).to.deep.equal([
        1n,
        f.firm.address,
        COPYFAIR,
        obligationStart,
        parseQuantity("60"),
        true,
      ]);
    });

    it("F-7: a relayed order settles only toward the work the licensee signed", async () => {
      // A front-runner who points the order at another work breaks the signature: ReciprocityRegistrySettlement.t.sol.
      const f = await networkHelpers.loadFixture(deployRegistry);
      const other = await secondCopyFairWork(f);
      const id = await acceptedContribution(f, f.firm, "100");
      const { order, signature } = await signedSettlement(f, f.firm, id, other);
      const proof = await proofFor(ethers, f.ledger, id);
      const { obligationStart } = await f.registry.familyOf(other);
      await expect(f.registry.connect(f.stranger).settleBySignature(order, signature, proof, []))
        .to.emit(f.registry, "Settled")
        .withArgs(1n, f.firm.address, other, id, obligationStart, parseQuantity("100"), parseQuantity("100"));
      expect((await f.registry.settledIn(f.firm.address, COPYFAIR, await now())).tally).to.equal(0n);
      expect((await f.registry.settledIn(f.firm.address, other, await now())).tally).to.equal(parseQuantity("100"));
    });

    it("settleBySignature: the digest is the TS core's (SIG-DIGEST-PARITY); a replayed order reverts InvalidNonce (SIG-REPLAY)", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      const id = await acceptedContribution(f, f.firm, "100");
      const { order, signature } = await signedSettlement(f, f.firm, id);
      expect(await f.registry.settlementDigest(order)).to.equal(settlementDigest(f.domain, order));
      expect(await f.registry.SETTLEMENT_TYPEHASH()).to.equal(keccak256(toUtf8Bytes(SETTLEMENT_TYPE_STRING)));
      const proof = await proofFor(ethers, f.ledger, id);
      await f.registry.connect(f.relayer).settleBySignature(order, signature, proof, []);
      await expect(f.registry.connect(f.relayer).settleBySignature(order, signature, proof, []))
        .to.be.revertedWithCustomError(f.registry, "ReciprocityRegistryInvalidNonce")
        .withArgs(f.firm.address, 0n, 1n);
    });

    it(`costs at most ${SETTLE_GAS_MAX} gas for a plain entry, directly or relayed, and for a correction that reverses the first settlement`, async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      await settle(f, f.nonprofit, await acceptedContribution(f, f.nonprofit, "1")); // the record counter is warm, as on any live registry
      const gasOf = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) => (await (await tx).wait())!.gasUsed;
      const e1 = await acceptedContribution(f, f.firm, "60");
      const direct = await gasOf(f.registry.connect(f.firm).settle(COPYFAIR, e1, await proofFor(ethers, f.ledger, e1), []));
      const e2 = await acceptedContribution(f, f.firm, "40");
      const o = await signedSettlement(f, f.firm, e2);
      const relayed = await gasOf(f.registry.connect(f.relayer).settleBySignature(o.order, o.signature, await proofFor(ethers, f.ledger, e2), []));
      const e3 = await acceptedContribution(f, f.firm, "60", { corrects: e1 });
      const correction = await gasOf(f.registry.connect(f.firm).settle(COPYFAIR, e3, await proofFor(ethers, f.ledger, e3), []));
      await dispute(f, e2);
      const reversal = await gasOf(f.registry.connect(f.stranger).reverseSettlement(e2));
      console.log(`      settle: direct ${direct} gas, relayed ${relayed}, correction reversing the first ${correction}; reverseSettlement ${reversal}`);
      for (const g of [direct, relayed, correction]) expect(g).to.be.at.most(SETTLE_GAS_MAX);
    });

    it("settleBySignature accepts an order signed through an ERC-1271 wallet licensee (SIG-1271)", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      const wallet = await f.wallet.getAddress();
      const agent = walletAgent(wallet, f.walletOwner as never, await domainOf(ethers, f.ledger));
      const t = await now();
      const r = workRecord({ provider: wallet, commons: f.commons, now: t, sequence: 0n, overrides: { action: "transfer", quantity: "100", unit: "EUR" } });
      await f.ledger.connect(f.relayer).record(r, await agent.signRecord(r));
      const id = (await f.ledger.tip())[0];
      await accept(f, id);
      const { order, signature } = await signedSettlement(f, f.walletOwner, id);
      await expect(f.registry.connect(f.relayer).settleBySignature(order, signature, await proofFor(ethers, f.ledger, id), []))
        .to.emit(f.registry, "Settled")
        .withArgs(1n, wallet, COPYFAIR, id, (await f.registry.familyOf(COPYFAIR)).obligationStart, parseQuantity("100"), parseQuantity("100"));
    });
  });

  describe("settle and reverseSettlement: only standing entries count (F-3, SYB-SETTLE)", () => {
    it("F-3: a restating correction reverses the corrected entry's settlement in the same transaction (100 EUR counted once, not twice)", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      const e1 = await acceptedContribution(f, f.firm, "100");
      const s1 = await settle(f, f.firm, e1);
      const e2 = await acceptedContribution(f, f.firm, "100", { corrects: e1 });
      const { periodStart } = await f.registry.settledIn(f.firm.address, COPYFAIR, await now());
      const { proof } = await proofsFor(f, e2);
      const tx = f.registry.connect(f.firm).settle(COPYFAIR, e2, proof, []);
      await expect(tx)
        .to.emit(f.registry, "SettlementReversed")
        .withArgs(s1 + 1n, f.firm.address, COPYFAIR, e1, s1, periodStart, parseQuantity("100"), 0n, 3);
      await expect(tx)
        .to.emit(f.registry, "Settled")
        .withArgs(s1 + 2n, f.firm.address, COPYFAIR, e2, periodStart, parseQuantity("100"), parseQuantity("100"));
      expect((await f.registry.settledIn(f.firm.address, COPYFAIR, await now())).tally).to.equal(parseQuantity("100"));
      expect((await f.registry.settlementOf(e1)).standing).to.equal(false);
      expect((await f.registry.settlementOf(e2)).standing).to.equal(true);
    });

    it("F-3: anyone reverses the settlement of a voided entry: SettlementReversed names the period, the amount removed and the tally after; the status drops back", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      await declare(f, f.firm, { kind: "entity", form: "wage-labour-business", work: COPYFAIR });
      const e1 = await acceptedContribution(f, f.firm, "100");
      const s1 = await settle(f, f.firm, e1);
      expect((await statusOf(f, f.firm.address, COPYFAIR)).status).to.equal("ReciprocitySettled");
      await acceptedContribution(f, f.firm, "0", { corrects: e1, accept: false }); // the void
      const { periodStart } = await f.registry.settledIn(f.firm.address, COPYFAIR, await now());
      await expect(f.registry.connect(f.stranger).reverseSettlement(e1))
        .to.emit(f.registry, "SettlementReversed")
        .withArgs(s1 + 1n, f.firm.address, COPYFAIR, e1, s1, periodStart, parseQuantity("100"), 0n, 3);
      const s = await statusOf(f, f.firm.address, COPYFAIR);
      expect([s.status, s.reason]).to.deep.equal(["Excluded", "WageLabourBusiness"]);
      await expect(f.registry.connect(f.stranger).reverseSettlement(e1))
        .to.be.revertedWithCustomError(f.registry, "ReciprocityRegistryNotSettled")
        .withArgs(e1);
    });

    it("F-3: a later-disputed entry's settlement is reversed by anyone; while the entry is accepted it stands (SettlementStands)", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      const e1 = await acceptedContribution(f, f.firm, "100");
      const s1 = await settle(f, f.firm, e1);
      await expect(f.registry.connect(f.stranger).reverseSettlement(e1))
        .to.be.revertedWithCustomError(f.registry, "ReciprocityRegistrySettlementStands")
        .withArgs(e1, s1);
      await dispute(f, e1);
      await expect(f.registry.connect(f.stranger).reverseSettlement(e1))
        .to.emit(f.registry, "SettlementReversed")
        .withArgs(
          s1 + 1n,
          f.firm.address,
          COPYFAIR,
          e1,
          s1,
          (await f.registry.settledIn(f.firm.address, COPYFAIR, await now())).periodStart,
          parseQuantity("100"),
          0n,
          2,
        );
    });

    it("F-3: a reversed entry accepted again settles again, but the old order cannot be replayed (its nonce names the old settlement)", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      const e1 = await acceptedContribution(f, f.firm, "100");
      const first = await signedSettlement(f, f.firm, e1);
      const proof = await proofFor(ethers, f.ledger, e1);
      await f.registry.connect(f.relayer).settleBySignature(first.order, first.signature, proof, []);
      await dispute(f, e1);
      await f.registry.connect(f.stranger).reverseSettlement(e1);
      await f.ledger.connect(f.steward).setQuorumRule(f.commons, 5, 1, 2, false); // transfers: two disputes block now
      await expect(f.registry.connect(f.relayer).settleBySignature(first.order, first.signature, proof, []))
        .to.be.revertedWithCustomError(f.registry, "ReciprocityRegistryInvalidNonce")
        .withArgs(f.firm.address, 0n, 1n);
      const again = await signedSettlement(f, f.firm, e1);
      await expect(f.registry.connect(f.relayer).settleBySignature(again.order, again.signature, proof, [])).to.emit(f.registry, "Settled");
      expect((await f.registry.settledIn(f.firm.address, COPYFAIR, await now())).tally).to.equal(parseQuantity("100"));
    });
  });

  // ---------------------------------------------------------------- bad input: custom error with values, nothing recorded
  describe("bad input", () => {
    interface Bad {
      title: string;
      call: (f: F) => Promise<{ tx: () => Promise<unknown>; error: string; args: unknown[] }>;
    }
    const BAD: Bad[] = [
      {
        title: "a declaration for an unknown work",
        call: async (f) => {
          const { d, signature } = await signedDeclaration(f, f.coop, { kind: "entity", form: "other", work: 1n });
          const d2: Declaration = { ...d, work: 99n };
          return { tx: async () => f.registry.declare(d2, signature), error: "ReciprocityRegistryUnknownWork", args: [99n] };
        },
      },
      {
        title: "a declaration with the zero address as licensee",
        call: async (f) => {
          const { d, signature } = await signedDeclaration(f, f.coop, { kind: "entity", form: "other" });
          return { tx: async () => f.registry.declare({ ...d, licensee: ZeroAddress }, signature), error: "ReciprocityRegistryZeroLicensee", args: [PPL] };
        },
      },
      {
        title: "a declaration for a superseded version",
        call: async (f) => {
          await f.registry.connect(f.licensor).registerWork({ ...f.base, supersedes: PPL, termsHash: labelId("PPL v2") });
          const { d, signature } = await signedDeclaration(f, f.coop, { kind: "entity", form: "other" });
          return { tx: async () => f.registry.declare(d, signature), error: "ReciprocityRegistrySupersededVersion", args: [PPL, 3n] };
        },
      },
      {
        title: "an overlapping surplus period",
        call: async (f) => {
          const p = await currentPeriod();
          await declare(f, f.coop, { kind: "surplus", ...p });
          const { d, signature } = await signedDeclaration(f, f.coop, { kind: "surplus", start: p.end - DAY, end: p.end + YEAR });
          return { tx: async () => f.registry.declare(d, signature), error: "ReciprocityRegistryOverlappingPeriod", args: [p.end - DAY, p.end] };
        },
      },
      {
        title: "a surplus period that leaves a gap after a running one",
        call: async (f) => {
          const { p } = await commercialCoop(f);
          const { d, signature } = await signedDeclaration(f, f.coop, { kind: "surplus", start: p.end + DAY, end: p.end + YEAR });
          return { tx: async () => f.registry.declare(d, signature), error: "ReciprocityRegistryNotContiguous", args: [p.end + DAY, p.end] };
        },
      },
      {
        title: "a second future surplus period queued behind one that has not started",
        call: async (f) => {
          const t = await now();
          await declare(f, f.coop, { kind: "surplus", start: t + 10n * DAY, end: t + 20n * DAY });
          const { d, signature } = await signedDeclaration(f, f.coop, { kind: "surplus", start: t + 20n * DAY, end: t + 30n * DAY });
          return { tx: async () => f.registry.declare(d, signature), error: "ReciprocityRegistryPeriodQueued", args: [t + 20n * DAY, t + 10n * DAY] };
        },
      },
      {
        title: "a signature deadline beyond MAX_VALIDITY",
        call: async (f) => {
          const { d } = await signedDeclaration(f, f.coop, { kind: "entity", form: "other" });
          const t = await now();
          const far = { ...d, deadline: t + days(31) };
          await networkHelpers.time.setNextBlockTimestamp(t + 1n);
          return {
            tx: async () => f.registry.declare(far, await signDeclaration(f.coop as never, f.domain, far)),
            error: "ReciprocityRegistryDeadlineTooFar",
            args: [t + days(31), t + 1n + days(30)],
          };
        },
      },
      {
        title: "terms without a content hash",
        call: async (f) => ({
          tx: async () => f.registry.connect(f.licensor).registerWork({ ...f.base, termsHash: ZeroHash }),
          error: "ReciprocityRegistryMissingTermsHash",
          args: [],
        }),
      },
      {
        title: "terms with an empty URI",
        call: async (f) => ({
          tx: async () => f.registry.connect(f.licensor).registerWork({ ...f.base, termsUri: "" }),
          error: "ReciprocityRegistryInvalidUri",
          args: [0n, 200n],
        }),
      },
      {
        title: "terms with more than MAX_ATTESTERS attesters",
        call: async (f) => ({
          tx: async () => f.registry.connect(f.licensor).registerWork({ ...f.base, attesters: Array.from({ length: 33 }, () => f.attester.address) }),
          error: "ReciprocityRegistryTooManyAttesters",
          args: [33n, 32n],
        }),
      },
      {
        title: "a CopyFair obligation for a commons the Ledger does not know",
        call: async (f) => {
          const unknown = labelId("no such commons");
          return {
            tx: async () => f.registry.connect(f.licensor).registerWork({ ...f.base, kind: 1, commons: unknown, obligation: f.obligation }),
            error: "ReciprocityRegistryUnknownCommons",
            args: [unknown],
          };
        },
      },
      {
        title: "a grant for the zero address",
        call: async (f) => {
          const { g } = await signedGrant(f, { kind: "separate-license", licensee: f.firm.address });
          const bad = { ...g, licensee: ZeroAddress };
          return {
            tx: async () => f.registry.grant(bad, await signGrant(f.licensor as never, f.domain, bad)),
            error: "ReciprocityRegistryZeroLicensee",
            args: [PPL],
          };
        },
      },
      {
        title: "a breach report for an unknown work",
        call: async (f) => ({ tx: async () => f.registry.reportBreach(f.firm.address, 9n, 0, EVIDENCE), error: "ReciprocityRegistryUnknownWork", args: [9n] }),
      },
      {
        title: "a breach report with a section out of range",
        call: async (f) => ({
          tx: async () => f.registry.reportBreach(f.firm.address, PPL, 6, EVIDENCE),
          error: "ReciprocityRegistryInvalidCode",
          args: [2n, 6n],
        }),
      },
      {
        title: "settling with a contribution to another commons",
        call: async (f) => {
          const salt = ethers.id("other commons");
          await f.ledger.connect(f.steward).registerCommons(salt, "Other");
          const other = commonsId(f.steward.address, salt);
          await f.ledger.connect(f.steward).setRoles(other, f.validator.address, ALL_ROLES);
          const id = await acceptedContribution(f, f.firm, "100", { commons: other });
          return {
            tx: async () => f.registry.connect(f.firm).settle(COPYFAIR, id, await proofFor(ethers, f.ledger, id), []),
            error: "ReciprocityRegistryEntryMismatch",
            args: [id, 1n, other, f.commons],
          };
        },
      },
      {
        title: "a declaration signed by someone else than the licensee",
        call: async (f) => {
          const { d, signature } = await signedDeclaration(f, f.coop, { kind: "entity", form: "worker-owned" }, f.stranger);
          return { tx: async () => f.registry.declare(d, signature), error: "ReciprocityRegistryInvalidSignature", args: [f.coop.address] };
        },
      },
      {
        title: "a replayed declaration",
        call: async (f) => {
          const { d, signature } = await signedDeclaration(f, f.coop, { kind: "entity", form: "worker-owned" });
          await f.registry.declare(d, signature);
          return { tx: async () => f.registry.declare(d, signature), error: "ReciprocityRegistryInvalidNonce", args: [f.coop.address, 0n, 1n] };
        },
      },
      {
        title: "an expired declaration",
        call: async (f) => {
          const { d, signature } = await signedDeclaration(f, f.coop, { kind: "entity", form: "worker-owned" });
          await networkHelpers.time.setNextBlockTimestamp(d.deadline + 1n);
          return { tx: async () => f.registry.declare(d, signature), error: "ReciprocityRegistryExpired", args: [d.deadline, d.deadline + 1n] };
        },
      },
      {
        title: "an attestation by an attester the licensor does not recognise",
        call: async (f) => {
          const e = await declare(f, f.coop, { kind: "entity", form: "worker-owned" });
          return {
            tx: async () => f.registry.connect(f.stranger).attest(f.coop.address, PPL, e, EVIDENCE),
            error: "ReciprocityRegistryUnrecognisedAttester",
            args: [PPL, f.stranger.address],
          };
        },
      },
      {
        title: "an attestation of a record that is not the licensee's current declaration",
        call: async (f) => {
          const e = await declare(f, f.coop, { kind: "entity", form: "worker-owned" });
          await declare(f, f.coop, { kind: "entity", form: "other" });
          return {
            tx: async () => f.registry.connect(f.attester).attest(f.coop.address, PPL, e, EVIDENCE),
            error: "ReciprocityRegistryNotAttestable",
            args: [PPL, f.coop.address, e],
          };
        },
      },
      {
        title: "a finding by someone who is neither licensor nor arbiter",
        call: async (f) => {
          const r = await report(f, f.coop.address);
          return {
            tx: async () => f.registry.connect(f.stranger).findBreach(r, EVIDENCE),
            error: "ReciprocityRegistryNotLicensorOrArbiter",
            args: [PPL, f.stranger.address],
          };
        },
      },
      {
        title: "a dismissal of a report already decided",
        call: async (f) => {
          const r = await report(f, f.coop.address);
          await find(f, r);
          return { tx: async () => f.registry.connect(f.licensor).dismissBreach(r, EVIDENCE), error: "ReciprocityRegistryReportNotOpen", args: [r] };
        },
      },
      {
        title: "a breach report against the zero address",
        call: async (f) => ({ tx: async () => f.registry.reportBreach(ZeroAddress, PPL, 0, EVIDENCE), error: "ReciprocityRegistryZeroLicensee", args: [PPL] }),
      },
      {
        title: "a reinstatement that names an older finding",
        call: async (f) => {
          const x1 = await find(f, await report(f, f.coop.address));
          const x2 = await find(f, await report(f, f.coop.address));
          const { g, signature } = await signedGrant(f, { kind: "reinstatement", licensee: f.coop.address, ref: x1 });
          return { tx: async () => f.registry.grant(g, signature), error: "ReciprocityRegistryNotLatestFinding", args: [x1, x2] };
        },
      },
      {
        title: "a new version of someone else's work",
        call: async (f) => ({
          tx: async () => f.registry.connect(f.otherLicensor).registerWork({ ...f.base, supersedes: PPL }),
          error: "ReciprocityRegistryNotLicensor",
          args: [PPL, f.otherLicensor.address],
        }),
      },
      {
        title: "terms with a zero attester",
        call: async (f) => ({
          tx: async () => f.registry.connect(f.licensor).registerWork({ ...f.base, attesters: [f.attester.address, ZeroAddress] }),
          error: "ReciprocityRegistryZeroAttester",
          args: [1n],
        }),
      },
      {
        title: "a settlement obligation on a PPL work",
        call: async (f) => ({
          tx: async () => f.registry.connect(f.licensor).registerWork({ ...f.base, obligation: f.obligation }),
          error: "ReciprocityRegistryInvalidObligation",
          args: [0, f.obligation.amount, f.obligation.unit, f.obligation.period],
        }),
      },
      {
        title: "settling with a contribution the commons has not accepted",
        call: async (f) => {
          const id = await acceptedContribution(f, f.firm, "100", { accept: false });
          return {
            tx: async () => f.registry.connect(f.firm).settle(COPYFAIR, id, await proofFor(ethers, f.ledger, id), []),
            error: "ReciprocityRegistryEntryNotAccepted",
            args: [id, 0],
          };
        },
      },
      {
        title: "settling with a contribution in another unit",
        call: async (f) => {
          const id = await acceptedContribution(f, f.firm, "100", { unit: "h" });
          return {
            tx: async () => f.registry.connect(f.firm).settle(COPYFAIR, id, await proofFor(ethers, f.ledger, id), []),
            error: "ReciprocityRegistryEntryMismatch",
            args: [id, 2n, encodeUnit("h").padEnd(66, "0"), f.obligation.unit.padEnd(66, "0")],
          };
        },
      },
      {
        title: "settling with an entry that is not an economic event (an offer)",
        call: async (f) => {
          const id = await acceptedContribution(f, f.firm, "100", { flow: "offer" });
          return {
            tx: async () => f.registry.connect(f.firm).settle(COPYFAIR, id, await proofFor(ethers, f.ledger, id), []),
            error: "ReciprocityRegistryEntryMismatch",
            args: [id, 0n, ethers.toBeHex(2, 32), ZeroHash],
          };
        },
      },
      {
        title: "settling with an entry dated before the obligation started",
        call: async (f) => {
          const { obligationStart } = await f.registry.familyOf(COPYFAIR);
          const id = await acceptedContribution(f, f.firm, "100", { time: obligationStart - 1n });
          return {
            tx: async () => f.registry.connect(f.firm).settle(COPYFAIR, id, await proofFor(ethers, f.ledger, id), []),
            error: "ReciprocityRegistryEntryMismatch",
            args: [id, 3n, ethers.toBeHex(obligationStart - 1n, 32), ethers.toBeHex(obligationStart, 32)],
          };
        },
      },
      {
        title: "settling the same entry twice",
        call: async (f) => {
          const id = await acceptedContribution(f, f.firm, "100");
          const s = await settle(f, f.firm, id);
          return {
            tx: async () => f.registry.connect(f.firm).settle(COPYFAIR, id, await proofFor(ethers, f.ledger, id), []),
            error: "ReciprocityRegistryAlreadySettled",
            args: [id, s],
          };
        },
      },
      {
        title: "settling against a work without an obligation",
        call: async (f) => {
          const id = await acceptedContribution(f, f.firm, "100");
          return {
            tx: async () => f.registry.connect(f.firm).settle(PPL, id, await proofFor(ethers, f.ledger, id), []),
            error: "ReciprocityRegistryNoSettlement",
            args: [PPL],
          };
        },
      },
      {
        title: "a new version of a version already superseded",
        call: async (f) => {
          await f.registry.connect(f.licensor).registerWork({ ...f.base, supersedes: PPL, termsHash: labelId("PPL v2") });
          return {
            tx: async () => f.registry.connect(f.licensor).registerWork({ ...f.base, supersedes: PPL, termsHash: labelId("PPL v2 again") }),
            error: "ReciprocityRegistrySupersededVersion",
            args: [PPL, 3n],
          };
        },
      },
      {
        title: "an entity declaration that carries a period",
        call: async (f) => {
          const { d } = await signedDeclaration(f, f.coop, { kind: "entity", form: "other" });
          const bad = { ...d, start: 1n, end: 2n };
          return {
            tx: async () => f.registry.declare(bad, await signDeclaration(f.coop as never, f.domain, bad)),
            error: "ReciprocityRegistryInvertedPeriod",
            args: [1n, 2n],
          };
        },
      },
      {
        title: "an attestation for the zero address",
        call: async (f) => ({
          tx: async () => f.registry.connect(f.attester).attest(ZeroAddress, PPL, 1n, EVIDENCE),
          error: "ReciprocityRegistryZeroLicensee",
          args: [PPL],
        }),
      },
      {
        title: "a grant kind out of range",
        call: async (f) => {
          const { g } = await signedGrant(f, { kind: "separate-license", licensee: f.firm.address });
          const bad = { ...g, kind: 3 };
          return {
            tx: async () => f.registry.grant(bad, await signGrant(f.licensor as never, f.domain, bad)),
            error: "ReciprocityRegistryInvalidCode",
            args: [0n, 3n],
          };
        },
      },
      {
        title: "a grant whose expiry does not fit the registry's 40-bit times",
        call: async (f) => {
          const { g } = await signedGrant(f, { kind: "separate-license", licensee: f.firm.address });
          const bad = { ...g, expiry: 2n ** 40n };
          const t = (await now()) + 1n;
          await networkHelpers.time.setNextBlockTimestamp(t);
          return {
            tx: async () => f.registry.grant(bad, await signGrant(f.licensor as never, f.domain, bad)),
            error: "ReciprocityRegistryInvertedPeriod",
            args: [t, 2n ** 40n],
          };
        },
      },
      {
        title: "a separate license that names a finding",
        call: async (f) => {
          const { g } = await signedGrant(f, { kind: "separate-license", licensee: f.firm.address });
          const bad = { ...g, ref: 5n };
          return {
            tx: async () => f.registry.grant(bad, await signGrant(f.licensor as never, f.domain, bad)),
            error: "ReciprocityRegistryNotLatestFinding",
            args: [5n, 0n],
          };
        },
      },
      {
        title: "settledIn for a work without an obligation",
        call: async (f) => ({ tx: async () => f.registry.settledIn(f.firm.address, PPL, 0n), error: "ReciprocityRegistryNoSettlement", args: [PPL] }),
      },
      {
        title: "statusOf an unknown work",
        call: async (f) => ({ tx: async () => f.registry.statusOf(f.coop.address, 7n), error: "ReciprocityRegistryUnknownWork", args: [7n] }),
      },
    ];
    for (const b of BAD) {
      it(`reverts on ${b.title}, recording nothing`, async () => {
        const f = await networkHelpers.loadFixture(deployRegistry);
        const { tx, error, args } = await b.call(f);
        const before = await f.registry.counts();
        await expect(tx())
          .to.be.revertedWithCustomError(f.registry, error)
          .withArgs(...args);
        const after = await f.registry.counts();
        expect(after.works).to.equal(before.works);
        expect(after.records).to.equal(before.records);
      });
    }
  });

  // ---------------------------------------------------------------- the TS core
  describe("scripts/lib/reciprocity/reciprocity.ts", () => {
    it("holds the ABI of the artifact (functions, events, errors)", () => {
      const artifact = new Interface(JSON.parse(readFileSync(ARTIFACT, "utf8")).abi);
      const core = new Interface(RECIPROCITY_ABI);
      const sigs = (i: Interface) => {
        const out: string[] = [];
        i.forEachFunction((fn) => out.push(`${fn.format("sighash")}->${fn.outputs.map((o) => o.format("sighash")).join(",")}`));
        i.forEachEvent((ev) => out.push(`${ev.format("sighash")}:${ev.inputs.map((x) => x.indexed === true).join(",")}`));
        i.forEachError((er) => out.push(er.format("sighash")));
        return out;
      };
      const ledgerErrors = ["LedgerEntryNotFound(uint256)", "LedgerInvalidProof(uint256,uint256)"];
      expect(sigs(core).filter((s) => !ledgerErrors.includes(s))).to.have.members(sigs(artifact));
    });

    it("mirrors the contract's limits", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      expect(await f.registry.MAX_VALIDITY()).to.equal(BigInt(RECIPROCITY_LIMITS.maxValiditySeconds));
      expect(await f.registry.MAX_URI_BYTES()).to.equal(BigInt(RECIPROCITY_LIMITS.maxUriBytes));
      expect(await f.registry.MAX_ATTESTERS()).to.equal(BigInt(RECIPROCITY_LIMITS.maxAttesters));
    });

    it("explains a status from the events: records with signers and times, how long, what would change it", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      await commercialCoop(f);
      const events = await readRegistry(ethers.provider, await f.registry.getAddress());
      const status = await statusOf(f, f.coop.address);
      const x = explainStatus({ licensee: f.coop.address, work: PPL, status, records: events.records, now: await now() });
      expect(x.summary).to.match(/^CommercialPermitted: may use the work commercially/);
      expect(x.evidence.map((e) => [e.id, e.signer])).to.deep.equal([
        [1n, f.coop.address],
        [2n, f.coop.address],
      ]);
      expect(x.evidence[1].what).to.match(/^surplus declaration for \[/);
      expect(x.evidence.every((e) => e.time > 0n)).to.equal(true);
      expect(x.holds).to.match(/^until \d{4}-/);
      expect(x.changes.join("\n")).to.match(/without a new surplus declaration commercial use then lapses/);
      await warp(YEAR);
      const lapsed = explainStatus({
        licensee: f.coop.address,
        work: PPL,
        status: await statusOf(f, f.coop.address),
        records: events.records,
        now: await now(),
      });
      expect(lapsed.changes[0]).to.match(/a new surplus declaration covering now, e\.g\. for \d{4}, would make commercial use permitted again/);
    });

    /** The explanation `commons status` gives, from the chain as it is now. */
    async function explain(f: F, licensee: string, work = PPL) {
      const events = await readRegistry(ethers.provider, await f.registry.getAddress());
      const family = await f.registry.familyOf(work);
      const obligation = { amount: family.obligation.amount, unit: family.obligation.unit, period: family.obligation.period };
      const standing = standingSettlements(recordsOf(events.records, events.works, licensee, work));
      const stale = await findStaleSettlements(standing, async (id) => {
        const st = await f.ledger.entryState(id);
        return { state: st.state, correctedBy: st.correctedBy };
      });
      return explainStatus({
        licensee,
        work,
        status: await statusOf(f, licensee, work),
        records: events.records,
        works: events.works,
        obligation,
        stale,
        now: await now(),
      });
    }

    it("explain (a): with two open reports, dismissing the later one leaves Disputed and cites the earlier, open one", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      await declare(f, f.nonprofit, { kind: "entity", form: "other" });
      const r1 = await report(f, f.nonprofit.address, 4);
      const r2 = await report(f, f.nonprofit.address, 0);
      let x = await explain(f, f.nonprofit.address);
      expect(x.changes[0]).to.equal(
        `2 reports are open (records ${r1}, ${r2}): the licensor or its arbiter must decide all of them (one decision dismisses the latest and every earlier one) to restore NonCommercialPermitted`,
      );
      await f.registry.connect(f.licensor).dismissBreach(r2, EVIDENCE);
      x = await explain(f, f.nonprofit.address);
      expect(x.status.status).to.equal("Disputed");
      expect(x.status.records).to.include(r1).and.not.include(r2);
      expect(x.evidence.find((e) => e.id === r1)?.what).to.equal("breach report under 4(e)");
      expect(x.changes[0]).to.equal(`a dismissal of the report (record ${r1}) by the licensor or its arbiter would restore NonCommercialPermitted`);
    });

    it("explain (b): an attestation by an attester the current terms dropped no longer counts, and the answer says so", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      const { e, s } = await commercialCoop(f);
      await f.registry.connect(f.attester).attest(f.coop.address, PPL, e, EVIDENCE);
      const ae = (await f.registry.counts()).records;
      await f.registry.connect(f.attester).attest(f.coop.address, PPL, s, EVIDENCE);
      expect((await explain(f, f.coop.address)).summary).to.match(/^CommercialPermitted \(attested\)/);
      await f.registry.connect(f.licensor).registerWork({ ...f.base, supersedes: PPL, termsHash: labelId("PPL v2"), attesters: [f.stranger.address] });
      const x = await explain(f, f.coop.address, 3n);
      expect(x.summary).to.match(/^CommercialPermitted: /);
      expect(x.attestation).to.contain(
        `not attested: the entity declaration (record ${e}) has no attestation by an attester the current terms recognise (attestation ${ae} by ${f.attester.address} no longer counts: the current terms, work 3, do not recognise that attester)`,
      );
    });

    it("explain (c): a declaration made for another work family does not change the explanation for this one", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      await declare(f, f.coop, { kind: "entity", form: "worker-owned" });
      await declare(f, f.coop, { kind: "use", use: "commercial", work: COPYFAIR });
      await declare(f, f.coop, { kind: "entity", form: "wage-labour-business", work: COPYFAIR });
      const x = await explain(f, f.coop.address);
      expect(x.status.status).to.equal("NonCommercialPermitted");
      expect(x.changes[0]).to.match(/^a surplus declaration \(4\(c\)\(ii\)\), e\.g\. for \d{4}, would make commercial use permitted$/);
      expect(x.openQuestions.join("\n"))
        .to.match(/non-member waged employees/)
        .and.not.match(/primarily/);
    });

    it("explain (d): with only the surplus declaration attested, the answer says the entity declaration's attestation is missing", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      const { e, s } = await commercialCoop(f);
      await f.registry.connect(f.attester).attest(f.coop.address, PPL, s, EVIDENCE);
      const as = (await f.registry.counts()).records;
      const x = await explain(f, f.coop.address);
      expect(x.status.attested).to.equal(false);
      expect(x.attestation).to.equal(
        `not attested: the entity declaration (record ${e}) has no attestation by an attester the current terms recognise; the surplus declaration (record ${s}) is attested by ${f.attester.address} (record ${as})`,
      );
    });

    it("explain (e): an individual without a surplus declaration is told what applies to an individual", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      await declare(f, f.person, { kind: "entity", form: "individual" });
      const x = await explain(f, f.person.address);
      expect(x.reason)
        .to.match(/^an individual: non-commercial use is permitted/)
        .and.not.match(/worker-owned, but/);
      expect(x.changes[0]).to.match(/the individual then being treated as worker-owned$/);
    });

    it("F-3: names a settlement whose entry no longer stands, says anyone may reverse it, and that the status rests on it", async () => {
      const f = await networkHelpers.loadFixture(deployRegistry);
      await declare(f, f.firm, { kind: "entity", form: "wage-labour-business", work: COPYFAIR });
      const e1 = await acceptedContribution(f, f.firm, "100");
      const s1 = await settle(f, f.firm, e1);
      expect((await explain(f, f.firm.address, COPYFAIR)).warnings).to.deep.equal([]);
      await dispute(f, e1);
      const x = await explain(f, f.firm.address, COPYFAIR);
      expect(x.status.status).to.equal("ReciprocitySettled");
      expect(x.warnings[0]).to.match(
        new RegExp(
          `^ledger entry ${e1} \\(100 EUR\\) is disputed, yet its settlement \\(record ${s1}, period from \\d{4}-.*\\) still counts: anyone may reverse it \\(commons settlement reverse ${e1}\\)$`,
        ),
      );
      expect(x.warnings[1]).to.equal(
        "without them this period's total is 0 EUR, short of the 100 EUR owed: the status rests on contributions that no longer stand",
      );
      await f.registry.connect(f.stranger).reverseSettlement(e1);
      const after = await explain(f, f.firm.address, COPYFAIR);
      expect([after.status.status, after.warnings.length]).to.deep.equal(["Excluded", 0]);
    });

    it("refuses bad input before signing (ReciprocityInputError)", () => {
      expect(() => buildDeclaration({ kind: "surplus", licensee: ZeroAddress, work: 1n, start: 2n, end: 1n, nonce: 0n, deadline: 1n })).to.throw(/licensee/);
      expect(() =>
        buildDeclaration({ kind: "surplus", licensee: "0x000000000000000000000000000000000000dEaD", work: 1n, start: 2n, end: 1n, nonce: 0n, deadline: 1n }),
      ).to.throw(/period/);
      expect(() => buildGrant({ kind: "reinstatement", licensee: "0x000000000000000000000000000000000000dEaD", work: 1n, nonce: 0n, deadline: 1n })).to.throw(
        /ref/,
      );
      expect(ZeroHash).to.have.length(66);
    });
  });
});
