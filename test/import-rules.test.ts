// The import rules of .dependency-cruiser.cjs (why: scripts/README.md): the tree as committed keeps
// them, and every rule fails a deliberately wrong import. The wrong imports are written into
// temporary files in the folders they are wrong in, cruised in one run, and deleted again.
import { expect } from "chai";
import { execFile } from "node:child_process";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const CONFIG = ".dependency-cruiser.cjs";

interface Violation {
  severity: string;
  rule: string;
  from: string;
  to: string;
}

/** dependency-cruiser's CLI (a devDependency; DEPCRUISE names another copy of its bin script). */
function depcruiseBin(): string {
  const bin = process.env.DEPCRUISE ?? path.join(root, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");
  if (!existsSync(bin)) throw new Error(`dependency-cruiser is not installed (${bin}): run npm install`);
  return bin;
}

/**
 * Cruises `targets` with the project's rules and its default reporter, as `npm run lint:imports`
 * does: the violations it prints ("error <rule>: <from> → <to>") and whether it failed.
 */
function cruise(targets: readonly string[]): Promise<{ failed: boolean; violations: Violation[]; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [depcruiseBin(), "--config", CONFIG, ...targets], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      const violations = [...output.matchAll(/^\s*(error|warn|info) (\S+): (\S+) → (\S+)$/gm)].map((m) => ({
        severity: m[1],
        rule: m[2],
        from: m[3],
        to: m[4],
      }));
      resolve({ failed: error !== null, violations, output });
    });
  });
}

const show = (vs: readonly Violation[]) => vs.map((v) => `${v.severity} ${v.rule}: ${v.from} → ${v.to}`).join("\n");

/** An import specifier from `fromDir` to some module of `folder` (the first, so that it exists whatever the folder holds). */
function someModule(fromDir: string, folder: string): string {
  const file = readdirSync(path.join(root, folder))
    .filter((f) => f.endsWith(".ts") && !f.startsWith("__"))
    .sort()[0];
  if (!file) throw new Error(`${folder} has no .ts module`);
  const rel = path
    .relative(path.join(root, fromDir), path.join(root, folder, file.replace(/\.ts$/, ".js")))
    .split(path.sep)
    .join("/");
  return rel.startsWith(".") ? rel : `./${rel}`;
}

interface Case {
  rule: string;
  /** Folder the wrong file goes into. */
  dir: string;
  /** What it imports (computed once the folders are known). */
  imports: () => string;
  why: string;
}

const CASES: Case[] = [
  { rule: "browser-safe-no-node-builtins", dir: "scripts/lib/core", imports: () => "node:fs", why: "core imports node:fs" },
  { rule: "browser-safe-no-node-builtins", dir: "scripts/lib/distribution", imports: () => "node:path", why: "a browser-safe domain imports node:path" },
  {
    rule: "browser-safe-no-node-packages",
    dir: "scripts/lib/supply",
    imports: () => "commander",
    why: "a browser-safe domain imports a node-only npm package",
  },
  {
    rule: "browser-safe-imports-browser-safe",
    dir: "scripts/lib/reciprocity",
    imports: () => someModule("scripts/lib/reciprocity", "scripts/lib/verify"),
    why: "a browser-safe domain imports verify/",
  },
  {
    rule: "browser-safe-imports-browser-safe",
    dir: "scripts/lib/core",
    imports: () => someModule("scripts/lib/core", "scripts/lib/node"),
    why: "core imports node/",
  },
  {
    rule: "core-imports-only-core",
    dir: "scripts/lib/core",
    imports: () => someModule("scripts/lib/core", "scripts/lib/distribution"),
    why: "core imports a domain",
  },
  {
    rule: "domains-independent",
    dir: "scripts/lib/supply",
    imports: () => someModule("scripts/lib/supply", "scripts/lib/reciprocity"),
    why: "supply imports reciprocity",
  },
  {
    rule: "verify-imports-core-and-supply",
    dir: "scripts/lib/verify",
    imports: () => someModule("scripts/lib/verify", "scripts/lib/relayer"),
    why: "verify imports the relayer",
  },
  {
    rule: "relayer-imports-core-verify-node",
    dir: "scripts/lib/relayer",
    imports: () => someModule("scripts/lib/relayer", "scripts/lib/kit"),
    why: "the relayer imports the test and benchmark kit",
  },
  {
    rule: "lib-not-entry-points-bench-demo-cli",
    dir: "scripts/lib/node",
    imports: () => someModule("scripts/lib/node", "scripts/cli"),
    why: "node plumbing imports the CLI",
  },
  { rule: "app-imports-app-and-browser-safe", dir: "app/src", imports: () => someModule("app/src", "scripts/lib/verify"), why: "the app imports verify/" },
  { rule: "app-imports-app-and-browser-safe", dir: "app/src/lib", imports: () => "node:fs", why: "the app imports node:fs" },
  {
    rule: "app-reaches-lib-through-aliases",
    dir: "app/src/hooks",
    imports: () => someModule("app/src/hooks", "scripts/lib/core"),
    why: "the app reaches core by a ../../../scripts path",
  },
  { rule: "bench-only-in-bench", dir: "test", imports: () => someModule("test", "scripts/bench/kit"), why: "a test imports a benchmark kit" },
  { rule: "bench-only-in-bench", dir: "scripts/cli", imports: () => someModule("scripts/cli", "scripts/bench"), why: "the CLI imports a benchmark" },
  { rule: "demo-only-in-demo-tests-and-start", dir: "app/src", imports: () => "../../scripts/demo/value-equation.json", why: "the app imports a demo file" },
  {
    rule: "demo-only-in-demo-tests-and-start",
    dir: "scripts",
    imports: () => someModule("scripts", "scripts/demo"),
    why: "an entry point other than start.ts imports the demo",
  },
  { rule: "no-unresolvable", dir: "app/src", imports: () => "@verify/verify.js", why: "the app names an alias that does not exist" },
  { rule: "no-unresolvable", dir: "scripts/indexer/src", imports: () => "ponder:secrets", why: "the indexer names a Ponder module that does not exist" },
  {
    rule: "indexer-imports-core",
    dir: "scripts/indexer/src",
    imports: () => someModule("scripts/indexer/src", "scripts/lib/node"),
    why: "the indexer imports node plumbing",
  },
];

describe("import rules (.dependency-cruiser.cjs)", function () {
  this.timeout(180_000);

  it("hold for the tree as committed", async function () {
    const { failed, violations, output } = await cruise(["scripts", "app/src", "test"]);
    expect(show(violations)).to.equal("");
    expect(failed, output).to.equal(false);
  });

  describe("a deliberately wrong import fails the check", function () {
    const results = new Map<Case, Violation[]>();
    let failed = false;

    before(async function () {
      const written: string[] = [];
      try {
        CASES.forEach((c, i) => {
          const file = path.join(c.dir, `__import_rules_${process.pid}_${i}.ts`);
          writeFileSync(
            path.join(root, file),
            `// Deliberately wrong (test/import-rules.test.ts): ${c.why}.\nimport * as wrong from "${c.imports()}";\nexport const keep = wrong;\n`,
          );
          written.push(file);
        });
        const run = await cruise(written);
        failed = run.failed;
        CASES.forEach((c, i) =>
          results.set(
            c,
            run.violations.filter((v) => v.from === written[i].split(path.sep).join("/")),
          ),
        );
      } finally {
        for (const file of written) rmSync(path.join(root, file), { force: true });
      }
    });

    it("exits non-zero", function () {
      expect(failed).to.equal(true);
    });

    for (const c of CASES) {
      it(`${c.rule}: ${c.why}`, function () {
        const found = results.get(c) ?? [];
        expect(
          found.map((v) => v.rule),
          show(found),
        ).to.include(c.rule);
        expect(
          found.every((v) => v.severity === "error"),
          show(found),
        ).to.equal(true);
      });
    }

    it("leaves no temporary file behind", function () {
      for (const c of CASES) expect(readdirSync(path.join(root, c.dir)).filter((f) => f.startsWith("__import_rules_"))).to.deep.equal([]);
    });
  });
});
