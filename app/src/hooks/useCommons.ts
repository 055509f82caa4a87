// Who counts in each commons of the ledger the app reads (scripts/lib/core/governance.ts): stewards,
// threshold, appointed validators, quorum rules, proposals, and whether one key runs it.
import { useMemo } from "react";
import { deriveCommons } from "@core/governance.js";
import type { CommonsView } from "@core/governance.js";
import { useChainTime } from "./useChainTime";
import { useGovernanceEvents } from "./useGovernance";

/** Who counts in each commons (`loaded` once the chain's governance events are read: before, `commons` is empty). */
export function useCommons(): { commons: CommonsView[]; byId: ReadonlyMap<string, CommonsView>; loaded: boolean } {
  const { events } = useGovernanceEvents();
  const now = useChainTime().data;
  return useMemo(() => {
    // eslint-disable-next-line react-hooks/purity -- the wall clock only until the chain's time is read; recomputed with it
    const commons = events ? deriveCommons(events, now ?? BigInt(Math.floor(Date.now() / 1000))) : [];
    return { commons, byId: new Map(commons.map((c) => [c.id, c])), loaded: events !== undefined };
  }, [events, now]);
}
