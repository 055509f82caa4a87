import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import { ensureAppBuilt, serveApp } from "../scripts/lib/app-server.js";
import { fillLedger } from "../scripts/lib/bench-read-fill.js";
import { launchBrowser } from "../scripts/lib/browser.js";
import { deployWithIgnition } from "../scripts/lib/deployment.js";
import { startLocalChain } from "../scripts/lib/local-chain.js";
import { freePort } from "../scripts/lib/dev-chain.js";
const root = path.resolve(import.meta.dirname, "..");
const dataDir = mkdtempSync(path.join(tmpdir(), "commons-prof-"));
const chain = await startLocalChain({ dataDir, port: await freePort(), stateInterval: 86_400 });
const request = new FetchRequest(chain.url); request.timeout = 300_000;
const provider = new JsonRpcProvider(request, Network.from(31337), { staticNetwork: true, cacheTimeout: -1, batchMaxCount: 20 });
const fromBlock = (await provider.getBlockNumber()) + 1;
const contracts = await deployWithIgnition({ rpcUrl: chain.url, deploymentId: "prof-" + path.basename(dataDir), projectRoot: root });
await ensureAppBuilt(root, console.log);
if (process.env.NOMINIFY) { const { build } = await import("vite"); await build({ configFile: path.join(root, "app", "vite.config.ts"), logLevel: "warn", build: { minify: false } }); }
await fillLedger({ provider, ledger: contracts.Ledger, entries: 20000, agents: 300, log: () => {} });
const app = await serveApp({ root, port: 0, config: { local: { chainId: 31337, rpcUrl: chain.url, contracts, fromBlock } } });
const browser = await launchBrowser();
for (let round = 0; round < 3; round++) {
  const tab = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(tab);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
  await tab.goto(`${app.url}/#/accounts`);
  await tab.locator(`[data-testid="accounts-summary"][data-entries="20000"]`).waitFor({ timeout: 60000 });
  const ready = await tab.evaluate(() => performance.now());
  const marks = await tab.evaluate(() => performance.getEntriesByType("mark").map((m) => `${m.name.replace("commons:", "")}@${m.startTime.toFixed(0)}`).join(" "));
  const { profile } = await cdp.send("Profiler.stop");
  writeFileSync(`tmp-prof/page-${round}.cpuprofile`, JSON.stringify(profile));
  console.log("ready", ready.toFixed(0), marks);
  await tab.close();
}
await browser.close(); await app.close(); await chain.stop();
