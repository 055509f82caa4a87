// The `commons` CLI end to end, as contributors, validators and auditors use it, against a real
// anvil with the Ledger deployed through Ignition and the relayer running as its own process.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Wallet, id } from "ethers";
import { LedgerClient } from "../scripts/lib/core/client.js";
import { toSignedJson } from "../scripts/lib/core/record.js";
import { devWallet } from "../scripts/demo/seed.js";
import { runCli, startLocalLedger, startRelayerProcess } from "./helpers/local-ledger.js";
import type { LocalLedger, RelayerProcess, Run } from "./helpers/local-ledger.js";
import { startRequestCounter } from "./helpers/request-counter.js";
import type { RequestCounter } from "./helpers/request-counter.js";
import { valueflowsProblems } from "./helpers/valueflows-check.js";

const PASSWORD = "correct horse battery staple";

describe("commons CLI", function () {
  this.timeout(180_000);
  let l: LocalLedger;
  let relayer: RelayerProcess;
  let dir: string;
  let commons: string;
  let env: Record<string, string>;
  const cli = (args: string[], extra: Record<string, string> = {}) => runCli(args, { ...env, ...extra });
  const payerKey = () => devWallet(0, l.provider).privateKey;

  before(async () => {
    l = await startLocalLedger();
    dir = mkdtempSync(path.join(tmpdir(), "commons-cli-"));
    env = { COMMONS_RPC_URL: l.rpc, COMMONS_LEDGER: l.ledger, COMMONS_KEYSTORE_PASSWORD: PASSWORD };
    const steward = devWallet(1, l.provider);
    const client = await LedgerClient.connect(devWallet(0, l.provider), l.ledger, l.fromBlock);
    commons = await (client.contract.connect(steward) as typeof client.contract).registerCommons.staticCall(id("cli"), "CLI test commons");
    await client.send(() => (client.contract.connect(steward) as typeof client.contract).registerCommons(id("cli"), "CLI test commons"));
    relayer = await startRelayerProcess(l, path.join(dir, "relayer.sqlite"), ["--wait-ms", "100"]);
  });

  after(async () => {
    relayer?.child.kill("SIGTERM");
    await relayer?.exited;
    await l?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function recordedViaRelayer(digest: string): Promise<{ state: string; entryId: string }> {
    for (let i = 0; i < 100; i++) {
      const body = (await (await fetch(`${relayer.url}/records/${digest}`)).json()) as { state: string; entryId: string; error: string | null };
      if (body.state === "recorded") return body;
      if (body.state === "failed") throw new Error(`the relayer failed the record: ${body.error}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("not recorded within 10 s");
  }

  describe("LedgerClient.send", () => {
    it("says that the Ledger refused and why, in the error's sentence, and records nothing", async () => {
      const steward = devWallet(1, l.provider);
      const client = await LedgerClient.connect(devWallet(0, l.provider), l.ledger, l.fromBlock);
      const again = () => (client.contract.connect(steward) as typeof client.contract).registerCommons(id("cli"), "CLI test commons");
      const block = await l.provider.getBlockNumber();
      const error = await client.send(again).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).to.equal("the Ledger refused: This commons is already registered.");
      expect(await l.provider.getBlockNumber()).to.equal(block);
    });
  });

  describe("a contributor without ETH", () => {
    it("creates a keystore, signs a claim, has the relayer record it, and sees it in the accounts; verify passes", async () => {
      const keystore = path.join(dir, "zoe.json");
      const created = await cli(["keys", "--out", keystore]);
      expect(created.code, created.stderr).to.equal(0);
      const zoe = created.stdout.split(" ")[0];
      expect(await l.provider.getBalance(zoe)).to.equal(0n);

      const claim = await cli([
        "claim",
        "--keystore",
        keystore,
        "--action",
        "work",
        "--commons",
        commons,
        "--quantity",
        "2.5",
        "--unit",
        "h",
        "--evidence-file",
        keystore,
        "--out",
        path.join(dir, "claim.json"),
      ]);
      expect(claim.code, claim.stderr).to.equal(0);
      const signed = JSON.parse(readFileSync(path.join(dir, "claim.json"), "utf8"));
      expect(signed.record.provider).to.equal(zoe);

      const submitted = await cli(["submit", path.join(dir, "claim.json"), "--relayer", relayer.url]);
      expect(submitted.code, submitted.stderr).to.equal(0);
      expect(submitted.stdout).to.match(/queued|recorded/);
      const { entryId } = await recordedViaRelayer(signed.digest);

      const acc = await cli(["accounts", "--json", "--agent", zoe]);
      expect(acc.code, acc.stderr).to.equal(0);
      expect(JSON.parse(acc.stdout)).to.deep.equal([
        { period: "all", agent: zoe, agentName: null, action: "work", unit: "h", entries: 1, claimed: "2.5", accepted: "0", disputed: "0" },
      ]);

      const shown = await cli(["show", entryId, "--json"]);
      expect(JSON.parse(shown.stdout)).to.include({
        agent: zoe,
        quantity: "2.5 h",
        state: "claimed",
        stewardship: "Run by one key: its only steward changes stewards, validators and rules and publishes distributions alone.",
      });

      const verified = await cli(["verify"]);
      expect(verified.code, verified.stdout + verified.stderr).to.equal(0);
      expect(verified.stdout).to.include("OK: the ledger verifies");
      expect(await l.provider.getBalance(zoe)).to.equal(0n);
    });
  });

  describe("a new key getting started", () => {
    const newcomer = Wallet.createRandom();
    let entry: string;

    it("submit --relayer --wait prints the entry the claim became", async () => {
      const file = path.join(dir, "newcomer.json");
      const claim = await cli(["claim", "--action", "work", "--commons", commons, "--quantity", "1.5", "--unit", "h", "--out", file], {
        COMMONS_PRIVATE_KEY: newcomer.privateKey,
      });
      expect(claim.code, claim.stderr).to.equal(0);
      const sent = await cli(["submit", file, "--relayer", relayer.url, "--wait"]);
      expect(sent.code, sent.stderr).to.equal(0);
      const m = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: entry (\\d+) \\(tx 0x[0-9a-f]{64}\\)$`).exec(sent.stdout.trim());
      expect(m, sent.stdout).to.not.equal(null);
      entry = m![1];
      expect(JSON.parse((await cli(["show", entry, "--json"])).stdout)).to.include({ agent: newcomer.address, quantity: "1.5 h" });
    });

    it("a write from a key without ETH fails in one line that names the relayer and commons fund; nothing is sent", async () => {
      const broke = Wallet.createRandom();
      const r = await cli(["validate", entry, "accept"], { COMMONS_PRIVATE_KEY: broke.privateKey });
      expect(r.code, r.stdout + r.stderr).to.equal(1);
      expect(r.stderr.trim().split("\n")).to.have.length(1);
      expect(r.stderr.trim()).to.equal(
        `commons: ${broke.address} holds too little ETH to pay this transaction's gas; nothing was sent. ` +
          `Send it through a relayer, which pays the gas (--relayer <url>), or, on the local chain, give the key ETH: commons fund ${broke.address}.`,
      );
      expect(await l.provider.getTransactionCount(broke.address)).to.equal(0);
    });

    it("commons fund gives a key ETH on the local chain, and the key can then pay for its writes", async () => {
      const key = Wallet.createRandom();
      const funded = await cli(["fund", key.address, "--amount", "0.5"]);
      expect(funded.code, funded.stderr).to.equal(0);
      expect(funded.stdout.trim()).to.equal(`${key.address} now holds 0.5 ETH on the local chain (was 0.0)`);
      expect(await l.provider.getBalance(key.address)).to.equal(5n * 10n ** 17n);
      const again = await cli(["fund", key.address]);
      expect(again.stdout.trim()).to.equal(`${key.address} now holds 1.5 ETH on the local chain (was 0.5)`);
      const v = await cli(["validate", entry, "accept"], { COMMONS_PRIVATE_KEY: key.privateKey });
      expect(v.code, v.stderr).to.equal(0);
      expect(v.stdout).to.match(/recorded as an endorsement/);
    });

    it("validate --relayer --wait: an appointed validator with no ETH accepts the entry through the relayer", async () => {
      const validator = Wallet.createRandom();
      const steward = { COMMONS_PRIVATE_KEY: devWallet(1, l.provider).privateKey };
      const appointed = await cli(["role", "set", commons, validator.address, "--actions", "work"], steward);
      expect(appointed.code, appointed.stderr).to.equal(0);
      const v = await cli(["validate", entry, "accept", "--relayer", relayer.url, "--wait"], { COMMONS_PRIVATE_KEY: validator.privateKey });
      expect(v.code, v.stderr).to.equal(0);
      expect(v.stdout.trim()).to.match(
        new RegExp(`^entry ${entry}: accept by ${validator.address} \\(tx 0x[0-9a-f]{64}\\); now accepted, 1 accept / 0 dispute$`),
      );
      expect(await l.provider.getBalance(validator.address)).to.equal(0n);
      expect(await l.provider.getTransactionCount(validator.address)).to.equal(0);
    });

    it("validate --out writes a signed validation; the relayer refuses it until the validator is appointed, then submit --relayer --wait sends it; a second verdict is refused before signing", async () => {
      const validator = Wallet.createRandom();
      const file = path.join(dir, "validation.json");
      const signed = await cli(["validate", entry, "dispute", "--out", file], { COMMONS_PRIVATE_KEY: validator.privateKey });
      expect(signed.code, signed.stderr).to.equal(0);
      expect(JSON.parse(readFileSync(file, "utf8"))).to.include({ type: "commons-ledger/signed-validation@1" });
      const early = await cli(["submit", file, "--relayer", relayer.url]);
      expect(early.code).to.equal(1);
      expect(early.stdout).to.include(`${validator.address} is not appointed to validate work in entry ${entry}'s commons`);
      const steward = { COMMONS_PRIVATE_KEY: devWallet(1, l.provider).privateKey };
      expect((await cli(["role", "set", commons, validator.address, "--actions", "work"], steward)).code).to.equal(0);
      const sent = await cli(["submit", file, "--relayer", relayer.url, "--wait"]);
      expect(sent.code, sent.stderr).to.equal(0);
      expect(sent.stdout.trim()).to.match(new RegExp(`: dispute of entry ${entry} recorded \\(tx 0x[0-9a-f]{64}\\)$`));
      const again = await cli(["validate", entry, "accept", "--relayer", relayer.url], { COMMONS_PRIVATE_KEY: validator.privateKey });
      expect(again.code).to.equal(2);
      expect(again.stderr.trim()).to.equal(
        `commons: entry: ${validator.address} has already validated entry ${entry}; a validator gives one verdict per entry`,
      );
    });

    it("commit --relayer: a key without ETH commits to a need through the relayer", async () => {
      const asker = Wallet.createRandom();
      const client = await LedgerClient.connect(devWallet(0, l.provider), l.ledger, l.fromBlock);
      const { id: need } = await client.submit(
        await client.sign(asker, {
          flow: "need",
          action: "transfer",
          receiver: asker.address,
          commons,
          resourceSpec: id("spec: bolts"),
          quantity: "10",
          unit: "ea",
          time: BigInt(Math.floor(Date.now() / 1000)) + 7n * 86_400n,
        }),
      );
      const committer = Wallet.createRandom();
      const r = await cli(["commit", String(need), "--quantity", "4", "--relayer", relayer.url], { COMMONS_PRIVATE_KEY: committer.privateKey });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout.trim()).to.match(
        new RegExp(
          `^commitment #\\d+: 4 ea by ${committer.address}, due \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC, satisfies need #${need}, through the relayer \\(tx 0x[0-9a-f]{64}\\)$`,
        ),
      );
      expect(await l.provider.getBalance(committer.address)).to.equal(0n);
    });

    it("claim refuses a commons that is not registered (a typo in the id) before signing; nothing is written", async () => {
      const typo = commons.slice(0, -1) + (commons.endsWith("0") ? "1" : "0");
      const file = path.join(dir, "typo.json");
      const r = await cli(["claim", "--action", "work", "--commons", typo, "--quantity", "1", "--unit", "h", "--out", file], {
        COMMONS_PRIVATE_KEY: newcomer.privateKey,
      });
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr.trim()).to.equal(
        `commons: --commons: commons ${typo} is not registered on ledger ${l.ledger}; check the id (npx commons commons list shows the registered ones)`,
      );
      expect(() => readFileSync(file)).to.throw(/ENOENT/);
    });

    it("an entry of an unregistered commons, recorded by calling the contract, counts nowhere; submit refuses to send one", async () => {
      const stranger = Wallet.createRandom();
      const made_up = id("a commons nobody registered");
      const client = await LedgerClient.connect(devWallet(0, l.provider), l.ledger, l.fromBlock);
      const signed = await client.sign(stranger, { action: "work", commons: made_up, quantity: "1000", unit: "h" });
      const { id: recorded } = await client.submit(signed);

      const acc = await cli(["accounts", "--json", "--agent", stranger.address]);
      expect(acc.code, acc.stderr).to.equal(0);
      expect(JSON.parse(acc.stdout)).to.deep.equal([]);
      const shown = await cli(["show", String(recorded)]);
      expect(shown.stdout).to.include("not registered: nobody is appointed, so nothing in it can be accepted, and the accounts count it nowhere");

      const again = await client.sign(stranger, { action: "work", commons: made_up, quantity: "5", unit: "h" });
      const file = path.join(dir, "made-up.json");
      writeFileSync(file, JSON.stringify(toSignedJson(client.domain, again.record, again.signature)));
      const r = await cli(["submit", file], { COMMONS_PRIVATE_KEY: payerKey() });
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.include(`${file}: commons ${made_up} is not registered on ledger ${l.ledger}`);
    });
  });

  describe("claim --file and submit directly", () => {
    it("signs from a JSON file, the payer's key sends it, and validations move it to accepted", async () => {
      const alice = Wallet.createRandom();
      writeFileSync(
        path.join(dir, "use.json"),
        JSON.stringify({ action: "use", commons, resource: "3D printer #1", process: "print run 7", side: "input", quantity: 4, unit: "h" }),
      );
      const claim = await cli(["claim", "--file", path.join(dir, "use.json"), "--out", path.join(dir, "use.signed.json")], {
        COMMONS_PRIVATE_KEY: alice.privateKey,
      });
      expect(claim.code, claim.stderr).to.equal(0);
      const sent = await cli(["submit", path.join(dir, "use.signed.json")], { COMMONS_PRIVATE_KEY: payerKey() });
      expect(sent.code, sent.stderr).to.equal(0);
      const entry = /entry (\d+)/.exec(sent.stdout)![1];

      // Until the commons appoints a validator, an opinion is an endorsement and counts nowhere.
      const early = await cli(["validate", entry, "accept"], { COMMONS_PRIVATE_KEY: devWallet(4, l.provider).privateKey });
      expect(early.code, early.stderr).to.equal(0);
      expect(early.stdout).to.match(/recorded as an endorsement .* is not appointed to validate this action .* stays claimed, 0 accept \/ 0 dispute/);

      const steward = { COMMONS_PRIVATE_KEY: devWallet(1, l.provider).privateKey };
      const appointed = await cli(["role", "set", commons, devWallet(3, l.provider).address, "--actions", "use,work"], steward);
      expect(appointed.code, appointed.stderr).to.equal(0);
      expect(appointed.stdout).to.match(/proposal \d+ \(let 0x[0-9a-fA-F]{40} validate work, use\) took effect with 1 of 1 steward approval/);
      expect(appointed.stdout).to.include("Run by one key: its only steward changes stewards, validators and rules and publishes distributions alone.");

      const v = await cli(["validate", entry, "accept"], { COMMONS_PRIVATE_KEY: devWallet(3, l.provider).privateKey });
      expect(v.code, v.stderr).to.equal(0);
      expect(v.stdout).to.include("now accepted, 1 accept / 0 dispute");

      const listed = JSON.parse((await cli(["list", "--json", "--state", "accepted", "--action", "use"])).stdout) as { id: string; agent: string }[];
      expect(listed.map((e) => e.agent)).to.deep.equal([alice.address]);
    });
  });

  describe("confirm and refuse: the counterparty's answer", () => {
    // A transfer of a 3D printer from alice to bob, paid by the payer: bob (dev key 5) can answer.
    const alice = Wallet.createRandom();
    const transfer = async (): Promise<string> => {
      const bob = devWallet(5, l.provider).address;
      const file = path.join(dir, `transfer-${Date.now()}.json`);
      const claim = await cli(
        ["claim", "--action", "transfer", "--receiver", bob, "--commons", commons, "--resource", "printer", "--quantity", "1", "--unit", "ea", "--out", file],
        { COMMONS_PRIVATE_KEY: alice.privateKey },
      );
      expect(claim.code, claim.stderr).to.equal(0);
      const sent = await cli(["submit", file], { COMMONS_PRIVATE_KEY: payerKey() });
      expect(sent.code, sent.stderr).to.equal(0);
      return /entry (\d+)/.exec(sent.stdout)![1];
    };
    const bobKey = () => ({ COMMONS_PRIVATE_KEY: devWallet(5, l.provider).privateKey });

    it("the receiver confirms through the relayer, paying nothing: show, list and export say confirmed by both parties; a second answer is refused before signing", async () => {
      const entry = await transfer();
      const bobAccount = devWallet(5, l.provider).address;
      const [balance, sent] = [await l.provider.getBalance(bobAccount), await l.provider.getTransactionCount(bobAccount)];
      expect(JSON.parse((await cli(["show", entry, "--json"])).stdout).consent).to.equal(
        `one-sided (not confirmed by the counterparty) (${devWallet(5, l.provider).address})`,
      );
      const c = await cli(["confirm", entry, "--relayer", relayer.url, "--wait"], bobKey());
      expect(c.code, c.stderr).to.equal(0);
      expect([await l.provider.getBalance(bobAccount), await l.provider.getTransactionCount(bobAccount)]).to.deep.equal([balance, sent]);
      expect(c.stdout).to.match(
        new RegExp(`^entry ${entry}: confirm by 0x[0-9a-fA-F]{40} \\(tx 0x[0-9a-f]{64}\\); the entry is now confirmed by both parties, and stays claimed`),
      );
      const shown = JSON.parse((await cli(["show", entry, "--json"])).stdout);
      expect(shown.consent).to.equal(`confirmed by both parties (${devWallet(5, l.provider).address})`);
      const listed = JSON.parse((await cli(["list", "--json", "--action", "transfer"])).stdout) as { id: string; consent: string }[];
      expect(listed.find((e) => String(e.id) === entry)?.consent).to.equal("confirmed");
      const csv = (await cli(["export", "--format", "csv"])).stdout.trim().split("\n");
      const consentColumn = csv[0].split(",").indexOf("consent");
      expect(csv.find((line) => line.startsWith(`${entry},`))!.split(",")[consentColumn]).to.equal("confirmed");
      const again = await cli(["refuse", entry], bobKey());
      expect(again.code).to.equal(2);
      expect(again.stderr.trim()).to.equal(
        `commons: entry: ${devWallet(5, l.provider).address} has already answered for entry ${entry} (confirmed); an answer is final`,
      );
    });

    it("cosign: the receiver co-signs the claim file and submit records it as confirmed by both parties; a third party and a second co-signature are refused", async () => {
      const bob = devWallet(5, l.provider).address;
      const file = path.join(dir, "cosigned.json");
      const claim = await cli(
        ["claim", "--action", "transfer", "--receiver", bob, "--commons", commons, "--resource", "printer 2", "--quantity", "1", "--unit", "ea", "--out", file],
        {
          COMMONS_PRIVATE_KEY: alice.privateKey,
        },
      );
      expect(claim.code, claim.stderr).to.equal(0);
      const stranger = devWallet(6, l.provider);
      const third = await cli(["cosign", file], { COMMONS_PRIVATE_KEY: stranger.privateKey });
      expect(third.code).to.equal(2);
      expect(third.stderr.trim()).to.equal(`commons: ${file}: the record names ${bob} as its counterparty, not ${stranger.address}: only they can co-sign it`);
      const cosigned = await cli(["cosign", file], bobKey());
      expect(cosigned.code, cosigned.stderr).to.equal(0);
      expect(cosigned.stdout).to.match(new RegExp(`^co-signed 0x[0-9a-f]{64} by ${bob} -> ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
      expect(JSON.parse(readFileSync(file, "utf8")).counterpartySignature).to.match(/^0x[0-9a-f]{130}$/);
      const twice = await cli(["cosign", file], bobKey());
      expect(twice.stderr.trim()).to.equal(`commons: ${file}: the record is co-signed already`);
      const sent = await cli(["submit", file], { COMMONS_PRIVATE_KEY: payerKey() });
      expect(sent.code, sent.stderr).to.equal(0);
      const m = /entry (\d+), confirmed by both parties \(tx 0x[0-9a-f]{64}\)/.exec(sent.stdout);
      expect(m, sent.stdout).to.not.equal(null);
      expect(JSON.parse((await cli(["show", m![1], "--json"])).stdout).consent).to.equal(`confirmed by both parties (${bob})`);
    });

    it("cosign, then submit --relayer --wait: the relayer records the co-signed claim, neither party pays, and the entry is confirmed by both parties", async () => {
      const bob = devWallet(5, l.provider).address;
      const file = path.join(dir, "cosigned-relayed.json");
      const claim = await cli(
        ["claim", "--action", "transfer", "--receiver", bob, "--commons", commons, "--resource", "printer 3", "--quantity", "1", "--unit", "ea", "--out", file],
        { COMMONS_PRIVATE_KEY: alice.privateKey },
      );
      expect(claim.code, claim.stderr).to.equal(0);
      expect((await cli(["cosign", file], bobKey())).code).to.equal(0);
      const paid = async () => Promise.all([alice.address, bob].map((a) => l.provider.getTransactionCount(a)));
      const before = await paid();
      const relayed = await cli(["submit", file, "--relayer", relayer.url, "--wait"]);
      expect(relayed.code, relayed.stderr).to.equal(0);
      const m = /: entry (\d+), confirmed by both parties \(tx 0x[0-9a-f]{64}\)$/.exec(relayed.stdout.trim());
      expect(m, relayed.stdout).to.not.equal(null);
      expect(await paid()).to.deep.equal(before, "neither party sent a transaction");
      expect(JSON.parse((await cli(["show", m![1], "--json"])).stdout).consent).to.equal(`confirmed by both parties (${bob})`);
    });

    it("rule set --receiver-confirms: a transfer the quorum accepted stays claimed until its receiver confirms it", async () => {
      const steward = { COMMONS_PRIVATE_KEY: devWallet(1, l.provider).privateKey };
      const validator = devWallet(7, l.provider);
      expect((await cli(["role", "set", commons, validator.address, "--actions", "transfer"], steward)).code).to.equal(0);
      const ruled = await cli(["rule", "set", commons, "transfer", "--accepts", "1", "--disputes", "1", "--receiver-confirms"], steward);
      expect(ruled.code, ruled.stderr).to.equal(0);
      expect(ruled.stdout).to.include("transfer: accepted with 1 accept and the receiver's confirmation, disputed with 1 dispute or the receiver's refusal");
      const shownRules = await cli(["commons", "show", commons]);
      expect(shownRules.stdout).to.match(/transfer\s+1 \/ 1, and the receiver confirms/);
      const entry = await transfer();
      const v = await cli(["validate", entry, "accept"], { COMMONS_PRIVATE_KEY: validator.privateKey });
      expect(v.code, v.stderr).to.equal(0);
      expect(v.stdout).to.include("now claimed, 1 accept / 0 dispute");
      const c = await cli(["confirm", entry], bobKey());
      expect(c.code, c.stderr).to.equal(0);
      expect(c.stdout).to.include("the entry is now confirmed by both parties, and stays accepted, 1 accept / 0 dispute");
      expect(JSON.parse((await cli(["show", entry, "--json"])).stdout).state).to.equal("accepted");
      // The rule stays for the next test's transfers: set it back so that they read as before.
      expect((await cli(["rule", "set", commons, "transfer", "--accepts", "1", "--disputes", "1"], steward)).code).to.equal(0);
    });

    it("the receiver refuses to be named; a third party is refused before signing, and nothing is sent", async () => {
      const entry = await transfer();
      const stranger = devWallet(6, l.provider);
      const nonceBefore = await l.provider.getTransactionCount(stranger.address);
      const third = await cli(["confirm", entry], { COMMONS_PRIVATE_KEY: stranger.privateKey });
      expect(third.code).to.equal(2);
      expect(third.stderr.trim()).to.equal(
        `commons: entry: entry ${entry} names ${devWallet(5, l.provider).address} as its counterparty, not ${stranger.address}: only they can confirm or refuse it`,
      );
      expect(await l.provider.getTransactionCount(stranger.address)).to.equal(nonceBefore);
      const r = await cli(["refuse", entry, "--evidence", id("never arrived")], bobKey());
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.include("the entry is now refused by its counterparty");
      expect(JSON.parse((await cli(["show", entry, "--json"])).stdout).consent).to.equal(`refused by the counterparty (${devWallet(5, l.provider).address})`);
    });
  });

  describe("export", () => {
    it("writes every entry as CSV and as ValueFlows JSON-LD", async () => {
      const count = JSON.parse((await cli(["list", "--json"])).stdout).length;
      const csv = await cli(["export", "--format", "csv"]);
      expect(csv.code).to.equal(0);
      const lines = csv.stdout.trim().split("\n");
      expect(lines).to.have.length(count + 1);
      expect(lines[0]).to.match(/^id,flow,action,agent,/);
      const ld = JSON.parse((await cli(["export", "--format", "jsonld"])).stdout);
      expect(ld["@context"].vf).to.equal("https://w3id.org/valueflows/ont/vf#");
      const entries = ld["@graph"].filter((n: { entryId?: string }) => n.entryId !== undefined);
      expect(entries).to.have.length(count);
      expect(entries[0]["@type"]).to.equal("EconomicEvent");
      for (const e of entries.filter((n: { action: string }) => n.action === "work")) expect(e.effortQuantity.hasUnit).to.be.a("string");
      expect(await valueflowsProblems(ld)).to.deep.equal([]);
    });
  });

  describe("bad input", () => {
    // A node that only counts requests: invalid input must be refused before any RPC call.
    let counter: RequestCounter;
    before(async () => {
      counter = await startRequestCounter();
    });
    after(() => counter.close());

    const base = () => ["--rpc", counter.url, "--ledger", l.ledger];
    const claim = (...flags: string[]) => [...base(), "claim", "--action", "work", "--commons", commons, "--quantity", "1", "--unit", "h", ...flags];
    const cases: [string, () => string[], RegExp, Record<string, string>?][] = [
      ["a malformed address", () => claim("--receiver", "0x1234"), /--receiver: "0x1234" is not an address/],
      [
        "an address with a wrong checksum (a mistyped letter's case)",
        () => claim("--receiver", "0x70997970c51812dc3A010C7d01b50e0d17dc79C8"),
        /--receiver: "0x70997970c51812dc3A010C7d01b50e0d17dc79C8" has a wrong checksum \(mixed-case letters\): check it for a typo, or write it all in lower case/,
      ],
      [
        "bad hex",
        () => [...base(), "claim", "--action", "work", "--commons", "0xzz", "--quantity", "1", "--unit", "h"],
        /--commons: "0xzz" is not a 32-byte hex value/,
      ],
      [
        "an unknown action",
        () => [...base(), "claim", "--action", "dance", "--commons", commons, "--quantity", "1", "--unit", "h"],
        /--action: "dance" is not one of: work, cite/,
      ],
      [
        "a negative quantity",
        () => [...base(), "claim", "--action", "work", "--commons", commons, "--quantity=-3", "--unit", "h"],
        /quantity: "-3" is not a non-negative decimal number/,
      ],
      [
        "an oversized quantity",
        () => [...base(), "claim", "--action", "work", "--commons", commons, "--quantity", "1" + "0".repeat(40), "--unit", "h"],
        /quantity: "1000.*" is too large/,
      ],
      [
        "too many decimals",
        () => [...base(), "claim", "--action", "work", "--commons", commons, "--quantity", "0.1234567", "--unit", "h"],
        /more than 6 decimals/,
      ],
      [
        "a unit that is too long",
        () => [...base(), "claim", "--action", "work", "--commons", commons, "--quantity", "1", "--unit", "kilograms"],
        /unit: "kilograms" must be 1 to 8 printable ASCII/,
      ],
      ["a side without a process", () => claim("--side", "input"), /side: "input" needs a process/],
      ["a validity beyond 30 days", () => claim("--valid-for", "40d"), /--valid-for: 40d is longer than the 30 days/],
      ["a time that is not a date", () => claim("--time", "yesterday"), /--time: "yesterday" is not an ISO 8601 date/],
      ["a missing key", () => claim(), /no key: pass --keystore FILE or set COMMONS_PRIVATE_KEY/],
      ["a keystore that does not exist", () => claim("--keystore", "/nonexistent/key.json"), /--keystore: file "\/nonexistent\/key.json" does not exist/],
      ["a malformed private key", () => claim(), /COMMONS_PRIVATE_KEY: is not a 32-byte hex private key/, { COMMONS_PRIVATE_KEY: "0x1234" }],
      ["a malformed RPC URL", () => ["--rpc", "localhost:8545", "--ledger", l.ledger, "list"], /--rpc: "localhost:8545" is not a URL|must be an http\(s\) URL/],
      ["a bad --from-block", () => [...base(), "--from-block", "-1", "list"], /--from-block: "-1" is not a non-negative integer/],
      ["an unknown state filter", () => [...base(), "list", "--state", "approved"], /--state: "approved" is not one of/],
      ["an unknown export format", () => [...base(), "export", "--format", "xml"], /--format: "xml" is not one of: csv, jsonld/],
      ["an entry id that is not a number", () => [...base(), "validate", "seven", "accept"], /entry: "seven" is not a non-negative integer/],
      ["an unknown verdict", () => [...base(), "validate", "1", "approve"], /verdict: "approve" is not one of: accept, dispute/],
      ["fund: a malformed address", () => [...base(), "fund", "0x1234"], /address: "0x1234" is not an address/],
      [
        "fund: an amount that is not ETH",
        () => [...base(), "fund", l.ledger, "--amount", "lots"],
        /--amount: "lots" is not an amount of ETH \(e\.g\. 1 or 0\.5\)/,
      ],
      ["fund: a negative amount", () => [...base(), "fund", l.ledger, "--amount=-1"], /--amount: "-1" is not an amount of ETH|--amount: must be more than 0/],
      ["fund: more than 100 ETH", () => [...base(), "fund", l.ledger, "--amount", "1000"], /--amount: must be more than 0 and at most 100 ETH, not 1000/],
      [
        "validate --relayer and --out together",
        () => [...base(), "validate", "1", "accept", "--relayer", "http://127.0.0.1:1", "--out", "x.json"],
        /--out: give --relayer \(send it\) or --out \(write it\), not both/,
      ],
      ["validate --wait without a relayer", () => [...base(), "validate", "1", "accept", "--wait"], /--wait: waits for a relayer: give --relayer/],
      [
        "submit --wait without a relayer",
        () => [...base(), "submit", "--wait", "5", path.join(dir, "claim.json")],
        /--wait: waits for a relayer: give --relayer/,
      ],
    ];
    for (const [what, args, message, extra] of cases) {
      it(`rejects ${what} with one line and no RPC call`, async () => {
        const before = counter.count();
        const r: Run = await cli(args(), extra ?? {});
        expect(r.code, r.stdout + r.stderr).to.equal(2);
        expect(r.stderr.trim().split("\n")).to.have.length(1);
        expect(r.stderr).to.match(message);
        expect(counter.count() - before, "RPC requests").to.equal(0);
      });
    }

    it("rejects malformed JSON, a wrong chain id, a tampered and an expired claim on submit without an RPC call", async () => {
      const before = counter.count();
      writeFileSync(path.join(dir, "broken.json"), "{ not json");
      const broken = await cli([...base(), "submit", path.join(dir, "broken.json")], { COMMONS_PRIVATE_KEY: payerKey() });
      expect(broken.code).to.equal(2);
      expect(broken.stderr).to.match(/is not valid JSON/);

      const alice = Wallet.createRandom();
      const ok = await cli(
        ["claim", "--action", "work", "--commons", commons, "--quantity", "1", "--unit", "h", "--valid-for", "60", "--out", path.join(dir, "short.json")],
        { COMMONS_PRIVATE_KEY: alice.privateKey },
      );
      expect(ok.code, ok.stderr).to.equal(0);
      const wrongChain = await cli([...base(), "--chain-id", "5", "submit", path.join(dir, "short.json")], { COMMONS_PRIVATE_KEY: payerKey() });
      expect(wrongChain.code).to.equal(2);
      expect(wrongChain.stderr).to.match(/signed for chain 31337, not 5/);

      const signed = JSON.parse(readFileSync(path.join(dir, "short.json"), "utf8"));
      signed.record.quantity = "9000000"; // tampering changes the digest
      writeFileSync(path.join(dir, "tampered.json"), JSON.stringify(signed));
      const tampered = await cli([...base(), "submit", path.join(dir, "tampered.json")], { COMMONS_PRIVATE_KEY: payerKey() });
      expect(tampered.code).to.equal(2);
      expect(tampered.stderr).to.match(/digest: does not match the record/);

      const fleeting = await cli(
        ["claim", "--action", "work", "--commons", commons, "--quantity", "1", "--unit", "h", "--valid-for", "1", "--out", path.join(dir, "fleeting.json")],
        { COMMONS_PRIVATE_KEY: alice.privateKey },
      );
      expect(fleeting.code, fleeting.stderr).to.equal(0);
      await new Promise((r) => setTimeout(r, 2_100));
      const expired = await cli([...base(), "submit", path.join(dir, "fleeting.json")], { COMMONS_PRIVATE_KEY: payerKey() });
      expect(expired.code).to.equal(2);
      expect(expired.stderr).to.match(/the signature expired at .*; sign it again/);
      expect(counter.count() - before).to.equal(0);
    });

    it("exits 1 with one line when the RPC cannot be reached", async () => {
      const r = await cli(["--rpc", "http://127.0.0.1:9", "--ledger", l.ledger, "list"]);
      expect(r.code).to.equal(1);
      expect(r.stderr.trim().split("\n")).to.have.length(1);
      expect(r.stderr).to.match(/cannot reach the RPC at http:\/\/127\.0\.0\.1:9/);
    });

    it("exits 1 when the RPC is on another chain than --chain-id", async () => {
      const r = await cli(["--chain-id", "1", "list"]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/is on chain 31337, not 1 \(--chain-id\)/);
    });
  });
});
