// `commons simulate --chain` end to end: a fresh anvil with the Ledger deployed through Ignition, a
// simulated commons of 10 processes over 20 periods recorded through the CLI (every need, intent,
// commitment and event signed by the dev keys), then what an auditor and a coordinator run on that
// ledger: verify passes, needs lists the plan's intents with their commitments, plan reads the book
// the run wrote. Bad input exits 2 with one line before any RPC call; a chain other than the local
// development chain is refused before anything is written.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { getCreateAddress, JsonRpcProvider, keccak256 } from "ethers";
import { devWallet } from "../scripts/lib/node/dev-chain.js";
import { startLocalChain } from "../scripts/lib/node/local-chain.js";
import { freePort, runCli, startLocalLedger } from "./helpers/local-ledger.js";
import type { LocalLedger, Run } from "./helpers/local-ledger.js";
import { itRejectsBeforeAnyRpc, startRequestCounter } from "./helpers/request-counter.js";
import type { RequestCounter } from "./helpers/request-counter.js";

interface NeedJson {
  id: string;
  action: string;
  what: string;
  commons: string;
  process: string;
  quantity: string;
  satisfied: string;
  satisfiers: { id: string; reason?: string }[];
  /** Where the CLI gives each need's chain (the signals branch): the commitments that name it. */
  commitments?: { id: string }[];
}

const count = (text: string) => Number(text.replace(/,/g, ""));

describe("commons simulate --chain", function () {
  this.timeout(300_000);
  let l: LocalLedger;
  let dir: string;
  let env: Record<string, string>;
  let run: Run;
  const cli = (args: string[]) => runCli(args, env);
  const ok = (r: Run) => expect(r.code, r.stdout + r.stderr).to.equal(0);
  const book = () => path.join(dir, "book.json");
  const labels = () => path.join(dir, "labels.json");
  /** A figure of the run's summary, by a pattern with one group. */
  const figure = (pattern: RegExp): string => {
    const m = pattern.exec(run.stdout);
    expect(m, `${pattern} in\n${run.stdout}`).to.not.equal(null);
    return m![1];
  };

  before(async () => {
    l = await startLocalLedger();
    dir = mkdtempSync(path.join(tmpdir(), "commons-simchain-"));
    env = { COMMONS_RPC_URL: l.rpc, COMMONS_LEDGER: l.ledger, COMMONS_DATA_DIR: dir };
    run = await cli(["simulate", "--chain", "--processes", "10", "--periods", "20", "--book-out", book(), "--labels-out", labels()]);
  });

  after(async () => {
    await l?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("records every need, intent, commitment and event of 10 processes over 20 periods, and the ledger matches the simulation", () => {
    ok(run);
    expect(run.stdout).to.match(/^planner\s+[\d.]+ %/m);
    expect(run.stdout).to.match(/commons 0x[0-9a-f]{64} "simulation: generated commons \(seed 1, 10 processes\) 1\.0\.0, seed 1"/);
    expect(run.stdout).to.match(/\d+ periods of 24 h \(\d+ of warm-up\), the chain's clock moved from/);
    const entries = count(figure(/recorded ([\d,]+) entries in/));
    const transactions = count(figure(/entries in ([\d,]+) transactions/));
    expect(count(figure(/transactions, ([\d,]+) gas/))).to.be.greaterThan(entries * 5_000);
    // Each period is two batches at least (needs and intents; then commitments and events).
    expect(transactions).to.be.at.least(2 * count(figure(/(\d+) periods of/)));
    const needs = count(figure(/intents: ([\d,]+) needs of the customer/));
    const intents = count(figure(/([\d,]+) plan signals of the coordinator/));
    const commitments = count(figure(/; ([\d,]+) commitments/));
    const events = count(figure(/events: ([\d,]+):/));
    expect(needs).to.be.greaterThan(20);
    expect(intents).to.be.greaterThan(10 * 20);
    expect(commitments).to.equal(intents);
    expect(needs + intents + commitments + events, "every entry is a need, an intent, a commitment or an event").to.equal(entries);
    for (const action of ["produce", "transfer", "consume", "work", "cite"]) expect(count(figure(new RegExp(`([\\d,]+) ${action}\\b`)))).to.be.greaterThan(0);
    expect(run.stdout).to.match(/check: the lots of 10 specs hold the simulation's end stock within 1e-6 \(yes/);
    expect(run.stdout).to.match(/\d+ needs met as delivered, each within 1e-6/);
    expect(run.stdout).to.include("OK: the ledger matches the simulation");
    expect(run.stdout).to.not.include("MISMATCH");
  });

  it("leaves a ledger that commons verify verifies, entry for entry", async () => {
    const r = await cli(["verify"]);
    ok(r);
    expect(r.stdout).to.include("OK: the ledger verifies");
    expect(r.stdout).to.include(`${count(figure(/recorded ([\d,]+) entries in/))} entries`);
  });

  it("lists the plan's intents with their commitments, and the customer's needs met by deliveries, in commons needs --json", async () => {
    const r = await cli(["needs", "--all", "--json", "--labels", labels()]);
    ok(r);
    const commons = figure(/commons (0x[0-9a-f]{64})/);
    const needs = (JSON.parse(r.stdout) as NeedJson[]).filter((n) => n.commons === commons);
    const intents = needs.filter((n) => n.action === "produce");
    const asked = needs.filter((n) => n.action === "transfer");
    expect(intents).to.have.length(count(figure(/([\d,]+) plan signals of the coordinator/)));
    expect(asked).to.have.length(count(figure(/intents: ([\d,]+) needs of the customer/)));
    // A commitment names its intent: it is listed among the intent's satisfiers as a promise (and
    // under `commitments` where the CLI gives each need's chain).
    for (const n of intents) {
      const promised = n.commitments?.map((c) => c.id) ?? n.satisfiers.filter((s) => /commitment/.test(s.reason ?? "")).map((s) => s.id);
      expect(promised, `intent #${n.id} has its commitment`).to.have.length(1);
      expect(n.what).to.match(/^part \d\d$/);
    }
    const met = (n: NeedJson) => Number(n.satisfied) >= Number(n.quantity);
    expect(intents.filter(met).length, "intents met in full by the produce of their commitments").to.equal(count(figure(/, ([\d,]+) met in full/)));
    // The customer's needs are met by the deliveries as the simulation made them (short where it was short).
    const micro = (q: string) => BigInt(Math.round(Number(q) * 1e6));
    const delivered = asked.reduce((a, n) => a + micro(n.satisfied), 0n);
    expect(delivered).to.equal(micro(figure(/needs met as delivered, each within 1e-6 \(([\d.]+) of/)));
    expect(asked.reduce((a, n) => a + micro(n.quantity), 0n)).to.equal(micro(figure(/needs met as delivered, each within 1e-6 \([\d.]+ of ([\d.]+) asked/)));
  });

  it("plans from the book the run wrote: plan --recipes finds the book's cite on that ledger", async () => {
    const hash = figure(/book written to .* \(hash (0x[0-9a-f]{64})\)/);
    expect(keccak256(readFileSync(book()))).to.equal(hash);
    const r = await cli(["plan", "--recipes", book(), "--commons", figure(/commons (0x[0-9a-f]{64})/), "--json"]);
    ok(r);
    const plan = JSON.parse(r.stdout) as { recordedBy: string; recipes: { hash: string }; processes: unknown[] };
    expect(plan.recordedBy).to.equal(figure(/the book's cite #(\d+)/));
    expect(plan.recipes.hash).to.equal(hash);
    expect(plan.processes).to.have.length(10);
  });

  describe("bad input", () => {
    let counter: RequestCounter;
    before(async () => {
      counter = await startRequestCounter();
    });
    after(() => counter.close());

    const base = () => ["--rpc", counter.url, "--ledger", l.ledger, "simulate"];
    const cases: [string, () => string[], RegExp][] = [
      ["a book of 1 process", () => [...base(), "--chain", "--processes", "1"], /--processes: "1" is not a whole number from 2 to 2000/],
      ["the naive policy on the chain", () => [...base(), "--chain", "--policy", "naive"], /--policy: --chain records the planner policy only/],
      ["--table with --chain", () => [...base(), "--chain", "--table", "1,2"], /--table: runs the coordination benchmark, not a run on the chain/],
      ["--labels-out without --chain", () => [...base(), "--labels-out", labels()], /--labels-out: goes with --chain/],
      [
        "a book file in a folder that does not exist",
        () => [...base(), "--chain", "--book-out", path.join(dir, "nope", "book.json")],
        /--book-out: folder ".*nope" does not exist/,
      ],
    ];
    itRejectsBeforeAnyRpc(cases, cli, () => counter);

    it("refuses a chain that is not the local development chain, before writing to it", async () => {
      const chainDir = mkdtempSync(path.join(tmpdir(), "commons-chain1-"));
      const chain = await startLocalChain({ dataDir: chainDir, port: await freePort(), chainId: 1 });
      try {
        // Any contract where the Ledger is said to be (one byte of code), so that the CLI gets as far as the chain id.
        const provider = new JsonRpcProvider(chain.url, 1, { staticNetwork: true, cacheTimeout: -1 });
        const deployer = devWallet(0, provider);
        await (await deployer.sendTransaction({ data: "0x6001600c60003960016000f300" })).wait();
        const contract = getCreateAddress({ from: deployer.address, nonce: 0 });
        const blocks = await provider.getBlockNumber();
        const r = await runCli(["--rpc", chain.url, "--ledger", contract, "simulate", "--chain"]);
        expect(r.code, r.stdout + r.stderr).to.equal(2);
        expect(r.stderr.trim().split("\n")).to.have.length(1);
        expect(r.stderr).to.match(/--chain: the RPC at .* is on chain 1, not the local development chain \(31337\)/);
        expect(await provider.getBlockNumber(), "blocks after the refusal").to.equal(blocks);
        provider.destroy();
      } finally {
        await chain.stop();
        rmSync(chainDir, { recursive: true, force: true });
      }
    });
  });
});
