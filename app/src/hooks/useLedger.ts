// The ledger of the chain the app reads: its events (refreshed every few seconds, only new blocks
// are fetched) and every entry's state derived from them, as scripts/lib/core/views.ts defines it.
import { useMemo, useSyncExternalStore } from "react";
import { queryOptions, useQuery } from "@tanstack/react-query";
import type { ChainConfig } from "../config";
import { deriveEntries } from "@core/views.js";
import type { EntryView } from "@core/views.js";
import { readLedgerEvents } from "../lib/ledgerReader";
import type { LedgerSnapshot } from "../lib/ledgerReader";
import { createSignal } from "../lib/signal";
import { useAppConfig } from "./useAppConfig";
import { useSource } from "./useSource";

export interface LedgerData {
  snapshot?: LedgerSnapshot;
  views: EntryView[];
  byId: ReadonlyMap<bigint, EntryView>;
  error?: Error;
  loading: boolean;
  /** Share of the block range read so far on the first read (0..1). */
  progress: number;
  /** No Ledger address is known for this chain. */
  missing: boolean;
  refetch(): void;
}

// How far the first read of each ledger has come (0..1), whoever started it (a page, or main.tsx
// before the first page rendered): one value per query, pages subscribe to it.
const progress = createSignal<ReadonlyMap<string, number>>(new Map());
const setProgress = (key: string, value: number) => progress.set(new Map(progress.get()).set(key, value));

/** The ledger's events query (shared by every page; main.tsx starts it before the first page renders). */
export function ledgerQuery(chain: ChainConfig) {
  const ledger = chain.contracts.Ledger;
  const queryKey = ["ledger-events", chain.id, chain.rpcUrl, ledger, chain.fromBlock, chain.indexUrl] as const;
  const progressKey = JSON.stringify(queryKey);
  return queryOptions({
    queryKey,
    queryFn: () =>
      readLedgerEvents({
        rpcUrl: chain.rpcUrl,
        chainId: chain.id,
        ledger: ledger!,
        fromBlock: chain.fromBlock,
        indexUrl: chain.indexUrl,
        finality: chain.local ? 0 : 64,
        onProgress: (done, total) => setProgress(progressKey, total ? done / total : 1),
      }),
    enabled: ledger !== undefined,
    refetchInterval: 2_000,
    retry: false,
    structuralSharing: false,
    meta: { progressKey },
  });
}

/**
 * The whole ledger read from the chain. With `unlessIndexed`, only when the pages read from the
 * chain (useSource): a page that reads through the indexer leaves the whole ledger unread.
 */
export function useLedger(opts: { unlessIndexed?: boolean } = {}): LedgerData {
  const { chain } = useAppConfig();
  const ledger = chain.contracts.Ledger;
  const source = useSource();
  const query = ledgerQuery(chain);
  const wanted = !opts.unlessIndexed || source.kind === "chain";
  const q = useQuery({ ...query, enabled: query.enabled && wanted });
  const progressKey = query.meta!.progressKey as string;
  const shareRead = useSyncExternalStore(progress.subscribe, () => progress.get().get(progressKey) ?? 0);
  const snapshot = q.data;
  const views = useMemo(() => (snapshot ? deriveEntries(snapshot.events) : []), [snapshot]);
  // Built on first use (the Entry and Trace pages look entries up; the others never do).
  const byId = useMemo(() => lazyMap(() => new Map(views.map((v) => [v.id, v]))), [views]);
  return {
    snapshot,
    views,
    byId,
    error: q.error ?? undefined,
    loading: q.isPending && ledger !== undefined && wanted,
    progress: shareRead,
    missing: ledger === undefined,
    refetch: () => void q.refetch(),
  };
}

/** A read-only map built when first read. */
function lazyMap<K, V>(build: () => Map<K, V>): ReadonlyMap<K, V> {
  let map: Map<K, V> | undefined;
  const get = () => (map ??= build());
  return {
    get: (k) => get().get(k),
    has: (k) => get().has(k),
    get size() {
      return get().size;
    },
    forEach: (fn, thisArg) => get().forEach(fn, thisArg),
    entries: () => get().entries(),
    keys: () => get().keys(),
    values: () => get().values(),
    [Symbol.iterator]: () => get()[Symbol.iterator](),
  };
}
