// How `commons` starts fast: its TypeScript is bundled into one ES module (esbuild, packages left
// external) under node_modules/.cache/commons-cli/, built on first use and again whenever one of
// the source files it was built from changed (their contents are hashed on every run: ~100 files,
// a few ms; times would miss a file copied with an older time). Importing the bundle takes ~0.3 s where compiling and loading the ~100 sources
// through tsx took ~0.6 s. Each source keeps its own location: `import.meta.url` and
// `import.meta.dirname` are written into it as the source file's, so paths relative to a source
// (the repository root, the demo's recipes, native bindings) resolve as before; only the
// signature worker keeps the bundle's URL, so that a worker thread loads the bundle.
// Plain JavaScript: it runs before anything can compile TypeScript.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const entry = path.join(root, "scripts", "cli", "main.ts");
const dir = path.join(root, "node_modules", ".cache", "commons-cli");
const bundle = path.join(dir, "main.mjs");
const manifest = path.join(dir, "inputs.json");
/** The module that starts worker threads from its own URL (scripts/lib/verify/workers.ts). */
const WORKER_SOURCE = path.join(root, "scripts", "lib", "verify", "workers.ts");

/** A source file's content hash (what the bundle was built from). */
const hashOf = (file) =>
  createHash("sha1")
    .update(readFileSync(path.join(root, file)))
    .digest("hex");

/** Whether the bundle exists and every source it was built from is unchanged (none went missing). */
function fresh() {
  try {
    const { inputs } = JSON.parse(readFileSync(manifest, "utf8"));
    if (!existsSync(bundle) || !Array.isArray(inputs) || inputs.length === 0) return false;
    return inputs.every(([file, hash]) => hashOf(file) === hash);
  } catch {
    return false;
  }
}

/** esbuild plugin: each source's `import.meta.url` and `import.meta.dirname` stay the source file's own. */
const sourceLocations = {
  name: "source-locations",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      let contents = readFileSync(args.path, "utf8");
      if (args.path !== WORKER_SOURCE && !args.path.includes(`${path.sep}node_modules${path.sep}`)) {
        contents = contents
          .replaceAll("import.meta.dirname", JSON.stringify(path.dirname(args.path)))
          .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href));
      }
      return { contents, loader: "ts" };
    });
  },
};

/** Builds the bundle (to a file of this process's, then renamed: concurrent runs never read half a file). */
async function rebuild() {
  const { build } = await import("esbuild");
  mkdirSync(dir, { recursive: true });
  const tmp = `${bundle}.${process.pid}.tmp`;
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outfile: tmp,
    metafile: true,
    logLevel: "silent",
    plugins: [sourceLocations],
  });
  renameSync(tmp, bundle);
  // The hashes of what esbuild read (a file changed during the build is rebuilt next run: its hash differs).
  // This file too: a change to how the bundle is built rebuilds it.
  const inputs = [...Object.keys(result.metafile.inputs), "scripts/cli-bundle.mjs"].map((f) => {
    const file = path.relative(root, path.resolve(root, f));
    return [file, hashOf(file)];
  });
  const tmpManifest = `${manifest}.${process.pid}.tmp`;
  writeFileSync(tmpManifest, JSON.stringify({ inputs }));
  renameSync(tmpManifest, manifest);
}

/**
 * The CLI's `main`, from the bundle (built first if missing or stale); from the sources through tsx
 * when the bundle cannot be built (no esbuild, a build error) or COMMONS_CLI_SOURCES=1 asks for it.
 */
export async function loadCli() {
  if (process.env.COMMONS_CLI_SOURCES !== "1") {
    try {
      if (!fresh()) await rebuild();
      return (await import(pathToFileURL(bundle).href)).main;
    } catch {
      // Fall through to the sources: slower, never wrong.
    }
  }
  const { register } = await import("tsx/esm/api");
  register();
  return (await import("./cli/main.ts")).main;
}
