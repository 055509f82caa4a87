// The browser app for `npm start` and the e2e tests: builds app/ with Vite when its sources changed
// (a hash of the sources is kept in app/dist/.build-hash) and serves the built files, plus
// /config.json, which tells the app where the local chain, its contracts and the relayer are and
// what its dev accounts are called (so that a fresh chain needs no rebuild; the page gets the same
// JSON inline, so that its first reads wait for no request), /labels.json and
// /ipfs/<cid>: the value equations this machine pins, content-addressed, which the Distributions
// page fetches by the CID a distribution published and checks against it and its hash.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { exportContracts } from "./export-contracts.js";
import { cidOfUri, equationBytes, equationCid } from "../distribution/equation-store.js";
import { readStoredEquation } from "./equations.js";
import { answerIndexRequest, createLedgerIndexer } from "./ledger-indexer.js";
import { parseLabelList } from "../supply/supply.js";
import type { LedgerIndexer } from "./ledger-indexer.js";

export interface AppRuntimeConfig {
  local: {
    chainId: number;
    rpcUrl: string;
    relayerUrl?: string;
    contracts: Record<string, string>;
    fromBlock: number;
    indexUrl?: string;
    /** The Ponder indexer (scripts/indexer/): pages read through it once its head is the Ledger's tip. */
    indexerUrl?: string;
    devKeyNames?: readonly string[];
  };
}

/** Where the server serves the local Ledger's index (ledger-indexer.ts), relative to the app. */
export const INDEX_PATH = "/ledger-index.json";

function filesUnder(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) filesUnder(file, out);
    else out.push(file);
  }
  return out;
}

/** A hash of everything the bundle is made of (the app, the shared core it imports, the lockfile). */
export function appSourceHash(root: string): string {
  const h = createHash("sha256");
  const files = [
    ...filesUnder(path.join(root, "app", "src")),
    path.join(root, "app", "index.html"),
    path.join(root, "app", "vite.config.ts"),
    ...filesUnder(path.join(root, "scripts", "lib")).filter((f) => f.endsWith(".ts")),
    path.join(root, "package-lock.json"),
  ];
  for (const f of files) {
    h.update(path.relative(root, f));
    h.update(readFileSync(f));
  }
  return h.digest("hex");
}

/**
 * Writes the contracts file and builds the app unless app/dist was built from the same sources.
 * Returns whether it built.
 */
export async function ensureAppBuilt(root: string, log: (line: string) => void = () => {}): Promise<{ built: boolean; seconds: number }> {
  const started = performance.now();
  if (!existsSync(path.join(root, "artifacts", "contracts", "Ledger.sol", "Ledger.json"))) {
    log("  compiling the contracts for the app's ABIs (hardhat build)...");
    execFileSync(path.join(root, "node_modules", ".bin", "hardhat"), ["build"], {
      cwd: root,
      stdio: "ignore",
      env: { ...process.env, PATH: `${path.join(root, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}` },
    });
  }
  exportContracts(root);
  const dist = path.join(root, "app", "dist");
  const stamp = path.join(dist, ".build-hash");
  // "production": a build made with NODE_ENV set otherwise (mocha sets "test") bundled React's
  // development build; the stamp of such a build never matches.
  const hash = `${appSourceHash(root)}:production`;
  if (existsSync(stamp) && existsSync(path.join(dist, "index.html")) && readFileSync(stamp, "utf8") === hash) {
    return { built: false, seconds: (performance.now() - started) / 1000 };
  }
  log("  building the app (app/ changed since the last build)...");
  const { build } = await import("vite");
  // Vite bundles React for process.env.NODE_ENV when it is set (mocha sets "test"): always production here.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({ configFile: path.join(root, "app", "vite.config.ts"), logLevel: "warn", mode: "production" });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  writeFileSync(stamp, hash);
  return { built: true, seconds: (performance.now() - started) / 1000 };
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json",
};

export interface AppServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves app/dist, /config.json and (unless `index` is false) the local Ledger's index at
 * /ledger-index.json, on 127.0.0.1:`port` (0 = any free port). The indexer starts reading at once,
 * so that the first page load finds it ready.
 */
export async function serveApp(opts: {
  root: string;
  port: number;
  config: AppRuntimeConfig;
  index?: boolean;
  labelsFile?: string;
  /** Equations served at /ipfs/<cid> whatever else is pinned (the demo's). */
  equationFiles?: readonly string[];
  /** A folder of pinned equations, each <cid>.json (data/equations/: what distribute --publish stores). */
  equationsDir?: string;
}): Promise<AppServer> {
  const dist = path.join(opts.root, "app", "dist");
  if (!existsSync(path.join(dist, "index.html"))) throw new Error(`${dist} has no built app; run ensureAppBuilt first`);
  const ledger = opts.config.local.contracts.Ledger;
  const indexer: LedgerIndexer | undefined =
    opts.index !== false && ledger
      ? createLedgerIndexer({ rpcUrl: opts.config.local.rpcUrl, chainId: opts.config.local.chainId, ledger, fromBlock: opts.config.local.fromBlock })
      : undefined;
  if (indexer) await indexer.current().catch(() => {}); // warm up; a request retries
  const configJson = JSON.stringify(indexer ? { local: { ...opts.config.local, indexUrl: `.${INDEX_PATH}` } } : opts.config);
  // The given equations, read now (a missing or malformed file fails here, not in the page), by CID.
  const pinned = new Map<string, Uint8Array>();
  for (const file of opts.equationFiles ?? []) {
    const doc = JSON.parse(readFileSync(file, "utf8")) as unknown;
    pinned.set(await equationCid(doc), equationBytes(doc));
  }
  // The page with its configuration inline (instead of the preload of /config.json, a request the
  // first reads would wait for) and, when it reads the whole ledger (no indexer to read through), a
  // preload of the index, fetched while its code loads. ("<" is escaped: the JSON cannot end the script.)
  const inline = `<script id="commons-config" type="application/json">${configJson.replaceAll("<", "\\u003c")}</script>`;
  const preloadIndex = indexer && !opts.config.local.indexerUrl ? `\n    <link rel="preload" href=".${INDEX_PATH}" as="fetch" crossorigin="anonymous" />` : "";
  const page = (html: string) =>
    html.replace(/<link rel="preload" href="\.\/config\.json"[^>]*>/, "").replace("</head>", `  ${inline}${preloadIndex}\n  </head>`);
  const server = http.createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    const pathname = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (pathname === "/config.json") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(configJson);
      return;
    }
    if (pathname === "/labels.json") {
      // Names for resource, spec and process ids (data/labels.json, written by the demo seed).
      const file = opts.labelsFile;
      if (!file || !existsSync(file))
        return void res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "this server has no labels file" }));
      let parsed: ReturnType<typeof parseLabelList>;
      try {
        parsed = parseLabelList(JSON.parse(readFileSync(file, "utf8")));
      } catch (error) {
        parsed = { error: `is not valid JSON (${(error as Error).message})` };
      }
      if ("error" in parsed)
        return void res
          .writeHead(500, { "content-type": "application/json" })
          .end(JSON.stringify({ error: `the labels file ${path.basename(file)} ${parsed.error}` }));
      return void res.writeHead(200, { "content-type": "application/json", "cache-control": "no-cache" }).end(JSON.stringify(parsed));
    }
    if (pathname.startsWith("/ipfs/")) {
      // Content-addressed: the same bytes forever (the client checks them against the CID and the published hash).
      const text = pathname.slice("/ipfs/".length);
      let cid: string;
      try {
        cid = cidOfUri(`ipfs://${text}`)!;
      } catch {
        return void res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: `"${text}" is not a CID` }));
      }
      const bytes = pinned.get(cid) ?? (opts.equationsDir ? readStoredEquation(opts.equationsDir, cid) : undefined);
      if (!bytes) return void res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: `this server pins no equation ${cid}` }));
      return void res.writeHead(200, { "content-type": "application/json", "cache-control": "public, max-age=31536000, immutable" }).end(bytes);
    }
    if (pathname === INDEX_PATH) {
      if (!indexer) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "this server keeps no ledger index" }));
        return;
      }
      answerIndexRequest(indexer, req, res);
      return;
    }
    const file = path.normalize(path.join(dist, pathname));
    const inside = file.startsWith(dist + path.sep);
    const target = inside && existsSync(file) && statSync(file).isFile() ? file : path.join(dist, "index.html");
    if (target === path.join(dist, "index.html")) {
      res
        .writeHead(200, { "content-type": TYPES[".html"], "cache-control": "no-cache" })
        .end(req.method === "HEAD" ? undefined : page(readFileSync(target, "utf8")));
      return;
    }
    const immutable = target.includes(`${path.sep}assets${path.sep}`);
    res.writeHead(200, {
      "content-type": TYPES[path.extname(target)] ?? "application/octet-stream",
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });
    res.end(req.method === "HEAD" ? undefined : readFileSync(target));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        indexer?.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `npm start`'s part: build if needed, then serve the app for the local deployment. */
export async function startApp(opts: {
  root: string;
  port: number;
  rpcUrl: string;
  relayerUrl?: string;
  /** The Ponder indexer the app reads through (checked against the Ledger's tip, with the chain as fallback). */
  indexerUrl?: string;
  deployment: { chainId: number; contracts: Record<string, string>; fromBlock: number };
  labelsFile?: string;
  /** Value equations served to the app at /ipfs/<cid>, and the folder of pinned ones. */
  equationFiles?: readonly string[];
  equationsDir?: string;
  /** Names of the local chain's dev accounts by index (the demo's people), shown by the app's dev-key wallet. */
  devKeyNames?: readonly string[];
  log?: (line: string) => void;
}): Promise<AppServer> {
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error(`the app port must be 0 to 65535, got ${opts.port}`);
  await ensureAppBuilt(opts.root, opts.log);
  return serveApp({
    root: opts.root,
    port: opts.port,
    labelsFile: opts.labelsFile,
    equationFiles: opts.equationFiles,
    equationsDir: opts.equationsDir,
    config: {
      local: {
        chainId: opts.deployment.chainId,
        rpcUrl: opts.rpcUrl,
        relayerUrl: opts.relayerUrl,
        indexerUrl: opts.indexerUrl,
        contracts: opts.deployment.contracts,
        fromBlock: opts.deployment.fromBlock,
        devKeyNames: opts.devKeyNames,
      },
    },
  });
}
