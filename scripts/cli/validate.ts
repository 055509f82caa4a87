// `commons validate`: a validator accepts or disputes an entry; `commons confirm` / `refuse`: the
// other agent an entry names (its counterparty) confirms it or refuses to be named. The key signs the validation; it is
// sent through a relayer (--relayer: gasless), written as portable signed JSON (--out, for any
// relayer or `commons submit`), or sent by the key itself (it pays gas). An account the commons did
// not appoint for the action only endorses: on record, counted nowhere.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { LedgerClient } from "../lib/core/client.js";
import { LEDGER_TOPICS } from "../lib/core/abi.js";
import { toSignedValidationJson } from "../lib/core/record.js";
import { deriveEntries } from "../lib/core/views.js";
import { isAnswer } from "../lib/core/vocabulary.js";
import type { VerdictName } from "../lib/core/vocabulary.js";
import { relay, relayOptions } from "./relay.js";
import { connect, resolveTarget } from "./context.js";
import type { GlobalOptions } from "./context.js";
import { json, out } from "./format.js";
import { CliInputError, hashFile, parseDuration, parseHex32, parseUint, parseVerdict } from "./inputs.js";
import { checkKeySource, loadSigner } from "./keys.js";

interface ValidateOptions {
  evidence?: string;
  evidenceFile?: string;
  relayer?: string;
  wait?: string | true;
  out?: string;
  validFor: string;
  keystore?: string;
}

export function registerValidate(program: Command): void {
  withSigningOptions(
    program
      .command("validate")
      .description("accept or dispute an entry: through a relayer (--relayer, gasless), as signed JSON (--out), or paid by the key")
      .argument("<entry>", "entry id")
      .argument("<verdict>", "accept | dispute (or confirm | refuse, as the entry's counterparty)"),
  ).action((entry: string, verdictText: string, o: ValidateOptions) => run(program, entry, parseVerdict(verdictText), o));
  for (const [name, what] of [
    ["confirm", "confirm an entry that names you as its counterparty (e.g. you received what it records)"],
    ["refuse", "refuse to be named in an entry (e.g. you never received what it records)"],
  ] as const) {
    withSigningOptions(
      program
        .command(name)
        .description(`${what}: through a relayer (--relayer, gasless), as signed JSON (--out), or paid by the key`)
        .argument("<entry>", "entry id"),
    ).action((entry: string, o: ValidateOptions) => run(program, entry, name, o));
  }
}

function withSigningOptions(command: Command): Command {
  return command
    .option("--evidence <hex>", "digest of your notes (0x + 64 hex)")
    .option("--evidence-file <path>", "notes file; its keccak256 is recorded")
    .option("--relayer <url>", "send it through this relayer, which pays the gas")
    .option("--wait [seconds]", "with --relayer: wait until it is recorded and print the entry's state (default 60 s)")
    .option("--out <file>", "write the signed message here (for commons submit or any relayer) instead of sending it")
    .option("--valid-for <duration>", "how long the signature may be sent: 3600, 45m, 12h, 7d", "1h")
    .option("--keystore <file>", "keystore of the signer (else COMMONS_PRIVATE_KEY)");
}

async function run(program: Command, entry: string, verdict: VerdictName, o: ValidateOptions): Promise<void> {
  const entryId = parseUint("entry", entry);
  if (entryId === 0n) throw new CliInputError("entry", "entry ids start at 1");
  const evidence =
    o.evidenceFile !== undefined ? hashFile("--evidence-file", o.evidenceFile) : o.evidence !== undefined ? parseHex32("--evidence", o.evidence) : undefined;
  const { relayer, waitSeconds } = relayOptions(o);
  const validFor = parseDuration("--valid-for", o.validFor);
  checkKeySource(o.keystore);
  const target = resolveTarget(program.opts<GlobalOptions>());
  const provider = await connect(target);
  const signer = await loadSigner(o.keystore, provider);
  const client = await LedgerClient.connect(signer, target.ledger, target.fromBlock);
  const { count } = await client.tip();
  if (entryId > count) throw new CliInputError("entry", `entry ${entryId} does not exist (the ledger has ${count} entries)`);
  const before = await client.state(entryId);
  if (before.correctedBy !== 0n) throw new CliInputError("entry", `entry ${entryId} was corrected by entry ${before.correctedBy}; use that one instead`);
  if (isAnswer(verdict)) await checkAnswer(client, entryId, signer.address);
  else if (await client.contract.hasValidated(entryId, signer.address))
    throw new CliInputError("entry", `${signer.address} has already validated entry ${entryId}; a validator gives one verdict per entry`);
  const { validation, signature } = await client.signValidation(signer, entryId, verdict, evidence, validFor);
  const signed = toSignedValidationJson(client.domain, validation, signature);

  if (o.out !== undefined) {
    writeFileSync(o.out, json(signed) + "\n");
    return out(`signed ${verdict} of entry ${entryId} by ${signer.address} -> ${o.out} (${signed.digest})`);
  }
  if (relayer) {
    const s = await relay(relayer, signed, waitSeconds);
    if (s.state !== "recorded" && s.state !== "failed")
      return out(`entry ${entryId}: your ${verdict} is ${s.state} at the relayer (${s.digest}); --wait prints the result`);
    if (s.state === "failed") throw new Error(`the relayer could not record your ${verdict} of entry ${entryId}: ${s.error ?? "no reason given"}`);
    const receipt = s.txHash ? await provider.getTransactionReceipt(s.txHash) : null;
    return out(await outcome(client, entryId, verdict, signer.address, s.txHash ?? "?", receipt));
  }
  const receipt = await client.submitValidation(validation, signature);
  out(await outcome(client, entryId, verdict, signer.address, receipt.hash, receipt));
}

/** Refuses, before signing, an answer the Ledger would refuse: the signer must be the entry's counterparty, answering first. */
async function checkAnswer(client: LedgerClient, entryId: bigint, signer: string): Promise<void> {
  const view = deriveEntries(await client.events()).find((v) => v.id === entryId);
  if (!view) throw new CliInputError("entry", `entry ${entryId} is not in the ledger's events yet; try again in a moment`);
  if (view.counterparty === null)
    throw new CliInputError("entry", `entry ${entryId} names no counterparty (a need, or a flow to its own provider): nobody can confirm or refuse it`);
  if (view.counterparty.toLowerCase() !== signer.toLowerCase())
    throw new CliInputError("entry", `entry ${entryId} names ${view.counterparty} as its counterparty, not ${signer}: only they can confirm or refuse it`);
  if (view.consent === "confirmed" || view.consent === "refused")
    throw new CliInputError("entry", `${signer} has already answered for entry ${entryId} (${view.consent}); an answer is final`);
}

/** What became of the entry: the verdict counted (with the new tally), or kept as an endorsement. */
async function outcome(
  client: LedgerClient,
  entryId: bigint,
  verdict: VerdictName,
  validator: string,
  txHash: string,
  receipt: { logs: readonly { topics: readonly string[] }[] } | null,
): Promise<string> {
  const s = await client.state(entryId);
  if (isAnswer(verdict)) {
    const answered = verdict === "confirm" ? "confirmed by both parties" : "refused by its counterparty";
    return `entry ${entryId}: ${verdict} by ${validator} (tx ${txHash}); the entry is now ${answered}, and stays ${s.state}, ${s.accepts} accept / ${s.disputes} dispute`;
  }
  const endorsed = receipt?.logs.some((l) => l.topics[0] === LEDGER_TOPICS.Endorsed) ?? false;
  if (endorsed)
    return (
      `entry ${entryId}: your ${verdict} is recorded as an endorsement (tx ${txHash}): ${validator} is not appointed to validate this action in the entry's commons, so it counts nowhere; ` +
      `the entry stays ${s.state}, ${s.accepts} accept / ${s.disputes} dispute. The commons' stewards appoint validators (commons commons show <commons> lists them).`
    );
  return `entry ${entryId}: ${verdict} by ${validator} (tx ${txHash}); now ${s.state}, ${s.accepts} accept / ${s.disputes} dispute`;
}
