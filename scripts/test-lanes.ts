// `npm test`'s mocha part: the test files run in lanes side by side (two on this machine's two
// cores), each file in a process of its own (`hardhat test mocha --no-compile <file>`), the slowest
// first so that the lanes end together. Most of a file's time is waiting (for anvil, the indexer,
// Chromium, a child process), so two lanes take about half of one lane's time (655 s against
// about 1,350 s in one process, fresh clone, 2026-12-06).
//   tsx scripts/test-lanes.ts [file...]     (COMMONS_TEST_LANES=n: n lanes, 1 runs everything in turn)
// What files share is made once before the lanes start: the app's build, the CLI's bundle, Chromium
// and PostgreSQL (installed when missing). Files that change what the others read (the CLI's bundle,
// the app's sources or its generated contracts) run alone, before the lanes. Each file's output is
// printed whole when it ends (lanes do not interleave lines); the run ends with the counts, each
// file's time, and the files that failed. Exits 1 if any test failed or any file's process did not end well.
import { execFileSync, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { ensureAppBuilt } from "./lib/node/app-server.js";
import { ensureChromium } from "./lib/node/browser.js";
import { ensurePostgresInstalled } from "./lib/node/postgres.js";

const root = path.resolve(import.meta.dirname, "..");
const log = (line: string) => console.log(line);

/**
 * Files that must run with no other file beside them, and why. They run first, one after another.
 */
const ALONE: Record<string, string> = {
  "test/cli-bundle.test.ts": "deletes and rebuilds the CLI's bundle, which every CLI test runs",
  "test/ignition-deploy.test.ts": "writes live-network addresses into the app's generated contracts (the app's build changes)",
  "test/import-rules.test.ts": "writes deliberately wrong modules into scripts/lib (the app's build changes)",
};

/**
 * The files that take longest, slowest first, with their time in a lane on this machine's two cores
 * (2026-12-06): a lane that starts them early ends with the others. Files not named here (each under
 * 15 s) run after these, in name order.
 */
const SLOWEST = [
  "test/indexer-pglite.test.ts", // 323 s (the indexer's suite on PGlite; the same on PostgreSQL takes 91 s)
  "test/app.e2e.test.ts", // 195 s
  "test/reader-faults.test.ts", // 137 s
  "test/start.test.ts", // 94 s
  "test/indexer-postgres.test.ts", // 91 s
  "test/cli.test.ts", // 71 s
  "test/relayer-hostile.test.ts", // 65 s
  "test/license-cli.test.ts", // 53 s
  "test/supply-cli.test.ts", // 42 s
  "test/simulate-chain.test.ts", // 42 s
  "test/distribute-cli.test.ts", // 40 s
  "test/readme-guides.test.ts", // 38 s
  "test/relayer.test.ts", // 34 s
  "test/deployment.test.ts", // 33 s
  "test/ledger-index.test.ts", // 26 s
  "test/names.test.ts", // 25 s
  "test/relayer-crash.test.ts", // 24 s
  "test/govern-cli.test.ts", // 24 s
];

interface FileRun {
  file: string;
  lane: number;
  seconds: number;
  code: number | null;
  passing: number;
  failing: number;
  pending: number;
  output: string;
}

function count(output: string, word: string): number {
  const m = new RegExp(`^\\s*(\\d+) ${word}`, "m").exec(output);
  return m ? Number(m[1]) : 0;
}

/** Runs one test file in a process of its own; its output, counts and time. */
function runFile(file: string, lane: number): Promise<FileRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(path.join(root, "node_modules", ".bin", "hardhat"), ["test", "mocha", "--no-compile", file], {
      cwd: root,
      env: { ...process.env, PATH: `${path.join(root, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (b) => (output += b));
    child.stderr.on("data", (b) => (output += b));
    child.once("error", (error) => (output += `\ncould not start hardhat: ${error.message}\n`));
    child.once("close", (code) => {
      const plain = stripVTControlCharacters(output);
      resolve({
        file,
        lane,
        seconds: (performance.now() - started) / 1000,
        code,
        passing: count(plain, "passing"),
        failing: count(plain, "failing"),
        pending: count(plain, "pending"),
        output,
      });
    });
  });
}

function report(run: FileRun): void {
  const ok = run.code === 0 && run.failing === 0;
  log(`\n── ${run.file} (lane ${run.lane}, ${run.seconds.toFixed(1)} s, ${ok ? "passed" : `FAILED, exit ${run.code}`})`);
  process.stdout.write(run.output);
}

/** Runs `files` in `lanes` lanes, each lane taking the next file from the front when it is free. */
async function inLanes(files: string[], lanes: number, runs: FileRun[]): Promise<void> {
  const queue = [...files];
  await Promise.all(
    Array.from({ length: Math.min(lanes, queue.length) }, async (_, i) => {
      for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
        const run = await runFile(file, i + 1);
        report(run);
        runs.push(run);
      }
    }),
  );
}

const started = performance.now();
const asked = process.argv.slice(2).map((f) => path.relative(root, path.resolve(f)));
const all = readdirSync(path.join(root, "test"))
  .filter((f) => f.endsWith(".test.ts"))
  .map((f) => `test/${f}`)
  .sort();
const files = asked.length ? asked : all;
const lanesWanted = Number(process.env.COMMONS_TEST_LANES ?? Math.min(2, os.availableParallelism()));
if (!Number.isInteger(lanesWanted) || lanesWanted < 1)
  throw new Error(`COMMONS_TEST_LANES must be a whole number of lanes, 1 or more, not "${process.env.COMMONS_TEST_LANES}"`);
for (const f of [...Object.keys(ALONE), ...SLOWEST]) if (!all.includes(f)) throw new Error(`scripts/test-lanes.ts names ${f}, which is not a test file`);

log(`mocha: ${files.length} test files in ${lanesWanted} lane${lanesWanted === 1 ? "" : "s"}; first, what they share:`);
ensureChromium(log);
ensurePostgresInstalled(log);
const app = await ensureAppBuilt(root, log);
log(`  the app's build: ${app.built ? `built in ${app.seconds.toFixed(0)} s` : "up to date"}`);
// The CLI's bundle, built on its first use (scripts/cli-bundle.mjs).
execFileSync(process.execPath, [path.join(root, "scripts", "commons.mjs"), "--help"], { cwd: root, stdio: "ignore" });
log("  the CLI's bundle: up to date");

const runs: FileRun[] = [];
const alone = files.filter((f) => f in ALONE);
const rest = files.filter((f) => !(f in ALONE));
const ordered = [...SLOWEST.filter((f) => rest.includes(f)), ...rest.filter((f) => !SLOWEST.includes(f))];
await inLanes(alone, 1, runs);
await inLanes(ordered, lanesWanted, runs);

const sum = (k: "passing" | "failing" | "pending") => runs.reduce((n, r) => n + r[k], 0);
const failed = runs.filter((r) => r.code !== 0 || r.failing > 0);
log(`\nmocha, ${runs.length} files in ${((performance.now() - started) / 1000).toFixed(0)} s (${lanesWanted} lanes):`);
for (const r of [...runs].sort((a, b) => b.seconds - a.seconds)) log(`  ${r.seconds.toFixed(1).padStart(6)} s  ${r.file}`);
log(`  ${sum("passing")} passing, ${sum("failing")} failing, ${sum("pending")} pending`);
if (failed.length) {
  // Each failed file's failures again, at the end: a CI log shown only in part shows its head and its tail.
  for (const r of failed) {
    log(`\n── what failed in ${r.file}:`);
    log(failuresOf(r));
  }
  log(`\n  failed: ${failed.map((r) => `${r.file} (${r.failing} failing, exit ${r.code})`).join("; ")}`);
  process.exitCode = 1;
}

/**
 * A failed file's failures: mocha's list of them (from "N failing" on), at most 120 lines, each
 * at most 300 characters; or the last 40 lines of its output when it printed no list (it crashed).
 */
function failuresOf(r: FileRun): string {
  const lines = stripVTControlCharacters(r.output).trimEnd().split("\n");
  const from = lines.findIndex((l) => /^\s*\d+ failing/.test(l));
  const shown = from === -1 ? lines.slice(-40) : lines.slice(from, from + 120);
  const more = from === -1 ? 0 : lines.length - from - shown.length;
  return [...shown.map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l)), ...(more > 0 ? [`  … and ${more} more lines, above`] : [])].join("\n");
}
