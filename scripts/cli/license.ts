// `commons license|declare|attest|breach|grant|settlement|status`: reciprocity licensing (PPL /
// CopyFair) on the ReciprocityRegistry. Every input is checked before the first RPC call (exit 2,
// one line); a refusal by the registry is one sentence with the values it names (exit 1).
import type { Command } from "commander";
import { Option } from "commander";
import { toBeHex, ZeroAddress, ZeroHash } from "ethers";
import type { Contract, JsonRpcProvider, Wallet } from "ethers";
import { LedgerClient } from "../lib/core/client.js";
import {
  buildDeclaration,
  buildGrant,
  buildSettlement,
  DECLARATION_KINDS,
  ENTITY_FORMS,
  describeObligation,
  explainStatus,
  familyOfWork,
  familyVersions,
  findStaleSettlements,
  GRANT_KINDS,
  isoDate,
  LICENSE_KINDS,
  NO_OBLIGATION,
  readRegistry,
  readSettlement,
  readStatus,
  recordsOf,
  RECIPROCITY_LIMITS,
  ReciprocityInputError,
  registryContract,
  registryDomain,
  SECTIONS,
  settlementProofs,
  signDeclaration,
  signGrant,
  signSettlement,
  standingSettlements,
  USE_KINDS,
} from "../lib/reciprocity/reciprocity.js";
import type { Obligation, RegistryEvents, Status, Terms } from "../lib/reciprocity/reciprocity.js";
import { checkRegistryIndex, indexedStanding, recordsDifferFromChain } from "../lib/reciprocity/indexed.js";
import { IndexerError } from "../lib/core/indexer-client.js";
import { reciprocityInterface } from "../lib/core/registry-abi.js";
import {
  fromSignedSettlementJson,
  SignedMessageError,
  toSignedDeclarationJson,
  toSignedGrantJson,
  toSignedSettlementJson,
} from "../lib/core/registry-messages.js";
import type { EntryProof } from "../lib/core/proof.js";
import { encodeUnit, formatQuantity, parseQuantity } from "../lib/core/record.js";
import { connect, resolveContract, resolveIndexer, resolveTarget, sendToContract } from "./context.js";
import type { GlobalOptions } from "./context.js";
import { json, out, table } from "./format.js";
import { CliInputError, hashFile, parseAddress, parseChoice, parseHex32, parseTime, parseUint, readJsonFile } from "./inputs.js";
import { checkKeySource, loadSigner } from "./keys.js";
import { relay, relayOptions } from "./relay.js";

const registryOption = () => new Option("--registry <address>", "ReciprocityRegistry (default: COMMONS_REGISTRY or data/deployment.json)");
const keystoreOption = () => new Option("--keystore <file>", "keystore of the signer (else COMMONS_PRIVATE_KEY)");

function parseWork(value: string): bigint {
  const w = parseUint("work", value);
  if (w === 0n) throw new CliInputError("work", "work ids start at 1");
  return w;
}

function parseRecordId(flag: string, value: string): bigint {
  const r = parseUint(flag, value);
  if (r === 0n) throw new CliInputError(flag, "record ids start at 1");
  return r;
}

function parseEntryId(value: string): bigint {
  const e = parseUint("entry", value);
  if (e === 0n) throw new CliInputError("entry", "Ledger entry ids start at 1");
  return e;
}

function evidenceOf(o: { evidence?: string; evidenceFile?: string }): string {
  if (o.evidenceFile !== undefined) return hashFile("--evidence-file", o.evidenceFile);
  if (o.evidence !== undefined) return parseHex32("--evidence", o.evidence);
  return ZeroHash;
}

/** Library input errors are input errors on the command line too. */
function asCliInput<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ReciprocityInputError) throw new CliInputError(error.field, error.message.slice(error.field.length + 2));
    throw error;
  }
}

interface Connected {
  provider: JsonRpcProvider;
  registry: Contract;
  address: string;
  ledger: string;
  fromBlock: number;
}

async function open(program: Command, registryFlag: string | undefined): Promise<Connected> {
  const address = resolveContract("ReciprocityRegistry", "--registry", registryFlag, "COMMONS_REGISTRY");
  const target = resolveTarget(program.opts<GlobalOptions>());
  const provider = await connect(target);
  if ((await provider.getCode(address)) === "0x") throw new Error(`there is no ReciprocityRegistry at ${address}`);
  return { provider, registry: registryContract(address, provider), address, ledger: target.ledger, fromBlock: target.fromBlock };
}

/**
 * The records `status` explains a standing from: with `--indexer`, the family's versions and the
 * licensee's records on them, from an indexer that holds exactly the registry's works and records
 * (counts()) and every record the contract's status rests on, each record as its own transaction
 * recorded it; else (or after saying on stderr why the indexer is not used) every record, from the
 * chain's logs.
 */
async function standingRecords(
  program: Command,
  c: Connected,
  indexer: string | true | undefined,
  standing: { licensee: string; family: bigint; status: Status },
): Promise<RegistryEvents> {
  if (indexer !== undefined) {
    const url = resolveIndexer(indexer, resolveTarget(program.opts<GlobalOptions>()));
    const readCounts = async () => {
      const [works, records] = (await c.registry.counts()) as [bigint, bigint];
      return { works, records };
    };
    const reason = await (async () => {
      const check = await checkRegistryIndex(url, c.address, readCounts);
      if (!check.ok) return check.reason;
      const events = await indexedStanding(url, standing.licensee, standing.family);
      const held = new Set(events.records.map((r) => r.id));
      const missing = standing.status.records.filter((id) => !held.has(id));
      if (missing.length > 0)
        return `the indexer at ${url} lacks record${missing.length > 1 ? "s" : ""} ${missing.join(", ")}, which the registry's status rests on`;
      // What it says of each record is checked against the transaction that recorded it.
      const differs = await recordsDifferFromChain(c.provider, c.address, events.records);
      if (differs) return `the indexer at ${url} answered a record the chain does not hold: ${differs}`;
      return events;
    })().catch((error: unknown) => {
      if (error instanceof IndexerError) return error.message;
      throw error;
    });
    if (typeof reason !== "string") return reason;
    process.stderr.write(`${reason}: reading the chain instead\n`);
  }
  return readRegistry(c.provider, c.address, { fromBlock: c.fromBlock });
}

/** The Ledger proofs a settlement of `entryId` takes, from the chain's events now (see settlementProofs). */
async function proofsOf(c: Connected, entryId: bigint): Promise<{ proof: EntryProof; ancestors: EntryProof[] }> {
  const ledger = await LedgerClient.connect(c.provider, c.ledger, c.fromBlock);
  return settlementProofs((await ledger.events()).entries, entryId, async (e) => (await readSettlement(c.registry, e)).id !== 0n);
}

/** Sends a signed registry message through a relayer; with `waitSeconds`, waits for its record. The line to print. */
async function relayLine(relayer: string, signed: { digest: string }, waitSeconds: number | undefined, what: string, detail: string): Promise<string> {
  const s = await relay(relayer, signed, waitSeconds);
  if (s.state !== "recorded" && s.state !== "failed") return `${what} ${detail}: ${s.state} (${s.digest}); --wait prints the record`;
  if (s.state === "failed") throw new Error(`the relayer could not record your ${what}: ${s.error ?? "no reason given"}`);
  return `record ${s.entryId}: ${what} ${detail} (tx ${s.txHash})`;
}

/** The attesters and arbiter a work version was registered with (its WorkRegistered event), or undefined. */
async function registeredTerms(c: Connected, work: bigint): Promise<{ attesters: string[]; arbiter: string } | undefined> {
  const event = reciprocityInterface().getEvent("WorkRegistered")!;
  const logs = await c.provider.getLogs({ address: c.address, topics: [event.topicHash, toBeHex(work, 32)], fromBlock: 0 });
  const parsed = logs.map((l) => reciprocityInterface().parseLog({ topics: l.topics as string[], data: l.data })).find((x) => x !== null);
  if (!parsed) return undefined;
  return { attesters: [...(parsed.args.attesters as string[])], arbiter: String(parsed.args.arbiter) };
}

/** Sends, turning the registry's refusal (found when the node estimates gas) into its sentence. */
async function send(c: Connected, signer: Wallet, method: string, args: unknown[]): Promise<{ id: bigint; hash: string }> {
  const registry = c.registry.connect(signer) as Contract;
  const { hash, receipt } = await sendToContract("registry", () => registry.getFunction(method).send(...args));
  const [, records] = (await c.registry.counts()) as [bigint, bigint];
  const parsed = receipt.logs
    .map((l: { topics: readonly string[]; data: string }) => c.registry.interface.parseLog({ topics: [...l.topics], data: l.data }))
    .find((l: unknown) => l);
  const id = parsed?.name === "WorkRegistered" ? (parsed.args.work as bigint) : records;
  return { id, hash };
}

interface TermsOptions {
  kind: string;
  termsFile?: string;
  termsHash?: string;
  uri: string;
  shareAlike?: boolean;
  attester?: string[];
  arbiter?: string;
  /** `license terms` only: --no-attesters / --no-arbiter drop what the superseded version had. */
  attesters?: boolean;
  commons?: string;
  settle?: string;
  unit?: string;
  period?: string;
  keystore?: string;
  registry?: string;
}

function parseTerms(o: TermsOptions, supersedes: bigint): Terms {
  const kind = LICENSE_KINDS.indexOf(parseChoice("--kind", o.kind, LICENSE_KINDS));
  if ((o.termsFile === undefined) === (o.termsHash === undefined))
    throw new CliInputError("--terms-file", "give the license text (--terms-file) or its hash (--terms-hash), one of them");
  const termsHash = o.termsFile !== undefined ? hashFile("--terms-file", o.termsFile) : parseHex32("--terms-hash", o.termsHash!);
  const uri = o.uri.trim();
  if (uri.length === 0 || Buffer.byteLength(uri) > RECIPROCITY_LIMITS.maxUriBytes)
    throw new CliInputError("--uri", `must be 1 to ${RECIPROCITY_LIMITS.maxUriBytes} bytes`);
  const attesters = (o.attester ?? []).map((a) => parseAddress("--attester", a));
  if (attesters.length > RECIPROCITY_LIMITS.maxAttesters) throw new CliInputError("--attester", `at most ${RECIPROCITY_LIMITS.maxAttesters}`);
  if (attesters.includes(ZeroAddress)) throw new CliInputError("--attester", "the zero address cannot attest");
  const arbiter = o.arbiter !== undefined ? parseAddress("--arbiter", o.arbiter) : ZeroAddress;
  const commons = o.commons !== undefined ? parseHex32("--commons", o.commons) : ZeroHash;
  let obligation: Obligation = NO_OBLIGATION;
  if (o.settle !== undefined || o.unit !== undefined || o.period !== undefined) {
    if (LICENSE_KINDS[kind] !== "copyfair") throw new CliInputError("--settle", "a settlement obligation needs --kind copyfair");
    if (o.settle === undefined || o.unit === undefined || o.period === undefined)
      throw new CliInputError("--settle", "a settlement obligation needs --settle AMOUNT, --unit and --period DAYS");
    if (commons === ZeroHash) throw new CliInputError("--commons", "a settlement obligation needs the work's commons");
    const amount = asCliInput(() => parseQuantity(o.settle!));
    if (amount === 0n) throw new CliInputError("--settle", "must be positive");
    const days = parseUint("--period", o.period, 100_000n);
    if (days === 0n) throw new CliInputError("--period", "must be at least one day");
    obligation = { amount, unit: asCliInput(() => encodeUnit(o.unit!)), period: days * 86_400n };
  }
  return { kind, supersedes, termsHash, termsUri: uri, shareAlike: o.shareAlike === true, attesters, arbiter, commons, obligation };
}

function termsCommand(cmd: Command): Command {
  return cmd
    .requiredOption("--kind <kind>", `license: ${LICENSE_KINDS.join(" | ")}`)
    .option("--terms-file <path>", "the license text; its keccak256 is recorded")
    .option("--terms-hash <hex>", "the license text's content hash (0x + 64 hex)")
    .requiredOption("--uri <uri>", "where the license text is")
    .option("--share-alike", "adaptations must carry the same license (the PPL text has no such clause)")
    .option("--attester <address...>", "attesters you recognise")
    .option("--arbiter <address>", "who may find or dismiss breaches besides you")
    .option("--commons <hex>", "the Ledger commons the work belongs to")
    .option("--settle <amount>", "CopyFair: contributions owed per period")
    .option("--unit <unit>", "CopyFair: the unit of the obligation (e.g. EUR)")
    .option("--period <days>", "CopyFair: period length in days")
    .addOption(keystoreOption())
    .addOption(registryOption());
}

export function registerLicense(program: Command): void {
  const license = program.command("license").description("register works and their license terms (PPL, CopyFair)");

  termsCommand(license.command("register").description("register a work; you are its licensor")).action(async (o: TermsOptions) => {
    const terms = parseTerms(o, 0n);
    checkKeySource(o.keystore);
    const c = await open(program, o.registry);
    const signer = await loadSigner(o.keystore, c.provider);
    const { id, hash } = await send(c, signer, "registerWork", [terms]);
    out(`work ${id}: ${LICENSE_KINDS[terms.kind]} by ${signer.address} (tx ${hash})`);
  });

  license
    .command("show")
    .description(
      "one work: its license, licensor, terms, commons and obligation, attesters and arbiter, every version, and each licensee on file with its status now",
    )
    .argument("<work>", "work id (any version of it)")
    .option("--json", "machine-readable output")
    .addOption(registryOption())
    .action(async (workText: string, o: { json?: boolean; registry?: string }) => {
      const work = parseWork(workText);
      const c = await open(program, o.registry);
      const { works, records } = await readRegistry(c.provider, c.address, { fromBlock: c.fromBlock });
      const w = works.find((x) => x.work === work);
      if (!w) throw new CliInputError("work", `work ${work} does not exist (the registry has ${works.length} works)`);
      const family = familyOfWork(works, work);
      const versions = familyVersions(works, work);
      const current = versions.find((v) => v.supersededBy === undefined) ?? w;
      const licensees = [...new Set(records.filter((r) => familyOfWork(works, r.work) === family).map((r) => r.licensee))].filter((a) => a !== ZeroAddress);
      const statuses = await Promise.all(licensees.map((l) => readStatus(c.registry, l, current.work)));
      const onFile = licensees.map((licensee, k) => ({
        licensee,
        status: statuses[k].status + (statuses[k].attested ? " (attested)" : ""),
        validUntil: statuses[k].validUntil === 0n ? "" : isoDate(statuses[k].validUntil),
        records: recordsOf(records, works, licensee, current.work).length,
      }));
      if (o.json)
        return out(
          json({
            ...w,
            family,
            current: current.work,
            versions: versions.map((v) => ({ work: v.work, supersededBy: v.supersededBy ?? null, termsHash: v.termsHash, termsUri: v.termsUri })),
            obligationWords: describeObligation(w.obligation),
            licensees: onFile,
          }),
        );
      const none = (xs: readonly string[]) => (xs.length ? xs.join(", ") : "none");
      out(
        [
          `work ${work}: ${w.kind} by ${w.licensor}${current.work === work ? "" : ` (superseded: the current version is work ${current.work})`}`,
          `terms:      ${w.termsHash}${w.termsUri ? ` at ${w.termsUri}` : ""}`,
          `commons:    ${w.commons === ZeroHash ? "none" : w.commons}${w.shareAlike ? " (share-alike)" : ""}`,
          ...(w.obligation.period !== 0n ? [`obligation: ${describeObligation(w.obligation)}`] : []),
          `attesters:  ${none(w.attesters)}`,
          `arbiter:    ${w.arbiter === ZeroAddress ? "none (the licensor decides reports)" : w.arbiter}`,
          `versions:   ${versions.map((v) => `work ${v.work}${v.supersededBy !== undefined ? ` (superseded by work ${v.supersededBy})` : " (current)"}`).join(", ")}`,
          onFile.length
            ? `licensees on file (status for work ${current.work} now; commons status <licensee> ${current.work} says why):`
            : "licensees on file: none",
          ...(onFile.length ? [table(onFile.map((x) => ({ licensee: x.licensee, status: x.status, until: x.validUntil, records: x.records })))] : []),
        ].join("\n"),
      );
    });

  termsCommand(
    license.command("terms").description("publish a new terms version of one of your works (supersedes it)").argument("<work>", "the version it supersedes"),
  )
    .option("--no-attesters", "drop the attesters of the superseded version (kept unless --attester names new ones)")
    .addOption(new Option("--no-arbiter", "drop the arbiter of the superseded version (kept unless --arbiter names another)").default(true))
    .action(async (work: string, options: TermsOptions) => {
      // --arbiter <address> and --no-arbiter share one option: an address, false (drop) or true (keep).
      const o = options as Omit<TermsOptions, "arbiter"> & { arbiter?: string | boolean };
      const dropArbiter = o.arbiter === false;
      const terms = parseTerms({ ...o, arbiter: typeof o.arbiter === "string" ? o.arbiter : undefined }, parseWork(work));
      checkKeySource(o.keystore);
      const c = await open(program, o.registry);
      // The new version keeps who may attest and arbitrate, unless told otherwise: a licensor who
      // only updates the text must not silently lose them.
      const previous = await registeredTerms(c, terms.supersedes);
      const kept: string[] = [];
      if (previous && o.attester === undefined && o.attesters !== false && previous.attesters.length) {
        terms.attesters = previous.attesters;
        kept.push(`attesters ${previous.attesters.join(", ")}`);
      }
      if (previous && typeof o.arbiter !== "string" && !dropArbiter && previous.arbiter !== ZeroAddress) {
        terms.arbiter = previous.arbiter;
        kept.push(`arbiter ${previous.arbiter}`);
      }
      const signer = await loadSigner(o.keystore, c.provider);
      const { id, hash } = await send(c, signer, "registerWork", [terms]);
      out(`work ${id}: new terms version superseding work ${work} (tx ${hash})`);
      if (kept.length) out(`kept from work ${work}: ${kept.join("; ")} (--no-attesters / --no-arbiter drop them)`);
    });

  program
    .command("declare")
    .description("declare, as licensee, your form, your use or a surplus period (EIP-712 signed; --relayer: gasless; --out only signs)")
    .argument("<work>", "work id (the current version)")
    .argument("<kind>", DECLARATION_KINDS.join(" | "))
    .option("--form <form>", ENTITY_FORMS.join(" | "))
    .option("--use <use>", USE_KINDS.join(" | "))
    .option("--from <date>", "surplus period start (ISO date or unix seconds)")
    .option("--until <date>", "surplus period end, exclusive")
    .option("--evidence <hex>", "digest of statutes, accounts, minutes")
    .option("--evidence-file <path>", "a file whose keccak256 is recorded")
    .option("--out <file>", "write the signed declaration as JSON (for commons submit or any relayer) instead of sending it")
    .option("--relayer <url>", "send it through this relayer, which pays the gas")
    .option("--wait [seconds]", "with --relayer: wait until it is recorded (default 60 s)")
    .addOption(keystoreOption())
    .addOption(registryOption())
    .action(
      async (
        workText: string,
        kindText: string,
        o: {
          form?: string;
          use?: string;
          from?: string;
          until?: string;
          evidence?: string;
          evidenceFile?: string;
          out?: string;
          relayer?: string;
          wait?: string | true;
          keystore?: string;
          registry?: string;
        },
      ) => {
        const { relayer, waitSeconds } = relayOptions(o);
        const work = parseWork(workText);
        const kind = parseChoice("kind", kindText, DECLARATION_KINDS);
        const form = o.form !== undefined ? parseChoice("--form", o.form, ENTITY_FORMS) : undefined;
        const use = o.use !== undefined ? parseChoice("--use", o.use, USE_KINDS) : undefined;
        const start = o.from !== undefined ? parseTime("--from", o.from) : undefined;
        const end = o.until !== undefined ? parseTime("--until", o.until) : undefined;
        if (kind === "surplus" && (start === undefined || end === undefined))
          throw new CliInputError("--from", "a surplus declaration needs --from and --until");
        const evidence = evidenceOf(o);
        // Checks that need no chain (period order, form/use given) before connecting.
        asCliInput(() =>
          buildDeclaration({ kind, licensee: "0x000000000000000000000000000000000000dEaD", work, form, use, start, end, evidence, nonce: 0n, deadline: 0n }),
        );
        checkKeySource(o.keystore);
        const c = await open(program, o.registry);
        const signer = await loadSigner(o.keystore, c.provider);
        const nonce = (await c.registry.declarationNonce(signer.address, work)) as bigint;
        const block = await c.provider.getBlock("latest");
        const d = buildDeclaration({
          kind,
          licensee: signer.address,
          work,
          form,
          use,
          start,
          end,
          evidence,
          nonce,
          deadline: BigInt(block!.timestamp) + 3600n,
        });
        const domain = await registryDomain(c.provider, c.address);
        const signature = await signDeclaration(signer, domain, d);
        const signed = toSignedDeclarationJson(domain, d, signature);
        if (o.out !== undefined) {
          const { writeFileSync } = await import("node:fs");
          writeFileSync(o.out, json(signed) + "\n");
          out(`signed ${kind} declaration for work ${work} written to ${o.out} (anyone may relay it until ${isoDate(d.deadline)})`);
          return;
        }
        if (relayer)
          return out(await relayLine(relayer, signed, waitSeconds, `${kind} declaration`, `by ${signer.address} for work ${work}, through the relayer`));
        const { id, hash } = await send(c, signer, "declare", [d, signature]);
        out(`record ${id}: ${kind} declaration by ${signer.address} for work ${work} (tx ${hash})`);
      },
    );

  program
    .command("attest")
    .description("attest, as a recognised attester, a licensee's current entity or surplus declaration")
    .argument("<licensee>", "address")
    .argument("<work>", "work id")
    .argument("<record>", "the declaration's record id")
    .option("--evidence <hex>", "digest of what you checked")
    .option("--evidence-file <path>", "a file whose keccak256 is recorded")
    .addOption(keystoreOption())
    .addOption(registryOption())
    .action(
      async (
        licenseeText: string,
        workText: string,
        recordText: string,
        o: { evidence?: string; evidenceFile?: string; keystore?: string; registry?: string },
      ) => {
        const licensee = parseAddress("licensee", licenseeText);
        const work = parseWork(workText);
        const record = parseRecordId("record", recordText);
        const evidence = evidenceOf(o);
        checkKeySource(o.keystore);
        const c = await open(program, o.registry);
        const signer = await loadSigner(o.keystore, c.provider);
        const { id, hash } = await send(c, signer, "attest", [licensee, work, record, evidence]);
        out(`record ${id}: ${signer.address} attested record ${record} of ${licensee} (tx ${hash})`);
      },
    );

  const breach = program.command("breach").description("breach reports (anyone), findings and dismissals (licensor or arbiter)");
  breach
    .command("report")
    .argument("<licensee>", "address")
    .argument("<work>", "work id")
    .requiredOption("--section <section>", `the section breached: ${SECTIONS.join(" | ")}`)
    .option("--evidence <hex>", "digest of the evidence")
    .option("--evidence-file <path>", "a file whose keccak256 is recorded")
    .addOption(keystoreOption())
    .addOption(registryOption())
    .action(
      async (
        licenseeText: string,
        workText: string,
        o: { section: string; evidence?: string; evidenceFile?: string; keystore?: string; registry?: string },
      ) => {
        const licensee = parseAddress("licensee", licenseeText);
        const work = parseWork(workText);
        const section = SECTIONS.indexOf(parseChoice("--section", o.section.replace(/[()]/g, ""), SECTIONS));
        const evidence = evidenceOf(o);
        checkKeySource(o.keystore);
        const c = await open(program, o.registry);
        const signer = await loadSigner(o.keystore, c.provider);
        const { id, hash } = await send(c, signer, "reportBreach", [licensee, work, section, evidence]);
        out(`record ${id}: breach of ${SECTIONS[section]} by ${licensee} reported (tx ${hash})`);
      },
    );
  for (const [name, method, verb] of [
    ["find", "findBreach", "found"],
    ["dismiss", "dismissBreach", "dismissed"],
  ] as const) {
    breach
      .command(name)
      .argument("<report>", "the report's record id")
      .option("--evidence <hex>", "digest of the decision")
      .option("--evidence-file <path>", "a file whose keccak256 is recorded")
      .addOption(keystoreOption())
      .addOption(registryOption())
      .action(async (reportText: string, o: { evidence?: string; evidenceFile?: string; keystore?: string; registry?: string }) => {
        const report = parseRecordId("report", reportText);
        const evidence = evidenceOf(o);
        checkKeySource(o.keystore);
        const c = await open(program, o.registry);
        const signer = await loadSigner(o.keystore, c.provider);
        const { id, hash } = await send(c, signer, method, [report, evidence]);
        out(`record ${id}: report ${report} ${verb} by ${signer.address} (tx ${hash})`);
      });
  }

  program
    .command("grant")
    .description("grant, as licensor, a reinstatement, a waiver or a separate license (EIP-712 signed; --relayer: gasless; --out only signs)")
    .argument("<licensee>", "address")
    .argument("<work>", "work id")
    .argument("<kind>", GRANT_KINDS.join(" | "))
    .option("--ref <finding>", "reinstatement / waiver: the latest breach finding's record id")
    .option("--expires <date>", "when the grant stops (default: never)")
    .option("--terms-file <path>", "the written grant; its keccak256 is recorded")
    .option("--out <file>", "write the signed grant as JSON (for commons submit or any relayer) instead of sending it")
    .option("--relayer <url>", "send it through this relayer, which pays the gas")
    .option("--wait [seconds]", "with --relayer: wait until it is recorded (default 60 s)")
    .addOption(keystoreOption())
    .addOption(registryOption())
    .action(
      async (
        licenseeText: string,
        workText: string,
        kindText: string,
        o: { ref?: string; expires?: string; termsFile?: string; out?: string; relayer?: string; wait?: string | true; keystore?: string; registry?: string },
      ) => {
        const { relayer, waitSeconds } = relayOptions(o);
        const licensee = parseAddress("licensee", licenseeText);
        const work = parseWork(workText);
        const kind = parseChoice("kind", kindText, GRANT_KINDS);
        const ref = o.ref !== undefined ? parseRecordId("--ref", o.ref) : undefined;
        const expiry = o.expires !== undefined ? parseTime("--expires", o.expires) : undefined;
        const terms = o.termsFile !== undefined ? hashFile("--terms-file", o.termsFile) : undefined;
        asCliInput(() => buildGrant({ kind, licensee, work, ref, expiry, terms, nonce: 0n, deadline: 0n }));
        checkKeySource(o.keystore);
        const c = await open(program, o.registry);
        const signer = await loadSigner(o.keystore, c.provider);
        const block = await c.provider.getBlock("latest");
        const g = buildGrant({
          kind,
          licensee,
          work,
          ref,
          expiry,
          terms,
          nonce: (await c.registry.nonces(signer.address)) as bigint,
          deadline: BigInt(block!.timestamp) + 3600n,
        });
        const domain = await registryDomain(c.provider, c.address);
        const signature = await signGrant(signer, domain, g);
        const signed = toSignedGrantJson(domain, g, signature);
        if (o.out !== undefined) {
          const { writeFileSync } = await import("node:fs");
          writeFileSync(o.out, json(signed) + "\n");
          return out(`signed ${kind} grant to ${licensee} for work ${work} written to ${o.out} (anyone may relay it until ${isoDate(g.deadline)})`);
        }
        if (relayer) return out(await relayLine(relayer, signed, waitSeconds, `${kind} grant`, `to ${licensee} for work ${work}, through the relayer`));
        const { id, hash } = await send(c, signer, "grant", [g, signature]);
        out(`record ${id}: ${kind} granted to ${licensee} for work ${work} (tx ${hash})`);
      },
    );

  const settlement = program
    .command("settlement")
    .description("CopyFair: count your accepted Ledger entries toward a work's obligation; reverse settlements whose entries no longer stand");
  settlement
    .command("add")
    .description(
      "as the entry's signer, count it toward <work>: sent with your key, through a relayer (--relayer: gasless), or signed for anyone to relay (--out)",
    )
    .argument("<work>", "the CopyFair work whose obligation the entry settles")
    .argument("<entry>", "your Ledger entry id")
    .option("--out <file>", "write the signed settlement order as JSON (for commons submit or any relayer) instead of sending it")
    .option("--relayer <url>", "send it through this relayer, which pays the gas")
    .option("--wait [seconds]", "with --relayer: wait until it is recorded (default 60 s)")
    .addOption(keystoreOption())
    .addOption(registryOption())
    .action(async (workText: string, entryText: string, o: { out?: string; relayer?: string; wait?: string | true; keystore?: string; registry?: string }) => {
      const { relayer, waitSeconds } = relayOptions(o);
      const work = parseWork(workText);
      const entryId = parseEntryId(entryText);
      checkKeySource(o.keystore);
      const c = await open(program, o.registry);
      const signer = await loadSigner(o.keystore, c.provider);
      if (o.out !== undefined || relayer) {
        const block = await c.provider.getBlock("latest");
        const order = buildSettlement({ work, entryId, nonce: (await readSettlement(c.registry, entryId)).id, deadline: BigInt(block!.timestamp) + 3600n });
        const domain = await registryDomain(c.provider, c.address);
        const signed = toSignedSettlementJson(domain, order, await signSettlement(signer, domain, order));
        if (relayer)
          return out(
            await relayLine(relayer, signed, waitSeconds, "settlement", `of ledger entry ${entryId} counted toward work ${work}, through the relayer`),
          );
        const { writeFileSync } = await import("node:fs");
        writeFileSync(o.out!, json(signed) + "\n");
        out(`signed settlement of ledger entry ${entryId} toward work ${work} written to ${o.out} (anyone may relay it until ${isoDate(order.deadline)})`);
        return;
      }
      const { proof, ancestors } = await proofsOf(c, entryId);
      const { id, hash } = await send(c, signer, "settle", [work, entryId, proof, ancestors]);
      out(`record ${id}: ledger entry ${entryId} counted toward work ${work} (tx ${hash})`);
    });
  settlement
    .command("relay")
    .description("send a settlement order signed by the entry's signer (you pay the gas; commons submit --relayer sends it gasless)")
    .argument("<file>", "the JSON written by `settlement add --out`")
    .addOption(keystoreOption())
    .addOption(registryOption())
    .action(async (file: string, o: { keystore?: string; registry?: string }) => {
      let read: ReturnType<typeof fromSignedSettlementJson>;
      try {
        read = fromSignedSettlementJson(readJsonFile("file", file));
      } catch (error) {
        if (error instanceof SignedMessageError) throw new CliInputError(file, `is not a signed settlement order: ${error.message}`);
        throw error;
      }
      const { settlement: order, signature } = read;
      checkKeySource(o.keystore);
      const c = await open(program, o.registry);
      const signer = await loadSigner(o.keystore, c.provider);
      const { proof, ancestors } = await proofsOf(c, order.entryId);
      const { id, hash } = await send(c, signer, "settleBySignature", [order, signature, proof, ancestors]);
      out(`record ${id}: ledger entry ${order.entryId} counted toward work ${order.work}, relayed by ${signer.address} (tx ${hash})`);
    });
  settlement
    .command("reverse")
    .description("reverse the settlement of a Ledger entry that is no longer accepted (corrected, disputed, below the quorum); anyone may")
    .argument("<entry>", "the Ledger entry id")
    .addOption(keystoreOption())
    .addOption(registryOption())
    .action(async (entryText: string, o: { keystore?: string; registry?: string }) => {
      const entryId = parseEntryId(entryText);
      checkKeySource(o.keystore);
      const c = await open(program, o.registry);
      const signer = await loadSigner(o.keystore, c.provider);
      const before = await readSettlement(c.registry, entryId);
      const { id, hash } = await send(c, signer, "reverseSettlement", [entryId]);
      out(
        `record ${id}: settlement ${before.id} of ledger entry ${entryId} reversed, ${formatQuantity(before.quantity)} out of the period from ${isoDate(before.periodStart)} (tx ${hash})`,
      );
    });

  program
    .command("status")
    .description("may this licensee use this work, commercially or not, why, until when, and what would change it")
    .argument("<licensee>", "address")
    .argument("<work>", "work id")
    .option("--json", "machine-readable output")
    .option(
      "--indexer [url]",
      "read the licensee's records through an indexer (checked first against the registry's counts and the records its status rests on); without a URL, the one npm start runs",
    )
    .addOption(registryOption())
    .action(async (licenseeText: string, workText: string, o: { json?: boolean; registry?: string; indexer?: string | true }) => {
      const licensee = parseAddress("licensee", licenseeText);
      const work = parseWork(workText);
      const c = await open(program, o.registry);
      const [works] = (await c.registry.counts()) as [bigint, bigint];
      if (work > works) throw new CliInputError("work", `work ${work} does not exist (the registry has ${works} works)`);
      const status = await readStatus(c.registry, licensee, work);
      const family = await c.registry.familyOf(work);
      const events = await standingRecords(program, c, o.indexer, { licensee, family: family.family as bigint, status });
      const block = await c.provider.getBlock("latest");
      const obligation: Obligation = { amount: family.obligation.amount, unit: family.obligation.unit, period: family.obligation.period };
      // Settlements that still count though their Ledger entries no longer stand (F-3).
      const standing = standingSettlements(recordsOf(events.records, events.works, licensee, work));
      const ledger = standing.length > 0 ? await LedgerClient.connect(c.provider, c.ledger, c.fromBlock) : undefined;
      const stale = ledger ? await findStaleSettlements(standing, (e) => ledger.state(e)) : [];
      const x = explainStatus({ licensee, work, status, records: events.records, works: events.works, obligation, stale, now: BigInt(block!.timestamp) });
      if (o.json) {
        out(
          json({
            licensee,
            work,
            family: familyOfWork(events.works, work),
            ...status,
            validUntilIso: status.validUntil === 0n ? null : isoDate(status.validUntil),
            summary: x.summary,
            why: x.reason,
            holds: x.holds,
            attestation: x.attestation,
            evidence: x.evidence.map((e) => ({ ...e, timeIso: isoDate(e.time) })),
            changes: x.changes,
            warnings: x.warnings,
            openQuestions: x.openQuestions,
          }),
        );
        return;
      }
      const lines = [
        `${licensee} for work ${work}`,
        `status:   ${x.summary}`,
        `why:      ${x.reason}`,
        `holds:    ${x.holds}`,
        `attested: ${x.attestation}`,
        "evidence:",
        table(x.evidence.map((e) => ({ record: e.id, what: e.what, signer: e.signer, time: e.time === 0n ? "" : isoDate(e.time) }))),
        "what would change it:",
        ...x.changes.map((c) => `  - ${c}`),
      ];
      if (x.warnings.length > 0) lines.push("warnings:", ...x.warnings.map((w) => `  - ${w}`));
      if (x.openQuestions.length > 0) lines.push("open questions (the text leaves them open):", ...x.openQuestions.map((q) => `  - ${q}`));
      out(lines.join("\n"));
    });
}
