// `commons`: the command line of Commons Ledger. Contributors sign claims (gasless through a
// relayer), peers validate, anyone lists, verifies, reads the accounts and exports the ledger.
// Every input is validated before the first RPC call; errors are one line on stderr.
import { writeFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { LedgerClient } from "../lib/core/client.js";
import { explainDistributorRevert } from "../lib/core/distributor-errors.js";
import { explainLedgerRevert } from "../lib/core/ledger-errors.js";
import { toCsv, toJsonLd } from "../lib/core/export.js";
import { ledgerInterface, readLedger } from "../lib/core/reader.js";
import {
  buildRecord,
  checkRecord,
  formatQuantity,
  fromSignedJson,
  ledgerDomain,
  packNonce,
  signRecord,
  toSignedJson,
} from "../lib/core/record.js";
import type { LedgerRecord, RecordInput } from "../lib/core/record.js";
import { verifyLedger } from "../lib/verify/ledger.js";
import { deriveCommons } from "../lib/core/governance.js";
import { accounts, deriveEntries, filterEntries } from "../lib/core/views.js";
import type { EntryFilter, Period } from "../lib/core/views.js";
import { LIMITS, RecordInputError } from "../lib/core/vocabulary.js";
import { connect, resolveTarget } from "./context.js";
import type { GlobalOptions } from "./context.js";
import { json, out, progress, short, table } from "./format.js";
import {
  CliInputError,
  hashFile,
  parseAction,
  parseAddress,
  parseChoice,
  parseClaimFile,
  parseDuration,
  parseFlow,
  parseHex32,
  parseIdOrLabel,
  parseSide,
  parseState,
  parseTime,
  parseUint,
  parseUrl,
  parseVerdict,
  readJsonFile,
} from "./inputs.js";
import { checkKeySource, createKeystore, loadSigner } from "./keys.js";
import { registerLicense } from "./license.js";
import { registerDistribute, registerDistributionObjections } from "./distribute.js";
import { registerIndex } from "./index-server.js";
import { registerGovern } from "./govern.js";
import { registerSupply } from "./supply.js";

const program = new Command("commons")
  .description("Commons Ledger: signed, append-only open value accounting")
  .addOption(new Option("--rpc <url>", "JSON-RPC endpoint (default: COMMONS_RPC_URL or http://127.0.0.1:8545)"))
  .addOption(new Option("--ledger <address>", "Ledger contract (default: COMMONS_LEDGER or data/deployment.json)"))
  .addOption(new Option("--from-block <n>", "first block to read events from"))
  .addOption(new Option("--chain-id <id>", "expected chain id (checked against the RPC; lets claim sign offline)"))
  .addOption(new Option("--timeout <ms>", "RPC request timeout in milliseconds (default 30000)"))
  .showHelpAfterError(false)
  .exitOverride();

const globals = () => program.opts<GlobalOptions>();

// ------------------------------------------------------------------ keys

program
  .command("keys")
  .description("create an encrypted keystore (password from COMMONS_KEYSTORE_PASSWORD or a prompt)")
  .requiredOption("--out <file>", "where to write the keystore")
  .option("--import-env", "encrypt the key in COMMONS_PRIVATE_KEY instead of a new random one")
  .action(async (o: { out: string; importEnv?: boolean }) => {
    if (o.importEnv) checkKeySource(undefined);
    const address = await createKeystore(o.out, o.importEnv ? process.env.COMMONS_PRIVATE_KEY : undefined);
    out(`${address} -> ${o.out}`);
  });

// ------------------------------------------------------------------ claim

interface ClaimOptions {
  file?: string;
  flow?: string;
  action?: string;
  provider?: string;
  receiver?: string;
  commons?: string;
  resource?: string;
  resourceSpec?: string;
  process?: string;
  side?: string;
  quantity?: string;
  unit?: string;
  time?: string;
  evidence?: string;
  evidenceFile?: string;
  satisfies?: string;
  corrects?: string;
  nonceKey: string;
  nonce?: string;
  validFor: string;
  keystore?: string;
  out?: string;
}

program
  .command("claim")
  .description("build and sign a record; prints it as portable signed JSON for any relayer")
  .option("--file <json>", "record fields as JSON (same names as the flags); flags override it")
  .option("--flow <flow>", "event | need | offer | commitment (default event)")
  .option("--action <action>", "ValueFlows action: work, cite, use, consume, produce, transfer, ...")
  .option("--provider <address>", "provider (default: the signer, except for needs)")
  .option("--receiver <address>", "receiver")
  .option("--commons <id>", "commons id (0x + 64 hex)")
  .option("--resource <id|label>", "resource: 0x + 64 hex, or a label that is hashed")
  .option("--resource-spec <id|label>", "resource specification: hex id or label")
  .option("--process <id|label>", "process: hex id or label")
  .option("--side <side>", "input | output (with --process)")
  .option("--quantity <decimal>", "quantity, up to 6 decimals")
  .option("--unit <code>", "unit code, 1-8 ASCII characters: h, kg, EUR, ea")
  .option("--time <when>", "when it happened / is due: ISO 8601 or unix seconds (default now)")
  .option("--evidence <hex>", "evidence digest (0x + 64 hex)")
  .option("--evidence-file <path>", "evidence file; its keccak256 is recorded")
  .option("--satisfies <id>", "entry id of the need or commitment this satisfies")
  .option("--corrects <id>", "entry id this record corrects (submit sends the proof)")
  .option("--nonce-key <key>", "keyed-nonce key: independent sequences never block each other", "1")
  .option("--nonce <sequence>", "nonce sequence (default: read from the chain)")
  .option("--valid-for <duration>", "how long the signature may be relayed: 3600, 45m, 12h, 7d", "1d")
  .option("--keystore <file>", "encrypted keystore of the signer (else COMMONS_PRIVATE_KEY)")
  .option("--out <file>", "write the signed JSON here instead of stdout")
  .action(async (o: ClaimOptions) => {
    const file = o.file !== undefined ? parseClaimFile(o.file) : {};
    const pick = <K extends keyof typeof file>(flag: K, value: string | undefined) => value ?? (file[flag] as string | undefined);
    const actionText = pick("action", o.action);
    const commonsText = pick("commons", o.commons);
    const quantityText = pick("quantity", o.quantity);
    const unitText = pick("unit", o.unit);
    if (actionText === undefined) throw new CliInputError("--action", "is required");
    if (commonsText === undefined) throw new CliInputError("--commons", "is required");
    if (quantityText === undefined) throw new CliInputError("--quantity", "is required");
    if (unitText === undefined) throw new CliInputError("--unit", "is required");
    if (o.evidence !== undefined && o.evidenceFile !== undefined) throw new CliInputError("--evidence", "give --evidence or --evidence-file, not both");
    const flow = parseFlow(pick("flow", o.flow) ?? "event");
    const sideText = pick("side", o.side);
    const provider = pick("provider", o.provider);
    const receiver = pick("receiver", o.receiver);
    const resource = pick("resource", o.resource);
    const resourceSpec = pick("resourceSpec", o.resourceSpec);
    const processId = pick("process", o.process);
    const time = pick("time", o.time);
    const evidence = o.evidenceFile !== undefined ? hashFile("--evidence-file", o.evidenceFile) : pick("evidence", o.evidence);
    const satisfies = pick("satisfies", o.satisfies);
    const corrects = pick("corrects", o.corrects);
    const nowSeconds = BigInt(Math.floor(Date.now() / 1000));
    const draft: Omit<RecordInput, "nonce"> = {
      flow,
      action: parseAction(actionText),
      provider: provider !== undefined ? parseAddress("--provider", provider) : undefined,
      receiver: receiver !== undefined ? parseAddress("--receiver", receiver) : undefined,
      commons: parseHex32("--commons", commonsText),
      resource: resource !== undefined ? parseIdOrLabel("--resource", resource) : undefined,
      resourceSpec: resourceSpec !== undefined ? parseIdOrLabel("--resource-spec", resourceSpec) : undefined,
      process: processId !== undefined ? parseIdOrLabel("--process", processId) : undefined,
      side: sideText !== undefined ? parseSide(sideText) : undefined,
      quantity: quantityText,
      unit: unitText,
      time: time !== undefined ? parseTime("--time", time) : nowSeconds,
      evidence: evidence !== undefined ? parseHex32("--evidence", evidence) : undefined,
      satisfies: satisfies !== undefined ? parseUint("--satisfies", satisfies) : undefined,
      corrects: corrects !== undefined ? parseUint("--corrects", corrects) : undefined,
      deadline: nowSeconds + BigInt(parseDuration("--valid-for", o.validFor)),
    };
    const key = parseUint("--nonce-key", o.nonceKey, (1n << 192n) - 1n);
    const sequence = o.nonce !== undefined ? parseUint("--nonce", o.nonce) : undefined;
    // Shape checks that need no chain: everything but the link targets and the nonce. Without
    // --provider the signer is the provider (a need is signed by its receiver).
    const placeholder = draft.provider === undefined && flow !== "need" ? "0x000000000000000000000000000000000000dEaD" : draft.provider;
    const offline = buildRecord({ ...draft, provider: placeholder, nonce: packNonce(key, sequence ?? 0n) });
    checkRecord(offline, { now: nowSeconds, allowCorrection: offline.corrects !== 0n });
    checkKeySource(o.keystore);
    const target = resolveTarget(globals());

    const offlineSigning = sequence !== undefined && target.chainId !== undefined;
    const provider_ = offlineSigning ? undefined : await connect(target);
    const signer = await loadSigner(o.keystore, provider_);
    if (draft.provider === undefined && flow !== "need") draft.provider = signer.address;
    const agent = draft.provider ?? draft.receiver!;
    if (agent.toLowerCase() !== signer.address.toLowerCase()) {
      throw new CliInputError("key", `the key is ${signer.address} but the record's agent is ${agent}`);
    }
    let chainId = target.chainId;
    let seq = sequence;
    if (provider_) {
      chainId ??= (await provider_.getNetwork()).chainId;
      const client = await LedgerClient.connect(signer, target.ledger, target.fromBlock);
      seq ??= (await client.nonce(agent, key)) & LIMITS.maxUint64;
    }
    const record: LedgerRecord = buildRecord({ ...draft, nonce: packNonce(key, seq!) });
    const domain = ledgerDomain(chainId!, target.ledger);
    const signed = toSignedJson(domain, record, await signRecord(signer, domain, record));
    if (o.out !== undefined) {
      writeFileSync(o.out, json(signed) + "\n");
      process.stderr.write(`signed ${signed.digest} -> ${o.out}\n`);
    } else out(json(signed));
  });

// ------------------------------------------------------------------ submit

program
  .command("submit")
  .description("submit signed records: to a relayer (gasless) or directly (the key pays gas)")
  .argument("<files...>", "signed-record JSON files (an object or an array each; - for stdin)")
  .option("--relayer <url>", "relayer base URL, e.g. http://127.0.0.1:8787")
  .option("--keystore <file>", "keystore of the account that pays gas (else COMMONS_PRIVATE_KEY)")
  .action(async (files: string[], o: { relayer?: string; keystore?: string }) => {
    const items = files.flatMap((f) => {
      const value = readJsonFile(f, f);
      return (Array.isArray(value) ? value : [value]).map((v, i) => {
        try {
          return { file: f, signed: v as object, ...fromSignedJson(v) };
        } catch (error) {
          if (error instanceof RecordInputError) throw new CliInputError(Array.isArray(value) ? `${f}[${i}]` : f, error.message);
          throw error;
        }
      });
    });
    if (items.length === 0) throw new CliInputError("files", "no records to submit");
    const relayer = o.relayer !== undefined ? parseUrl("--relayer", o.relayer) : undefined;
    if (!relayer) checkKeySource(o.keystore);
    const target = resolveTarget(globals());
    const localNow = BigInt(Math.floor(Date.now() / 1000));
    for (const it of items) {
      if (it.record.deadline < localNow) {
        throw new CliInputError(it.file, `the signature expired at ${new Date(Number(it.record.deadline) * 1000).toISOString()}; sign the claim again`);
      }
      if (String(it.domain.verifyingContract).toLowerCase() !== target.ledger.toLowerCase()) {
        throw new CliInputError(it.file, `signed for ledger ${it.domain.verifyingContract}, not ${target.ledger}`);
      }
      if (target.chainId !== undefined && BigInt(it.domain.chainId!) !== target.chainId) {
        throw new CliInputError(it.file, `signed for chain ${it.domain.chainId}, not ${target.chainId}`);
      }
    }
    if (relayer) {
      let failed = 0;
      for (const it of items) {
        let res: Response;
        try {
          res = await fetch(`${relayer}/records`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(it.signed), signal: AbortSignal.timeout(30_000) });
        } catch (error) {
          throw new Error(`cannot reach the relayer at ${relayer}: ${(error as Error).message}`);
        }
        const body = (await res.json().catch(() => ({}))) as { digest?: string; state?: string; error?: string };
        if (!res.ok) failed++;
        out(`${it.file}: ${res.ok ? `${body.state} ${body.digest}` : `refused (${res.status}): ${body.error ?? "no reason given"}`}`);
      }
      if (failed) throw new Error(`${failed} of ${items.length} records were refused by the relayer`);
      return;
    }
    const provider = await connect(target);
    const { chainId } = await provider.getNetwork();
    for (const it of items) {
      if (BigInt(it.domain.chainId!) !== chainId) throw new CliInputError(it.file, `signed for chain ${it.domain.chainId}, but the RPC is chain ${chainId}`);
    }
    const payer = await loadSigner(o.keystore, provider);
    const client = await LedgerClient.connect(payer, target.ledger, target.fromBlock);
    const now = await client.now();
    const { count } = await client.tip();
    for (const it of items) {
      try {
        checkRecord(it.record, { now, nextId: count + 1n + BigInt(items.length), allowCorrection: it.record.corrects !== 0n });
      } catch (error) {
        throw new CliInputError(it.file, (error as Error).message);
      }
    }
    let failed = 0;
    const plain = items.filter((i) => i.record.corrects === 0n);
    for (let i = 0; i < plain.length; i += LIMITS.maxBatch) {
      const chunk = plain.slice(i, i + LIMITS.maxBatch);
      if (chunk.length === 1) {
        const { id, receipt } = await client.submit(chunk[0]);
        out(`${chunk[0].file}: entry ${id} (tx ${receipt.hash})`);
        continue;
      }
      const { ids, skipped, receipt } = await client.submitBatch(chunk);
      const skippedAt = new Map(skipped.map((s) => [Number(s.index), s.reason]));
      let next = 0;
      chunk.forEach((c, k) => out(`${c.file}: ${skippedAt.has(k) ? `skipped: ${skippedAt.get(k)}` : `entry ${ids[next++]}`} (tx ${receipt.hash})`));
      failed += skipped.length;
    }
    for (const c of items.filter((i) => i.record.corrects !== 0n)) {
      const proof = await client.proof(c.record.corrects);
      const receipt = await client.send(() => client.contract.recordCorrection(c.record, c.signature, proof));
      out(`${c.file}: correction of entry ${c.record.corrects} recorded (tx ${receipt.hash})`);
    }
    if (failed) throw new Error(`${failed} of ${items.length} records were skipped`);
  });

// ------------------------------------------------------------------ validate

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
    const evidence = o.evidenceFile !== undefined ? hashFile("--evidence-file", o.evidenceFile) : o.evidence !== undefined ? parseHex32("--evidence", o.evidence) : undefined;
    checkKeySource(o.keystore);
    const target = resolveTarget(globals());
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

// ------------------------------------------------------------------ list / show

interface ListOptions {
  commons?: string;
  agent?: string;
  action?: string;
  flow?: string;
  state?: string;
  from?: string;
  to?: string;
  json?: boolean;
}

function parseFilter(o: ListOptions): EntryFilter {
  return {
    commons: o.commons !== undefined ? parseHex32("--commons", o.commons) : undefined,
    agent: o.agent !== undefined ? parseAddress("--agent", o.agent) : undefined,
    action: o.action !== undefined ? parseAction(o.action) : undefined,
    flow: o.flow !== undefined ? parseFlow(o.flow) : undefined,
    state: o.state !== undefined ? parseState(o.state) : undefined,
    from: o.from !== undefined ? parseTime("--from", o.from) : undefined,
    to: o.to !== undefined ? parseTime("--to", o.to) : undefined,
  };
}

const withFilters = (c: Command) =>
  c
    .option("--commons <id>", "only this commons")
    .option("--agent <address>", "only this contributor (the signing agent)")
    .option("--action <action>", "only this action")
    .option("--flow <flow>", "only this flow")
    .option("--state <state>", "only entries in this state: claimed, accepted, disputed, corrected")
    .option("--from <when>", "records from this time (ISO 8601 or unix seconds)")
    .option("--to <when>", "records up to this time");

async function loadViews(onProgress?: (d: number, t: number) => void) {
  const target = resolveTarget(globals());
  const provider = await connect(target);
  const events = await readLedger(provider, target.ledger, { fromBlock: target.fromBlock, onProgress });
  return { target, provider, events, views: deriveEntries(events) };
}

withFilters(program.command("list").description("list entries").option("--json", "JSON output")).action(async (o: ListOptions) => {
  const filter = parseFilter(o);
  const { views } = await loadViews(progress("reading"));
  const rows = filterEntries(views, filter);
  if (o.json) return out(json(rows.map((v) => ({ id: v.id, flow: v.flow, action: v.action, agent: v.agent, quantity: formatQuantity(v.entry.record.quantity), unit: v.unit, time: new Date(Number(v.entry.record.time) * 1000).toISOString(), state: v.state, accepts: v.accepts, disputes: v.disputes, correctedBy: v.correctedBy, corrects: v.entry.record.corrects, transaction: v.entry.transactionHash }))));
  out(table(rows.map((v) => ({ id: v.id, flow: v.flow, action: v.action, agent: short(v.agent), quantity: formatQuantity(v.entry.record.quantity), unit: v.unit, time: new Date(Number(v.entry.record.time) * 1000).toISOString().slice(0, 16), state: v.state + (v.correctedBy ? ` by #${v.correctedBy}` : ""), "✓/✗": `${v.accepts}/${v.disputes}` }))));
});

program
  .command("show")
  .description("one entry in full: record, state, validations, transaction")
  .argument("<entry>", "entry id")
  .option("--json", "JSON output")
  .action(async (entry: string, o: { json?: boolean }) => {
    const entryId = parseUint("entry", entry);
    const { views, events, provider } = await loadViews();
    const v = views.find((x) => x.id === entryId);
    if (!v) throw new CliInputError("entry", `entry ${entryId} does not exist (the ledger has ${views.length} entries)`);
    const r = v.entry.record;
    const detail = {
      id: v.id, flow: v.flow, action: v.action, agent: v.agent, provider: r.provider, receiver: r.receiver, commons: r.commons,
      resource: r.resource, resourceSpec: r.resourceSpec, process: r.process, side: ["none", "input", "output"][r.side],
      quantity: `${formatQuantity(r.quantity)} ${v.unit}`, time: new Date(Number(r.time) * 1000).toISOString(), evidence: r.evidence,
      corrects: r.corrects, satisfies: r.satisfies, state: v.state, accepts: v.accepts, disputes: v.disputes, correctedBy: v.correctedBy,
      recordHash: v.entry.recordHash, block: v.entry.blockNumber, transaction: v.entry.transactionHash, nonce: r.nonce, deadline: r.deadline,
      validations: v.validations,
      endorsements: v.endorsements,
    };
    const commons = deriveCommons(events, BigInt((await provider.getBlock("latest"))!.timestamp)).find((c) => c.id === r.commons.toLowerCase());
    if (o.json) return out(json({ ...detail, stewardship: commons?.stewardship ?? "the commons is not registered: nobody is appointed, so nothing in it can be accepted" }));
    for (const [k, value] of Object.entries(detail)) {
      if (k === "validations" || k === "endorsements") continue;
      out(`${k.padEnd(13)} ${String(value)}`);
    }
    out(`validations   ${v.validations.length === 0 ? "(none)" : ""}`);
    for (const val of v.validations) out(`  ${val.verdict.padEnd(8)} ${val.validator} (tx ${val.transactionHash})`);
    if (v.endorsements.length) {
      out("endorsements  (accounts not appointed to validate this action: counted nowhere)");
      for (const e of v.endorsements) out(`  ${e.verdict.padEnd(8)} ${e.endorser} (tx ${e.transactionHash})`);
    }
    out(`commons       ${commons ? `${commons.name}: ${commons.stewardship}` : "not registered: nobody is appointed, so nothing in it can be accepted"}`);
  });

// ------------------------------------------------------------------ verify

program
  .command("verify")
  .description("fetch the whole log, check every signature, recompute the hash chain, compare with the chain")
  .option("--json", "JSON output")
  .action(async (o: { json?: boolean }) => {
    const target = resolveTarget(globals());
    const provider = await connect(target);
    const report = await verifyLedger(provider, target.ledger, { fromBlock: target.fromBlock, onProgress: progress("reading logs"), onSignatures: progress("signatures ") });
    if (o.json) out(json({ ...report, events: undefined }));
    else {
      out(`ledger ${target.ledger} at block ${report.block}: ${report.entries} entries, ${report.checkpoints} checkpoints`);
      const undecided = report.undecided.length;
      out(`signatures: ${report.eoaSignatures} EOA and ${report.contractSignatures} ERC-1271 verified${undecided > 0 ? `, ${undecided} undecided` : ""}`);
      out(`head recomputed ${report.head}, on chain ${report.onChainHead}`);
      for (const p of report.problems.slice(0, 20)) out(`PROBLEM at entry ${p.id}: ${p.reason}`);
      if (report.problems.length > 20) out(`... and ${report.problems.length - 20} more`);
      for (const u of report.undecided.slice(0, 20)) out(`UNDECIDED at entry ${u.id}: ${u.reason}`);
      if (undecided > 20) out(`... and ${undecided - 20} more undecided`);
      const except = undecided > 0 ? `, except ${undecided === 1 ? "1 entry" : `${undecided} entries`} it cannot decide here (UNDECIDED above)` : "";
      out(report.ok ? `OK: the ledger verifies${except}` : `FAILED: ${report.problems.length} problem(s); first at entry ${report.problems[0].id}`);
    }
    if (!report.ok) process.exitCode = 1;
  });

// ------------------------------------------------------------------ accounts

withFilters(
  program
    .command("accounts")
    .description("open accounting: per contributor, action and unit, claimed against accepted, per period")
    .option("--period <period>", "all | year | month | week | day", "all")
    .option("--json", "JSON output"),
).action(async (o: ListOptions & { period: string }) => {
  const period = parseChoice("--period", o.period, ["all", "year", "month", "week", "day"] as const) as Period;
  const filter = parseFilter(o);
  if (filter.state !== undefined) throw new CliInputError("--state", "accounts count every state; use list --state instead");
  const { views } = await loadViews(progress("reading"));
  const rows = accounts(filterEntries(views, filter), period);
  if (o.json) return out(json(rows.map((r) => ({ ...r, claimed: formatQuantity(r.claimed), accepted: formatQuantity(r.accepted), disputed: formatQuantity(r.disputed) }))));
  out(table(rows.map((r) => ({ period: r.period, contributor: r.agent, action: r.action, unit: r.unit, entries: r.entries, claimed: formatQuantity(r.claimed), accepted: formatQuantity(r.accepted), disputed: formatQuantity(r.disputed) }))));
});

// ------------------------------------------------------------------ export

program
  .command("export")
  .description("every entry as CSV or as ValueFlows JSON-LD")
  .requiredOption("--format <format>", "csv | jsonld")
  .option("--out <file>", "write here instead of stdout")
  .action(async (o: { format: string; out?: string }) => {
    const format = parseChoice("--format", o.format, ["csv", "jsonld"] as const);
    const { views, provider, target } = await loadViews(progress("reading"));
    const text = format === "csv" ? toCsv(views) : json(toJsonLd(views, { chainId: (await provider.getNetwork()).chainId, ledger: target.ledger }));
    if (o.out !== undefined) {
      writeFileSync(o.out, text.endsWith("\n") ? text : `${text}\n`);
      process.stderr.write(`${views.length} entries -> ${o.out}\n`);
    } else out(text);
  });

// ------------------------------------------------------------------ feature command groups
// Each group lives in its own file and registers its commands here: register<Group>(program).
registerGovern(program);
registerLicense(program);
registerDistribute(program);
registerDistributionObjections(program);
registerSupply(program);
registerIndex(program);

// ------------------------------------------------------------------ run

/** A Ledger or IncomeDistributor revert in an ethers error (estimateGas, call or send), as its sentence. */
function revertSentence(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const o = e as { data?: unknown; info?: { error?: { data?: unknown } }; error?: { data?: unknown }; cause?: unknown };
    for (const data of [o.data, o.info?.error?.data, o.error?.data]) {
      if (typeof data === "string" && data.length >= 10) {
        const s = explainLedgerRevert(data) ?? explainDistributorRevert(data);
        if (s) return s;
      }
    }
    e = o.cause ?? o.error;
  }
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; commander already printed its one-line message.
      return error.exitCode === 0 || error.code === "commander.helpDisplayed" || error.code === "commander.help" ? 0 : 2;
    }
    const message = revertSentence(error) ?? (error instanceof Error ? error.message : String(error));
    process.stderr.write(`commons: ${message.split("\n")[0]}\n`);
    return error instanceof CliInputError || error instanceof RecordInputError ? 2 : 1;
  }
}
