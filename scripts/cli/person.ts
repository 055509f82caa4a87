// `commons person <name|address>`: one agent as its peers see it, as the app's Person page shows it:
// its published name, its contributions per month and unit, the validations it gave and received,
// the commons it acts in and its roles, the shares of income it earned and claimed, and the
// licences it holds with their status now.
import type { Command } from "commander";
import { ZeroAddress } from "ethers";
import type { JsonRpcProvider } from "ethers";
import { roundAmount } from "../lib/core/amount.js";
import type { Names } from "../lib/core/directory.js";
import { deriveCommons } from "../lib/core/governance.js";
import { indexedAccountDays, indexedActivity, indexedTallies, IndexerError } from "../lib/core/indexer-client.js";
import { personDiffersFromChain } from "../lib/core/indexer-spot-check.js";
import { personOverview, personOverviewOf } from "../lib/core/overview.js";
import type { PersonOverview } from "../lib/core/overview.js";
import { readLedger } from "../lib/core/reader.js";
import { formatQuantity } from "../lib/core/record.js";
import { deriveEntries } from "../lib/core/views.js";
import { distributorAt } from "../lib/distribution/distributor.js";
import { readRegistry, readStatus, registryContract } from "../lib/reciprocity/reciprocity.js";
import { connect, contractsBeside, namesBeside, resolveTarget } from "./context.js";
import type { GlobalOptions, Target } from "./context.js";
import { recomputePublished } from "./distribute.js";
import { governanceFromChain, indexerFor, orChain } from "./read.js";
import type { Through } from "./read.js";
import { json, out, table } from "./format.js";
import { CliInputError, parseAgent } from "./inputs.js";
import { dateOnly } from "../lib/core/time.js";

/** One agent's overview, the names to show it with, and where it was read. */
interface Found {
  address: string;
  p: PersonOverview;
  names: Names;
  /** Through the indexer: the spot check's verdict on the person's figures. */
  checked?: "same" | "unchecked";
}

/** From the whole ledger read from the chain. */
async function fromChain(provider: JsonRpcProvider, target: Target, who: string): Promise<Found> {
  const events = await readLedger(provider, target.ledger, { fromBlock: target.fromBlock });
  const names = await namesBeside(provider, target, events);
  const address = parseAgent("who", names, who);
  const now = BigInt((await provider.getBlock("latest"))!.timestamp);
  return { address, p: personOverview(deriveEntries(events), events, address, now), names };
}

/**
 * Through the indexer: the person's tallies, days and activity as it keeps them, who decides in each
 * commons from the Ledger's governance events read from the chain (few, whatever the ledger's size:
 * roles never rest on the indexer's word), and the person's figures spot-checked against the chain
 * as the app's Person page does (core/indexer-spot-check.ts). Undefined, after saying why on stderr,
 * when they differ or the indexer fails a read (`orChain`): the caller then reads the chain.
 */
async function throughIndexer(through: Through, provider: JsonRpcProvider, target: Target, who: string): Promise<Found | undefined> {
  const address = parseAgent("who", through.names, who);
  const governance = await governanceFromChain(provider, target);
  const commons = deriveCommons(governance.events, governance.now);
  return orChain(through, async () => {
    const [tallies, days, activity, problem] = await Promise.all([
      indexedTallies(through.url, { agent: address }),
      indexedAccountDays(through.url, { agent: address }),
      indexedActivity(through.url, address),
      personDiffersFromChain(through.url, provider, target.ledger, address, {
        fromBlock: target.fromBlock,
        count: through.count,
        commonsName: (id) => through.names.commons(id),
        people: through.names,
      }),
    ]);
    if (problem !== undefined && problem !== "unchecked") throw new IndexerError(problem);
    return { address, p: personOverviewOf(address, commons, tallies, days, activity), names: through.names, checked: problem ?? ("same" as const) };
  });
}

export function registerPerson(program: Command): void {
  program
    .command("person <who>")
    .description("one person or organisation: name, contributions per month, validations given and received, commons and roles, shares, licences")
    .option("--json", "JSON output")
    .option(
      "--indexer [url]",
      "read the person's figures through an indexer (its head checked against the Ledger's tip, the figures against the chain); without a URL, the one npm start runs",
    )
    .action(async (who: string, o: { json?: boolean; indexer?: string | true }) => {
      if (who.trim() === "") throw new CliInputError("who", "give a name or an address");
      const g = program.opts<GlobalOptions>();
      const target = resolveTarget(g);
      const provider = await connect(target);
      const through = await indexerFor(g, o);
      const { address, p, names, checked } = (through && (await throughIndexer(through, provider, target, who))) ?? (await fromChain(provider, target, who));
      const contracts = contractsBeside(target);

      // Shares: every published distribution recomputed (where its equation can be found), and what was claimed.
      const shares: { id: bigint; amount?: bigint; claimed: bigint; note?: string }[] = [];
      const distributor = process.env.COMMONS_DISTRIBUTOR || contracts.IncomeDistributor;
      if (distributor) {
        const c = distributorAt(distributor, provider);
        const published = await c.queryFilter(c.filters.DistributionPublished(), target.fromBlock);
        const claims = await c.queryFilter(c.filters.Claimed(null, null, address), target.fromBlock);
        for (const log of published) {
          if (!("args" in log) || log.args.token !== ZeroAddress) continue;
          const id = log.args.id as bigint;
          const claimed = claims.filter((x) => "args" in x && x.args.id === id).reduce((s, x) => s + ("args" in x ? (x.args.amount as bigint) : 0n), 0n);
          try {
            const { d } = await recomputePublished(g, distributor, String(id), undefined);
            const share = d.shares.find((s) => s.account.toLowerCase() === address.toLowerCase());
            if (share || claimed > 0n) shares.push({ id, amount: share?.amount ?? 0n, claimed });
          } catch (error) {
            if (!(error instanceof CliInputError)) throw error;
            shares.push({ id, claimed, note: `not recomputed here (${error.message}); commons share ${id} --account ${address} --equation FILE` });
          }
        }
      }

      // Licences: every work this agent has a record on, with its status now.
      const licences: { work: bigint; status: string; attested: boolean }[] = [];
      const registryAddress = process.env.COMMONS_REGISTRY || contracts.ReciprocityRegistry;
      if (registryAddress) {
        const reg = await readRegistry(provider, registryAddress, { fromBlock: target.fromBlock });
        const works = [...new Set(reg.records.filter((r) => r.licensee.toLowerCase() === address.toLowerCase()).map((r) => r.work))];
        const contract = registryContract(registryAddress, provider);
        for (const work of works) {
          const s = await readStatus(contract, address, work);
          licences.push({ work, status: s.status, attested: s.attested });
        }
      }

      const name = names.agent(address);
      if (o.json) return out(json({ ...p, name: name ?? null, shares, licences, ...(through ? { source: checked ? "indexer" : "chain" } : {}) }));
      const lines = [
        name ? `${name.name} (${name.kind})  ${address}` : `${address} (no published name)`,
        ...(name && name.sharedWith > 0 ? [`warning: ${name.sharedWith} other agent(s) also use the name "${name.name}": tell them apart by address`] : []),
        "",
        `entries signed  ${p.entries} (${p.states.accepted} accepted, ${p.states.claimed} claimed, ${p.states.disputed} disputed, ${p.states.corrected} corrected)${p.first !== undefined ? `, ${dateOnly(p.first)} to ${dateOnly(p.last!)}` : ""}`,
        `contributions   ${p.contributionTotals.map((t) => `${formatQuantity(t.claimed)} ${t.unit} claimed, ${formatQuantity(t.accepted)} ${t.unit} accepted`).join("; ") || "none"}`,
        `flows, intents  ${p.flows} supply-chain flows; ${p.intents} needs, offers and commitments`,
        `validations     gave ${p.given.accepts} accepts and ${p.given.disputes} disputes (${p.given.endorsements} endorsements counted nowhere); received ${p.received.accepts} accepts and ${p.received.disputes} disputes from ${p.received.validators} validator(s)`,
        "",
        "contributions per month:",
        p.contributions.length
          ? table(
              p.contributions.map((r) => ({
                month: r.group,
                unit: r.unit,
                entries: r.entries,
                claimed: formatQuantity(r.claimed),
                accepted: formatQuantity(r.accepted),
              })),
            )
          : "(none)",
        "",
        "commons:",
        ...(p.commons.length
          ? p.commons.map(
              (c) =>
                `  ${names.commons(c.id) ?? c.name} (${c.id.slice(0, 10)}…): ${c.entries} entries${c.steward ? "; steward" : ""}${c.validates.length ? `; validates ${c.validates.length > 10 ? "every action" : c.validates.join(", ")}` : ""}`,
            )
          : ["  (none)"]),
        "",
        "shares of income:",
        ...(shares.length
          ? shares.map((s) =>
              s.note
                ? `  distribution ${s.id}: ${s.note}${s.claimed ? `; ${roundAmount(s.claimed, 18)} ETH claimed` : ""}`
                : `  distribution ${s.id}: ${roundAmount(s.amount!, 18)} ETH earned, ${s.claimed > 0n ? `${roundAmount(s.claimed, 18)} ETH claimed` : "not claimed yet"}`,
            )
          : ["  (none)"]),
        "",
        "licences:",
        ...(licences.length ? licences.map((l) => `  work ${l.work}: ${l.status}${l.attested ? ", attested" : ""}`) : ["  (none)"]),
        ...(checked === "same" ? ["", `read through the indexer at ${through!.url}; these figures checked against the chain: the same`] : []),
        ...(checked === "unchecked"
          ? ["", `read through the indexer at ${through!.url}; these figures not checked against the chain (more entries than a spot check reads)`]
          : []),
      ];
      out(lines.join("\n"));
    });
}
