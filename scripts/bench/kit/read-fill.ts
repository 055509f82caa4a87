// Fills a fresh Ledger with `entries` deterministic contributions for the read benchmarks
// (scripts/bench/read.ts, scripts/bench/app.ts): records from RecordFactory signed on worker
// threads by `agents` wallets that hold no ETH, relayed by dev account 0 in full recordBatch
// transactions with hand-encoded calldata (checked once against the ABI encoding), a steward
// (dev account 1) registers the commons first.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Contract, FetchRequest, hexlify, id, JsonRpcProvider, Network, parseUnits } from "ethers";
import { encodeRecordBatch, readBenchWallet } from "../../lib/kit/read-seed.js";
import { startSignerPool } from "./read-signer.js";
import { ledgerInterface } from "../../lib/core/reader.js";
import { devWallet, freePort } from "../../lib/node/dev-chain.js";
import { startLocalChain } from "../../lib/node/local-chain.js";
import type { LocalChain } from "../../lib/node/local-chain.js";

/**
 * A fresh anvil for a read benchmark `name`: its data folder, an Ignition deployment id of its own,
 * and a provider connected as the CLI connects (scripts/cli/context.ts: static network, no cache,
 * batches of 20), with a timeout long enough for a large ledger's reads.
 */
export async function startBenchChain(name: string): Promise<{ dataDir: string; deploymentId: string; chain: LocalChain; provider: JsonRpcProvider }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `commons-bench-${name}-`));
  const chain = await startLocalChain({ dataDir, port: await freePort(), stateInterval: 86_400 });
  const request = new FetchRequest(chain.url);
  request.timeout = 300_000;
  const provider = new JsonRpcProvider(request, Network.from(31337), { staticNetwork: true, cacheTimeout: -1, batchMaxCount: 20 });
  const deploymentId = `bench-${name}-${path.basename(dataDir)}`;
  // Interrupted (Ctrl-C, a kill): the benchmark's own cleanup does not run, and a large ledger's
  // folder, with its indexers' databases, stayed in the temporary folder (13 GB found once).
  const interrupted = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the benchmark's chain and deleting ${dataDir}`);
    void chain
      .stop()
      .catch(() => {})
      .finally(() => {
        rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 300 });
        rmSync(path.resolve(import.meta.dirname, "..", "..", "ignition", "deployments", deploymentId), { recursive: true, force: true });
        process.exit(130);
      });
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  return { dataDir, deploymentId, chain, provider };
}

export interface FillResult {
  commons: string;
  seconds: number;
  workers: number;
  toBlock: number;
}

export async function fillLedger(opts: {
  provider: JsonRpcProvider;
  ledger: string;
  entries: number;
  agents: number;
  batch?: number;
  chainId?: bigint;
  log?: (line: string) => void;
}): Promise<FillResult> {
  const { provider, ledger, entries: ENTRIES } = opts;
  const BATCH = opts.batch ?? 150;
  const log = opts.log ?? (() => {});
  const started = performance.now();
  const relayer = devWallet(0, provider);
  const steward = devWallet(1, provider);
  const stewardLedger = new Contract(ledger, ledgerInterface(), steward);
  const commons: string = await stewardLedger.registerCommons.staticCall(id("bench-read"), "Read benchmark commons");
  await (await stewardLedger.registerCommons(id("bench-read"), "Read benchmark commons")).wait();
  const agentLabels = Array.from({ length: opts.agents }, (_, i) => `agent/${i}`);
  const receiver = readBenchWallet("receiver").address;
  const latest = await provider.getBlock("latest");
  const now = BigInt(latest!.timestamp);
  const chainId = opts.chainId ?? 31337n;

  // Records are signed on worker threads (every core) while anvil mines the batches already sent.
  const signers = startSignerPool({ chainId: String(chainId), ledger, commons, receiver, now: String(now), agentLabels });
  try {
    let nonce = await provider.getTransactionCount(relayer.address, "latest");
    const fees = { maxFeePerGas: parseUnits("20", "gwei"), maxPriorityFeePerGas: parseUnits("1", "gwei") };
    const batches = Math.ceil(ENTRIES / BATCH);
    const size = (b: number) => Math.min(BATCH, ENTRIES - b * BATCH);
    const ahead = 2 * Math.max(1, signers.workers) + 1;
    const jobs = new Map<number, Promise<{ words: Uint8Array[]; signatures: string[] }>>();
    for (let b = 0; b < Math.min(ahead, batches); b++) jobs.set(b, signers.sign(b * BATCH, size(b)));
    let inFlight: Promise<unknown> = Promise.resolve();
    for (let b = 0; b < batches; b++) {
      const { words, signatures } = await jobs.get(b)!;
      jobs.delete(b);
      if (b + ahead < batches) jobs.set(b + ahead, signers.sign((b + ahead) * BATCH, size(b + ahead)));
      const data = hexlify(encodeRecordBatch(words, signatures));
      if (b === 0) {
        // The hand-made calldata must be exactly the ABI encoding.
        const decoded = ledgerInterface().decodeFunctionData("recordBatch", data);
        if (ledgerInterface().encodeFunctionData("recordBatch", [decoded[0], decoded[1]]) !== data)
          throw new Error("recordBatch calldata differs from the ABI encoding");
      }
      const raw = await relayer.signTransaction({ type: 2, chainId, nonce: nonce++, to: ledger, data, gasLimit: 12_000_000n, ...fees });
      // The node mines this batch while the next ones are signed.
      await inFlight;
      inFlight = provider.send("eth_sendRawTransaction", [raw]);
      const done = b * BATCH + size(b);
      if (done % 15_000 === 0 || done === ENTRIES) log(`  ${done} entries sent`);
    }
    // The last batch mined, not only accepted: anvil answers eth_sendRawTransaction before it has
    // mined the block (at 1,000,000 entries tip() was read once with the last batch still pending).
    const last = (await inFlight) as string;
    const receipt = await provider.waitForTransaction(last, 1, 120_000);
    if (receipt?.status !== 1) throw new Error(`the last batch (transaction ${last}) ${receipt ? "reverted" : "was not mined within 2 minutes"}`);
  } finally {
    await signers.close();
  }
  const [count] = (await new Contract(ledger, ledgerInterface(), provider).tip()) as [bigint, string];
  if (count !== BigInt(ENTRIES)) throw new Error(`the ledger holds ${count} entries, not ${ENTRIES}: a batch failed or skipped records`);
  return { commons, seconds: (performance.now() - started) / 1000, workers: signers.workers, toBlock: await provider.getBlockNumber() };
}
