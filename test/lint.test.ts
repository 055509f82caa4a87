// The linters that `npm test` runs (`npm run lint`) fail on a bad file: ESLint with this repo's
// eslint.config.js, solhint with contracts' .solhint.json. Each bad file lives in a temporary folder
// inside the repo (so the repo's configs apply to it) and is deleted afterwards.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

/** Runs a linter from the repo root; exit status and everything it printed. */
function run(tool: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(bin(tool), args, { cwd: root, encoding: "utf8" });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("lint", function () {
  this.timeout(120_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(root, "test", "lint-fixture-"));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe("eslint", () => {
    it("fails on an unused variable, naming the rule", () => {
      const file = path.join(dir, "bad.ts");
      writeFileSync(file, "export function f(): number {\n  const unused = 1;\n  return 2;\n}\n");
      const r = run("eslint", ["--max-warnings", "0", path.relative(root, file)]);
      expect(r.status, r.output).to.equal(1);
      expect(r.output).to.include("'unused' is assigned a value but never used");
      expect(r.output).to.include("@typescript-eslint/no-unused-vars");
    });

    it("passes the same file once the variable is used", () => {
      const file = path.join(dir, "good.ts");
      writeFileSync(file, "export function f(): number {\n  const used = 1;\n  return used + 1;\n}\n");
      const r = run("eslint", ["--max-warnings", "0", path.relative(root, file)]);
      expect(r.status, r.output).to.equal(0);
    });
  });

  describe("solhint", () => {
    const args = (file: string) => ["--disc", "--max-warnings", "0", "-c", ".solhint.json", path.relative(root, file)];

    it("fails on a revert string instead of a custom error, naming the rule", () => {
      const file = path.join(dir, "Bad.sol");
      writeFileSync(
        file,
        [
          "// SPDX-License-Identifier: AGPL-3.0-or-later",
          "pragma solidity 0.8.30;",
          "",
          "/// @title Bad",
          "/// @notice A contract with a revert string.",
          "contract Bad {",
          "    /// @notice Reverts unless `ok`.",
          "    function check(bool ok) external pure {",
          '        require(ok, "not ok");',
          "    }",
          "}",
          "",
        ].join("\n"),
      );
      const r = run("solhint", args(file));
      expect(r.status, r.output).to.not.equal(0);
      expect(r.output).to.include("gas-custom-errors");
    });

    it("passes the same contract with a custom error", () => {
      const file = path.join(dir, "Good.sol");
      writeFileSync(
        file,
        [
          "// SPDX-License-Identifier: AGPL-3.0-or-later",
          "pragma solidity 0.8.30;",
          "",
          "/// @title Good",
          "/// @notice A contract with a custom error.",
          "contract Good {",
          "    /// @notice `ok` was false.",
          "    error GoodNotOk();",
          "",
          "    /// @notice Reverts unless `ok`.",
          "    function check(bool ok) external pure {",
          "        if (!ok) revert GoodNotOk();",
          "    }",
          "}",
          "",
        ].join("\n"),
      );
      const r = run("solhint", args(file));
      expect(r.status, r.output).to.equal(0);
    });
  });
});
