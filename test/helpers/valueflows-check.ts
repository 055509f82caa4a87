// The check every JSON-LD export passes: expanded by a JSON-LD processor (jsonld, in safe mode, with a
// document loader that fetches nothing), read as RDF (n3), and held against the ValueFlows 1.0 terms
// (test/fixtures/valueflows-1.0-terms.ttl): every vf: class, property and action exists in VF 1.0;
// every property's subject and object have the types its domain and range name; each action carries
// the quantity VF says it carries; every other term is one of ours (cl:) or rdf:type.
import { readFileSync } from "node:fs";
import jsonld from "jsonld";
import { DataFactory, Parser, Store } from "n3";
import type { Quad, Term } from "n3";
import { CL_NAMESPACE, VF_CONTEXT, VF_NAMESPACE } from "../../scripts/lib/core/valueflows-jsonld.js";

const RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDFS = "http://www.w3.org/2000/01/rdf-schema#";
const OWL = "http://www.w3.org/2002/07/owl#";
const XSD = "http://www.w3.org/2001/XMLSchema#";
const NUMERIC = new Set([`${XSD}decimal`, `${XSD}integer`, `${XSD}double`, `${XSD}float`]);
const { namedNode } = DataFactory;

interface Vocabulary {
  classes: Set<string>;
  /** property -> the classes its domain allows (any one of them), and its range (a class or a datatype). */
  properties: Map<string, { domain: string[]; range?: string; datatype: boolean }>;
  /** action -> the VF quantity it carries: effort, resource or both. */
  actions: Map<string, string>;
  individuals: Set<string>;
  superclasses: Map<string, string[]>;
}

let vocabulary: Vocabulary | undefined;

/** The VF 1.0 terms, read once from the fixture. */
export function valueflowsTerms(): Vocabulary {
  if (vocabulary) return vocabulary;
  const store = new Store(new Parser().parse(readFileSync(new URL("../fixtures/valueflows-1.0-terms.ttl", import.meta.url), "utf8")));
  const lists = store.extractLists() as Record<string, Term[]>;
  const objects = (s: Term, p: string) => store.getObjects(s, namedNode(p), null);
  const subjectsOfType = (t: string) => store.getSubjects(namedNode(RDF_TYPE), namedNode(t), null);
  const classes = new Set(subjectsOfType(`${OWL}Class`).map((c) => c.value));
  const superclasses = new Map<string, string[]>();
  for (const c of classes)
    superclasses.set(
      c,
      objects(namedNode(c), `${RDFS}subClassOf`).map((t) => t.value),
    );
  const properties = new Map<string, { domain: string[]; range?: string; datatype: boolean }>();
  for (const kind of ["ObjectProperty", "DatatypeProperty"]) {
    for (const p of subjectsOfType(`${OWL}${kind}`)) {
      const domain = objects(p, `${RDFS}domain`).flatMap((d) =>
        d.termType === "BlankNode" ? objects(d, `${OWL}unionOf`).flatMap((l) => (lists[l.value] ?? []).map((t) => t.value)) : [d.value],
      );
      const range = objects(p, `${RDFS}range`)[0]?.value;
      properties.set(p.value, { domain, range, datatype: kind === "DatatypeProperty" });
    }
  }
  const actions = new Map<string, string>();
  for (const a of subjectsOfType(`${VF_NAMESPACE}Action`))
    actions.set(a.value, objects(a, `${VF_NAMESPACE}eventQuantity`)[0]!.value.slice(VF_NAMESPACE.length));
  const individuals = new Set([...subjectsOfType(`${OWL}NamedIndividual`).map((t) => t.value), ...actions.keys()]);
  vocabulary = { classes, properties, actions, individuals, superclasses };
  return vocabulary;
}

/** Our own terms: every cl: IRI the context defines. */
const OUR_TERMS = new Set(
  Object.values(VF_CONTEXT)
    .map((v) => (typeof v === "string" ? v : typeof v === "object" && "@id" in v ? v["@id"] : ""))
    .filter((v) => v.startsWith("cl:"))
    .map((v) => CL_NAMESPACE + v.slice(3)),
);

const short = (iri: string) =>
  iri.startsWith(VF_NAMESPACE) ? `vf:${iri.slice(VF_NAMESPACE.length)}` : iri.startsWith(CL_NAMESPACE) ? `cl:${iri.slice(CL_NAMESPACE.length)}` : iri;

/** The document's quads, as a JSON-LD processor reads it without fetching anything. */
export async function exportQuads(doc: object): Promise<Quad[]> {
  const documentLoader = (url: string): Promise<never> => Promise.reject(new Error(`the export would need ${url} fetched to be read`));
  const nquads = (await jsonld.toRDF(
    doc as jsonld.JsonLdDocument,
    { format: "application/n-quads", documentLoader, safe: true } as jsonld.Options.ToRdf,
  )) as unknown as string;
  return new Parser({ format: "N-Quads" }).parse(nquads);
}

/** Every way the document departs from ValueFlows 1.0, in a sentence each; none for a faithful export. */
export async function valueflowsProblems(doc: object): Promise<string[]> {
  let quads: Quad[];
  try {
    quads = await exportQuads(doc);
  } catch (e) {
    const details = (e as { details?: { cause?: Error; event?: { message: string; details?: { property?: string } } } }).details;
    const why = details?.cause?.message ?? (details?.event ? `${details.event.message} ("${details.event.details?.property}")` : (e as Error).message);
    return [`a JSON-LD processor cannot read it: ${why}`];
  }
  const vf = valueflowsTerms();
  const types = new Map<string, Set<string>>();
  for (const q of quads)
    if (q.predicate.value === RDF_TYPE) (types.get(q.subject.value) ?? types.set(q.subject.value, new Set()).get(q.subject.value)!).add(q.object.value);
  const isA = (node: string, cls: string): boolean => {
    const seen = [...(types.get(node) ?? [])];
    for (let i = 0; i < seen.length; i++) {
      if (seen[i] === cls) return true;
      for (const s of vf.superclasses.get(seen[i]!) ?? []) if (!seen.includes(s)) seen.push(s);
    }
    return false;
  };
  const problems = new Set<string>();
  const vfTerm = (t: Term, where: string) => {
    if (t.termType !== "NamedNode" || !t.value.startsWith(VF_NAMESPACE)) return;
    if (!vf.classes.has(t.value) && !vf.properties.has(t.value) && !vf.individuals.has(t.value))
      problems.add(`${short(t.value)} (${where}) is not a ValueFlows 1.0 term`);
  };
  for (const q of quads) {
    const p = q.predicate.value;
    vfTerm(q.subject, "as a subject");
    vfTerm(q.object, `as the object of ${short(p)}`);
    if (p === RDF_TYPE) {
      if (q.object.value.startsWith(VF_NAMESPACE) && !vf.classes.has(q.object.value)) problems.add(`${short(q.object.value)} is not a ValueFlows 1.0 class`);
      continue;
    }
    if (p.startsWith(CL_NAMESPACE)) {
      if (!OUR_TERMS.has(p)) problems.add(`${short(p)} is not one of our terms`);
      continue;
    }
    const property = vf.properties.get(p);
    if (!property) {
      problems.add(`${short(p)} is neither a ValueFlows 1.0 property nor one of our terms`);
      continue;
    }
    if (property.domain.length > 0 && !property.domain.some((d) => isA(q.subject.value, d)))
      problems.add(
        `${short(p)} on a ${[...(types.get(q.subject.value) ?? ["node without a type"])].map(short).join(", ")}: VF 1.0 allows it on ${property.domain.map(short).join(", ")}`,
      );
    if (property.range && q.object.termType === "Literal") {
      const datatype = q.object.datatype.value;
      const fits = property.range.endsWith("#numericUnion") ? NUMERIC.has(datatype) : datatype === property.range;
      if (!fits) problems.add(`${short(p)} has a ${short(datatype)} value "${q.object.value}"; VF 1.0 wants ${short(property.range)}`);
      if (datatype === `${XSD}dateTimeStamp` && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(q.object.value))
        problems.add(`${short(p)} "${q.object.value}" is not a date and time with its time zone`);
    } else if (
      property.range &&
      vf.classes.has(property.range) &&
      !isA(q.object.value, property.range) &&
      !(property.range === `${VF_NAMESPACE}Action` && vf.actions.has(q.object.value))
    ) {
      problems.add(`${short(p)} points to ${short(q.object.value)}, which is not a ${short(property.range)}`);
    }
    if (p === `${VF_NAMESPACE}action`) {
      const carries = vf.actions.get(q.object.value);
      if (carries === undefined) problems.add(`${short(q.object.value)} is not a ValueFlows 1.0 action`);
      for (const quantity of ["effort", "resource"]) {
        const has = quads.some((o) => o.subject.value === q.subject.value && o.predicate.value === `${VF_NAMESPACE}${quantity}Quantity`);
        if (has && carries !== undefined && carries !== "both" && carries !== quantity)
          problems.add(`a ${short(q.object.value)} flow carries vf:${quantity}Quantity; VF 1.0 gives it vf:${carries}Quantity`);
      }
    }
  }
  return [...problems];
}
