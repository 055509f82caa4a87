// `commons commons`, `commons steward`, `commons role`, `commons rule`, `commons proposal`: who
// counts in a commons. Stewards register a commons, appoint validators per action, set quorum
// rules, add and remove stewards and set how many of them must approve a change; every change is a
// proposal that takes effect once the threshold approved it. Reading needs no key.
import type { Command } from "commander";
import { Contract, id as labelHash } from "ethers";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import { LedgerClient } from "../lib/core/client.js";
import { deriveCommons, describeChange, stewardshipSentence } from "../lib/core/governance.js";
import type { CommonsView } from "../lib/core/governance.js";
import { ledgerInterface, readLedger } from "../lib/core/reader.js";
import { encodeUnit, formatQuantity, parseQuantity } from "../lib/core/record.js";
import { deriveEntries } from "../lib/core/views.js";
import type { EntryView } from "../lib/core/views.js";
import { indexedAccountDays, indexedCommons, indexedTallies, indexedViews, IndexerError } from "../lib/core/indexer-client.js";
import { commonsMemberDiffersFromChain } from "../lib/core/indexer-spot-check.js";
import { commonsOverview, commonsOverviewOf } from "../lib/core/overview.js";
import type { CommonsOverview } from "../lib/core/overview.js";
import { deriveNeeds, needStatus, stillToDo } from "../lib/supply/supply.js";
import type { NeedView } from "../lib/supply/supply.js";
import { ACTIONS, ALL_ROLES, rolesOf } from "../lib/core/vocabulary.js";
import type { ActionName } from "../lib/core/vocabulary.js";
import { agentLabel, directoryInterface, nameProblem } from "../lib/core/directory.js";
import type { Names } from "../lib/core/directory.js";
import { connect, namesBeside, optionalDirectory, resolveTarget, sendToContract } from "./context.js";
import type { GlobalOptions } from "./context.js";
import { json, out, table } from "./format.js";
import { CliInputError, parseAction, parseAddress, parseHex32, parseUint } from "./inputs.js";
import { checkKeySource, loadSigner } from "./keys.js";
import { dateTime } from "../lib/core/time.js";
import { governanceFromChain, indexerFor, orChain } from "./read.js";
import type { Through } from "./read.js";

/** "work,use" | "all" | "none" -> a roles bitmask. */
function parseRoles(flag: string, value: string): number {
  if (value === "all") return ALL_ROLES;
  if (value === "none") return 0;
  const names = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (names.length === 0) throw new CliInputError(flag, `"${value}" names no action; give actions (e.g. work,use), all, or none`);
  return rolesOf(names.map((n) => parseAction(n)));
}

function parseCount(flag: string, value: string, max = 65_535n): number {
  const n = parseUint(flag, value, max);
  if (n === 0n) throw new CliInputError(flag, "must be at least 1");
  return Number(n);
}

async function readCommons(g: GlobalOptions): Promise<{ views: CommonsView[]; events: Awaited<ReturnType<typeof readLedger>>; now: bigint; names: Names }> {
  const target = resolveTarget(g);
  const directory = optionalDirectory(target);
  const provider = await connect(target);
  const events = await readLedger(provider, target.ledger, { fromBlock: target.fromBlock });
  const names = await namesBeside(provider, target, events, directory);
  const now = BigInt((await provider.getBlock("latest"))!.timestamp);
  return { views: named(deriveCommons(events, now), names), events, now, names };
}

/** A commons is shown by the name its stewards gave it last (its registration name until then). */
function named(views: CommonsView[], names: Names): CommonsView[] {
  return views.map((c) => ({ ...c, name: names.commons(c.id) ?? c.name }));
}

/**
 * Who decides in each commons, for a reader that takes the entries through an indexer: from the
 * Ledger's governance events on the chain alone (few, whatever the ledger's size), so that roles
 * and names never rest on the indexer's word.
 */
async function commonsFromGovernance(g: GlobalOptions) {
  const target = resolveTarget(g);
  const provider = await connect(target);
  const { events, now } = await governanceFromChain(provider, target);
  const names = await namesBeside(provider, target, events, optionalDirectory(target));
  return { target, provider, views: named(deriveCommons(events, now), names), names, now };
}

/** Every commons, and how many entries name each (by lower-case id). */
interface CountedCommons {
  views: CommonsView[];
  entries: ReadonlyMap<string, number>;
}

/** From the whole ledger read from the chain. */
async function commonsCountedOnChain(g: GlobalOptions): Promise<CountedCommons> {
  const { views, events } = await readCommons(g);
  const entries = new Map<string, number>();
  for (const e of events.entries) entries.set(e.commons.toLowerCase(), (entries.get(e.commons.toLowerCase()) ?? 0) + 1);
  return { views, entries };
}

/**
 * Who decides in each commons from the Ledger's governance events on the chain, and the entries
 * each counts from the indexer (`/commons`); undefined, after saying why on stderr, when the indexer
 * cannot answer: the caller then reads the chain.
 */
async function commonsCountedByIndexer(g: GlobalOptions, through: Through): Promise<CountedCommons | undefined> {
  const { views } = await commonsFromGovernance(g);
  return orChain(through, async () => ({ views, entries: new Map((await indexedCommons(through.url)).map((c) => [c.id.toLowerCase(), c.entries])) }));
}

/** A commons as `commons show` shows it: who decides, its overview, its open needs; and through an indexer, what its spot check found. */
interface ShownCommons {
  c: CommonsView;
  overview: CommonsOverview;
  open: NeedView[];
  names: Names;
  now: bigint;
  checked?: { agent?: string; checked: boolean };
}

/** From the whole ledger read from the chain. */
async function commonsFromChain(g: GlobalOptions, id: string): Promise<ShownCommons> {
  const { views, names, events, now } = await readCommons(g);
  const c = findCommons(views, id);
  const entries = deriveEntries(events);
  return { c, overview: commonsOverview(entries, events, id, now)!, open: openNeeds(entries, id, now), names, now };
}

/**
 * Through the indexer: the commons' tallies and days, and the intents and the entries linked to
 * them (all its needs derive from), from the indexer; who decides from the Ledger's governance
 * events on the chain; one member drawn from the chain has their figures in the commons checked
 * against it (`commonsMemberDiffersFromChain`, as the app's Commons page does). Undefined, after
 * saying why on stderr, when they differ or the indexer's answer cannot be used: the caller then
 * reads the chain.
 */
async function commonsThroughIndexer(g: GlobalOptions, through: Through, id: string): Promise<ShownCommons | undefined> {
  const { target, provider, views, names, now } = await commonsFromGovernance(g);
  const c = findCommons(views, id);
  return orChain(through, async () => {
    const [tallies, days, intents, check] = await Promise.all([
      indexedTallies(through.url, { commons: id }),
      indexedAccountDays(through.url, { commons: id }),
      indexedViews(through.url, { coordination: true }),
      commonsMemberDiffersFromChain(through.url, provider, target.ledger, id, {
        fromBlock: target.fromBlock,
        count: through.count,
        commonsName: () => c.name,
        people: names,
      }),
    ]);
    if (check.difference) throw new IndexerError(check.difference);
    return { c, overview: commonsOverviewOf(c, tallies, days), open: openNeeds(intents, id, now), names, now, checked: check };
  });
}

/** The commons' needs still to do (open, or partly met), from the entries (all of them, or the intents and what links to them). */
function openNeeds(entries: readonly EntryView[], id: string, now: bigint): NeedView[] {
  return deriveNeeds(entries, now).filter((n) => n.commons.toLowerCase() === id.toLowerCase() && stillToDo(needStatus(n, now)));
}

/** Sends a steward's commons-name proposal or approval to the Directory and says where it stands. */
async function nameChange(g: GlobalOptions, keystore: string | undefined, call: (directory: Contract) => Promise<ContractTransactionResponse>): Promise<void> {
  const target = resolveTarget(g);
  const directory = optionalDirectory(target);
  if (!directory) throw new CliInputError("--directory", "no Directory of names for this ledger: set COMMONS_DIRECTORY, or run npm start (which deploys one)");
  const provider = await connect(target);
  const signer = await loadSigner(keystore, provider);
  const { receipt } = await sendToContract("directory", () => call(new Contract(directory, directoryInterface(), signer)));
  let line = `done (tx ${receipt.hash})`;
  for (const log of receipt.logs) {
    const parsed = directoryInterface().parseLog(log);
    if (parsed?.name === "CommonsNameApproved") {
      const more = BigInt(parsed.args.threshold) - BigInt(parsed.args.approvals);
      line = `name proposal ${parsed.args.proposal}: approved by ${parsed.args.approvals} of the ${parsed.args.threshold} stewards needed; it takes effect when ${more} more approve${more === 1n ? "s" : ""} with: commons commons approve-name ${parsed.args.proposal}`;
    }
    if (parsed?.name === "CommonsNamed") line = `the commons is now named "${parsed.args.name}" (name proposal ${parsed.args.proposal}, tx ${receipt.hash})`;
  }
  out(line);
}

function findCommons(views: readonly CommonsView[], id: string): CommonsView {
  const c = views.find((v) => v.id === id.toLowerCase());
  if (!c) throw new CliInputError("commons", `no commons ${id} is registered on this ledger (commons commons list shows them)`);
  return c;
}

/** Sends a steward's proposal or approval and says where the change stands. */
async function propose(
  g: GlobalOptions,
  keystore: string | undefined,
  commons: string,
  what: string,
  send: (ledger: LedgerClient["contract"]) => Promise<{ wait(): Promise<ContractTransactionReceipt | null> }>,
): Promise<void> {
  const target = resolveTarget(g);
  const provider = await connect(target);
  const signer = await loadSigner(keystore, provider);
  const client = await LedgerClient.connect(signer, target.ledger, target.fromBlock);
  const receipt = await client.send(() => send(client.contract));
  const [stewards, threshold] = (await client.contract.stewardship(commons)) as [bigint, bigint, bigint];
  out(outcome(receipt, what, commons));
  if (threshold <= 1n)
    out(stewardshipSentence(Number(stewards), Number(threshold)) + " Raise the threshold with: commons steward threshold <commons> <approvals>");
}

/** The proposal a receipt made or approved, and whether it took effect. */
function outcome(receipt: ContractTransactionReceipt, what: string, commons: string | undefined): string {
  let proposal: bigint | undefined;
  let approvals = 0n;
  let threshold = 0n;
  let executed = false;
  for (const log of receipt.logs) {
    const parsed = (() => {
      try {
        return ledgerInterface().parseLog(log);
      } catch {
        return null;
      }
    })();
    if (!parsed) continue;
    if (parsed.name === "ChangeApproved") {
      proposal = parsed.args.proposal as bigint;
      approvals = parsed.args.approvals as bigint;
      threshold = parsed.args.threshold as bigint;
    }
    if (parsed.name === "ChangeExecuted") executed = true;
  }
  if (proposal === undefined) return `${what}: done (tx ${receipt.hash})`;
  if (executed)
    return `proposal ${proposal} (${what}) took effect with ${approvals} of ${threshold} steward approval${threshold === 1n ? "" : "s"} (tx ${receipt.hash})`;
  const more = threshold - approvals;
  return `proposal ${proposal} (${what}${commons ? ` in commons ${commons.slice(0, 10)}…` : ""}): approved by ${approvals} of the ${threshold} stewards needed; it takes effect when ${more} more approve${more === 1n ? "s" : ""} with: commons proposal approve ${proposal}`;
}

export function registerGovern(program: Command): void {
  const globals = () => program.opts<GlobalOptions>();

  // ---------------------------------------------------------------- commons
  const commons = program.command("commons").description("the commons on this ledger: list, show, register");

  commons
    .command("list")
    .description("every commons: name, stewards, threshold, validators, entries")
    .option("--json", "JSON output")
    .option(
      "--indexer [url]",
      "count each commons' entries through an indexer (its head checked against the Ledger's tip first) instead of reading every entry; without a URL, the one npm start runs",
    )
    .action(async (o: { json?: boolean; indexer?: string | true }) => {
      const through = await indexerFor(globals(), o);
      const { views, entries } = (through && (await commonsCountedByIndexer(globals(), through))) ?? (await commonsCountedOnChain(globals()));
      const count = (c: CommonsView) => entries.get(c.id.toLowerCase()) ?? 0;
      if (o.json) return out(json(views.map((c) => ({ ...c, entries: count(c) }))));
      if (views.length === 0) return out("no commons is registered on this ledger yet (commons commons register --name ... registers one)");
      out(
        table(
          views.map((c) => ({
            commons: c.id,
            name: c.name,
            stewards: c.stewards.length,
            threshold: c.threshold,
            validators: c.validators.length,
            entries: count(c),
            "run by one key": c.singleKey ? "YES" : "no",
          })),
        ),
      );
    });

  commons
    .command("show <commons>")
    .description("who counts in a commons: stewards and threshold, validators and their actions, quorum rules, proposals")
    .option("--json", "JSON output")
    .option(
      "--indexer [url]",
      "read the commons' entries, members and needs through an indexer (its head checked against the Ledger's tip, one member's figures against the chain); without a URL, the one npm start runs",
    )
    .action(async (idText: string, o: { json?: boolean; indexer?: string | true }) => {
      const id = parseHex32("commons", idText);
      const through = await indexerFor(globals(), o);
      const { c, overview, open, names, now, checked } =
        (through && (await commonsThroughIndexer(globals(), through, id))) ?? (await commonsFromChain(globals(), id));
      if (o.json)
        return out(
          json({
            ...c,
            members: overview.members,
            contributions: overview.contributionTotals,
            openNeeds: open.map((n) => ({
              id: n.id,
              action: n.action,
              quantity: formatQuantity(n.quantity),
              open: formatQuantity(n.open),
              unit: n.unit,
              status: needStatus(n, now),
            })),
            names: Object.fromEntries([...names.agents()].map(([a, n]) => [a, n.name])),
            ...(through ? { source: checked ? "indexer" : "chain" } : {}),
          }),
        );
      const who = (a: string) => agentLabel(names, a);
      const lines = [
        `${c.name}  (${c.id})`,
        `founded by ${who(c.founder)}`,
        "",
        c.stewardship,
        `stewards (${c.stewards.length}, threshold ${c.threshold}): ${c.stewards.map(who).join(", ")}`,
        "",
        c.validators.length === 0
          ? "validators: none appointed yet, so no entry can be accepted; stewards appoint them with: commons role set <commons> <address> --actions ..."
          : `validators (${c.validators.length}):`,
        ...c.validators.map((v) => `  ${who(v.account)}  ${v.actions.length === ACTIONS.length ? "every action" : v.actions.join(", ")}`),
        "",
        "quorum rules (accepts needed / disputes that block; only appointed validators count):",
        ...ACTIONS.map((a) => {
          const r = c.rules.find((x) => x.action === a);
          return r ? `  ${a.padEnd(18)} ${r.acceptsRequired} / ${r.disputesToBlock}${r.counterpartyConfirms ? ", and the receiver confirms" : ""}` : undefined;
        }).filter((x): x is string => x !== undefined),
        `  ${"(any other action)".padEnd(18)} 1 / 1`,
      ];
      const pending = c.proposals.filter((p) => p.status !== "executed");
      if (pending.length) {
        lines.push("", "proposals not in effect:");
        for (const p of pending)
          lines.push(
            `  #${p.id} ${p.summary}: ${p.status}, approved by ${p.approvers.length} of ${c.threshold} (${p.approvers.map(who).join(", ")})${p.status === "pending" ? `, open until ${dateTime(p.expiresAt)}` : ""}`,
          );
      }
      lines.push(
        "",
        `entries: ${overview.entries} (${overview.states.accepted} accepted, ${overview.states.claimed} claimed, ${overview.states.disputed} disputed, ${overview.states.corrected} corrected)`,
        `contributions counted: ${overview.contributionTotals.map((t) => `${formatQuantity(t.claimed)} ${t.unit} claimed, ${formatQuantity(t.accepted)} ${t.unit} accepted`).join("; ") || "none"}`,
        "",
        `members (${overview.members.length}):`,
        ...overview.members.map((m) => `  ${who(m.address)}  ${m.entries} entries${m.steward ? ", steward" : ""}${m.validator ? ", validator" : ""}`),
        "",
        `open needs (${open.length}):`,
        ...(open.length
          ? open.map((n) => `  #${n.id} ${n.action} ${formatQuantity(n.open)} of ${formatQuantity(n.quantity)} ${n.unit} open, ${needStatus(n, now)}`)
          : ["  (none)"]),
        "",
        "income and distributions: commons distribute --check <id>, and the app's Commons page",
      );
      if (through && checked)
        lines.push(
          "",
          `read through the indexer at ${through.url}; ${
            checked.agent === undefined
              ? "no member's figures checked against the chain (no entry of this commons drawn from the chain)"
              : `${who(checked.agent)}'s figures in it ${checked.checked ? "checked against the chain: the same" : "not checked against the chain (more entries than a spot check reads)"}`
          }`,
        );
      out(lines.join("\n"));
    });

  commons
    .command("name")
    .description("propose a new name for a commons, as a steward (takes effect at the stewards' threshold)")
    .argument("<commons>", "commons id")
    .argument("<name>", "the new name (1-64 bytes; no control or invisible characters)")
    .option("--keystore <file>", "the steward's keystore (else COMMONS_PRIVATE_KEY)")
    .action(async (idText: string, text: string, o: { keystore?: string }) => {
      const id = parseHex32("commons", idText);
      const problem = nameProblem(text);
      if (problem) throw new CliInputError("name", problem);
      checkKeySource(o.keystore);
      await nameChange(globals(), o.keystore, (d) => d.proposeCommonsName(id, text));
    });

  commons
    .command("approve-name")
    .description("approve a pending commons-name proposal, as a steward of that commons")
    .argument("<proposal>", "name proposal id")
    .option("--keystore <file>", "the steward's keystore (else COMMONS_PRIVATE_KEY)")
    .action(async (proposalText: string, o: { keystore?: string }) => {
      const proposal = parseUint("proposal", proposalText);
      checkKeySource(o.keystore);
      await nameChange(globals(), o.keystore, (d) => d.approveCommonsName(proposal));
    });

  commons
    .command("register")
    .description("register a new commons with your key as its only steward (threshold 1)")
    .requiredOption("--name <name>", "a name people recognise (1-200 bytes)")
    .option("--salt <label>", "any label that makes the id unique among your commons (default: the name)")
    .option("--keystore <file>", "the founder's keystore (else COMMONS_PRIVATE_KEY)")
    .action(async (o: { name: string; salt?: string; keystore?: string }) => {
      const bytes = new TextEncoder().encode(o.name).length;
      if (bytes === 0 || bytes > 200) throw new CliInputError("--name", `is ${bytes} bytes long; 1 to 200 are allowed`);
      checkKeySource(o.keystore);
      const target = resolveTarget(globals());
      const provider = await connect(target);
      const signer = await loadSigner(o.keystore, provider);
      const client = await LedgerClient.connect(signer, target.ledger, target.fromBlock);
      const salt = labelHash(o.salt ?? o.name);
      const id: string = await client.contract.registerCommons.staticCall(salt, o.name);
      const receipt = await client.send(() => client.contract.registerCommons(salt, o.name));
      out(
        [
          `registered "${o.name}" as commons ${id} (tx ${receipt.hash})`,
          stewardshipSentence(1, 1),
          "Next: appoint validators (commons role set), add stewards (commons steward add) and raise the threshold (commons steward threshold).",
        ].join("\n"),
      );
    });

  // ---------------------------------------------------------------- stewards
  const steward = program.command("steward").description("propose changes to a commons' stewards (each takes effect at the threshold)");
  for (const [verb, describe] of [
    ["add", "propose a new steward"],
    ["remove", "propose removing a steward (never below the threshold)"],
  ] as const) {
    steward
      .command(`${verb} <commons> <address>`)
      .description(describe)
      .option("--keystore <file>", "a steward's keystore (else COMMONS_PRIVATE_KEY)")
      .action(async (idText: string, addressText: string, o: { keystore?: string }) => {
        const id = parseHex32("commons", idText);
        const account = parseAddress("address", addressText);
        checkKeySource(o.keystore);
        const what = describeChange({
          kind: verb === "add" ? "addSteward" : "removeSteward",
          account,
          roles: 0,
          threshold: 0,
          action: "work",
          acceptsRequired: 0,
          disputesToBlock: 0,
        });
        await propose(globals(), o.keystore, id, what, (l) => (verb === "add" ? l.addSteward(id, account) : l.removeSteward(id, account)));
      });
  }
  steward
    .command("threshold <commons> <approvals>")
    .description("propose how many stewards must approve every change (1 means any one steward acts alone)")
    .option("--keystore <file>", "a steward's keystore (else COMMONS_PRIVATE_KEY)")
    .action(async (idText: string, approvalsText: string, o: { keystore?: string }) => {
      const id = parseHex32("commons", idText);
      const threshold = parseCount("approvals", approvalsText);
      checkKeySource(o.keystore);
      const what = describeChange({ kind: "setThreshold", account: "", roles: 0, threshold, action: "work", acceptsRequired: 0, disputesToBlock: 0 });
      await propose(globals(), o.keystore, id, what, (l) => l.setStewardThreshold(id, threshold));
    });

  // ---------------------------------------------------------------- roles
  const role = program.command("role").description("who may validate which actions in a commons");
  role
    .command("set <commons> <address>")
    .description("propose what an account may validate: --actions work,use | all | none")
    .requiredOption("--actions <list>", "actions the account may validate (comma separated), all, or none")
    .option("--keystore <file>", "a steward's keystore (else COMMONS_PRIVATE_KEY)")
    .action(async (idText: string, addressText: string, o: { actions: string; keystore?: string }) => {
      const id = parseHex32("commons", idText);
      const account = parseAddress("address", addressText);
      const roles = parseRoles("--actions", o.actions);
      checkKeySource(o.keystore);
      const what = describeChange({ kind: "setRoles", account, roles, threshold: 0, action: "work", acceptsRequired: 0, disputesToBlock: 0 });
      await propose(globals(), o.keystore, id, what, (l) => l.setRoles(id, account, roles));
    });
  role
    .command("suggest <commons>")
    .description("contributors whose accepted contributions meet a rule (e.g. 10 accepted hours) and who hold no role yet: candidates the stewards may appoint")
    .requiredOption("--min <quantity>", "the accepted quantity that earns a role, e.g. 10")
    .requiredOption("--unit <code>", "its unit, e.g. h")
    .option("--json", "JSON output")
    .action(async (idText: string, o: { min: string; unit: string; json?: boolean }) => {
      const id = parseHex32("commons", idText);
      let min: bigint;
      try {
        min = parseQuantity(o.min);
      } catch (error) {
        throw new CliInputError("--min", (error as Error).message);
      }
      if (min === 0n) throw new CliInputError("--min", "must be greater than zero");
      try {
        encodeUnit(o.unit);
      } catch (error) {
        throw new CliInputError("--unit", (error as Error).message);
      }
      const { views, events } = await readCommons(globals());
      const c = findCommons(views, id);
      const appointed = new Set(c.validators.map((v) => v.account.toLowerCase()));
      const earned = new Map<string, bigint>();
      for (const v of deriveEntries(events)) {
        if (v.entry.record.commons !== c.id || v.flow !== "event" || v.state !== "accepted" || v.unit !== o.unit) continue;
        earned.set(v.agent, (earned.get(v.agent) ?? 0n) + v.entry.record.quantity);
      }
      const rows = [...earned].filter(([agent, q]) => q >= min && !appointed.has(agent.toLowerCase())).sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0));
      if (o.json) return out(json(rows.map(([agent, accepted]) => ({ agent, accepted: formatQuantity(accepted), unit: o.unit }))));
      if (rows.length === 0) return out(`nobody without a role has ${formatQuantity(min)} ${o.unit} accepted in ${c.name}`);
      out(table(rows.map(([agent, q]) => ({ contributor: agent, accepted: `${formatQuantity(q)} ${o.unit}` }))));
      out(`\nStewards appoint them with: commons role set ${c.id} <address> --actions ...`);
    });

  // ---------------------------------------------------------------- quorum rules
  const rule = program.command("rule").description("how many appointed validators accept or dispute an action");
  rule
    .command("set <commons> <action>")
    .description("propose the quorum rule for one action")
    .requiredOption("--accepts <n>", "accepts by appointed validators that make an entry accepted")
    .requiredOption("--disputes <n>", "disputes by appointed validators that block it")
    .option("--receiver-confirms", "also require the confirmation of the other agent the entry names (its receiver); its refusal disputes the entry")
    .option("--keystore <file>", "a steward's keystore (else COMMONS_PRIVATE_KEY)")
    .action(async (idText: string, actionText: string, o: { accepts: string; disputes: string; receiverConfirms?: boolean; keystore?: string }) => {
      const id = parseHex32("commons", idText);
      const action = parseAction(actionText) as ActionName;
      const acceptsRequired = parseCount("--accepts", o.accepts);
      const disputesToBlock = parseCount("--disputes", o.disputes);
      checkKeySource(o.keystore);
      const counterpartyConfirms = o.receiverConfirms === true;
      const what = describeChange({
        kind: "setQuorumRule",
        account: "",
        roles: 0,
        threshold: 0,
        action,
        acceptsRequired,
        disputesToBlock,
        counterpartyConfirms,
      });
      await propose(globals(), o.keystore, id, what, (l) =>
        l.setQuorumRule(id, ACTIONS.indexOf(action), acceptsRequired, disputesToBlock, counterpartyConfirms),
      );
    });

  // ---------------------------------------------------------------- proposals
  const proposal = program.command("proposal").description("steward proposals: approve one");
  proposal
    .command("approve <proposal>")
    .description("approve a pending proposal of a commons you steward (it takes effect at the threshold)")
    .option("--keystore <file>", "a steward's keystore (else COMMONS_PRIVATE_KEY)")
    .action(async (idText: string, o: { keystore?: string }) => {
      const pid = parseUint("proposal", idText);
      if (pid === 0n) throw new CliInputError("proposal", "proposal ids start at 1");
      checkKeySource(o.keystore);
      const { views } = await readCommons(globals());
      const p = views.flatMap((c) => c.proposals).find((x) => x.id === pid);
      if (!p) throw new CliInputError("proposal", `there is no proposal ${pid} on this ledger`);
      if (p.status === "executed") throw new CliInputError("proposal", `proposal ${pid} (${p.summary}) already took effect`);
      if (p.status === "stale")
        throw new CliInputError("proposal", `proposal ${pid} (${p.summary}) was made before the stewards or their threshold changed: propose it again`);
      if (p.status === "expired") throw new CliInputError("proposal", `proposal ${pid} (${p.summary}) expired at ${dateTime(p.expiresAt)}: propose it again`);
      await propose(globals(), o.keystore, p.commons, p.summary, (l) => l.approveChange(pid));
    });
}
