// Commons names for the pages that show a commons by its name. The accounts' totals are computed
// by scripts/lib/core/views.ts (`totals`), the same rule as the CLI's `commons accounts`.
import { registrationNames } from "@core/directory.js";
import type { LedgerEvents } from "@core/reader.js";

/** Commons names from CommonsRegistered events (core/directory.ts reads them). */
export function commonsNames(events: LedgerEvents | undefined): Map<string, string> {
  return new Map(registrationNames(events).map((c) => [c.commons.toLowerCase(), c.name]));
}
