// Whether the browser has been idle once since the app started. The parts of the layout that no
// first page waits for (the wallet panel, the chain's block number and its banners) render from then
// on, so that their work (wagmi's hooks, the block polling) fills the pauses of a first visit
// instead of holding up its first figures. At most a second after the start, idle or not.
import { useSyncExternalStore } from "react";
import { createSignal } from "../lib/signal";

const idle = createSignal(false);
const whenIdle = (callback: () => void) =>
  typeof requestIdleCallback === "function" ? requestIdleCallback(callback, { timeout: 1_000 }) : setTimeout(callback, 200);
whenIdle(() => idle.set(true));

export function useWhenIdle(): boolean {
  return useSyncExternalStore(idle.subscribe, idle.get);
}
