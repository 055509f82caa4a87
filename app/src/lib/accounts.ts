// Commons names for the pages that show a commons by its name. The accounts' totals are computed
// by scripts/lib/core/views.ts (`totals`), the same rule as the CLI's `commons accounts`.
import type { LedgerEvents } from "@core/reader.js";

/** Commons names from CommonsRegistered events. */
export function commonsNames(events: LedgerEvents | undefined): Map<string, string> {
  const names = new Map<string, string>();
  for (const e of events?.all ?? []) if (e.name === "CommonsRegistered") names.set(String(e.args.commons).toLowerCase(), String(e.args.name));
  return names;
}
