// The accounts page's bar chart (recharts), in its own chunk: the page shows its totals and table
// first and draws the chart once this module has loaded.
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface TotalsBar {
  group: string;
  claimed: number;
  accepted: number;
  disputed: number;
}

export default function TotalsChart({ data, unit }: { data: readonly TotalsBar[]; unit: string | undefined }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={[...data]}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="group" />
        <YAxis />
        <Tooltip />
        <Legend />
        <Bar dataKey="claimed" name={`claimed (${unit})`} fill="#9bb8ad" isAnimationActive={false} />
        <Bar dataKey="accepted" name={`accepted (${unit})`} fill="#23413a" isAnimationActive={false} />
        <Bar dataKey="disputed" name={`disputed (${unit})`} fill="#b5483f" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
