// The Simulation page's two line charts (recharts), in their own chunk like TotalsChart: unmet
// demand per period (% of that period's demand) and stock held at the end of each period, one line
// per policy (the colours of `commons simulate --svg`).
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { PolicyName } from "../lib/simulation";

const COLORS: Record<PolicyName, string> = { planner: "#1b7837", naive: "#d95f02", none: "#7570b3" };

function Chart(props: { id: string; title: string; data: readonly Record<string, number>[]; policies: readonly PolicyName[]; metric: string; unit: string }) {
  return (
    <figure className="card chart" data-testid={props.id}>
      <figcaption>{props.title}</figcaption>
      <div style={{ height: 260 }}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={[...props.data]}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="period" />
            <YAxis tickFormatter={(v: number) => String(Number(v.toPrecision(3)))} />
            <Tooltip formatter={(v) => (typeof v === "number" ? `${v.toFixed(1)}${props.unit}` : String(v))} labelFormatter={(p) => `period ${p}`} />
            <Legend itemSorter={null} />
            {props.policies.map((p) => (
              <Line key={p} dataKey={`${props.metric}:${p}`} name={p} stroke={COLORS[p]} dot={false} isAnimationActive={false} />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

export default function SimulationCharts({ data, policies }: { data: readonly Record<string, number>[]; policies: readonly PolicyName[] }) {
  return (
    <div className="charts">
      <Chart id="simulation-chart-unmet" title="Unmet demand per period (% of that period's demand)" data={data} policies={policies} metric="unmet" unit=" %" />
      <Chart
        id="simulation-chart-stock"
        title="Stock held at the end of each period (% of a period's output, averaged over products and parts)"
        data={data}
        policies={policies}
        metric="stock"
        unit=" %"
      />
    </div>
  );
}
