// `commons distribute` and `commons claim-share` end to end against a real anvil with the demo
// commons and the demo distribution seeded exactly as `npm start` seeds them.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEther } from "ethers";
import { seedDistribution, DEMO_EQUATION } from "../scripts/demo/seed-distribution.js";
import { devWallet, seedDemo } from "../scripts/demo/seed.js";
import type { SeedResult } from "../scripts/demo/seed.js";
import { equationHash } from "../scripts/lib/distribution/value-equation.js";
import { root, runCli, startLocalLedger } from "./helpers/local-ledger.js";
import type { LocalLedger } from "./helpers/local-ledger.js";

describe("commons distribute", function () {
  this.timeout(180_000);
  let l: LocalLedger;
  let demo: SeedResult;
  let dir: string;
  let env: Record<string, string>;
  let distId: bigint;
  const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { ...env, ...extra });
  const equation = path.join(root, DEMO_EQUATION);
  const bad = (name: string, change: (eq: Record<string, unknown>) => void) => {
    const eq = JSON.parse(readFileSync(equation, "utf8")) as Record<string, unknown>;
    change(eq);
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(eq));
    return file;
  };

  before(async () => {
    l = await startLocalLedger();
    dir = mkdtempSync(path.join(tmpdir(), "commons-distribute-"));
    demo = await seedDemo(l.provider, l.ledger, l.fromBlock, () => {});
    // The demo equation is published by its CID and pinned in this test's data folder, as npm start pins it.
    distId = await seedDistribution(l.provider, l.contracts, l.fromBlock, demo, { equationsDir: path.join(dir, "equations"), log: () => {} });
    env = { COMMONS_RPC_URL: l.rpc, COMMONS_LEDGER: l.ledger, COMMONS_DISTRIBUTOR: l.contracts.IncomeDistributor, COMMONS_DATA_DIR: dir };
  });

  after(async () => {
    await l?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe("computing", () => {
    it("gives the same root, head and shares in two independent runs, equal to the published ones", async () => {
      const args = [
        "distribute",
        "--equation",
        equation,
        "--income",
        "1",
        "--token",
        "ETH",
        "--cutoff",
        String(demo.entries),
        "--commons",
        demo.commons,
        "--json",
      ];
      const [a, b] = await Promise.all([cli(args), cli(args)]);
      expect(a.code, a.stderr).to.equal(0);
      expect(b.code, b.stderr).to.equal(0);
      const x = JSON.parse(a.stdout);
      expect(x).to.deep.equal(JSON.parse(b.stdout));
      expect(x.equationHash).to.equal(equationHash(JSON.parse(readFileSync(equation, "utf8"))));
      const shares = Object.fromEntries(x.shares.map((s: { account: string; amount: string }) => [s.account, BigInt(s.amount)]));
      // alice (3 h accepted) and bob (4.5 h, the correction) do work; carol lent 250 EUR; dave used the printer; erin cited a design.
      for (const who of ["alice", "bob", "carol", "dave", "erin"] as const) expect(shares[demo.people[who]], who).to.be.a("bigint").and.greaterThan(0n);
      expect(BigInt(x.total) + BigInt(x.dust) + BigInt(x.undistributed)).to.equal(parseEther("1"));
      // The demo commons alone (no supply chain, so no filament, and no licence settlement): carol's
      // 250 EUR loan capped at 0.1 ETH, erin's citation 0.1 ETH, and 0.8 ETH by points: alice 120,
      // bob 180, dave 60 (4 h on the printer at 15) of 360; 1 wei of dust.
      expect(shares).to.deep.equal({
        [demo.people.alice]: 266_666_666_666_666_666n,
        [demo.people.bob]: 400_000_000_000_000_000n,
        [demo.people.carol]: parseEther("0.1"),
        [demo.people.dave]: 133_333_333_333_333_333n,
        [demo.people.erin]: parseEther("0.1"),
      });
      expect(BigInt(x.dust)).to.equal(1n);
      const published = await (await import("../scripts/lib/distribution/distributor.js")).readPublished(l.provider, l.contracts.IncomeDistributor, distId);
      expect(published!.root).to.equal(x.root);
      expect(published!.ledgerHead).to.equal(x.head);
    });
    it("prints a table, an explanation per entry and bucket, the hash, head and root", async () => {
      const r = await cli(["distribute", "--equation", equation, "--income", "1", "--cutoff", "latest", "--commons", demo.commons]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/contributor\s+amount\s+entries/);
      expect(r.stdout).to.include('-> "work and equipment"');
      expect(r.stdout).to.match(/equation hash\s+0x[0-9a-f]{64}/);
      expect(r.stdout).to.match(/merkle root\s+0x[0-9a-f]{64}/);
      expect(r.stdout).to.include("commons        Sensorica open hardware lab (demo): Any 2 of its 3 stewards decide together");
    });
  });

  describe("--check and claim-share", () => {
    it("confirms the published distribution from the chain alone (equation from the published URI)", async () => {
      const r = await cli(["distribute", "--check", String(distId)]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.include("MATCHES the chain");
    });
    it("exits 1 when the equation differs from the published one", async () => {
      const other = bad("other-rate", (eq) => ((eq.rules as Record<string, { rates?: Record<string, string> }>).work.rates!["*"] = "41"));
      const r = await cli(["distribute", "--check", String(distId), "--equation", other]);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.include("DOES NOT MATCH");
    });
    it("shows a contributor its share and how it was earned", async () => {
      const r = await cli(["share", String(distId), "--account", demo.people.dave]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.include("recomputed root matches");
      // Rounded; --json has every digit. Dave published no name on this ledger: his short address.
      expect(r.stdout).to.include(`${demo.people.dave.slice(0, 6)}…${demo.people.dave.slice(-4)}  0.1333 ETH  (not claimed yet)`);
      expect(r.stdout).to.match(/entry #\d+ \(use\) -> "work and equipment": 60\.0 points/);
    });
    it("claims a contributor's share with its proof; a second claim is refused", async () => {
      const alice = devWallet(2, l.provider);
      const before = await l.provider.getBalance(alice.address);
      const key = devWallet(0, l.provider).privateKey; // a third party pays; the share goes to alice
      const r = await cli(["claim-share", String(distId), "--account", alice.address], { COMMONS_PRIVATE_KEY: key });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/claimed [\d.]+ ETH for/);
      expect(await l.provider.getBalance(alice.address)).to.be.greaterThan(before);
      const again = await cli(["claim-share", String(distId), "--account", alice.address], { COMMONS_PRIVATE_KEY: key });
      expect(again.code).to.equal(1);
      expect(again.stderr.trim().split("\n")).to.have.length(1);
      expect(again.stderr).to.include("already claimed");
    });
    it("publishes only with two of the three stewards: mira deposits and approves, yara recomputes and approves, --check confirms it", async () => {
      const mira = { COMMONS_PRIVATE_KEY: devWallet(1, l.provider).privateKey };
      const yara = { COMMONS_PRIVATE_KEY: devWallet(7, l.provider).privateKey };
      const r = await cli(
        ["distribute", "--equation", equation, "--income", "0.5", "--cutoff", "latest", "--commons", demo.commons, "--publish", "--json"],
        mira,
      );
      expect(r.code, r.stderr).to.equal(0);
      const first = JSON.parse(r.stdout) as { id: string; digest: string; approvals: string; threshold: string };
      expect([first.id, first.approvals, first.threshold]).to.deep.equal(["0", "1", "2"]);

      const text = await cli(["distribute", "--approve", first.digest, "--equation", equation], mira);
      expect(text.code).to.equal(1);
      expect(text.stderr).to.match(/already approved/);

      const approved = await cli(["distribute", "--approve", first.digest, "--equation", equation], yara);
      expect(approved.code, approved.stderr).to.equal(0);
      expect(approved.stdout).to.match(/recomputed from the chain: it matches the proposal by 0x[0-9a-fA-F]{40}\npublished as distribution (\d+)/);
      const id = /published as distribution (\d+)/.exec(approved.stdout)![1];
      const c = await cli(["distribute", "--check", id]);
      expect(c.code, c.stderr).to.equal(0);

      // The contributors it names stop it: alice (23.3 %) objects, then bob (35 %) takes the objections past half.
      const alice = await cli(["object-share", id], { COMMONS_PRIVATE_KEY: devWallet(2, l.provider).privateKey });
      expect(alice.code, alice.stderr).to.equal(0);
      expect(alice.stdout).to.equal(`objection recorded: the objecting contributors now hold 23.3 % of distribution ${id}; it stops at 50 %\n`);
      const stranger = await cli(["object-share", id], { COMMONS_PRIVATE_KEY: devWallet(9, l.provider).privateKey });
      expect(stranger.code).to.equal(1);
      expect(stranger.stderr).to.match(/is not named in distribution \d+: only the contributors it names may object/);
      const bob = await cli(["object-share", id], { COMMONS_PRIVATE_KEY: devWallet(3, l.provider).privateKey });
      expect(bob.code, bob.stderr).to.equal(0);
      expect(bob.stdout).to.match(/^distribution \d+ stopped: the objecting contributors hold 58\.3 % of it \(the commons' stop share is 50 %\)/);
      const claim = await cli(["claim-share", id, "--account", demo.people.carol], { COMMONS_PRIVATE_KEY: devWallet(0, l.provider).privateKey });
      expect(claim.code).to.equal(1);
      expect(claim.stderr).to.match(/is stopped by the contributors it names: nothing can be claimed from it/);
    });

    it("cancels only with two of the three stewards, and refuses objections after the window with a date", async () => {
      const mira = { COMMONS_PRIVATE_KEY: devWallet(1, l.provider).privateKey };
      const r = await cli(
        ["distribute", "--equation", equation, "--income", "0.1", "--cutoff", "latest", "--commons", demo.commons, "--publish", "--json"],
        mira,
      );
      const { digest } = JSON.parse(r.stdout) as { digest: string };
      const published = await cli(["distribute", "--approve", digest, "--equation", equation], { COMMONS_PRIVATE_KEY: devWallet(7, l.provider).privateKey });
      const id = /published as distribution (\d+)/.exec(published.stdout)![1];
      const first = await cli(["cancel-distribution", id], mira);
      expect(first.stdout).to.equal(`cancellation of distribution ${id} approved by 1 of the 2 stewards needed; it stands until 1 more approve\n`);
      const outsider = await cli(["cancel-distribution", id], { COMMONS_PRIVATE_KEY: devWallet(2, l.provider).privateKey });
      expect(outsider.code).to.equal(1);
      expect(outsider.stderr).to.match(/0x[0-9a-fA-F]{40} is not a steward of this commons\./);
      const second = await cli(["cancel-distribution", id], { COMMONS_PRIVATE_KEY: devWallet(4, l.provider).privateKey });
      expect(second.stdout).to.equal(`distribution ${id} cancelled: its total is back in the commons' unallocated income\n`);

      const late = await cli(["object-share", String(distId)], { COMMONS_PRIVATE_KEY: devWallet(2, l.provider).privateKey });
      expect(late.code).to.equal(1);
      expect(late.stderr).to.match(
        /The challenge window of distribution 1 closed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: it can no longer be cancelled, challenged or objected to\./,
      );
    });

    it("sets the stop share only with two of the three stewards", async () => {
      const first = await cli(["stop-rule", demo.commons, "33.33"], { COMMONS_PRIVATE_KEY: devWallet(1, l.provider).privateKey });
      expect(first.stdout).to.equal("stop share of 33.33 % approved by 1 of the 2 stewards needed; it applies when 1 more approve the same share\n");
      const second = await cli(["stop-rule", demo.commons, "33.33"], { COMMONS_PRIVATE_KEY: devWallet(7, l.provider).privateKey });
      expect(second.stdout).to.equal("from now on the contributors named for 33.33 % of a distribution's total stop it by objecting\n");
      const bad = await cli(["stop-rule", demo.commons, "150"], { COMMONS_PRIVATE_KEY: devWallet(7, l.provider).privateKey });
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.match(/percent: 150 % is not possible: give 0\.01 to 100/);
    });

    it("refuses to approve a proposal it cannot reproduce, and approves nothing", async () => {
      const mira = { COMMONS_PRIVATE_KEY: devWallet(1, l.provider).privateKey };
      const r = await cli(
        ["distribute", "--equation", equation, "--income", "0.25", "--cutoff", "latest", "--commons", demo.commons, "--publish", "--json"],
        mira,
      );
      expect(r.code, r.stderr).to.equal(0);
      const { digest } = JSON.parse(r.stdout) as { digest: string };
      const other = bad("other-weights", (eq) => ((eq.buckets as { percent: string }[])[0].percent = "10"));
      const refused = await cli(["distribute", "--approve", digest, "--equation", other], { COMMONS_PRIVATE_KEY: devWallet(7, l.provider).privateKey });
      expect(refused.code).to.equal(1);
      expect(refused.stdout).to.match(/DOES NOT MATCH the chain and the equation .*: not approved\./);
    });
  });

  describe("bad input exits 2 with one line", () => {
    const cases: [string, () => string[], RegExp][] = [
      [
        "percentages over 100",
        () => ["--equation", bad("over", (eq) => ((eq.buckets as { percent: string }[])[1].percent = "80"))],
        /sum to 110%, more than 100%/,
      ],
      [
        "an unknown action",
        () => ["--equation", bad("unknown", (eq) => ((eq.buckets as { actions: string[] }[])[0].actions = ["donate"]))],
        /unknown action "donate"/,
      ],
      ["empty buckets", () => ["--equation", bad("empty", (eq) => (eq.buckets = []))], /at least one bucket/],
      ["a wrong format version", () => ["--equation", bad("format", (eq) => (eq.format = "commons-ledger/value-equation@9"))], /format must be/],
      ["a cutoff in the future", () => ["--equation", equation, "--cutoff", "9999"], /entry 9999 is in the future/],
      ["a malformed cutoff", () => ["--equation", equation, "--cutoff", "yesterday"], /not an entry id/],
      ["a zero income", () => ["--equation", equation, "--income", "0"], /not a positive decimal/],
    ];
    for (const [what, args, message] of cases) {
      it(`for ${what}`, async () => {
        const base = ["--income", "1", "--cutoff", "latest", "--commons", demo.commons];
        const extra = args();
        const merged = [...base];
        for (let i = 0; i < extra.length; i += 2) {
          const at = merged.indexOf(extra[i]);
          if (at >= 0) merged.splice(at, 2);
          merged.push(extra[i], extra[i + 1]);
        }
        const r = await cli(["distribute", ...merged]);
        expect(r.code, r.stdout + r.stderr).to.equal(2);
        expect(r.stderr.trim().split("\n")).to.have.length(1);
        expect(r.stderr).to.match(message);
      });
    }
  });
});
