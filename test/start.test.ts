// `npm start` as a user runs it: a new chain is deployed and seeded; after Ctrl-C and a second
// start the same Ledger, entries and head are back (anvil --state), and nothing is redeployed.
import { expect } from "chai";
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { runCli } from "./helpers/local-ledger.js";
import { launchBrowser } from "../scripts/lib/node/browser.js";
import { stopLeftovers } from "../scripts/lib/node/leftovers.js";
import { freePort } from "../scripts/lib/node/dev-chain.js";
import { startPostgres } from "../scripts/lib/node/postgres.js";

const root = path.resolve(import.meta.dirname, "..");
const PORT = 8611;

interface Run {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
}

/** Every start of this file, so that a failing test leaves no chain, relayer or app running. */
const runs: Run[] = [];

/** Ctrl-C, then SIGKILL if it has not stopped within 30 s. */
async function stopRun(run: Run): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  run.child.kill("SIGINT");
  const timer = setTimeout(() => run.child.kill("SIGKILL"), 30_000);
  await run.exited;
  clearTimeout(timer);
}

function start(dataDir: string, port = PORT, env: Record<string, string> = {}): Run {
  // A process group of its own, as a terminal gives a foreground command: Ctrl-C is sent to the group.
  const child = spawn(path.join(root, "node_modules", ".bin", "tsx"), ["scripts/start.ts"], {
    cwd: root,
    detached: true,
    env: {
      ...process.env,
      PATH: `${path.join(root, "node_modules", ".bin")}${path.delimiter}${process.env.PATH}`,
      COMMONS_DATA_DIR: dataDir,
      COMMONS_PORT: String(port),
      ...env,
    },
  });
  let out = "";
  child.stdout.on("data", (b) => (out += b));
  child.stderr.on("data", (b) => (out += b));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const run = { child, output: () => out, exited };
  runs.push(run);
  return run;
}

async function waitFor(run: Run, text: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!run.output().includes(text)) {
    if (Date.now() > until) throw new Error(`timed out waiting for "${text}"; output so far:\n${run.output()}`);
    if (run.child.exitCode !== null) throw new Error(`exited (${run.child.exitCode}) before "${text}":\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function summary(out: string): { ledger: string; entries: number; head: string } {
  const m = /Ledger (0x[0-9a-fA-F]{40}) on chain \d+: (\d+) entries, head (0x[0-9a-f]{48})/.exec(out);
  if (!m) throw new Error(`no summary line in:\n${out}`);
  return { ledger: m[1], entries: Number(m[2]), head: m[3] };
}

describe("npm start", function () {
  this.timeout(240_000);
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "commons-start-"));
  });
  afterEach(async () => {
    await Promise.all(runs.splice(0).map(stopRun));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  describe("on a new chain", () => {
    it("deploys, seeds the demo commons, verifies the chain and keeps everything across Ctrl-C and a restart", async () => {
      const first = start(dataDir);
      await waitFor(first, "Commons Ledger is running.", 180_000);
      const out1 = first.output();
      expect(out1).to.include("started a new chain");
      expect(out1).to.include("seeding the demo commons");
      expect(out1).to.include("matches the on-chain head");
      const s1 = summary(out1);
      expect(s1.entries).to.equal(31); // 8 of the demo commons (seed.ts) + the CopyFair company's contribution (seed-reciprocity.ts) + 22 of the supply chain (seed-supply.ts)
      expect(out1).to.include("stewards mira, yara, carol, any 2 decide");
      expect(out1).to.match(/company +0x[0-9a-fA-F]{40} +work 2: ReciprocitySettled \(prior Excluded\)/);
      // The ledger as `commons list` shows it, people by name.
      expect(out1).to.match(/^ +1 +event +work +Alice \(0x3C44…93BC\) +3 h +accepted +2 accept \/ 0 dispute$/m);
      expect(out1).to.match(/^ +2 +event +work +Bob \(0x90F7…b906\) +5\.5 h +corrected by #7 +0 accept \/ 1 dispute$/m);
      expect(out1).to.match(/^ +6 +need +consume +Mira \(0x7099…79C8\) +20 kg +claimed/m);
      const relayer = /Relayer\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out1);
      expect(relayer, "the relayer URL is printed").to.not.equal(null);
      const health = (await (await fetch(`${relayer![1]}/health`)).json()) as { ok: boolean; ledger: string };
      expect(health.ok).to.equal(true);
      expect(health.ledger).to.equal(s1.ledger);
      // The indexer has reached the same head as the chain.
      const indexer = /Indexer\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out1);
      expect(indexer, "the indexer URL is printed").to.not.equal(null);
      for (let tries = 0; ; tries++) {
        const head = (await (await fetch(`${indexer![1]}/head`)).json()) as { count: string; head: string };
        if (head.count === "31") {
          expect(head.head).to.equal(s1.head);
          break;
        }
        if (tries > 100) throw new Error(`the indexer stayed at entry ${head.count} of 31`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const app = /App\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out1);
      expect(app, "the app URL is printed").to.not.equal(null);
      expect(await (await fetch(app![1])).text()).to.include('<div id="root">');
      const config = (await (await fetch(`${app![1]}/config.json`)).json()) as {
        local: { contracts: { Ledger: string }; relayerUrl: string; indexerUrl: string };
      };
      expect(config.local.contracts.Ledger).to.equal(s1.ledger);
      expect(config.local.relayerUrl).to.equal(relayer![1]);
      expect(config.local.indexerUrl).to.equal(indexer![1]);
      // The app's accounts page shows the demo through the indexer (its head checked against the Ledger's tip).
      const browser = await launchBrowser();
      try {
        const page = await browser.context.newPage();
        await page.goto(`${app![1]}/#/accounts`);
        await page.locator('[data-testid="accounts-summary"][data-source="indexer"][data-entries="31"]').waitFor({ timeout: 60_000 });
        expect(await page.getByTestId("source").innerText()).to.match(
          /^✓ Read through the indexer at http:\/\/127\.0\.0\.1:\d+: its 31 entries chain to the Ledger's head/,
        );
        await page.goto(`${app![1]}/#/entries`);
        await page.locator('[data-testid="entries-pager"][data-first="31"][data-last="1"]').waitFor({ timeout: 30_000 });
      } finally {
        await browser.close();
      }
      // The CLI in a second terminal needs nothing but the data folder, whatever COMMONS_PORT is.
      const cli = await runCli(["show", "1", "--json"], { COMMONS_DATA_DIR: dataDir });
      expect(cli.code, cli.stdout + cli.stderr).to.equal(0);
      expect(JSON.parse(cli.stdout)).to.include({ id: "1" });

      // Ctrl-C in a terminal: SIGINT to every process of the foreground group (tsx and npm start's
      // node); the chain and the relayer, in groups of their own, are stopped by npm start in order.
      process.kill(-first.child.pid!, "SIGINT");
      expect(await first.exited).to.equal(0);
      // Both tsx (relaying it) and npm start's node get the SIGINT, so "Still stopping" may come anywhere in between.
      const stopped = first
        .output()
        .slice(first.output().indexOf("Stopping Commons Ledger..."))
        .split("\n")
        .filter((line) => !line.startsWith("Still stopping"))
        .join("\n");
      expect(stopped, stopped).to.match(
        /^Stopping Commons Ledger\.\.\.\n {2}app stopped\n {2}relayer stopped \(its queue is kept in the data folder\)\n {2}indexer stopped \(its database is kept in the data folder\)\n {2}stopping the local chain \(saving its state\)\.\.\.\nSaved to .*anvil-state\.json\. Run npm start again to resume\.\n/,
      );

      const second = start(dataDir);
      await waitFor(second, "Commons Ledger is running.", 120_000);
      const out2 = second.output();
      expect(out2).to.include("resumed the saved chain");
      expect(out2).to.include(`reusing the Ledger at ${s1.ledger}`);
      expect(out2).not.to.include("seeding");
      expect(out2, "the app is built once").not.to.include("building the app");
      expect(summary(out2)).to.deep.equal(s1);
      expect(out2).to.include("matches the on-chain head");

      // The terminal closes: SIGHUP to every process of the foreground group. npm start stops the app,
      // the relayer, the indexer and the chain as for Ctrl-C (by default it would die at once and
      // leave them running, holding their ports). tsx, relaying it, may exit before npm start's node ends.
      const urls = [
        `http://127.0.0.1:${PORT}`,
        ...["Relayer", "Indexer", "App"].map((name) => new RegExp(`${name}\\s+(http://127\\.0\\.0\\.1:\\d+)`).exec(out2)![1]!),
      ];
      process.kill(-second.child.pid!, "SIGHUP");
      for (const until = Date.now() + 60_000; !/Saved to .*anvil-state\.json/.test(second.output());) {
        if (Date.now() > until) throw new Error(`npm start did not stop on SIGHUP:\n${second.output()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      await second.exited;
      for (const url of urls) {
        const answered = await fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
          () => true,
          () => false,
        );
        expect(answered, `${url} still answers after SIGHUP`).to.equal(false);
      }
    });
  });

  describe("when the port is taken", () => {
    it("exits non-zero with a clear reason and leaves the data alone", async () => {
      const holder = start(dataDir, PORT + 1);
      await waitFor(holder, "Commons Ledger is running.", 120_000);
      const other = mkdtempSync(path.join(tmpdir(), "commons-start-"));
      try {
        const clash = start(other, PORT + 1);
        expect(await clash.exited).to.equal(1);
        expect(clash.output()).to.match(/port \d+ on 127\.0\.0\.1 is already in use/);
      } finally {
        holder.child.kill("SIGINT");
        await holder.exited;
        rmSync(other, { recursive: true, force: true });
      }
    });
  });

  describe("when the indexer's port is taken", () => {
    it("exits non-zero naming the port, asks the program there nothing, and leaves nothing running", async () => {
      const asked: string[] = [];
      const stranger = createServer((req, res) => {
        asked.push(req.url!);
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
      await new Promise<void>((resolve) => stranger.listen(0, "127.0.0.1", resolve));
      const taken = (stranger.address() as AddressInfo).port;
      try {
        const run = start(dataDir, PORT + 3, { COMMONS_INDEXER_PORT: String(taken) });
        expect(await run.exited).to.equal(1);
        expect(run.output()).to.include(
          `npm start failed: port ${taken} is already in use by another program: stop it, or give the indexer another port (--port, COMMONS_INDEXER_PORT)`,
        );
        expect(asked).to.deep.equal([]);
        expect(existsSync(path.join(dataDir, "processes.json")), "its children were stopped").to.equal(false);
        const chain = await fetch(`http://127.0.0.1:${PORT + 3}`, { signal: AbortSignal.timeout(5_000) }).then(
          () => "answers",
          () => "stopped",
        );
        expect(chain).to.equal("stopped");
      } finally {
        stranger.close();
      }
    });
  });

  describe("when an earlier npm start was killed without stopping its children (kill -9)", () => {
    it("stops the chain, the relayer and the indexer it left running, then resumes the saved chain; a second start beside a running one touches nothing", async () => {
      const port = PORT + 2;
      // The shared folder: its chain, restarted by the tests above, is the one resumed here (a
      // chain with several restarts behind it, which anvil may give another block 0; see isDeployed).
      const processesFile = path.join(dataDir, "processes.json");
      try {
        const killed = start(dataDir, port);
        await waitFor(killed, "Commons Ledger is running.", 120_000);
        const before = summary(killed.output());
        expect(killed.output()).not.to.include("deploying afresh");
        const urls = [
          `http://127.0.0.1:${port}`,
          ...["Relayer", "Indexer"].map((name) => new RegExp(`${name}\\s+(http://127\\.0\\.0\\.1:\\d+)`).exec(killed.output())![1]!),
        ];
        // SIGKILL to npm start's group (tsx and its node): no handler runs, the children (in groups of their own) stay.
        process.kill(-killed.child.pid!, "SIGKILL");
        await killed.exited;
        for (const url of urls) {
          const answered = await fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
            () => true,
            () => false,
          );
          expect(answered, `${url} no longer answers: nothing was left behind to stop`).to.equal(true);
        }
        expect(existsSync(processesFile)).to.equal(true);

        const next = start(dataDir, port);
        await waitFor(next, "Commons Ledger is running.", 120_000);
        const out = next.output();
        expect(out).to.match(/stopped what an earlier npm start left running when it was killed: (the (chain|relayer|indexer) \(PID \d+\)(, )?){3}\n/);
        expect(out).to.include("resumed the saved chain");
        expect(out).to.match(/reusing the Ledger at 0x[0-9a-fA-F]{40}/);
        expect(out).not.to.include("deploying afresh");
        expect(summary(out)).to.deep.equal(before);

        // A second start on the same folder and port while this one runs: the port is taken, and the
        // running start's children and their record are left alone.
        const beside = start(dataDir, port);
        expect(await beside.exited).to.equal(1);
        expect(beside.output()).to.match(/port \d+ on 127\.0\.0\.1 is already in use/);
        expect(beside.output()).not.to.include("stopped what an earlier npm start left running");
        expect(existsSync(processesFile)).to.equal(true);
        const relayer = new RegExp(`Relayer\\s+(http://127\\.0\\.0\\.1:\\d+)`).exec(out)![1]!;
        expect((await fetch(`${relayer}/health`).catch(() => undefined))?.status, "the running relayer still answers").to.not.equal(undefined);

        process.kill(-next.child.pid!, "SIGINT");
        expect(await next.exited).to.equal(0);
        expect(existsSync(processesFile), "a clean stop leaves no record").to.equal(false);
      } finally {
        // Whatever failed above, the children of the killed start do not outlive the test.
        await stopLeftovers(processesFile);
      }
    });
  });

  describe("with DATABASE_URL set", () => {
    it("keeps the indexer's tables in that PostgreSQL server, with no other change, and the app reads through it", async () => {
      const postgres = await startPostgres({ port: await freePort() });
      try {
        const run = start(dataDir, PORT + 4, { DATABASE_URL: postgres.url });
        await waitFor(run, "Commons Ledger is running.", 180_000);
        const out = run.output();
        const entries = Number(/: (\d+) entries, head/.exec(out)![1]);
        expect(entries).to.be.greaterThan(30);
        // The app's configuration names that indexer. Ponder is ready once its backfill is done and
        // indexes the last 30 blocks after: its head reaches the Ledger's tip soon after.
        const indexerUrl = /Indexer\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
        const config = (await (await fetch(`http://127.0.0.1:${PORT + 4 + 243}/config.json`)).json()) as { local: { indexerUrl: string } };
        expect(config.local.indexerUrl).to.equal(indexerUrl);
        const until = Date.now() + 60_000;
        let head = "";
        while ((head = ((await (await fetch(`${indexerUrl}/head`)).json()) as { count: string }).count) !== String(entries) && Date.now() < until)
          await new Promise((r) => setTimeout(r, 200));
        expect(head).to.equal(String(entries));
        expect(postgres.query("select count(*) from commons.entry")).to.deep.equal([String(entries)]);
        process.kill(-run.child.pid!, "SIGINT");
        expect(await run.exited).to.equal(0);
        expect(run.output()).to.include("indexer stopped (its database is kept in the PostgreSQL server of DATABASE_URL)");
      } finally {
        await postgres.stop();
      }
    });
  });

  describe("when COMMONS_PORT is not a port", () => {
    it("exits with code 2 before starting anything", async () => {
      const bad = start(dataDir, "80a" as unknown as number);
      expect(await bad.exited).to.equal(2);
      expect(bad.output()).to.include('COMMONS_PORT must be a port number from 1024 to 65535, got "80a"');
    });
  });
});
