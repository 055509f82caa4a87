// `npm run relayer`: the gasless path. Contributors POST signed records; the relayer pays for the
// transactions. Options (flags or environment):
//   --port (COMMONS_RELAYER_PORT, 8787)  --db (COMMONS_RELAYER_DB, <data>/relayer.sqlite)
//   --batch-size (100, at most 150)  --wait-ms (500)  --rate (records/s per signer, 50)  --burst (500)
//   --max-per-signer (records waiting per signer, 100)  --retention-days (how long recorded and failed
//   records stay answerable by digest before they are pruned, 7)
//   --registry (COMMONS_REGISTRY): the ReciprocityRegistry whose signed declarations it also sends
//   --directory (COMMONS_DIRECTORY): the Directory whose signed profiles (display names) it also sends
//   --relay-endorsements: also pay for validations by accounts the entry's commons has not appointed
//   (endorsements, counted nowhere; off by default)
//   --daily-gas-per-signer (gas paid per UTC day for one signer's messages, 10000000; 0: no limit)
//   --daily-gas (gas paid per UTC day in all; 0, the default: no limit): past them, messages are
//   refused (429, 503) with the hour they renew
//   --rpc / --ledger / --from-block as for the CLI; the paying key: COMMONS_RELAYER_KEY or
//   --keystore FILE, or --dev for anvil's first dev account on a local chain (chain id 31337).
import path from "node:path";
import { parseArgs } from "node:util";
import { JsonRpcProvider, Wallet } from "ethers";
import { connect, resolveTarget } from "./cli/context.js";
import { CliInputError, parseAddress, parseUint } from "./cli/inputs.js";
import { loadSigner } from "./cli/keys.js";
import { DEV_CHAIN_ID, DEV_MNEMONIC } from "./lib/core/dev-chain-keys.js";

// node:sqlite prints an ExperimentalWarning when loaded; it is the only one, and it is noise here.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  if (String(warning).includes("SQLite is an experimental feature")) return;
  (emitWarning as (...a: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
const { DEFAULT_DAILY_GAS_PER_SIGNER, startRelayer } = await import("./lib/relayer/service.js");

try {
  const { values } = parseArgs({
    options: {
      rpc: { type: "string" },
      ledger: { type: "string" },
      "from-block": { type: "string" },
      port: { type: "string" },
      db: { type: "string" },
      "batch-size": { type: "string" },
      "wait-ms": { type: "string" },
      rate: { type: "string" },
      burst: { type: "string" },
      keystore: { type: "string" },
      dev: { type: "boolean" },
      "max-per-signer": { type: "string" },
      "retention-days": { type: "string" },
      "relay-endorsements": { type: "boolean" },
      registry: { type: "string" },
      directory: { type: "string" },
      "daily-gas-per-signer": { type: "string" },
      "daily-gas": { type: "string" },
    },
    strict: true,
  });
  const target = resolveTarget({ rpc: values.rpc, ledger: values.ledger, fromBlock: values["from-block"] });
  const port = Number(parseUint("--port", values.port ?? process.env.COMMONS_RELAYER_PORT ?? "8787", 65535n));
  const batchSize = Number(parseUint("--batch-size", values["batch-size"] ?? "100", 150n));
  if (batchSize < 1) throw new CliInputError("--batch-size", "must be 1 to 150");
  const waitMs = Number(parseUint("--wait-ms", values["wait-ms"] ?? "500", 60_000n));
  const rate = Number(parseUint("--rate", values.rate ?? "50", 1_000_000n));
  const burst = Number(parseUint("--burst", values.burst ?? "500", 1_000_000n));
  const maxPendingPerSigner = Number(parseUint("--max-per-signer", values["max-per-signer"] ?? "100", 100_000n));
  if (maxPendingPerSigner < 1) throw new CliInputError("--max-per-signer", "must be 1 to 100000");
  const retentionDays = Number(parseUint("--retention-days", values["retention-days"] ?? "7", 3_650n));
  const dailyGasPerSigner = parseUint("--daily-gas-per-signer", values["daily-gas-per-signer"] ?? String(DEFAULT_DAILY_GAS_PER_SIGNER), 10n ** 15n);
  const dailyGas = parseUint("--daily-gas", values["daily-gas"] ?? "0", 10n ** 15n);
  const registryText = values.registry ?? (process.env.COMMONS_REGISTRY || undefined);
  const registry = registryText !== undefined ? parseAddress("--registry", registryText) : undefined;
  const directoryText = values.directory ?? (process.env.COMMONS_DIRECTORY || undefined);
  const directory = directoryText !== undefined ? parseAddress("--directory", directoryText) : undefined;
  const dbFile = path.resolve(values.db ?? process.env.COMMONS_RELAYER_DB ?? path.join(process.env.COMMONS_DATA_DIR ?? "data", "relayer.sqlite"));
  const provider = await connect(target);
  const { chainId } = await provider.getNetwork();
  let wallet: Wallet;
  if (values.dev) {
    if (chainId !== BigInt(DEV_CHAIN_ID)) throw new CliInputError("--dev", `dev keys are only for a local chain (${DEV_CHAIN_ID}), not chain ${chainId}`);
    wallet = Wallet.fromPhrase(DEV_MNEMONIC).connect(provider) as unknown as Wallet;
  } else if (process.env.COMMONS_RELAYER_KEY) {
    if (!/^(0x)?[0-9a-fA-F]{64}$/.test(process.env.COMMONS_RELAYER_KEY)) throw new CliInputError("COMMONS_RELAYER_KEY", "is not a 32-byte hex private key");
    wallet = new Wallet(process.env.COMMONS_RELAYER_KEY, provider);
  } else {
    wallet = await loadSigner(values.keystore, provider);
  }
  // The send loop's own connection, unbatched: its calls never wait behind admission's.
  const sendProvider = new JsonRpcProvider(provider._getConnection(), provider._network, { staticNetwork: true, cacheTimeout: -1, batchMaxCount: 1 });
  const relayer = await startRelayer({
    provider,
    sendProvider,
    wallet,
    ledger: target.ledger,
    fromBlock: target.fromBlock,
    dbFile,
    port,
    batchSize,
    waitMs,
    ratePerSecond: rate,
    burst,
    maxPendingPerSigner,
    retentionMs: retentionDays * 86_400_000,
    relayEndorsements: values["relay-endorsements"] ?? false,
    dailyGasPerSigner,
    dailyGas,
    registry,
    directory,
  });
  const stop = async () => {
    await relayer.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
} catch (error) {
  process.stderr.write(`relayer: ${(error as Error).message.split("\n")[0]}\n`);
  process.exit(error instanceof CliInputError ? 2 : 1);
}
