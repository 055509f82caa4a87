// `npm run indexer`: the Ponder indexer (scripts/indexer/) for any chain, as npm start runs it for
// the local one. Options (flags or environment):
//   --rpc / --ledger / --from-block as for the CLI (or the deployment npm start wrote)
//   --registry, --distributor (COMMONS_REGISTRY, COMMONS_DISTRIBUTOR, else those deployed beside the Ledger,
//   if any): the license registry's works and records, the distributions and their claims too
//   --port (COMMONS_INDEXER_PORT, 8789)  --host (COMMONS_INDEXER_HOST, 127.0.0.1: this machine alone; 0.0.0.0 for
//   every interface, to serve others)  --data-dir (COMMONS_DATA_DIR/indexer): where embedded PGlite keeps
//   its files; DATABASE_URL: a PostgreSQL server instead (nothing else changes)
//   --schema (the database schema this indexer owns; one per ledger, default "commons")
// It prints "indexer: <url>" once its API answers, and its head when it reaches the Ledger's tip.
import { isIP } from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { Contract } from "ethers";
import { connect, contractsBeside, resolveTarget } from "./cli/context.js";
import { CliInputError, parseAddress, parseUint } from "./cli/inputs.js";
import { LEDGER_ABI } from "./lib/core/abi.js";
import { startIndexer } from "./lib/node/indexer.js";

try {
  const { values } = parseArgs({
    options: {
      rpc: { type: "string" },
      ledger: { type: "string" },
      registry: { type: "string" },
      distributor: { type: "string" },
      "from-block": { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "data-dir": { type: "string" },
      schema: { type: "string" },
    },
    strict: true,
  });
  const target = resolveTarget({ rpc: values.rpc, ledger: values.ledger, fromBlock: values["from-block"] });
  const port = Number(parseUint("--port", values.port ?? process.env.COMMONS_INDEXER_PORT ?? "8789", 65535n));
  const hostname = values.host ?? process.env.COMMONS_INDEXER_HOST ?? "127.0.0.1";
  if (isIP(hostname) === 0 && hostname !== "localhost")
    throw new CliInputError("--host", `"${hostname}" is not an address to listen on (127.0.0.1, 0.0.0.0, ::, or one of this machine's addresses)`);
  const schema = values.schema ?? "commons";
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new CliInputError("--schema", `"${schema}" is not a schema name (lower-case letters, digits and _, at most 63)`);
  /** A contract beside the Ledger: the flag, the environment, or the one deployed beside it (if any). */
  const beside = (flag: "--registry" | "--distributor", given: string | undefined, envVar: string, name: string) => {
    const value = given ?? (process.env[envVar] || undefined);
    return value !== undefined ? parseAddress(flag, value) : contractsBeside(target)[name];
  };
  const registry = beside("--registry", values.registry, "COMMONS_REGISTRY", "ReciprocityRegistry");
  const distributor = beside("--distributor", values.distributor, "COMMONS_DISTRIBUTOR", "IncomeDistributor");
  const provider = await connect(target);
  for (const [flag, address] of [
    ["--registry", registry],
    ["--distributor", distributor],
  ] as const)
    if (address !== undefined && (await provider.getCode(address)) === "0x")
      throw new CliInputError(flag, `there is no contract at ${address} on ${target.rpc}`);
  const { chainId } = await provider.getNetwork();
  const dataDir = path.resolve(
    values["data-dir"] ?? path.join(process.env.COMMONS_DATA_DIR ?? "data", "indexer", `${chainId}-${target.ledger.slice(2, 10).toLowerCase()}`),
  );
  const indexer = await startIndexer({
    rpcUrl: target.rpc,
    chainId: Number(chainId),
    ledger: target.ledger,
    registry,
    distributor,
    fromBlock: target.fromBlock,
    port,
    hostname,
    dataDir,
    schema,
  });
  console.log(
    `indexer: ${indexer.url}${registry ? `, with the ReciprocityRegistry at ${registry}` : ""}${distributor ? `, the IncomeDistributor at ${distributor}` : ""} (${process.env.DATABASE_URL ? "PostgreSQL from DATABASE_URL" : `PGlite in ${dataDir}`}; log ${path.join(dataDir, "indexer.log")})`,
  );
  const [count] = (await new Contract(target.ledger, LEDGER_ABI, provider).tip()) as [bigint, string];
  await indexer.waitForCount(count, 600_000);
  const head = await indexer.head();
  console.log(`indexer: at entry ${head.count}, head ${head.head} (block ${head.blockNumber})`);
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await indexer.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
  indexer.process.once("exit", (code) => {
    if (stopping) return;
    process.stderr.write(`indexer: Ponder exited (${code}); see ${path.join(dataDir, "indexer.log")}\n`);
    process.exit(1);
  });
} catch (error) {
  process.stderr.write(`indexer: ${(error as Error).message.split("\n")[0]}\n`);
  process.exit(error instanceof CliInputError ? 2 : 1);
}
