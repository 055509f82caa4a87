// EOA signatures checked on a second thread (worker_threads), so that the main thread goes on
// reading and decoding the ledger's logs meanwhile. The worker is this same module, started with
// `workerData.commonsSignatureWorker`; it keeps one key cache for the whole run and sends back the
// agents' keys it learnt, so that batches the main thread takes over need not learn them again.
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { checkEoaSignatures, EoaKeyCache, recordDigest712 } from "./signatures.js";

/** Records' signatures to check: parallel arrays (cheap to send to a worker). */
export interface SignatureBatch {
  /** The ledger's EIP-712 domain separator (0x + 64 hex). */
  domainSeparator: string;
  /** Each record's struct hash; its digest is keccak256(0x1901 ‖ domainSeparator ‖ structHash). */
  structHashes: string[];
  signatures: string[];
  agents: string[];
  /** false: check with @noble/curves even where libsecp256k1 loads (checkEoaSignatures' `native`). */
  native?: boolean;
}

export function checkBatch(batch: SignatureBatch, cache: EoaKeyCache): boolean[] {
  const checks = batch.structHashes.map((h, i) => ({
    digest: recordDigest712(batch.domainSeparator, h),
    signature: batch.signatures[i],
    agent: batch.agents[i],
  }));
  return checkEoaSignatures(checks, cache, { native: batch.native });
}

interface WorkerRequest {
  id: number;
  batch: SignatureBatch;
}
/** The worker's verdicts, and the agents' public keys it learnt since its last reply ([agent, key]). */
type WorkerReply = { id: number; valid: boolean[]; keys: [string, string][] } | { id: number; error: string };

// In a worker started by SignatureWorker: check batches with one key cache for the whole run.
if (!isMainThread && parentPort && (workerData as { commonsSignatureWorker?: boolean } | null)?.commonsSignatureWorker) {
  const port = parentPort;
  const keys = new EoaKeyCache();
  const shared = new Set<string>();
  port.on("message", (m: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      const valid = checkBatch(m.batch, keys);
      const fresh: [string, string][] = [];
      for (const [agent, key] of keys.keys) {
        if (shared.has(agent)) continue;
        shared.add(agent);
        fresh.push([agent, key]);
      }
      reply = { id: m.id, valid, keys: fresh };
    } catch (error) {
      reply = { id: m.id, error: (error as Error).message };
    }
    port.postMessage(reply);
  });
}

/**
 * checkEoaSignatures on a second thread, so that the main thread keeps reading and decoding
 * meanwhile. Batches wait in a queue and go to the worker one at a time; once the caller has
 * nothing else to do it takes batches from the back of the queue itself (`help`). If the worker
 * cannot start (or fails), batches are checked on the calling thread.
 */
export class SignatureWorker {
  private worker?: Worker;
  private failed = false;
  private busy = false;
  private nextId = 1;
  private readonly queue: { batch: SignatureBatch; resolve: (v: boolean[]) => void; reject: (e: unknown) => void }[] = [];
  private inWorker?: { id: number; batch: SignatureBatch; resolve: (v: boolean[]) => void; reject: (e: unknown) => void };
  private readonly local = new EoaKeyCache();

  /** Starts the worker thread ahead of the first batch. */
  warm(): this {
    if (!this.failed && !this.worker) this.start();
    return this;
  }

  check(batch: SignatureBatch): Promise<boolean[]> {
    if (!this.failed && !this.worker) this.start();
    if (this.failed || !this.worker) return Promise.resolve(checkBatch(batch, this.local));
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      this.next();
    });
  }

  /** Checks queued batches on this thread too, from the back, until the queue is empty. */
  help(): void {
    for (let job = this.queue.pop(); job; job = this.queue.pop()) {
      try {
        job.resolve(checkBatch(job.batch, this.local));
      } catch (error) {
        job.reject(error);
      }
    }
  }

  private next(): void {
    if (this.busy || !this.worker) return;
    const job = this.queue.shift();
    if (!job) return;
    this.busy = true;
    this.inWorker = { id: this.nextId++, ...job };
    this.worker.postMessage({ id: this.inWorker.id, batch: job.batch } satisfies WorkerRequest);
  }

  private start(): void {
    try {
      const worker = new Worker(new URL(import.meta.url), { workerData: { commonsSignatureWorker: true } });
      worker.on("message", (m: WorkerReply) => {
        const job = this.inWorker;
        if (!job || job.id !== m.id) return;
        this.inWorker = undefined;
        this.busy = false;
        if ("error" in m) job.reject(new Error(`signature worker: ${m.error}`));
        else {
          // Keys the worker recovered need not be recovered again here (see help()).
          for (const [agent, key] of m.keys) if (!this.local.keys.has(agent)) this.local.keys.set(agent, key);
          job.resolve(m.valid);
        }
        this.next();
      });
      worker.on("error", () => this.fallBack());
      worker.on("exit", () => this.fallBack());
      this.worker = worker;
    } catch {
      this.failed = true;
    }
  }

  /** The worker died (or never loaded): what it had is checked here instead. */
  private fallBack(): void {
    if (this.failed) return;
    this.failed = true;
    this.worker = undefined;
    if (this.inWorker) this.queue.unshift(this.inWorker);
    this.inWorker = undefined;
    this.help();
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failed = true;
    if (worker) await worker.terminate();
  }
}
