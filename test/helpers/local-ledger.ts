// A real local chain for end-to-end tests: anvil (as `npm start` runs it) on a free port with
// the Ledger deployed through Ignition, plus helpers to run the CLI and the relayer as processes.
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { JsonRpcProvider, Network } from "ethers";
import { deployWithIgnition } from "../../scripts/lib/deployment.js";
import { startLocalChain } from "../../scripts/lib/local-chain.js";
import type { LocalChain } from "../../scripts/lib/local-chain.js";

export const root = path.resolve(import.meta.dirname, "..", "..");
const bin = path.join(root, "node_modules", ".bin");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface LocalLedger {
  chain: LocalChain;
  rpc: string;
  ledger: string;
  /** Every contract of CommonsModule by name (Ledger included). */
  contracts: Record<string, string>;
  fromBlock: number;
  dataDir: string;
  provider: JsonRpcProvider;
  stop(): Promise<void>;
}

export async function startLocalLedger(): Promise<LocalLedger> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "commons-e2e-"));
  const chain = await startLocalChain({ dataDir, port: await freePort() });
  const provider = new JsonRpcProvider(chain.url, Network.from(31337), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
  const fromBlock = (await provider.getBlockNumber()) + 1;
  const contracts = await deployWithIgnition({ rpcUrl: chain.url, deploymentId: `local-test-${path.basename(dataDir)}`, projectRoot: root });
  const ledger = contracts.Ledger;
  return {
    chain,
    rpc: chain.url,
    ledger,
    contracts,
    fromBlock,
    dataDir,
    provider,
    async stop() {
      provider.destroy();
      await chain.stop();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(path.join(root, "scripts", "ignition", "deployments", `local-test-${path.basename(dataDir)}`), { recursive: true, force: true });
    },
  };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `commons <args>` as a user would, with the given environment additions. */
export function runCli(args: readonly string[], env: Record<string, string> = {}, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(path.join(bin, "node"), [path.join(root, "scripts", "commons.mjs"), ...args], {
      cwd: root,
      env: { ...process.env, COMMONS_RPC_URL: "", COMMONS_LEDGER: "", COMMONS_PRIVATE_KEY: "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b) => (stdout += b));
    child.stderr.on("data", (b) => (stderr += b));
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RelayerProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output(): string;
  exited: Promise<number | null>;
}

/** Starts `scripts/relayer.ts` as its own process (so tests can kill -9 it). */
export async function startRelayerProcess(l: LocalLedger, db: string, extra: readonly string[] = [], port?: number): Promise<RelayerProcess> {
  const p = port ?? (await freePort());
  const child = spawn(path.join(bin, "tsx"), [path.join(root, "scripts", "relayer.ts"), "--dev", "--port", String(p), "--db", db, "--rpc", l.rpc, "--ledger", l.ledger, "--from-block", String(l.fromBlock), ...extra], {
    cwd: root,
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
  });
  let out = "";
  child.stdout.on("data", (b) => (out += b));
  child.stderr.on("data", (b) => (out += b));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const until = Date.now() + 60_000;
  while (!out.includes("relayer: http://")) {
    if (child.exitCode !== null) throw new Error(`the relayer exited (${child.exitCode}):\n${out}`);
    if (Date.now() > until) throw new Error(`the relayer did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url: `http://127.0.0.1:${p}`, output: () => out, exited };
}
