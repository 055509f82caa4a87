// Where the ledger is: --rpc / COMMONS_RPC_URL, --ledger / COMMONS_LEDGER, or the local deployment
// that `npm start` recorded. Every value is checked before the first RPC call; the RPC is then
// probed once with a timeout, so an unreachable node is a one-line error, not a hang.
import path from "node:path";
import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import { revertSentence } from "../lib/core/contract-errors.js";
import { readNames } from "../lib/core/directory.js";
import type { Names } from "../lib/core/directory.js";
import { contractAddress, readDeployment } from "../lib/node/deployment.js";
import { CliInputError, parseAddress, parseUint, parseUrl } from "./inputs.js";

export interface GlobalOptions {
  rpc?: string;
  ledger?: string;
  fromBlock?: string;
  chainId?: string;
  timeout?: string;
}

export interface Target {
  rpc: string;
  ledger: string;
  /** The indexer npm start recorded for this same ledger, if any (the CLI's --indexer without a URL). */
  indexerUrl?: string;
  fromBlock: number;
  /** Expected chain id, if the user named one. */
  chainId?: bigint;
  timeoutMs: number;
}

export function resolveTarget(g: GlobalOptions): Target {
  // The deployment npm start wrote (data/deployment.json) gives what the flags and environment do not.
  const file = path.join(process.env.COMMONS_DATA_DIR ?? path.resolve("data"), "deployment.json");
  let recorded: ReturnType<typeof readDeployment> | null = null;
  const deployment = () => (recorded ??= readDeployment(file) ?? undefined);
  // (An empty environment variable counts as unset.)
  const envLedger = process.env.COMMONS_LEDGER || undefined;
  const rpcText = g.rpc ?? (process.env.COMMONS_RPC_URL || undefined) ?? ((g.ledger ?? envLedger) ? undefined : deployment()?.rpcUrl);
  const rpc = parseUrl("--rpc", rpcText ?? "http://127.0.0.1:8545");
  const chainId = g.chainId !== undefined ? parseUint("--chain-id", g.chainId) : undefined;
  if (chainId === 0n) throw new CliInputError("--chain-id", "must be positive");
  const timeoutMs = g.timeout !== undefined ? Number(parseUint("--timeout", g.timeout, 3_600_000n)) : 30_000;
  let ledger = g.ledger ?? envLedger;
  let fromBlock = g.fromBlock !== undefined ? Number(parseUint("--from-block", g.fromBlock, BigInt(Number.MAX_SAFE_INTEGER))) : undefined;
  if (ledger === undefined) {
    const d = deployment();
    if (!d) throw new CliInputError("--ledger", `no ledger address: pass --ledger, set COMMONS_LEDGER, or run npm start (which writes ${file})`);
    ledger = d.ledger;
    fromBlock ??= d.fromBlock;
  }
  const address = parseAddress("--ledger", ledger);
  // Only a deployment of this very ledger names its indexer (a broken file then names none: the flags decided the rest).
  let recordedIndexer: string | undefined;
  try {
    recordedIndexer = deployment()?.ledger === address ? deployment()?.indexerUrl : undefined;
  } catch {
    recordedIndexer = undefined;
  }
  return { rpc, ledger: address, fromBlock: fromBlock ?? 0, chainId, timeoutMs, indexerUrl: recordedIndexer };
}

/**
 * The indexer `--indexer` names: its URL, or (the flag alone) the one npm start recorded for the
 * same ledger.
 */
export function resolveIndexer(given: string | true, target: Target): string {
  if (given !== true) return parseUrl("--indexer", given).replace(/\/+$/, "");
  if (target.indexerUrl === undefined)
    throw new CliInputError("--indexer", "no indexer is recorded for this ledger: give its URL (--indexer http://…), or run npm start, which runs one");
  return target.indexerUrl;
}

/**
 * The address of a contract deployed beside the Ledger (e.g. "ReciprocityRegistry"): the flag's
 * value, else the environment variable, else the one `npm start` recorded in data/deployment.json.
 */
export function resolveContract(name: string, flag: string, given: string | undefined, envVar: string): string {
  const value = given ?? process.env[envVar];
  if (value !== undefined) return parseAddress(flag, value);
  const file = path.join(process.env.COMMONS_DATA_DIR ?? path.resolve("data"), "deployment.json");
  const d = readDeployment(file);
  if (!d) throw new CliInputError(flag, `no ${name} address: pass ${flag}, set ${envVar}, or run npm start (which writes ${file})`);
  try {
    return contractAddress(d, name, file);
  } catch (error) {
    throw new CliInputError(flag, `${(error as Error).message}; or pass ${flag} / set ${envVar}`);
  }
}

/**
 * The Directory of names beside `target`'s Ledger: the flag or COMMONS_DIRECTORY, else the one
 * `npm start` recorded for the same Ledger; undefined when there is none (names are then not shown,
 * and nothing else changes).
 */
export function optionalDirectory(target: Target, given?: string): string | undefined {
  const value = given ?? (process.env.COMMONS_DIRECTORY || undefined);
  if (value !== undefined) return parseAddress("--directory", value);
  return contractsBeside(target).Directory;
}

/**
 * The names to show for `target`'s ledger: its Directory's profiles and commons names (the one
 * `optionalDirectory` finds, or `directory` when the caller resolved it before any RPC call) over
 * the commons' registration names in `ledgerEvents`.
 */
export function namesBeside(
  provider: JsonRpcProvider,
  target: Target,
  ledgerEvents: Parameters<typeof readNames>[2],
  directory: string | undefined = optionalDirectory(target),
): Promise<Names> {
  return readNames(provider, directory, ledgerEvents, { fromBlock: target.fromBlock });
}

/** The contracts `npm start` deployed beside `target`'s Ledger, by name (none when the deployment is another ledger's). */
export function contractsBeside(target: Target): Record<string, string> {
  const d = readDeployment(path.join(process.env.COMMONS_DATA_DIR ?? path.resolve("data"), "deployment.json"));
  return d && d.ledger.toLowerCase() === target.ledger.toLowerCase() ? d.contracts : {};
}

/** Connects, checking the node answers and is on the expected chain. */
export async function connect(t: Target): Promise<JsonRpcProvider> {
  let chainId: bigint;
  try {
    const res = await fetch(t.rpc, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(Math.min(t.timeoutMs, 15_000)),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = (await res.json()) as { result?: string; error?: { message?: string } };
    if (typeof body.result !== "string") throw new Error(body.error?.message ?? "no result");
    chainId = BigInt(body.result);
  } catch (error) {
    throw new Error(`cannot reach the RPC at ${t.rpc}: ${(error as Error).message}`, { cause: error });
  }
  if (t.chainId !== undefined && t.chainId !== chainId) {
    throw new Error(`the RPC at ${t.rpc} is on chain ${chainId}, not ${t.chainId} (--chain-id)`);
  }
  const request = new FetchRequest(t.rpc);
  request.timeout = t.timeoutMs;
  const provider = new JsonRpcProvider(request, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1, batchMaxCount: 20 });
  if ((await provider.getCode(t.ledger)) === "0x") throw new Error(`there is no contract at ${t.ledger} on chain ${chainId}`);
  return provider;
}

/**
 * Sends a contract transaction and waits for it: a refusal the node finds when it estimates gas is
 * said as the contract's sentence ("the registry refused: …"), a transaction that fails when mined
 * says so. The one way the CLI sends to the contracts beside the Ledger.
 */
export async function sendToContract(
  contractWord: string,
  send: () => Promise<ContractTransactionResponse>,
): Promise<{ hash: string; receipt: ContractTransactionReceipt }> {
  let tx: ContractTransactionResponse;
  try {
    tx = await send();
  } catch (error) {
    // No `cause`: main would find the revert in it and print the bare sentence without "the … refused".
    const sentence = revertSentence(error);
    // eslint-disable-next-line preserve-caught-error -- the sentence is the whole message (see above)
    if (sentence) throw new Error(`the ${contractWord} refused: ${sentence}`);
    throw error;
  }
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new Error(`transaction ${tx.hash} failed`);
  return { hash: tx.hash, receipt };
}
