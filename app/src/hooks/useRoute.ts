import { useSyncExternalStore } from "react";
import { parseHash } from "../lib/router";
import type { Location } from "../lib/router";

const subscribe = (onChange: () => void) => {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
};

/** The current hash route. */
export function useRoute(): Location {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseHash(hash);
}
