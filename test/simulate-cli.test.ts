// `commons simulate` as a coordinator runs it before trusting the planner ("test local"): seeded and
// reproducible, the three policies side by side, a chart, the benchmark's table; bad input exits 2
// with one sentence. No chain is needed.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { root, runCli } from "./helpers/local-ledger.js";
import type { Run } from "./helpers/local-ledger.js";

interface Totals {
  unmetPercent: number;
  excessPercent: number;
  workHours: number;
  explainedPercent: number;
  capacityExceeded: number;
}

describe("commons simulate", function () {
  this.timeout(120_000);
  let dir: string;
  const ok = (r: Run) => expect(r.code, r.stdout + r.stderr).to.equal(0);
  before(() => (dir = mkdtempSync(path.join(tmpdir(), "commons-simulate-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe("on a generated book", () => {
    it("is reproducible and puts the planner, the naive baseline and no coordination side by side", async () => {
      const args = ["simulate", "--processes", "12", "--links", "3", "--cycles", "1", "--periods", "40", "--seed", "7", "--json"];
      const [a, b] = await Promise.all([runCli(args), runCli(args)]);
      ok(a);
      expect(a.stdout, "same seed, same run").to.equal(b.stdout);
      const r = JSON.parse(a.stdout) as Record<string, { totals: Totals; periods: unknown[] }>;
      expect(Object.keys(r)).to.deep.equal(["planner", "naive", "none"]);
      expect(r.planner.periods).to.have.length(40);
      expect(r.planner.totals.unmetPercent, "needs posted the cumulative lead time ahead").to.be.at.most(1);
      expect(r.planner.totals.excessPercent).to.be.at.most(1);
      expect(r.naive.totals.excessPercent).to.be.greaterThan(r.planner.totals.excessPercent);
    });

    it("prints the table and writes an SVG chart of unmet demand and stock per period", async () => {
      const svg = path.join(dir, "run.svg");
      const r = await runCli(["simulate", "--processes", "12", "--periods", "30", "--notice", "0", "--safety", "0.3", "--svg", svg]);
      ok(r);
      expect(r.stdout).to.match(/needs posted 0 periods ahead/);
      expect(r.stdout).to.match(/^planner\s+\d+\.\d\d %\s+\d+\.\d\d %/m);
      expect(r.stdout).to.match(/^naive\s+/m);
      expect(r.stdout).to.include(`chart written to ${svg}`);
      const text = readFileSync(svg, "utf8");
      expect(text).to.match(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(text.match(/<polyline /g)).to.have.length(6);
      expect(text).to.include("unmet final demand per period");
    });

    it("explains what a capped process cannot make, and never asks it for more", async () => {
      const r = await runCli(["simulate", "--processes", "12", "--periods", "40", "--policy", "planner", "--capacity", "make part 00=2", "--json"]);
      ok(r);
      const t = (JSON.parse(r.stdout) as Record<string, { totals: Totals }>).planner.totals;
      expect(t.unmetPercent).to.be.greaterThan(1);
      expect(t.explainedPercent).to.be.at.least(99);
      expect(t.capacityExceeded).to.equal(0);
    });

    it("prints the coordination benchmark's table for the given seeds", async () => {
      const r = await runCli(["simulate", "--table", "1", "--periods", "40"]);
      ok(r);
      expect(r.stdout).to.match(/seed\s+on notice unmet\/excess %/);
      expect(r.stdout).to.match(/^\s*1\s+\d+\.\d\d \/ \d+\.\d\d/m);
    });
  });

  describe("when the reader closes the pipe early (| head)", () => {
    it("ends quietly: exit 0, nothing on stderr", async () => {
      const child = spawn(process.execPath, [path.join(root, "scripts", "commons.mjs"), "simulate", "--processes", "8", "--periods", "400", "--json"], {
        cwd: root,
      });
      let stderr = "";
      child.stderr.on("data", (b) => (stderr += b));
      child.stdout.once("data", () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
      expect(stderr).to.equal("");
      expect(code).to.equal(0);
    });
  });

  describe("bad input", () => {
    const cases: [string, string[], RegExp][] = [
      ["a reliability above 1", ["--reliability", "2"], /^commons: --reliability: "2" is not a share from 0\.01 to 1$/],
      ["an unknown policy", ["--policy", "planner,magic"], /^commons: --policy: "magic" is not one of planner, naive, none$/],
      ["a capacity for a process the book does not have", ["--capacity", "nobody=2"], /^commons: --capacity: the book has no process "nobody"$/],
      ["a lead time of 0", ["--lead-time", "0"], /^commons: --lead-time: "0" is not a whole number from 1 to 52$/],
      ["a seasonality without periods", ["--season", "0.2"], /^commons: --season: "0\.2" is not amplitude:periods/],
      ["a shock with a factor of 0", ["--shock", "10:0"], /^commons: --shock: "10:0" is not period:factor/],
      ["a recipe file that does not exist", ["--recipes", "nope.json"], /^commons: --recipes: file "nope\.json" does not exist$/],
    ];
    for (const [what, args, message] of cases)
      it(`rejects ${what} with one sentence (exit 2)`, async () => {
        const r = await runCli(["simulate", ...args]);
        expect(r.code, r.stdout + r.stderr).to.equal(2);
        expect(r.stderr.trim()).to.match(message);
        expect(r.stderr.trim().split("\n")).to.have.length(1);
      });

    it("rejects a book with a lead time of 0 (the simulator models at least one period)", async () => {
      const file = path.join(dir, "instant.json");
      writeFileSync(
        file,
        JSON.stringify({
          format: "commons-ledger/recipes@2",
          name: "instant",
          version: "1.0.0",
          period: "1d",
          final: ["x"],
          processes: [{ name: "make x", leadTime: 0, outputs: [{ spec: "x", quantity: "1", unit: "ea" }], inputs: [] }],
        }),
      );
      const r = await runCli(["simulate", "--recipes", file]);
      expect(r.code).to.equal(2);
      expect(r.stderr.trim()).to.equal(`commons: --recipes: process "make x" has lead time 0; the simulator models lead times of at least one period`);
    });
  });
});
