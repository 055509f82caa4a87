// `commons license|declare|attest|breach|grant|status` end to end against a real anvil with
// CommonsModule (Ledger + ReciprocityRegistry) deployed through Ignition, keys from the environment.
import { expect } from "chai";
import { id } from "ethers";
import { devWallet } from "../scripts/lib/seed.js";
import { runCli, startLocalLedger } from "./helpers/local-ledger.js";
import type { LocalLedger, Run } from "./helpers/local-ledger.js";

describe("commons license CLI", function () {
  this.timeout(180_000);
  let l: LocalLedger;
  let env: Record<string, string>;
  const key = (i: number) => devWallet(i, l.provider).privateKey;
  const cli = (args: string[], signer?: number, extra: Record<string, string> = {}) =>
    runCli(args, { ...env, ...(signer !== undefined ? { COMMONS_PRIVATE_KEY: key(signer) } : {}), ...extra });
  const ok = (r: Run) => {
    expect(r.code, r.stderr).to.equal(0);
    return r.stdout;
  };
  const LICENSOR = 1;
  const ATTESTER = 2;
  const COOP = 3;
  const STRANGER = 4;

  before(async () => {
    l = await startLocalLedger();
    env = { COMMONS_RPC_URL: l.rpc, COMMONS_LEDGER: l.ledger, COMMONS_REGISTRY: l.contracts.ReciprocityRegistry };
  });

  after(async () => {
    await l?.stop();
  });

  it("registers a work, records declarations and an attestation, and answers status with the evidence", async () => {
    const coop = devWallet(COOP, l.provider).address;
    const attester = devWallet(ATTESTER, l.provider).address;
    expect(ok(await cli(["license", "register", "--kind", "ppl", "--terms-hash", id("PPL"), "--uri", "https://example.org/ppl", "--attester", attester], LICENSOR))).to.match(/^work 1: ppl by /);
    expect(ok(await cli(["declare", "1", "entity", "--form", "worker-owned"], COOP))).to.match(/^record 1: entity declaration by /);
    const now = Math.floor(Date.now() / 1000);
    expect(ok(await cli(["declare", "1", "surplus", "--from", String(now - 86_400), "--until", String(now + 300 * 86_400)], COOP))).to.match(/^record 2: surplus/);
    ok(await cli(["attest", coop, "1", "1"], ATTESTER));
    ok(await cli(["attest", coop, "1", "2"], ATTESTER));
    const s = JSON.parse(ok(await cli(["status", coop, "1", "--json"])));
    expect(s).to.include({ status: "CommercialPermitted", reason: "WorkerOwnedSurplus", attested: true });
    expect(s.records).to.deep.equal(["1", "3", "2", "4"]);
    expect(s.evidence.map((e: { signer: string }) => e.signer)).to.deep.equal([coop, attester, coop, attester]);
    const text = ok(await cli(["status", coop, "1"]));
    expect(text).to.match(/status: {3}CommercialPermitted \(attested\)/);
    expect(text).to.match(/what would change it:\n {2}- the surplus period ends/);
  });

  it("terminates on a finding and restores on the licensor's signed reinstatement", async () => {
    const coop = devWallet(COOP, l.provider).address;
    expect(ok(await cli(["breach", "report", coop, "1", "--section", "4(e)"], STRANGER))).to.match(/^record 5: breach of 4e/);
    expect(JSON.parse(ok(await cli(["status", coop, "1", "--json"]))).status).to.equal("Disputed");
    ok(await cli(["breach", "find", "5"], LICENSOR));
    const t = JSON.parse(ok(await cli(["status", coop, "1", "--json"])));
    expect(t).to.include({ status: "Terminated", prior: "CommercialPermitted", reason: "BreachFound" });
    expect(ok(await cli(["grant", coop, "1", "reinstatement", "--ref", "6"], LICENSOR))).to.match(/^record 7: reinstatement granted/);
    expect(JSON.parse(ok(await cli(["status", coop, "1", "--json"]))).status).to.equal("CommercialPermitted");
  });

  describe("bad input", () => {
    const coop = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    const cases: [string, string[], RegExp][] = [
      ["an address that is not one", ["status", "0x1234", "1"], /licensee: "0x1234" is not an address/],
      ["an inverted surplus period", ["declare", "1", "surplus", "--from", "2027-01-01", "--until", "2026-01-01"], /period: ends .* at or before it starts/],
      ["a reinstatement without the finding", ["grant", coop, "1", "reinstatement"], /ref: a reinstatement names the breach finding/],
      ["an obligation on a PPL work", ["license", "register", "--kind", "ppl", "--terms-hash", id("x"), "--uri", "u", "--settle", "5", "--unit", "EUR", "--period", "30"], /--settle: a settlement obligation needs --kind copyfair/],
    ];
    for (const [title, args, message] of cases) {
      it(`exits 2 with one line on ${title}, before any RPC call`, async () => {
        // An RPC that cannot answer: any call would fail with exit 1 instead.
        const r = await cli(args, COOP, { COMMONS_RPC_URL: "http://127.0.0.1:9" });
        expect(r.code, r.stderr).to.equal(2);
        expect(r.stderr.trim().split("\n")).to.have.length(1);
        expect(r.stderr).to.match(message);
        expect(r.stdout).to.equal("");
      });
    }
  });
});
