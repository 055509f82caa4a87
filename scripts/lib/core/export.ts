// Exports of every entry: CSV for spreadsheets, and JSON-LD in the ValueFlows vocabulary (vf:
// terms, om2 units) so that other ValueFlows tools can read the ledger.
import { ZeroAddress, ZeroHash } from "ethers";
import { NO_NAMES } from "./directory.js";
import type { Names } from "./directory.js";
import { formatQuantity } from "./record.js";
import type { EntryView } from "./views.js";

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

const iso = (t: bigint) => new Date(Number(t) * 1000).toISOString();

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
      time: iso(r.time),
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

/** om2 units for the common codes; anything else is described by its symbol. */
const OM2_UNITS: Record<string, string> = {
  h: "om2:hour",
  min: "om2:minute-Time",
  s: "om2:second-Time",
  d: "om2:day",
  kg: "om2:kilogram",
  g: "om2:gram",
  t: "om2:tonne",
  m: "om2:metre",
  cm: "om2:centimetre",
  mm: "om2:millimetre",
  m2: "om2:squareMetre",
  m3: "om2:cubicMetre",
  l: "om2:litre",
  L: "om2:litre",
  kWh: "om2:kilowattHour",
  ea: "om2:one",
  EUR: "om2:Euro",
  USD: "om2:USDollar",
};

export const VF_CONTEXT = {
  vf: "https://w3id.org/valueflows/ont/vf#",
  om2: "http://www.ontology-of-units-of-measure.org/resource/om-2/",
  xsd: "http://www.w3.org/2001/XMLSchema#",
  cl: "https://commons-ledger.org/ns#",
} as const;

export function toJsonLd(views: readonly EntryView[], ctx: { chainId: bigint; ledger: string }): object {
  const entryIri = (id: bigint) => `eip155:${ctx.chainId}:${ctx.ledger}/entry/${id}`;
  const agentIri = (a: string) => `eip155:${ctx.chainId}:${a}`;
  const idIri = (kind: string, id: string) => `cl:${kind}/${id}`;
  const graph = views.map((v) => {
    const r = v.entry.record;
    const type = v.flow === "event" ? "vf:EconomicEvent" : v.flow === "commitment" ? "vf:Commitment" : "vf:Intent";
    const quantity = {
      "@type": "om2:Measure",
      "om2:hasNumericalValue": { "@value": formatQuantity(r.quantity), "@type": "xsd:decimal" },
      "om2:hasUnit": OM2_UNITS[v.unit] ? { "@id": OM2_UNITS[v.unit] } : { "om2:symbol": v.unit },
    };
    const node: Record<string, unknown> = {
      "@id": entryIri(v.id),
      "@type": type,
      "vf:action": { "@id": `vf:${v.action}` },
      [v.action === "work" || v.action === "deliverService" ? "vf:effortQuantity" : "vf:resourceQuantity"]: quantity,
      "vf:inScopeOf": { "@id": idIri("commons", r.commons) },
      [v.flow === "event" ? "vf:hasPointInTime" : "vf:due"]: { "@value": iso(r.time), "@type": "xsd:dateTime" },
      "cl:state": v.state,
      "cl:accepts": v.accepts,
      "cl:disputes": v.disputes,
      "cl:consent": v.consent,
      "cl:signer": { "@id": agentIri(v.entry.signer) },
      "cl:transaction": v.entry.transactionHash,
    };
    if (r.provider !== "0x0000000000000000000000000000000000000000") node["vf:provider"] = { "@id": agentIri(r.provider) };
    if (r.receiver !== "0x0000000000000000000000000000000000000000") node["vf:receiver"] = { "@id": agentIri(r.receiver) };
    if (v.flow === "need") node["cl:intentKind"] = "need";
    if (v.flow === "offer") node["cl:intentKind"] = "offer";
    if (r.resource !== ZeroHash) node["vf:resourceInventoriedAs"] = { "@id": idIri("resource", r.resource) };
    if (r.resourceSpec !== ZeroHash) node["vf:resourceConformsTo"] = { "@id": idIri("spec", r.resourceSpec) };
    if (r.process !== ZeroHash) node[r.side === 2 ? "vf:outputOf" : "vf:inputOf"] = { "@id": idIri("process", r.process) };
    if (r.evidence !== ZeroHash) node["cl:evidence"] = r.evidence;
    if (r.corrects !== 0n) node["vf:corrects"] = { "@id": entryIri(r.corrects) };
    if (r.satisfies !== 0n) node["vf:satisfies"] = { "@id": entryIri(r.satisfies) };
    return node;
  });
  return { "@context": VF_CONTEXT, "@graph": graph };
}
