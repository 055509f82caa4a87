// `npm start`: a local chain that keeps its data, the Ledger deployed once with Ignition, a demo
// commons seeded on a new chain only, and a summary of what is there. Ctrl-C stops everything and
// the chain's state is saved; the next `npm start` resumes with the same entries and head.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { JsonRpcProvider, id } from "ethers";
import { verifyChain } from "./lib/chain.js";
import { LedgerClient } from "./lib/client.js";
import { deployWithIgnition, isDeployed, readDeployment, writeDeployment } from "./lib/deployment.js";
import type { LocalDeployment } from "./lib/deployment.js";
import { startLocalChain } from "./lib/local-chain.js";
import type { LocalChain } from "./lib/local-chain.js";
import { decodeUnit, formatQuantity } from "./lib/record.js";
import { devWallet, seedDemo } from "./lib/seed.js";
import { ACTIONS, FLOWS } from "./lib/vocabulary.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = path.resolve(process.env.COMMONS_DATA_DIR ?? path.join(root, "data"));
const portText = process.env.COMMONS_PORT ?? "8545";
if (!/^\d+$/.test(portText) || Number(portText) < 1024 || Number(portText) > 65535) {
  console.error(`COMMONS_PORT must be a port number from 1024 to 65535, got "${portText}"`);
  process.exit(2);
}
const port = Number(portText);

let chain: LocalChain | undefined;
let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    if (chain) {
      console.log("\nStopping the local chain (saving its state)...");
      await chain.stop();
      console.log(`Saved to ${chain.stateFile}. Run npm start again to resume.`);
    }
  }
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

try {
  console.log(`Commons Ledger: local chain on 127.0.0.1:${port}, data in ${dataDir}`);
  chain = await startLocalChain({ dataDir, port });
  console.log(chain.resumed ? "  resumed the saved chain" : "  started a new chain");
  const provider = new JsonRpcProvider(chain.url, undefined, { staticNetwork: true, pollingInterval: 250, cacheTimeout: -1 });
  const deploymentFile = path.join(dataDir, "deployment.json");
  let deployment: LocalDeployment | undefined = readDeployment(deploymentFile);

  if (deployment && (await isDeployed(provider, deployment))) {
    console.log(`  reusing the Ledger at ${deployment.ledger}`);
  } else {
    if (deployment) console.log("  the recorded deployment is not on this chain: deploying afresh");
    const fromBlock = (await provider.getBlockNumber()) + 1;
    const deploymentId = `local-${id(dataDir).slice(2, 10)}`;
    console.log("  deploying the Ledger with Ignition...");
    const ledger = await deployWithIgnition({ rpcUrl: chain.url, deploymentId, projectRoot: root });
    const genesis = await provider.getBlock(0);
    const { chainId } = await provider.getNetwork();
    const fresh: LocalDeployment = { chainId: Number(chainId), genesisHash: genesis!.hash!, ledger, fromBlock, deploymentId };
    console.log(`  Ledger deployed at ${ledger}; seeding the demo commons...`);
    await seedDemo(provider, ledger, fromBlock);
    // Written only once seeding succeeded: an interrupted first start deploys afresh next time.
    writeDeployment(deploymentFile, fresh);
    deployment = fresh;
  }

  const client = await LedgerClient.connect(devWallet(0, provider), deployment.ledger, deployment.fromBlock);
  const events = await client.events();
  const tip = await client.tip();
  const check = verifyChain(events.entries, tip, events.checkpoints);
  console.log(`\nLedger ${deployment.ledger} on chain ${deployment.chainId}: ${tip.count} entries, head ${tip.head}`);
  console.log(`Hash chain recomputed from the events: ${check.ok ? "matches the on-chain head" : `DIVERGES at entry ${check.divergence?.id}: ${check.divergence?.reason}`}`);
  const rows = [];
  for (const e of events.entries) {
    const s = await client.state(e.id);
    rows.push({
      id: Number(e.id),
      flow: FLOWS[e.record.flow],
      action: ACTIONS[e.record.action],
      agent: e.signer,
      quantity: `${formatQuantity(e.record.quantity)} ${decodeUnit(e.record.unit)}`,
      state: s.state + (s.correctedBy ? ` by #${s.correctedBy}` : "") + (e.record.corrects ? ` (corrects #${e.record.corrects})` : ""),
      validations: `${s.accepts} accept / ${s.disputes} dispute`,
    });
  }
  console.table(rows);
  console.log(`
What to try next:
  RPC            ${chain.url} (chain id ${deployment.chainId}; anvil's dev accounts)
  Ledger         ${deployment.ledger} (events from block ${deployment.fromBlock})
  Deployment     ${deploymentFile}
  Tests          npm test
  Gas benchmark  npm run bench
  Stop           Ctrl-C (the chain is saved in ${chain.stateFile}; delete ${dataDir} to start over)

Commons Ledger is running.`);
  await new Promise<never>(() => {});
} catch (error) {
  console.error(`\nnpm start failed: ${(error as Error).message}`);
  await stop(1);
}
