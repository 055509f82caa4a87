// `commons claim` and `commons submit`: a contributor's records. claim builds and signs a record
// (offline when the nonce and chain are given) and prints it as portable signed JSON; submit sends
// signed records to a relayer (gasless) or directly (the key pays gas).
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { Contract } from "ethers";
import type { TypedDataDomain } from "ethers";
import { RECIPROCITY_ABI } from "../lib/core/registry-abi.js";
import { directoryInterface } from "../lib/core/directory-abi.js";
import { readRegistryMessage, registryCallArgs, settlementProofsFrom, SignedMessageError } from "../lib/core/registry-messages.js";
import type { RegistryMessage } from "../lib/core/registry-messages.js";
import { LedgerClient } from "../lib/core/client.js";
import {
  buildRecord,
  checkRecord,
  counterpartyOf,
  fromSignedJson,
  fromSignedValidationJson,
  ledgerDomain,
  packNonce,
  signedKind,
  signRecord,
  toSignedJson,
} from "../lib/core/record.js";
import type { LedgerRecord, LedgerValidation, RecordInput } from "../lib/core/record.js";
import { RelayerClient, RelayerError } from "../lib/core/relayer-client.js";
import type { RelayState } from "../lib/core/relayer-client.js";
import { LIMITS, RecordInputError, VERDICTS } from "../lib/core/vocabulary.js";
import { connect, resolveTarget } from "./context.js";
import type { GlobalOptions } from "./context.js";
import { json, out } from "./format.js";
import {
  CliInputError,
  hashFile,
  parseAction,
  parseAddress,
  parseClaimFile,
  parseDuration,
  parseFlow,
  parseHex32,
  parseIdOrLabel,
  parseSide,
  parseTime,
  parseUint,
  readJsonFile,
} from "./inputs.js";
import { checkKeySource, loadSigner } from "./keys.js";
import { relayOptions } from "./relay.js";
import { dateTime } from "../lib/core/time.js";

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

/**
 * Refuses a record of a commons that is not registered on the ledger (a typo in the id, say): the
 * contract would record it, but no view counts it (ILedger.record's NatSpec says why).
 */
async function refuseUnregistered(client: LedgerClient, commons: string, flag: string): Promise<void> {
  if (await client.commonsExists(commons)) return;
  throw new CliInputError(
    flag,
    `commons ${commons} is not registered on ledger ${client.address}; check the id (npx commons commons list shows the registered ones)`,
  );
}

/** A signed record or validation read from a file, with its deadline. */
type Submitted = { file: string; signed: object; domain: TypedDataDomain; signature: string; deadline: bigint; counterpartySignature?: string } & (
  | { record: LedgerRecord; validation?: undefined; message?: undefined }
  | { validation: LedgerValidation; record?: undefined; message?: undefined }
  | { message: RegistryMessage; record?: undefined; validation?: undefined }
);

/** A relayed record's state in one line: its entry once recorded, the reason if it failed, else its digest. */
/** `verdict`: the signed validation's, to name what was recorded (an accept, a counterparty's confirm, ...). */
function relayedLine(s: RelayState, verdict?: number, cosigned = false): string {
  if (s.state === "recorded")
    return s.kind === "validation"
      ? `${verdict !== undefined ? (VERDICTS[verdict] ?? "validation") : "validation"} of entry ${s.entryId} recorded (tx ${s.txHash})`
      : s.kind === "declaration" || s.kind === "grant" || s.kind === "settlement"
        ? `${s.kind} recorded as registry record ${s.entryId} (tx ${s.txHash})`
        : `entry ${s.entryId}${cosigned ? ", confirmed by both parties" : ""} (tx ${s.txHash})`;
  if (s.state === "failed") return `failed: ${s.error ?? "no reason given"} (${s.digest})`;
  return `${s.state} ${s.digest}`;
}

export function registerRecord(program: Command): void {
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
      const target = resolveTarget(program.opts<GlobalOptions>());

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
        await refuseUnregistered(client, draft.commons, "--commons");
        seq ??= (await client.nonce(agent, key)) & LIMITS.maxUint64;
      } else process.stderr.write(`signed offline: whether commons ${draft.commons} is registered is checked when the record is submitted\n`);
      const record: LedgerRecord = buildRecord({ ...draft, nonce: packNonce(key, seq!) });
      const domain = ledgerDomain(chainId!, target.ledger);
      const signed = toSignedJson(domain, record, await signRecord(signer, domain, record));
      if (o.out !== undefined) {
        writeFileSync(o.out, json(signed) + "\n");
        process.stderr.write(`signed ${signed.digest} -> ${o.out}\n`);
      } else out(json(signed));
    });

  program
    .command("cosign")
    .description("as the other agent a signed record names (its receiver), co-sign it: submit then records it as confirmed by both parties")
    .argument("<file>", "the signed-record JSON its agent made (commons claim --out)")
    .option("--out <file>", "write the co-signed JSON here (default: back to <file>)")
    .option("--keystore <file>", "keystore of the counterparty (else COMMONS_PRIVATE_KEY)")
    .action(async (file: string, o: { out?: string; keystore?: string }) => {
      let signed: ReturnType<typeof fromSignedJson>;
      try {
        signed = fromSignedJson(readJsonFile(file, file));
      } catch (error) {
        if (error instanceof RecordInputError) throw new CliInputError(file, error.message);
        throw error;
      }
      const { domain, record, signature } = signed;
      if (signed.counterpartySignature !== undefined) throw new CliInputError(file, "the record is co-signed already");
      // The digest check (fromSignedJson) refuses an altered record; the agent's signature (an EOA's
      // or a wallet contract's) is checked by the Ledger when the co-signed record is submitted.
      const counterparty = counterpartyOf(record);
      if (counterparty === null) throw new CliInputError(file, "the record names no counterparty (a need, or a flow to its own provider): nobody co-signs it");
      checkKeySource(o.keystore);
      const signer = await loadSigner(o.keystore);
      if (signer.address.toLowerCase() !== counterparty.toLowerCase())
        throw new CliInputError(file, `the record names ${counterparty} as its counterparty, not ${signer.address}: only they can co-sign it`);
      const cosigned = toSignedJson(domain, record, signature, await signRecord(signer, domain, record));
      const target = o.out ?? file;
      writeFileSync(target, json(cosigned) + "\n");
      out(`co-signed ${cosigned.digest} by ${signer.address} -> ${target}; commons submit ${target} records it as confirmed by both parties`);
    });

  program
    .command("submit")
    .description(
      "submit signed records, validations, declarations, grants, settlement orders or profiles: to a relayer (gasless) or directly (the key pays gas)",
    )
    .argument("<files...>", "signed-record or signed-validation JSON files (an object or an array each; - for stdin)")
    .option("--relayer <url>", "relayer base URL, e.g. http://127.0.0.1:8787")
    .option("--wait [seconds]", "with --relayer: wait until each record is recorded and print its entry id (default 60 s)")
    .option("--keystore <file>", "keystore of the account that pays gas (else COMMONS_PRIVATE_KEY)")
    .action(async (files: string[], o: { relayer?: string; wait?: string | true; keystore?: string }) => {
      const all = files.flatMap((f) => {
        const value = readJsonFile(f, f);
        return (Array.isArray(value) ? value : [value]).map((v, i): Submitted => {
          try {
            if (signedKind(v) === "validation") {
              const p = fromSignedValidationJson(v);
              return { file: f, signed: v as object, ...p, deadline: p.validation.deadline };
            }
            const message = readRegistryMessage(v);
            if (message) return { file: f, signed: v as object, domain: message.domain, signature: message.signature, deadline: message.deadline, message };
            const p = fromSignedJson(v);
            return { file: f, signed: v as object, ...p, deadline: p.record.deadline };
          } catch (error) {
            if (error instanceof RecordInputError || error instanceof SignedMessageError)
              throw new CliInputError(Array.isArray(value) ? `${f}[${i}]` : f, error.message);
            throw error;
          }
        });
      });
      if (all.length === 0) throw new CliInputError("files", "no records to submit");
      const items = all.filter((i): i is Submitted & { record: LedgerRecord } => i.record !== undefined);
      const validations = all.filter((i): i is Submitted & { validation: LedgerValidation } => i.validation !== undefined);
      const messages = all.filter((i): i is Submitted & { message: RegistryMessage } => i.message !== undefined);
      const { relayer, waitSeconds } = relayOptions(o, " (a direct submit prints the entry ids anyway)");
      if (!relayer) checkKeySource(o.keystore);
      const target = resolveTarget(program.opts<GlobalOptions>());
      const localNow = BigInt(Math.floor(Date.now() / 1000));
      for (const it of all) {
        if (it.deadline < localNow) {
          throw new CliInputError(it.file, `the signature expired at ${dateTime(it.deadline, { seconds: true })}; sign it again`);
        }
        if (!it.message && String(it.domain.verifyingContract).toLowerCase() !== target.ledger.toLowerCase()) {
          throw new CliInputError(it.file, `signed for ledger ${it.domain.verifyingContract}, not ${target.ledger}`);
        }
        if (target.chainId !== undefined && BigInt(it.domain.chainId!) !== target.chainId) {
          throw new CliInputError(it.file, `signed for chain ${it.domain.chainId}, not ${target.chainId}`);
        }
      }
      if (relayer) {
        let failed = 0;
        const client = new RelayerClient(relayer, { timeoutMs: 30_000 });
        const queued: { file: string; digest: string; verdict?: number; cosigned: boolean }[] = [];
        for (const it of all) {
          const cosigned = it.counterpartySignature !== undefined;
          try {
            const s = await client.submit(it.signed);
            if (waitSeconds === undefined || s.state === "recorded" || s.state === "failed")
              out(`${it.file}: ${relayedLine(s, it.validation?.verdict, cosigned)}`);
            else queued.push({ file: it.file, digest: s.digest, verdict: it.validation?.verdict, cosigned });
          } catch (error) {
            // Unreachable: stop (one line on stderr); refused: say why and go on with the next record.
            if (!(error instanceof RelayerError) || error.status === undefined) throw error;
            failed++;
            out(`${it.file}: ${error.message}`);
          }
        }
        // --wait: the relayer sends what it queued in batches; each record's end is read back by its digest.
        const until = Date.now() + (waitSeconds ?? 0) * 1000;
        for (const q of queued) {
          const s = await client.waitFor(q.digest, { timeoutMs: Math.max(1, until - Date.now()) });
          if (s.state === "failed") failed++;
          out(`${q.file}: ${relayedLine(s, q.verdict, q.cosigned)}`);
        }
        if (failed) throw new Error(`${failed} of ${all.length} signed messages were refused by the relayer or failed`);
        return;
      }
      const provider = await connect(target);
      const { chainId } = await provider.getNetwork();
      for (const it of all) {
        if (BigInt(it.domain.chainId!) !== chainId) throw new CliInputError(it.file, `signed for chain ${it.domain.chainId}, but the RPC is chain ${chainId}`);
      }
      const payer = await loadSigner(o.keystore, provider);
      const client = await LedgerClient.connect(payer, target.ledger, target.fromBlock);
      for (const it of items) await refuseUnregistered(client, it.record.commons, it.file);
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
      const plain = items.filter((i) => i.record.corrects === 0n && i.counterpartySignature === undefined);
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
      for (const c of items.filter((i) => i.counterpartySignature !== undefined)) {
        const { id, receipt } = await client.submit(c);
        out(`${c.file}: entry ${id}, confirmed by both parties (tx ${receipt.hash})`);
      }
      for (const c of items.filter((i) => i.record.corrects !== 0n)) {
        const proof = await client.proof(c.record.corrects);
        const receipt = await client.send(() => client.contract.recordCorrection(c.record, c.signature, proof));
        out(`${c.file}: correction of entry ${c.record.corrects} recorded (tx ${receipt.hash})`);
      }
      for (const m of messages) {
        const to = String(m.domain.verifyingContract);
        const registry = new Contract(to, RECIPROCITY_ABI, payer);
        // A settlement order's call takes its entry's proofs, as of now.
        const args = await registryCallArgs(m.message, async (entryId) =>
          settlementProofsFrom(
            (id) => client.proof(id),
            entryId,
            async (e) => ((await registry.settlementOf(e)) as { id: bigint }).id !== 0n,
          ),
        );
        const target = m.message.kind === "profile" ? new Contract(to, directoryInterface(), payer) : registry;
        const receipt = await client.send(
          () => target.getFunction(m.message.call.fn)(...args),
          m.message.kind === "profile" ? "the directory" : "the registry",
        );
        out(`${m.file}: ${m.message.kind} recorded by the ${m.message.kind === "profile" ? "directory" : "registry"} (tx ${receipt.hash})`);
      }
      for (const v of validations) {
        const receipt = await client.submitValidation(v.validation, v.signature);
        out(`${v.file}: ${VERDICTS[v.validation.verdict]} of entry ${v.validation.entryId} by ${v.validation.validator} recorded (tx ${receipt.hash})`);
      }
      if (failed) throw new Error(`${failed} of ${items.length} records were skipped`);
    });
}
