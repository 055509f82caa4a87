// The README's live-network deploy, run as written: the `npx hardhat ignition deploy` line of its
// "Deploying" block (the whole system from CommonsModule with scripts/ignition/parameters/live.json)
// against a throwaway anvil with another chain id (4242) that plays the live network (LEDGER_RPC_URL
// and LEDGER_DEPLOYER_KEY from the environment, as Hardhat's configVariable reads them). Then the
// contracts must be there and wired: the registry and the distributor read that Ledger, with the
// parameters' window. Then the relayer and the indexer run against it as the README says, and a
// claim sent through the relayer is read back through the indexer.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { Contract, id, JsonRpcProvider, Network, Wallet } from "ethers";
import { LEDGER_ABI } from "../scripts/lib/core/abi.js";
import { freePort } from "../scripts/lib/node/dev-chain.js";
import { startLocalChain } from "../scripts/lib/node/local-chain.js";
import { launchBrowser } from "../scripts/lib/node/browser.js";
import type { LocalChain } from "../scripts/lib/node/local-chain.js";

const root = path.resolve(import.meta.dirname, "..");
const bin = path.join(root, "node_modules", ".bin");
/** anvil's first public development key: the deployer on the throwaway chain. */
const DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/** The chain id of the stand-in for a live network (not the local chain's 31337). */
const LIVE_CHAIN_ID = 4242;
const DEPLOYMENTS = path.join(root, "scripts", "ignition", "deployments", `chain-${LIVE_CHAIN_ID}`);

/** The commands of the README's `sh guide=<guide>` blocks (continuation lines joined, comments dropped). */
export function documentedCommands(readme: string, guide: string): string[] {
  const blocks = [...readme.matchAll(new RegExp("```sh guide=" + guide + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);
  return blocks
    .join("\n")
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter((l) => l !== "");
}

/** The README's `npx hardhat ignition deploy ...` command. */
export function documentedDeployCommand(readme: string): string {
  const deploy = documentedCommands(readme, "deploy").filter((l) => l.startsWith("npx hardhat ignition deploy "));
  if (deploy.length !== 1) throw new Error(`README.md: expected one "npx hardhat ignition deploy" line in the guide=deploy block, found ${deploy.length}`);
  return deploy[0];
}

function run(command: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", command], { cwd: root, env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, ...env } });
    let out = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (out += b));
    child.once("exit", (code) => resolve({ code, out }));
  });
}

describe("README: deploying the whole system with Ignition", function () {
  this.timeout(240_000);
  let chain: LocalChain;
  let dataDir: string;

  before(async () => {
    rmSync(DEPLOYMENTS, { recursive: true, force: true });
    dataDir = mkdtempSync(path.join(tmpdir(), "commons-ignition-"));
    chain = await startLocalChain({ dataDir, port: await freePort(), chainId: LIVE_CHAIN_ID });
  });
  after(async () => {
    await chain?.stop();
    // (PGlite may still be closing its files a moment after the indexer's process exits.)
    if (dataDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 300 });
    rmSync(DEPLOYMENTS, { recursive: true, force: true });
    // The app built for the stand-in chain, and its addresses in the app's generated contracts (written again without them).
    rmSync(path.join(root, "app", "dist-live"), { recursive: true, force: true });
    await run("tsx scripts/export-contracts.ts", {});
  });

  it("deploys the Ledger, the ReciprocityRegistry and the IncomeDistributor, wired to that Ledger", async () => {
    const documented = documentedDeployCommand(readFileSync(path.join(root, "README.md"), "utf8"));
    expect(documented).to.include("scripts/ignition/modules/Commons.ts");
    expect(documented).to.include("--network live");
    // The one addition: the default build profile, whose compiler settings are the production
    // profile's (hardhat.config.ts), so the test reuses the compile cache of `hardhat build`.
    const command = documented.replace(/^npx hardhat /, "npx hardhat --build-profile default ");
    const r = await run(command, { LEDGER_RPC_URL: chain.url, LEDGER_DEPLOYER_KEY: DEV_KEY, HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "1" });
    expect(r.code, r.out).to.equal(0);

    const addresses = JSON.parse(readFileSync(path.join(DEPLOYMENTS, "deployed_addresses.json"), "utf8")) as Record<string, string>;
    const ledger = addresses["LedgerModule#Ledger"];
    const registry = addresses["ReciprocityRegistryModule#ReciprocityRegistry"];
    const distributor = addresses["IncomeDistributorModule#IncomeDistributor"];
    const provider = new JsonRpcProvider(chain.url, Network.from(LIVE_CHAIN_ID), { staticNetwork: true });
    try {
      for (const a of [ledger, registry, distributor]) expect(await provider.getCode(a), a).to.not.equal("0x");
      const abi = ["function ledger() view returns (address)", "function minChallengeWindow() view returns (uint256)"];
      expect(await new Contract(registry, abi, provider).ledger()).to.equal(ledger);
      expect(await new Contract(distributor, abi, provider).ledger()).to.equal(ledger);
      const parameters = JSON.parse(readFileSync(path.join(root, "scripts", "ignition", "parameters", "live.json"), "utf8")) as {
        IncomeDistributorModule: { minChallengeWindow: number };
      };
      expect(await new Contract(distributor, abi, provider).minChallengeWindow()).to.equal(BigInt(parameters.IncomeDistributorModule.minChallengeWindow));
      expect(parameters.IncomeDistributorModule.minChallengeWindow).to.equal(259_200);
    } finally {
      provider.destroy();
    }
  });

  it("runs the relayer, the indexer and the app built for that chain as the README says: a relayed claim shows through the indexer", async function () {
    this.timeout(600_000);
    const readme = readFileSync(path.join(root, "README.md"), "utf8");
    const addresses = JSON.parse(readFileSync(path.join(DEPLOYMENTS, "deployed_addresses.json"), "utf8")) as Record<string, string>;
    const ledger = addresses["LedgerModule#Ledger"]!;
    const registry = addresses["ReciprocityRegistryModule#ReciprocityRegistry"]!;
    const distributor = addresses["IncomeDistributorModule#IncomeDistributor"]!;
    const provider = new JsonRpcProvider(chain.url, Network.from(LIVE_CHAIN_ID), { staticNetwork: true });
    const founder = new Wallet(DEV_KEY, provider);
    const salt = id("live network stand-in");
    const commons = (await new Contract(ledger, LEDGER_ABI, founder).registerCommons.staticCall(salt, "Live stand-in")) as string;
    await (await new Contract(ledger, LEDGER_ABI, founder).registerCommons(salt, "Live stand-in")).wait();
    provider.destroy();
    // The README's live guide, as written: the relayer, the indexer, the app's build and a static server for it.
    const [relayerCommand, indexerCommand, buildCommand, previewCommand, ...rest] = documentedCommands(readme, "live");
    expect(rest).to.deep.equal([]);
    expect(relayerCommand).to.equal("npm run relayer -- --rpc <url> --ledger <address> --keystore <file>");
    expect(indexerCommand).to.equal("npm run indexer -- --rpc <url> --ledger <address> --registry <registry> --distributor <distributor> --from-block <block>");
    expect(buildCommand).to.match(/^VITE_CHAIN_ID=<id> .* npm run build:app -- --outDir dist-live$/);
    expect(previewCommand).to.equal("npx vite preview --config app/vite.config.ts --outDir dist-live --port 8790");
    const [relayerPort, indexerPort, appPort] = [await freePort(), await freePort(), await freePort()];
    const relayerUrl = `http://127.0.0.1:${relayerPort}`;
    const indexerUrl = `http://127.0.0.1:${indexerPort}`;
    const fill = (c: string) =>
      c
        .replaceAll("<url>", chain.url)
        .replaceAll("<address>", ledger)
        .replaceAll("<registry>", registry)
        .replaceAll("<distributor>", distributor)
        .replaceAll("<block>", "1")
        .replaceAll("<id>", String(LIVE_CHAIN_ID))
        .replaceAll("<name>", "Live stand-in (4242)")
        .replaceAll("<relayer url>", relayerUrl)
        .replaceAll("<indexer url>", indexerUrl);
    const env = { COMMONS_DATA_DIR: dataDir, COMMONS_LEDGER: "", COMMONS_RPC_URL: "" };
    const relayer = daemon(
      `${fill(relayerCommand!).replace(" --keystore <file>", "")} --port ${relayerPort}`,
      { ...env, COMMONS_RELAYER_KEY: DEV_KEY },
      /relayer: (http:\/\/\S+)/,
    );
    const indexer = daemon(`${fill(indexerCommand!)} --port ${indexerPort}`, env, /indexer: at entry 0, head 0x0{48}/);
    let preview: ReturnType<typeof daemon> | undefined;
    try {
      await Promise.all([relayer.ready, indexer.ready]);
      const claimant = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
      const cli = (args: string) =>
        run(`node scripts/commons.mjs ${args}`, {
          COMMONS_RPC_URL: chain.url,
          COMMONS_LEDGER: ledger,
          COMMONS_PRIVATE_KEY: claimant,
          COMMONS_DATA_DIR: dataDir,
        });
      const file = path.join(dataDir, "claim.json");
      const signed = await cli(`claim --action work --commons ${commons} --quantity 2.5 --unit h --out ${file}`);
      expect(signed.code, signed.out).to.equal(0);
      const relayed = await cli(`submit ${file} --relayer ${relayerUrl} --wait`);
      expect(relayed.code, relayed.out).to.equal(0);
      const chainList = await cli("list");
      let indexed = await cli(`list --indexer ${indexerUrl}`);
      for (let tries = 0; indexed.out !== chainList.out && tries < 20; tries++) indexed = await cli(`list --indexer ${indexerUrl}`);
      expect(indexed.code, indexed.out).to.equal(0);
      expect(indexed.out).to.equal(chainList.out);
      expect(indexed.out).to.match(/ 1 +event +work +0x7099…79C8 +2\.5 +h /);
      const head = (await (await fetch(`${indexerUrl}/head`)).json()) as { count: string };
      expect(head.count).to.equal("1");
      // It reads the registry beside the Ledger too (for `commons status --indexer`): none of its works yet.
      expect(await (await fetch(`${indexerUrl}/reciprocity/head`)).json()).to.deep.include({ registry, works: "0", records: "0" });
      expect(await (await fetch(`${indexerUrl}/distributions`)).json()).to.deep.equal([]);

      // The app built for that chain, served as static files, reads the claim through the indexer.
      const built = await run(fill(buildCommand!), {});
      expect(built.code, built.out).to.equal(0);
      preview = daemon(fill(previewCommand!).replace("--port 8790", `--port ${appPort} --strictPort`), {}, /Local:\s+(http:\/\/\S+)/);
      const appUrl = (await preview.ready).replace(/\/$/, "");
      const browser = await launchBrowser();
      try {
        const page = await browser.context.newPage();
        await page.goto(`${appUrl}/#/accounts`);
        await page.locator('[data-testid="accounts-summary"][data-source="indexer"][data-entries="1"]').waitFor({ timeout: 60_000 });
        expect(await page.getByTestId("source").innerText()).to.include(
          `✓ Read through the indexer at ${indexerUrl}: its 1 entries chain to the Ledger's head`,
        );
        expect(await page.locator("header").innerText()).to.include("Live stand-in (4242)");
        expect(await page.getByTestId("accounts-table").locator("tbody tr").first().innerText()).to.match(/0x7099…79C8\s+h\s+1\s+2\.5\s+0\s+0/);
        await page.goto(`${appUrl}/#/entries`);
        await page.locator('[data-testid="entries-pager"][data-first="1"][data-last="1"]').waitFor({ timeout: 30_000 });
      } finally {
        await browser.close();
      }
    } finally {
      await Promise.all([relayer.stop(), indexer.stop(), preview?.stop()]);
    }
  });
});

/** A long-running command (relayer, indexer): ready with the first match of `ready` in its output. */
function daemon(command: string, env: Record<string, string>, ready: RegExp): { ready: Promise<string>; stop(): Promise<void> } {
  const child = spawn("bash", ["-c", `exec ${command}`], {
    cwd: root,
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, ...env },
    detached: true,
  });
  let out = "";
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return {
    ready: new Promise((resolve, reject) => {
      const check = () => {
        // Colours are stripped: a CI machine may force them (FORCE_COLOR), and vite then colours the URL's port.
        const m = ready.exec(stripVTControlCharacters(out));
        if (m) resolve(m[1] ?? m[0]);
      };
      child.stdout.on("data", (b) => ((out += b), check()));
      child.stderr.on("data", (b) => ((out += b), check()));
      child.once("exit", (code) => reject(new Error(`${command} exited (${code}):\n${out}`)));
      setTimeout(() => reject(new Error(`${command} was not ready within 180 s:\n${out}`)), 180_000).unref();
    }),
    async stop() {
      if (child.exitCode !== null) return;
      process.kill(-child.pid!, "SIGTERM");
      await exited;
    },
  };
}
