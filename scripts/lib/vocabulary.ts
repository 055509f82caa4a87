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

export const VERDICTS = ["accept", "dispute"] as const;
export type VerdictName = (typeof VERDICTS)[number];

export const ENTRY_STATES = ["claimed", "accepted", "disputed", "corrected"] as const;
export type EntryStateName = (typeof ENTRY_STATES)[number];

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
  checkpointInterval: 128,
  maxValiditySeconds: 30 * 24 * 3600,
  maxClockSkewSeconds: 15 * 60,
  maxQuantity: (1n << 128n) - 1n,
  maxUint64: (1n << 64n) - 1n,
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
