// README.md's guides, run as a reader runs them: every command of every ```sh guide=<name> block
// (but the deploy block: test/ignition-deploy.test.ts) against one chain seeded exactly as
// `npm start` seeds it, in the README's order, from a folder that looks like the repository's root
// (its scripts/, node_modules/ and package.json, and a data/ with the deployment `npm start` writes).
// Each command must exit 0, and every line of the ```text expect block after a sh block must appear
// in the output of that block's last command ("…" stands for a volatile part: a hash, a date).
// So a README edit that breaks a command or changes a figure fails here.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { waitRecorded } from "../scripts/lib/kit/relayer.js";
import { Wallet } from "ethers";
import { seedAll } from "../scripts/demo/seed-all.js";
import type { AllSeeds } from "../scripts/demo/seed-all.js";
import { chainInstanceHash } from "../scripts/lib/core/chain-instance.js";
import { writeDeployment } from "../scripts/lib/node/deployment.js";
import { readPublished } from "../scripts/lib/distribution/distributor.js";
import { equationHash } from "../scripts/lib/distribution/value-equation.js";
import { root, startLocalLedger, startRelayerProcess } from "./helpers/local-ledger.js";
import type { LocalLedger, RelayerProcess } from "./helpers/local-ledger.js";

/** The relayer URL the README names (npm start's); the test's relayer listens elsewhere. */
const README_RELAYER = "http://127.0.0.1:8787";

export interface GuideStep {
  guide: string;
  /** The commands of one sh block, continuation lines joined, comments and exports removed. */
  commands: string[];
  /** `export NAME=value` lines of the block, in force for the rest of its guide. */
  exports: Record<string, string>;
  /** Lines the output of the block's last command must contain. */
  expect: string[];
}

/** The README's guide blocks in order, each with the expect block that follows it (if any). */
export function parseGuides(readme: string): GuideStep[] {
  const steps: GuideStep[] = [];
  for (const m of readme.matchAll(/```(sh guide=([\w-]+)|text expect)\n([\s\S]*?)```/g)) {
    const body = m[3];
    if (m[1] === "text expect") {
      const last = steps.at(-1);
      if (!last || last.expect.length) throw new Error(`README.md: an expect block must follow a sh guide block:\n${body}`);
      last.expect = body.split("\n").filter((l) => l.trim() !== "");
      continue;
    }
    const step: GuideStep = { guide: m[2], commands: [], exports: {}, expect: [] };
    for (const raw of body.replace(/\\\n\s*/g, "").split("\n")) {
      const line = raw.replace(/(^|\s)#(\s.*)?$/, "").trim(); // a comment, not "#1" in a label
      if (line === "") continue;
      const exported = /^export ([A-Z_]+)=(\S+)$/.exec(line);
      if (exported) step.exports[exported[1]] = exported[2];
      else step.commands.push(line);
    }
    steps.push(step);
  }
  return steps;
}

/** An expected line as a pattern: runs of spaces match any spacing, "…" any text on the line. */
function linePattern(line: string): RegExp {
  const parts = line
    .trim()
    .split("…")
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s+"));
  return new RegExp(parts.join("[^\\n]*?"));
}

function run(command: string, cwd: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", command], { cwd, env });
    let out = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (out += b));
    child.stdin.end();
    child.once("exit", (code) => resolve({ code, out }));
  });
}

const readme = readFileSync(path.join(root, "README.md"), "utf8");
// The live-network guides run against a stand-in chain in test/ignition-deploy.test.ts.
const steps = parseGuides(readme).filter((s) => s.guide !== "deploy" && s.guide !== "live");

describe("README guides", function () {
  this.timeout(300_000);
  let l: LocalLedger;
  let relayer: RelayerProcess;
  let cwd: string;
  let env: Record<string, string>;
  let seeds: AllSeeds;

  before(async () => {
    l = await startLocalLedger();
    cwd = mkdtempSync(path.join(tmpdir(), "commons-readme-"));
    for (const name of ["scripts", "node_modules", "package.json"]) symlinkSync(path.join(root, name), path.join(cwd, name));
    const data = path.join(cwd, "data");
    mkdirSync(data);
    seeds = await seedAll(l.provider, l.contracts, l.fromBlock, {
      labelsFile: path.join(data, "labels.json"),
      equationsDir: path.join(data, "equations"),
      log: () => {},
    });
    writeDeployment(path.join(data, "deployment.json"), {
      chainId: 31337,
      genesisHash: await chainInstanceHash(l.provider),
      ledger: l.ledger,
      contracts: l.contracts,
      fromBlock: l.fromBlock,
      deploymentId: "readme",
      rpcUrl: l.rpc,
    });
    // As npm start runs it: with the registry, so that declarations go through it too.
    relayer = await startRelayerProcess(l, path.join(data, "relayer.sqlite"), [
      "--registry",
      l.contracts.ReciprocityRegistry,
      "--directory",
      l.contracts.Directory,
    ]);
    // The CLI as npm start's second terminal has it: no RPC, address or key in the environment;
    // data/deployment.json says where the chain answers (here a free port, as with COMMONS_PORT).
    env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => !k.startsWith("COMMONS_") && v !== undefined)) as Record<string, string>;
    env.PATH = `${path.join(root, "node_modules", ".bin")}${path.delimiter}${process.env.PATH}`;
  });

  after(async () => {
    await relayer?.stop();
    await l?.stop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it("has a guide for every user, each with commands and checked figures", () => {
    expect([...new Set(steps.map((s) => s.guide))]).to.deep.equal(["contributor", "auditor", "license-holder", "steward"]);
    for (const s of steps)
      for (const c of s.commands) expect(c, "a guide command runs the CLI").to.match(/^(COMMONS_PRIVATE_KEY=0x[0-9a-f]{64} )?npx commons /);
    expect(steps.filter((s) => s.expect.length).length).to.be.greaterThanOrEqual(8);
  });

  it("names the demo's commons, people and keys as the demo seeds them", () => {
    expect(readme).to.include(`commons\n\`${seeds.demo.commons}\``);
    const rows = [...readme.matchAll(/^\| ([a-z -]+) \| [^|]+ \| `(0x[0-9a-fA-F]{40})` \| `(0x[0-9a-f]{64})` \|$/gm)];
    expect(rows.length).to.equal(8);
    const people = seeds.demo.people as Record<string, string>;
    for (const [, who, address, key] of rows) {
      expect(new Wallet(key).address, who).to.equal(address);
      if (who in people) expect(people[who], who).to.equal(address);
      else expect(who).to.equal("a non-profit");
    }
    expect(seeds.reciprocity.licensees.nonprofit).to.equal(rows.find((r) => r[1] === "a non-profit")![2]);
  });

  it("works its example through on the very distribution the demo publishes (same Merkle root, same equation)", async () => {
    const published = await readPublished(l.provider, l.contracts.IncomeDistributor, seeds.distribution, l.fromBlock);
    const example = readme.slice(readme.indexOf("**Worked example**"));
    expect(/^merkle root +(0x[0-9a-f]{64})$/m.exec(example)?.[1]).to.equal(published!.root);
    expect(example).to.include("`scripts/demo/value-equation.json`, ledger\ncut off at entry 31");
    expect(published!.cutoff).to.equal(31n);
    expect(published!.equationHash).to.equal(equationHash(JSON.parse(readFileSync(path.join(root, "scripts", "demo", "value-equation.json"), "utf8"))));
  });

  it("npx commons finds the CLI from the repository's root", async () => {
    const r = await run("npx --offline commons --help", cwd, env);
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.include("Usage: commons");
  });

  // One test per guide, in README order: later guides see what earlier ones wrote (entry 32).
  for (const guide of [...new Set(steps.map((s) => s.guide))]) {
    it(`runs the ${guide} guide as written`, async () => {
      let exports: Record<string, string> = {};
      for (const step of steps.filter((s) => s.guide === guide)) {
        exports = { ...exports, ...step.exports };
        let last = "";
        for (const command of step.commands) {
          // The CLI as `npx commons` runs it (scripts/commons.mjs), without npm's start-up per command.
          const line = command.replace("npx commons ", `node ${path.join(cwd, "scripts", "commons.mjs")} `).replaceAll(README_RELAYER, relayer.url);
          const r = await run(line, cwd, { ...env, ...exports });
          expect(r.code, `${command}\n${r.out}`).to.equal(0);
          last = r.out;
          // The relayer answers "queued" and records within a second; a reader's next command comes
          // later than that, the test's may not: wait until the relayer says recorded.
          if (command.includes(README_RELAYER)) for (const [, digest] of r.out.matchAll(/queued (0x[0-9a-f]{64})/g)) await waitRecorded(relayer.url, [digest]);
        }
        for (const line of step.expect)
          expect(last, `${step.commands.at(-1)}: expected the README's line\n  ${line}\nin its output`).to.match(linePattern(line));
      }
    });
  }
});
