// Plan signals on the ledger: what a coordinator records when a rolling plan is published. Each
// process's planned output per period is an intent (flow "need", action "produce", side output,
// the process, the output spec and unit, due at the end of the period, evidence the recipe book's
// hash); a new plan supersedes the previous one's intents by corrections, never by edits. Pure and
// browser-safe: it says what to record; the CLI signs and sends it (LedgerClient, `correct` for
// corrections).
//
// The rule: a signal with a standing intent of the same process and due (same spec and unit) keeps
// it when the quantity is the same, corrects it when it differs; a signal without one is a new
// intent. A standing intent the new plan no longer has (or has in another spec or unit) is closed
// by a correction to what is already held by others: the larger of what counted commitments
// promise and what counted events delivered, 0 (a void) when nothing is. An intent is never
// lowered below what is held, so no commitment loses its intent (a void one drops out of the
// needs, and its commitments with it).
import { ZeroHash } from "ethers";
import type { RecordDraft } from "../core/client.js";
import { encodeUnit, formatQuantity, labelId } from "../core/record.js";
import type { NeedView } from "./supply.js";
import { toLedgerMicro } from "./planner.js";
import { HEX_ADDRESS } from "../core/address.js";

/** One process's planned output for one period, as the rolling planner gives it. */
export interface PlanSignal {
  processName: string;
  /** bytes32 process id (labelId of the process run's label). */
  processId: string;
  /** Output resource specification (a label; its labelId is recorded). */
  spec: string;
  unit: string;
  /** Planned output (rounded up to the ledger's 6 decimals). */
  quantity: number;
  /** End of the period by which the output must be available, unix seconds. */
  due: bigint;
  period: number;
}

export interface SignalContext {
  commons: string;
  /** The coordinator's address: the intents' receiver and signer. */
  coordinator: string;
  /** keccak256 of the recipe book file (recorded by a `cite` whose evidence is this hash). */
  bookHash: string;
}

export interface SignalCorrection {
  /** The standing intent to correct (LedgerClient.correct(signer, entryId, draft)). */
  entryId: bigint;
  draft: RecordDraft;
  from: bigint;
  to: bigint;
  /** "changed": the plan asks another quantity; "dropped": the plan no longer has it (closed to what is held). */
  why: "changed" | "dropped";
  signal?: PlanSignal;
}

export interface SignalRecords {
  /** New intents, by due, then process name and id. */
  create: { signal: PlanSignal; draft: RecordDraft }[];
  /** Corrections, by entry id. */
  correct: SignalCorrection[];
  /** Standing intents that stay as they are (signal undefined: not in the plan, but fully held), by entry id. */
  unchanged: { entryId: bigint; signal?: PlanSignal }[];
}

export class SignalInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SignalInputError";
  }
}

/** A planned quantity in the ledger's fixed point, rounded up (as the planner's toLedgerQuantity). */
export function plannedQuantity(value: number): bigint {
  if (!Number.isFinite(value) || value < 0) throw new SignalInputError(`planned quantity ${value} is not a non-negative number`);
  return toLedgerMicro(value);
}

/** What others hold of an intent: the larger of its counted commitments and its counted events, at most its quantity. */
export function heldOf(n: NeedView): bigint {
  const done = n.satisfied > n.quantity ? n.quantity : n.satisfied;
  return n.committed > done ? n.committed : done;
}

const keyOf = (processId: string, due: bigint) => `${processId.toLowerCase()}@${due}`;

/**
 * What to record for a new plan, given the standing plan-signal intents (deriveNeeds) of this
 * coordinator in this commons; intents of others, of other commons, or that are no plan signal are
 * ignored (only an entry's agent may correct it). Deterministic: the same inputs give the same
 * records in the same order.
 */
export function signalRecords(signals: readonly PlanSignal[], standing: readonly NeedView[], ctx: SignalContext): SignalRecords {
  if (!/^0x[0-9a-fA-F]{64}$/.test(ctx.commons)) throw new SignalInputError(`commons "${ctx.commons}" is not a 32-byte hex id`);
  if (!/^0x[0-9a-fA-F]{64}$/.test(ctx.bookHash)) throw new SignalInputError(`book hash "${ctx.bookHash}" is not a 32-byte hex value`);
  if (!HEX_ADDRESS.test(ctx.coordinator)) throw new SignalInputError(`coordinator "${ctx.coordinator}" is not an address`);
  const commons = ctx.commons.toLowerCase();
  const bookHash = ctx.bookHash.toLowerCase();

  const wanted = new Map<string, { signal: PlanSignal; resourceSpec: string; quantity: bigint }>();
  for (const s of signals) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(s.processId) || /^0x0+$/.test(s.processId))
      throw new SignalInputError(`process "${s.processName}": id "${s.processId}" is not a non-zero 32-byte hex id`);
    if (s.due <= 0n) throw new SignalInputError(`process "${s.processName}" period ${s.period}: due ${s.due} is not a time`);
    if (s.spec.length === 0) throw new SignalInputError(`process "${s.processName}": the output spec is empty`);
    try {
      encodeUnit(s.unit);
    } catch (error) {
      throw new SignalInputError(`process "${s.processName}": ${(error as Error).message}`);
    }
    const key = keyOf(s.processId, s.due);
    if (wanted.has(key))
      throw new SignalInputError(
        `process "${s.processName}" has two signals due ${new Date(Number(s.due) * 1000).toISOString()} (periods ${wanted.get(key)!.signal.period} and ${s.period})`,
      );
    wanted.set(key, { signal: s, resourceSpec: labelId(s.spec), quantity: plannedQuantity(s.quantity) });
  }

  const mine = standing
    .filter((n) => n.signal !== undefined && n.commons === commons && n.agent.toLowerCase() === ctx.coordinator.toLowerCase())
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const draftOf = (n: { process: string; resourceSpec: string; unit: string; due: bigint; resource?: string }, quantity: bigint): RecordDraft => ({
    flow: "need",
    action: "produce",
    receiver: ctx.coordinator,
    commons,
    resource: n.resource !== undefined && n.resource !== ZeroHash ? n.resource : undefined,
    resourceSpec: n.resourceSpec,
    process: n.process,
    side: "output",
    quantity: formatQuantity(quantity),
    unit: n.unit,
    time: n.due,
    evidence: bookHash,
  });

  const out: SignalRecords = { create: [], correct: [], unchanged: [] };
  const matched = new Set<string>();
  for (const n of mine) {
    const key = keyOf(n.process, n.due);
    const w = wanted.get(key);
    const held = heldOf(n);
    if (w && !matched.has(key) && w.resourceSpec === n.resourceSpec && w.signal.unit === n.unit) {
      matched.add(key);
      const to = w.quantity > held ? w.quantity : held;
      if (to === n.quantity) out.unchanged.push({ entryId: n.id, signal: w.signal });
      else out.correct.push({ entryId: n.id, draft: draftOf(n, to), from: n.quantity, to, why: "changed", signal: w.signal });
      continue;
    }
    // Not in the new plan (or a second intent for the same process and due, or another spec or unit): close it.
    if (held === n.quantity) out.unchanged.push({ entryId: n.id });
    else out.correct.push({ entryId: n.id, draft: draftOf(n, held), from: n.quantity, to: held, why: "dropped" });
  }
  const fresh = [...wanted.entries()].filter(([key, w]) => !matched.has(key) && w.quantity > 0n).map(([, w]) => w);
  fresh.sort((a, b) =>
    a.signal.due !== b.signal.due
      ? a.signal.due < b.signal.due
        ? -1
        : 1
      : a.signal.processName !== b.signal.processName
        ? a.signal.processName < b.signal.processName
          ? -1
          : 1
        : a.signal.processId.toLowerCase() < b.signal.processId.toLowerCase()
          ? -1
          : 1,
  );
  for (const w of fresh)
    out.create.push({
      signal: w.signal,
      draft: draftOf({ process: w.signal.processId.toLowerCase(), resourceSpec: w.resourceSpec, unit: w.signal.unit, due: w.signal.due }, w.quantity),
    });
  return out;
}
