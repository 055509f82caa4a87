// The contribute form: its fields as typed, and their check into a record, with one specific
// message per field. Uses the same builder and contract checks as the CLI (scripts/lib/core/record.ts).
import { addressProblem } from "@core/address.js";
import { buildRecord, checkRecord, labelId } from "@core/record.js";
import type { LedgerRecord } from "@core/record.js";
import { ACTION_SIDES, ACTIONS, FLOWS, RecordInputError, SIDES } from "@core/vocabulary.js";
import type { ActionName, FlowName, SideName } from "@core/vocabulary.js";
import { EvidenceError, parseEvidence } from "./evidence";

export interface RecordForm {
  flow: string;
  action: string;
  commons: string;
  receiver: string;
  quantity: string;
  unit: string;
  process: string;
  side: string;
  resource: string;
  evidence: string;
  satisfies: string;
  /** When it happened (an event) or is due (an intent): "YYYY-MM-DD HH:MM" or "YYYY-MM-DD", UTC; empty for now. */
  time: string;
  /** The id of one of your entries this one corrects (replaces); empty for a new record. */
  corrects: string;
}

export const EMPTY_FORM: RecordForm = {
  flow: "event",
  action: "work",
  commons: "",
  receiver: "",
  quantity: "",
  unit: "h",
  process: "",
  side: "none",
  resource: "",
  evidence: "",
  satisfies: "",
  time: "",
  corrects: "",
};

export type FieldErrors = Partial<Record<keyof RecordForm | "form", string>>;

export interface FormContext {
  agent: string;
  now: bigint;
  nonce: bigint;
  /** The entry count + 1, when known. */
  nextId?: bigint;
  /** Whether the chosen commons is registered on the Ledger, when read (the Ledger records any id; no view counts an unregistered one). */
  commonsRegistered?: boolean;
  validFor?: bigint;
  /** An earlier entry as the ledger read so far has it (for a correction): its agent and what corrected it. */
  entry?: (id: bigint) => { agent: string; correctedBy: bigint } | undefined;
}

/** A time typed as "YYYY-MM-DD HH:MM" or "YYYY-MM-DD" (UTC), or an ISO 8601 time: unix seconds, or a sentence. */
export function parseWhen(text: string): bigint | { error: string } {
  const t = text.trim();
  const m = /^(\d{4}-\d\d-\d\d)(?:[ T](\d\d:\d\d)(?::(\d\d))?)?(?: ?(?:UTC|Z))?$/.exec(t);
  const ms = m ? Date.parse(`${m[1]}T${m[2] ?? "00:00"}:${m[3] ?? "00"}Z`) : Number.NaN;
  if (!m || Number.isNaN(ms)) return { error: `"${t}" is not a time: write 2026-12-05 14:30 (UTC) or 2026-12-05` };
  return BigInt(ms / 1000);
}

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
/** A bytes32 given as hex, or a label turned into its id (keccak256 of the text). */
const idOrLabel = (text: string) => (text.trim() === "" ? undefined : BYTES32.test(text.trim()) ? text.trim() : labelId(text.trim()));

const FIELD_OF: Record<string, keyof RecordForm | "form"> = {
  flow: "flow",
  action: "action",
  provider: "form",
  receiver: "receiver",
  commons: "commons",
  resource: "resource",
  process: "process",
  side: "side",
  quantity: "quantity",
  unit: "unit",
  time: "time",
  evidence: "evidence",
  corrects: "corrects",
  satisfies: "satisfies",
  deadline: "form",
  nonce: "form",
};

/** The record the form describes, or the first problem of each field. */
export function checkForm(form: RecordForm, ctx: FormContext): { record?: LedgerRecord; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (!(FLOWS as readonly string[]).includes(form.flow)) errors.flow = `unknown flow "${form.flow}"; expected one of: ${FLOWS.join(", ")}`;
  if (!(ACTIONS as readonly string[]).includes(form.action.trim()))
    errors.action = `unknown action "${form.action}"; expected a ValueFlows action: ${ACTIONS.join(", ")}`;
  if (!(SIDES as readonly string[]).includes(form.side)) errors.side = `unknown side "${form.side}"`;
  if (form.commons.trim() === "") errors.commons = "choose the commons this belongs to";
  else if (!BYTES32.test(form.commons.trim())) errors.commons = `"${form.commons}" is not a commons id (0x + 64 hex digits)`;
  else if (ctx.commonsRegistered === false) errors.commons = `commons ${form.commons.trim()} is not registered on this ledger: choose one from the list`;
  const receiverProblem = form.receiver.trim() === "" ? undefined : addressProblem(form.receiver.trim());
  if (receiverProblem) errors.receiver = receiverProblem;
  if (form.quantity.trim() === "") errors.quantity = "enter a quantity, e.g. 3 or 2.5";
  else if (!/^\d+(\.\d+)?$/.test(form.quantity.trim()))
    errors.quantity = `"${form.quantity}" is not a non-negative decimal number (use a dot, no sign or exponent)`;
  if (form.satisfies.trim() !== "" && !/^\d+$/.test(form.satisfies.trim())) errors.satisfies = `"${form.satisfies}" is not an entry id`;
  let time = ctx.now;
  if (form.time.trim() !== "") {
    const when = parseWhen(form.time);
    if (typeof when === "bigint") time = when;
    else errors.time = when.error;
  }
  let corrects: bigint | undefined;
  if (form.corrects.trim() !== "") {
    if (!/^\d+$/.test(form.corrects.trim()) || BigInt(form.corrects.trim()) === 0n) errors.corrects = `"${form.corrects}" is not an entry id (1, 2, ...)`;
    else {
      corrects = BigInt(form.corrects.trim());
      const earlier = ctx.entry?.(corrects);
      if (ctx.entry && !earlier) errors.corrects = `there is no entry #${corrects} in the ledger read so far`;
      else if (earlier && earlier.agent.toLowerCase() !== ctx.agent.toLowerCase())
        errors.corrects = `entry #${corrects} was signed by ${earlier.agent}: only its own agent can correct it`;
      else if (earlier && earlier.correctedBy !== 0n)
        errors.corrects = `entry #${corrects} was already corrected by entry #${earlier.correctedBy}: correct that one instead`;
    }
  }
  let evidence: string | undefined;
  try {
    evidence = parseEvidence(form.evidence);
  } catch (error) {
    errors.evidence = error instanceof EvidenceError ? error.message : String(error);
  }
  if (Object.keys(errors).length > 0) return { errors };
  try {
    const flow = form.flow as FlowName;
    const record = buildRecord({
      flow,
      action: form.action.trim() as ActionName,
      // A need is signed by its receiver; everything else by its provider.
      provider: flow === "need" ? undefined : ctx.agent,
      receiver: flow === "need" ? ctx.agent : form.receiver.trim() || undefined,
      commons: form.commons.trim(),
      resource: idOrLabel(form.resource),
      process: idOrLabel(form.process),
      side: form.side as SideName,
      quantity: form.quantity.trim(),
      unit: form.unit.trim(),
      time,
      evidence,
      satisfies: form.satisfies.trim() === "" ? undefined : BigInt(form.satisfies.trim()),
      corrects,
      nonce: ctx.nonce,
      deadline: ctx.now + (ctx.validFor ?? 3600n),
    });
    checkRecord(record, { now: ctx.now, nextId: ctx.nextId, allowCorrection: corrects !== undefined });
    return { record, errors };
  } catch (error) {
    if (error instanceof RecordInputError) {
      const field = FIELD_OF[error.field] ?? "form";
      return { errors: { [field]: error.message.replace(/^[^:]+: /, "") } };
    }
    throw error;
  }
}

/** The sides a process allows for an action (for the form's hint). */
export function sidesFor(action: string): readonly string[] {
  return (ACTIONS as readonly string[]).includes(action) ? ACTION_SIDES[action as ActionName] : [];
}
