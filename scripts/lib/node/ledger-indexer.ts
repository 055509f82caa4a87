// The index `npm start` serves next to the app (GET /ledger-index.json): the local Ledger's events
// read with the shared reader and kept as a LedgerIndexBuilder (see ledger-index.ts), brought up to
// date before each answer (only blocks after the last one read are fetched; one refresh at a time).
// A chain that went backwards or is another instance (restarted without its state) is read
// again from the first block. The JSON text is kept until a new block brings new logs.
import type http from "node:http";
import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import { chainInstanceHash } from "../core/chain-instance.js";
import { LedgerIndexBuilder } from "../core/ledger-index.js";
import { fetchLogs, rpcRetry } from "../core/reader.js";

export interface LedgerIndexer {
  /** The index up to the latest block, as JSON text. Rejects when the node cannot be read. */
  current(): Promise<{ text: string; toBlock: number; entries: number }>;
  close(): void;
}

/**
 * `finality`: how many of the latest blocks stay out of the index (0 on the local chain; on a real
 * network, enough that a reorganisation does not reach into it: the app reads later blocks itself).
 */
export function createLedgerIndexer(o: {
  rpcUrl: string;
  chainId: number;
  ledger: string;
  fromBlock: number;
  finality?: number;
  timeoutMs?: number;
}): LedgerIndexer {
  const request = new FetchRequest(o.rpcUrl);
  request.timeout = o.timeoutMs ?? 30_000;
  const provider = new JsonRpcProvider(request, Network.from(o.chainId), { staticNetwork: true, cacheTimeout: -1, batchMaxCount: 1 });
  let genesis = "";
  let builder: LedgerIndexBuilder | undefined;
  let toBlock = o.fromBlock - 1;
  let text: string | undefined;
  let running: Promise<void> | undefined;

  async function refresh(): Promise<void> {
    const [latest, instance] = await Promise.all([
      rpcRetry("eth_blockNumber", () => provider.getBlockNumber(), { maxAttempts: 2 }),
      chainInstanceHash(provider),
    ]);
    const target = Math.max(o.fromBlock - 1, latest - (o.finality ?? 0));
    if (!builder || instance !== genesis || latest < toBlock) {
      genesis = instance;
      builder = new LedgerIndexBuilder({ chainId: o.chainId, ledger: o.ledger, genesis, fromBlock: o.fromBlock });
      toBlock = o.fromBlock - 1;
      text = undefined;
    }
    if (target <= toBlock) return;
    const logs = await fetchLogs(provider, o.ledger, { fromBlock: toBlock + 1, toBlock: target, maxAttempts: 3, backoffMs: 150 });
    builder.add(logs);
    toBlock = target;
    text = undefined;
  }

  return {
    async current() {
      running ??= refresh().finally(() => (running = undefined));
      await running;
      text ??= JSON.stringify(builder!.file(toBlock));
      return { text, toBlock, entries: builder!.entryCount };
    },
    close() {
      provider.destroy();
    },
  };
}

/**
 * Answers GET/HEAD for the index: 200 with the JSON, or 503 with the reason when the chain cannot
 * be read. `headers` are added to every answer (e.g. CORS for an index on another origin).
 */
export function answerIndexRequest(indexer: LedgerIndexer, req: http.IncomingMessage, res: http.ServerResponse, headers: Record<string, string> = {}): void {
  indexer.current().then(
    ({ text }) =>
      void res.writeHead(200, { ...headers, "content-type": "application/json", "cache-control": "no-store" }).end(req.method === "HEAD" ? undefined : text),
    (error: Error) =>
      void res
        .writeHead(503, { ...headers, "content-type": "application/json", "cache-control": "no-store" })
        .end(JSON.stringify({ error: `the index cannot read the chain: ${error.message.split("\n")[0]}` })),
  );
}
