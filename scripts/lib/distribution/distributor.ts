// Off-chain side of the IncomeDistributor: its ABI, computing a distribution from the chain
// (ledger events -> derived entry states -> value equation -> shares -> Merkle root, with the
// ledger head recomputed at the cutoff), publishing it, and reading a published one back.
import { Contract, getAddress } from "ethers";
import type { ContractRunner, Provider, Signer } from "ethers";
import { readLedger } from "../core/reader.js";
import type { Entry, LedgerEvents, ReadOptions } from "../core/reader.js";
import { GENESIS_HEAD, verifyChain } from "../core/chain.js";
import { computeDistribution, deriveEntriesAt, equationHash, parseValueEquation, shareTree, ValueEquationError } from "./value-equation.js";
import type { DistributionResult } from "./value-equation.js";
import { DISTRIBUTOR_ABI } from "../core/distributor-abi.js";

export { DISTRIBUTOR_ABI };

const ERC20_ABI = ["function approve(address spender, uint256 amount) returns (bool)", "function decimals() view returns (uint8)"];

export const distributorAt = (address: string, runner: ContractRunner) => new Contract(address, DISTRIBUTOR_ABI, runner);
export const erc20At = (address: string, runner: ContractRunner) => new Contract(address, ERC20_ABI, runner);

export interface ComputedDistribution extends DistributionResult {
  commons: string;
  cutoff: bigint;
  head: string;
  equationHash: string;
  root: string;
  tree: ReturnType<typeof shareTree>;
}

/** Entry count recorded in blocks up to `block` (for a "block:N" cutoff). */
export function cutoffAtBlock(events: LedgerEvents, block: number): bigint {
  let n = 0n;
  for (const e of events.entries) if (e.blockNumber <= block) n = e.id;
  return n;
}

/** Applies an equation (the parsed JSON document) to events already read. */
export function computeFromEvents(
  equationJson: unknown,
  events: LedgerEvents,
  o: { income: bigint; cutoff: bigint; commons: string; since?: bigint },
): ComputedDistribution {
  const eq = parseValueEquation(equationJson);
  const head = headAt(events.entries, o.cutoff);
  const result = computeDistribution(eq, deriveEntriesAt(events, o.cutoff), o);
  const tree = shareTree(result.shares.length ? result.shares : []);
  return {
    ...result,
    commons: o.commons.toLowerCase(),
    cutoff: o.cutoff,
    head,
    equationHash: equationHash(equationJson),
    root: result.shares.length ? tree.root : "0x" + "00".repeat(32),
    tree,
  };
}

// The pure part (computeDistribution, deriveEntriesAt, ...) lives in value-equation.ts, which the app
// also runs in the browser.
export { deriveEntriesAt };

/** The ledger head after entry `cutoff`, recomputed from the events (entries 1..cutoff in order). */
export function headAt(entries: readonly Entry[], cutoff: bigint): string {
  if (cutoff > BigInt(entries.length)) throw new ValueEquationError(`cutoff ${cutoff} is beyond the ledger's ${entries.length} entries`);
  // The tip given is only a placeholder: what matters is that every entry up to the cutoff is there.
  const check = verifyChain(entries.slice(0, Number(cutoff)), { count: cutoff, head: GENESIS_HEAD });
  if (check.count !== cutoff) throw new ValueEquationError(`the events are missing entries: ${check.divergence?.reason}`);
  return check.head;
}

export async function readEvents(provider: Provider, ledger: string, opts: ReadOptions = {}): Promise<LedgerEvents> {
  return readLedger(provider, ledger, opts);
}

export interface PublishParams {
  commons: string;
  token: string;
  root: string;
  total: bigint;
  income: bigint;
  leafCount: bigint;
  equationHash: string;
  ledgerHead: string;
  cutoff: bigint;
  challengeWindow: bigint;
  claimPeriod: bigint;
  equationURI: string;
}

/** The fields a publication's events carry (DistributionPublished, PublicationProposed), as read. */
type PublishedFields = Omit<PublishParams, "challengeWindow" | "claimPeriod">;

export interface Published extends PublishedFields {
  id: bigint;
  claimsOpenAt: bigint;
  expiresAt: bigint;
  blockNumber: number;
}

/** A publication's fields from an event's decoded arguments (addresses checksummed, hashes lowercased). */
function publishedFields(a: Record<string, unknown>): PublishedFields {
  return {
    commons: String(a.commons).toLowerCase(),
    token: getAddress(String(a.token)),
    root: String(a.root),
    total: BigInt(a.total as bigint),
    income: BigInt(a.income as bigint),
    leafCount: BigInt(a.leafCount as bigint),
    equationHash: String(a.equationHash),
    ledgerHead: String(a.ledgerHead).toLowerCase(),
    cutoff: BigInt(a.cutoff as bigint),
    equationURI: String(a.equationURI),
  };
}

/** A published distribution, from its DistributionPublished event. */
export async function readPublished(provider: Provider, distributor: string, id: bigint, fromBlock = 0): Promise<Published | undefined> {
  const c = distributorAt(distributor, provider);
  const logs = await c.queryFilter(c.filters.DistributionPublished(id), fromBlock);
  const log = logs[0];
  if (!log || !("args" in log)) return undefined;
  const a = log.args;
  return { id, ...publishedFields(a.toObject()), claimsOpenAt: a.claimsOpenAt, expiresAt: a.expiresAt, blockNumber: log.blockNumber };
}

/** The parameters that publish a computed distribution. */
export function publishParams(d: ComputedDistribution, o: { token: string; challengeWindow: bigint; claimPeriod: bigint; equationURI: string }): PublishParams {
  return {
    commons: d.commons,
    token: o.token,
    root: d.root,
    total: d.total,
    income: d.income,
    leafCount: BigInt(d.shares.length),
    equationHash: d.equationHash,
    ledgerHead: d.head,
    cutoff: d.cutoff,
    challengeWindow: o.challengeWindow,
    claimPeriod: o.claimPeriod,
    equationURI: o.equationURI,
  };
}

/** Credits `amount` of `token` (the zero address: ETH) to the commons' unallocated income. */
export async function deposit(signer: Signer, distributor: string, commons: string, token: string, amount: bigint): Promise<void> {
  const c = distributorAt(distributor, signer);
  if (token === "0x0000000000000000000000000000000000000000") {
    await (await c.depositETH(commons, { value: amount })).wait();
  } else {
    await (await erc20At(token, signer).approve(distributor, amount)).wait();
    await (await c.depositToken(commons, token, amount)).wait();
  }
}

export interface Approval {
  /** The distribution id once the approvals reached the threshold, else 0. */
  id: bigint;
  digest: string;
  approvals: bigint;
  threshold: bigint;
}

/** One steward's approval of publishing exactly `params`; publishes when it reaches the threshold. */
export async function approvePublication(signer: Signer, distributor: string, params: PublishParams): Promise<Approval> {
  const c = distributorAt(distributor, signer);
  const digest: string = await c.publicationDigest(params);
  const id: bigint = await c.publish.staticCall(params);
  await (await c.publish(params)).wait();
  const [approvals, threshold] = (await c.approvalsOf(params.commons, digest)) as [bigint, bigint];
  return { id, digest, approvals: id !== 0n ? threshold : approvals, threshold };
}

/** Deposits the income and approves publishing the distribution (publishes it with threshold 1). */
export async function depositAndPublish(
  signer: Signer,
  distributor: string,
  d: ComputedDistribution,
  o: { token: string; challengeWindow: bigint; claimPeriod: bigint; equationURI: string },
): Promise<Approval> {
  await deposit(signer, distributor, d.commons, o.token, d.income);
  return approvePublication(signer, distributor, publishParams(d, o));
}

/** A publication some steward proposed (its first approval), by its digest. */
export async function readProposedPublication(
  provider: Provider,
  distributor: string,
  digest: string,
  fromBlock = 0,
): Promise<{ params: PublishParams; steward: string; blockNumber: number } | undefined> {
  const c = distributorAt(distributor, provider);
  const logs = await c.queryFilter(c.filters.PublicationProposed(digest), fromBlock);
  const log = logs.at(-1);
  if (!log || !("args" in log)) return undefined;
  const p = log.args.params;
  return {
    params: { ...publishedFields(p.toObject()), challengeWindow: p.challengeWindow, claimPeriod: p.claimPeriod },
    steward: getAddress(String(log.args.steward)),
    blockNumber: log.blockNumber,
  };
}
