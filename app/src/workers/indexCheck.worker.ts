// Checks a ledger index against the chain off the page's thread (scripts/lib/core/ledger-index-check.ts):
// receives the index's bytes and where the chain is, answers once with the result.
import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import { checkLedgerIndex } from "@core/ledger-index-check.js";
import type { IndexCheck } from "@core/ledger-index-check.js";
import { decodeLedgerIndex } from "@core/ledger-index.js";

export interface IndexCheckRequest {
  body: ArrayBuffer;
  rpcUrl: string;
  chainId: number;
}

export type IndexCheckReply = { kind: "checked"; result: IndexCheck; ms: number } | { kind: "failed"; message: string };

self.onmessage = async (event: MessageEvent<IndexCheckRequest>) => {
  const t = performance.now();
  const { body, rpcUrl, chainId } = event.data;
  const request = new FetchRequest(rpcUrl);
  request.timeout = 30_000;
  const provider = new JsonRpcProvider(request, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1, batchMaxCount: 1 });
  let reply: IndexCheckReply;
  try {
    const { meta, events } = decodeLedgerIndex(JSON.parse(new TextDecoder().decode(body)));
    reply = { kind: "checked", result: await checkLedgerIndex({ provider, meta, events }), ms: performance.now() - t };
  } catch (error) {
    reply = { kind: "failed", message: (error as Error).message.split("\n")[0] };
  } finally {
    provider.destroy();
  }
  self.postMessage(reply);
};
