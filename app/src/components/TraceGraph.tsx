// The trace as a picture: scripts/lib/supply/graph.ts lays out events and processes top to bottom
// in the direction things flowed (dagre); each event box names its signer and state, links to its
// entry, and turns green once its signature is verified in this browser (red if it fails). Drawn
// as SVG with React (every text escaped).
import { useMemo } from "react";
import type { Names } from "@core/directory.js";
import { edgePath, layoutTree, NODE_LINE, NODE_PAD, TONES } from "@supply/graph.js";
import type { Labels, SupplyTree } from "@supply/supply.js";
import { href } from "../lib/router";

export function TraceGraph({ tree, labels, names, verified }: { tree: SupplyTree; labels: Labels; names: Names; verified: ReadonlyMap<bigint, boolean> }) {
  const layout = useMemo(() => {
    // The browser's own checks stand in for the CLI's --verify.
    const hops = new Map(
      [...tree.hops].map(([id, h]) => [id, verified.has(id) ? { ...h, verified: { ok: verified.get(id)!, signature: "", inclusion: "" } } : h]),
    );
    return layoutTree({ ...tree, hops }, labels, names);
  }, [tree, labels, names, verified]);
  return (
    <div className="trace-graph" data-testid="trace-graph">
      <svg width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} role="img" aria-label="The trace as a graph">
        <defs>
          <marker id="trace-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill="#8a8a8a" />
          </marker>
        </defs>
        {layout.edges.map((e) => (
          <path key={`${e.from}>${e.to}`} d={edgePath(e.points)} fill="none" stroke="#8a8a8a" strokeWidth={1.2} markerEnd="url(#trace-arrow)" />
        ))}
        {layout.nodes.map((n) => {
          const x = n.x - n.width / 2;
          const y = n.y - n.height / 2;
          const box = (
            <g data-node={n.key} data-tone={n.tone}>
              <rect x={x} y={y} width={n.width} height={n.height} rx={n.kind === "process" ? 14 : 4} fill={TONES[n.tone].fill} stroke={TONES[n.tone].stroke} />
              {n.lines.map((line, i) => (
                <text key={i} x={x + NODE_PAD} y={y + NODE_PAD + NODE_LINE * (i + 0.75)} fontSize={11} fontWeight={i === 0 ? "bold" : undefined}>
                  {line}
                </text>
              ))}
            </g>
          );
          return n.entryId !== undefined ? (
            <a key={n.key} href={href(`entry/${n.entryId}`)}>
              {box}
            </a>
          ) : (
            <g key={n.key}>{box}</g>
          );
        })}
      </svg>
    </div>
  );
}
