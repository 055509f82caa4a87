// Headless Chromium for the app's e2e tests and benchmark: Debian's chromium driven by
// playwright-core (installed with apt-get when missing; these machines run as root), launched
// with a fresh profile directory and the flags that keep it quiet and fast in a container.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import type { BrowserContext, Page } from "playwright-core";

export const CHROMIUM = process.env.COMMONS_CHROMIUM ?? "/usr/bin/chromium";

/** Installs Debian's chromium if it is not there (needs root and the Debian mirrors). */
export function ensureChromium(log: (line: string) => void = () => {}): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  log(`  ${CHROMIUM} is missing: apt-get install -y chromium (about 35 s)...`);
  execFileSync("apt-get", ["update", "-qq"], { stdio: "ignore", timeout: 180_000 });
  execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], {
    stdio: "ignore",
    timeout: 300_000,
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get install chromium did not provide ${CHROMIUM}`);
  return CHROMIUM;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), "commons-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: ensureChromium(),
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** How many ledgers the app has kept in IndexedDB (app/src/lib/eventCache.ts), read in the page. */
export function storedLedgers(page: Page): Promise<number> {
  return page.evaluate(`new Promise((resolve) => {
    const req = indexedDB.open("commons-ledger");
    req.onsuccess = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains("ledger-index")) { db.close(); return resolve(0); }
      const count = db.transaction("ledger-index").objectStore("ledger-index").count();
      count.onsuccess = () => { db.close(); resolve(count.result); };
      count.onerror = () => { db.close(); resolve(0); };
    };
    req.onerror = () => resolve(0);
  })`) as Promise<number>;
}

/** Waits until the app has kept a ledger in IndexedDB (it does so when the page is idle). */
export async function waitForStoredLedger(page: Page, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await storedLedgers(page)) === 0) {
    if (Date.now() > until) throw new Error(`the app kept nothing in IndexedDB within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
