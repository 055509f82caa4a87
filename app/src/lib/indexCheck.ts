// Runs the ledger index check (workers/indexCheck.worker.ts) for a snapshot that started from an
// index, and settles what follows from it: a mismatch makes the reader drop the index for good.
import type { IndexCheckReply, IndexCheckRequest } from "../workers/indexCheck.worker";
import type { LedgerSnapshot } from "./ledgerReader";

/** How long the check waits after the page showed the index, so as not to slow its first clicks. */
export const CHECK_DELAY_MS = 1_000;

export async function runIndexCheck(index: NonNullable<LedgerSnapshot["index"]>, chain: { rpcUrl: string; chainId: number }): Promise<IndexCheckReply> {
  await new Promise((resolve) => setTimeout(resolve, CHECK_DELAY_MS));
  return new Promise((resolve) => {
    const worker = new Worker(new URL("../workers/indexCheck.worker.ts", import.meta.url), { type: "module" });
    const done = (reply: IndexCheckReply) => {
      worker.terminate();
      resolve(reply);
    };
    worker.onmessage = (e: MessageEvent<IndexCheckReply>) => done(e.data);
    worker.onerror = (e) => done({ kind: "failed", message: e.message || "the checking worker stopped" });
    // A copy: the snapshot keeps its bytes for a later check.
    const body = index.body.slice(0);
    worker.postMessage({ body, rpcUrl: chain.rpcUrl, chainId: chain.chainId } satisfies IndexCheckRequest, [body]);
  });
}
