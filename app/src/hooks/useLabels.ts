// Names for resource, spec and process ids: the labels `npm start` serves at ./labels.json (the
// demo seed writes them; each id is the keccak256 of its label, so a name can only be right). No
// file, or a malformed one, means ids are shown shortened; the reason is kept for a title.
import { useQuery } from "@tanstack/react-query";
import { labelsFromList, parseLabelList } from "@supply/supply.js";
import type { Labels } from "@supply/supply.js";

const NONE: Labels = { name: () => undefined };

async function readLabels(): Promise<{ labels: Labels; problem?: string }> {
  const res = await fetch("./labels.json").catch(() => undefined);
  if (!res || res.status === 404) return { labels: NONE };
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) return { labels: NONE, problem: String((body as { error?: unknown } | undefined)?.error ?? `the server answered ${res.status}`) };
  const list = parseLabelList(body);
  if ("error" in list) return { labels: NONE, problem: `labels.json ${list.error}` };
  return { labels: labelsFromList(list) };
}

export function useLabels(): { labels: Labels; problem?: string } {
  const q = useQuery({ queryKey: ["labels"], queryFn: readLabels, staleTime: 60_000 });
  return q.data ?? { labels: NONE };
}
