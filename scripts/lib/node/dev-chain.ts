// A throwaway local chain with everything deployed: anvil (as `npm start` runs it) on a free port
// in a temporary folder, CommonsModule deployed through Ignition. Tests and benchmarks start one
// each; stop() removes the chain's folder and the Ignition journal.
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { HDNodeWallet, JsonRpcProvider, Mnemonic, Network } from "ethers";
import type { Provider } from "ethers";
import { DEV_MNEMONIC } from "../core/dev-chain-keys.js";
import { deployWithIgnition } from "./deployment.js";
import { startLocalChain } from "./local-chain.js";
import type { LocalChain } from "./local-chain.js";

const root = path.resolve(import.meta.dirname, "..", "..", "..");

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface DevLedger {
  chain: LocalChain;
  rpc: string;
  /** The Ledger's address (also contracts.Ledger). */
  ledger: string;
  /** Every contract of CommonsModule by name (Ledger included). */
  contracts: Record<string, string>;
  /** First block with the deployment's events. */
  fromBlock: number;
  dataDir: string;
  provider: JsonRpcProvider;
  stop(): Promise<void>;
}

export interface DevLedgerOptions {
  /** Prefix of the temporary folder and the Ignition deployment id. */
  name: string;
  /**
   * Seconds between anvil's state dumps (default 5, as npm start). With thousands of blocks and
   * historical states a dump stalls the node for seconds: heavy tests and benchmarks set a day.
   */
  stateInterval?: number;
}

export async function startDevLedger(o: DevLedgerOptions): Promise<DevLedger> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `commons-${o.name}-`));
  const chain = await startLocalChain({ dataDir, port: await freePort(), ...(o.stateInterval !== undefined ? { stateInterval: o.stateInterval } : {}) });
  const deploymentId = `${o.name}-${path.basename(dataDir)}`;
  const provider = new JsonRpcProvider(chain.url, Network.from(31337), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
  try {
    const fromBlock = (await provider.getBlockNumber()) + 1;
    const contracts = await deployWithIgnition({ rpcUrl: chain.url, deploymentId, projectRoot: root });
    return {
      chain,
      rpc: chain.url,
      ledger: contracts.Ledger,
      contracts,
      fromBlock,
      dataDir,
      provider,
      async stop() {
        provider.destroy();
        await chain.stop();
        rmSync(dataDir, { recursive: true, force: true });
        rmSync(path.join(root, "scripts", "ignition", "deployments", deploymentId), { recursive: true, force: true });
      },
    };
  } catch (error) {
    provider.destroy();
    await chain.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** The dev account at `index` (BIP-44 path m/44'/60'/0'/0/index, as anvil derives it), connected to `provider`. */
export function devWallet(index: number, provider: Provider): HDNodeWallet {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), `m/44'/60'/0'/0/${index}`).connect(provider);
}
