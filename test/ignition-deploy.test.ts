// The README's live-network deploy, run as written: the `npx hardhat ignition deploy` line of its
// "Deploying" block (the whole system from CommonsModule with scripts/ignition/parameters/live.json)
// against a throwaway anvil that plays the live network (LEDGER_RPC_URL and LEDGER_DEPLOYER_KEY
// from the environment, as Hardhat's configVariable reads them). Then the three contracts must be
// there and wired: the registry and the distributor read that Ledger, with the parameters' window.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Contract, JsonRpcProvider, Network } from "ethers";
import { freePort } from "../scripts/lib/node/dev-chain.js";
import { startLocalChain } from "../scripts/lib/node/local-chain.js";
import type { LocalChain } from "../scripts/lib/node/local-chain.js";

const root = path.resolve(import.meta.dirname, "..");
const bin = path.join(root, "node_modules", ".bin");
/** anvil's first public development key: the deployer on the throwaway chain. */
const DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const DEPLOYMENTS = path.join(root, "scripts", "ignition", "deployments", "chain-31337");

/** The README's `npx hardhat ignition deploy ...` command (continuation lines joined). */
export function documentedDeployCommand(readme: string): string {
  const blocks = [...readme.matchAll(/```sh guide=deploy\n([\s\S]*?)```/g)].map((m) => m[1]);
  const lines = blocks
    .join("\n")
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim());
  const deploy = lines.filter((l) => l.startsWith("npx hardhat ignition deploy "));
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
    chain = await startLocalChain({ dataDir, port: await freePort() });
  });
  after(async () => {
    await chain?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    rmSync(DEPLOYMENTS, { recursive: true, force: true });
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
    const provider = new JsonRpcProvider(chain.url, Network.from(31337), { staticNetwork: true });
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
});
