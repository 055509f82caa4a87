// A throwaway local chain for the relayer benchmark: anvil (as `npm start` runs it) on a free port
// in a temporary folder, with the Ledger deployed through Ignition. The same steps as
// test/helpers/local-ledger.ts, without depending on the test folder.
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { JsonRpcProvider, Network } from "ethers";
import { deployWithIgnition } from "./deployment.js";
import { startLocalChain } from "./local-chain.js";

const root = path.resolve(import.meta.dirname, "..", "..");

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

export interface BenchLedger {
  rpc: string;
  ledger: string;
  fromBlock: number;
  dataDir: string;
  provider: JsonRpcProvider;
  stop(): Promise<void>;
}

export async function startBenchLedger(): Promise<BenchLedger> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "commons-bench-relayer-"));
  const chain = await startLocalChain({ dataDir, port: await freePort() });
  const provider = new JsonRpcProvider(chain.url, Network.from(31337), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
  const fromBlock = (await provider.getBlockNumber()) + 1;
  const deploymentId = `bench-relayer-${path.basename(dataDir)}`;
  const { Ledger: ledger } = await deployWithIgnition({ rpcUrl: chain.url, deploymentId, projectRoot: root });
  return {
    rpc: chain.url,
    ledger,
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
}
