// Hash routes ("#/entry/7?x=1"): a path pattern with ":param" segments per page.
import type { ComponentType } from "react";

export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

/** A page as src/pages.ts lists it; its component is loaded on first use. */
export interface PageDefinition {
  /** Pattern without the leading slash, e.g. "accounts" or "entry/:id". */
  path: string;
  title: string;
  /** Position in the navigation; pages without it are reachable by link only. */
  nav?: number;
  Component: ComponentType<PageProps>;
  /** Loads the page's module (Component loads it on first render). */
  load(): Promise<unknown>;
}

export interface Location {
  path: string;
  query: URLSearchParams;
}

export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#\/?/, "");
  const [path, search = ""] = raw.split("?");
  return { path: path.replace(/\/+$/, ""), query: new URLSearchParams(search) };
}

export function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return undefined;
  }
  return params;
}

export function href(path: string, query?: Record<string, string>): string {
  const q = query ? new URLSearchParams(query).toString() : "";
  return `#/${path}${q ? `?${q}` : ""}`;
}
