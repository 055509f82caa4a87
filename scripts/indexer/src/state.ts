// An indexed entry's state and its share of the accounts: the contract's rule (core/views.ts
// entryStateOf) applied to what the entry row keeps, so the handlers and the API agree by construction.
import { counterpartyOf, decodeUnit } from "../../lib/core/record.js";
import type { LedgerRecord } from "../../lib/core/record.js";
import { entryStateOf, entryTotals, kindOf, periodOf } from "../../lib/core/views.js";
import type { Consent, QuorumRule } from "../../lib/core/views.js";
import { ACTIONS, FLOWS } from "../../lib/core/vocabulary.js";
import type { ActionName, EntryStateName } from "../../lib/core/vocabulary.js";

/** What the state of an entry row depends on. */
export interface EntryRowState {
  flow: number;
  action: number;
  provider: `0x${string}`;
  receiver: `0x${string}`;
  agent: `0x${string}`;
  commons: `0x${string}`;
  unit: `0x${string}`;
  time: bigint;
  quantity: bigint;
  accepts: number;
  disputes: number;
  answer: number;
  correctedBy: bigint;
}

export function consentOf(e: EntryRowState): Consent {
  if (counterpartyOf(e as unknown as LedgerRecord) === null) return "none";
  return e.answer === 0 ? "one-sided" : e.answer === 1 ? "confirmed" : "refused";
}

export function stateOf(e: EntryRowState, rule: QuorumRule): EntryStateName {
  return entryStateOf(
    { accepts: e.accepts, disputes: e.disputes, correctedBy: e.correctedBy, consent: consentOf(e), anchored: e.accepts + e.disputes > 0 || e.answer !== 0 },
    rule,
  );
}

/** One entry's part of the day's accounts. */
export interface Share {
  key: string;
  day: string;
  agent: `0x${string}`;
  commons: `0x${string}`;
  action: number;
  unit: `0x${string}`;
  entries: number;
  claimed: bigint;
  accepted: bigint;
  disputed: bigint;
}

/** What an entry adds to the day's accounts: core/views.ts `entryTotals`, keyed by its day, agent, commons, action and unit. */
export function shareOf(e: EntryRowState, state: EntryStateName, registered: boolean): Share | undefined {
  const totals = entryTotals({ flow: FLOWS[e.flow]!, state, registered }, e.quantity);
  if (!totals) return undefined;
  const day = periodOf(e.time, "day");
  return { key: `${day}|${e.agent}|${e.commons}|${e.action}|${e.unit}`, day, agent: e.agent, commons: e.commons, action: e.action, unit: e.unit, ...totals };
}

/** Where an entry in `state` is counted in the ledger's summary (core/views.ts `stateCounts`). */
export function countOf(e: EntryRowState, state: EntryStateName) {
  const kind = kindOf({ action: ACTIONS[e.action] as ActionName, unit: decodeUnit(e.unit) });
  return { key: `${e.flow}|${kind}|${state}`, flow: e.flow, kind, state };
}

/** Where an entry in `state` is counted among its agent's entries in its commons (core/overview.ts `entryTallies`). */
export function tallyOf(e: EntryRowState, state: EntryStateName) {
  return { key: `${e.commons}|${e.agent}|${e.flow}|${state}`, commons: e.commons, agent: e.agent, flow: e.flow, state };
}
