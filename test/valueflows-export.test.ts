// The JSON-LD export against ValueFlows 1.0: every term, domain, range and action (helpers/valueflows-check.ts),
// on hand-built and random ledgers; and the check itself, shown to catch each kind of departure.
import { expect } from "chai";
import { ZeroAddress } from "ethers";
import { namesFrom } from "../scripts/lib/core/directory.js";
import { labelId } from "../scripts/lib/core/record.js";
import { toJsonLd, VF_CONTEXT, VF_NAMESPACE } from "../scripts/lib/core/valueflows-jsonld.js";
import { ACTIONS, ACTION_SIDES } from "../scripts/lib/core/vocabulary.js";
import { ALICE, BOB, CAROL, COMMONS, HandLedger } from "./helpers/hand-ledger.js";
import type { Draft } from "./helpers/hand-ledger.js";
import { Prng } from "./helpers/random.js";
import { exportQuads, valueflowsProblems, valueflowsTerms } from "./helpers/valueflows-check.js";

const LEDGER = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const names = namesFrom(
  [
    { agent: ALICE, kind: 0, name: "Alice", nonce: 0n },
    { agent: BOB, kind: 1, name: "Fabrica Cooperative", nonce: 0n },
  ],
  [{ commons: COMMONS, name: "Sensorica lab" }],
);
const LABELS = new Map(["kit", "filament", "print run", "sensor kit spec"].map((l) => [labelId(l), l]));
const exportOf = (l: HandLedger) => toJsonLd(l.views(), { chainId: 31337n, ledger: LEDGER, names, label: (id) => LABELS.get(id) });
const VF = (t: string) => VF_NAMESPACE + t;

/** A ledger with every action as an event, needs, offers, commitments, fulfilment, corrections and a process. */
function everyKindOfEntry(): HandLedger {
  const l = new HandLedger();
  for (const action of ACTIONS) {
    const side = ACTION_SIDES[action][0];
    l.add({
      action,
      receiver: action === "deliverService" || action.startsWith("transfer") ? BOB : undefined,
      ...(side ? { process: "print run", side } : {}),
      resource: "kit",
    });
  }
  const need = l.add({ action: "transfer", flow: "need", provider: undefined, receiver: BOB, resource: "filament", quantity: "20", unit: "kg" });
  const offer = l.add({ action: "use", flow: "offer", unit: "h" });
  const promise = l.add({ action: "transfer", flow: "commitment", receiver: BOB, satisfies: need, quantity: "5", unit: "kg", spec: "sensor kit spec" });
  l.add({ action: "transfer", receiver: BOB, satisfies: promise, quantity: "5", unit: "kg" });
  l.add({ action: "use", receiver: BOB, satisfies: offer, quantity: "2", unit: "h" });
  const wrong = l.add({ action: "work", quantity: "30", unit: "h" });
  l.add({ action: "work", corrects: wrong, quantity: "3", unit: "h" });
  const replaced = l.add({ action: "transfer", flow: "need", provider: undefined, receiver: BOB, quantity: "3", unit: "ea" });
  l.add({ action: "transfer", flow: "need", provider: undefined, receiver: BOB, corrects: replaced, quantity: "4", unit: "ea" });
  l.add({ action: "work", flow: "commitment", satisfies: promise, quantity: "1", unit: "h" });
  l.add({ action: "transfer", receiver: BOB, quantity: "250", unit: "EUR" });
  l.add({ action: "transfer", receiver: CAROL, quantity: "1.5", unit: "bag" });
  l.dispute(1n);
  return l;
}

describe("toJsonLd (ValueFlows 1.0 JSON-LD)", () => {
  describe("on a ledger with every kind of entry", () => {
    it("is read by a JSON-LD processor without fetching anything, and every term, domain, range and action is VF 1.0", async () => {
      const doc = exportOf(everyKindOfEntry());
      expect(await valueflowsProblems(doc)).to.deep.equal([]);
    });

    it("gives back each entry's action, quantity, unit, agents and time as RDF", async () => {
      const l = everyKindOfEntry();
      const quads = await exportQuads(exportOf(l));
      const objectOf = (s: string, p: string) => quads.filter((q) => q.subject.value === s && q.predicate.value === p).map((q) => q.object.value);
      for (const v of l.views()) {
        const entry = `eip155:31337:${LEDGER}/entry/${v.id}`;
        expect(objectOf(entry, VF("action")), `entry ${v.id}`).to.deep.equal([VF(v.action)]);
        const [measure] = [...objectOf(entry, VF("effortQuantity")), ...objectOf(entry, VF("resourceQuantity"))];
        expect(objectOf(measure!, VF("hasNumericalValue"))).to.have.length(1);
        const [unit] = objectOf(measure!, VF("hasUnit"));
        expect(objectOf(unit!, VF("symbol"))).to.deep.equal([v.unit]);
        const when = objectOf(entry, VF(v.flow === "event" ? "hasPointInTime" : "due"));
        expect(when).to.deep.equal([new Date(Number(v.entry.record.time) * 1000).toISOString()]);
        if (v.entry.record.provider !== ZeroAddress) expect(objectOf(entry, VF("provider"))).to.deep.equal([`eip155:31337:${v.entry.record.provider}`]);
      }
    });

    it("names agents (a person, an organisation), the commons, resources, specifications and processes", async () => {
      const quads = await exportQuads(exportOf(everyKindOfEntry()));
      const nameOf = (s: string) => quads.find((q) => q.subject.value === s && q.predicate.value === VF("name"))?.object.value;
      const typesOf = (s: string) => quads.filter((q) => q.subject.value === s && q.predicate.value.endsWith("#type")).map((q) => q.object.value);
      expect(nameOf(`eip155:31337:${ALICE}`)).to.equal("Alice");
      expect(typesOf(`eip155:31337:${ALICE}`)).to.deep.equal([VF("Person")]);
      expect(typesOf(`eip155:31337:${BOB}`)).to.deep.equal([VF("Organization")]);
      expect(typesOf(`eip155:31337:${CAROL}`)).to.deep.equal([VF("Agent")]);
      expect(nameOf(`eip155:31337:${LEDGER}/commons/${COMMONS}`)).to.equal("Sensorica lab");
      expect(nameOf(`eip155:31337:${LEDGER}/resource/${labelId("kit")}`)).to.equal("kit");
      expect(nameOf(`eip155:31337:${LEDGER}/process/${labelId("print run")}`)).to.equal("print run");
      expect(nameOf(`eip155:31337:${LEDGER}/spec/${labelId("sensor kit spec")}`)).to.equal("sensor kit spec");
    });

    it("links an event to the commitment it fulfils and to the intent it satisfies, and a commitment to its need", () => {
      const doc = exportOf(everyKindOfEntry());
      const byId = new Map(doc["@graph"].map((n) => [n["entryId"], n]));
      // Ids: 19 actions, then need 20, offer 21, commitment 22 (satisfies 20), event 23 (fulfils 22), event 24 (satisfies 21).
      expect(byId.get("22")!["satisfies"]).to.match(/\/entry\/20$/);
      expect(byId.get("23")!["fulfills"]).to.match(/\/entry\/22$/);
      expect(byId.get("24")!["satisfies"]).to.match(/\/entry\/21$/);
      // An event corrects an event (vf:corrects); a need replacing a need says so in our term.
      expect(byId.get("26")!["corrects"]).to.match(/\/entry\/25$/);
      expect(byId.get("28")!["correctsEntry"]).to.match(/\/entry\/27$/);
      // A commitment to a commitment is ours too (VF's satisfies points to an intent).
      expect(byId.get("29")!["satisfiesEntry"]).to.match(/\/entry\/22$/);
    });

    it("gives om2 units their om2 identifier and any other unit a unit of the ledger's own", () => {
      const graph = exportOf(everyKindOfEntry())["@graph"];
      expect(graph.find((n) => n["@id"] === "om2:Euro")).to.include({ "@type": "Unit", symbol: "EUR", label: "euros" });
      expect(graph.find((n) => n["symbol"] === "bag")).to.deep.include({ "@id": `eip155:31337:${LEDGER}/unit/bag`, "@type": "Unit" });
    });
  });

  describe("on random ledgers", () => {
    it("is VF 1.0 for 30 random ledgers of up to 40 entries (actions, flows, links, corrections, units)", async () => {
      const flows = ["event", "need", "offer", "commitment"] as const;
      const units = ["h", "kg", "ea", "EUR", "widgets", "kWh"];
      let entries = 0;
      for (let seed = 1n; seed <= 30n; seed++) {
        const rng = new Prng(seed);
        const l = new HandLedger();
        const pick = <T>(xs: readonly T[]) => xs[rng.below(xs.length)]!;
        for (let i = 0; i < 5 + rng.below(36); i++) {
          const action = pick(ACTIONS);
          const flow = pick(flows);
          const count = l.events.entries.length;
          const side = ACTION_SIDES[action].length > 0 && rng.below(2) === 0 ? pick(ACTION_SIDES[action]) : undefined;
          const draft: Draft = {
            action,
            flow,
            provider: flow === "need" ? undefined : pick([ALICE, BOB, CAROL]),
            receiver: flow === "need" || rng.below(2) === 0 ? pick([ALICE, BOB, CAROL]) : undefined,
            unit: pick(units),
            quantity: String(1 + rng.below(1000)),
            ...(side ? { process: pick(["print run", "assembly"]), side } : {}),
            ...(rng.below(3) === 0 ? { resource: pick(["kit", "filament"]) } : {}),
            ...(rng.below(4) === 0 ? { spec: "sensor kit spec" } : {}),
            ...(count > 0 && rng.below(3) === 0 ? { satisfies: BigInt(1 + rng.below(count)) } : {}),
          };
          try {
            l.add(draft);
          } catch {
            continue; // a record the contract would refuse too (e.g. a need with a provider)
          }
        }
        entries += l.events.entries.length;
        expect(await valueflowsProblems(exportOf(l)), `seed ${seed}`).to.deep.equal([]);
      }
      expect(entries).to.be.greaterThan(300);
    });
  });

  describe("the VF 1.0 check itself", () => {
    const l = new HandLedger();
    l.add({ action: "work", quantity: "2", unit: "h" });
    l.add({ action: "transfer", receiver: BOB, quantity: "5", unit: "kg" });
    const base = () => exportOf(l) as unknown as { "@context": Record<string, unknown>; "@graph": Record<string, unknown>[] };

    it("passes the unaltered export", async () => {
      expect(await valueflowsProblems(base())).to.deep.equal([]);
    });

    const cases: [string, (d: ReturnType<typeof base>) => void, RegExp][] = [
      ["a term VF 1.0 does not have", (d) => (d["@graph"][0]!["vf:hoursLogged"] = "2"), /vf:hoursLogged is neither a ValueFlows 1.0 property/],
      ["a class VF 1.0 does not have", (d) => (d["@graph"][0]!["@type"] = "vf:WorkLog"), /vf:WorkLog is not a ValueFlows 1.0 class/],
      ["an action VF 1.0 does not have", (d) => (d["@graph"][0]!["action"] = "vf:paint"), /vf:paint .*is not a ValueFlows 1.0 term/],
      [
        "a property outside its domain (vf:inScopeOf on an event)",
        (d) => (d["@graph"][0]!["vf:inScopeOf"] = { "@id": "eip155:1:0x1" }),
        /vf:inScopeOf on a vf:EconomicEvent: VF 1.0 allows it on vf:Process/,
      ],
      [
        "a link to the wrong kind of node (fulfils an event)",
        (d) => (d["@graph"][1]!["fulfills"] = d["@graph"][0]!["@id"]),
        /vf:fulfills points to .*entry\/1, which is not a vf:Commitment/,
      ],
      [
        "effort on a transfer",
        (d) => ((d["@graph"][1]!["effortQuantity"] = d["@graph"][1]!["resourceQuantity"]), delete d["@graph"][1]!["resourceQuantity"]),
        /a vf:transfer flow carries vf:effortQuantity; VF 1.0 gives it vf:resourceQuantity/,
      ],
      [
        "a time without its zone",
        (d) => (d["@graph"][0]!["hasPointInTime"] = "2026-12-05T10:00:00"),
        /"2026-12-05T10:00:00" is not a date and time with its time zone/,
      ],
      [
        "a key the context does not define (dropped silently without safe mode)",
        (d) => (d["@graph"][0]!["hours"] = 2),
        /cannot read it: Dropping property that did not expand into an absolute IRI or keyword. \("hours"\)/,
      ],
      [
        "a context it would have to fetch",
        (d) => (d["@context"] = "https://example.org/context.jsonld" as never),
        /would need https:\/\/example.org\/context.jsonld fetched/,
      ],
      ["a cl: term we never defined", (d) => (d["@graph"][0]!["cl:mood"] = "happy"), /cl:mood is not one of our terms/],
    ];
    for (const [what, alter, problem] of cases) {
      it(`finds ${what}`, async () => {
        const doc = base();
        alter(doc);
        expect((await valueflowsProblems(doc)).join("\n")).to.match(problem);
      });
    }

    it("reads all 19 VF 1.0 actions (ours are the same 19) and the classes and properties our context uses", () => {
      const terms = valueflowsTerms();
      expect([...terms.actions.keys()].map((a) => a.slice(VF_NAMESPACE.length)).sort()).to.deep.equal([...ACTIONS].sort());
      for (const v of Object.values(VF_CONTEXT)) {
        const iri = typeof v === "string" ? v : typeof v === "object" ? v["@id"] : "";
        if (!iri.startsWith("vf:")) continue;
        const full = VF(iri.slice(3));
        expect(terms.classes.has(full) || terms.properties.has(full) || terms.actions.has(full), iri).to.equal(true);
      }
    });
  });
});
