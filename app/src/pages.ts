// Every page: its route, title and place in the menu (pages without one are reached by link only),
// and its module, loaded when the page is first shown (each page is its own chunk, so the first
// page does not wait for the code of the others). A new page is one file in src/pages/ with a
// default-exported component, plus one line here.
import { lazy } from "react";
import type { ComponentType } from "react";
import { match, parseHash } from "./lib/router";
import type { PageDefinition, PageProps } from "./lib/router";

type PageModule = { default: ComponentType<PageProps> };

function page(path: string, title: string, nav: number | undefined, load: () => Promise<PageModule>): PageDefinition {
  return { path, title, nav, Component: lazy(load), load };
}

export const pages: PageDefinition[] = [
  page("accounts", "Accounts", 1, () => import("./pages/AccountsPage")),
  page("entries", "Entries", 2, () => import("./pages/EntriesPage")),
  page("contribute", "Contribute", 3, () => import("./pages/ContributePage")),
  page("reciprocity", "Reciprocity", 5, () => import("./pages/ReciprocityPage")),
  page("trace", "Trace", 6, () => import("./pages/TracePage")),
  page("needs", "Needs", 7, () => import("./pages/NeedsPage")),
  page("simulation", "Simulation", 8, () => import("./pages/SimulationPage")),
  page("distributions", "Distributions", 9, () => import("./pages/DistributionsPage")),
  page("commons", "Commons", 4, () => import("./pages/CommonsPage")),
  page("commons/:id", "Commons", undefined, () => import("./pages/CommonsPage")),
  page("person/:who", "Person", undefined, () => import("./pages/PersonPage")),
  page("entry/:id", "Entry", undefined, () => import("./pages/EntryPage")),
];

/** Starts loading the module of the page at `hash` (main.tsx calls it before the first render). */
export function preloadPage(hash: string): void {
  const path = parseHash(hash).path || "accounts";
  void pages
    .find((p) => match(p.path, path))
    ?.load()
    .catch(() => {});
}

export const navPages = pages.filter((p) => p.nav !== undefined).sort((a, b) => a.nav! - b.nav!);
