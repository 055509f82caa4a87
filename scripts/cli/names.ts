// `commons names` and `commons name set`: who is who. An agent publishes its own display name and
// kind, signed with its key (gasless through a relayer, or --out for anyone to relay); every named
// agent is listed with its address. The commons' names set by their stewards are under
// `commons commons name` (govern.ts).
import { writeFileSync } from "node:fs";
import { Option } from "commander";
import type { Command } from "commander";
import { Contract } from "ethers";
import {
  AGENT_KINDS,
  buildProfile,
  directoryDomain,
  directoryInterface,
  nameProblem,
  readNames,
  shortAddress,
  signProfile,
  toSignedProfileJson,
} from "../lib/core/directory.js";
import { readLedger } from "../lib/core/reader.js";
import { connect, optionalDirectory, resolveTarget, sendToContract } from "./context.js";
import type { GlobalOptions } from "./context.js";
import { json, out, table } from "./format.js";
import { CliInputError, parseChoice } from "./inputs.js";
import { checkKeySource, loadSigner } from "./keys.js";
import { relay, relayOptions } from "./relay.js";

/** The Directory for this ledger, or a sentence saying how to name one. */
export function requireDirectory(g: GlobalOptions, flag?: string) {
  const target = resolveTarget(g);
  const directory = optionalDirectory(target, flag);
  if (!directory)
    throw new CliInputError(
      "--directory",
      "no Directory of names for this ledger: pass --directory, set COMMONS_DIRECTORY, or run npm start (which deploys one)",
    );
  return { target, directory };
}

export function registerNames(program: Command): void {
  const globals = () => program.opts<GlobalOptions>();

  program
    .command("names")
    .description("who is who: every agent's published name and kind, and every commons' name")
    .option("--directory <address>", "the Directory (default: COMMONS_DIRECTORY or data/deployment.json)")
    .option("--json", "JSON output")
    .action(async (o: { directory?: string; json?: boolean }) => {
      const { target, directory } = requireDirectory(globals(), o.directory);
      const provider = await connect(target);
      const events = await readLedger(provider, target.ledger, { fromBlock: target.fromBlock });
      const names = await readNames(provider, directory, events, { fromBlock: target.fromBlock });
      const agents = [...names.agents()].map(([address, n]) => ({ address, ...n })).sort((a, b) => a.name.localeCompare(b.name));
      const commons = events.all.filter((e) => e.name === "CommonsRegistered").map((e) => String(e.args.commons));
      if (o.json) return out(json({ agents, commons: commons.map((id) => ({ commons: id, name: names.commons(id) })) }));
      out(
        table(
          agents.map((a) => ({
            name: a.name,
            kind: a.kind,
            address: a.address,
            version: a.version,
            note: a.sharedWith > 0 ? `${a.sharedWith} other agent${a.sharedWith === 1 ? "" : "s"} use this name: tell them apart by address` : "",
          })),
        ),
      );
      if (commons.length) out("\n" + table(commons.map((id) => ({ commons: id, name: names.commons(id) ?? "" }))));
    });

  const name = program.command("name").description("publish your own display name (signed with your key)");
  name
    .command("set")
    .description("publish your display name and kind, signed with your key (--relayer: gasless; --out only signs); a new one replaces the old")
    .argument("<name>", "how people will see you (1-64 bytes; no control or invisible characters; not like an address)")
    .addOption(new Option("--kind <kind>", AGENT_KINDS.join(" | ")).default("person"))
    .option("--directory <address>", "the Directory (default: COMMONS_DIRECTORY or data/deployment.json)")
    .option("--out <file>", "write the signed profile as JSON (for commons submit or any relayer) instead of sending it")
    .option("--relayer <url>", "send it through this relayer, which pays the gas")
    .option("--wait [seconds]", "with --relayer: wait until it is published (default 60 s)")
    .option("--keystore <file>", "keystore of the agent (else COMMONS_PRIVATE_KEY)")
    .action(async (text: string, o: { kind: string; directory?: string; out?: string; relayer?: string; wait?: string | true; keystore?: string }) => {
      const { relayer, waitSeconds } = relayOptions(o);
      const kind = parseChoice("--kind", o.kind, AGENT_KINDS);
      const problem = nameProblem(text);
      if (problem) throw new CliInputError("name", problem);
      checkKeySource(o.keystore);
      const { target, directory } = requireDirectory(globals(), o.directory);
      const provider = await connect(target);
      if ((await provider.getCode(directory)) === "0x") throw new Error(`there is no Directory at ${directory}`);
      const signer = await loadSigner(o.keystore, provider);
      const contract = new Contract(directory, directoryInterface(), provider);
      const block = await provider.getBlock("latest");
      const profile = buildProfile({
        agent: signer.address,
        kind,
        name: text,
        nonce: (await contract.nonces(signer.address)) as bigint,
        deadline: BigInt(block!.timestamp) + 3600n,
      });
      const domain = directoryDomain((await provider.getNetwork()).chainId, directory);
      const signature = await signProfile(signer, domain, profile);
      const signed = toSignedProfileJson(domain, profile, signature);
      const what = `"${text}" (${kind}) for ${signer.address}, version ${profile.nonce}`;
      if (o.out !== undefined) {
        writeFileSync(o.out, json(signed) + "\n");
        return out(`signed profile ${what} written to ${o.out} (anyone may relay it for the next hour)`);
      }
      if (relayer) {
        const s = await relay(relayer, signed, waitSeconds);
        if (s.state === "failed") throw new Error(`the relayer could not publish your name: ${s.error ?? "no reason given"}`);
        if (s.state !== "recorded") return out(`name ${what}, through the relayer: ${s.state} (${s.digest}); --wait prints when it is published`);
        return out(`name ${what} published through the relayer (tx ${s.txHash})`);
      }
      const { hash } = await sendToContract("directory", () => (contract.connect(signer) as Contract).publishProfile(profile, signature));
      out(`name ${what} published (tx ${hash}); people now see ${shortAddress(signer.address)} as "${text}"`);
    });
}
