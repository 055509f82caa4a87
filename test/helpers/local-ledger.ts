// A real local chain for end-to-end tests (scripts/lib/node/dev-chain.ts), plus helpers to run the CLI and the relayer as processes.
import { spawn } from "node:child_process";
import path from "node:path";
import { registerKitCommons, spawnRelayer } from "../../scripts/lib/kit/relayer.js";
import type { RelayerChild } from "../../scripts/lib/kit/relayer.js";
import { freePort, startDevLedger } from "../../scripts/lib/node/dev-chain.js";
import type { DevLedger } from "../../scripts/lib/node/dev-chain.js";
import { startRelayer } from "../../scripts/lib/relayer/service.js";
import type { Relayer, RelayerOptions } from "../../scripts/lib/relayer/service.js";
import { devWallet } from "../../scripts/demo/seed.js";
import type { Wallet } from "ethers";

export { freePort };

export const root = path.resolve(import.meta.dirname, "..", "..");
const bin = path.join(root, "node_modules", ".bin");

export type LocalLedger = DevLedger;

/** A fresh anvil with CommonsModule deployed, as npm start has it, and the relayer kit's commons registered. */
export async function startLocalLedger(): Promise<LocalLedger> {
  const l = await startDevLedger({ name: "e2e" });
  await registerKitCommons(l.provider, l.ledger);
  return l;
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

export type RelayerProcess = RelayerChild;

/**
 * A relayer in this test process on `l`, paying from dev account `payer` (on `o.provider` if
 * given), its queue in `dbFile`: any free port, a partial batch sent after 100 ms, no log lines.
 * `o` overrides any option.
 */
export function startTestRelayer(l: LocalLedger, payer: number, dbFile: string, o: Partial<RelayerOptions> = {}): Promise<Relayer> {
  const provider = o.provider ?? l.provider;
  return startRelayer({
    provider,
    wallet: devWallet(payer, provider) as unknown as Wallet,
    ledger: l.ledger,
    fromBlock: l.fromBlock,
    dbFile,
    port: 0,
    waitMs: 100,
    log: () => {},
    ...o,
  });
}

/**
 * Starts `scripts/relayer.ts` as its own single process (node with tsx's loader), so that tests can
 * kill -9 the relayer itself; resolves once it listens.
 */
export async function startRelayerProcess(l: LocalLedger, db: string, extra: readonly string[] = [], port?: number): Promise<RelayerProcess> {
  return spawnRelayer({ rpc: l.rpc, ledger: l.ledger, fromBlock: l.fromBlock, db, port: port ?? (await freePort()), args: extra });
}
