// How `commons` starts (scripts/cli-bundle.mjs): from a bundle of its TypeScript, built on first use
// and whenever a source it was built from changed, with each source's own location kept; from the
// sources through tsx when asked (COMMONS_CLI_SOURCES=1) or when the bundle cannot be built.
// Startup times are in `npm run bench:cli`, not here.
import { expect } from "chai";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { root, runCli } from "./helpers/local-ledger.js";

const dir = path.join(root, "node_modules", ".cache", "commons-cli");
const bundle = path.join(dir, "main.mjs");
const manifest = path.join(dir, "inputs.json");
type Manifest = { inputs: [string, string][] };
const readManifest = () => JSON.parse(readFileSync(manifest, "utf8")) as Manifest;

describe("the commons command's bundle", function () {
  this.timeout(60_000);

  describe("on first use", () => {
    it("builds the bundle and lists every source it read with its content hash", async () => {
      rmSync(dir, { recursive: true, force: true });
      const r = await runCli(["--help"]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.include("Usage: commons");
      expect(existsSync(bundle)).to.equal(true);
      const files = readManifest().inputs.map(([f]) => f);
      expect(files).to.include.members([
        "scripts/cli/main.ts",
        "scripts/cli/record.ts",
        "scripts/lib/core/record.ts",
        "scripts/lib/verify/workers.ts",
        "scripts/cli-bundle.mjs",
      ]);
      for (const [, hash] of readManifest().inputs) expect(hash).to.match(/^[0-9a-f]{40}$/);
    });
  });

  describe("when a source changed since the build", () => {
    it("builds it again before running (a source's recorded hash no longer matches)", async () => {
      await runCli(["--help"]);
      const m = readManifest();
      const k = m.inputs.findIndex(([f]) => f === "scripts/cli/format.ts");
      const real = m.inputs[k][1];
      m.inputs[k][1] = "0".repeat(40); // as if format.ts had changed since
      writeFileSync(manifest, JSON.stringify(m));
      writeFileSync(bundle, "export const main = async () => { process.stdout.write('stale bundle\\n'); return 0; };\n");
      const r = await runCli(["--help"]);
      expect(r.stdout).to.not.include("stale bundle");
      expect(r.stdout).to.include("Usage: commons");
      expect(readManifest().inputs.find(([f]) => f === "scripts/cli/format.ts")![1]).to.equal(real);
    });

    it("rebuilds a bundle whose manifest is unreadable or missing", async () => {
      writeFileSync(manifest, "{ not json");
      expect((await runCli(["--help"])).stdout).to.include("Usage: commons");
      expect(readManifest().inputs.length).to.be.above(50);
      rmSync(manifest);
      expect((await runCli(["--help"])).stdout).to.include("Usage: commons");
      expect(existsSync(manifest)).to.equal(true);
    });
  });

  describe("each source's location", () => {
    it("is written into the bundle: no source reads import.meta.dirname, and only the signature worker keeps the bundle's URL (a worker thread loads the bundle)", async () => {
      await runCli(["--help"]);
      const text = readFileSync(bundle, "utf8");
      expect(text).to.not.include("import.meta.dirname");
      expect(text.match(/import\.meta\.url/g)?.length).to.equal(1);
      expect(text).to.include(JSON.stringify(path.join(root, "scripts", "lib", "node")));
    });
  });

  describe("from the sources", () => {
    it("runs the same command through tsx with COMMONS_CLI_SOURCES=1, with the same output and the same one-line input errors", async () => {
      const [bundled, sources] = await Promise.all([runCli(["show", "abc"]), runCli(["show", "abc"], { COMMONS_CLI_SOURCES: "1" })]);
      expect(sources).to.deep.equal(bundled);
      expect(bundled).to.deep.equal({ code: 2, stdout: "", stderr: 'commons: entry: "abc" is not a non-negative integer\n' });
      expect((await runCli(["--help"], { COMMONS_CLI_SOURCES: "1" })).stdout).to.equal((await runCli(["--help"])).stdout);
    });
  });
});
