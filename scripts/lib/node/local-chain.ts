// Runs anvil (from npm) on 127.0.0.1 with a persistent state file, and stops it so that the state
// is written (anvil dumps on SIGTERM/SIGINT; it also dumps every few seconds against hard kills).
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";

export interface LocalChainOptions {
  dataDir: string;
  port: number;
  chainId?: number;
  /** Seconds between periodic state dumps. */
  stateInterval?: number;
  /**
   * Run anvil in a process group of its own, so that a terminal's Ctrl-C (sent to the whole
   * foreground group) reaches only the parent, which then stops anvil itself, its state saved.
   */
  ownProcessGroup?: boolean;
}

export interface LocalChain {
  url: string;
  stateFile: string;
  /** Whether the state file existed before this start (a restart, not a new chain). */
  resumed: boolean;
  process: ChildProcess;
  stop(): Promise<void>;
}

function anvilBinary(): string {
  // The platform package ships the real binary; running it directly makes our PID the node's PID.
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("@foundry-rs/anvil-linux-amd64/package.json");
  const bin = path.join(path.dirname(pkg), "bin", "anvil");
  if (!existsSync(bin)) throw new Error(`anvil binary not found at ${bin}; run npm install`);
  return bin;
}

export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startLocalChain(opts: LocalChainOptions): Promise<LocalChain> {
  if (await portInUse(opts.port)) {
    throw new Error(`port ${opts.port} on 127.0.0.1 is already in use (another npm start?); stop it or set COMMONS_PORT`);
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const stateFile = path.join(opts.dataDir, "anvil-state.json");
  const resumed = existsSync(stateFile);
  const log = createWriteStream(path.join(opts.dataDir, "anvil.log"), { flags: "a" });
  const args = [
    "--host",
    "127.0.0.1",
    "--port",
    String(opts.port),
    "--chain-id",
    String(opts.chainId ?? 31337),
    "--state",
    stateFile,
    "--state-interval",
    String(opts.stateInterval ?? 5),
    "--preserve-historical-states",
  ];
  const child = spawn(anvilBinary(), args, { stdio: ["ignore", "pipe", "pipe"], detached: opts.ownProcessGroup === true });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const url = `http://127.0.0.1:${opts.port}`;
  let exited: number | null = null;
  const exitPromise = new Promise<void>((resolve) =>
    child.once("exit", (code) => {
      exited = code ?? 0;
      resolve();
    }),
  );

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== null) throw new Error(`anvil exited with code ${exited} while starting; see ${path.join(opts.dataDir, "anvil.log")}`);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
      });
      if (response.ok) break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`anvil did not answer on ${url} within 30 s; see ${path.join(opts.dataDir, "anvil.log")}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    url,
    stateFile,
    resumed,
    process: child,
    async stop() {
      if (exited !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exitPromise;
      clearTimeout(timer);
      log.end();
    },
  };
}
