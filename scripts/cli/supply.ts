// `commons trace | track | needs | plan`: open supply chains. Provenance trees hop by hop (with
// --verify: each hop's signature and on-chain inclusion), the needs the network has published and
// how far they are met, and the activity levels that meet final demand from a recipe book.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { LedgerClient } from "../lib/core/client.js";
import { layoutSvg, layoutTree } from "../lib/supply/graph.js";
import { deriveCommons } from "../lib/core/governance.js";
import type { RecordDraft } from "../lib/core/client.js";
import { readLedgerCached } from "../lib/node/entry-cache.js";
import type { CachedRead } from "../lib/node/entry-cache.js";
import { computePlan, parseRecipes, PlanInputError, toLedgerQuantity } from "../lib/supply/planner.js";
import type { Recipes } from "../lib/supply/planner.js";
import { planHash, planSignals, rollingPlanFromLedger } from "../lib/supply/rolling.js";
import type { LedgerPlan } from "../lib/supply/rolling.js";
import { signalRecords } from "../lib/supply/signals.js";
import { formatQuantity, labelId, toSignedJson } from "../lib/core/record.js";
import {
  custodyConsent,
  deriveNeeds,
  deriveResources,
  formatTree,
  labelsFromList,
  needOf,
  needStatus,
  parseLabelList,
  processSignals,
  SupplyGraph,
  treeToDot,
  treeToJson,
  uncommittedOf,
} from "../lib/supply/supply.js";
import type { Hop, Labels, NeedCommitment, NeedSatisfier, NeedView, ProcessSignal } from "../lib/supply/supply.js";
import { verifyHops } from "../lib/verify/hops.js";
import { deriveEntries } from "../lib/core/views.js";
import type { EntryView } from "../lib/core/views.js";
import { indexedNeed, indexedViews, IndexerError, registeredCommons } from "../lib/core/indexer-client.js";
import { indexerFor } from "./read.js";
import { connect, namesBeside, resolveTarget } from "./context.js";
import type { GlobalOptions } from "./context.js";
import { json, out, progress, short, table } from "./format.js";
import { CliInputError, parseAddress, parseHex32, parseIdOrLabel, parseUint, parseUrl } from "./inputs.js";
import { relayRecords } from "./relay.js";
import { checkKeySource, loadSigner } from "./keys.js";
import { dateTime, isoTime } from "../lib/core/time.js";

const dataDir = () => process.env.COMMONS_DATA_DIR ?? path.resolve("data");

/** Known names for ids: data/labels.json (written by the demo seed), --labels, and a recipe book. */
export function loadLabels(file: string | undefined, extra: readonly string[] = []): Labels {
  const source = file ?? path.join(dataDir(), "labels.json");
  if (file !== undefined && !existsSync(file)) throw new CliInputError("--labels", `file "${file}" does not exist`);
  let list: string[] = [];
  if (existsSync(source)) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(source, "utf8"));
    } catch (error) {
      throw new CliInputError("--labels", `"${source}" is not valid JSON: ${(error as Error).message}`);
    }
    const parsed = parseLabelList(json);
    if ("error" in parsed) throw new CliInputError("--labels", `"${source}" ${parsed.error}`);
    list = parsed;
  }
  return labelsFromList([...list, ...extra]);
}

function loadRecipes(file: string): Recipes {
  if (!existsSync(file)) throw new CliInputError("--recipes", `file "${file}" does not exist`);
  let recipes: Recipes;
  try {
    recipes = parseRecipes(readFileSync(file));
    // The book alone decides solvability (spectral radius) and units: check it before any RPC call.
    computePlan(recipes, [], []);
  } catch (error) {
    if (error instanceof PlanInputError) throw new CliInputError("--recipes", error.message);
    throw error;
  }
  return recipes;
}

interface ReadOpts {
  cache?: boolean;
}

async function read(g: GlobalOptions, o: ReadOpts) {
  const target = resolveTarget(g);
  const provider = await connect(target);
  const dir = o.cache === false ? undefined : (process.env.COMMONS_CACHE_DIR ?? path.join(dataDir(), "cache"));
  const r: CachedRead = await readLedgerCached(provider, target.ledger, { fromBlock: target.fromBlock, dir, onProgress: progress("reading") });
  return { target, provider, read: r, views: deriveEntries(r.events) };
}

/**
 * What `needs` derives from, and the chain's time: through the indexer when `--indexer` names a
 * usable one (only the intents and the entries linked to them, which is all deriveNeeds reads),
 * else every entry read from the chain.
 */
async function needsViews(g: GlobalOptions, o: ReadOpts & { indexer?: string | true }, need?: bigint): Promise<{ views: EntryView[]; now: bigint }> {
  const through = await indexerFor(g, o);
  const at = async (provider: Awaited<ReturnType<typeof connect>>, block: number | "latest") =>
    BigInt((await provider.getBlock(block))?.timestamp ?? Math.floor(Date.now() / 1000));
  if (through) {
    const provider = await connect(resolveTarget(g));
    // One need: only the entries that answer it; else every intent and every entry linked to one.
    // An indexer whose head is the tip but whose answer is not usable is left for the chain, as one whose head is not.
    const views = await (
      need !== undefined
        ? indexedNeed(through.url, need, await registeredCommons(through.url)).then((n) => n?.views ?? [])
        : indexedViews(through.url, { coordination: true })
    ).catch((error: unknown) => {
      if (!(error instanceof IndexerError)) throw error;
      process.stderr.write(`${error.message}: reading the chain instead\n`);
      return undefined;
    });
    if (views !== undefined) return { views, now: await at(provider, "latest") };
  }
  const { provider, read: r, views } = await read(g, o);
  return { views, now: await at(provider, r.block) };
}

interface NeedsOptions extends ReadOpts {
  all?: boolean;
  commons?: string;
  processes?: boolean;
  json?: boolean;
  labels?: string;
  indexer?: string | true;
}

/**
 * `needs <id>`: one need with its commitments and events. Through the indexer it reads only what
 * answers that need (/needs/<id>), else the whole ledger; either way deriveNeeds gives it.
 */
async function oneNeed(g: GlobalOptions, needText: string, o: NeedsOptions, labels: Labels): Promise<void> {
  const id = parseUint("need", needText);
  if (id === 0n) throw new CliInputError("need", "entry ids start at 1");
  for (const [flag, given] of [
    ["--all", o.all],
    ["--commons", o.commons !== undefined],
    ["--processes", o.processes],
  ] as const)
    if (given) throw new CliInputError(flag, `give a need or ${flag}, not both`);
  const { views, now } = await needsViews(g, o, id);
  const found = needOf(views, id, now);
  if ("problem" in found) throw new Error(`${found.problem} (ledger ${resolveTarget(g).ledger})`);
  if (o.json) return out(json(needJson(found.need, labels, now)));
  out(needChain(found.need, labels, now));
}

const pct = (part: bigint, whole: bigint) => (whole === 0n ? "100%" : `${Number((part * 1000n) / whole) / 10}%`);

// ------------------------------------------------------------------ needs: chains and process signals

const ZERO32 = "0x" + "0".repeat(64);
const when = (t: bigint) => dateTime(t);
const named = (labels: Labels, id: string) => labels.name(id) ?? short(id);

function needWhat(n: NeedView, labels: Labels): string {
  return named(labels, n.resourceSpec !== ZERO32 ? n.resourceSpec : n.resource);
}

const satisfierJson = (s: NeedSatisfier) => ({ ...s, quantity: formatQuantity(s.quantity) });

function needJson(n: NeedView, labels: Labels, now: bigint) {
  return {
    id: n.id,
    action: n.action,
    what: needWhat(n, labels),
    resourceSpec: n.resourceSpec,
    resource: n.resource,
    process: n.process,
    processName: n.process !== ZERO32 ? (labels.name(n.process) ?? null) : null,
    signal: n.signal ?? null,
    commons: n.commons,
    agent: n.agent,
    unit: n.unit,
    quantity: formatQuantity(n.quantity),
    satisfied: formatQuantity(n.satisfied),
    committed: formatQuantity(n.committed),
    open: formatQuantity(n.open),
    uncommitted: formatQuantity(uncommittedOf(n)),
    due: isoTime(n.due),
    status: needStatus(n, now),
    commitments: n.commitments.map((c: NeedCommitment) => ({
      id: c.id,
      agent: c.agent,
      quantity: formatQuantity(c.quantity),
      unit: c.unit,
      due: isoTime(c.due),
      state: c.state,
      counted: c.counted,
      ...(c.reason !== undefined ? { reason: c.reason } : {}),
      late: c.late,
      fulfilled: formatQuantity(c.fulfilled),
      open: formatQuantity(c.open),
      satisfiers: c.satisfiers.map(satisfierJson),
    })),
    satisfiers: n.satisfiers.map(satisfierJson),
  };
}

/** One need as a tree: the intent, its commitments with their events, the events that name it, and what is open. */
function needChain(n: NeedView, labels: Labels, now: bigint): string {
  const lines = [
    `#${n.id} ${n.action} ${formatQuantity(n.quantity)} ${n.unit} ${needWhat(n, labels)}${n.process !== ZERO32 ? ` in ${named(labels, n.process)}` : ""} by ${short(n.agent)}, due ${when(n.due)} [${needStatus(n, now)}]`,
  ];
  const entry = (s: NeedSatisfier) =>
    `${s.flow} #${s.id} ${s.action} ${formatQuantity(s.quantity)} ${s.unit} by ${short(s.agent)} [${s.state}]${s.counted ? "" : `: not counted, ${s.reason}`}`;
  const items: { text: string; children: string[] }[] = [];
  for (const c of n.commitments) {
    const broken = c.counted && c.open > 0n && c.due < now ? ", PAST ITS DUE" : "";
    items.push({
      text: `commitment #${c.id} ${formatQuantity(c.quantity)} ${c.unit} by ${short(c.agent)}, due ${when(c.due)} [${c.state}]: ${formatQuantity(c.fulfilled)} fulfilled, ${formatQuantity(c.open)} open${broken}${c.late ? ", promised after the need's due" : ""}${c.counted ? "" : `; not counted, ${c.reason}`}`,
      children: c.satisfiers.map(entry),
    });
  }
  // Commitments that name the need are listed above (a corrected one as its correction).
  for (const s of n.satisfiers) if (s.flow !== "commitment") items.push({ text: entry(s), children: [] });
  items.push({
    text:
      n.open === 0n
        ? `met: ${formatQuantity(n.satisfied)} ${n.unit}`
        : `open: ${formatQuantity(n.open)} ${n.unit}, of which ${formatQuantity(uncommittedOf(n))} ${n.unit} nobody has committed to`,
    children: [],
  });
  items.forEach((item, i) => {
    const last = i === items.length - 1;
    lines.push(`  ${last ? "└─" : "├─"} ${item.text}`);
    item.children.forEach((child, k) => lines.push(`  ${last ? " " : "│"}  ${k === item.children.length - 1 ? "└─" : "├─"} ${child}`));
  });
  return lines.join("\n");
}

function processJson(p: ProcessSignal, labels: Labels) {
  return {
    ...p,
    processName: labels.name(p.process) ?? null,
    output: labels.name(p.resourceSpec) ?? null,
    planned: formatQuantity(p.planned),
    committed: formatQuantity(p.committed),
    done: formatQuantity(p.done),
    open: formatQuantity(p.open),
    due: isoTime(p.due),
  };
}

function processTable(rows: readonly ProcessSignal[], labels: Labels): string {
  return table(
    rows.map((p) => ({
      process: named(labels, p.process),
      output: named(labels, p.resourceSpec),
      planned: `${formatQuantity(p.planned)} ${p.unit}`,
      committed: formatQuantity(p.committed),
      done: formatQuantity(p.done),
      open: formatQuantity(p.open),
      due: when(p.due),
      status: p.status,
      behind: p.behind.map((id) => `#${id}`).join(" "),
      intents: p.needs.map((id) => `#${id}`).join(" "),
      by: short(p.coordinator),
    })),
  );
}

export function registerSupply(program: Command): void {
  const globals = () => program.opts<GlobalOptions>();

  for (const direction of ["trace", "track"] as const) {
    program
      .command(direction)
      .description(
        direction === "trace"
          ? "provenance of a resource: back through processes, inputs, work, equipment and cited designs"
          : "what a resource became: forward through the processes that used it",
      )
      .argument("<resource>", "resource id (0x + 64 hex) or its label (hashed)")
      .option("--verify", "check each hop's signature and on-chain inclusion (receipt and hash chain); exit 1 if a hop fails or a receiver refused a hand-over")
      .option("--json", "JSON output")
      .option("--dot", "Graphviz DOT output")
      .option("--svg <file>", "also write the graph as an SVG picture (events by name, verified hops marked with --verify)")
      .option("--labels <file>", "JSON array of labels to name ids (default data/labels.json)")
      .option("--no-cache", "read every event again instead of using the on-disk cache")
      .action(async (resourceText: string, o: { verify?: boolean; json?: boolean; dot?: boolean; svg?: string; labels?: string; cache?: boolean }) => {
        if (o.json && o.dot) throw new CliInputError("--dot", "give --json or --dot, not both");
        if (o.svg !== undefined && (o.svg === "" || !existsSync(path.dirname(path.resolve(o.svg)))))
          throw new CliInputError("--svg", `cannot write "${o.svg}": its folder does not exist`);
        const resource = parseIdOrLabel("resource", resourceText);
        const labels = loadLabels(o.labels, resourceText.startsWith("0x") ? [] : [resourceText]);
        const { target, provider, read: r, views } = await read(globals(), o);
        const graph = new SupplyGraph(views);
        if (!graph.has(resource))
          throw new CliInputError(
            "resource",
            `no standing event names resource ${resourceText}${resourceText.startsWith("0x") ? "" : ` (${resource})`} on ledger ${target.ledger}`,
          );
        const tree = direction === "trace" ? graph.trace(resource) : graph.track(resource);
        let summary = "";
        if (o.verify) {
          const v = await verifyHops(provider, target.ledger, r.events, r.block, [...tree.hops.values()], { onProgress: undefined });
          summary = `verified ${v.verified} of ${tree.hops.size} hops (signatures, receipts, hash chain to head ${v.chain.onChainHead} at block ${v.block})${v.failed ? `; ${v.failed} FAILED` : ""}`;
          const c = custodyConsent(tree.hops.values());
          // A hop that fails its checks, or a hand-over its receiver refused, is not a provenance to rely on.
          if (v.failed || c.refused.length) process.exitCode = 1;
          const ids = (hops: readonly Hop[]) => hops.map((h) => `#${h.id}`).join(", ");
          summary +=
            `\ncustody: ${c.custody - c.unconfirmed.length - c.refused.length} of ${c.custody} hand-overs confirmed by their receiver` +
            (c.unconfirmed.length ? `; unconfirmed (the provider's word alone): ${ids(c.unconfirmed)}` : "") +
            (c.refused.length ? `; REFUSED by the receiver named: ${ids(c.refused)}` : "");
        }
        const res = deriveResources(views).get(resource)!;
        if (o.svg !== undefined) {
          const names = await namesBeside(provider, target, r.events);
          const title = `${direction === "trace" ? "Provenance of" : "What became of"} ${labels.name(resource) ?? resourceText}`;
          writeFileSync(o.svg, layoutSvg(layoutTree(tree, labels, names), title));
          process.stderr.write(`${tree.hops.size} events, ${tree.processes.size} processes -> ${o.svg}\n`);
        }
        if (o.json)
          return out(
            json({
              ...(treeToJson(tree) as object),
              resource: {
                id: res.id,
                resourceSpec: res.resourceSpec,
                unit: res.unit,
                accountingQuantity: formatQuantity(res.accountingQuantity),
                onhandQuantity: formatQuantity(res.onhandQuantity),
                accountable: res.accountable,
                custodians: res.custodians,
                location: res.location,
                containedIn: res.containedIn ?? null,
                contains: res.contains,
              },
              verification: summary || undefined,
            }),
          );
        if (o.dot) return out(treeToDot(tree, labels));
        out(formatTree(tree, labels));
        out(
          `\n${tree.hops.size} events, ${tree.processes.size} processes. Resource now: ${formatQuantity(res.accountingQuantity)} ${res.unit} accounted (${res.accountable.map(short).join(", ") || "nobody"}), ${formatQuantity(res.onhandQuantity)} ${res.unit} on hand (${res.custodians.map(short).join(", ") || "nobody"})${res.containedIn ? `, inside ${labels.name(res.containedIn) ?? short(res.containedIn)}` : ""}`,
        );
        if (summary) out(summary);
      });
  }

  program
    .command("needs")
    .description("needs published on the ledger (stigmergy): each with its commitments and events, what is open, due date and status")
    .argument("[need]", "only this need (the entry id of any of its versions), with its commitments and events")
    .option("--all", "also needs that are met or expired")
    .option("--commons <id>", "only this commons")
    .option("--processes", "plan signals summed per process (planned, committed, done, open), processes behind first")
    .option("--json", "JSON output (with each need's chain: commitments and their events)")
    .option("--labels <file>", "JSON array of labels to name ids (default data/labels.json)")
    .option("--no-cache", "read every event again instead of using the on-disk cache")
    .option(
      "--indexer [url]",
      "read the intents and the entries linked to them (for one need, only the entries that answer it) through an indexer (its head checked against the Ledger's tip first); without a URL, the one npm start runs",
    )
    .action(async (needText: string | undefined, o: NeedsOptions) => {
      const commons = o.commons !== undefined ? parseHex32("--commons", o.commons) : undefined;
      const labels = loadLabels(o.labels);
      if (needText !== undefined) return oneNeed(globals(), needText, o, labels);
      const { views, now } = await needsViews(globals(), o);
      const inCommons = deriveNeeds(views, now).filter((n) => commons === undefined || n.commons === commons);
      if (o.processes) {
        const rows = processSignals(inCommons, now);
        if (o.json) return out(json(rows.map((p) => processJson(p, labels))));
        return out(rows.length ? processTable(rows, labels) : "no plan signals (intents to produce a process's output) on this ledger");
      }
      const needs = inCommons.filter((n) => o.all || !["met", "expired"].includes(needStatus(n, now)));
      if (o.json) return out(json(needs.map((n) => needJson(n, labels, now))));
      out(
        table(
          needs.map((n) => ({
            id: n.id,
            need: `${n.action} ${needWhat(n, labels)}`,
            quantity: `${formatQuantity(n.quantity)} ${n.unit}`,
            met: `${formatQuantity(n.satisfied)} (${pct(n.satisfied > n.quantity ? n.quantity : n.satisfied, n.quantity)})`,
            open: `${formatQuantity(n.open)} ${n.unit}`,
            committed: formatQuantity(n.committed),
            due: when(n.due),
            status: needStatus(n, now),
            by: short(n.agent),
          })),
        ),
      );
      if (needs.length) out(`\n${needs.map((n) => needChain(n, labels, now)).join("\n")}`);
    });

  program
    .command("plan")
    .description(
      "a rolling plan from a recipe book: each process's activity per period for the open needs, the needs to publish, and what cannot be met and why",
    )
    .requiredOption("--recipes <file>", "recipe book JSON (commons-ledger/recipes@2, or @1)")
    .option("--commons <id>", "only needs and resources of this commons (required with --publish)")
    .option("--horizon <periods>", "periods to plan, from the current one (default 8; 1 for a v1 book)")
    .option("--safety <spec=quantity...>", 'safety stock to keep of a spec (overrides the book\'s), e.g. --safety "open sensor kit=2"')
    .option(
      "--publish",
      "record the book's hash (a cite) if missing, every process's planned output as an intent, and the needs for outside inputs, signed by the key (which pays gas unless --relayer)",
    )
    .option("--relayer <url>", "with --publish: send the signals through this relayer, which pays the gas (the command waits for their entries)")
    .option("--demand-from <who>", "anyone (every open need) or members (only needs of the commons' stewards and validators, or accepted by them)", "anyone")
    .option("--coordinator <address>", "whose intents' commitments count as on their way (default: the publishing key, else any member's)")
    .option("--keystore <file>", "keystore of the coordinator (else COMMONS_PRIVATE_KEY)")
    .option("--json", "JSON output")
    .option("--no-cache", "read every event again instead of using the on-disk cache")
    .action(
      async (o: {
        recipes: string;
        commons?: string;
        horizon?: string;
        safety?: string[];
        demandFrom: string;
        coordinator?: string;
        publish?: boolean;
        relayer?: string;
        keystore?: string;
        json?: boolean;
        cache?: boolean;
      }) => {
        const recipes = loadRecipes(o.recipes);
        const commons = o.commons !== undefined ? parseHex32("--commons", o.commons) : undefined;
        const horizon = o.horizon === undefined ? (recipes.model.format === 1 ? 1 : 8) : parseHorizon(o.horizon);
        const safetyStock = (o.safety ?? []).map((text) => parseSafety(text, recipes));
        if (o.demandFrom !== "anyone" && o.demandFrom !== "members") throw new CliInputError("--demand-from", `"${o.demandFrom}" is not anyone or members`);
        if (o.demandFrom === "members" && commons === undefined) throw new CliInputError("--commons", "is required with --demand-from members (whose members)");
        const coordinatorFlag = o.coordinator !== undefined ? parseAddress("--coordinator", o.coordinator) : undefined;
        const relayer = o.relayer !== undefined ? parseUrl("--relayer", o.relayer) : undefined;
        if (relayer && !o.publish) throw new CliInputError("--relayer", "sends what --publish records: give --publish too");
        if (o.publish) {
          if (commons === undefined) throw new CliInputError("--commons", "is required with --publish (the commons the signals are for)");
          checkKeySource(o.keystore);
        }
        const { target, provider, read: r, views } = await read(globals(), o);
        const block = await provider.getBlock(r.block);
        const now = BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000));
        const signer = o.publish ? await loadSigner(o.keystore, provider) : undefined;
        const info = commons !== undefined ? deriveCommons(r.events, now).find((c) => c.id === commons.toLowerCase()) : undefined;
        if (commons !== undefined && info === undefined)
          throw new CliInputError("--commons", `${commons} is not a commons registered on ledger ${target.ledger}`);
        const members = info ? new Set([...info.stewards, ...info.validators.map((v) => v.account)].map((a) => a.toLowerCase())) : undefined;
        const result = rollingPlanFromLedger(recipes, views, now, {
          commons,
          horizon,
          safetyStock,
          demandFrom: o.demandFrom,
          members,
          coordinator: (coordinatorFlag ?? signer?.address)?.toLowerCase(),
          name: loadLabels(undefined).name,
        });
        const hash = planHash(result.plan);
        let published: Published | undefined;
        if (signer) {
          const client = await LedgerClient.connect(signer, target.ledger, target.fromBlock);
          published = await publishPlan(client, signer, recipes, result, commons!, await client.now(), relayer);
        }
        if (o.json)
          return out(
            json({
              ...result.plan,
              hash,
              recordedBy: result.recordedBy ?? published?.cite ?? null,
              demandNeeds: result.demandNeeds,
              outsideDemand: result.outsideDemand,
              pipeline: result.pipelineEntries,
              published,
            }),
          );
        printPlan(result, hash, published);
      },
    );
}

interface Published {
  cite?: bigint;
  needs: bigint[];
  intents: bigint[];
  superseded: bigint[];
}

function parseHorizon(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 520) throw new CliInputError("--horizon", `"${text}" is not a whole number of periods from 1 to 520`);
  return n;
}

function parseSafety(text: string, recipes: Recipes): { spec: string; quantity: number } {
  const m = /^(.+)=(\d+(?:\.\d+)?)$/.exec(text);
  if (!m) throw new CliInputError("--safety", `"${text}" is not spec=quantity (e.g. "open sensor kit=2")`);
  if (!recipes.model.producers.has(m[1])) throw new CliInputError("--safety", `"${m[1]}" is made by no process of the book "${recipes.model.name}"`);
  return { spec: m[1], quantity: Number(m[2]) };
}

/**
 * Records the plan: the book's cite if missing, the needs for outside inputs (per period needed,
 * due at the end of that period), and every process's planned output as an intent (signals.ts:
 * new intents, corrections superseding the previous plan's), in one batch then the corrections.
 */
async function publishPlan(
  client: LedgerClient,
  signer: Awaited<ReturnType<typeof loadSigner>>,
  recipes: Recipes,
  result: LedgerPlan,
  commons: string,
  now: bigint,
  relayer?: string,
): Promise<Published> {
  const { plan } = result;
  const drafts: RecordDraft[] = [];
  if (result.recordedBy === undefined) drafts.push({ action: "cite", commons, resourceSpec: recipes.spec, quantity: "1", unit: "ea", evidence: recipes.hash });
  const end = (t: number) => BigInt(Math.max(plan.periodStarts[t + 1], Number(now) + 3600));
  for (const i of plan.inputs) {
    const only = i.processes.length === 1 ? labelId(i.processes[0]) : undefined;
    i.toPublishPerPeriod.forEach((q, t) => {
      if (toLedgerQuantity(q) === "0") return;
      drafts.push({
        flow: "need",
        action: i.action,
        commons,
        receiver: signer.address,
        resourceSpec: i.resourceSpec,
        process: only,
        side: only ? "input" : undefined,
        quantity: toLedgerQuantity(q),
        unit: i.unit,
        time: end(t),
        evidence: recipes.hash,
      });
    });
  }
  const inputNeeds = drafts.length - (result.recordedBy === undefined ? 1 : 0);
  const changes = signalRecords(planSignals(plan), result.signals, { commons, coordinator: signer.address, bookHash: recipes.hash });
  drafts.push(...changes.create.map((c) => c.draft));
  const published: Published = { needs: [], intents: [], superseded: [] };
  if (drafts.length) {
    const signed = [];
    for (let k = 0; k < drafts.length; k++) signed.push(await client.sign(signer, drafts[k], { nonceOffset: BigInt(k) }));
    let ids: bigint[];
    if (relayer) {
      const jsons = signed.map((x) => toSignedJson(client.domain, x.record, x.signature));
      ids = (await relayRecords(relayer, jsons, "the plan's signals")).map((r) => r.id);
    } else {
      const sent = await client.submitBatch(signed);
      if (sent.skipped.length) throw new Error(`the ledger skipped ${sent.skipped.length} record(s): ${sent.skipped[0].reason}`);
      ids = sent.ids;
    }
    let at = 0;
    if (result.recordedBy === undefined) published.cite = ids[at++];
    published.needs = ids.slice(at, at + inputNeeds);
    published.intents = ids.slice(at + inputNeeds);
  }
  for (const c of changes.correct) {
    const { id } = relayer ? await relayCorrection(client, signer, relayer, c.entryId, c.draft) : await client.correct(signer, c.entryId, c.draft);
    published.superseded.push(c.entryId);
    published.intents.push(id);
  }
  return published;
}

/** A correction of `entryId` signed by `signer` and recorded through the relayer (which proves the entry it corrects). */
async function relayCorrection(
  client: LedgerClient,
  signer: Awaited<ReturnType<typeof loadSigner>>,
  relayer: string,
  entryId: bigint,
  draft: RecordDraft,
): Promise<{ id: bigint }> {
  const s = await client.sign(signer, { ...draft, corrects: entryId }, { allowCorrection: true });
  const [done] = await relayRecords(relayer, [toSignedJson(client.domain, s.record, s.signature)], `the correction of entry ${entryId}`);
  return done;
}

function printPlan(result: LedgerPlan, hash: string, published?: Published): void {
  const { plan } = result;
  const fmt = (x: number) => (Math.abs(x) < 5e-7 ? "0" : Number.isInteger(x) ? String(x) : x.toFixed(6).replace(/\.?0+$/, ""));
  const day = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
  out(
    `recipes "${plan.recipes.name}" ${plan.recipes.version} (v${plan.recipes.format}), hash ${plan.recipes.hash}: ${result.recordedBy !== undefined ? `recorded on the ledger by entry ${result.recordedBy}` : published?.cite !== undefined ? `recorded now by entry ${published.cite}` : "NOT recorded on the ledger (plan --publish records it)"}`,
  );
  out(
    `${plan.horizon} period${plan.horizon === 1 ? "" : "s"} of ${fmt(plan.periodSeconds / 86400)} days from ${day(plan.periodStarts[0])}; demand from needs ${result.demandNeeds.length ? result.demandNeeds.map((i) => `#${i}`).join(", ") : "(none open)"}${result.outsideDemand.length ? ` (${result.outsideDemand.map((i) => `#${i}`).join(", ")} from accounts outside the commons; --demand-from members leaves them out)` : ""}${result.pipelineEntries.length ? `; on their way: commitments ${result.pipelineEntries.map((i) => `#${i}`).join(", ")}` : ""}`,
  );
  out(
    `plan ${hash} (same ledger + same book + same period = same hash); ${plan.spectralRadius.upper > 0 ? `cycles productive (spectral radius <= ${plan.spectralRadius.upper.toPrecision(3)})` : "no cycles"}`,
  );
  out("\nactivity per period (runs of the recipe; the output is due by the end of the period before it is needed)");
  out(
    table(
      plan.processes.map((p) => ({
        process: p.name,
        lead: String(p.leadTime),
        ...Object.fromEntries(p.activity.map((x, t) => [day(plan.periodStarts[t]), fmt(x)])),
        makes: `${fmt(p.make.reduce((a, v) => a + v, 0))} ${p.unit} ${p.output}`,
      })),
    ),
  );
  if (plan.inputs.length) {
    out("\ninputs nobody in the book makes");
    out(
      table(
        plan.inputs.map((i) => ({
          input: `${i.action} ${i.spec}`,
          gross: `${fmt(i.gross)} ${i.unit}`,
          "on hand": fmt(i.inventory),
          "already needed": fmt(i.alreadyNeeded),
          "to publish": `${toLedgerQuantity(i.toPublish)} ${i.unit}`,
          for: i.processes.join(", "),
        })),
      ),
    );
  }
  if (plan.cites.length) out(`\ncites: ${plan.cites.map((c) => `${c.spec} (${c.processes.join(", ")})`).join("; ")}`);
  out(plan.shortfalls.length ? "\ncannot meet" : "\nevery need can be met on time");
  for (const f of plan.shortfalls) out(`  - [${f.reason}] ${f.detail}${f.needs.length ? ` (needs ${f.needs.map((n) => `#${n}`).join(", ")})` : ""}`);
  for (const w of plan.warnings) out(`warning: ${w.message}`);
  if (published)
    out(
      `\npublished: ${published.cite ? `recipes cite #${published.cite}; ` : ""}intents ${published.intents.map((i) => `#${i}`).join(", ") || "(none)"}; needs ${published.needs.map((i) => `#${i}`).join(", ") || "(none)"}${published.superseded.length ? `; superseded ${published.superseded.map((i) => `#${i}`).join(", ")}` : ""}`,
    );
}
