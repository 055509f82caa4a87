// `commons validate`: a validator accepts or disputes an entry (signed by the key, which also pays
// gas). An account the commons did not appoint for the action only endorses: on record, counted nowhere.
import type { Command } from "commander";
import { LedgerClient } from "../lib/core/client.js";
import { ledgerInterface } from "../lib/core/reader.js";
import { connect, resolveTarget } from "./context.js";
import type { GlobalOptions } from "./context.js";
import { out } from "./format.js";
import { CliInputError, hashFile, parseHex32, parseUint, parseVerdict } from "./inputs.js";
import { checkKeySource, loadSigner } from "./keys.js";

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description("accept or dispute an entry (signed by the key, which also pays gas)")
    .argument("<entry>", "entry id")
    .argument("<verdict>", "accept | dispute")
    .option("--evidence <hex>", "digest of your notes (0x + 64 hex)")
    .option("--evidence-file <path>", "notes file; its keccak256 is recorded")
    .option("--keystore <file>", "keystore of the validator (else COMMONS_PRIVATE_KEY)")
    .action(async (entry: string, verdictText: string, o: { evidence?: string; evidenceFile?: string; keystore?: string }) => {
      const entryId = parseUint("entry", entry);
      if (entryId === 0n) throw new CliInputError("entry", "entry ids start at 1");
      const verdict = parseVerdict(verdictText);
      const evidence =
        o.evidenceFile !== undefined
          ? hashFile("--evidence-file", o.evidenceFile)
          : o.evidence !== undefined
            ? parseHex32("--evidence", o.evidence)
            : undefined;
      checkKeySource(o.keystore);
      const target = resolveTarget(program.opts<GlobalOptions>());
      const provider = await connect(target);
      const signer = await loadSigner(o.keystore, provider);
      const client = await LedgerClient.connect(signer, target.ledger, target.fromBlock);
      const { count } = await client.tip();
      if (entryId > count) throw new CliInputError("entry", `entry ${entryId} does not exist (the ledger has ${count} entries)`);
      const receipt = await client.validate(signer, entryId, verdict, evidence);
      const s = await client.state(entryId);
      const endorsed = receipt.logs.some((l) => l.topics[0] === ledgerInterface.getEvent("Endorsed")!.topicHash);
      if (endorsed) {
        out(
          `entry ${entryId}: your ${verdict} is recorded as an endorsement (tx ${receipt.hash}): ${signer.address} is not appointed to validate this action in the entry's commons, so it counts nowhere; ` +
            `the entry stays ${s.state}, ${s.accepts} accept / ${s.disputes} dispute. The commons' stewards appoint validators (commons commons show <commons> lists them).`,
        );
      } else out(`entry ${entryId}: ${verdict} by ${signer.address} (tx ${receipt.hash}); now ${s.state}, ${s.accepts} accept / ${s.disputes} dispute`);
    });
}
