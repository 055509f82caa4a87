// A distribution's money flows (scripts/lib/distribution/value-equation.ts `distributionFlows`) as
// the Sankey chart's data: one node per income, bucket, contributor (by name) and "not paid out",
// each labelled with its amount rounded to what matters.
import { roundAmount } from "@core/amount.js";
import { agentLabel } from "@core/directory.js";
import type { Names } from "@core/directory.js";
import { FLOW_NODES } from "@distribution/value-equation.js";
import type { MoneyFlow } from "@distribution/value-equation.js";
import type { FlowChartData } from "../components/DistributionChart";

export function flowChartData(flows: readonly MoneyFlow[], names: Names, decimals: number, symbol: string): FlowChartData {
  const index = new Map<string, number>();
  const amount = new Map<string, bigint>();
  const inflow = new Map<string, bigint>();
  const outflow = new Map<string, bigint>();
  for (const f of flows) {
    outflow.set(f.from, (outflow.get(f.from) ?? 0n) + f.amount);
    inflow.set(f.to, (inflow.get(f.to) ?? 0n) + f.amount);
  }
  const node = (id: string) => {
    if (!index.has(id)) index.set(id, index.size);
    const v = (inflow.get(id) ?? 0n) > (outflow.get(id) ?? 0n) ? inflow.get(id)! : (outflow.get(id) ?? 0n);
    amount.set(id, v);
    return index.get(id)!;
  };
  // Flows too thin to see (rounding dust: a few wei) are left out of the picture; the table has every digit.
  const income = flows.filter((f) => f.from === FLOW_NODES.income).reduce((s, f) => s + f.amount, 0n);
  const visible = flows.filter((f) => f.amount * 1_000_000n >= income);
  const links = visible.map((f) => ({ source: node(f.from), target: node(f.to), value: Number(f.amount) / 10 ** decimals }));
  const label = (id: string) => {
    const money = `${roundAmount(amount.get(id)!, decimals)} ${symbol}`;
    if (id === FLOW_NODES.income) return `Income ${money}`;
    if (id === FLOW_NODES.unpaid) return `Not paid out ${money}`;
    if (id.startsWith("bucket:")) return `${id.slice("bucket:".length)} ${money}`;
    return `${agentLabel(names, id.slice("account:".length))} ${money}`;
  };
  const nodes = [...index.keys()].map((id) => ({ name: id, label: label(id) }));
  return { nodes, links };
}
