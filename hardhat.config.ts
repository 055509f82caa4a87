import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import hardhatToolboxMochaEthersPlugin from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";
import type { HardhatPlugin } from "hardhat/types/plugins";

const require = createRequire(import.meta.url);
// Hardhat cannot download compilers here: use the pinned solc from npm (see package.json).
// runs 200 (not 1,000 or 10,000): EIP-170 limits runtime code to 24,576 bytes. Before the counterparty's
// answers the Ledger was 24,536 bytes at 1,000 runs and 22,700 at 200; at 10,000 an earlier, smaller version
// was already 25,748. The price, measured by `npm run bench:gas`: a record costs 48,141 gas at 200 runs
// (48,263 with the answers' code), 48,052 at 1,000 and 47,932 at 10,000 (+0.7 % in all). Since an entry's first
// four validations share one field (two loops, not unrolled pairs) the Ledger is 22,478 bytes at 200 runs.
const settings = { optimizer: { enabled: true, runs: 200 }, evmVersion: "prague" };
const solc = { version: "0.8.30", path: require.resolve("solc/soljson.js"), settings: { ...settings, viaIR: true } };
// EAS pins 0.8.29; it is compiled only so that `npm run bench` can compare against it.
const solcForEas = { version: "0.8.29", path: require.resolve("solc-0.8.29/soljson.js"), settings };

// The Solidity tests compile without via-IR, all in one solc run: 40 s here, against 350 s with via-IR
// (the contracts alone take 40 s). They import only the contracts' interfaces and deploy the contracts
// from their artifacts (test/utils/Deployments.sol), so they exercise the bytecode that is deployed.
const solcForTests = { version: "0.8.30", path: solc.path, settings };
const testOverrides = Object.fromEntries(
  readdirSync(path.join(import.meta.dirname, "test"), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".sol"))
    .map((file) => [`test/${file}`, solcForTests]),
);
// Hardhat puts files in one solc run when their compiler configurations are the same object, but it
// resolves each override into an object of its own: without this plugin each test file would be a run
// of its own, parsing forge-std again (about 10 s each, 220 s in all).
const testsCompiledTogether: HardhatPlugin = {
  id: "commons:tests-compiled-together",
  hookHandlers: {
    config: async () => ({
      default: async () => ({
        resolveUserConfig: async (userConfig, resolveConfigurationVariable, next) => {
          const config = await next(userConfig, resolveConfigurationVariable);
          for (const profile of Object.values(config.solidity.profiles)) {
            const sameSettings = new Map<string, (typeof profile.overrides)[string]>();
            for (const [file, compiler] of Object.entries(profile.overrides)) {
              const key = JSON.stringify(compiler);
              profile.overrides[file] = sameSettings.get(key) ?? compiler;
              sameSettings.set(key, profile.overrides[file]);
            }
          }
          return config;
        },
      }),
    }),
  },
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthersPlugin, testsCompiledTogether],
  solidity: {
    profiles: {
      default: { compilers: [solc, solcForEas], overrides: testOverrides },
      production: { compilers: [solc, solcForEas] },
    },
    npmFilesToBuild: [
      "@ethereum-attestation-service/eas-contracts/contracts/EAS.sol",
      "@ethereum-attestation-service/eas-contracts/contracts/SchemaRegistry.sol",
    ],
  },
  paths: { ignition: "scripts/ignition" },
  test: {
    solidity: { fuzz: { runs: 1000 } },
    mocha: { timeout: 120_000 },
  },
  networks: {
    // The local chain started by `npm start` (anvil with a persistent state file). Its URL is set
    // by the start script (another port in tests); it is a local dev chain, so a default is fine.
    local: { type: "http", chainType: "l1", url: process.env.COMMONS_RPC_URL ?? "http://127.0.0.1:8545" },
    // Any real EVM network: set the variables with `npx hardhat keystore set LEDGER_RPC_URL` etc.
    live: {
      type: "http",
      chainType: "l1",
      url: configVariable("LEDGER_RPC_URL"),
      accounts: [configVariable("LEDGER_DEPLOYER_KEY")],
    },
  },
});
