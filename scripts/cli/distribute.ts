// `commons distribute` and `commons claim-share`: apply a value equation to the ledger, publish
// the result to the IncomeDistributor, check a published distribution from the chain alone, and
// claim a share with its Merkle proof. Inputs are validated before the first RPC call.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { formatUnits, parseUnits, ZeroAddress } from "ethers";
import { roundAmount } from "../lib/core/amount.js";
import type { Provider } from "ethers";
import {
  approvePublication,
  computeFromEvents,
  cutoffAtBlock,
  depositAndPublish,
  distributorAt,
  erc20At,
  readEvents,
  readProposedPublication,
  readPublished,
} from "../lib/distribution/distributor.js";
import type { Approval, ComputedDistribution } from "../lib/distribution/distributor.js";
import { deriveCommons } from "../lib/core/governance.js";
import { parseValueEquation, proofFor, VALUE_EQUATION_FORMAT, ValueEquationError } from "../lib/distribution/value-equation.js";
import { agentLabel } from "../lib/core/directory.js";
import type { Names } from "../lib/core/directory.js";
import type { ValueEquation } from "../lib/distribution/value-equation.js";
import { connect, namesBeside, resolveContract, resolveTarget } from "./context.js";
import type { GlobalOptions } from "./context.js";
import { json, out, short, table } from "./format.js";
import { CliInputError, hashFile, parseAddress, parseAgent, parseHex32, parseUint, readJsonFile } from "./inputs.js";
import { checkKeySource, loadSigner } from "./keys.js";
import { cidOfUri, equationUri } from "../lib/distribution/equation-store.js";
import { storedEquationFile, storeEquation } from "../lib/node/equations.js";

type Cutoff = { kind: "entry"; id: bigint } | { kind: "block"; block: number } | { kind: "latest" };

function parseCutoff(value: string): Cutoff {
  if (value === "latest") return { kind: "latest" };
  const m = /^block:(\d+)$/.exec(value);
  if (m) return { kind: "block", block: Number(parseUint("--cutoff", m[1], BigInt(Number.MAX_SAFE_INTEGER))) };
  if (!/^\d+$/.test(value)) throw new CliInputError("--cutoff", `"${value}" is not an entry id, block:N or latest`);
  const id = parseUint("--cutoff", value);
  if (id === 0n) throw new CliInputError("--cutoff", "entry ids start at 1");
  return { kind: "entry", id };
}

function parseToken(value: string): string {
  return value.toUpperCase() === "ETH" ? ZeroAddress : parseAddress("--token", value);
}

function parseIncome(value: string): string {
  if (!/^\d+(\.\d+)?$/.test(value) || /^0+(\.0+)?$/.test(value)) throw new CliInputError("--income", `"${value}" is not a positive decimal amount`);
  return value;
}

/** The equation document from a file and its validated form (exit 2 naming the field on a bad one). */
function loadEquation(file: string): { doc: unknown; eq: ValueEquation } {
  const doc = readJsonFile("--equation", file);
  try {
    return { doc, eq: parseValueEquation(doc) };
  } catch (error) {
    if (error instanceof ValueEquationError) throw new CliInputError("--equation", error.message);
    throw error;
  }
}

async function incomeUnits(provider: Provider, token: string, income: string): Promise<{ value: bigint; decimals: number }> {
  const decimals = token === ZeroAddress ? 18 : Number(await erc20At(token, provider).decimals());
  try {
    return { value: parseUnits(income, decimals), decimals };
  } catch {
    throw new CliInputError("--income", `"${income}" has more than ${decimals} decimals`);
  }
}

function explain(d: ComputedDistribution, decimals: number, symbol: string, names: Names): string {
  // Rounded to what matters for reading; --json gives every digit and every full address.
  const fmt = (v: bigint) => `${roundAmount(v, decimals)} ${symbol}`;
  const lines = [
    table(d.shares.map((s) => ({ contributor: agentLabel(names, s.account), amount: roundAmount(s.amount, decimals), entries: s.lines.length }))),
    "",
    "Explanation (entry -> bucket: value points -> amount):",
  ];
  for (const s of d.shares) {
    lines.push(`  ${agentLabel(names, s.account)}  ${fmt(s.amount)}`);
    for (const l of s.lines) lines.push(`    entry #${l.entryId} (${l.action}) -> "${l.bucket}": ${formatUnits(l.points, 12)} points -> ${fmt(l.amount)}`);
  }
  lines.push("", "Buckets:");
  for (const b of d.buckets)
    lines.push(`  ${b.name}: budget ${fmt(b.budget)}, paid ${fmt(b.allocated)} to ${b.entries} ${b.entries === 1 ? "entry" : "entries"}, dust ${fmt(b.dust)}`);
  lines.push(
    "",
    `income         ${fmt(d.income)}`,
    `total shares   ${fmt(d.total)} (dust ${fmt(d.dust)}, undistributed ${fmt(d.undistributed)})`,
    `equation hash  ${d.equationHash}`,
    `ledger cutoff  entry ${d.cutoff}, head ${d.head}`,
    `merkle root    ${d.root}`,
  );
  return lines.join("\n");
}

const summary = (d: ComputedDistribution) => ({
  commons: d.commons,
  income: d.income,
  total: d.total,
  dust: d.dust,
  undistributed: d.undistributed,
  equationHash: d.equationHash,
  cutoff: d.cutoff,
  head: d.head,
  root: d.root,
  shares: d.shares.map((s) => ({ account: s.account, amount: s.amount, lines: s.lines })),
  buckets: d.buckets,
});

/** Where this machine pins equations by CID (npm start's data folder): what the app server serves at /ipfs/<cid>. */
const equationsDir = () => path.join(process.env.COMMONS_DATA_DIR ?? path.resolve("data"), "equations");

/** Where a published distribution's equation is: --equation, else its URI (a CID pinned here, a file path or file: URI). */
function locateEquation(given: string | undefined, uri: string): string {
  if (given !== undefined) return given;
  if (uri === "") throw new CliInputError("--equation", "the distribution names no equation URI: pass --equation FILE");
  let cid: string | undefined;
  try {
    cid = cidOfUri(uri);
  } catch (error) {
    throw new CliInputError("--equation", `${(error as Error).message}: pass --equation FILE`);
  }
  if (cid) {
    const file = storedEquationFile(equationsDir(), cid);
    if (file) return file;
    throw new CliInputError(
      "--equation",
      `the equation is ${uri}, which this machine does not pin: fetch it from any IPFS gateway (https://ipfs.io/ipfs/${cid}) and pass --equation FILE`,
    );
  }
  if (uri.startsWith("file:")) return fileURLToPath(uri);
  if (/^[a-z]+:/i.test(uri)) throw new CliInputError("--equation", `the equation is at ${uri}: download it and pass --equation FILE`);
  return path.resolve(uri);
}

/** What a published or proposed distribution says, against what the chain and the equation give. */
function compareWithChain(
  claimed: { equationHash: string; ledgerHead: string; root: string; total: bigint; leafCount: bigint },
  d: ComputedDistribution,
): { checks: { what: string; published: string; recomputed: string; ok: string }[]; ok: boolean } {
  const checks = [
    { what: "equation hash", published: claimed.equationHash, recomputed: d.equationHash },
    { what: "ledger head at cutoff", published: claimed.ledgerHead, recomputed: d.head },
    { what: "merkle root", published: claimed.root, recomputed: d.root },
    { what: "total", published: String(claimed.total), recomputed: String(d.total) },
    { what: "leaves", published: String(claimed.leafCount), recomputed: String(d.shares.length) },
  ].map((c) => ({ ...c, ok: c.published.toLowerCase() === c.recomputed.toLowerCase() ? "yes" : "NO" }));
  return { checks, ok: checks.every((c) => c.ok === "yes") };
}

/** One line on where a publication stands after a steward's approval. */
function approvalLine(a: Approval, distributor: string): string {
  if (a.id !== 0n) return `published as distribution ${a.id} at ${distributor} (check with: commons distribute --check ${a.id})`;
  const missing = a.threshold - a.approvals;
  return `approved by ${a.approvals} of the ${a.threshold} stewards needed; not published until ${missing} more approve the same parameters with: commons distribute --approve ${a.digest}`;
}

export async function recomputePublished(g: GlobalOptions, distributorFlag: string | undefined, idText: string, equationFile: string | undefined) {
  const id = parseUint("distributionId", idText);
  const target = resolveTarget(g);
  const distributor = resolveContract("IncomeDistributor", "--distributor", distributorFlag, "COMMONS_DISTRIBUTOR");
  const provider = await connect(target);
  const published = await readPublished(provider, distributor, id, target.fromBlock);
  if (!published) throw new CliInputError("distributionId", `no distribution ${id} at ${distributor}`);
  const file = locateEquation(equationFile, published.equationURI);
  if (!existsSync(file)) throw new CliInputError("--equation", `file "${file}" does not exist`);
  const { doc } = loadEquation(file);
  const events = await readEvents(provider, target.ledger, { fromBlock: target.fromBlock, toBlock: published.blockNumber });
  const d = computeFromEvents(doc, events, { income: published.income, cutoff: published.cutoff, commons: published.commons });
  const names = await namesBeside(provider, target, events);
  return { id, provider, distributor, published, d, file, names };
}

export function registerDistribute(program: Command): void {
  const globals = () => program.opts<GlobalOptions>();

  program
    .command("distribute")
    .description("apply a value equation to the ledger: shares, explanation, equation hash, head and Merkle root; --publish or --check")
    .option("--equation <file>", `value equation JSON (${VALUE_EQUATION_FORMAT})`)
    .option("--income <amount>", "income to share, in token units (e.g. 1000 or 0.5)")
    .option("--token <ETH|address>", "ETH or an ERC-20 address", "ETH")
    .option("--cutoff <entry|block:N|latest>", "last ledger entry counted")
    .option("--commons <id>", "the commons (32-byte hex); default: the equation's")
    .option("--json", "JSON output")
    .option("--publish", "deposit the income and publish the distribution (steward key)")
    .option("--check <distributionId>", "recompute a published distribution from the chain and compare (exit 1 if it differs)")
    .option("--approve <digest>", "as another steward: recompute a proposed publication from the chain and approve it if it matches")
    .option("--distributor <address>", "IncomeDistributor (default: COMMONS_DISTRIBUTOR or data/deployment.json)")
    .option("--keystore <file>", "steward keystore (or COMMONS_PRIVATE_KEY)")
    .option("--challenge-window <duration>", "seconds before claims open (e.g. 3d; default the contract's minimum)")
    .option("--claim-period <duration>", "how long claims stay open", "30d")
    .option(
      "--equation-uri <uri>",
      "where others can fetch the equation (default: its IPFS CID, ipfs://…, pinned in data/equations/ and served by npm start's app)",
    )
    .action(
      async (o: {
        equation?: string;
        income?: string;
        token: string;
        cutoff?: string;
        commons?: string;
        json?: boolean;
        publish?: boolean;
        check?: string;
        approve?: string;
        distributor?: string;
        keystore?: string;
        challengeWindow?: string;
        claimPeriod: string;
        equationUri?: string;
      }) => {
        if (o.check !== undefined) {
          if (o.publish || o.income !== undefined || o.cutoff !== undefined)
            throw new CliInputError("--check", "takes the income, token and cutoff from the chain; do not combine it with --publish, --income or --cutoff");
          const { id, published, d, file } = await recomputePublished(globals(), o.distributor, o.check, o.equation);
          const { checks, ok } = compareWithChain(published, d);
          if (o.json) out(json({ id, matches: ok, equation: file, checks, distribution: summary(d) }));
          else
            out(
              `${table(checks)}\n\nDistribution ${id} (equation ${file}, cutoff entry ${published.cutoff}): ${ok ? "MATCHES the chain" : "DOES NOT MATCH the chain"}`,
            );
          if (!ok) process.exitCode = 1;
          return;
        }
        if (o.approve !== undefined) {
          if (o.publish || o.check !== undefined || o.income !== undefined || o.cutoff !== undefined) {
            throw new CliInputError(
              "--approve",
              "takes every parameter from the proposal on the chain; do not combine it with --publish, --check, --income or --cutoff",
            );
          }
          const digest = parseHex32("--approve", o.approve);
          checkKeySource(o.keystore);
          const target = resolveTarget(globals());
          const distributor = resolveContract("IncomeDistributor", "--distributor", o.distributor, "COMMONS_DISTRIBUTOR");
          const provider = await connect(target);
          const proposal = await readProposedPublication(provider, distributor, digest, target.fromBlock);
          if (!proposal) throw new CliInputError("--approve", `no steward proposed a publication with digest ${digest} at ${distributor}`);
          const p = proposal.params;
          const file = locateEquation(o.equation, p.equationURI);
          if (!existsSync(file)) throw new CliInputError("--equation", `file "${file}" does not exist`);
          const { doc } = loadEquation(file);
          const events = await readEvents(provider, target.ledger, { fromBlock: target.fromBlock, toBlock: proposal.blockNumber });
          const d = computeFromEvents(doc, events, { income: p.income, cutoff: p.cutoff, commons: p.commons });
          const names = await namesBeside(provider, target, events);
          const { checks, ok } = compareWithChain(p, d);
          if (!ok) {
            if (o.json) out(json({ digest, approved: false, checks }));
            else out(`${table(checks)}\n\nThe publication proposed by ${proposal.steward} DOES NOT MATCH the chain and the equation ${file}: not approved.`);
            process.exitCode = 1;
            return;
          }
          const signer = await loadSigner(o.keystore, provider);
          const approval = await approvePublication(signer, distributor, p);
          const decimals = p.token === ZeroAddress ? 18 : Number(await erc20At(p.token, provider).decimals());
          if (o.json) out(json({ approved: true, ...approval, checks }));
          else
            out(
              `${explain(d, decimals, p.token === ZeroAddress ? "ETH" : short(p.token), names)}\n\nrecomputed from the chain: it matches the proposal by ${proposal.steward}\n${approvalLine(approval, distributor)}`,
            );
          return;
        }
        if (o.equation === undefined) throw new CliInputError("--equation", "is required");
        if (o.income === undefined) throw new CliInputError("--income", "is required");
        if (o.cutoff === undefined) throw new CliInputError("--cutoff", "is required (an entry id, block:N or latest)");
        const { doc, eq } = loadEquation(o.equation);
        const income = parseIncome(o.income);
        const token = parseToken(o.token);
        const cutoff = parseCutoff(o.cutoff);
        const commons = o.commons !== undefined ? parseHex32("--commons", o.commons) : eq.commons;
        if (commons === undefined) throw new CliInputError("--commons", "the equation names no commons: pass --commons");
        if (eq.commons !== undefined && eq.commons !== commons) throw new CliInputError("--commons", `the equation is for commons ${eq.commons}`);
        const claimPeriod = BigInt(parseDurationLong("--claim-period", o.claimPeriod));
        const window = o.challengeWindow !== undefined ? BigInt(parseDurationLong("--challenge-window", o.challengeWindow)) : undefined;
        if (o.publish) checkKeySource(o.keystore);
        const distributorAddress = o.publish ? resolveContract("IncomeDistributor", "--distributor", o.distributor, "COMMONS_DISTRIBUTOR") : undefined;

        const target = resolveTarget(globals());
        const provider = await connect(target);
        const events = await readEvents(provider, target.ledger, { fromBlock: target.fromBlock });
        const count = BigInt(events.entries.length);
        const cutoffId = cutoff.kind === "latest" ? count : cutoff.kind === "block" ? cutoffAtBlock(events, cutoff.block) : cutoff.id;
        if (cutoff.kind === "block" && cutoff.block > (await provider.getBlockNumber()))
          throw new CliInputError("--cutoff", `block ${cutoff.block} is in the future (latest block ${await provider.getBlockNumber()})`);
        if (cutoffId > count) throw new CliInputError("--cutoff", `entry ${cutoffId} is in the future: the ledger has ${count} entries`);
        if (cutoffId === 0n) throw new CliInputError("--cutoff", "no entries up to that point");
        const { value, decimals } = await incomeUnits(provider, token, income);
        const symbol = token === ZeroAddress ? "ETH" : short(token);
        let d: ComputedDistribution;
        try {
          d = computeFromEvents(doc, events, { income: value, cutoff: cutoffId, commons });
        } catch (error) {
          if (error instanceof ValueEquationError) throw new CliInputError("--equation", error.message);
          throw error;
        }
        const names = await namesBeside(provider, target, events);
        const latest = await provider.getBlock("latest");
        const who = deriveCommons(events, BigInt(latest!.timestamp)).find((c) => c.id === commons.toLowerCase());
        const rules = `commons        ${who ? `${who.name}: ${who.stewardship}` : "not registered on this ledger"}`;
        if (!o.publish) {
          out(o.json ? json(summary(d)) : `${explain(d, decimals, symbol, names)}\n${rules}`);
          return;
        }
        if (d.shares.length === 0) throw new Error("no contributor earned anything under this equation: nothing to publish");
        const signer = await loadSigner(o.keystore, provider);
        const distributor = distributorAddress!;
        const challengeWindow = window ?? BigInt(await distributorAt(distributor, provider).minChallengeWindow());
        const approval = await depositAndPublish(signer, distributor, d, {
          token,
          challengeWindow,
          claimPeriod,
          // By default the equation is published by its CID, and pinned here for the app server to serve.
          equationURI: o.equationUri ?? equationUri((await storeEquation(equationsDir(), doc)).cid),
        });
        if (o.json) out(json({ ...approval, ...summary(d) }));
        else
          out(
            `${explain(d, decimals, symbol, names)}\n${rules}\n\n${roundAmount(d.income, decimals)} ${symbol} deposited; ${approvalLine(approval, distributor)}`,
          );
      },
    );

  program
    .command("share <distributionId>")
    .description("show a contributor's share of a published distribution and how it was earned (recomputed from the chain)")
    .option("--account <name|address>", "whose share (default: every contributor)")
    .option("--equation <file>", "the equation JSON (default: the published URI)")
    .option("--distributor <address>", "IncomeDistributor (default: COMMONS_DISTRIBUTOR or data/deployment.json)")
    .option("--json", "JSON output")
    .action(async (idText: string, o: { account?: string; equation?: string; distributor?: string; json?: boolean }) => {
      parseUint("distributionId", idText);
      if (o.account !== undefined && /^0x/i.test(o.account)) parseAddress("--account", o.account);
      const { id, provider, distributor, published, d, names } = await recomputePublished(globals(), o.distributor, idText, o.equation);
      const account = o.account !== undefined ? parseAgent("--account", names, o.account) : undefined;
      const matches = d.root.toLowerCase() === published.root.toLowerCase();
      const shares = d.shares.filter((s) => account === undefined || s.account.toLowerCase() === account.toLowerCase());
      if (account !== undefined && shares.length === 0) throw new Error(`${agentLabel(names, account)} has no share in distribution ${id}`);
      const c = distributorAt(distributor, provider);
      const rows = [];
      for (const s of shares) {
        const leaf = proofFor(d.tree, s.account)!;
        rows.push({ ...s, index: leaf.index, claimed: (await c.isClaimed(id, leaf.index)) as boolean });
      }
      const decimals = published.token === ZeroAddress ? 18 : Number(await erc20At(published.token, provider).decimals());
      const symbol = published.token === ZeroAddress ? "ETH" : short(published.token);
      if (o.json) {
        out(json({ id, matchesChain: matches, claimsOpenAt: published.claimsOpenAt, expiresAt: published.expiresAt, shares: rows }));
        return;
      }
      const lines = [
        `Distribution ${id}: ${roundAmount(published.total, decimals)} ${symbol} of ${roundAmount(published.income, decimals)} income, cutoff entry ${published.cutoff}; recomputed root ${matches ? "matches" : "DOES NOT match"} the published one`,
      ];
      for (const r of rows) {
        lines.push(`${agentLabel(names, r.account)}  ${roundAmount(r.amount, decimals)} ${symbol}  (${r.claimed ? "claimed" : "not claimed yet"})`);
        for (const l of r.lines)
          lines.push(
            `  entry #${l.entryId} (${l.action}) -> "${l.bucket}": ${formatUnits(l.points, 12)} points -> ${roundAmount(l.amount, decimals)} ${symbol}`,
          );
      }
      out(lines.join("\n"));
    });

  program
    .command("claim-share <distributionId>")
    .description("claim a share of a published distribution with its Merkle proof (recomputed from the chain)")
    .option("--account <name|address>", "whose share (default: the key's address); the funds always go to the account")
    .option("--equation <file>", "the equation JSON (default: the published URI)")
    .option("--distributor <address>", "IncomeDistributor (default: COMMONS_DISTRIBUTOR or data/deployment.json)")
    .option("--keystore <file>", "key that sends the transaction (or COMMONS_PRIVATE_KEY)")
    .option("--json", "JSON output")
    .action(async (idText: string, o: { account?: string; equation?: string; distributor?: string; keystore?: string; json?: boolean }) => {
      parseUint("distributionId", idText);
      if (o.account !== undefined && /^0x/i.test(o.account)) parseAddress("--account", o.account);
      checkKeySource(o.keystore);
      const { id, provider, distributor, published, d, names } = await recomputePublished(globals(), o.distributor, idText, o.equation);
      const account = o.account !== undefined ? parseAgent("--account", names, o.account) : undefined;
      if (d.root.toLowerCase() !== published.root.toLowerCase())
        throw new Error(
          `distribution ${id} does not match the chain (published root ${published.root}, recomputed ${d.root}); run commons distribute --check ${id}`,
        );
      const signer = await loadSigner(o.keystore, provider);
      const who = account ?? (await signer.getAddress());
      const leaf = proofFor(d.tree, who);
      if (!leaf) throw new Error(`${agentLabel(names, who)} has no share in distribution ${id}`);
      const c = distributorAt(distributor, signer);
      if (await c.isClaimed(id, leaf.index)) throw new Error(`the share of ${agentLabel(names, who)} in distribution ${id} was already claimed`);
      const share = d.shares.find((s) => s.account.toLowerCase() === who.toLowerCase())!;
      const tx = await c.claim(id, leaf.index, who, leaf.amount, leaf.proof);
      const receipt = await tx.wait();
      const amount = published.token === ZeroAddress ? `${roundAmount(leaf.amount, 18)} ETH` : `${leaf.amount} base units of ${published.token}`;
      if (o.json)
        out(json({ id, account: who, amount: leaf.amount, index: leaf.index, transactionHash: receipt.hash, gasUsed: receipt.gasUsed, lines: share.lines }));
      else
        out(
          `claimed ${amount} for ${agentLabel(names, who)} from distribution ${id} (tx ${receipt.hash}, ${receipt.gasUsed} gas)\n${share.lines.map((l) => `  entry #${l.entryId} (${l.action}) -> "${l.bucket}"`).join("\n")}`,
        );
    });
}

export function registerDistributionObjections(program: Command): void {
  const globals = () => program.opts<GlobalOptions>();

  program
    .command("cancel-distribution <distributionId>")
    .description("as a steward: approve cancelling a distribution during its challenge window (cancelled once the threshold approves)")
    .option("--distributor <address>", "IncomeDistributor (default: COMMONS_DISTRIBUTOR or data/deployment.json)")
    .option("--keystore <file>", "steward keystore (or COMMONS_PRIVATE_KEY)")
    .action(async (idText: string, o: { distributor?: string; keystore?: string }) => {
      const id = parseUint("distributionId", idText);
      checkKeySource(o.keystore);
      const target = resolveTarget(globals());
      const distributor = resolveContract("IncomeDistributor", "--distributor", o.distributor, "COMMONS_DISTRIBUTOR");
      const provider = await connect(target);
      const published = await readPublished(provider, distributor, id, target.fromBlock);
      if (!published) throw new CliInputError("distributionId", `no distribution ${id} at ${distributor}`);
      const signer = await loadSigner(o.keystore, provider);
      const c = distributorAt(distributor, signer);
      const cancelled: boolean = await c.cancel.staticCall(id);
      await (await c.cancel(id)).wait();
      const [approvals, threshold] = (await c.approvalsOf(published.commons, await c.cancellationDigest(id))) as [bigint, bigint];
      out(
        cancelled
          ? `distribution ${id} cancelled: its total is back in the commons' unallocated income`
          : `cancellation of distribution ${id} approved by ${approvals} of the ${threshold} stewards needed; it stands until ${threshold - approvals} more approve`,
      );
    });

  program
    .command("stop-rule <commons> <percent>")
    .description("as a steward: approve the share of a distribution's total whose named contributors stop it by objecting (e.g. 50)")
    .option("--distributor <address>", "IncomeDistributor (default: COMMONS_DISTRIBUTOR or data/deployment.json)")
    .option("--keystore <file>", "steward keystore (or COMMONS_PRIVATE_KEY)")
    .action(async (commonsText: string, percentText: string, o: { distributor?: string; keystore?: string }) => {
      const commons = parseHex32("commons", commonsText);
      if (!/^\d+(\.\d{1,2})?$/.test(percentText))
        throw new CliInputError("percent", `"${percentText}" is not a percentage with at most 2 decimals (e.g. 50 or 33.33)`);
      const bps = Math.round(Number(percentText) * 100);
      if (bps < 1 || bps > 10_000) throw new CliInputError("percent", `${percentText} % is not possible: give 0.01 to 100`);
      checkKeySource(o.keystore);
      const target = resolveTarget(globals());
      const distributor = resolveContract("IncomeDistributor", "--distributor", o.distributor, "COMMONS_DISTRIBUTOR");
      const provider = await connect(target);
      const signer = await loadSigner(o.keystore, provider);
      const c = distributorAt(distributor, signer);
      const set: boolean = await c.setStopRule.staticCall(commons, bps);
      await (await c.setStopRule(commons, bps)).wait();
      if (set) return out(`from now on the contributors named for ${percentText} % of a distribution's total stop it by objecting`);
      const [approvals, threshold] = (await c.approvalsOf(commons, await c.stopRuleDigest(commons, bps))) as [bigint, bigint];
      out(
        `stop share of ${percentText} % approved by ${approvals} of the ${threshold} stewards needed; it applies when ${threshold - approvals} more approve the same share`,
      );
    });

  program
    .command("object-share <distributionId>")
    .description("as a contributor named in a distribution: object to it during its challenge window; enough objections stop it")
    .option("--evidence <hex>", "digest of your reasons (0x + 64 hex)")
    .option("--evidence-file <path>", "a file with your reasons; its keccak256 is recorded")
    .option("--equation <file>", "the equation JSON (default: the published URI)")
    .option("--distributor <address>", "IncomeDistributor (default: COMMONS_DISTRIBUTOR or data/deployment.json)")
    .option("--keystore <file>", "your key (or COMMONS_PRIVATE_KEY): the account named in the distribution")
    .action(async (idText: string, o: { evidence?: string; evidenceFile?: string; equation?: string; distributor?: string; keystore?: string }) => {
      parseUint("distributionId", idText);
      if (o.evidence !== undefined && o.evidenceFile !== undefined) throw new CliInputError("--evidence", "give --evidence or --evidence-file, not both");
      const evidence =
        o.evidenceFile !== undefined
          ? hashFile("--evidence-file", o.evidenceFile)
          : o.evidence !== undefined
            ? parseHex32("--evidence", o.evidence)
            : "0x" + "00".repeat(32);
      checkKeySource(o.keystore);
      const { id, provider, distributor, published, d } = await recomputePublished(globals(), o.distributor, idText, o.equation);
      if (d.root.toLowerCase() !== published.root.toLowerCase()) {
        throw new Error(
          `distribution ${id} does not match the chain (published root ${published.root}, recomputed ${d.root}): your leaf cannot be proven from it; ask the stewards to cancel it (commons distribute --check ${id} shows what differs)`,
        );
      }
      const signer = await loadSigner(o.keystore, provider);
      const who = await signer.getAddress();
      const leaf = proofFor(d.tree, who);
      if (!leaf)
        throw new Error(
          `${who} is not named in distribution ${id}: only the contributors it names may object (you may still challenge it, or ask the stewards to cancel it)`,
        );
      const c = distributorAt(distributor, signer);
      const stopped: boolean = await c.object.staticCall(id, leaf.index, leaf.amount, leaf.proof, evidence);
      await (await c.object(id, leaf.index, leaf.amount, leaf.proof, evidence)).wait();
      const objected: bigint = await c.objectedOf(id);
      const share = Number(await c.stopRule(published.commons)) / 100;
      const pct = (v: bigint) => `${((Number(v) * 100) / Number(published.total)).toFixed(1)} %`;
      out(
        stopped
          ? `distribution ${id} stopped: the objecting contributors hold ${pct(objected)} of it (the commons' stop share is ${share} %); its total is back in the commons' unallocated income`
          : `objection recorded: the objecting contributors now hold ${pct(objected)} of distribution ${id}; it stops at ${share} %`,
      );
    });
}

/** Like parseDuration, without the 30-day cap that applies to signatures. */
function parseDurationLong(flag: string, value: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(value);
  if (!m) throw new CliInputError(flag, `"${value}" is not a duration (e.g. 3600, 45m, 12h, 7d)`);
  const seconds = Number(m[1]) * { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "" | "s" | "m" | "h" | "d"];
  if (seconds <= 0) throw new CliInputError(flag, "must be positive");
  return seconds;
}
