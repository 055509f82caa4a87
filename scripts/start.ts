// `npm start`: a local chain that keeps its data, the Ledger deployed once with Ignition, a demo
// commons seeded on a new chain only, and a summary of what is there. Ctrl-C stops everything and
// the chain's state is saved; the next `npm start` resumes with the same entries and head.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { JsonRpcProvider, id } from "ethers";
import { startApp } from "./lib/node/app-server.js";
import type { AppServer } from "./lib/node/app-server.js";
import { verifyChain } from "./lib/core/chain.js";
import { chainInstanceHash } from "./lib/core/chain-instance.js";
import { LedgerClient } from "./lib/core/client.js";
import { deployWithIgnition, isDeployed, readDeployment, writeDeployment } from "./lib/node/deployment.js";
import type { LocalDeployment } from "./lib/node/deployment.js";
import { startLocalChain } from "./lib/node/local-chain.js";
import { startIndexer } from "./lib/node/indexer.js";
import { ProcessRecord, stopLeftovers } from "./lib/node/leftovers.js";
import type { Indexer } from "./lib/node/indexer.js";
import type { LocalChain } from "./lib/node/local-chain.js";
import { formatQuantity } from "./lib/core/record.js";
import { agentLabel, readNames } from "./lib/core/directory.js";
import { deriveEntries } from "./lib/core/views.js";
import { table } from "./cli/format.js";
import { devWallet } from "./lib/node/dev-chain.js";
import { DEMO_PEOPLE } from "./demo/seed.js";
import { seedAll } from "./demo/seed-all.js";
import { DEMO_EQUATION } from "./demo/seed-distribution.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = path.resolve(process.env.COMMONS_DATA_DIR ?? path.join(root, "data"));
const portText = process.env.COMMONS_PORT ?? "8545";
if (!/^\d+$/.test(portText) || Number(portText) < 1024 || Number(portText) > 65535) {
  console.error(`COMMONS_PORT must be a port number from 1024 to 65535, got "${portText}"`);
  process.exit(2);
}
const port = Number(portText);

let chain: LocalChain | undefined;
let relayer: ChildProcess | undefined;
let indexer: Indexer | undefined;
/** The indexer's process from its spawn on: a Ctrl-C while it starts stops it too. */
let indexerChild: ChildProcess | undefined;
let app: AppServer | undefined;
let stopping = false;
/** The children, in the data folder while they run: a start after this one was killed stops them (lib/node/leftovers.ts). */
const processesFile = path.join(dataDir, "processes.json");
const processes = new ProcessRecord(processesFile);
/**
 * Stops everything in order and exits: the app, the relayer (its queue is on disk), then the chain
 * with its state saved. Each step is said as it happens; a second Ctrl-C while stopping is answered,
 * not obeyed (exiting then would lose the chain's last blocks and orphan anvil).
 */
async function stop(code: number): Promise<void> {
  if (stopping) {
    console.log("Still stopping: saving the chain's state, a few seconds more...");
    return;
  }
  stopping = true;
  console.log("\nStopping Commons Ledger...");
  if (app) {
    await app.close();
    console.log("  app stopped");
  }
  if (relayer && relayer.exitCode === null) {
    const exited = new Promise((r) => relayer!.once("exit", r));
    relayer.kill("SIGTERM");
    await exited;
    console.log("  relayer stopped (its queue is kept in the data folder)");
  }
  if (indexer) {
    await indexer.stop();
    console.log(`  indexer stopped (its database is kept ${process.env.DATABASE_URL ? "in the PostgreSQL server of DATABASE_URL" : "in the data folder"})`);
  } else if (indexerChild && indexerChild.exitCode === null) {
    const exited = new Promise((r) => indexerChild!.once("exit", r));
    indexerChild.kill("SIGTERM");
    await exited;
    console.log("  indexer stopped while it was starting");
  }
  if (chain) {
    console.log("  stopping the local chain (saving its state)...");
    await chain.stop();
    console.log(`Saved to ${chain.stateFile}. Run npm start again to resume.`);
  }
  processes.clear();
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
// The terminal closed (its window, or an ssh session that ended): SIGHUP, whose default would end
// this process at once and leave the chain, the relayer and the indexer (in groups of their own)
// running, holding their ports, the chain's last blocks unsaved. Stop them as for Ctrl-C; the
// terminal is gone, so writing to it may fail, which must not stop the stopping.
process.on("SIGHUP", () => {
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
  void stop(0);
});

try {
  console.log(`Commons Ledger: local chain on 127.0.0.1:${port}, data in ${dataDir}`);
  // anvil and the relayer run in process groups of their own: Ctrl-C reaches this process alone,
  // which stops the app, the relayer and the chain in order, saving the chain's state.
  const leftovers = await stopLeftovers(processesFile);
  if (leftovers.length)
    console.log(`  stopped what an earlier npm start left running when it was killed: ${leftovers.map((p) => `the ${p.name} (PID ${p.pid})`).join(", ")}`);
  chain = await startLocalChain({ dataDir, port, ownProcessGroup: true });
  processes.add("chain", chain.process.pid);
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
    const contracts = await deployWithIgnition({ rpcUrl: chain.url, deploymentId, projectRoot: root });
    const ledger = contracts.Ledger;
    const { chainId } = await provider.getNetwork();
    const fresh: LocalDeployment = { chainId: Number(chainId), genesisHash: await chainInstanceHash(provider), ledger, contracts, fromBlock, deploymentId };
    console.log(`  Ledger deployed at ${ledger}; seeding the demo commons...`);
    await seedAll(provider, contracts, fromBlock, { labelsFile: path.join(dataDir, "labels.json"), equationsDir: path.join(dataDir, "equations") });
    // Written only once seeding succeeded: an interrupted first start deploys afresh next time.
    writeDeployment(deploymentFile, fresh);
    deployment = fresh;
  }

  // The CLI in another terminal finds this chain from here, whatever port it runs on.
  if (deployment.rpcUrl !== chain.url) writeDeployment(deploymentFile, (deployment = { ...deployment, rpcUrl: chain.url }));

  // The indexer (Ponder, embedded PGlite; PostgreSQL when DATABASE_URL is set) starts alongside the
  // relayer and the app: its database is kept per deployment, so a new chain starts a new index.
  const indexerPort = Number(process.env.COMMONS_INDEXER_PORT ?? port + 244);
  const indexerStart = startIndexer({
    rpcUrl: chain.url,
    chainId: deployment.chainId,
    ledger: deployment.ledger,
    registry: deployment.contracts.ReciprocityRegistry,
    distributor: deployment.contracts.IncomeDistributor,
    fromBlock: deployment.fromBlock,
    port: indexerPort,
    dataDir: path.join(dataDir, "indexer", `${deployment.chainId}-${deployment.ledger.slice(2, 10).toLowerCase()}-${deployment.genesisHash.slice(2, 10)}`),
    ownProcessGroup: true,
    onSpawn: (child) => {
      indexerChild = child;
      processes.add("indexer", child.pid);
    },
  }).then((i) => (indexer = i));
  indexerStart.catch(() => {}); // awaited below; a failure is reported there

  // The gasless path: the relayer pays with anvil's first dev account.
  const relayerPortText = process.env.COMMONS_RELAYER_PORT ?? String(port + 242);
  const relayerUrl = await startRelayerChild(chain.url, deployment, relayerPortText);
  // The browser app, built only when app/ changed; it learns the addresses from /config.json.
  // The demo's names for the dev accounts and its value equation reach the app at runtime (the
  // app imports nothing from scripts/demo).
  app = await startApp({
    root,
    port: Number(process.env.COMMONS_APP_PORT ?? port + 243),
    rpcUrl: chain.url,
    relayerUrl,
    indexerUrl: `http://127.0.0.1:${indexerPort}`,
    deployment,
    labelsFile: path.join(dataDir, "labels.json"),
    equationFiles: [path.join(root, DEMO_EQUATION)],
    equationsDir: path.join(dataDir, "equations"),
    devKeyNames: DEMO_PEOPLE,
    log: console.log,
  });

  await indexerStart;
  // The CLI's --indexer finds it from here.
  if (deployment.indexerUrl !== indexer!.url) writeDeployment(deploymentFile, (deployment = { ...deployment, indexerUrl: indexer!.url }));
  const client = await LedgerClient.connect(devWallet(0, provider), deployment.ledger, deployment.fromBlock);
  const events = await client.events();
  const tip = await client.tip();
  const check = verifyChain(events.entries, tip, events.checkpoints);
  console.log(`\nLedger ${deployment.ledger} on chain ${deployment.chainId}: ${tip.count} entries, head ${tip.head}`);
  console.log(
    `Hash chain recomputed from the events: ${check.ok ? "matches the on-chain head" : `DIVERGES at entry ${check.divergence?.id}: ${check.divergence?.reason}`}`,
  );
  // The ledger as `commons list` shows it: each agent by name (the Directory's), each state as derived from the events.
  const names = await readNames(provider, deployment.contracts?.Directory, events, { fromBlock: deployment.fromBlock });
  const rows = deriveEntries(events).map((v) => ({
    id: String(v.id),
    flow: v.flow,
    action: v.action,
    agent: agentLabel(names, v.agent),
    quantity: `${formatQuantity(v.entry.record.quantity)} ${v.unit}`,
    state: v.state + (v.correctedBy ? ` by #${v.correctedBy}` : "") + (v.entry.record.corrects ? ` (corrects #${v.entry.record.corrects})` : ""),
    validations: `${v.accepts} accept / ${v.disputes} dispute`,
  }));
  console.log(`\n${table(rows)}`);
  console.log(`
What to try next:
  App            ${app.url}
  Ledger index   ${app.url}/ledger-index.json (the app starts from it and checks it against the chain)
  RPC            ${chain.url} (chain id ${deployment.chainId}; anvil's dev accounts)
  Indexer        ${indexer!.url} (entries and the head it reached: /entries, /head; SQL over HTTP /sql; GraphQL /graphql)
  Relayer        ${relayerUrl} (gasless: POST signed records to /records; log in ${path.join(dataDir, "relayer.log")})
  CLI            npx commons list | accounts | verify | claim --help   (reads ${deploymentFile})
  Supply chain   npx commons trace "open sensor kit #1" --verify | needs | plan --recipes scripts/demo/recipes.json
  Ledger         ${deployment.ledger} (events from block ${deployment.fromBlock})
  Deployment     ${deploymentFile}
  Tests          npm test
  Gas benchmark  npm run bench
  Income share   npx commons share 1 --account <address> | claim-share 1 --account <address> | distribute --check 1
  Stop           Ctrl-C (the chain is saved in ${chain.stateFile}; delete ${dataDir} to start over)

Commons Ledger is running.`);
  await new Promise<never>(() => {});
} catch (error) {
  console.error(`\nnpm start failed: ${(error as Error).message}`);
  await stop(1);
}

async function startRelayerChild(rpc: string, d: LocalDeployment, relayerPort: string): Promise<string> {
  const log = createWriteStream(path.join(dataDir, "relayer.log"), { flags: "a" });
  const bin = path.join(root, "node_modules", ".bin");
  const args = [
    path.join(root, "scripts", "relayer.ts"),
    "--dev",
    "--port",
    relayerPort,
    "--rpc",
    rpc,
    "--ledger",
    d.ledger,
    "--from-block",
    String(d.fromBlock),
    "--db",
    path.join(dataDir, "relayer.sqlite"),
    "--registry",
    d.contracts.ReciprocityRegistry,
    "--directory",
    d.contracts.Directory,
  ];
  const child = spawn(path.join(bin, "tsx"), args, {
    cwd: root,
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  relayer = child;
  processes.add("relayer", child.pid);
  let out = "";
  child.stdout!.on("data", (b) => {
    out += b;
    log.write(b);
  });
  child.stderr!.on("data", (b) => {
    out += b;
    log.write(b);
  });
  const until = Date.now() + 60_000;
  while (!/relayer: (http:\/\/\S+)/.test(out)) {
    if (child.exitCode !== null) throw new Error(`the relayer exited (${child.exitCode}): ${out.trim().split("\n").at(-1)}`);
    if (Date.now() > until) throw new Error("the relayer did not start within 60 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  return /relayer: (http:\/\/\S+)/.exec(out)![1];
}
