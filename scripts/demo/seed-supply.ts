// The open-hardware supply chain that `npm start` seeds after the demo commons: recycled PLA
// filament -> printed enclosure parts -> assembled open sensor kit (designs cited, the 3D printer
// used, work recorded), the kit transferred to a field team, needs (some met in part), and the
// recipe book scripts/demo/recipes.json whose hash is recorded as the evidence of a cite. Labels
// of every id go to data/labels.json so that trace, track and needs can show names.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { id } from "ethers";
import type { HDNodeWallet, Provider } from "ethers";
import { LedgerClient } from "../lib/core/client.js";
import type { RecordDraft, SignedRecord } from "../lib/core/client.js";
import { parseRecipes } from "../lib/supply/planner.js";
import { labelId } from "../lib/core/record.js";
import { DEMO_PEOPLE, devWallet } from "./seed.js";
import type { DemoPerson, SeedResult } from "./seed.js";

export const RECIPES_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "recipes.json");

/** Every label the demo uses (resources, specs, processes), so that ids can be named. */
export const SUPPLY_LABELS = {
  pet: "PET bottle flakes (sorted, washed)",
  filamentSpec: "PLA filament 1.75 mm",
  filament: "filament lot 2026-11 #1 (recycled PLA)",
  extrude: "process: extrude recycled filament, lot 2026-11 #1",
  printer: "3D printer #1 (Prusa MK4)",
  print: "process: print sensor enclosures",
  partsSpec: "printed enclosure parts",
  parts: "enclosure parts batch 1",
  enclosureDesign: "design: sensor enclosure v2 (CERN-OHL-S)",
  esp32: "ESP32 module",
  solder: "process: solder sensor boards, run 7",
  boardSpec: "sensor board",
  boards: "sensor board batch 7",
  assemble: "process: assemble open sensor kit #1",
  kitSpec: "open sensor kit",
  kit: "open sensor kit #1",
  sensorDesign: "design: open sensor v1 (CERN-OHL-S)",
  designProcess: "process: design open sensor kit v2",
  review: "design review of open sensor kit v2",
  field: "location: river monitoring site A",
} as const;

export interface SupplySeedResult {
  kit: string;
  kitLabel: string;
  recipesHash: string;
  needs: { filament: bigint; kits: bigint; review: bigint };
  entries: number;
}

export async function seedSupply(
  provider: Provider,
  ledgerAddress: string,
  fromBlock: number,
  demo: SeedResult,
  opts: { labelsFile?: string; log?: (line: string) => void } = {},
): Promise<SupplySeedResult> {
  const log = opts.log ?? console.log;
  const w = Object.fromEntries(DEMO_PEOPLE.map((name, i) => [name, devWallet(i, provider)])) as Record<DemoPerson, HDNodeWallet>;
  const ledger = await LedgerClient.connect(w.relayer, ledgerAddress, fromBlock);
  const { commons } = demo;
  const L = SUPPLY_LABELS;
  const R = (label: string) => labelId(label);

  // Signs drafts in order, giving each signer consecutive nonces, and records them in one batch.
  const batch = async (items: [HDNodeWallet, Omit<RecordDraft, "commons">][]): Promise<bigint[]> => {
    const offsets = new Map<string, bigint>();
    const signed: SignedRecord[] = [];
    for (const [wallet, draft] of items) {
      const k = offsets.get(wallet.address) ?? 0n;
      offsets.set(wallet.address, k + 1n);
      signed.push(await ledger.sign(wallet, { commons, ...draft }, { nonceOffset: k }));
    }
    const { ids, skipped } = await ledger.submitBatch(signed);
    if (skipped.length) throw new Error(`the supply seed batch skipped items: ${JSON.stringify(skipped)}`);
    return ids;
  };

  // The filament need the demo commons published (seed.ts): the supply chain meets part of it.
  const events = await ledger.events();
  const filamentNeed = events.entries.find((e) => e.record.flow === 1 && e.record.resourceSpec === R(L.filamentSpec));
  if (!filamentNeed) throw new Error("the demo commons has no filament need to satisfy");

  const recipesBytes = readFileSync(RECIPES_FILE);
  const recipes = parseRecipes(recipesBytes);
  const due = (await ledger.now()) + 21n * 86_400n;

  // 1. Needs (intents), the recipe book's hash, and production up to the printed parts.
  const ids1 = await batch([
    [w.yara, { flow: "need", action: "transfer", receiver: w.yara.address, resourceSpec: R(L.kitSpec), quantity: "3", unit: "ea", time: due }],
    [
      w.mira,
      {
        flow: "need",
        action: "work",
        receiver: w.mira.address,
        resourceSpec: R(L.review),
        process: R(L.designProcess),
        side: "input",
        quantity: "10",
        unit: "h",
        time: due,
      },
    ],
    [w.mira, { action: "cite", resourceSpec: recipes.spec, quantity: "1", unit: "ea", evidence: recipes.hash }],
    // Recycled filament: flakes consumed, work, a lot produced by carol.
    [w.carol, { action: "consume", resource: R(L.pet), resourceSpec: R(L.pet), process: R(L.extrude), side: "input", quantity: "5.5", unit: "kg" }],
    [w.carol, { action: "work", process: R(L.extrude), side: "input", quantity: "2", unit: "h", receiver: w.mira.address }],
    [
      w.carol,
      { action: "produce", resource: R(L.filament), resourceSpec: R(L.filamentSpec), process: R(L.extrude), side: "output", quantity: "5", unit: "kg" },
    ],
  ]);
  const [kitNeed, reviewNeed, recipesCite] = ids1;
  const ids2 = await batch([
    // Carol delivers the lot to mira, meeting 5 of the 20 kg the lab needs.
    [
      w.carol,
      {
        action: "transfer",
        resource: R(L.filament),
        resourceSpec: R(L.filamentSpec),
        receiver: w.mira.address,
        quantity: "5",
        unit: "kg",
        satisfies: filamentNeed.id,
        evidence: id("delivery note 2026-11-17"),
      },
    ],
    // Printing: filament consumed, the printer used (dave's 4 h, recorded by the demo commons), work, the enclosure design cited.
    [w.mira, { action: "consume", resource: R(L.filament), resourceSpec: R(L.filamentSpec), process: R(L.print), side: "input", quantity: "0.6", unit: "kg" }],
    [w.alice, { action: "cite", resourceSpec: R(L.enclosureDesign), process: R(L.print), side: "input", quantity: "1", unit: "ea" }],
    [w.dave, { action: "work", process: R(L.print), side: "input", quantity: "1.5", unit: "h", receiver: w.mira.address }],
    [
      w.dave,
      {
        action: "produce",
        resource: R(L.parts),
        resourceSpec: R(L.partsSpec),
        process: R(L.print),
        side: "output",
        receiver: w.mira.address,
        quantity: "12",
        unit: "ea",
      },
    ],
    // Boards: ESP32 modules consumed, soldering work, three boards.
    [w.bob, { action: "consume", resource: R(L.esp32), resourceSpec: R(L.esp32), process: R(L.solder), side: "input", quantity: "3", unit: "ea" }],
    [w.bob, { action: "work", process: R(L.solder), side: "input", quantity: "2", unit: "h", receiver: w.mira.address }],
    [
      w.bob,
      {
        action: "produce",
        resource: R(L.boards),
        resourceSpec: R(L.boardSpec),
        process: R(L.solder),
        side: "output",
        receiver: w.mira.address,
        quantity: "3",
        unit: "ea",
      },
    ],
  ]);
  const ids3 = await batch([
    // Assembly: the parts and one board consumed, work, the sensor design cited, the kit produced.
    [w.mira, { action: "consume", resource: R(L.parts), resourceSpec: R(L.partsSpec), process: R(L.assemble), side: "input", quantity: "12", unit: "ea" }],
    [w.mira, { action: "consume", resource: R(L.boards), resourceSpec: R(L.boardSpec), process: R(L.assemble), side: "input", quantity: "1", unit: "ea" }],
    [w.alice, { action: "work", process: R(L.assemble), side: "input", quantity: "1", unit: "h", receiver: w.mira.address }],
    [w.erin, { action: "cite", resourceSpec: R(L.sensorDesign), process: R(L.assemble), side: "input", quantity: "1", unit: "ea" }],
    [
      w.alice,
      {
        action: "produce",
        resource: R(L.kit),
        resourceSpec: R(L.kitSpec),
        process: R(L.assemble),
        side: "output",
        receiver: w.mira.address,
        quantity: "1",
        unit: "ea",
      },
    ],
  ]);
  // Mira accepts the filament carol delivered, before the distribution's cutoff: the value equation repays it as goods.
  await ledger.validate(w.mira, ids2[0], "accept");
  const ids4 = await batch([
    // The kit goes to yara's field team (1 of the 3 kits she asked for) and is moved on site.
    [w.mira, { action: "transfer", resource: R(L.kit), resourceSpec: R(L.kitSpec), receiver: w.yara.address, quantity: "1", unit: "ea", satisfies: kitNeed }],
    [w.yara, { action: "move", resource: R(L.kit), resourceSpec: R(L.kitSpec), receiver: w.yara.address, quantity: "1", unit: "ea", evidence: R(L.field) }],
    // Bob reviews the design for 4 of the 10 hours asked for.
    [
      w.bob,
      {
        action: "work",
        resourceSpec: R(L.review),
        process: R(L.designProcess),
        side: "input",
        receiver: w.mira.address,
        quantity: "4",
        unit: "h",
        satisfies: reviewNeed,
      },
    ],
  ]);
  // Peers accept the production steps (states show on every hop).
  await ledger.validate(w.mira, ids2[4], "accept");
  await ledger.validate(w.yara, ids3[4], "accept");
  const all = [...ids1, ...ids2, ...ids3, ...ids4];
  log(
    `  supply chain: entries ${all[0]}..${all.at(-1)} (filament -> enclosure parts -> sensor kit, kit to the field team, needs, recipes cite #${recipesCite})`,
  );

  if (opts.labelsFile) {
    const known = [
      ...Object.values(L),
      `recipes: ${recipes.book.name}@${recipes.book.version}`,
      "design: open sensor kit v2 (CERN-OHL-S)",
      "process: design open sensor kit v2",
      "loan to the commons",
      "licence reciprocity (Peer Production License)",
    ];
    for (const p of recipes.book.processes) known.push(p.name, p.outputs[0].spec, ...p.inputs.map((i) => i.spec));
    writeFileSync(opts.labelsFile, JSON.stringify([...new Set(known)], null, 2) + "\n");
  }
  const { count } = await ledger.tip();
  return {
    kit: R(L.kit),
    kitLabel: L.kit,
    recipesHash: recipes.hash,
    needs: { filament: filamentNeed.id, kits: kitNeed, review: reviewNeed },
    entries: Number(count),
  };
}
