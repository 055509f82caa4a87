// Every entry as CSV for spreadsheets, with names and units in words beside the raw values (the
// ValueFlows JSON-LD export is valueflows-jsonld.ts).
import { ZeroAddress, ZeroHash } from "ethers";
import { NO_NAMES } from "./directory.js";
import type { Names } from "./directory.js";
import { formatQuantity } from "./record.js";
import type { EntryView } from "./views.js";
import { isoTime } from "./time.js";

/** Every column of the CSV: the raw values, each name or label beside what it names, and the unit in words. */
export const CSV_COLUMNS = [
  "id",
  "flow",
  "action",
  "agent",
  "agentName",
  "provider",
  "providerName",
  "receiver",
  "receiverName",
  "commons",
  "commonsName",
  "resource",
  "resourceLabel",
  "resourceSpec",
  "resourceSpecLabel",
  "process",
  "processLabel",
  "side",
  "quantity",
  "unit",
  "unitName",
  "time",
  "evidence",
  "corrects",
  "satisfies",
  "state",
  "accepts",
  "disputes",
  "correctedBy",
  "consent",
  "block",
  "transaction",
] as const;

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Every entry as CSV for a spreadsheet: the raw values (addresses, ids, the unit code) and beside
 * them what people read: agents' and commons' names (`names`), the labels of resources, specs and
 * processes (`label`), and the unit in words.
 */
export function toCsv(views: readonly EntryView[], o: { names?: Names; label?: (id: string) => string | undefined } = {}): string {
  const names = o.names ?? NO_NAMES;
  const agentName = (a: string) => (a === ZeroAddress ? "" : (names.agent(a)?.name ?? ""));
  const label = (id: string) => (id === ZeroHash ? "" : (o.label?.(id) ?? ""));
  const lines = [CSV_COLUMNS.join(",")];
  for (const v of views) {
    const r = v.entry.record;
    const row: Record<(typeof CSV_COLUMNS)[number], string> = {
      id: String(v.id),
      flow: v.flow,
      action: v.action,
      agent: v.agent,
      agentName: agentName(v.agent),
      provider: r.provider,
      providerName: agentName(r.provider),
      receiver: r.receiver,
      receiverName: agentName(r.receiver),
      commons: r.commons,
      commonsName: names.commons(r.commons) ?? "",
      resource: r.resource,
      resourceLabel: label(r.resource),
      resourceSpec: r.resourceSpec,
      resourceSpecLabel: label(r.resourceSpec),
      process: r.process,
      processLabel: label(r.process),
      side: ["none", "input", "output"][r.side],
      quantity: formatQuantity(r.quantity),
      unit: v.unit,
      unitName: unitName(v.unit),
      time: isoTime(r.time),
      evidence: r.evidence,
      corrects: String(r.corrects),
      satisfies: String(r.satisfies),
      state: v.state,
      accepts: String(v.accepts),
      disputes: String(v.disputes),
      correctedBy: String(v.correctedBy),
      consent: v.consent,
      block: String(v.entry.blockNumber),
      transaction: v.entry.transactionHash,
    };
    lines.push(CSV_COLUMNS.map((c) => csvCell(row[c])).join(","));
  }
  return lines.join("\n") + "\n";
}

/** Units in words for the common codes (a spreadsheet's reader need not know "ea" or "kWh"). */
const UNIT_NAMES: Record<string, string> = {
  h: "hours",
  min: "minutes",
  s: "seconds",
  d: "days",
  kg: "kilograms",
  g: "grams",
  t: "tonnes",
  m: "metres",
  cm: "centimetres",
  mm: "millimetres",
  m2: "square metres",
  m3: "cubic metres",
  l: "litres",
  L: "litres",
  kWh: "kilowatt hours",
  ea: "items (each)",
  EUR: "euros",
  USD: "US dollars",
  GBP: "pounds sterling",
  CHF: "Swiss francs",
  CAD: "Canadian dollars",
  ETH: "ether",
};

/** A unit code in words ("h": "hours"); an unknown code as itself. */
export function unitName(unit: string): string {
  return UNIT_NAMES[unit] ?? unit;
}
