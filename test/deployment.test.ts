// deployWithIgnition (scripts/lib/node/deployment.ts): the whole system deployed with Ignition by a
// child `hardhat ignition deploy`, one at a time per project. Every deploy builds first and rewrites
// Hardhat's compile cache; two at once (npm start beside a benchmark, test files run side by side)
// used to fail on each other's rename of cache/compile-cache.json.tmp.
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { JsonRpcProvider } from "ethers";
import { deployWithIgnition, lockDeploys } from "../scripts/lib/node/deployment.js";
import { freePort } from "../scripts/lib/node/dev-chain.js";
import { startLocalChain } from "../scripts/lib/node/local-chain.js";
import type { LocalChain } from "../scripts/lib/node/local-chain.js";
import { root } from "./helpers/local-ledger.js";

describe("deployWithIgnition", function () {
  this.timeout(180_000);
  const chains: LocalChain[] = [];
  const dirs: string[] = [];
  const ids: string[] = [];

  after(async () => {
    for (const chain of chains) await chain.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    for (const id of ids) rmSync(path.join(root, "scripts", "ignition", "deployments", id), { recursive: true, force: true });
  });

  describe("while another process deploys from the same project (holds the deploy lock)", () => {
    it("waits for it to finish, then deploys", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "commons-deploy-"));
      dirs.push(dir);
      const chain = await startLocalChain({ dataDir: dir, port: await freePort() });
      chains.push(chain);
      const id = `test-waits-${path.basename(dir)}`;
      ids.push(id);
      const release = await lockDeploys(root);
      let done = false;
      let deploying: Promise<Record<string, string>>;
      try {
        deploying = deployWithIgnition({ rpcUrl: chain.url, deploymentId: id, projectRoot: root }).finally(() => (done = true));
        // (A deploy alone takes about 5 s here: 10 s is long enough for one that did not wait to have sent its transactions.)
        await new Promise((r) => setTimeout(r, 10_000));
        expect(done, "deployed while the lock was held").to.equal(false);
        const provider = new JsonRpcProvider(chain.url, undefined, { staticNetwork: true });
        expect(await provider.getTransactionCount("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), "transactions sent while the lock was held").to.equal(0);
        provider.destroy();
      } finally {
        await release();
      }
      expect(Object.keys(await deploying!)).to.include("Ledger");
    });
  });

  describe("when three deploys run at once (three chains, one project)", () => {
    it("deploys the whole system on each chain: every contract has code", async () => {
      for (let i = 0; i < 3; i++) {
        const dir = mkdtempSync(path.join(tmpdir(), "commons-deploy-"));
        dirs.push(dir);
        chains.push(await startLocalChain({ dataDir: dir, port: await freePort() }));
        ids.push(`test-concurrent-${path.basename(dir)}`);
      }
      const deployed = await Promise.all(chains.map((chain, i) => deployWithIgnition({ rpcUrl: chain.url, deploymentId: ids[i]!, projectRoot: root })));
      for (const [i, contracts] of deployed.entries()) {
        expect(Object.keys(contracts).sort()).to.deep.equal(["Directory", "IncomeDistributor", "Ledger", "ReciprocityRegistry"]);
        const provider = new JsonRpcProvider(chains[i]!.url, undefined, { staticNetwork: true });
        for (const [name, address] of Object.entries(contracts)) expect(await provider.getCode(address), `${name} on chain ${i}`).to.not.equal("0x");
        provider.destroy();
      }
    });
  });
});
