// A trace or track as a picture: its events and processes laid out top to bottom in the direction
// things flowed (dagre, a well-kept layered graph layout), each event with who signed it (by name),
// its state, and whether it was verified; and the same picture as a standalone SVG document for the
// CLI (`commons trace … --svg FILE`), with no graphviz needed. Browser-safe: the app's Trace page
// draws the same layout with React.
import dagre from "@dagrejs/dagre";
import type { EdgeLabel, GraphLabel, NodeLabel } from "@dagrejs/dagre";
import { ZeroHash } from "ethers";
import { agentLabel, NO_NAMES } from "../core/directory.js";
import type { Names } from "../core/directory.js";
import { shortHex } from "./supply.js";
import type { Hop, Labels, SupplyTree } from "./supply.js";

/** How a node is drawn: an event's verification marks it green (verified) or red (failed), a disputed event red. */
export type NodeTone = "plain" | "verified" | "failed" | "disputed" | "process";

export interface LaidOutNode {
  key: string;
  kind: "event" | "process";
  /** Lines of text, the first in bold. */
  lines: string[];
  tone: NodeTone;
  /** The event's id, for a link to its entry. */
  entryId?: bigint;
  /** Centre, and size. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidOutEdge {
  from: string;
  to: string;
  points: { x: number; y: number }[];
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
}

const LINE = 15;
const CHAR = 6.6;
const PAD = 10;

function eventLines(h: Hop, labels: Labels | undefined, names: Names): string[] {
  const lines = [`#${h.id} ${h.action} ${h.quantity} ${h.unit}`];
  if (h.resource !== ZeroHash) lines.push(labels?.name(h.resource) ?? shortHex(h.resource));
  lines.push(`by ${agentLabel(names, h.signer)}`);
  lines.push(`${h.state}${h.verified ? (h.verified.ok ? " · verified ✓" : " · FAILED ✗") : ""}`);
  return lines;
}

function toneOf(h: Hop): NodeTone {
  if (h.verified && !h.verified.ok) return "failed";
  if (h.state === "disputed") return "disputed";
  return h.verified?.ok ? "verified" : "plain";
}

/** Lays out a trace or track tree: events and processes as boxes, edges in the direction things flowed. */
export function layoutTree(tree: SupplyTree, labels?: Labels, names: Names = NO_NAMES): GraphLayout {
  const g = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>();
  g.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 36, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const nodes = new Map<string, Omit<LaidOutNode, "x" | "y">>();
  const add = (n: Omit<LaidOutNode, "x" | "y" | "width" | "height">) => {
    const width = Math.ceil(Math.max(...n.lines.map((l) => l.length)) * CHAR + 2 * PAD);
    const height = n.lines.length * LINE + 2 * PAD;
    nodes.set(n.key, { ...n, width, height });
    g.setNode(n.key, { width, height });
  };
  for (const h of tree.hops.values()) add({ key: `e:${h.id}`, kind: "event", lines: eventLines(h, labels, names), tone: toneOf(h), entryId: h.id });
  for (const p of tree.processes) add({ key: `p:${p}`, kind: "process", lines: [labels?.name(p) ?? shortHex(p)], tone: "process" });
  const seen = new Set<string>();
  for (const [a, b] of tree.edges) {
    if (!nodes.has(a) || !nodes.has(b) || seen.has(`${a}>${b}`)) continue;
    seen.add(`${a}>${b}`);
    g.setEdge(a, b);
  }
  dagre.layout(g);
  const graph = g.graph();
  return {
    width: Math.ceil(graph.width ?? 0),
    height: Math.ceil(graph.height ?? 0),
    nodes: [...nodes.values()].map((n) => {
      const p = g.node(n.key);
      return { ...n, x: p.x ?? 0, y: p.y ?? 0 };
    }),
    edges: g.edges().map((e: { v: string; w: string }) => ({
      from: e.v,
      to: e.w,
      points: (g.edge(e).points ?? []).map((p: { x: number; y: number }) => ({ x: p.x, y: p.y })),
    })),
  };
}

/** Fill and stroke of each tone (the app's palette). */
export const TONES: Record<NodeTone, { fill: string; stroke: string }> = {
  plain: { fill: "#ffffff", stroke: "#23413a" },
  verified: { fill: "#e8f3ee", stroke: "#1f7a4d" },
  failed: { fill: "#fbeaea", stroke: "#b5483f" },
  disputed: { fill: "#fbeaea", stroke: "#b5483f" },
  process: { fill: "#eeeeee", stroke: "#8a8a8a" },
};

const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** An edge's path through its points. */
export const edgePath = (points: readonly { x: number; y: number }[]) => points.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");

/** A standalone SVG document of a layout (every text escaped), with a title. */
export function layoutSvg(layout: GraphLayout, title: string): string {
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height + 28}" viewBox="0 -28 ${layout.width} ${layout.height + 28}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<title>${xml(title)}</title>`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8a8a8a"/></marker></defs>`,
    `<text x="12" y="-10" font-size="13" font-weight="bold">${xml(title)}</text>`,
  ];
  for (const e of layout.edges) out.push(`<path d="${edgePath(e.points)}" fill="none" stroke="#8a8a8a" stroke-width="1.2" marker-end="url(#arrow)"/>`);
  for (const n of layout.nodes) {
    const { fill, stroke } = TONES[n.tone];
    const x = n.x - n.width / 2;
    const y = n.y - n.height / 2;
    out.push(
      `<g data-key="${xml(n.key)}"><rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${n.width}" height="${n.height}" rx="${n.kind === "process" ? 14 : 4}" fill="${fill}" stroke="${stroke}"/>`,
    );
    n.lines.forEach((line, i) =>
      out.push(`<text x="${(x + PAD).toFixed(1)}" y="${(y + PAD + LINE * (i + 0.75)).toFixed(1)}"${i === 0 ? ' font-weight="bold"' : ""}>${xml(line)}</text>`),
    );
    out.push("</g>");
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}

export { PAD as NODE_PAD, LINE as NODE_LINE };
