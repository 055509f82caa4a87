// ValueFlows vocabulary as the Ledger contract encodes it (codes are stable; append only).

export const FLOWS = ["event", "need", "offer", "commitment"] as const;
export type FlowName = (typeof FLOWS)[number];

export const ACTIONS = [
  "work",
  "cite",
  "use",
  "consume",
  "produce",
  "transfer",
  "transferCustody",
  "transferAllRights",
  "deliverService",
  "accept",
  "modify",
  "combine",
  "separate",
  "pickup",
  "dropoff",
  "move",
  "raise",
  "lower",
  "copy",
] as const;
export type ActionName = (typeof ACTIONS)[number];

export const SIDES = ["none", "input", "output"] as const;
export type SideName = (typeof SIDES)[number];

/** Accept and dispute are a peer's verdict; confirm and refuse the answer of the entry's counterparty. */
export const VERDICTS = ["accept", "dispute", "confirm", "refuse"] as const;
export type VerdictName = (typeof VERDICTS)[number];
/** A peer's verdict (a vote when the peer is appointed). */
export type PeerVerdictName = "accept" | "dispute";
/** Whether a verdict code is the counterparty's answer (confirm or refuse) rather than a peer's verdict. */
export function isAnswer(verdict: number | VerdictName): boolean {
  return typeof verdict === "number" ? verdict >= 2 : verdict === "confirm" || verdict === "refuse";
}

export const ENTRY_STATES = ["claimed", "accepted", "disputed", "corrected"] as const;
export type EntryStateName = (typeof ENTRY_STATES)[number];

/** What a steward may propose for a commons (ILedger.ChangeKind). */
export const CHANGE_KINDS = ["addSteward", "removeSteward", "setThreshold", "setRoles", "setQuorumRule"] as const;
export type ChangeKindName = (typeof CHANGE_KINDS)[number];

/** Every validator role: one bit per action code (Ledger.ALL_ROLES). */
export const ALL_ROLES = (1 << ACTIONS.length) - 1;

/** The roles bitmask of a list of actions (bit a: action a). */
export function rolesOf(actions: readonly ActionName[]): number {
  return actions.reduce((mask, a) => mask | (1 << ACTIONS.indexOf(a)), 0);
}

/** The actions a roles bitmask names, in code order. */
export function actionsOfRoles(roles: number): ActionName[] {
  return ACTIONS.filter((_, i) => ((roles >>> i) & 1) === 1);
}

/** Sides each action allows when it belongs to a process (ValueFlows `inputOutput`). */
export const ACTION_SIDES: Record<ActionName, readonly ("input" | "output")[]> = {
  work: ["input"],
  cite: ["input"],
  use: ["input"],
  consume: ["input"],
  produce: ["output"],
  transfer: [],
  transferCustody: [],
  transferAllRights: [],
  deliverService: ["input", "output"],
  accept: ["input"],
  modify: ["output"],
  combine: ["input"],
  separate: ["output"],
  pickup: ["input"],
  dropoff: ["output"],
  move: [],
  raise: [],
  lower: [],
  copy: ["output"],
};

/** Fixed-point decimals of a record's quantity. */
export const QUANTITY_DECIMALS = 6;

/** Contract limits, mirrored so that input is rejected before any RPC call. */
export const LIMITS = {
  maxBatch: 150,
  checkpointInterval: 64,
  /** Appointed validators per commons whose marks share a slot with the entry's tallies (Ledger.ROSTER_SEATS). */
  rosterSeats: 224,
  maxValiditySeconds: 30 * 24 * 3600,
  maxClockSkewSeconds: 15 * 60,
  maxQuantity: (1n << 128n) - 1n,
  maxUint64: (1n << 64n) - 1n,
  /** How long a steward proposal collects approvals (Ledger.PROPOSAL_TTL). */
  proposalTtlSeconds: 30 * 24 * 3600,
} as const;

export function codeOf<T extends readonly string[]>(list: T, name: string, what: string): number {
  const i = list.indexOf(name);
  if (i < 0) throw new RecordInputError(what, `unknown ${what} "${name}"; expected one of: ${list.join(", ")}`);
  return i;
}

export function nameOf<T extends readonly string[]>(list: T, code: number | bigint, what: string): T[number] {
  const name = list[Number(code)];
  if (name === undefined) throw new RecordInputError(what, `unknown ${what} code ${code}`);
  return name;
}

/** A bad input, named by the field it concerns; thrown before anything touches the chain. */
export class RecordInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "RecordInputError";
  }
}
