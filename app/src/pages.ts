// Every file in src/pages/ that exports `page` is a route; those with `nav` appear in the menu.
import type { PageDefinition } from "./lib/router";

const modules = import.meta.glob<{ page?: PageDefinition }>("./pages/*.tsx", { eager: true });

export const pages: PageDefinition[] = Object.values(modules)
  .map((m) => m.page)
  .filter((p): p is PageDefinition => p !== undefined);

export const navPages = pages.filter((p) => p.nav !== undefined).sort((a, b) => a.nav! - b.nav!);
