// A distribution as a picture: the income flowing through the equation's buckets to each
// contributor (and what no one was paid), from `distributionFlows`. Recharts' Sankey, in its own
// chunk; amounts in the token's unit, rounded in the labels, exact in the table beside it.
import { Layer, Rectangle, ResponsiveContainer, Sankey, Tooltip } from "recharts";
import type { NodeProps } from "recharts/types/chart/Sankey";

export interface FlowChartData {
  nodes: { name: string; label: string }[];
  links: { source: number; target: number; value: number }[];
}

function FlowNode(props: NodeProps & { containerWidth?: number }) {
  const { x, y, width, height, payload } = props;
  const node = payload as unknown as { label: string; value: number };
  const right = x > 200;
  return (
    <Layer>
      <Rectangle x={x} y={y} width={width} height={height} fill="#23413a" fillOpacity={0.9} />
      <text x={right ? x - 6 : x + width + 6} y={y + height / 2} textAnchor={right ? "end" : "start"} dominantBaseline="middle" fontSize={12} fill="#1d2b27">
        {node.label}
      </text>
    </Layer>
  );
}

export default function DistributionChart({ data }: { data: FlowChartData }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <Sankey data={data} nameKey="label" node={FlowNode} nodePadding={18} link={{ stroke: "#9bb8ad" }} margin={{ top: 10, right: 160, bottom: 10, left: 10 }}>
        <Tooltip />
      </Sankey>
    </ResponsiveContainer>
  );
}
