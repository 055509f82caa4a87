// Who counts, from the command line, as stewards and coordinators use it: register a commons, see
// that it is run by one key, appoint validators, add stewards, raise the threshold, and watch a
// change wait for the second steward's approval. Against a real anvil with CommonsModule deployed.
import { expect } from "chai";
import { id } from "ethers";
import { commonsId } from "../scripts/lib/core/record.js";
import { devWallet } from "../scripts/demo/seed.js";
import { runCli, startLocalLedger } from "./helpers/local-ledger.js";
import type { LocalLedger, Run } from "./helpers/local-ledger.js";
import { startRequestCounter } from "./helpers/request-counter.js";
import type { RequestCounter } from "./helpers/request-counter.js";

describe("commons CLI: commons, stewards, roles, rules and proposals", function () {
  this.timeout(180_000);
  let l: LocalLedger;
  let env: Record<string, string>;
  const key = (i: number) => ({ COMMONS_PRIVATE_KEY: devWallet(i, l.provider).privateKey });
  const address = (i: number) => devWallet(i, l.provider).address;
  const cli = (args: string[], extra: Record<string, string> = {}): Promise<Run> => runCli(args, { ...env, ...extra });
  const ok = (r: Run) => {
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    return r.stdout;
  };
  let commons: string;

  before(async () => {
    l = await startLocalLedger();
    env = { COMMONS_RPC_URL: l.rpc, COMMONS_LEDGER: l.ledger };
    commons = commonsId(address(1), id("Garden lab"));
  });
  after(async () => l?.stop());

  describe("commons register, list and show", () => {
    it("registers a commons whose founder is its only steward and says it is run by one key", async () => {
      const out = ok(await cli(["commons", "register", "--name", "Garden lab"], key(1)));
      expect(out).to.include(`registered "Garden lab" as commons ${commons}`);
      expect(out).to.include("Run by one key: its only steward changes stewards, validators and rules and publishes distributions alone.");
      const list = JSON.parse(ok(await cli(["commons", "list", "--json"]))) as { id: string; name: string; threshold: number; singleKey: boolean }[];
      expect(list.find((c) => c.id === commons)).to.include({ name: "Garden lab", threshold: 1, singleKey: true });
      const shown = ok(await cli(["commons", "show", commons]));
      expect(shown).to.include("validators: none appointed yet, so no entry can be accepted");
    });
  });

  describe("role set, steward add, steward threshold and proposal approve", () => {
    it("appoints validators at once while one key runs the commons, then needs two of three stewards", async () => {
      ok(await cli(["role", "set", commons, address(2), "--actions", "all"], key(1)));
      ok(await cli(["steward", "add", commons, address(3)], key(1)));
      const added = ok(await cli(["steward", "add", commons, address(4)], key(1)));
      expect(added).to.include("Run by one key: any one of its 3 stewards can change stewards, validators and rules and publish distributions alone.");
      const raised = ok(await cli(["steward", "threshold", commons, "2"], key(1)));
      expect(raised).to.match(/took effect with 1 of 1 steward approval/);
      expect(raised).not.to.include("Run by one key");

      const proposed = ok(await cli(["rule", "set", commons, "work", "--accepts", "2", "--disputes", "1"], key(3)));
      const pid = /proposal (\d+) \(work: accepted with 2 accepts, disputed with 1 dispute in commons/.exec(proposed)?.[1];
      expect(pid, proposed).to.not.equal(undefined);
      expect(proposed).to.include("approved by 1 of the 2 stewards needed; it takes effect when 1 more approves with: commons proposal approve");
      let shown = ok(await cli(["commons", "show", commons]));
      expect(shown).to.include("Any 2 of its 3 stewards decide together");
      expect(shown).to.match(new RegExp(`#${pid} work: accepted with 2 accepts, disputed with 1 dispute: pending, approved by 1 of 2`));

      const again = await cli(["proposal", "approve", pid!], key(3));
      expect(again.code).to.equal(1);
      expect(again.stderr).to.match(/already approved proposal/);
      const stranger = await cli(["proposal", "approve", pid!], key(6));
      expect(stranger.code).to.equal(1);
      expect(stranger.stderr).to.match(/is not a steward of this commons\./);

      expect(ok(await cli(["proposal", "approve", pid!], key(4)))).to.match(
        new RegExp(`proposal ${pid} \\(work: .*\\) took effect with 2 of 2 steward approvals`),
      );
      shown = ok(await cli(["commons", "show", commons]));
      expect(shown).to.match(/work\s+2 \/ 1/);
      expect(shown).not.to.include("proposals not in effect");
    });

    it("lets a removal wait for a second steward, and refuses one below the threshold with a sentence", async () => {
      const pending = ok(await cli(["steward", "remove", commons, address(4)], key(1)));
      expect(pending).to.match(/\(remove 0x[0-9a-fA-F]{40} as a steward in commons .*\): approved by 1 of the 2 stewards needed/);
      let shown = JSON.parse(ok(await cli(["commons", "show", commons, "--json"]))) as { stewards: string[] };
      expect(shown.stewards).to.have.length(3);

      // Three of three from now on: the pending removal is void (the threshold changed).
      const raise = /proposal (\d+)/.exec(ok(await cli(["steward", "threshold", commons, "3"], key(1))))![1];
      expect(ok(await cli(["proposal", "approve", raise], key(3)))).to.match(/took effect with 2 of 2 steward approvals/);
      const stalePid = /proposal (\d+)/.exec(pending)![1];
      const stale = await cli(["proposal", "approve", stalePid], key(3));
      expect(stale.code).to.equal(2);
      expect(stale.stderr).to.match(/was made before the stewards or their threshold changed: propose it again/);

      const refused = await cli(["steward", "remove", commons, address(4)], key(1));
      expect(refused.code).to.equal(1);
      expect(refused.stderr.trim()).to.equal("commons: That would leave 2 stewards, fewer than the 3 approvals every change needs: lower the threshold first.");
      shown = JSON.parse(ok(await cli(["commons", "show", commons, "--json"]))) as { stewards: string[] };
      expect(shown.stewards).to.have.length(3);
    });
  });

  describe("role suggest", () => {
    it("lists nobody while no contribution is accepted", async () => {
      expect(ok(await cli(["role", "suggest", commons, "--min", "10", "--unit", "h"]))).to.match(/nobody without a role has 10 h accepted in Garden lab/);
    });
  });

  describe("bad input", () => {
    let counter: RequestCounter;
    before(async () => {
      counter = await startRequestCounter();
    });
    after(() => counter.close());
    const base = () => ["--rpc", counter.url, "--ledger", l.ledger];
    const cases: [string, () => string[], RegExp][] = [
      ["an unknown action in --actions", () => [...base(), "role", "set", commons, address(2), "--actions", "work,dance"], /action: "dance" is not one of/],
      ["an empty --actions", () => [...base(), "role", "set", commons, address(2), "--actions", ","], /--actions: "," names no action/],
      ["a threshold of 0", () => [...base(), "steward", "threshold", commons, "0"], /approvals: must be at least 1/],
      ["a malformed commons id", () => [...base(), "steward", "add", "0x12", address(2)], /commons: "0x12" is not a 32-byte hex value/],
      ["a malformed steward address", () => [...base(), "steward", "add", commons, "0xabc"], /address: "0xabc" is not an address/],
      ["a zero proposal id", () => [...base(), "proposal", "approve", "0"], /proposal: proposal ids start at 1/],
      ["--accepts 0", () => [...base(), "rule", "set", commons, "work", "--accepts", "0", "--disputes", "1"], /--accepts: must be at least 1/],
      ["an empty commons name", () => [...base(), "commons", "register", "--name", ""], /--name: is 0 bytes long; 1 to 200 are allowed/],
      ["a negative --min", () => [...base(), "role", "suggest", commons, "--min", "-1", "--unit", "h"], /--min: /],
    ];
    for (const [what, args, message] of cases) {
      it(`rejects ${what} with one line and no RPC call`, async () => {
        const before = counter.count();
        const r = await cli(args(), key(1));
        expect(r.code, r.stdout + r.stderr).to.equal(2);
        expect(r.stderr.trim().split("\n")).to.have.length(1);
        expect(r.stderr).to.match(message);
        expect(counter.count() - before, "RPC requests").to.equal(0);
      });
    }

    it("names a proposal that does not exist", async () => {
      const r = await cli(["proposal", "approve", "999"], key(1));
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(/there is no proposal 999 on this ledger/);
    });
  });
});
