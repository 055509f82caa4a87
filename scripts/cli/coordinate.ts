// `commons commit`: answer a need (a plan signal or any intent) with a signed commitment whose
// `satisfies` names it: "I will produce 3 of these by Friday". The need is read from the chain and
// checked first (it exists, stands, is open, the unit and the quantity fit); bad input exits 2
// with one sentence before anything is written. The key signs and pays gas (or --relayer does); events that deliver
// then name the commitment (`--satisfies <commitment id>`) and count toward the need.
import path from "node:path";
import type { Command } from "commander";
import { LedgerClient } from "../lib/core/client.js";
import type { RecordDraft } from "../lib/core/client.js";
import { encodeUnit, formatQuantity, parseQuantity, toSignedJson } from "../lib/core/record.js";
import type { SignedRecordJson } from "../lib/core/record.js";
import { deriveEntries } from "../lib/core/views.js";
import { RecordInputError, SIDES } from "../lib/core/vocabulary.js";
import { readLedgerCached } from "../lib/node/entry-cache.js";
import { deriveNeeds, needStatus } from "../lib/supply/supply.js";
import { connect, resolveTarget } from "./context.js";
import type { GlobalOptions } from "./context.js";
import { json, out, progress } from "./format.js";
import { CliInputError, parseTime, parseUint, parseUrl } from "./inputs.js";
import { checkKeySource, loadSigner } from "./keys.js";
import { relayRecords } from "./relay.js";
import { dateTime, isoTime } from "../lib/core/time.js";

const ZERO32 = "0x" + "0".repeat(64);

/** "+7d", "+12h", "+90m", "+3600" (from the chain's now), or an absolute ISO date / unix seconds. */
export function parseDueOption(value: string): { relative: bigint } | { at: bigint } {
  const m = /^\+(\d+)([smhd]?)$/.exec(value);
  if (m) {
    const seconds = BigInt(m[1]) * BigInt({ "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "" | "s" | "m" | "h" | "d"]);
    if (seconds === 0n || seconds > 10n * 365n * 86400n) throw new CliInputError("--due", `"${value}" is not a duration from 1 s to 10 years (e.g. +7d, +12h)`);
    return { relative: seconds };
  }
  if (value.startsWith("+")) throw new CliInputError("--due", `"${value}" is not a duration (e.g. +7d, +12h, +90m)`);
  return { at: parseTime("--due", value) };
}

interface CommitOptions {
  quantity: string;
  due?: string;
  unit?: string;
  relayer?: string;
  keystore?: string;
  json?: boolean;
  cache?: boolean;
}

/** Sends a signed record through a relayer and waits (up to 60 s) for the entry it became. */
async function relayed(relayer: string, signed: SignedRecordJson): Promise<{ id: bigint; receipt: { hash: string } }> {
  const [{ id, txHash }] = await relayRecords(relayer, [signed], "the commitment", 60);
  return { id, receipt: { hash: txHash } };
}

export function registerCoordinate(program: Command): void {
  program
    .command("commit")
    .description("commit to (part of) a need: a signed commitment that satisfies it, checked against the need first")
    .argument("<need-id>", "entry id of the need (intent) to answer")
    .requiredOption("--quantity <decimal>", "how much you commit to, up to 6 decimals")
    .option("--due <when>", "when you promise it: ISO 8601, unix seconds, or from now (+7d, +12h); default the need's due")
    .option("--unit <code>", "the unit you mean (checked against the need's)")
    .option("--relayer <url>", "send it through this relayer, which pays the gas (the command waits for its entry)")
    .option("--keystore <file>", "keystore of the committer (else COMMONS_PRIVATE_KEY); it signs, and pays gas unless --relayer")
    .option("--json", "JSON output")
    .option("--no-cache", "read every event again instead of using the on-disk cache")
    .action(async (needText: string, o: CommitOptions) => {
      const needId = parseUint("need-id", needText);
      if (needId === 0n) throw new CliInputError("need-id", "entry ids start at 1");
      let quantity: bigint;
      try {
        quantity = parseQuantity(o.quantity);
      } catch (error) {
        if (error instanceof RecordInputError) throw new CliInputError("--quantity", error.message.replace(/^quantity: /, ""));
        throw error;
      }
      if (quantity === 0n) throw new CliInputError("--quantity", "must be greater than 0");
      if (o.unit !== undefined) {
        try {
          encodeUnit(o.unit);
        } catch (error) {
          throw new CliInputError("--unit", (error as Error).message.replace(/^unit: /, ""));
        }
      }
      const due = o.due !== undefined ? parseDueOption(o.due) : undefined;
      const relayer = o.relayer !== undefined ? parseUrl("--relayer", o.relayer) : undefined;
      checkKeySource(o.keystore);

      const target = resolveTarget(program.opts<GlobalOptions>());
      const provider = await connect(target);
      const dataDir = process.env.COMMONS_DATA_DIR ?? path.resolve("data");
      const dir = o.cache === false ? undefined : (process.env.COMMONS_CACHE_DIR ?? path.join(dataDir, "cache"));
      const r = await readLedgerCached(provider, target.ledger, { fromBlock: target.fromBlock, dir, onProgress: progress("reading") });
      const views = deriveEntries(r.events);
      const signer = await loadSigner(o.keystore, provider);
      const client = await LedgerClient.connect(signer, target.ledger, target.fromBlock);
      const now = await client.now();

      const entry = views.find((v) => v.id === needId);
      if (!entry) throw new CliInputError("need-id", `there is no entry #${needId} on ledger ${target.ledger}`);
      if (entry.flow !== "need")
        throw new CliInputError("need-id", `entry #${needId} is ${/^[aeiou]/.test(entry.flow) ? "an" : "a"} ${entry.flow} (${entry.action}), not a need`);
      if (entry.state === "corrected") {
        let standing = entry;
        for (let next = views.find((v) => v.id === standing.correctedBy); next; next = views.find((v) => v.id === standing.correctedBy)) standing = next;
        throw new CliInputError(
          "need-id",
          standing.entry.record.quantity === 0n
            ? `need #${needId} was withdrawn (voided by #${standing.id})`
            : `need #${needId} was corrected by #${entry.correctedBy}; commit to the standing need #${standing.id}`,
        );
      }
      const need = deriveNeeds(views, now).find((n) => n.id === needId);
      if (!need) throw new CliInputError("need-id", `need #${needId} was withdrawn (quantity 0)`);
      const status = needStatus(need, now);
      if (need.open === 0n)
        throw new CliInputError(
          "need-id",
          `need #${needId} is already met (${formatQuantity(need.satisfied)} of ${formatQuantity(need.quantity)} ${need.unit})`,
        );
      if (need.due < now) throw new CliInputError("need-id", `need #${needId} was due ${dateTime(need.due)} and is ${status}; it takes no new commitments`);
      if (o.unit !== undefined && o.unit !== need.unit) throw new CliInputError("--unit", `need #${needId} is counted in "${need.unit}", not "${o.unit}"`);
      if (quantity > need.open)
        throw new CliInputError(
          "--quantity",
          `${formatQuantity(quantity)} ${need.unit} is more than the ${formatQuantity(need.open)} ${need.unit} still open on need #${needId}`,
        );
      const time = due === undefined ? need.due : "relative" in due ? now + due.relative : due.at;
      if (time < now) throw new CliInputError("--due", `${dateTime(time)} is in the past (the chain's time is ${dateTime(now)})`);

      const r0 = need.view.entry.record;
      const draft: RecordDraft = {
        flow: "commitment",
        action: need.action,
        commons: need.commons,
        resource: need.resource !== ZERO32 ? need.resource : undefined,
        resourceSpec: need.resourceSpec !== ZERO32 ? need.resourceSpec : undefined,
        process: need.process !== ZERO32 ? need.process : undefined,
        side: SIDES[r0.side],
        quantity: formatQuantity(quantity),
        unit: need.unit,
        time,
        satisfies: need.id,
      };
      const signed = await client.sign(signer, draft);
      const { id, receipt } = relayer ? await relayed(relayer, toSignedJson(client.domain, signed.record, signed.signature)) : await client.submit(signed);
      const late = time > need.due;
      if (o.json)
        return out(
          json({
            id,
            need: need.id,
            committer: signer.address,
            quantity: draft.quantity,
            unit: need.unit,
            due: isoTime(time),
            late,
            transactionHash: receipt.hash,
          }),
        );
      out(
        `commitment #${id}: ${draft.quantity} ${need.unit} by ${signer.address}, due ${dateTime(time)}, satisfies need #${need.id}${relayer ? ", through the relayer" : ""} (tx ${receipt.hash})${late ? `\nnote: promised after the need's due (${dateTime(need.due)}): it does not cover the need in time` : ""}`,
      );
    });
}
