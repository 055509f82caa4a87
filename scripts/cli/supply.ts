// `commons trace | track | needs | plan`: open supply chains. Provenance trees hop by hop (with
// --verify: each hop's signature and on-chain inclusion), the needs the network has published and
// how far they are met, and the activity levels that meet final demand from a recipe book.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { LedgerClient } from "../lib/core/client.js";
import type { RecordDraft } from "../lib/core/client.js";
import { readLedgerCached } from "../lib/node/entry-cache.js";
import type { CachedRead } from "../lib/node/entry-cache.js";
import { computePlan, parseRecipes, planFromLedger, PlanInputError, toLedgerQuantity } from "../lib/supply/planner.js";
import type { Plan, Recipes } from "../lib/supply/planner.js";
import { formatQuantity, labelId } from "../lib/core/record.js";
import {
  deriveNeeds,
  deriveResources,
  formatTree,
  labelsFromList,
  needStatus,
  parseLabelList,
  processSignals,
  SupplyGraph,
  treeToDot,
  treeToJson,
  uncommittedOf,
} from "../lib/supply/supply.js";
import type { Labels, NeedCommitment, NeedSatisfier, NeedView, ProcessSignal } from "../lib/supply/supply.js";
import { verifyHops } from "../lib/verify/hops.js";
import { deriveEntries } from "../lib/core/views.js";
import { connect, resolveTarget } from "./context.js";
import type { GlobalOptions } from "./context.js";
import { json, out, progress, short, table } from "./format.js";
import { CliInputError, parseHex32, parseIdOrLabel } from "./inputs.js";
import { checkKeySource, loadSigner } from "./keys.js";

const dataDir = () => process.env.COMMONS_DATA_DIR ?? path.resolve("data");

/** Known names for ids: data/labels.json (written by the demo seed), --labels, and a recipe book. */
function loadLabels(file: string | undefined, extra: readonly string[] = []): Labels {
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

/** "14d", "12h", "90m" or seconds: how far ahead a published need is due (up to 10 years). */
function parseDue(value: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(value);
  const seconds = m ? Number(m[1]) * { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "" | "s" | "m" | "h" | "d"] : NaN;
  if (!(seconds > 0) || seconds > 10 * 365 * 86400) throw new CliInputError("--due", `"${value}" is not a duration from 1 s to 10 years (e.g. 7d, 12h)`);
  return seconds;
}

const pct = (part: bigint, whole: bigint) => (whole === 0n ? "100%" : `${Number((part * 1000n) / whole) / 10}%`);

// ------------------------------------------------------------------ needs: chains and process signals

const ZERO32 = "0x" + "0".repeat(64);
const when = (t: bigint) => new Date(Number(t) * 1000).toISOString().slice(0, 16).replace("T", " ");
const iso = (t: bigint) => new Date(Number(t) * 1000).toISOString();
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
    due: iso(n.due),
    status: needStatus(n, now),
    commitments: n.commitments.map((c: NeedCommitment) => ({
      id: c.id,
      agent: c.agent,
      quantity: formatQuantity(c.quantity),
      unit: c.unit,
      due: iso(c.due),
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
    due: iso(p.due),
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
      .option("--verify", "check each hop's signature and on-chain inclusion (receipt and hash chain)")
      .option("--json", "JSON output")
      .option("--dot", "Graphviz DOT output")
      .option("--labels <file>", "JSON array of labels to name ids (default data/labels.json)")
      .option("--no-cache", "read every event again instead of using the on-disk cache")
      .action(async (resourceText: string, o: { verify?: boolean; json?: boolean; dot?: boolean; labels?: string; cache?: boolean }) => {
        if (o.json && o.dot) throw new CliInputError("--dot", "give --json or --dot, not both");
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
          if (v.failed) process.exitCode = 1;
        }
        const res = deriveResources(views).get(resource)!;
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
    .option("--all", "also needs that are met or expired")
    .option("--commons <id>", "only this commons")
    .option("--processes", "plan signals summed per process (planned, committed, done, open), processes behind first")
    .option("--json", "JSON output (with each need's chain: commitments and their events)")
    .option("--labels <file>", "JSON array of labels to name ids (default data/labels.json)")
    .option("--no-cache", "read every event again instead of using the on-disk cache")
    .action(async (o: { all?: boolean; commons?: string; processes?: boolean; json?: boolean; labels?: string; cache?: boolean }) => {
      const commons = o.commons !== undefined ? parseHex32("--commons", o.commons) : undefined;
      const labels = loadLabels(o.labels);
      const { provider, read: r, views } = await read(globals(), o);
      const block = await provider.getBlock(r.block);
      const now = BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000));
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
    .description("activity levels that meet final demand (open needs for final specs) from a recipe book, and the needs to publish")
    .requiredOption("--recipes <file>", "recipe book JSON (format commons-ledger/recipes@1)")
    .option("--commons <id>", "only needs and resources of this commons (required with --publish)")
    .option("--publish", "record the book's hash (a cite) if missing and the needs, signed by the key (which pays gas)")
    .option("--due <duration>", "when published needs are due, from now: 7d, 12h", "14d")
    .option("--keystore <file>", "keystore of the publisher (else COMMONS_PRIVATE_KEY)")
    .option("--json", "JSON output")
    .option("--no-cache", "read every event again instead of using the on-disk cache")
    .action(async (o: { recipes: string; commons?: string; publish?: boolean; due: string; keystore?: string; json?: boolean; cache?: boolean }) => {
      const recipes = loadRecipes(o.recipes);
      const commons = o.commons !== undefined ? parseHex32("--commons", o.commons) : undefined;
      const due = parseDue(o.due);
      if (o.publish) {
        if (commons === undefined) throw new CliInputError("--commons", "is required with --publish (the commons the needs are for)");
        checkKeySource(o.keystore);
      }
      const { target, provider, read: r, views } = await read(globals(), o);
      const block = await provider.getBlock(r.block);
      const now = BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000));
      let result: ReturnType<typeof planFromLedger>;
      try {
        result = planFromLedger(recipes, views, now, commons);
      } catch (error) {
        if (error instanceof PlanInputError) throw new CliInputError("--recipes", error.message);
        throw error;
      }
      const { plan, recordedBy, finalNeeds } = result;
      const publishable = plan.inputs.filter((i) => toLedgerQuantity(i.toPublish) !== "0");
      let published: { cite?: bigint; needs: bigint[] } | undefined;
      if (o.publish) {
        const signer = await loadSigner(o.keystore, provider);
        const client = await LedgerClient.connect(signer, target.ledger, target.fromBlock);
        const drafts: RecordDraft[] = [];
        if (recordedBy === undefined)
          drafts.push({ action: "cite", commons: commons!, resourceSpec: recipes.spec, quantity: "1", unit: "ea", evidence: recipes.hash });
        const t = (await client.now()) + BigInt(due);
        for (const i of publishable) {
          const only = i.processes.length === 1 ? labelId(i.processes[0]) : undefined;
          drafts.push({
            flow: "need",
            action: i.action,
            commons: commons!,
            receiver: signer.address,
            resourceSpec: i.resourceSpec,
            process: only,
            side: only ? "input" : undefined,
            quantity: toLedgerQuantity(i.toPublish),
            unit: i.unit,
            time: t,
            evidence: recipes.hash,
          });
        }
        if (drafts.length) {
          const signed = [];
          for (let k = 0; k < drafts.length; k++) signed.push(await client.sign(signer, drafts[k], { nonceOffset: BigInt(k) }));
          const { ids, skipped } = await client.submitBatch(signed);
          if (skipped.length) throw new Error(`the ledger skipped ${skipped.length} record(s): ${skipped[0].reason}`);
          published = recordedBy === undefined ? { cite: ids[0], needs: ids.slice(1) } : { needs: ids };
        } else published = { needs: [] };
      }
      if (o.json) return out(json({ ...plan, recordedBy: recordedBy ?? published?.cite ?? null, finalNeeds, published }));
      printPlan(plan, recordedBy ?? published?.cite, finalNeeds, published);
    });
}

function printPlan(plan: Plan, recordedBy: bigint | undefined, finalNeeds: bigint[], published?: { cite?: bigint; needs: bigint[] }): void {
  const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(6).replace(/0+$/, ""));
  out(
    `recipes "${plan.recipes.name}" ${plan.recipes.version}, hash ${plan.recipes.hash}: ${recordedBy !== undefined ? `recorded on the ledger by entry ${recordedBy}` : "NOT recorded on the ledger (plan --publish records it)"}`,
  );
  out(
    `final demand from needs ${finalNeeds.length ? finalNeeds.map((i) => `#${i}`).join(", ") : "(none open)"}; spectral radius <= ${plan.spectralRadius.upper.toPrecision(3)}; ${plan.sweeps} Gauss-Seidel sweeps; residual ${plan.residual.toExponential(2)}`,
  );
  out("\nactivity levels");
  out(
    table(
      plan.processes.map((p) => ({
        process: p.name,
        activity: fmt(p.activity),
        makes: `${fmt(p.make)} ${p.unit} ${p.output}`,
        "final demand": fmt(p.finalDemand),
        "on hand": fmt(p.inventory),
      })),
    ),
  );
  out("\ndependent demand for inputs");
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
  if (plan.cites.length) out(`\ncites: ${plan.cites.map((c) => `${c.spec} (${c.processes.join(", ")})`).join("; ")}`);
  if (published)
    out(
      published.needs.length || published.cite
        ? `\npublished: ${published.cite ? `recipes cite #${published.cite}; ` : ""}needs ${published.needs.map((i) => `#${i}`).join(", ") || "(none)"}`
        : "\nnothing to publish",
    );
}
