// Open supply chains over the ledger: a derived view of every economic resource (the ValueFlows
// effects of each action on its accounting and on-hand quantity, custodian, location and
// containment), and track and trace through resources, events and processes. Pure functions over
// the decoded entries (views.ts); nothing here touches the chain.
//
// Ordering (the ValueFlows "previous event" breadcrumb): ValueFlows links each event to the
// previous event of its resource because a distributed system has no global order. The ledger has
// one: entry ids are dense, append-only and hash-chained. So an event's previous event for a
// resource is derived, not stored: the latest earlier (lower id) entry on that resource that is not
// corrected. A correction replaces the entry it corrects (it carries the whole record again), so a
// corrected entry never appears and its correction takes its place in the order (at its own, later
// id). No record field is spent on the breadcrumb: `satisfies` already means "fulfils this intent"
// and `evidence` is a content digest; overloading either would make a record mean two things.
import { ZeroAddress, ZeroHash } from "ethers";
import { decodeUnit, formatQuantity, labelId } from "../core/record.js";
import type { Consent, EntryView } from "../core/views.js";
import type { ActionName, EntryStateName, FlowName } from "../core/vocabulary.js";
import { isoTime } from "../core/time.js";

// ------------------------------------------------------------------ action effects

type Effect = "increment" | "decrement" | "decrementIncrement" | "none";

/**
 * The ValueFlows action table (resourceEffect, onhandEffect, location, containment), as this ledger
 * applies it with one resource per record (see README: where a "to resource" would be needed, the
 * same resource id changes hands between agents instead).
 */
export const ACTION_EFFECTS: Record<ActionName, { accounting: Effect; onhand: Effect; location?: "update"; contained?: "update" | "remove"; stage?: true }> = {
  work: { accounting: "none", onhand: "none" },
  cite: { accounting: "none", onhand: "none" },
  use: { accounting: "none", onhand: "none" },
  consume: { accounting: "decrement", onhand: "decrement" },
  produce: { accounting: "increment", onhand: "increment" },
  transfer: { accounting: "decrementIncrement", onhand: "decrementIncrement" },
  transferCustody: { accounting: "none", onhand: "decrementIncrement" },
  transferAllRights: { accounting: "decrementIncrement", onhand: "none" },
  deliverService: { accounting: "none", onhand: "none" },
  accept: { accounting: "none", onhand: "decrement" },
  modify: { accounting: "none", onhand: "increment", stage: true },
  combine: { accounting: "none", onhand: "decrement", contained: "update" },
  separate: { accounting: "none", onhand: "increment", contained: "remove" },
  pickup: { accounting: "none", onhand: "none" },
  dropoff: { accounting: "none", onhand: "none", location: "update" },
  move: { accounting: "decrementIncrement", onhand: "decrementIncrement", location: "update" },
  raise: { accounting: "increment", onhand: "increment" },
  lower: { accounting: "decrement", onhand: "decrement" },
  copy: { accounting: "increment", onhand: "increment" },
};

/**
 * Events that make a resource what (and where, and whose) it is: trace walks back through these.
 * The others (use, cite, consume, lower, accept, combine, pickup) are uses of the resource by a
 * process or a count going down; track walks forward into them.
 */
const PROVENANCE = new Set<ActionName>([
  "produce",
  "copy",
  "raise",
  "modify",
  "separate",
  "dropoff",
  "transfer",
  "transferAllRights",
  "transferCustody",
  "move",
]);
/** Outputs whose resource also entered the same process (pairs: accept/modify, combine/separate, pickup/dropoff). */
const PAIRED_OUTPUT = new Set<ActionName>(["modify", "separate", "dropoff"]);

/** The events that count for the supply view: observed events that stand (not corrected, not voided). */
export function supplyEvents(views: readonly EntryView[]): EntryView[] {
  return views
    .filter((v) => v.flow === "event" && v.state !== "corrected" && v.entry.record.quantity !== 0n)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

// ------------------------------------------------------------------ resources

export interface ResourceView {
  id: string;
  /** Resource specification of the first event that named one. */
  resourceSpec: string;
  unit: string;
  /** Accounting quantity per accountable agent (rights). */
  accounting: Map<string, bigint>;
  /** On-hand quantity per custodian (possession). */
  onhand: Map<string, bigint>;
  accountingQuantity: bigint;
  onhandQuantity: bigint;
  /** Agents holding accounting / on-hand quantity (non-zero). */
  accountable: string[];
  custodians: string[];
  /** Location id (the evidence of the last move or dropoff), or ZeroHash. */
  location: string;
  /** The resource this one is contained in (combine), or undefined. */
  containedIn?: string;
  /** Resources contained in this one. */
  contains: string[];
  /** Process of the last modify (its stage), or ZeroHash. */
  stage: string;
  /** Ids of the events on this resource, in ledger order. */
  events: bigint[];
  /** Events whose effect could not be applied as recorded (unit mismatch, overdrawn holdings). */
  problems: { id: bigint; reason: string }[];
}

const holderIn = (r: EntryView["entry"]["record"]) => (r.receiver !== ZeroAddress ? r.receiver : r.provider);
const holderOut = (r: EntryView["entry"]["record"]) => (r.provider !== ZeroAddress ? r.provider : r.receiver);

function bump(m: Map<string, bigint>, agent: string, delta: bigint): bigint {
  const v = (m.get(agent) ?? 0n) + delta;
  if (v === 0n) m.delete(agent);
  else m.set(agent, v);
  return v;
}

/** Every resource named by a standing event, with the ValueFlows effects applied in ledger order. */
export function deriveResources(views: readonly EntryView[]): Map<string, ResourceView> {
  const events = supplyEvents(views);
  const resources = new Map<string, ResourceView>();
  const outputsOf = new Map<string, string[]>();
  for (const v of events) {
    const r = v.entry.record;
    if (r.process !== ZeroHash && r.side === 2 && r.resource !== ZeroHash) {
      const list = outputsOf.get(r.process) ?? [];
      list.push(r.resource);
      outputsOf.set(r.process, list);
    }
  }
  const pendingContainer = new Map<string, { process: string }>();
  for (const v of events) {
    const r = v.entry.record;
    if (r.resource === ZeroHash) continue;
    let res = resources.get(r.resource);
    if (!res) {
      res = {
        id: r.resource,
        resourceSpec: r.resourceSpec,
        unit: v.unit,
        accounting: new Map(),
        onhand: new Map(),
        accountingQuantity: 0n,
        onhandQuantity: 0n,
        accountable: [],
        custodians: [],
        location: ZeroHash,
        contains: [],
        stage: ZeroHash,
        events: [],
        problems: [],
      };
      resources.set(r.resource, res);
    }
    res.events.push(v.id);
    if (res.resourceSpec === ZeroHash && r.resourceSpec !== ZeroHash) res.resourceSpec = r.resourceSpec;
    if (v.unit !== res.unit) {
      res.problems.push({ id: v.id, reason: `unit "${v.unit}" differs from the resource's "${res.unit}"; effect not applied` });
      continue;
    }
    const fx = ACTION_EFFECTS[v.action];
    const q = r.quantity;
    const apply = (m: Map<string, bigint>, effect: Effect, what: string) => {
      if (effect === "increment") bump(m, holderIn(r), q);
      else if (effect === "decrement") {
        if (bump(m, holderOut(r), -q) < 0n)
          res.problems.push({ id: v.id, reason: `${holderOut(r)} had less ${what} quantity than the ${v.action} of ${formatQuantity(q)}` });
      } else if (effect === "decrementIncrement") {
        const from = holderOut(r);
        if (bump(m, from, -q) < 0n) res.problems.push({ id: v.id, reason: `${from} had less ${what} quantity than the ${v.action} of ${formatQuantity(q)}` });
        bump(m, holderIn(r), q);
      }
    };
    apply(res.accounting, fx.accounting, "accounting");
    apply(res.onhand, fx.onhand, "on-hand");
    if (fx.location && r.evidence !== ZeroHash) res.location = r.evidence;
    if (fx.stage) res.stage = r.process;
    if (fx.contained === "update" && r.process !== ZeroHash) pendingContainer.set(r.resource, { process: r.process });
    if (fx.contained === "remove") pendingContainer.delete(r.resource);
  }
  // A combined resource is contained in the output of the process it went into (recorded before
  // or after the combine), until a separate takes it out.
  for (const [id, { process }] of pendingContainer) {
    const container = (outputsOf.get(process) ?? []).find((x) => x !== id);
    const res = resources.get(id)!;
    if (container === undefined) continue;
    res.containedIn = container;
    resources.get(container)?.contains.push(id);
  }
  for (const res of resources.values()) {
    for (const q of res.accounting.values()) res.accountingQuantity += q;
    for (const q of res.onhand.values()) res.onhandQuantity += q;
    res.accountable = [...res.accounting.entries()].filter(([, q]) => q > 0n).map(([a]) => a);
    res.custodians = [...res.onhand.entries()].filter(([, q]) => q > 0n).map(([a]) => a);
  }
  return resources;
}

// ------------------------------------------------------------------ track and trace

/** One hop of a provenance tree: an entry, as an auditor needs to see and check it. */
export interface Hop {
  id: bigint;
  action: ActionName;
  quantity: string;
  unit: string;
  signer: string;
  provider: string;
  receiver: string;
  resource: string;
  resourceSpec: string;
  process: string;
  side: "none" | "input" | "output";
  evidence: string;
  time: string;
  state: EntryStateName;
  /** Whether the receiver confirmed the hop (co-signed or later), refused it, or has not answered. */
  consent: Consent;
  transactionHash: string;
  blockNumber: number;
  /** Filled by `--verify` (verifyHops). */
  verified?: { ok: boolean; signature: string; inclusion: string };
}

export type SupplyNode =
  | { kind: "resource"; key: string; resource: string; children: SupplyNode[] }
  | { kind: "event"; key: string; hop: Hop; children: SupplyNode[] }
  | { kind: "process"; key: string; process: string; children: SupplyNode[] }
  /** A node already shown elsewhere in the tree (a merge, a split, or a cycle). */
  | { kind: "seen"; key: string; ref: string; children: SupplyNode[] };

/** Actions that hand a resource (its custody, rights, or both) from provider to receiver. */
export const CUSTODY_ACTIONS: readonly ActionName[] = ["transfer", "transferCustody", "transferAllRights"];

/**
 * The custody hops of a tree the receiver has not confirmed, and those it refused: for the auditor,
 * a one-sided hand-over is the provider's word alone.
 */
export function custodyConsent(hops: Iterable<Hop>): { custody: number; unconfirmed: Hop[]; refused: Hop[] } {
  let custody = 0;
  const unconfirmed: Hop[] = [];
  const refused: Hop[] = [];
  for (const h of hops) {
    if (!CUSTODY_ACTIONS.includes(h.action) || h.consent === "none") continue;
    custody++;
    if (h.consent === "one-sided") unconfirmed.push(h);
    else if (h.consent === "refused") refused.push(h);
  }
  return { custody, unconfirmed, refused };
}

export interface SupplyTree {
  direction: "trace" | "track";
  root: SupplyNode;
  /** Every distinct event in the tree, by id. */
  hops: Map<bigint, Hop>;
  processes: Set<string>;
  /** Edges in the direction things flowed (input -> process -> output, earlier -> later event). */
  edges: [string, string][];
}

const units = new Map<string, string>();

export function hopOf(v: EntryView): Hop {
  const r = v.entry.record;
  let unit = units.get(r.unit);
  if (unit === undefined) units.set(r.unit, (unit = decodeUnit(r.unit)));
  return {
    id: v.id,
    action: v.action,
    quantity: formatQuantity(r.quantity),
    unit,
    signer: v.entry.signer,
    provider: r.provider,
    receiver: r.receiver,
    resource: r.resource,
    resourceSpec: r.resourceSpec,
    process: r.process,
    side: (["none", "input", "output"] as const)[r.side] ?? "none",
    evidence: r.evidence,
    time: isoTime(r.time),
    state: v.state,
    consent: v.consent,
    transactionHash: v.entry.transactionHash,
    blockNumber: v.entry.blockNumber,
  };
}

/** The supply graph's indexes: events per resource (ledger order) and per process side. */
export class SupplyGraph {
  readonly events: EntryView[];
  readonly byResource = new Map<string, EntryView[]>();
  readonly inputs = new Map<string, EntryView[]>();
  readonly outputs = new Map<string, EntryView[]>();

  constructor(views: readonly EntryView[]) {
    this.events = supplyEvents(views);
    const push = (m: Map<string, EntryView[]>, k: string, v: EntryView) => {
      const list = m.get(k);
      if (list) list.push(v);
      else m.set(k, [v]);
    };
    for (const v of this.events) {
      const r = v.entry.record;
      if (r.resource !== ZeroHash) push(this.byResource, r.resource, v);
      if (r.process !== ZeroHash) push(r.side === 1 ? this.inputs : this.outputs, r.process, v);
    }
  }

  /**
   * The resources and processes whose events were looked up (by `has`, a trace or a track): a
   * reader that holds only some of the ledger's entries walks again once it has loaded these
   * (`walkReading`), until a walk looks up nothing it has not loaded.
   */
  readonly touched = { resources: new Set<string>(), processes: new Set<string>() };

  private eventsOn(resource: string): EntryView[] {
    this.touched.resources.add(resource);
    return this.byResource.get(resource) ?? [];
  }

  private eventsIn(side: "inputs" | "outputs", process: string): EntryView[] {
    this.touched.processes.add(process);
    return this[side].get(process) ?? [];
  }

  has(resource: string): boolean {
    return this.eventsOn(resource.toLowerCase()).length > 0;
  }

  /** Index of the last event on `resource` with an id below `id` (binary search), or -1. */
  private before(list: readonly EntryView[], id: bigint): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Per resource: for each of its events, the index of the latest provenance event at or before it (-1: none). */
  private readonly lastProvenance = new Map<string, Int32Array>();

  /** The breadcrumb: the latest earlier provenance event of `resource` before entry `id`. */
  previousProvenance(resource: string, id: bigint): EntryView | undefined {
    const list = this.eventsOn(resource);
    let last = this.lastProvenance.get(resource);
    if (!last) {
      last = new Int32Array(list.length);
      for (let i = 0, p = -1; i < list.length; i++) last[i] = p = PROVENANCE.has(list[i].action) ? i : p;
      this.lastProvenance.set(resource, last);
    }
    const i = this.before(list, id);
    return i >= 0 && last[i] >= 0 ? list[last[i]] : undefined;
  }

  /** Events after `id` on `resource` up to (excluding) its next provenance event, and that event. */
  nextWindow(resource: string, id: bigint): { uses: EntryView[]; next?: EntryView } {
    const list = this.eventsOn(resource);
    const uses: EntryView[] = [];
    for (let i = this.before(list, id + 1n) + 1; i < list.length; i++) {
      if (PROVENANCE.has(list[i].action)) return { uses, next: list[i] };
      uses.push(list[i]);
    }
    return { uses };
  }

  /**
   * Trace (backwards): from the resource's latest provenance event, each output goes to its
   * process, each process to its inputs, each input to the previous provenance event of its
   * resource (the breadcrumb), down to raw inputs, work, equipment and cited designs.
   */
  trace(resource: string): SupplyTree {
    const id = resource.toLowerCase();
    const list = this.eventsOn(id);
    const start = [...list].reverse().find((v) => PROVENANCE.has(v.action)) ?? list.at(-1);
    return this.walk(
      "trace",
      id,
      start ? [start] : [],
      (v) => {
        const r = v.entry.record;
        const children: Child[] = [];
        if (r.side === 2 && r.process !== ZeroHash) children.push({ process: r.process, of: v });
        if (r.resource !== ZeroHash && !(r.side === 2 && PAIRED_OUTPUT.has(v.action) && r.process !== ZeroHash)) {
          const prev = this.previousProvenance(r.resource, v.id);
          if (prev) children.push({ event: prev, of: v });
        }
        return children;
      },
      (p) => this.eventsIn("inputs", p),
    );
  }

  /**
   * Track (forwards): from the resource's first event, each event goes to the uses of the
   * resource that follow it (into processes, which go to their outputs) and to its next
   * provenance event, to what it became.
   */
  track(resource: string): SupplyTree {
    const id = resource.toLowerCase();
    const list = this.eventsOn(id);
    return this.walk(
      "track",
      id,
      list.length ? [list[0]] : [],
      (v) => {
        const r = v.entry.record;
        const children: Child[] = [];
        if (r.side === 1 && r.process !== ZeroHash) children.push({ process: r.process, of: v });
        if (r.resource !== ZeroHash && (PROVENANCE.has(v.action) || v === list[0])) {
          const { uses, next } = this.nextWindow(r.resource, v.id);
          for (const u of uses) children.push({ event: u, of: v });
          // The next form of the resource, unless it came out of a process it just went into (the
          // paired output is reached through that process).
          const viaProcess = next && uses.some((u) => u.entry.record.process !== ZeroHash && u.entry.record.process === next.entry.record.process);
          if (next && !viaProcess) children.push({ event: next, of: v });
        }
        return children;
      },
      (p) => this.eventsIn("outputs", p),
    );
  }

  /** Depth-first with an explicit stack (no recursion limit) and a visited set (merges, cycles). */
  private walk(
    direction: "trace" | "track",
    resource: string,
    starts: EntryView[],
    next: (v: EntryView) => Child[],
    processEvents: (p: string) => EntryView[],
  ): SupplyTree {
    const root: SupplyNode = { kind: "resource", key: `r:${resource}`, resource, children: [] };
    const hops = new Map<bigint, Hop>();
    const processes = new Set<string>();
    const edges: [string, string][] = [];
    const seen = new Set<string>();
    const stack: { node: SupplyNode; expand: () => Child[] }[] = [];
    const attach = (parent: SupplyNode, child: Child) => {
      const key = "process" in child ? `p:${child.process}` : `e:${child.event.id}`;
      // Flow direction: in a trace the child flowed into the parent; in a track, out of it.
      if (parent.kind !== "resource") edges.push(direction === "trace" ? [key, parent.key] : [parent.key, key]);
      if (seen.has(key)) {
        parent.children.push({ kind: "seen", key: `${key}@${parent.key}`, ref: key, children: [] });
        return;
      }
      seen.add(key);
      if ("process" in child) {
        const node: SupplyNode = { kind: "process", key, process: child.process, children: [] };
        processes.add(child.process);
        parent.children.push(node);
        stack.push({ node, expand: () => processEvents(child.process).map((event) => ({ event, of: child.of })) });
      } else {
        const hop = hopOf(child.event);
        hops.set(hop.id, hop);
        const node: SupplyNode = { kind: "event", key, hop, children: [] };
        parent.children.push(node);
        stack.push({ node, expand: () => next(child.event) });
      }
    };
    for (const s of starts) attach(root, { event: s, of: s });
    // Children are attached when their parent is expanded; the parent's list keeps their order.
    while (stack.length) {
      const { node, expand } = stack.pop()!;
      const children = expand();
      const before = stack.length;
      for (const c of children) attach(node, c);
      // Expand in order of appearance (depth first, first child first).
      const added = stack.splice(before);
      for (let i = added.length - 1; i >= 0; i--) stack.push(added[i]);
    }
    return { direction, root, hops, processes, edges };
  }
}

type Child = { event: EntryView; of: EntryView } | { process: string; of: EntryView };

/** How many rounds of reads `walkReading` makes at most. */
export const MAX_WALK_ROUNDS = 1_000;

/** Entries that name some resources or processes (every entry naming each, whatever its flow or state). */
export type SupplyLoader = (want: { resources: readonly string[]; processes: readonly string[] }) => Promise<readonly EntryView[]>;

/**
 * The trace or track of `resource` from only the entries it walks through, loaded as the walk asks
 * for them (the indexer's entries of one resource or process): the walk runs on what is loaded,
 * then again once the resources and processes it looked up are loaded, until it looks up nothing
 * new. Each lookup then saw every event of that resource or process, so the tree is the one the
 * whole ledger gives. `tree` is undefined when no standing event names the resource. `views` are
 * the entries loaded (the resource's own events among them).
 */
export async function walkReading(
  direction: "trace" | "track",
  resource: string,
  load: SupplyLoader,
): Promise<{ tree?: SupplyTree; views: EntryView[]; rounds: number }> {
  const id = resource.toLowerCase();
  const views = new Map<bigint, EntryView>();
  const loaded = { resources: new Set<string>(), processes: new Set<string>() };
  for (let rounds = 1; ; rounds++) {
    // A real walk ends after as many rounds as its longest path has hops; a loader that keeps answering new processes does not.
    if (rounds > MAX_WALK_ROUNDS) throw new Error(`the ${direction} of ${resource} did not end after ${MAX_WALK_ROUNDS} rounds of reads`);
    const graph = new SupplyGraph([...views.values()]);
    const tree = graph.has(id) ? graph[direction](id) : undefined;
    const resources = [...graph.touched.resources].filter((r) => !loaded.resources.has(r));
    const processes = [...graph.touched.processes].filter((p) => !loaded.processes.has(p));
    if (resources.length === 0 && processes.length === 0) return { tree, views: [...views.values()].sort((a, b) => (a.id < b.id ? -1 : 1)), rounds };
    for (const v of await load({ resources, processes })) views.set(v.id, v);
    for (const r of resources) loaded.resources.add(r);
    for (const p of processes) loaded.processes.add(p);
  }
}

// ------------------------------------------------------------------ output

export interface Labels {
  /** A readable name for a bytes32 id (resource, spec, process), when one is known. */
  name(id: string): string | undefined;
}

/** A label list as data/labels.json holds it (a JSON array of non-empty strings), or why it is not one. */
export function parseLabelList(json: unknown): string[] | { error: string } {
  if (!Array.isArray(json)) return { error: "must be a JSON array of non-empty strings" };
  const bad = json.findIndex((x) => typeof x !== "string" || x.length === 0);
  if (bad >= 0) return { error: `item ${bad} is ${JSON.stringify(json[bad])}, not a non-empty string (a JSON array of non-empty strings is expected)` };
  return json as string[];
}

/** Names for the ids the labels hash to (labelId: keccak256 of the label's UTF-8 bytes). */
export function labelsFromList(list: readonly string[]): Labels {
  const names = new Map<string, string>();
  for (const label of list) names.set(labelId(label), label);
  return { name: (id: string) => names.get(id.toLowerCase()) };
}

export const shortHex = (hex: string) => (hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex);

function describeHop(h: Hop, labels?: Labels): string {
  const what =
    h.resource !== ZeroHash
      ? (labels?.name(h.resource) ?? shortHex(h.resource))
      : h.resourceSpec !== ZeroHash
        ? `spec ${labels?.name(h.resourceSpec) ?? shortHex(h.resourceSpec)}`
        : "";
  const v = h.verified ? (h.verified.ok ? " ✓ verified" : ` ✗ ${h.verified.signature !== "ok" ? h.verified.signature : h.verified.inclusion}`) : "";
  const consent = h.consent === "none" ? "" : h.consent === "one-sided" ? " (unconfirmed)" : ` (${h.consent} by ${shortHex(h.receiver)})`;
  return `#${h.id} ${h.action} ${h.quantity} ${h.unit}${what ? ` ${what}` : ""} by ${shortHex(h.signer)} ${h.time.slice(0, 16)} [${h.state}]${consent} tx ${shortHex(h.transactionHash)}${v}`;
}

const MAX_INDENT = 40;

/** The tree as indented text (iterative: deep chains print without recursion). */
export function formatTree(tree: SupplyTree, labels?: Labels): string {
  const lines: string[] = [];
  const rootName = labels?.name((tree.root as { resource: string }).resource);
  lines.push(`${tree.direction} ${(tree.root as { resource: string }).resource}${rootName ? ` (${rootName})` : ""}`);
  const stack: { node: SupplyNode; prefix: string; last: boolean; depth: number }[] = [];
  const push = (children: SupplyNode[], prefix: string, depth: number) => {
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], prefix, last: i === children.length - 1, depth });
  };
  push(tree.root.children, "", 0);
  while (stack.length) {
    const { node, prefix: full, last, depth } = stack.pop()!;
    // Beyond MAX_INDENT levels the indentation is replaced by the depth, so deep chains stay readable (and linear).
    const prefix = depth > MAX_INDENT ? `[depth ${depth}] ` : full;
    let text: string;
    if (node.kind === "event") text = describeHop(node.hop, labels);
    else if (node.kind === "process") text = `process ${labels?.name(node.process) ?? shortHex(node.process)}`;
    else if (node.kind === "seen")
      text = `(see ${node.ref.startsWith("p:") ? `process ${labels?.name(node.ref.slice(2)) ?? shortHex(node.ref.slice(2))}` : `#${node.ref.slice(2)}`} above)`;
    else text = node.resource;
    lines.push(`${prefix}${last ? "└─ " : "├─ "}${text}`);
    push(node.children, depth >= MAX_INDENT ? "" : prefix + (last ? "   " : "│  "), depth + 1);
  }
  return lines.join("\n");
}

/** JSON-ready tree (bigints as strings); iterative, so deep chains do not overflow the stack. */
export function treeToJson(tree: SupplyTree): unknown {
  const convert = (n: SupplyNode): Record<string, unknown> => {
    const base: Record<string, unknown> = { kind: n.kind };
    if (n.kind === "event") Object.assign(base, { ...n.hop, id: n.hop.id.toString() });
    if (n.kind === "process") base.process = n.process;
    if (n.kind === "resource") base.resource = n.resource;
    if (n.kind === "seen") base.ref = n.ref;
    base.children = [];
    return base;
  };
  const out = convert(tree.root);
  const stack: [SupplyNode, Record<string, unknown>][] = [[tree.root, out]];
  while (stack.length) {
    const [n, o] = stack.pop()!;
    for (const c of n.children) {
      const co = convert(c);
      (o.children as unknown[]).push(co);
      stack.push([c, co]);
    }
  }
  return { direction: tree.direction, events: tree.hops.size, processes: tree.processes.size, root: out };
}

const dotString = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

/** Graphviz DOT: events as boxes, processes as ellipses, edges in the direction things flowed. */
export function treeToDot(tree: SupplyTree, labels?: Labels): string {
  const lines = [`digraph ${tree.direction} {`, "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];'];
  for (const h of tree.hops.values()) {
    const label = `#${h.id} ${h.action}\n${h.quantity} ${h.unit}${h.resource !== ZeroHash ? `\n${labels?.name(h.resource) ?? shortHex(h.resource)}` : ""}\n${h.state}${h.verified ? (h.verified.ok ? " ✓" : " ✗") : ""}`;
    lines.push(
      `  ${dotString(`e:${h.id}`)} [shape=box, label=${dotString(label)}${h.state === "disputed" || (h.verified && !h.verified.ok) ? ", color=red" : ""}];`,
    );
  }
  for (const p of tree.processes)
    lines.push(`  ${dotString(`p:${p}`)} [shape=ellipse, style=filled, fillcolor="#eeeeee", label=${dotString(labels?.name(p) ?? shortHex(p))}];`);
  const unique = new Set(tree.edges.map(([a, b]) => `  ${dotString(a)} -> ${dotString(b)};`));
  lines.push(...unique, "}");
  return lines.join("\n");
}

// ------------------------------------------------------------------ needs (stigmergy)
//
// A need is an intent (flow "need"); people answer it with commitments (flow "commitment", a
// promise) whose `satisfies` names it, and events fulfil either the commitment or the need itself.
// The chain is read one level deep: need <- commitment <- event, and need <- event. A commitment
// that names another commitment, or an event that names such a commitment, is not a link of any
// need's chain (it is listed where it points, and counts nowhere). Corrections are followed: a
// link to a corrected entry is a link to the correction that replaced it. Links must point back
// (the contract refuses a link to an id that does not exist yet), so a link to a missing or later
// id is ignored; that also makes cycles impossible.

export interface NeedSatisfier {
  id: bigint;
  /** "event" fulfils; a commitment (or any other intent) only promises. */
  flow: FlowName;
  action: ActionName;
  quantity: bigint;
  unit: string;
  agent: string;
  state: EntryStateName;
  /** Whether it reduces the need's open quantity, and why not. */
  counted: boolean;
  reason?: string;
}

/** A commitment whose `satisfies` names a need: a promise, and what has fulfilled it so far. */
export interface NeedCommitment {
  id: bigint;
  action: ActionName;
  /** The committer (the commitment's provider, else its receiver). */
  agent: string;
  quantity: bigint;
  unit: string;
  /** When it is promised (the commitment's `time`), unix seconds. */
  due: bigint;
  state: EntryStateName;
  /** Whether it counts toward the need's `committed`, and why not (voided, disputed, another unit). */
  counted: boolean;
  reason?: string;
  /** Promised for after the need is due: counted as committed, but it does not cover the need in time. */
  late: boolean;
  /** Standing, undisputed events in the commitment's unit that satisfy it. */
  fulfilled: bigint;
  /** What is still to deliver: quantity - fulfilled, at least 0. */
  open: bigint;
  /** Entries whose `satisfies` names the commitment; `counted`: toward the need (in the need's unit). */
  satisfiers: NeedSatisfier[];
}

export interface NeedView {
  /** The standing need entry (the latest correction of the need first published). */
  id: bigint;
  view: EntryView;
  action: ActionName;
  agent: string;
  commons: string;
  resource: string;
  resourceSpec: string;
  process: string;
  unit: string;
  quantity: bigint;
  /** Counted events, whether they name the need or one of its commitments. */
  satisfied: bigint;
  open: bigint;
  /** Due time (the need's `time`), unix seconds. */
  due: bigint;
  expired: boolean;
  /** Entries whose `satisfies` names the need itself (events, and commitments listed again in `commitments`). */
  satisfiers: NeedSatisfier[];
  /** Standing commitments that name the need (counted or not), in ledger order. */
  commitments: NeedCommitment[];
  /** Total of the counted commitments, at most the need's quantity. */
  committed: bigint;
  /** Present when the need is a plan signal: a planned output (action produce, side output, a process). */
  signal?: { process: string; book: string };
}

const SIDE_OUTPUT = 2;

/**
 * Needs (intents with flow "need") and how far the entries that satisfy them (record.satisfies =
 * the need's id) have met them. Only standing events count (a correction replaces its entry,
 * corrected entries and voids count nothing), and only in the need's unit. A satisfier that points
 * at a need which was later corrected counts toward the correction that replaced it.
 *
 * Commitments that name a need are its `commitments`; one counts toward `committed` when it
 * stands, is not void nor disputed, and is in the need's unit. An event that names a commitment of
 * the need counts toward the need by the same rule as an event naming the need (each event has one
 * `satisfies`, so it counts once), and toward the commitment's `fulfilled` in the commitment's unit.
 * Anyone may commit or record an event: neither a stranger's commitment nor a promise of any kind
 * marks a need met, only standing undisputed events in its unit do.
 */
export function deriveNeeds(views: readonly EntryView[], now: bigint): NeedView[] {
  const byId = new Map(views.map((v) => [v.id, v]));
  const replacedBy = new Map<bigint, bigint>();
  for (const v of views) {
    const c = v.entry.record.corrects;
    if (c !== 0n && c < v.id) replacedBy.set(c, v.id);
  }
  const standing = (id: bigint): bigint => {
    let cur = id;
    // Corrections point back, so each step goes to a higher id: the walk ends.
    for (let next = replacedBy.get(cur); next !== undefined && next > cur; next = replacedBy.get(cur)) cur = next;
    return cur;
  };
  /** The standing entry a link names, or undefined for no link or a link to a missing or later id. */
  const linked = (v: EntryView): bigint | undefined => {
    const target = v.entry.record.satisfies;
    return target !== 0n && target < v.id && byId.has(target) ? standing(target) : undefined;
  };
  const needs = new Map<bigint, NeedView>();
  for (const v of views) {
    if (v.flow !== "need" || v.state === "corrected" || v.entry.record.quantity === 0n) continue;
    const r = v.entry.record;
    const signal = v.action === "produce" && r.side === SIDE_OUTPUT && r.process !== ZeroHash ? { process: r.process, book: r.evidence } : undefined;
    needs.set(v.id, {
      id: v.id,
      view: v,
      action: v.action,
      agent: v.agent,
      commons: r.commons,
      resource: r.resource,
      resourceSpec: r.resourceSpec,
      process: r.process,
      unit: v.unit,
      quantity: r.quantity,
      satisfied: 0n,
      open: r.quantity,
      due: r.time,
      expired: r.time < now,
      satisfiers: [],
      commitments: [],
      committed: 0n,
      ...(signal ? { signal } : {}),
    });
  }
  // The commitments of each need: standing commitments whose link resolves to a standing need.
  const commitments = new Map<bigint, { need: NeedView; c: NeedCommitment }>();
  for (const v of views) {
    if (v.flow !== "commitment" || v.state === "corrected") continue;
    const target = linked(v);
    const need = target === undefined ? undefined : needs.get(target);
    if (!need) continue;
    const r = v.entry.record;
    const c: NeedCommitment = {
      id: v.id,
      action: v.action,
      agent: v.agent,
      quantity: r.quantity,
      unit: v.unit,
      due: r.time,
      state: v.state,
      counted: false,
      late: r.time > need.due,
      fulfilled: 0n,
      open: r.quantity,
      satisfiers: [],
    };
    if (r.quantity === 0n) c.reason = "voided";
    else if (v.unit !== need.unit) c.reason = `unit "${v.unit}" is not the need's "${need.unit}"`;
    else if (v.state === "disputed") c.reason = "disputed";
    else c.counted = true;
    need.commitments.push(c);
    commitments.set(v.id, { need, c });
  }
  // Satisfiers, each counted at most once: toward the need it names, or the need of the commitment it names.
  for (const v of views) {
    const target = linked(v);
    if (target === undefined) continue;
    const direct = needs.get(target);
    const via = direct ? undefined : commitments.get(target);
    const need = direct ?? via?.need;
    if (!need) continue;
    const q = v.entry.record.quantity;
    const s: NeedSatisfier = { id: v.id, flow: v.flow, action: v.action, quantity: q, unit: v.unit, agent: v.agent, state: v.state, counted: false };
    const fulfils = v.state !== "corrected" && q !== 0n && v.flow === "event" && v.state !== "disputed";
    if (v.state === "corrected") s.reason = `corrected by #${v.correctedBy}`;
    else if (q === 0n) s.reason = "voided";
    else if (v.flow !== "event") s.reason = `a ${v.flow} promises, it does not fulfil`;
    else if (v.unit !== need.unit) s.reason = `unit "${v.unit}" is not the need's "${need.unit}"`;
    else if (v.state === "disputed") s.reason = "disputed";
    else {
      s.counted = true;
      need.satisfied += q;
    }
    if (via) {
      if (fulfils && v.unit === via.c.unit) via.c.fulfilled += q;
      via.c.satisfiers.push(s);
    } else need.satisfiers.push(s);
  }
  for (const n of needs.values()) {
    n.open = n.satisfied >= n.quantity ? 0n : n.quantity - n.satisfied;
    let committed = 0n;
    for (const c of n.commitments) {
      c.open = c.fulfilled >= c.quantity ? 0n : c.quantity - c.fulfilled;
      if (c.counted) committed += c.quantity;
    }
    n.committed = committed > n.quantity ? n.quantity : committed;
  }
  return [...needs.values()];
}

/**
 * The need an entry id names (the id of any of its versions: a link to a corrected need counts
 * toward the correction that replaced it), as deriveNeeds derives it from `views`; or why there is
 * none, in a sentence. `views` may be the whole ledger or the indexer's /needs/<id> answer.
 */
export function needOf(views: readonly EntryView[], id: bigint, now: bigint): { need: NeedView } | { problem: string } {
  const byId = new Map(views.map((v) => [v.id, v]));
  const asked = byId.get(id);
  const a = (flow: string) => `${/^[aeiou]/.test(flow) ? "an" : "a"} ${flow}`;
  if (!asked) return { problem: `there is no entry ${id}` };
  if (asked.flow !== "need") return { problem: `entry ${id} is ${a(asked.flow)}, not a need` };
  let standing = asked;
  // Corrections point forward (a correction has a higher id than what it corrects): the walk ends.
  for (let next = byId.get(standing.correctedBy); standing.correctedBy > standing.id && next; next = byId.get(standing.correctedBy)) standing = next;
  const need = deriveNeeds(views, now).find((n) => n.id === standing.id);
  if (need) return { need };
  if (standing.flow !== "need") return { problem: `need ${id} was corrected into ${a(standing.flow)} (entry ${standing.id})` };
  return { problem: `need ${id} was withdrawn: entry ${standing.id}, which corrected it, asks for nothing` };
}

/** Open needs: not fully satisfied and not past due. */
export const isOpen = (n: NeedView): boolean => n.open > 0n && !n.expired;

/** What of a need's open quantity no counted commitment still promises (whatever their due). */
export function uncommittedOf(n: NeedView): bigint {
  let promised = 0n;
  for (const c of n.commitments) if (c.counted) promised += c.open;
  return n.open > promised ? n.open - promised : 0n;
}

/** Whether a need is a plan signal (a planned output of a process: action produce, side output). */
export const isPlanSignal = (n: NeedView): boolean => n.signal !== undefined;

/** How a need stands, worst first (the order a coordinator reads them in). */
export const NEED_STATUSES = ["behind", "uncommitted", "partly committed", "committed", "expired", "met"] as const;
export type NeedStatus = (typeof NEED_STATUSES)[number];

/** A need is still to do unless it is met or expired (a plan signal past due is behind, not expired). */
export const stillToDo = (s: NeedStatus): boolean => s !== "met" && s !== "expired";

/**
 * Where a need stands at `now`:
 * - "met": nothing open.
 * - past due and not met: "behind" when it is a plan signal or someone took it up (a counted
 *   commitment or a counted event), else "expired" (nobody answered); "expired" too when it is more
 *   than `periodSeconds` past due (a rolling plan supersedes its intents every period, so one left
 *   over is stale).
 * - not due yet, for what is still open: "committed" when what counted commitments still promise in
 *   time (due by the need's due and not past their own due) covers it; else "behind" when a counted
 *   commitment is past its own due with something still open; else "partly committed" when some of
 *   it is promised in time, else "uncommitted" (what was delivered already is not a promise).
 * A stranger's promise can make a need look "committed" only until the promise falls due; a late
 * or broken promise makes it "behind" only when the others do not cover it.
 */
export function needStatus(n: NeedView, now: bigint, periodSeconds?: number | bigint): NeedStatus {
  if (n.open === 0n) return "met";
  if (n.due < now) {
    if (periodSeconds !== undefined && now - n.due > BigInt(periodSeconds)) return "expired";
    const takenUp = n.satisfied > 0n || n.commitments.some((c) => c.counted);
    return n.signal !== undefined || takenUp ? "behind" : "expired";
  }
  let promised = 0n;
  let broken = false;
  for (const c of n.commitments) {
    if (!c.counted || c.open === 0n) continue;
    if (c.due < now) broken = true;
    else if (!c.late) promised += c.open;
  }
  if (promised >= n.open) return "committed";
  if (broken) return "behind";
  return promised > 0n ? "partly committed" : "uncommitted";
}

/** The plan signals of one process (one output spec and unit, one publisher, one commons), summed. */
export interface ProcessSignal {
  process: string;
  resourceSpec: string;
  unit: string;
  commons: string;
  /** Who published the signals (their receiver: the coordinator). */
  coordinator: string;
  /** The intents, by due. */
  needs: bigint[];
  planned: bigint;
  /** Counted commitments (each intent's `committed`). */
  committed: bigint;
  /** Counted events, at most each intent's quantity. */
  done: bigint;
  open: bigint;
  /** Earliest due of the intents not met yet (of all of them when every one is met). */
  due: bigint;
  /** The worst status of its intents. */
  status: NeedStatus;
  /** The intents that are behind. */
  behind: bigint[];
}

/**
 * Plan signals summed per process, worst first (then earliest due): a coordinator sees at a glance
 * which processes are behind. Signals of different publishers, commons, output specs or units are
 * never summed together, so a stranger's "plan signal" for the same process is a row of its own.
 */
export function processSignals(needs: readonly NeedView[], now: bigint, periodSeconds?: number | bigint): ProcessSignal[] {
  const rank = (s: NeedStatus) => NEED_STATUSES.indexOf(s);
  const rows = new Map<string, ProcessSignal>();
  /** Rows whose `due` is already that of an intent not met (the intents come in due order). */
  const dueOpen = new Set<ProcessSignal>();
  const sorted = [...needs].filter((n) => n.signal !== undefined).sort((a, b) => (a.due !== b.due ? (a.due < b.due ? -1 : 1) : a.id < b.id ? -1 : 1));
  for (const n of sorted) {
    const key = [n.commons, n.agent.toLowerCase(), n.process, n.resourceSpec, n.unit].join(":");
    const status = needStatus(n, now, periodSeconds);
    let row = rows.get(key);
    if (!row) {
      row = {
        process: n.process,
        resourceSpec: n.resourceSpec,
        unit: n.unit,
        commons: n.commons,
        coordinator: n.agent,
        needs: [],
        planned: 0n,
        committed: 0n,
        done: 0n,
        open: 0n,
        due: n.due,
        status,
        behind: [],
      };
      rows.set(key, row);
    }
    row.needs.push(n.id);
    row.planned += n.quantity;
    row.committed += n.committed;
    row.done += n.satisfied > n.quantity ? n.quantity : n.satisfied;
    row.open += n.open;
    if (rank(status) < rank(row.status)) row.status = status;
    if (status === "behind") row.behind.push(n.id);
    if (n.open > 0n && !dueOpen.has(row)) {
      row.due = n.due;
      dueOpen.add(row);
    }
  }
  return [...rows.values()].sort((a, b) =>
    a.status !== b.status
      ? rank(a.status) - rank(b.status)
      : a.due !== b.due
        ? a.due < b.due
          ? -1
          : 1
        : a.process < b.process
          ? -1
          : a.process > b.process
            ? 1
            : 0,
  );
}
