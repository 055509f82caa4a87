// Every entry as JSON-LD in the ValueFlows 1.0 vocabulary, with a compact context of our own (VF
// publishes none): entries as vf:EconomicEvent, vf:Commitment or vf:Intent; the agents, commons,
// resources, specifications, processes and units they name as nodes of their own, with their names.
// What VF has no term for (the entry's state, validations, signer, transaction) is in our cl: terms.
// test/valueflows-export.test.ts expands every export with a JSON-LD processor and checks each vf:
// term, its domain and range, and each action against the VF 1.0 vocabulary.
import { ZeroAddress, ZeroHash } from "ethers";
import { NO_NAMES } from "./directory.js";
import type { Names } from "./directory.js";
import { unitName } from "./export.js";
import { formatQuantity } from "./record.js";
import { ACTIONS } from "./vocabulary.js";
import type { ActionName } from "./vocabulary.js";
import type { EntryView } from "./views.js";
import { isoTime } from "./time.js";

export const VF_NAMESPACE = "https://w3id.org/valueflows/ont/vf#";
export const CL_NAMESPACE = "https://commons-ledger.org/ns#";
const OM2 = "http://www.ontology-of-units-of-measure.org/resource/om-2/";

/** om2 units for the common codes; any other unit is a vf:Unit of the ledger's own, named by its code. */
const OM2_UNITS: Record<string, string> = {
  h: "hour",
  min: "minute-Time",
  s: "second-Time",
  d: "day",
  kg: "kilogram",
  g: "gram",
  t: "tonne",
  m: "metre",
  cm: "centimetre",
  mm: "millimetre",
  m2: "squareMetre",
  m3: "cubicMetre",
  l: "litre",
  L: "litre",
  kWh: "kilowattHour",
  ea: "one",
  EUR: "Euro",
  USD: "USDollar",
};

const id = (term: string) => ({ "@id": term, "@type": "@id" });
const typed = (term: string, type: string) => ({ "@id": term, "@type": type });

/**
 * The compact context every export carries inline (no fetch needed to read it): VF classes and
 * properties by their VF names, each action by its name, and our cl: terms for what VF does not cover.
 */
export const VF_CONTEXT = {
  "@version": 1.1,
  vf: VF_NAMESPACE,
  cl: CL_NAMESPACE,
  om2: OM2,
  xsd: "http://www.w3.org/2001/XMLSchema#",
  EconomicEvent: "vf:EconomicEvent",
  Commitment: "vf:Commitment",
  Intent: "vf:Intent",
  EconomicResource: "vf:EconomicResource",
  ResourceSpecification: "vf:ResourceSpecification",
  Process: "vf:Process",
  Agent: "vf:Agent",
  Person: "vf:Person",
  Organization: "vf:Organization",
  Measure: "vf:Measure",
  Unit: "vf:Unit",
  action: { "@id": "vf:action", "@type": "@vocab" },
  ...Object.fromEntries(ACTIONS.map((a) => [a, `vf:${a}`])),
  provider: id("vf:provider"),
  receiver: id("vf:receiver"),
  resourceQuantity: "vf:resourceQuantity",
  effortQuantity: "vf:effortQuantity",
  hasNumericalValue: typed("vf:hasNumericalValue", "xsd:decimal"),
  hasUnit: id("vf:hasUnit"),
  label: "vf:label",
  symbol: "vf:symbol",
  omUnitIdentifier: typed("vf:omUnitIdentifier", "xsd:anyURI"),
  name: "vf:name",
  hasPointInTime: typed("vf:hasPointInTime", "xsd:dateTimeStamp"),
  due: typed("vf:due", "xsd:dateTimeStamp"),
  resourceInventoriedAs: id("vf:resourceInventoriedAs"),
  resourceConformsTo: id("vf:resourceConformsTo"),
  inputOf: id("vf:inputOf"),
  outputOf: id("vf:outputOf"),
  inScopeOf: id("vf:inScopeOf"),
  corrects: id("vf:corrects"),
  satisfies: id("vf:satisfies"),
  fulfills: id("vf:fulfills"),
  commons: id("cl:commons"),
  entryId: typed("cl:entryId", "xsd:integer"),
  intentKind: "cl:intentKind",
  entryState: "cl:entryState",
  accepts: typed("cl:accepts", "xsd:integer"),
  disputes: typed("cl:disputes", "xsd:integer"),
  consent: "cl:consent",
  signer: id("cl:signer"),
  transaction: "cl:transaction",
  evidence: "cl:evidence",
  correctsEntry: id("cl:correctsEntry"),
  satisfiesEntry: id("cl:satisfiesEntry"),
  kind: "cl:agentKind",
} as const;

/**
 * Which VF quantity an action's amount is (VF 1.0's `eventQuantity`): effort for work and for the
 * use of equipment (measured in time), the resource's own quantity for everything else.
 */
export function quantityTerm(action: ActionName): "effortQuantity" | "resourceQuantity" {
  return action === "work" || action === "use" ? "effortQuantity" : "resourceQuantity";
}

const AGENT_TYPES = { person: "Person", organisation: "Organization", project: "Organization" } as const;

type Node = Record<string, unknown>;

/**
 * Every entry as a JSON-LD document: one node per entry and one per agent, commons, resource,
 * specification, process and unit it names. `names` gives agents' and commons' names (vf:name) and
 * kinds; `label` the labels of resources, specifications and processes.
 */
export function toJsonLd(
  views: readonly EntryView[],
  ctx: { chainId: bigint; ledger: string; names?: Names; label?: (id: string) => string | undefined },
): { "@context": typeof VF_CONTEXT; "@graph": Node[] } {
  const names = ctx.names ?? NO_NAMES;
  const base = `eip155:${ctx.chainId}:${ctx.ledger}/`;
  const agentIri = (a: string) => `eip155:${ctx.chainId}:${a}`;
  const entryIri = (n: bigint) => `${base}entry/${n}`;
  const flowOf = new Map(views.map((v) => [v.id, v.flow]));
  const others = new Map<string, Node>();
  const named = (iri: string, type: string, name: string | undefined, more: Node = {}): string => {
    if (!others.has(iri)) others.set(iri, { "@id": iri, "@type": type, ...(name ? { name } : {}), ...more });
    return iri;
  };
  const agent = (a: string) => {
    const n = names.agent(a);
    return named(agentIri(a), n ? AGENT_TYPES[n.kind] : "Agent", n?.name, n ? { kind: n.kind } : {});
  };
  const commons = (c: string) => named(`${base}commons/${c}`, "Organization", names.commons(c));
  const labelled = (kind: string, type: string, key: string, more: Node = {}) => named(`${base}${kind}/${key}`, type, ctx.label?.(key), more);
  const unit = (code: string) => {
    const om = OM2_UNITS[code];
    const iri = om ? `om2:${om}` : `${base}unit/${encodeURIComponent(code)}`;
    return named(iri, "Unit", undefined, { label: unitName(code), symbol: code, ...(om ? { omUnitIdentifier: `${OM2}${om}` } : {}) });
  };

  const entries = views.map((v) => {
    const r = v.entry.record;
    const event = v.flow === "event";
    const node: Node = {
      "@id": entryIri(v.id),
      "@type": event ? "EconomicEvent" : v.flow === "commitment" ? "Commitment" : "Intent",
      entryId: String(v.id),
      action: v.action,
      [quantityTerm(v.action)]: { "@type": "Measure", hasNumericalValue: formatQuantity(r.quantity), hasUnit: unit(v.unit) },
      [event ? "hasPointInTime" : "due"]: isoTime(r.time),
      commons: commons(r.commons),
      entryState: v.state,
      accepts: String(v.accepts),
      disputes: String(v.disputes),
      consent: v.consent,
      signer: agent(v.entry.signer),
      transaction: v.entry.transactionHash,
    };
    if (v.flow === "need" || v.flow === "offer") node.intentKind = v.flow;
    if (r.provider !== ZeroAddress) node.provider = agent(r.provider);
    if (r.receiver !== ZeroAddress) node.receiver = agent(r.receiver);
    if (r.resource !== ZeroHash) node.resourceInventoriedAs = labelled("resource", "EconomicResource", r.resource);
    if (r.resourceSpec !== ZeroHash) node.resourceConformsTo = labelled("spec", "ResourceSpecification", r.resourceSpec);
    if (r.process !== ZeroHash) {
      const process = labelled("process", "Process", r.process, { inScopeOf: commons(r.commons) });
      node[r.side === 2 ? "outputOf" : "inputOf"] = process;
    }
    if (r.evidence !== ZeroHash) node.evidence = r.evidence;
    if (r.corrects !== 0n) {
      // vf:corrects relates events only; a need or commitment replaced by a newer one says so in our term.
      node[event && flowOf.get(r.corrects) === "event" ? "corrects" : "correctsEntry"] = entryIri(r.corrects);
    }
    if (r.satisfies !== 0n) {
      // VF: an event fulfills a commitment; an event or commitment satisfies an intent (need or offer).
      const target = flowOf.get(r.satisfies);
      const term =
        event && target === "commitment"
          ? "fulfills"
          : (event || v.flow === "commitment") && (target === "need" || target === "offer")
            ? "satisfies"
            : "satisfiesEntry";
      node[term] = entryIri(r.satisfies);
    }
    return node;
  });
  return { "@context": VF_CONTEXT, "@graph": [...entries, ...others.values()] };
}
