// `commons serve-index`: the ledger index (scripts/lib/core/ledger-index.ts) of any chain's Ledger over
// HTTP, for an app built for that chain (VITE_INDEX_URL). `npm start` serves one for the local
// chain itself; this is the same indexer on its own, with CORS (the app is on another origin) and
// a finality depth (the latest blocks stay out; the app reads them from the node).
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Command } from "commander";
import { answerIndexRequest, createLedgerIndexer } from "../lib/node/ledger-indexer.js";
import { connect, resolveTarget } from "./context.js";
import type { GlobalOptions } from "./context.js";
import { CliInputError, parseUint } from "./inputs.js";

export function registerIndex(program: Command): void {
  program
    .command("serve-index")
    .description("serve the ledger's index (GET /ledger-index.json, CORS open) for the app to start from; it is checked against the chain by the app")
    .option("--port <n>", "TCP port (0 = any free port)", "8790")
    .option("--host <address>", "interface to listen on", "127.0.0.1")
    .option("--finality <blocks>", "latest blocks left out of the index (reorg depth)", "0")
    .action(async (o: { port: string; host: string; finality: string }) => {
      const port = Number(parseUint("--port", o.port, 65_535n));
      const finality = Number(parseUint("--finality", o.finality, 1_000_000n));
      if (!/^[0-9a-zA-Z.:[\]-]+$/.test(o.host)) throw new CliInputError("--host", `"${o.host}" is not a host name or address`);
      const target = resolveTarget(program.opts<GlobalOptions>());
      const provider = await connect(target);
      const chainId = Number((await provider.getNetwork()).chainId);
      provider.destroy();
      const indexer = createLedgerIndexer({
        rpcUrl: target.rpc,
        chainId,
        ledger: target.ledger,
        fromBlock: target.fromBlock,
        finality,
        timeoutMs: target.timeoutMs,
      });
      const first = await indexer.current();
      const server = http.createServer((req, res) => {
        const cors = { "access-control-allow-origin": "*" };
        const pathname = new URL(req.url ?? "/", "http://x").pathname;
        if (pathname !== "/ledger-index.json")
          return void res
            .writeHead(404, { ...cors, "content-type": "application/json" })
            .end(JSON.stringify({ error: `nothing at ${pathname}; the index is at /ledger-index.json` }));
        if (req.method !== "GET" && req.method !== "HEAD") return void res.writeHead(405, { ...cors, allow: "GET, HEAD" }).end();
        answerIndexRequest(indexer, req, res, cors);
      });
      await new Promise<void>((resolve, reject) => {
        server.once("error", (error: NodeJS.ErrnoException) => reject(new Error(`cannot listen on ${o.host}:${port}: ${error.code ?? error.message}`)));
        server.listen(port, o.host, () => resolve());
      });
      const { port: bound } = server.address() as AddressInfo;
      process.stdout.write(
        `Ledger index of ${target.ledger} on chain ${chainId}: http://${o.host}:${bound}/ledger-index.json (${first.entries} entries up to block ${first.toBlock}${finality ? `, ${finality} latest blocks left out` : ""})\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          server.closeAllConnections();
          server.close(() => resolve());
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      indexer.close();
    });
}
