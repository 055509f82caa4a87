// Signing for the read benchmark on worker threads: each worker builds and signs the k-th records
// of the deterministic sequence (RecordFactory.at) and returns their words and signatures, so
// that 100,000 records are signed on every core while anvil mines the batches already sent.
import { availableParallelism } from "node:os";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { FastRecordSigner, readBenchWallet, RecordFactory } from "../../lib/kit/read-seed.js";
import { ledgerDomain } from "../../lib/core/record.js";

export interface SignerConfig {
  chainId: string;
  ledger: string;
  commons: string;
  receiver: string;
  now: string;
  /** Labels of the agents' deterministic wallets (readBenchWallet). */
  agentLabels: string[];
}

interface Job {
  id: number;
  start: number;
  count: number;
}
interface Done {
  id: number;
  words: Uint8Array[];
  signatures: string[];
}

function makeSigner(c: SignerConfig) {
  const wallets = c.agentLabels.map((label) => readBenchWallet(label));
  const addresses = wallets.map((w) => w.address);
  const factory = new RecordFactory(c.commons, c.receiver, BigInt(c.now));
  const signer = new FastRecordSigner(ledgerDomain(BigInt(c.chainId), c.ledger), factory.at(0, addresses));
  return (start: number, count: number) => {
    const words: Uint8Array[] = [];
    const signatures: string[] = [];
    for (let k = start; k < start + count; k++) {
      const p = signer.prepare(wallets[k % wallets.length], factory.at(k, addresses));
      words.push(p.words);
      signatures.push(p.signature);
    }
    return { words, signatures };
  };
}

const data = workerData as { benchReadSigner?: SignerConfig } | null;
if (!isMainThread && parentPort && data?.benchReadSigner) {
  const port = parentPort;
  const sign = makeSigner(data.benchReadSigner);
  port.on("message", (job: Job) => {
    const { words, signatures } = sign(job.start, job.count);
    port.postMessage(
      { id: job.id, words, signatures } satisfies Done,
      words.map((w) => w.buffer as ArrayBuffer),
    );
  });
}

/** A pool of signing workers (or the calling thread, if workers cannot start). */
export function startSignerPool(config: SignerConfig, size = Math.max(1, availableParallelism())) {
  const waiting = new Map<number, (d: Done) => void>();
  let nextId = 1;
  let turn = 0;
  const workers: Worker[] = [];
  try {
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL(import.meta.url), { workerData: { benchReadSigner: config } });
      w.on("message", (d: Done) => {
        waiting.get(d.id)?.(d);
        waiting.delete(d.id);
      });
      workers.push(w);
    }
  } catch {
    workers.length = 0;
  }
  const local = workers.length === 0 ? makeSigner(config) : undefined;
  return {
    workers: workers.length,
    sign(start: number, count: number): Promise<{ words: Uint8Array[]; signatures: string[] }> {
      if (local) return Promise.resolve(local(start, count));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const w = workers[turn++ % workers.length];
        const onError = (e: unknown) => reject(e);
        w.once("error", onError);
        waiting.set(id, (d) => {
          w.off("error", onError);
          resolve(d);
        });
        w.postMessage({ id, start, count } satisfies Job);
      });
    },
    async close(): Promise<void> {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
