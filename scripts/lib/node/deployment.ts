// Where the local Ledger lives, and whether a recorded deployment is still there: a restart of
// the persistent chain reuses it; a new chain (or a wiped state file) gets a fresh deployment.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { getAddress } from "ethers";
import type { Provider } from "ethers";
import lockfile from "proper-lockfile";
import { HEX_ADDRESS } from "../core/address.js";
import { chainInstanceHash } from "../core/chain-instance.js";

export interface LocalDeployment {
  chainId: number;
  /**
   * Hash of the chain's first block, which identifies the chain instance (a new anvil chain has
   * another): `chainInstanceHash`, block 1's parent, which a restart from the state file keeps.
   */
  genesisHash: string;
  ledger: string;
  /** Every deployed contract by its contract name (Ledger, ReciprocityRegistry, ...). */
  contracts: Record<string, string>;
  /** First block to scan for the ledger's events. */
  fromBlock: number;
  deploymentId: string;
  /** Where the chain answers: npm start records it at every start (whatever COMMONS_PORT), for the CLI. */
  rpcUrl?: string;
  /** Where the indexer answers: npm start records it once the indexer is ready, for the CLI's --indexer. */
  indexerUrl?: string;
}

export function readDeployment(file: string): LocalDeployment | undefined {
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message}); delete it to deploy afresh`, { cause: error });
  }
  const d = json as Partial<LocalDeployment>;
  if (
    typeof d.chainId !== "number" ||
    typeof d.genesisHash !== "string" ||
    typeof d.ledger !== "string" ||
    typeof d.fromBlock !== "number" ||
    typeof d.deploymentId !== "string"
  ) {
    throw new Error(`${file} does not describe a deployment (chainId, genesisHash, ledger, fromBlock, deploymentId); delete it to deploy afresh`);
  }
  const contracts: Record<string, string> = {};
  if (d.contracts !== undefined) {
    if (typeof d.contracts !== "object" || d.contracts === null)
      throw new Error(`${file}: contracts must be an object of contract name -> address; delete it to deploy afresh`);
    for (const [name, address] of Object.entries(d.contracts)) {
      if (typeof address !== "string" || !HEX_ADDRESS.test(address))
        throw new Error(`${file}: contracts.${name} is not an address; delete it to deploy afresh`);
      contracts[name] = getAddress(address);
    }
  }
  if (d.rpcUrl !== undefined && (typeof d.rpcUrl !== "string" || !/^https?:\/\/\S+$/.test(d.rpcUrl)))
    throw new Error(`${file}: rpcUrl is not an http(s) URL; delete it to deploy afresh`);
  if (d.indexerUrl !== undefined && (typeof d.indexerUrl !== "string" || !/^https?:\/\/\S+$/.test(d.indexerUrl)))
    throw new Error(`${file}: indexerUrl is not an http(s) URL; delete it to deploy afresh`);
  contracts.Ledger = getAddress(d.ledger);
  return { ...d, ledger: getAddress(d.ledger), contracts } as LocalDeployment;
}

export function writeDeployment(file: string, d: LocalDeployment): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(d, null, 2) + "\n");
}

/** True if the recorded deployment is on this very chain and its code is there. */
export async function isDeployed(provider: Provider, d: LocalDeployment): Promise<boolean> {
  const { chainId } = await provider.getNetwork();
  if (Number(chainId) !== d.chainId) return false;
  if ((await chainInstanceHash(provider)) !== d.genesisHash) return false;
  for (const address of new Set([d.ledger, ...Object.values(d.contracts ?? {})])) if ((await provider.getCode(address)) === "0x") return false;
  return true;
}

/** The address of a deployed contract by name, or a clear error naming the deployment file. */
export function contractAddress(d: LocalDeployment, name: string, file = "the deployment"): string {
  const address = d.contracts[name];
  if (!address) throw new Error(`${file} records no ${name}; delete it and run npm start to deploy afresh`);
  return address;
}

/**
 * Waits (up to about 5 minutes) until no other process deploys from `projectRoot`, then holds the
 * deploy lock (cache/ignition-deploy.lock) until the returned release is called. A lock whose
 * holder died is taken over after 30 s.
 */
export async function lockDeploys(projectRoot: string): Promise<() => Promise<void>> {
  const cache = path.join(projectRoot, "cache");
  mkdirSync(cache, { recursive: true });
  return lockfile.lock(cache, {
    lockfilePath: path.join(cache, "ignition-deploy.lock"),
    retries: { retries: 600, minTimeout: 100, maxTimeout: 500 },
    stale: 30_000,
  });
}

/**
 * Deploys CommonsModule with Ignition (a child `hardhat ignition deploy`) and returns every
 * contract's address by contract name (`Ledger` always among them).
 */
export async function deployWithIgnition(opts: { rpcUrl: string; deploymentId: string; projectRoot: string }): Promise<Record<string, string>> {
  const hardhat = path.join(opts.projectRoot, "node_modules", ".bin", "hardhat");
  const args = [
    // The default profile shares the compile cache with `hardhat test` and `hardhat build`
    // (`ignition deploy` otherwise builds the production profile, file by file, from scratch).
    "--build-profile",
    "default",
    "--network",
    "local",
    "ignition",
    "deploy",
    "scripts/ignition/modules/Commons.ts",
    "--deployment-id",
    opts.deploymentId,
    "--reset",
  ];
  const env = {
    ...process.env,
    PATH: `${path.join(opts.projectRoot, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
    COMMONS_RPC_URL: opts.rpcUrl,
    HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "1",
    HARDHAT_IGNITION_CONFIRM_RESET: "1",
  };
  // One deploy at a time per project: every `ignition deploy` builds first and rewrites Hardhat's
  // compile cache (cache/compile-cache.json through a temporary file), and two at once (npm start
  // beside a benchmark, or test files run side by side) fail on each other's rename.
  const release = await lockDeploys(opts.projectRoot);
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(hardhat, args, { cwd: opts.projectRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (out += b));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`hardhat ignition deploy failed (exit ${code}):\n${out}`))));
  }).finally(() => release());
  const addresses = path.join(opts.projectRoot, "scripts", "ignition", "deployments", opts.deploymentId, "deployed_addresses.json");
  if (!existsSync(addresses)) throw new Error(`Ignition wrote no ${addresses}:\n${output}`);
  const json = JSON.parse(readFileSync(addresses, "utf8")) as Record<string, string>;
  const contracts: Record<string, string> = {};
  // Keys are "<Module>#<Contract>"; contract names are unique across our modules.
  for (const [key, address] of Object.entries(json)) contracts[key.slice(key.indexOf("#") + 1)] = getAddress(address);
  if (!contracts.Ledger) throw new Error(`${addresses} has no Ledger`);
  return contracts;
}
