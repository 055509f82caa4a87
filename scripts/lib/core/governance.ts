// Who counts in each commons, derived from the Ledger's events alone (browser-safe): its name,
// stewards and threshold, who may validate which actions, the quorum rules, the steward proposals
// and where each stands, and one sentence that says how many keys can act alone. The same events
// drive the contract, so this is what `stewardship`, `rolesOf` and `quorumRule` answer on-chain.
import type { LedgerEvents } from "./reader.js";
import { ACTIONS, actionsOfRoles, ALL_ROLES, CHANGE_KINDS, LIMITS } from "./vocabulary.js";
import type { ActionName, ChangeKindName } from "./vocabulary.js";

export interface ProposalView {
  id: bigint;
  commons: string;
  proposer: string;
  kind: ChangeKindName;
  account: string;
  roles: number;
  threshold: number;
  action: ActionName;
  acceptsRequired: number;
  disputesToBlock: number;
  /** With setQuorumRule: the entry's counterparty must confirm it too. */
  counterpartyConfirms: boolean;
  epoch: number;
  expiresAt: bigint;
  approvers: string[];
  /** executed; pending (approvals still count); stale (the steward set changed since); expired. */
  status: "executed" | "pending" | "stale" | "expired";
  /** The change in words, e.g. "add steward 0x12…", "let 0x34… validate work, use". */
  summary: string;
}

export interface CommonsView {
  id: string;
  name: string;
  founder: string;
  stewards: string[];
  threshold: number;
  epoch: number;
  /** Accounts with at least one role, and the actions each may validate. */
  validators: { account: string; actions: ActionName[] }[];
  /** Rules set by the stewards (unset actions: one accept, one dispute). */
  rules: { action: ActionName; acceptsRequired: number; disputesToBlock: number; counterpartyConfirms: boolean }[];
  proposals: ProposalView[];
  /** True when a single key can change stewards, validators and rules or publish a distribution. */
  singleKey: boolean;
  /** How the commons decides, in one sentence for people. */
  stewardship: string;
}

const lower = (v: unknown) => String(v).toLowerCase();

/** One sentence on who decides in a commons; says plainly when one key can act alone. */
export function stewardshipSentence(stewards: number, threshold: number): string {
  if (threshold <= 1) {
    return stewards <= 1
      ? "Run by one key: its only steward changes stewards, validators and rules and publishes distributions alone."
      : `Run by one key: any one of its ${stewards} stewards can change stewards, validators and rules and publish distributions alone.`;
  }
  return `Any ${threshold} of its ${stewards} stewards decide together: no smaller group changes stewards, validators or rules or moves money.`;
}

/** A proposed change in words. */
export function describeChange(
  c: Pick<ProposalView, "kind" | "account" | "roles" | "threshold" | "action" | "acceptsRequired" | "disputesToBlock"> & { counterpartyConfirms?: boolean },
  name: (a: string) => string = (a) => a,
): string {
  switch (c.kind) {
    case "addSteward":
      return `add ${name(c.account)} as a steward`;
    case "removeSteward":
      return `remove ${name(c.account)} as a steward`;
    case "setThreshold":
      return `require ${c.threshold} steward approval${c.threshold === 1 ? "" : "s"} for every change`;
    case "setRoles":
      return c.roles === 0
        ? `take every validator role from ${name(c.account)}`
        : `let ${name(c.account)} validate ${c.roles === ALL_ROLES ? "every action" : actionsOfRoles(c.roles).join(", ")}`;
    case "setQuorumRule":
      return (
        `${c.action}: accepted with ${c.acceptsRequired} accept${c.acceptsRequired === 1 ? "" : "s"}` +
        (c.counterpartyConfirms ? " and the receiver's confirmation" : "") +
        `, disputed with ${c.disputesToBlock} dispute${c.disputesToBlock === 1 ? "" : "s"}` +
        (c.counterpartyConfirms ? " or the receiver's refusal" : "")
      );
  }
}

/**
 * A commons' quorum rules in words, one per action its stewards set, then the default for every
 * other action (one accept, one dispute): "work: accepted with 2 accepts, disputed with 1 dispute".
 */
export function quorumRuleLines(c: Pick<CommonsView, "rules">): string[] {
  const lines = c.rules.map((r) => describeChange({ kind: "setQuorumRule", account: "", roles: 0, threshold: 0, ...r }));
  lines.push(`${c.rules.length ? "any other action" : "every action"}: accepted with 1 accept, disputed with 1 dispute`);
  return lines;
}

/**
 * Every commons the events register, as its stewards have set it up. `now` (chain time, seconds)
 * decides which pending proposals have expired.
 */
export function deriveCommons(events: LedgerEvents, now: bigint): CommonsView[] {
  type Building = CommonsView & {
    stewardSet: Set<string>;
    roleMap: Map<string, number>;
    ruleMap: Map<ActionName, { acceptsRequired: number; disputesToBlock: number; counterpartyConfirms: boolean }>;
    /** Registration emits StewardAdded and StewardThresholdSet, which start no epoch. */
    registering: boolean;
  };
  const commons = new Map<string, Building>();
  const proposals = new Map<bigint, ProposalView>();
  for (const e of events.all) {
    const a = e.args;
    if (e.name === "CommonsRegistered") {
      const id = lower(a.commons);
      commons.set(id, {
        id,
        name: String(a.name),
        founder: String(a.founder),
        stewards: [],
        threshold: 1,
        epoch: 0,
        validators: [],
        rules: [],
        proposals: [],
        singleKey: true,
        stewardship: "",
        stewardSet: new Set(),
        roleMap: new Map(),
        ruleMap: new Map(),
        registering: true,
      });
      continue;
    }
    const c = a.commons !== undefined ? commons.get(lower(a.commons)) : undefined;
    switch (e.name) {
      case "StewardAdded":
        if (c) {
          if (!c.registering) c.epoch++;
          c.stewardSet.add(String(a.steward));
        }
        break;
      case "StewardRemoved":
        if (c) {
          c.stewardSet.delete(String(a.steward));
          c.epoch++;
        }
        break;
      case "StewardThresholdSet":
        if (c) {
          if (!c.registering) c.epoch++;
          c.registering = false;
          c.threshold = Number(a.threshold);
        }
        break;
      case "RolesSet":
        if (c) c.roleMap.set(String(a.account), Number(a.roles));
        break;
      case "QuorumRuleSet":
        if (c) {
          c.ruleMap.set(ACTIONS[Number(a.action)], {
            acceptsRequired: Number(a.acceptsRequired),
            disputesToBlock: Number(a.disputesToBlock),
            counterpartyConfirms: Boolean(a.counterpartyConfirms),
          });
        }
        break;
      case "ChangeProposed": {
        const ch = a.change as unknown as {
          kind: bigint;
          account: string;
          roles: bigint;
          threshold: bigint;
          action: bigint;
          acceptsRequired: bigint;
          disputesToBlock: bigint;
          counterpartyConfirms: boolean;
        };
        const change = {
          kind: CHANGE_KINDS[Number(ch.kind)],
          account: String(ch.account),
          roles: Number(ch.roles),
          threshold: Number(ch.threshold),
          action: ACTIONS[Number(ch.action)],
          acceptsRequired: Number(ch.acceptsRequired),
          disputesToBlock: Number(ch.disputesToBlock),
          counterpartyConfirms: Boolean(ch.counterpartyConfirms),
        };
        proposals.set(BigInt(a.proposal as bigint), {
          id: BigInt(a.proposal as bigint),
          commons: lower(a.commons),
          proposer: String(a.proposer),
          ...change,
          epoch: Number(a.epoch),
          expiresAt: BigInt(a.expiresAt as bigint),
          approvers: [],
          status: "pending",
          summary: describeChange(change),
        });
        break;
      }
      case "ChangeApproved": {
        const p = proposals.get(BigInt(a.proposal as bigint));
        if (p) p.approvers.push(String(a.steward));
        break;
      }
      case "ChangeExecuted": {
        const p = proposals.get(BigInt(a.proposal as bigint));
        if (p) p.status = "executed";
        break;
      }
    }
  }
  return [...commons.values()].map((c) =>
    commonsView({
      ...c,
      stewards: [...c.stewardSet],
      roles: [...c.roleMap],
      rules: [...c.ruleMap].map(([action, r]) => ({ action, ...r })),
      proposals: proposalsOf(proposals, c.id),
      now,
    }),
  );
}

/** What is known of a commons from its events, in their order: the one place its view is made (deriveCommons; the indexer's answer). */
export interface CommonsState {
  id: string;
  name: string;
  founder: string;
  threshold: number;
  epoch: number;
  /** Stewards, in the order they (last) became stewards. */
  stewards: string[];
  /** Every account ever given roles, in the order they were first given some, with its roles now (0: none). */
  roles: [string, number][];
  /** Rules, in the order their actions were first set. */
  rules: CommonsView["rules"];
  /** Its proposals in id order, `status` "executed" or (for the rest) "pending". */
  proposals: ProposalView[];
  now: bigint;
}

/** A commons as people read it: validators, proposals' standing (stale after the stewards changed, expired after their time), and who can act alone. */
export function commonsView(c: CommonsState): CommonsView {
  for (const p of c.proposals) {
    if (p.status === "executed") continue;
    p.status = p.epoch !== c.epoch ? "stale" : c.now >= p.expiresAt ? "expired" : "pending";
  }
  return {
    id: c.id,
    name: c.name,
    founder: c.founder,
    stewards: c.stewards,
    threshold: c.threshold,
    epoch: c.epoch,
    validators: c.roles.filter(([, roles]) => roles !== 0).map(([account, roles]) => ({ account, actions: actionsOfRoles(roles) })),
    rules: c.rules,
    proposals: c.proposals,
    singleKey: c.threshold <= 1,
    stewardship: stewardshipSentence(c.stewards.length, c.threshold),
  };
}

function proposalsOf(proposals: Map<bigint, ProposalView>, commons: string): ProposalView[] {
  return [...proposals.values()].filter((p) => p.commons === commons);
}

/** How long a proposal collects approvals, in seconds (the contract's PROPOSAL_TTL). */
export const PROPOSAL_TTL_SECONDS = LIMITS.proposalTtlSeconds;
