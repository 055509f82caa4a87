// Names (issue 18, "Names"): an agent publishes its own display name, signed with its key, and the
// stewards of a commons name it. The rule a name must meet to be shown, the names as read from the
// events, the CLI that publishes and shows them, and the relayer that sends a profile for free;
// with the attacks a stranger tries (someone else's name, an old version replayed, a name that
// reverses itself or passes for an address, a name two agents use).
import { expect } from "chai";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Contract, Interface, Wallet } from "ethers";
import { explainRevertData } from "../scripts/lib/core/contract-errors.js";
import {
  agentLabel,
  buildProfile,
  DIRECTORY_ABI,
  directoryDomain,
  directoryInterface,
  fromSignedProfileJson,
  namesFrom,
  nameProblem,
  readNames,
  resolveAgent,
  signProfile,
  toSignedProfileJson,
} from "../scripts/lib/core/directory.js";
import { messageWhat, RelayerClient } from "../scripts/lib/core/relayer-client.js";
import { readLedger } from "../scripts/lib/core/reader.js";
import { SignedMessageError } from "../scripts/lib/core/signed-message.js";
import { devWallet } from "../scripts/demo/seed.js";
import { root, runCli, startLocalLedger, startTestRelayer } from "./helpers/local-ledger.js";
import type { LocalLedger, Run } from "./helpers/local-ledger.js";
import type { Relayer } from "../scripts/lib/relayer/service.js";

const A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const B = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const C = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

describe("names", function () {
  describe("DIRECTORY_ABI", () => {
    it("matches the compiled Directory artifact, fragment by fragment", () => {
      const artifact = JSON.parse(readFileSync(path.join(root, "artifacts", "contracts", "Directory.sol", "Directory.json"), "utf8"));
      const compiled = new Interface(artifact.abi);
      const ours = new Interface(DIRECTORY_ABI);
      const sig = (i: Interface) =>
        i.fragments
          // OpenZeppelin's library errors (EIP712, Nonces) have their sentences in core/contract-errors.ts.
          .filter((f) => f.type !== "constructor" && !(f.type === "error" && !(f as { name?: string }).name?.startsWith("Directory")))
          .map((f) => f.format("sighash"))
          .sort();
      expect(sig(ours)).to.deep.equal(sig(compiled));
    });
  });

  describe("nameProblem", () => {
    it("accepts names people use, in any script", () => {
      for (const name of ["Alice", "Ana María Pérez", "Fabrica Cooperative", "李华", "Zoë & Co.", "O'Brien-Smith"])
        expect(nameProblem(name), name).to.equal(undefined);
    });

    it("refuses an empty name, one over 64 bytes, control and invisible characters, edge spaces, and a name that passes for an address", () => {
      expect(nameProblem("")).to.equal("a name cannot be empty");
      expect(nameProblem("é".repeat(33))).to.match(/is 66 bytes long; a name has at most 64 bytes/);
      expect(nameProblem("alice\u202Eecila")).to.equal("the name has an invisible or control character (U+202E) at character 6");
      expect(nameProblem("al\u200Bice")).to.match(/U\+200B\) at character 3/);
      expect(nameProblem("Ann\nBob")).to.match(/U\+000A/);
      expect(nameProblem(" Alice")).to.equal('" Alice" starts or ends with a space');
      expect(nameProblem("0x7099…79C8")).to.equal('"0x7099…79C8" looks like an address; a name must not pass for one');
      expect(nameProblem("Alice 0xdeadbeef")).to.match(/looks like an address/);
    });
  });

  describe("namesFrom", () => {
    it("shows each agent's latest version and each commons' latest name", () => {
      const names = namesFrom(
        [
          { agent: A, kind: 0, name: "Alice", nonce: 0n },
          { agent: A, kind: 1, name: "Alice's workshop", nonce: 1n },
          { agent: B, kind: 0, name: "Bob", nonce: 0n },
        ],
        [
          { commons: "0x" + "ab".repeat(32), name: "Sensorica (demo)" },
          { commons: "0x" + "ab".repeat(32), name: "Sensorica Montreal" },
        ],
      );
      expect(names.agent(A)).to.deep.include({ name: "Alice's workshop", kind: "organisation", version: 1n, sharedWith: 0 });
      expect(names.agent(A.toLowerCase())?.name).to.equal("Alice's workshop");
      expect(names.agent(C)).to.equal(undefined);
      expect(names.commons("0x" + "AB".repeat(32))).to.equal("Sensorica Montreal");
      expect(agentLabel(names, B)).to.equal("Bob (0x3C44…93BC)");
      expect(agentLabel(names, C)).to.equal("0x90F7…b906");
    });

    it("marks a name two agents use (case and accents aside) and resolves neither by it", () => {
      const names = namesFrom(
        [
          { agent: A, kind: 0, name: "Alice", nonce: 0n },
          { agent: C, kind: 0, name: "ALICE", nonce: 0n },
          { agent: B, kind: 0, name: "Zoë", nonce: 0n },
        ],
        [],
      );
      expect(names.agent(A)!.sharedWith).to.equal(1);
      expect(agentLabel(names, C)).to.equal("ALICE (0x90F7…b906; 1 other also use this name)");
      expect(resolveAgent(names, "alice")).to.deep.equal({ error: `2 agents call themselves "alice" (${A}, ${C}); give the address of the one you mean` });
      expect(resolveAgent(names, "zoe")).to.deep.equal({ address: B });
      expect(resolveAgent(names, "nobody")).to.deep.equal({ error: 'no agent has published the name "nobody"; give an address instead' });
      expect(resolveAgent(names, A.toLowerCase())).to.deep.equal({ address: A });
      expect(resolveAgent(names, "0x1234")).to.have.property("error");
    });

    it("hides a published name that breaks the rule (a reversing override), rather than showing it", () => {
      const names = namesFrom(
        [
          { agent: A, kind: 0, name: "Alice", nonce: 0n },
          { agent: A, kind: 0, name: "Mallory\u202E", nonce: 1n },
        ],
        [],
      );
      expect(names.agent(A)).to.equal(undefined);
      expect(agentLabel(names, A)).to.equal("0x7099…79C8");
    });
  });

  describe("signed profile JSON", () => {
    const domain = directoryDomain(31337n, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
    const profile = buildProfile({ agent: A, kind: "person", name: "Alice", nonce: 0n, deadline: 1_900_000_000n });

    it("round-trips, and refuses an altered name, an unknown kind and a bad name with the field it is in", async () => {
      const signature = await signProfile(new Wallet("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"), domain, profile);
      const json = toSignedProfileJson(domain, profile, signature);
      expect(fromSignedProfileJson(JSON.parse(JSON.stringify(json))).profile).to.deep.equal(profile);
      const altered = { ...json, profile: { ...json.profile, name: "Alicia" } };
      expect(() => fromSignedProfileJson(altered)).to.throw(SignedMessageError, "digest: does not match the profile (the JSON was altered)");
      expect(() => fromSignedProfileJson({ ...json, profile: { ...json.profile, kind: 7 } })).to.throw(
        SignedMessageError,
        /profile.kind: 7 is not an agent kind/,
      );
      expect(() => fromSignedProfileJson({ ...json, profile: { ...json.profile, name: "x\u202E" } })).to.throw(
        SignedMessageError,
        /profile.name: the name has an invisible/,
      );
      expect(() => fromSignedProfileJson({ ...json, directory: "0x12" })).to.throw(SignedMessageError, "directory: must be an address");
      expect(messageWhat(json)).to.equal("the profile");
    });

    it("buildProfile refuses an unknown kind in a sentence", () => {
      expect(() => buildProfile({ agent: A, kind: "robot", name: "R2", nonce: 0n, deadline: 1n })).to.throw(
        '"robot" is not an agent kind (person, organisation, project)',
      );
    });

    it("every Directory error reads as a sentence with its values", () => {
      const sentence = explainRevertData(directoryInterface().encodeErrorResult("DirectoryInvalidNonce", [A, 0n, 2n]));
      expect(sentence).to.equal(`The profile is version 0 but ${A}'s next version is 2 (a newer profile was published); sign again.`);
    });
  });

  describe("on a chain: the CLI and the relayer", function () {
    this.timeout(240_000);
    let l: LocalLedger;
    let env: Record<string, string>;
    let relayer: Relayer;
    const key = (i: number) => ({ COMMONS_PRIVATE_KEY: devWallet(i, l.provider).privateKey });
    const address = (i: number) => devWallet(i, l.provider).address;
    const cli = (args: string[], extra: Record<string, string> = {}): Promise<Run> => runCli(args, { ...env, ...extra });
    const ok = (r: Run) => {
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      return r.stdout;
    };
    const names = async () =>
      readNames(l.provider, l.contracts.Directory, await readLedger(l.provider, l.ledger, { fromBlock: l.fromBlock }), { fromBlock: l.fromBlock });

    before(async () => {
      l = await startLocalLedger();
      env = { COMMONS_RPC_URL: l.rpc, COMMONS_LEDGER: l.ledger, COMMONS_DIRECTORY: l.contracts.Directory };
      relayer = await startTestRelayer(l, 1, path.join(l.dataDir, "names.sqlite"), {
        registry: l.contracts.ReciprocityRegistry,
        directory: l.contracts.Directory,
      });
    });
    after(async () => {
      await relayer?.close();
      await l?.stop();
    });

    describe("name set", () => {
      it("publishes a name the key signed, paying itself, and list and show print it beside the address", async () => {
        const said = ok(await cli(["name", "set", "Ana Lima", "--kind", "person"], key(3)));
        expect(said).to.include(`name "Ana Lima" (person) for ${address(3)}, version 0 published`);
        expect((await names()).agent(address(3))).to.deep.include({ name: "Ana Lima", kind: "person", version: 0n });
        const listed = JSON.parse(ok(await cli(["names", "--json"]))) as { agents: { address: string; name: string }[] };
        expect(listed.agents).to.deep.include.members([{ ...listed.agents.find((a) => a.address === address(3))!, name: "Ana Lima" }]);
      });

      it("publishes through the relayer, gasless: a fresh key with no ETH names itself, and a new version replaces the old", async () => {
        const fresh = "0x" + "7".repeat(64);
        const freshAddress = new Wallet(fresh).address;
        expect(await l.provider.getBalance(freshAddress)).to.equal(0n);
        const first = ok(
          await cli(["name", "set", "Fresh Coop", "--kind", "organisation", "--relayer", relayer.url, "--wait", "60"], { COMMONS_PRIVATE_KEY: fresh }),
        );
        expect(first).to.include(`name "Fresh Coop" (organisation) for ${freshAddress}, version 0 published through the relayer`);
        ok(await cli(["name", "set", "Fresh Cooperative", "--kind", "organisation", "--relayer", relayer.url, "--wait", "60"], { COMMONS_PRIVATE_KEY: fresh }));
        expect((await names()).agent(freshAddress)).to.deep.include({ name: "Fresh Cooperative", version: 1n });
      });

      it("refuses a bad name or kind before any chain call, in a sentence", async () => {
        const bidi = await cli(["name", "set", "Mallory\u202Eecila"], key(4));
        expect(bidi.code).to.equal(2);
        expect(bidi.stderr).to.equal("commons: name: the name has an invisible or control character (U+202E) at character 8\n");
        const like = await cli(["name", "set", "0x7099…79C8"], key(4));
        expect(like.stderr).to.include("looks like an address; a name must not pass for one");
        const kind = await cli(["name", "set", "Carol", "--kind", "robot"], key(4));
        expect(kind.stderr).to.include('--kind: "robot" is not one of');
        const long = await cli(["name", "set", "x".repeat(65)], key(4));
        expect(long.stderr).to.include("is 65 bytes long; a name has at most 64 bytes");
      });

      it("--out writes a signed profile that commons submit publishes, and a second submit is refused as a replay", async () => {
        const file = path.join(l.dataDir, "profile.json");
        ok(await cli(["name", "set", "Dara", "--out", file], key(5)));
        const submitted = ok(await cli(["submit", file], key(0)));
        expect(submitted).to.match(/profile recorded by the directory \(tx 0x[0-9a-f]{64}\)/);
        const again = await cli(["submit", file], key(0));
        expect(again.code).to.equal(1);
        expect(again.stderr).to.include(`The profile is version 0 but ${address(5)}'s next version is 1 (a newer profile was published); sign again.`);
      });
    });

    describe("the relayer", () => {
      it("refuses a profile naming someone else (400), an altered one (400), and an old version replayed (409); nothing is sent", async () => {
        const rc = new RelayerClient(relayer.url);
        const domain = directoryDomain(31337n, l.contracts.Directory);
        const directory = new Contract(l.contracts.Directory, directoryInterface(), l.provider);
        const block = await l.provider.getBlock("latest");
        const victim = address(6);
        // A stranger signs a profile that names the victim.
        const forged = buildProfile({ agent: victim, kind: "person", name: "Erin the thief", nonce: 0n, deadline: BigInt(block!.timestamp) + 600n });
        const forgedJson = toSignedProfileJson(domain, forged, await signProfile(devWallet(9, l.provider), domain, forged));
        const r1 = await rc.post(forgedJson);
        expect(r1.status).to.equal(400);
        expect((r1.body as { error: string }).error).to.equal(`the signature is not valid for the agent ${victim}`);
        const altered = { ...forgedJson, profile: { ...forgedJson.profile, name: "Erin" } };
        expect((await rc.post(altered)).status).to.equal(400);
        // The victim's own first version, then a second; the first posted again is a replay.
        const v0 = buildProfile({ agent: victim, kind: "person", name: "Erin", nonce: 0n, deadline: BigInt(block!.timestamp) + 600n });
        const v0Json = toSignedProfileJson(domain, v0, await signProfile(devWallet(6, l.provider), domain, v0));
        const s0 = await rc.submit(v0Json);
        const done0 = await rc.waitFor(s0.digest, { timeoutMs: 30_000 });
        expect(done0.state).to.equal("recorded");
        const v1 = { ...v0, name: "Erin K.", nonce: 1n };
        const s1 = await rc.submit(toSignedProfileJson(domain, v1, await signProfile(devWallet(6, l.provider), domain, v1)));
        expect((await rc.waitFor(s1.digest, { timeoutMs: 30_000 })).state).to.equal("recorded");
        expect(await directory.nonces(victim)).to.equal(2n);
        // The same JSON again is answered from the queue (recorded), and a re-signed old version is a nonce conflict.
        expect((await rc.submit(v0Json)).state).to.equal("recorded");
        const resigned = toSignedProfileJson(
          domain,
          { ...v0, deadline: v0.deadline + 1n },
          await signProfile(devWallet(6, l.provider), domain, { ...v0, deadline: v0.deadline + 1n }),
        );
        const r3 = await rc.post(resigned);
        expect(r3.status).to.equal(409);
        expect((r3.body as { error: string }).error).to.include("next version is 2");
        expect((await names()).agent(victim)?.name).to.equal("Erin K.");
      });

      it("a relayer started without a directory refuses profiles in a sentence", async () => {
        const bare = await startTestRelayer(l, 7, path.join(l.dataDir, "bare.sqlite"));
        try {
          const domain = directoryDomain(31337n, l.contracts.Directory);
          const p = buildProfile({ agent: address(8), kind: "person", name: "Noor", nonce: 0n, deadline: 1_900_000_000n });
          const r = await new RelayerClient(bare.url).post(toSignedProfileJson(domain, p, await signProfile(devWallet(8, l.provider), domain, p)));
          expect(r.status).to.equal(400);
          expect((r.body as { error: string }).error).to.equal("this relayer sends no Directory profiles (it was started without a directory)");
        } finally {
          await bare.close();
        }
      });
    });

    describe("names in what people read", () => {
      it("list and accounts show the name beside the short address, --agent takes a name, and a shared name is refused as ambiguous", async () => {
        const kit = JSON.parse(ok(await cli(["commons", "list", "--json"]))) as { id: string }[];
        const commons = kit[0].id;
        const claimFile = path.join(l.dataDir, "ana-claim.json");
        writeFileSync(claimFile, ok(await cli(["claim", "--commons", commons, "--action", "work", "--quantity", "2", "--unit", "h"], key(3))));
        ok(await cli(["submit", claimFile, "--relayer", relayer.url, "--wait", "60"]));
        const listed = ok(await cli(["list"]));
        expect(listed).to.include(`Ana Lima (${address(3).slice(0, 6)}…${address(3).slice(-4)})`);
        const json = JSON.parse(ok(await cli(["list", "--agent", "ana lima", "--json"]))) as { agent: string; agentName: string }[];
        expect(json.length).to.be.greaterThan(0);
        expect(json.every((e) => e.agent === address(3) && e.agentName === "Ana Lima")).to.equal(true);
        const accounts = ok(await cli(["accounts", "--agent", "Ana Lima"]));
        expect(accounts).to.include("Ana Lima (");
        // An impostor (a fresh key, gasless) takes the same name: both are marked, and the name no longer picks one.
        ok(await cli(["name", "set", "ANA LIMA", "--relayer", relayer.url, "--wait", "60"], { COMMONS_PRIVATE_KEY: "0x" + "5".repeat(64) }));
        const marked = ok(await cli(["list"]));
        expect(marked).to.include("1 other also use this name");
        const ambiguous = await cli(["list", "--agent", "Ana Lima"]);
        expect(ambiguous.code).to.equal(2);
        expect(ambiguous.stderr).to.include(`--agent: 2 agents call themselves "Ana Lima"`);
      });

      it("commons commons name renames a commons once its stewards' threshold approved, and show prints stewards by name", async () => {
        const founder = 2;
        ok(await cli(["name", "set", "Gus"], key(founder)));
        const registered = ok(await cli(["commons", "register", "--name", "Tool library"], key(founder)));
        const commons = /as commons (0x[0-9a-f]{64})/.exec(registered)![1];
        ok(await cli(["steward", "add", commons, address(0)], key(founder)));
        ok(await cli(["steward", "threshold", commons, "2"], key(founder)));
        const stranger = await cli(["commons", "name", commons, "Stolen library"], key(13));
        expect(stranger.code).to.equal(1);
        expect(stranger.stderr).to.equal(`commons: the directory refused: ${address(13)} is not a steward of this commons.\n`);
        const proposed = ok(await cli(["commons", "name", commons, "Neighbourhood tool library"], key(founder)));
        const id = /name proposal (\d+): approved by 1 of the 2 stewards needed/.exec(proposed)?.[1];
        expect(id, proposed).to.not.equal(undefined);
        const again = await cli(["commons", "approve-name", id!], key(founder));
        expect(again.stderr).to.include(`already approved name proposal ${id}`);
        const done = ok(await cli(["commons", "approve-name", id!], key(0)));
        expect(done).to.include(`the commons is now named "Neighbourhood tool library"`);
        const shown = ok(await cli(["commons", "show", commons]));
        expect(shown).to.include("Neighbourhood tool library");
        expect(shown).to.include(`founded by Gus (${address(founder).slice(0, 6)}…`);
        const bad = await cli(["commons", "name", commons, "Tab\there"], key(founder));
        expect(bad.code).to.equal(2);
        expect(bad.stderr).to.include("U+0009");
      });
    });
  });
});
