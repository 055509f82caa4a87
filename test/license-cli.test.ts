// `commons license|declare|attest|breach|grant|settlement|status` end to end against a real anvil
// with CommonsModule (Ledger + ReciprocityRegistry) deployed through Ignition, keys from the environment.
import { expect } from "chai";
import { Contract, id, Wallet, ZeroAddress } from "ethers";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { LedgerClient } from "../scripts/lib/core/client.js";
import { RECIPROCITY_ABI, reciprocityInterface } from "../scripts/lib/core/registry-abi.js";
import { RelayQueue } from "../scripts/lib/relayer/queue.js";
import { ALL_ROLES } from "../scripts/lib/core/vocabulary.js";
import { devWallet } from "../scripts/demo/seed.js";
import { runCli, startLocalLedger, startRelayerProcess, startTestRelayer } from "./helpers/local-ledger.js";
import type { LocalLedger, RelayerProcess, Run } from "./helpers/local-ledger.js";

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
  const FIRM = 5;
  const VALIDATOR = 6;
  const DISPUTER = 7;

  /**
   * THE one place where this file makes a Ledger entry Accepted (coordination with the Ledger's
   * commons appoints VALIDATOR (and DISPUTER) when it is registered).
   */
  async function accept(ledger: LedgerClient, entryId: bigint): Promise<void> {
    await ledger.validate(devWallet(VALIDATOR, l.provider), entryId, "accept");
  }

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
    expect(
      ok(await cli(["license", "register", "--kind", "ppl", "--terms-hash", id("PPL"), "--uri", "https://example.org/ppl", "--attester", attester], LICENSOR)),
    ).to.match(/^work 1: ppl by /);
    expect(ok(await cli(["declare", "1", "entity", "--form", "worker-owned"], COOP))).to.match(/^record 1: entity declaration by /);
    const now = Math.floor(Date.now() / 1000);
    expect(ok(await cli(["declare", "1", "surplus", "--from", String(now - 86_400), "--until", String(now + 300 * 86_400)], COOP))).to.match(
      /^record 2: surplus/,
    );
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

  it("license show: the work's license, licensor, terms, attesters and arbiter, its versions, and each licensee on file with its status now", async () => {
    const coop = devWallet(COOP, l.provider).address;
    const attester = devWallet(ATTESTER, l.provider).address;
    const licensor = devWallet(LICENSOR, l.provider).address;
    const lines = ok(await cli(["license", "show", "1"]))
      .trimEnd()
      .split("\n");
    expect(lines.slice(0, 7)).to.deep.equal([
      `work 1: ppl by ${licensor}`,
      `terms:      ${id("PPL")} at https://example.org/ppl`,
      "commons:    none",
      `attesters:  ${attester}`,
      "arbiter:    none (the licensor decides reports)",
      "versions:   work 1 (current)",
      "licensees on file (status for work 1 now; commons status <licensee> 1 says why):",
    ]);
    expect(lines.find((x) => x.includes(coop))).to.match(/CommercialPermitted \(attested\)\s.*\s4\s*$/);
    const j = JSON.parse(ok(await cli(["license", "show", "1", "--json"])));
    expect(j).to.include({ work: "1", kind: "ppl", licensor, current: "1" });
    expect(j.licensees).to.deep.equal([{ licensee: coop, status: "CommercialPermitted (attested)", validUntil: j.licensees[0].validUntil, records: 4 }]);
    const missing = await cli(["license", "show", "99"]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.match(/^commons: work: work 99 does not exist \(the registry has \d+ works\)\n$/);
  });

  describe("declare through the relayer (a licensee with no ETH)", () => {
    let relayer: RelayerProcess;
    let dir: string;
    let work: string;
    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), "commons-declare-"));
      relayer = await startRelayerProcess(l, path.join(dir, "relayer.sqlite"), ["--wait-ms", "100", "--registry", l.contracts.ReciprocityRegistry]);
      work = ok(await cli(["license", "register", "--kind", "ppl", "--terms-hash", id("PPL relay"), "--uri", "https://example.org/ppl"], LICENSOR)).match(
        /^work (\d+)/,
      )![1];
    });
    after(async () => {
      relayer?.child.kill("SIGTERM");
      await relayer?.exited;
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("declare --relayer --wait records the declaration; the licensee pays nothing and status follows it", async () => {
      const newcomer = Wallet.createRandom();
      const r = await cli(["declare", work, "use", "--use", "non-commercial", "--relayer", relayer.url, "--wait"], undefined, {
        COMMONS_PRIVATE_KEY: newcomer.privateKey,
      });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout.trim()).to.match(
        new RegExp(`^record \\d+: use declaration by ${newcomer.address} for work ${work}, through the relayer \\(tx 0x[0-9a-f]{64}\\)$`),
      );
      expect(await l.provider.getBalance(newcomer.address)).to.equal(0n);
      const record = /^record (\d+)/.exec(r.stdout)![1];
      expect(JSON.parse(ok(await cli(["status", newcomer.address, work, "--json"]))).records).to.deep.equal([record]);
    });

    it("declare --out writes a signed declaration that submit --relayer --wait sends; the same file again is answered, not recorded twice", async () => {
      const newcomer = Wallet.createRandom();
      const file = path.join(dir, "declaration.json");
      ok(await cli(["declare", work, "entity", "--form", "worker-owned", "--out", file], undefined, { COMMONS_PRIVATE_KEY: newcomer.privateKey }));
      expect(JSON.parse(readFileSync(file, "utf8"))).to.include({ type: "commons-ledger/signed-declaration@1", registry: l.contracts.ReciprocityRegistry });
      const sent = await cli(["submit", file, "--relayer", relayer.url, "--wait"]);
      expect(sent.code, sent.stderr).to.equal(0);
      expect(sent.stdout.trim()).to.match(/: declaration recorded as registry record \d+ \(tx 0x[0-9a-f]{64}\)$/);
      const again = await cli(["submit", file, "--relayer", relayer.url]);
      expect(again.code, again.stderr).to.equal(0);
      expect(again.stdout.trim()).to.equal(sent.stdout.trim());
    });

    it("grant --relayer --wait: the licensor's separate license goes through the relayer (no gas from the licensor); grant --out and submit do the same", async () => {
      const licensor = devWallet(LICENSOR, l.provider).address;
      const sentBefore = await l.provider.getTransactionCount(licensor);
      const licensee = Wallet.createRandom().address;
      const r = await cli(["grant", licensee, work, "separate-license", "--relayer", relayer.url, "--wait"], LICENSOR);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout.trim()).to.match(
        new RegExp(`^record \\d+: separate-license grant to ${licensee} for work ${work}, through the relayer \\(tx 0x[0-9a-f]{64}\\)$`),
      );
      expect(JSON.parse(ok(await cli(["status", licensee, work, "--json"])))).to.include({ status: "SeparatelyLicensed" });
      const other = Wallet.createRandom().address;
      const file = path.join(dir, "grant.json");
      ok(await cli(["grant", other, work, "separate-license", "--out", file], LICENSOR));
      expect(JSON.parse(readFileSync(file, "utf8"))).to.include({ type: "commons-ledger/signed-grant@1" });
      const sent = await cli(["submit", file, "--relayer", relayer.url, "--wait"]);
      expect(sent.code, sent.stderr).to.equal(0);
      expect(sent.stdout.trim()).to.match(/: grant recorded as registry record \d+ \(tx 0x[0-9a-f]{64}\)$/);
      expect(JSON.parse(ok(await cli(["status", other, work, "--json"])))).to.include({ status: "SeparatelyLicensed" });
      expect(await l.provider.getTransactionCount(licensor)).to.equal(sentBefore);
    });

    it("the relayer refuses a grant signed by someone who is not the work's licensor, with the registry's sentence", async () => {
      const file = path.join(dir, "stranger-grant.json");
      ok(await cli(["grant", Wallet.createRandom().address, work, "separate-license", "--out", file], STRANGER));
      // With the licensor's current nonce, so that the registry's nonce check passes and its signature check speaks.
      const registry = new Contract(l.contracts.ReciprocityRegistry, RECIPROCITY_ABI, l.provider);
      const signed = JSON.parse(readFileSync(file, "utf8"));
      const nonce = String(await registry.nonces(devWallet(LICENSOR, l.provider).address));
      writeFileSync(file, JSON.stringify({ ...signed, grant: { ...signed.grant, nonce }, digest: undefined }));
      const r = await cli(["submit", file, "--relayer", relayer.url]);
      expect(r.code).to.equal(1);
      expect(r.stdout.trim()).to.equal(
        `${file}: the relayer at ${new URL(relayer.url).origin} refused the grant (400): the registry would refuse it: The signature is not valid for ${devWallet(LICENSOR, l.provider).address}.`,
      );
    });

    describe("after a crash, with a declaration an earlier relayer left as being sent", () => {
      /** A queue database holding the signed declaration in `file` as being sent (with its transaction hash, if any). */
      function leftSending(db: string, file: string, txHash?: string): string {
        const signed = JSON.parse(readFileSync(file, "utf8"));
        const q = new RelayQueue(db);
        q.enqueueMessage({
          digest: signed.digest,
          kind: "declaration",
          signer: signed.declaration.licensee,
          scope: `declaration:${String(signed.declaration.licensee).toLowerCase()}:${signed.declaration.work}`,
          deadline: BigInt(signed.declaration.deadline),
          body: JSON.stringify(signed),
        });
        q.markMessageSending(signed.digest);
        if (txHash) q.setMessageTxHash(signed.digest, txHash);
        q.close();
        return signed.digest;
      }
      const start = (db: string) => startTestRelayer(l, 9, db, { registry: l.contracts.ReciprocityRegistry });
      const stateOf = async (url: string, digest: string) => {
        for (let i = 0; i < 100; i++) {
          const s = (await (await fetch(`${url}/records/${digest}`)).json()) as { state: string; entryId: string; txHash: string; attempts: number };
          if (s.state === "recorded" || s.state === "failed") return s;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error("not settled within 10 s");
      };

      it("marks one whose transaction was mined as recorded, with the registry's record id", async () => {
        const file = path.join(dir, "crash-mined.json");
        ok(await cli(["declare", work, "entity", "--form", "individual", "--out", file], undefined, { COMMONS_PRIVATE_KEY: Wallet.createRandom().privateKey }));
        const sent = ok(await cli(["submit", file], 8));
        const hash = /\(tx (0x[0-9a-f]{64})\)/.exec(sent)![1];
        const digest = leftSending(path.join(dir, "crash-mined.sqlite"), file, hash);
        const r = await start(path.join(dir, "crash-mined.sqlite"));
        try {
          const s = await stateOf(r.url, digest);
          const receipt = await l.provider.getTransactionReceipt(hash);
          const declared = receipt!.logs.map((x) => reciprocityInterface().parseLog(x)).find((e) => e?.name === "Declared")!;
          expect(s).to.include({ state: "recorded", entryId: String(declared.args.id), txHash: hash });
        } finally {
          await r.close();
        }
      });

      it("sends one whose transaction never went out, once", async () => {
        const file = path.join(dir, "crash-unsent.json");
        const licensee = Wallet.createRandom();
        ok(await cli(["declare", work, "entity", "--form", "individual", "--out", file], undefined, { COMMONS_PRIVATE_KEY: licensee.privateKey }));
        const digest = leftSending(path.join(dir, "crash-unsent.sqlite"), file);
        const r = await start(path.join(dir, "crash-unsent.sqlite"));
        try {
          const s = await stateOf(r.url, digest);
          expect(s).to.include({ state: "recorded", attempts: 2 });
          const registry = new Contract(l.contracts.ReciprocityRegistry, RECIPROCITY_ABI, l.provider);
          expect(await registry.declarationNonce(licensee.address, BigInt(work))).to.equal(1n);
        } finally {
          await r.close();
        }
      });
    });

    it("the relayer refuses a declaration the registry would refuse (its nonce used by an earlier one) with the registry's sentence, and a forged one for its signature; it queues neither", async () => {
      const newcomer = Wallet.createRandom();
      const [first, second] = [path.join(dir, "first.json"), path.join(dir, "second.json")];
      const as = { COMMONS_PRIVATE_KEY: newcomer.privateKey };
      ok(await cli(["declare", work, "entity", "--form", "individual", "--out", first], undefined, as));
      ok(await cli(["declare", work, "use", "--use", "commercial", "--out", second], undefined, as)); // the same nonce: nothing was sent between
      expect((await cli(["submit", first, "--relayer", relayer.url, "--wait"])).code).to.equal(0);
      const post = async (body: unknown) => {
        const res = await fetch(`${relayer.url}/records`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
        return { status: res.status, error: ((await res.json()) as { error: string }).error };
      };
      const stale = await post(JSON.parse(readFileSync(second, "utf8")));
      expect(stale.status).to.equal(409);
      expect(stale.error).to.match(/^the registry would refuse it: .*nonce/i);
      const signed = JSON.parse(readFileSync(second, "utf8"));
      const forged = await post({ ...signed, declaration: { ...signed.declaration, work: "999" }, digest: undefined });
      expect(forged).to.deep.equal({ status: 400, error: `the signature is not valid for the licensee ${newcomer.address}` });
      const health = (await (await fetch(`${relayer.url}/health`)).json()) as { queue: Record<string, number> };
      expect(health.queue.queued + health.queue.sending).to.equal(0);
    });
  });

  describe("license terms", () => {
    it("keeps the superseded version's attesters and arbiter unless told otherwise, and says so", async () => {
      const attester = devWallet(ATTESTER, l.provider).address;
      const arbiter = devWallet(DISPUTER, l.provider).address;
      const base = ["--kind", "ppl", "--terms-hash", id("PPL v1"), "--uri", "https://example.org/ppl"];
      const first = ok(await cli(["license", "register", ...base, "--attester", attester, "--arbiter", arbiter], LICENSOR)).match(/^work (\d+)/)![1];
      const updated = ok(await cli(["license", "terms", first, "--kind", "ppl", "--terms-hash", id("PPL v2"), "--uri", "https://example.org/ppl-2"], LICENSOR));
      const second = updated.match(/^work (\d+): new terms version superseding work (\d+)/)!;
      expect(second[2]).to.equal(first);
      expect(updated).to.include(`kept from work ${first}: attesters ${attester}; arbiter ${arbiter} (--no-attesters / --no-arbiter drop them)`);
      const registry = new Contract(l.contracts.ReciprocityRegistry, reciprocityInterface(), l.provider);
      expect(await registry.isAttester(BigInt(second[1]), attester)).to.equal(true);
      expect((await registry.workOf(BigInt(second[1]))).arbiter).to.equal(arbiter);

      const dropped = ok(
        await cli(
          [
            "license",
            "terms",
            second[1],
            "--kind",
            "ppl",
            "--terms-hash",
            id("PPL v3"),
            "--uri",
            "https://example.org/ppl-3",
            "--no-attesters",
            "--no-arbiter",
          ],
          LICENSOR,
        ),
      );
      const third = BigInt(dropped.match(/^work (\d+)/)![1]);
      expect(dropped).to.not.include("kept from work");
      expect(await registry.isAttester(third, attester)).to.equal(false);
      expect((await registry.workOf(third)).arbiter).to.equal(ZeroAddress);
      // Every version, from any of them: the first says it is superseded and which is current.
      const shown = ok(await cli(["license", "show", first]));
      expect(shown).to.include(`work ${first}: ppl by ${devWallet(LICENSOR, l.provider).address} (superseded: the current version is work ${third})`);
      expect(shown).to.include(
        `versions:   work ${first} (superseded by work ${second[1]}), work ${second[1]} (superseded by work ${third}), work ${third} (current)`,
      );
      expect(shown).to.include(`arbiter:    ${arbiter}`);
      expect(ok(await cli(["license", "show", String(third)]))).to.include("attesters:  none");
    });
  });

  it("prints a registry refusal as one sentence with its values, not the raw revert data", async () => {
    // Before the registry's sentences were in core, this one (no sentence then) printed ~1,300 characters of hex.
    const coop = devWallet(COOP, l.provider).address;
    const stranger = devWallet(STRANGER, l.provider).address;
    const r = await cli(["attest", coop, "1", "1"], STRANGER);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.equal(`commons: the registry refused: ${stranger} is not an attester that the licensor of work 1 recognises.\n`);
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

  it("F-7, F-3: the licensee signs a settlement anyone relays; a stranger cannot settle it; once disputed, status warns and anyone reverses it", async () => {
    const firm = devWallet(FIRM, l.provider);
    const ledger = await LedgerClient.connect(devWallet(0, l.provider), l.ledger);
    const steward = devWallet(LICENSOR, l.provider);
    const salt = id("license cli commons");
    const commons: string = await (ledger.contract.connect(steward) as typeof ledger.contract).registerCommons.staticCall(salt, "License CLI commons");
    await ledger.send(() => (ledger.contract.connect(steward) as typeof ledger.contract).registerCommons(salt, "License CLI commons"));
    // The commons appoints its validators: only their verdicts count (an unappointed one only endorses).
    for (const v of [VALIDATOR, DISPUTER]) {
      await ledger.send(() => (ledger.contract.connect(steward) as typeof ledger.contract).setRoles(commons, devWallet(v, l.provider).address, ALL_ROLES));
    }
    const work = ok(
      await cli(
        [
          "license",
          "register",
          "--kind",
          "copyfair",
          "--terms-hash",
          id("CopyFair"),
          "--uri",
          "https://example.org/copyfair",
          "--commons",
          commons,
          "--settle",
          "100",
          "--unit",
          "EUR",
          "--period",
          "30",
        ],
        LICENSOR,
      ),
    ).match(/^work (\d+)/)![1];
    ok(await cli(["declare", work, "entity", "--form", "wage-labour-business"], FIRM));
    const { id: entry } = await ledger.submit(
      await ledger.sign(firm, { action: "transfer", commons, receiver: steward.address, quantity: "100", unit: "EUR" }),
    );
    await accept(ledger, entry);

    const stranger = await cli(["settlement", "add", work, String(entry)], STRANGER);
    expect(stranger.code).to.equal(1);
    expect(stranger.stderr).to.contain(
      `the registry refused: Only the signer of Ledger entry ${entry} (${firm.address}) may settle it, directly or by a signed order; ${devWallet(STRANGER, l.provider).address} is not that signer.`,
    );

    const file = path.join(mkdtempSync(path.join(tmpdir(), "settlement-")), "order.json");
    expect(ok(await cli(["settlement", "add", work, String(entry), "--out", file], FIRM))).to.match(
      new RegExp(`^signed settlement of ledger entry ${entry} toward work ${work} written to `),
    );
    const relayed = ok(await cli(["settlement", "relay", file], STRANGER));
    const settlement = relayed.match(/^record (\d+): ledger entry/)![1];
    expect(JSON.parse(ok(await cli(["status", firm.address, work, "--json"])))).to.include({ status: "ReciprocitySettled", prior: "Excluded" });

    // Through a relayer: the licensee pays nothing (settlement add --relayer), a signed order goes
    // through submit --relayer as any signed message does, and the relayer refuses a stranger's
    // order for the firm's entry with the registry's sentence.
    const relayerDir = mkdtempSync(path.join(tmpdir(), "settlement-relayer-"));
    const relayer = await startRelayerProcess(l, path.join(relayerDir, "relayer.sqlite"), ["--wait-ms", "100", "--registry", l.contracts.ReciprocityRegistry]);
    try {
      const acceptedTransfer = async () => {
        const { id: e } = await ledger.submit(await ledger.sign(firm, { action: "transfer", commons, receiver: steward.address, quantity: "10", unit: "EUR" }));
        await accept(ledger, e);
        return e;
      };
      const second = await acceptedTransfer();
      const paidBefore = await l.provider.getTransactionCount(firm.address);
      expect(ok(await cli(["settlement", "add", work, String(second), "--relayer", relayer.url, "--wait"], FIRM)).trim()).to.match(
        new RegExp(`^record \\d+: settlement of ledger entry ${second} counted toward work ${work}, through the relayer \\(tx 0x[0-9a-f]{64}\\)$`),
      );
      expect(await l.provider.getTransactionCount(firm.address)).to.equal(paidBefore, "the licensee sent no transaction");
      const third = await acceptedTransfer();
      const orderFile = path.join(relayerDir, "order.json");
      ok(await cli(["settlement", "add", work, String(third), "--out", orderFile], FIRM));
      const submitted = ok(await cli(["submit", orderFile, "--relayer", relayer.url, "--wait"])).trim();
      expect(submitted, submitted).to.match(
        new RegExp(`^${orderFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: settlement recorded as registry record \\d+ \\(tx 0x[0-9a-f]{64}\\)$`),
      );
      const again = await cli(["submit", orderFile, "--relayer", relayer.url]);
      expect(again.stdout, "the same order again is answered with its state, not recorded twice").to.match(/: settlement recorded as registry record \d+/);
      const fourth = await acceptedTransfer();
      const forged = path.join(relayerDir, "forged.json");
      ok(await cli(["settlement", "add", work, String(fourth), "--out", forged], STRANGER));
      const refused = await cli(["submit", forged, "--relayer", relayer.url]);
      expect(refused.code).to.equal(1);
      expect(refused.stdout.trim()).to.equal(
        `${forged}: the relayer at ${new URL(relayer.url).origin} refused the settlement order (400): the registry would refuse it: The signature is not valid for ${firm.address}.`,
      );
    } finally {
      relayer.child.kill("SIGTERM");
      await relayer.exited;
    }

    const early = await cli(["settlement", "reverse", String(entry)], STRANGER);
    expect(early.code).to.equal(1);
    expect(early.stderr).to.contain(`Ledger entry ${entry} is still accepted: its settlement (record ${settlement}) stands and cannot be reversed.`);

    await ledger.validate(devWallet(DISPUTER, l.provider), entry, "dispute");
    const text = ok(await cli(["status", firm.address, work]));
    expect(text).to.match(
      new RegExp(
        `warnings:\n {2}- ledger entry ${entry} \\(100 EUR\\) is disputed, yet its settlement \\(record ${settlement}, .*anyone may reverse it \\(commons settlement reverse ${entry}\\)`,
      ),
    );
    expect(ok(await cli(["settlement", "reverse", String(entry)], STRANGER))).to.match(
      new RegExp(`^record \\d+: settlement ${settlement} of ledger entry ${entry} reversed, 100 out of the period from `),
    );
    const after = JSON.parse(ok(await cli(["status", firm.address, work, "--json"])));
    expect(after).to.include({ status: "Excluded" });
    expect(after.warnings).to.deep.equal([]);
  });

  describe("bad input", () => {
    const coop = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    const cases: [string, string[], RegExp][] = [
      ["an address that is not one", ["status", "0x1234", "1"], /licensee: "0x1234" is not an address/],
      [
        "an inverted surplus period",
        ["declare", "1", "surplus", "--from", "2027-01-01", "--until", "2026-01-01"],
        /period: ends \(2026-01-01\) at or before it starts \(2027-01-01\)$/m,
      ],
      ["a reinstatement without the finding", ["grant", coop, "1", "reinstatement"], /ref: a reinstatement names the breach finding/],
      ["a settlement toward work 0", ["settlement", "add", "0", "5"], /work: work ids start at 1/],
      ["a settlement of an entry that is not a number", ["settlement", "reverse", "five"], /entry: "five" is not/],
      [
        "an obligation on a PPL work",
        ["license", "register", "--kind", "ppl", "--terms-hash", id("x"), "--uri", "u", "--settle", "5", "--unit", "EUR", "--period", "30"],
        /--settle: a settlement obligation needs --kind copyfair/,
      ],
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
