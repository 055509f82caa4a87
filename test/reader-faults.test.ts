// The log reader, `verify` and `accounts` against a misbehaving JSON-RPC node (FT-GETLOGS, FT-RPC,
// IN-LOGS-EMITTER): a fake RPC in front of a real anvil refuses wide or large eth_getLogs calls,
// answers 429 and 5xx, drops connections, answers late or with malformed JSON, and ignores the
// address filter; every read must give exactly what the unlimited node gives, or fail with one
// clear line after bounded retries. Invalid CLI input must make no RPC call at all. The reader's
// and verifier's fast paths (direct eth_getLogs, word decoding, batch signature checks, the hash
// chain) are checked against the reference implementations on the same ledger.
import { secp256k1 } from "@noble/curves/secp256k1";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  AbiCoder,
  Contract,
  ContractFactory,
  FetchRequest,
  id,
  JsonRpcProvider,
  keccak256,
  Network,
  NonceManager,
  parseUnits,
  recoverAddress,
  toUtf8Bytes,
} from "ethers";
import type { Log } from "ethers";
import { LedgerClient } from "../scripts/lib/core/client.js";
import type { SignedRecord } from "../scripts/lib/core/client.js";
import { FastRecordSigner, readBenchWallet, RecordFactory } from "../scripts/lib/kit/read-seed.js";
import { LEDGER_ABI } from "../scripts/lib/core/abi.js";
import { signatureFromCalldata } from "../scripts/lib/core/calldata.js";
import { GENESIS_HEAD, verifyChain } from "../scripts/lib/core/chain.js";
import type { ChainCheck, ChainLink } from "../scripts/lib/core/chain.js";
import { decodeLedgerLogs, fetchLogs, LedgerReadError, ledgerInterface, readLedger, toRecord } from "../scripts/lib/core/reader.js";
import type { LedgerEvents } from "../scripts/lib/core/reader.js";
import { hashRecord, ledgerDomain } from "../scripts/lib/core/record.js";
import { devWallet } from "../scripts/demo/seed.js";
import { verifyLedger } from "../scripts/lib/verify/ledger.js";
import type { VerifyReport } from "../scripts/lib/verify/ledger.js";
import { checkEoaSignatures, nativeSignatureChecks } from "../scripts/lib/verify/signatures.js";
import type { EoaSignatureCheck } from "../scripts/lib/verify/signatures.js";
import { startFakeRpc } from "./helpers/fake-rpc.js";
import type { FakeRpc, FaultKind, FaultPlan } from "./helpers/fake-rpc.js";
import { startDevLedger } from "../scripts/lib/node/dev-chain.js";
import { root, runCli } from "./helpers/local-ledger.js";
import type { LocalLedger, Run } from "./helpers/local-ledger.js";

const BATCHES = 40;
const PER_BATCH = 80;
const EMPTY_BLOCKS_BETWEEN = 60;
const SECOND_EVERY = 5;
const SECOND_PER_BATCH = 10;
/** The entry whose record is replayed with a bad signature in a later transaction. */
const REPLAYED = 7;

/** 429s, 5xx, dropped connections and malformed JSON at a given rate, plus a provider's getLogs limits. */
const FAULTY: FaultPlan = {
  seed: 20_260_601,
  rates: { http429: 0.05, http500: 0.03, http502: 0.03, http503: 0.03, drop: 0.05, malformed: 0.04, rpcRateLimit: 0.03 },
  maxConsecutive: 3,
  maxBlockSpan: 1_000,
  maxResults: 10_000,
};

/**
 * startLocalLedger (./helpers/local-ledger.ts), but anvil does not dump its state every 5 s: with
 * thousands of blocks and historical states a dump stalls the node for seconds, which would read
 * as the very timeouts these tests inject.
 */
function startQuietLedger(): Promise<LocalLedger> {
  return startDevLedger({ name: "faults", stateInterval: 86_400 });
}

function proxied(url: string, timeoutMs = 10_000): JsonRpcProvider {
  const request = new FetchRequest(url);
  request.timeout = timeoutMs;
  return new JsonRpcProvider(request, Network.from(31337), { staticNetwork: true, cacheTimeout: -1, batchMaxCount: 20 });
}

/** A canonical JSON text (bigints and Maps included): chai's deep equality is far too slow for thousands of events. */
const canon = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === "bigint" ? `${v}n` : v instanceof Map ? { map: [...v.entries()] } : v));
const strip = (r: VerifyReport) => ({ ...r, events: undefined });

/** The hash chain by its definition, each step ABI-encoded, checkpoints every `interval` entries (the reference for core/chain.ts's verifyChain). */
function referenceChain(
  links: readonly ChainLink[],
  tip: { count: bigint; head: string },
  checkpoints: ReadonlyMap<bigint, string>,
  interval: bigint,
): ChainCheck {
  const abi = AbiCoder.defaultAbiCoder();
  let head = GENESIS_HEAD;
  const heads: string[] = [];
  for (let i = 0; i < links.length; i++) {
    const link = links[i];
    const expectedId = BigInt(i + 1);
    if (link.id !== expectedId)
      return { ok: false, count: BigInt(i), head, heads, divergence: { id: expectedId, reason: `entry ${expectedId} is missing (found ${link.id})` } };
    head = keccak256(abi.encode(["bytes32", "uint256", "address", "bytes32"], [head.padEnd(66, "0"), link.id, link.signer, link.recordHash])).slice(0, 50);
    heads.push(head);
    const stored = link.id % interval === 0n ? checkpoints.get(link.id / interval) : undefined;
    if (stored !== undefined && stored.toLowerCase() !== head)
      return {
        ok: false,
        count: link.id,
        head,
        heads,
        divergence: { id: link.id, reason: `checkpoint ${link.id / interval} is ${stored}, recomputed ${head}` },
      };
  }
  const count = BigInt(links.length);
  if (count !== tip.count)
    return { ok: false, count, head, heads, divergence: { id: count + 1n, reason: `the contract holds ${tip.count} entries, the events ${count}` } };
  if (head !== tip.head.toLowerCase())
    return { ok: false, count, head, heads, divergence: { id: count, reason: `on-chain head ${tip.head} differs from the recomputed ${head}` } };
  return { ok: true, count, head, heads };
}

/** Asserts two values are the same, naming the first difference (not printing megabytes). */
function same(actual: unknown, expected: unknown, what: string): void {
  const a = canon(actual);
  const b = canon(expected);
  if (a === b) return;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  expect.fail(`${what} differ at character ${i}: ...${a.slice(Math.max(0, i - 80), i + 80)}... vs ...${b.slice(Math.max(0, i - 80), i + 80)}...`);
}
const logKey = (l: Log) => [l.address, l.blockNumber, l.index, l.transactionHash, l.data, l.topics.join(",")].join("|");
const oneLine = (r: Run) => r.stderr.trim().split("\n");

describe("reader against a misbehaving RPC (FT-GETLOGS, FT-RPC, IN-LOGS-EMITTER)", function () {
  this.timeout(300_000);
  let l: LocalLedger;
  let rpc: FakeRpc;
  let second: string;
  let toBlock: number;
  let direct: LedgerEvents;
  let directSecond: LedgerEvents;
  let directReport: VerifyReport;
  let recorded = 0;
  let recordedSecond = 0;
  const providers: JsonRpcProvider[] = [];
  const via = (timeoutMs?: number) => {
    const p = proxied(rpc.url, timeoutMs);
    providers.push(p);
    return p;
  };
  const cliArgs = (rpcUrl: string, ledger = l.ledger) => ["--rpc", rpcUrl, "--ledger", ledger, "--from-block", String(l.fromBlock)];

  before(async function () {
    this.timeout(600_000);
    const started = Date.now();
    const phases: string[] = [];
    let mark = Date.now();
    const phase = (what: string) => {
      phases.push(`${what} ${((Date.now() - mark) / 1000).toFixed(1)}s`);
      mark = Date.now();
    };
    l = await startQuietLedger();
    phase("anvil+deploy");
    rpc = await startFakeRpc(l.rpc);
    const relayer = devWallet(0, l.provider);
    const steward = devWallet(1, l.provider);

    // A second Ledger at another address on the same chain: the same events, another emitter.
    const artifact = JSON.parse(readFileSync(path.join(root, "artifacts", "contracts", "Ledger.sol", "Ledger.json"), "utf8")) as { abi: []; bytecode: string };
    const deployed = await new ContractFactory(artifact.abi, artifact.bytecode, devWallet(9, l.provider)).deploy();
    await deployed.waitForDeployment();
    second = await deployed.getAddress();

    // The relayer pays; a NonceManager lets it send a batch without waiting for the previous one.
    const payer = new NonceManager(relayer);
    const client = await LedgerClient.connect(payer, l.ledger, l.fromBlock);
    const client2 = await LedgerClient.connect(payer, second, l.fromBlock);
    const asSteward = (c: LedgerClient) => c.contract.connect(steward) as typeof c.contract;
    const commons: string = await asSteward(client).registerCommons.staticCall(id("faults"), "Fault test commons");
    await client.send(() => asSteward(client).registerCommons(id("faults"), "Fault test commons"));
    await client2.send(() => asSteward(client2).registerCommons(id("faults"), "Fault test commons"));

    // Contributors sign locally (no ETH); the relayer records their batches through the client's
    // contract, with empty blocks in between so that a full scan spans thousands of blocks.
    const agents = Array.from({ length: 40 }, (_, i) => readBenchWallet(`faults/${i}`));
    const receiver = readBenchWallet("faults/receiver").address;
    const now = await client.now();
    const sample = new RecordFactory(commons, receiver, now).next(receiver, 0);
    const signer = new FastRecordSigner(ledgerDomain(31337n, l.ledger), sample);
    const signer2 = new FastRecordSigner(ledgerDomain(31337n, second), sample);
    const fresh = new RecordFactory(commons, receiver, now);
    const fresh2 = new RecordFactory(commons, receiver, now); // nonces of the second deployment
    const overrides = { gasLimit: 12_000_000n, maxFeePerGas: parseUnits("50", "gwei"), maxPriorityFeePerGas: parseUnits("1", "gwei") };
    let firstBatch: SignedRecord[] = [];
    let k = 0;
    for (let b = 0; b < BATCHES; b++) {
      const items: SignedRecord[] = [];
      const copies: SignedRecord[] = [];
      for (let i = 0; i < PER_BATCH; i++, k++) {
        const agent = agents[k % agents.length];
        const record = fresh.next(agent.address, k % agents.length);
        items.push({ record, signature: signer.sign(agent, record) });
        if (b % SECOND_EVERY === 0 && i < SECOND_PER_BATCH) {
          // The same kind of record by the same agent, for the other deployment (its own nonces).
          const copy = fresh2.next(agent.address, k % agents.length);
          copies.push({ record: copy, signature: signer2.sign(agent, copy) });
        }
      }
      if (b === 0) firstBatch = items;
      // Sent without waiting for receipts (anvil mines each on arrival); the tips are checked below.
      await client.contract.recordBatch(
        items.map((x) => x.record),
        items.map((x) => x.signature),
        overrides,
      );
      recorded += items.length;
      if (copies.length > 0) {
        await client2.contract.recordBatch(
          copies.map((x) => x.record),
          copies.map((x) => x.signature),
          overrides,
        );
        recordedSecond += copies.length;
      }
      await l.provider.send("anvil_mine", [`0x${EMPTY_BLOCKS_BETWEEN.toString(16)}`]);
    }
    phase("batches");
    // Nothing was skipped: the tips count every record sent.
    expect((await client.tip()).count).to.equal(BigInt(recorded));
    expect((await client2.tip()).count).to.equal(BigInt(recordedSecond));
    // A relayer puts a copy of entry 7's record with a garbage signature next to a new record: the
    // contract skips the copy (its nonce is used); verify must still use the recorded signature.
    const extra = fresh.next(agents[0].address, 0);
    const grief = await client.submitBatch([
      { record: extra, signature: signer.sign(agents[0], extra) },
      { record: firstBatch[REPLAYED - 1].record, signature: "0x" + "11".repeat(32) + "22".repeat(32) + "1b" },
    ]);
    expect(grief.skipped.map((x) => x.reason)).to.have.length(1);
    expect(grief.skipped[0].reason).to.match(/^LedgerInvalidNonce/);
    recorded++;
    // A few validations (accept and dispute) and a correction, by wallets that hold no ETH.
    const validators = [readBenchWallet("faults/validator/0"), readBenchWallet("faults/validator/1")];
    await client.validate(validators[0], 3n, "accept");
    await client.validate(validators[1], 3n, "accept");
    await client.validate(validators[0], 100n, "dispute");
    await client.validate(validators[1], 2_000n, "accept");
    const corrected = 5n;
    const agentOf5 = agents[(Number(corrected) - 1) % agents.length];
    const { id: correctionId } = await client.correct(agentOf5, corrected, { action: "work", commons, receiver, quantity: "2", unit: "h" });
    recorded++;
    expect(correctionId).to.equal(BigInt(recorded));
    await l.provider.send("anvil_mine", ["0x20"]);
    phase("validations+correction");

    toBlock = await l.provider.getBlockNumber();
    direct = await readLedger(l.provider, l.ledger, { fromBlock: l.fromBlock });
    directSecond = await readLedger(l.provider, second, { fromBlock: l.fromBlock });
    directReport = await verifyLedger(l.provider, l.ledger, { fromBlock: l.fromBlock });
    expect(direct.entries).to.have.length(recorded);
    expect(directSecond.entries).to.have.length(recordedSecond);
    expect(
      directReport.ok,
      JSON.stringify(directReport.problems.slice(0, 3), (_, v) => (typeof v === "bigint" ? String(v) : v)),
    ).to.equal(true);
    // verify decodes range by range while it reads; its events are exactly readLedger's.
    same(directReport.events, direct, "verify's events");
    expect(toBlock - l.fromBlock).to.be.greaterThan(2_000);
    phase("reference reads");
    console.log(
      `      seeded ${recorded} + ${recordedSecond} entries over ${toBlock - l.fromBlock} blocks in ${((Date.now() - started) / 1000).toFixed(1)} s (${phases.join(", ")})`,
    );
  });

  beforeEach(() => rpc?.setPlan({}));

  after(async () => {
    for (const p of providers) p.destroy();
    await rpc?.close();
    await l?.stop();
  });

  // ------------------------------------------------------------ FT-GETLOGS
  describe("FT-GETLOGS: provider limits on eth_getLogs", () => {
    it("a full scan through a 1,000-block span and 10,000-result cap returns exactly the unlimited node's events", async () => {
      rpc.setPlan({ maxBlockSpan: 1_000, maxResults: 10_000 });
      // Start with one request for the whole history: the provider refuses it (-32005 and friends).
      const logs = await fetchLogs(via(), l.ledger, { fromBlock: l.fromBlock, toBlock, initialSpan: 50_000 });
      const unlimited = await fetchLogs(l.provider, l.ledger, { fromBlock: l.fromBlock, toBlock });
      expect(logs.map(logKey).join("\n") === unlimited.map(logKey).join("\n"), "the same logs").to.equal(true);
      expect(logs).to.have.length(unlimited.length);
      expect(rpc.faults.get("spanRefused") ?? 0, "span refusals").to.be.greaterThan(0);
      same(await readLedger(via(), l.ledger, { fromBlock: l.fromBlock, toBlock }), direct, "events");
    });

    it("splits dense ranges on a result cap (500 logs) and still returns exactly the same events", async () => {
      rpc.setPlan({ maxBlockSpan: 1_000, maxResults: 500 });
      const events = await readLedger(via(), l.ledger, { fromBlock: l.fromBlock, initialSpan: 50_000, chunkSize: 50_000 });
      expect(rpc.faults.get("resultsRefused") ?? 0, "result refusals").to.be.greaterThan(0);
      same(events, direct, "events");
    });

    it("keeps responses small on a dense ledger: no request returns more than a few thousand logs", async () => {
      rpc.setPlan({ maxResults: 2_500 });
      const events = await readLedger(via(), l.ledger, { fromBlock: l.fromBlock, chunkSize: 1_000_000 });
      expect(rpc.faults.get("resultsRefused") ?? 0).to.equal(0);
      same(events, direct, "events");
    });
  });

  // ------------------------------------------------------------ FT-RPC
  describe("FT-RPC: 429, 5xx, dropped connections, malformed JSON, timeouts", () => {
    it("readLedger and verifyLedger give the node's result despite faults at a given rate", async () => {
      rpc.setPlan(FAULTY);
      const provider = via();
      const events = await readLedger(provider, l.ledger, { fromBlock: l.fromBlock, backoffMs: 50 });
      same(events, direct, "events");
      const report = await verifyLedger(provider, l.ledger, { fromBlock: l.fromBlock, backoffMs: 50 });
      same(strip(report), strip(directReport), "verify reports");
      same(report.events, directReport.events, "events");
      const injected = [...rpc.faults].filter(([k]) => !k.endsWith("Refused"));
      expect(injected.length, `fault kinds injected: ${JSON.stringify(injected)}`).to.be.at.least(4);
    });

    it("retries responses slower than the client's timeout", async () => {
      rpc.setPlan({ seed: 3, rates: { slow: 0.15 }, maxConsecutive: 2, slowMs: 3_000 });
      const events = await readLedger(via(2_000), l.ledger, { fromBlock: l.fromBlock, backoffMs: 50 });
      expect(rpc.faults.get("slow") ?? 0).to.be.greaterThan(0);
      same(events, direct, "events");
    });

    it("the CLI's `verify --json` and `accounts --json` through the faulty RPC equal those against the node", async () => {
      const clean = await Promise.all([runCli([...cliArgs(l.rpc), "verify", "--json"]), runCli([...cliArgs(l.rpc), "accounts", "--json"])]);
      for (const r of clean) expect(r.code, r.stderr).to.equal(0);
      // The CLI's connection probe (eth_chainId, then eth_getCode) is not retried by context.ts:
      // faults start after it.
      rpc.setPlan({ ...FAULTY, spare: 2 });
      const verified = await runCli([...cliArgs(rpc.url), "--timeout", "5000", "verify", "--json"]);
      expect(verified.code, verified.stderr).to.equal(0);
      expect(JSON.parse(verified.stdout)).to.deep.equal(JSON.parse(clean[0].stdout));
      expect(JSON.parse(verified.stdout).entries).to.equal(recorded);
      const faultsInVerify = [...rpc.faults.values()].reduce((a, b) => a + b, 0);
      rpc.setPlan({ ...FAULTY, seed: 99, spare: 2 });
      const acc = await runCli([...cliArgs(rpc.url), "--timeout", "5000", "accounts", "--json"]);
      expect(acc.code, acc.stderr).to.equal(0);
      expect(JSON.parse(acc.stdout)).to.deep.equal(JSON.parse(clean[1].stdout));
      expect(JSON.parse(acc.stdout).length).to.be.greaterThan(0);
      expect(faultsInVerify + [...rpc.faults.values()].reduce((a, b) => a + b, 0), "faults injected").to.be.greaterThan(5);
    });

    it("the library gives up after the configured attempts with one clear error", async () => {
      rpc.setPlan({ always: "http503" });
      const started = Date.now();
      const error = await readLedger(via(), l.ledger, { fromBlock: l.fromBlock, toBlock, maxAttempts: 3, backoffMs: 20 }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(LedgerReadError);
      expect((error as Error).message).to.match(/^eth_getLogs failed for blocks \d+\.\.\d+ after 3 attempts: HTTP 503/);
      expect((error as Error).message).to.not.include("\n");
      expect(rpc.count("eth_getLogs")).to.equal(3);
      expect(Date.now() - started).to.be.lessThan(10_000);
    });

    it("a node that keeps answering 429 is bounded too, and not mistaken for a range refusal", async () => {
      rpc.setPlan({ always: "http429" });
      const started = Date.now();
      const error = await Promise.race([
        readLedger(via(), l.ledger, { fromBlock: l.fromBlock, toBlock, maxAttempts: 2, backoffMs: 20 }).catch((e: unknown) => e),
        new Promise((r) => setTimeout(() => r(new Error("still running after 30 s")), 30_000)),
      ]);
      expect(error).to.be.instanceOf(LedgerReadError);
      expect((error as Error).message).to.match(/^eth_getLogs failed for blocks \d+\.\.\d+ after 2 attempts: HTTP 429/);
      // Before the fix, ethers' "exceeded maximum retry limit" after its own 429 retries read as a
      // range refusal ("exceed"), and the range was split down to single blocks.
      expect(rpc.count("eth_getLogs")).to.equal(2);
      expect(Date.now() - started).to.be.lessThan(30_000);
    });

    it("a JSON-RPC rate-limit error (-32005, HTTP 200) is retried, not split as a range refusal", async () => {
      rpc.setPlan({ always: "rpcRateLimit" });
      const error = await readLedger(via(), l.ledger, { fromBlock: l.fromBlock, toBlock, maxAttempts: 3, backoffMs: 20 }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(LedgerReadError);
      expect((error as Error).message).to.match(/after 3 attempts: JSON-RPC error -32005 daily request count exceeded, request rate limited$/);
      expect(rpc.count("eth_getLogs"), "no splitting").to.equal(3);
      rpc.setPlan({ seed: 5, rates: { rpcRateLimit: 0.3 }, maxConsecutive: 2 });
      same(await readLedger(via(), l.ledger, { fromBlock: l.fromBlock, backoffMs: 20 }), direct, "events");
      expect(rpc.faults.get("rpcRateLimit") ?? 0).to.be.greaterThan(0);
    });

    const failing: [FaultKind, RegExp][] = [
      ["http503", /HTTP 503/],
      ["http502", /HTTP 502/],
      ["drop", /connection failed|socket hang up|ECONNRESET/],
      ["malformed", /malformed response/],
      ["slow", /timed out/],
      ["http429", /HTTP 599|429/],
      ["rpcRateLimit", /JSON-RPC error -32005 daily request count exceeded/],
    ];
    for (const [kind, reason] of failing) {
      it(`the CLI exits 1 with one line within bounded time when every request gets ${kind}`, async () => {
        rpc.setPlan({ always: kind, spare: 2, slowMs: 4_000 });
        const started = Date.now();
        const r = await runCli([...cliArgs(rpc.url), "--timeout", "3000", "verify"]);
        const seconds = (Date.now() - started) / 1000;
        const seen = `${r.stderr} after requests ${JSON.stringify(rpc.history)}`;
        expect(r.code, seen).to.equal(1);
        expect(oneLine(r), seen).to.have.length(1);
        expect(r.stderr, seen).to.match(/^commons: eth_blockNumber failed after 5 attempts: /);
        expect(r.stderr).to.match(reason);
        // 2 spared probe requests, then 5 attempts (ethers adds its own throttle retries on 429).
        expect(rpc.requests() - 2, "requests after the probe").to.be.at.most(kind === "http429" ? 5 * 12 : 5);
        expect(seconds, "seconds").to.be.lessThan(60);
      });
    }

    it("the CLI exits 1 with one line when the node is down", async () => {
      const gone = await startFakeRpc(l.rpc);
      const url = gone.url;
      await gone.close();
      const started = Date.now();
      const r = await runCli([...cliArgs(url), "--timeout", "3000", "verify"]);
      expect(r.code).to.equal(1);
      expect(oneLine(r)).to.have.length(1);
      expect(r.stderr).to.match(/^commons: cannot reach the RPC at http:\/\/127\.0\.0\.1:\d+: /);
      expect(Date.now() - started).to.be.lessThan(30_000);
    });
  });

  // ------------------------------------------------------------ IN-LOGS-EMITTER
  describe("IN-LOGS-EMITTER: logs of another Ledger at another address", () => {
    it("the unfiltered node really returns both deployments' logs with the same topics", async () => {
      const all = await l.provider.getLogs({ fromBlock: l.fromBlock, toBlock });
      const emitters = new Set(all.map((x) => x.address.toLowerCase()));
      expect(emitters).to.include(second.toLowerCase());
      expect(emitters).to.include(l.ledger.toLowerCase());
      const recordedTopic = direct.entries.length > 0 ? all.find((x) => x.address === l.ledger)!.topics[0] : "";
      expect(all.some((x) => x.address === second && x.topics[0] === recordedTopic)).to.equal(true);
    });

    it("readLedger and verifyLedger never mix them in, even when the RPC ignores the address filter", async () => {
      rpc.setPlan({ ...FAULTY, dropAddressFilter: true });
      const provider = via();
      const events = await readLedger(provider, l.ledger, { fromBlock: l.fromBlock, backoffMs: 50 });
      same(events, direct, "events");
      const other = await readLedger(provider, second, { fromBlock: l.fromBlock, backoffMs: 50 });
      same(other, directSecond, "events");
      expect(other.entries).to.have.length(recordedSecond);
      const report = await verifyLedger(provider, l.ledger, { fromBlock: l.fromBlock, backoffMs: 50 });
      same(strip(report), strip(directReport), "verify reports");
    });

    it("the CLI verifies each deployment on its own through the unfiltering RPC", async () => {
      rpc.setPlan({ dropAddressFilter: true, maxBlockSpan: 1_000 });
      const [a, b] = await Promise.all([runCli([...cliArgs(rpc.url), "verify", "--json"]), runCli([...cliArgs(rpc.url, second), "verify", "--json"])]);
      expect(a.code, a.stderr).to.equal(0);
      expect(b.code, b.stderr).to.equal(0);
      expect(JSON.parse(a.stdout)).to.include({ ok: true, entries: recorded });
      expect(JSON.parse(b.stdout)).to.include({ ok: true, entries: recordedSecond });
    });
  });

  // ------------------------------------------------------------ fast paths
  describe("the reader's and verifier's fast paths agree with the reference implementations", () => {
    it("direct eth_getLogs gives the same Log objects as ethers' provider.getLogs", async () => {
      const mine = await fetchLogs(l.provider, l.ledger, { fromBlock: l.fromBlock, toBlock });
      const theirs = await l.provider.getLogs({ address: l.ledger, fromBlock: l.fromBlock, toBlock });
      same(
        mine.map((x) => x.toJSON()),
        theirs.map((x) => x.toJSON()),
        "logs",
      );
    });

    it("decodeLedgerLogs' word decoder equals ethers' Interface decoding (record, hash, args)", async () => {
      const logs = await fetchLogs(l.provider, l.ledger, { fromBlock: l.fromBlock, toBlock });
      same(decodeLedgerLogs(logs), decodeLedgerLogs(logs, { generic: true }), "decoded events");
      same(
        direct.entries.map((e) => e.recordHash),
        direct.entries.map((e) => hashRecord(e.record)),
        "record hashes",
      );
    });

    it("verifyChain (steps hashed from bytes) equals the ABI-encoded reference, on the ledger and on tampered copies", async () => {
      const [count, head] = (await new Contract(l.ledger, LEDGER_ABI, l.provider).tip()) as [bigint, string];
      const tip = { count, head };
      // The reference takes the interval from the deployed contract, not from the LIMITS verifyChain uses.
      const interval = (await new Contract(l.ledger, ["function CHECKPOINT_INTERVAL() view returns (uint256)"], l.provider).CHECKPOINT_INTERVAL()) as bigint;
      const links = direct.entries;
      const cases: [string, typeof links, typeof tip, Map<bigint, string>][] = [
        ["the ledger", links, tip, direct.checkpoints],
        ["a missing entry", links.filter((e) => e.id !== 200n), tip, direct.checkpoints],
        ["another signer", links.map((e) => (e.id === 300n ? { ...e, signer: links[0].signer } : e)), tip, direct.checkpoints],
        ["another record hash", links.map((e) => (e.id === 1_000n ? { ...e, recordHash: "0x" + "ab".repeat(32) } : e)), tip, new Map()],
        ["a wrong checkpoint", links, tip, new Map([...direct.checkpoints, [3n, "0x" + "cd".repeat(24)]])],
        ["a shorter tip", links, { count: count - 1n, head }, direct.checkpoints],
        ["another head", links, { count, head: "0x" + "ef".repeat(24) }, direct.checkpoints],
      ];
      for (const [what, l_, t, c] of cases) same(verifyChain(l_, t, c), referenceChain(l_, t, c, interval), what);
    });

    it("checkEoaSignatures agrees with ecrecover by the contract's rules, valid or not", () => {
      const wallets = Array.from({ length: 12 }, (_, i) => readBenchWallet(`faults/ecdsa/${i}`));
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const half = n / 2n;
      const checks: EoaSignatureCheck[] = [];
      const expected: boolean[] = [];
      for (let i = 0; i < 1_500; i++) {
        const w = wallets[i % wallets.length];
        const digest = keccak256(toUtf8Bytes(`digest ${i}`));
        let sig = w.signingKey.sign(digest).serialized;
        let agent = w.address;
        let check = digest;
        const flip = (v: string) => (v === "1b" ? "1c" : "1b");
        switch (i % 23) {
          case 3:
            sig = sig.slice(0, 130) + flip(sig.slice(130));
            break; // the other recovery id
          case 5:
            agent = wallets[(i + 1) % wallets.length].address;
            break; // someone else's
          case 7: {
            const s_ = BigInt("0x" + sig.slice(66, 130));
            sig = sig.slice(0, 66) + (n - s_).toString(16).padStart(64, "0") + flip(sig.slice(130));
            break;
          } // high s (malleated)
          case 11:
            sig = "0x" + "00".repeat(31) + "05" + sig.slice(66);
            break; // r not on the curve
          case 13:
            sig = sig.slice(0, 130) + (sig.endsWith("1b") ? "00" : "01");
            break; // v 0/1
          case 17:
            check = keccak256(toUtf8Bytes(`other ${i}`));
            break; // another digest
          case 19:
            sig = sig.slice(0, 128);
            break; // 64 bytes
          case 21:
            sig = "0x" + n.toString(16) + sig.slice(66);
            break; // r = n
        }
        checks.push({ digest: check, signature: sig, agent });
        let ok = false;
        if (sig.length === 132 && ["1b", "1c"].includes(sig.slice(130)) && BigInt("0x" + sig.slice(66, 130)) <= half) {
          try {
            ok = recoverAddress(check, sig) === agent;
          } catch {
            ok = false;
          }
        }
        expected.push(ok);
      }
      expect(expected.filter((x) => !x).length).to.be.greaterThan(400);
      // libsecp256k1 (native) where it loads, and the JavaScript batch check, give the same verdicts.
      expect(nativeSignatureChecks, "the secp256k1 native binding loads on this machine").to.equal(true);
      expect(checkEoaSignatures(checks)).to.deep.equal(expected);
      expect(checkEoaSignatures(checks, undefined, { native: false })).to.deep.equal(expected);
      // All valid: one batch; all from an agent without a valid signature: none.
      const valid = checks.filter((_, i) => expected[i]);
      expect(checkEoaSignatures(valid).every(Boolean)).to.equal(true);
      expect(checkEoaSignatures(valid, undefined, { native: false }).every(Boolean)).to.equal(true);
    });

    it("refuses a malleated high-s copy and a bad v with libsecp256k1 and with @noble/curves alike", () => {
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const w = readBenchWallet("faults/ecdsa/0");
      const digest = keccak256(toUtf8Bytes("malleable"));
      const sig = w.signingKey.sign(digest).serialized;
      const v = sig.slice(130);
      const other = v === "1b" ? "1c" : "1b";
      const highS = sig.slice(0, 66) + (n - BigInt("0x" + sig.slice(66, 130))).toString(16).padStart(64, "0") + other;
      // The malleated copy is a valid secp256k1 signature of the same key (ecrecover without the low-s rule accepts it).
      const malleated = secp256k1.Signature.fromCompact(highS.slice(2, 130)).addRecoveryBit(Number.parseInt(other, 16) - 27);
      expect("0x" + malleated.recoverPublicKey(digest.slice(2)).toHex(false)).to.equal(w.signingKey.publicKey);
      const cases: [string, string, boolean][] = [
        ["the signature", sig, true],
        ["its high-s copy", highS, false],
        ["v flipped", sig.slice(0, 130) + other, false],
        ["v 0", sig.slice(0, 130) + "00", false],
        ["v 1", sig.slice(0, 130) + "01", false],
        ["v 29", sig.slice(0, 130) + "1d", false],
        ["s = 0", sig.slice(0, 66) + "00".repeat(32) + v, false],
        ["r = 0", "0x" + "00".repeat(32) + sig.slice(66), false],
      ];
      const checks = cases.map(([, signature]) => ({ digest, signature, agent: w.address }));
      const expected = cases.map(([, , ok]) => ok);
      expect(nativeSignatureChecks).to.equal(true);
      expect(checkEoaSignatures(checks), "libsecp256k1").to.deep.equal(expected);
      expect(checkEoaSignatures(checks, undefined, { native: false }), "@noble/curves").to.deep.equal(expected);
      // And with the agent's key already known (the cache path), in both.
      expect(checkEoaSignatures([...checks].reverse()).reverse(), "libsecp256k1, key known").to.deep.equal(expected);
      expect(checkEoaSignatures([...checks].reverse(), undefined, { native: false }).reverse(), "@noble/curves, key known").to.deep.equal(expected);
    });

    it("verify checks signatures in a worker thread with the same result", async () => {
      same(strip(await verifyLedger(l.provider, l.ledger, { fromBlock: l.fromBlock, worker: true })), strip(directReport), "verify reports");
      same(strip(await verifyLedger(l.provider, l.ledger, { fromBlock: l.fromBlock, worker: false })), strip(directReport), "verify reports");
    });

    it("verify with @noble/curves instead of libsecp256k1 (native off) gives the same report", async () => {
      same(strip(await verifyLedger(l.provider, l.ledger, { fromBlock: l.fromBlock, native: false, worker: false })), strip(directReport), "verify reports");
      same(strip(await verifyLedger(l.provider, l.ledger, { fromBlock: l.fromBlock, native: false, worker: true })), strip(directReport), "verify reports");
    });

    it("core's calldata reader finds each entry's signature as the ABI decoding of its transaction does", async () => {
      const entries = direct.entries.filter((_, i) => i % 97 === 0);
      for (const e of entries) {
        const tx = (await l.provider.getTransaction(e.transactionHash))!;
        const call = ledgerInterface().parseTransaction({ data: tx.data })!;
        const records = call.name === "recordBatch" ? (call.args[0] as unknown[]) : [call.args[0]];
        const sigs = call.name === "recordBatch" ? (call.args[1] as string[]) : [call.args[1] as string];
        const k = records.findIndex((r) => hashRecord(toRecord(r)) === e.recordHash);
        expect(k, `entry ${e.id}`).to.be.greaterThan(-1);
        expect(signatureFromCalldata(tx.data, e.recordHash)).to.equal(sigs[k].toLowerCase());
      }
      expect(signatureFromCalldata("0x1234", direct.entries[0].recordHash)).to.equal(undefined);
    });

    it("a copy of a recorded record with a bad signature, skipped in a later transaction, does not fail verify", async () => {
      const skipped = direct.skipped.filter((x) => /LedgerInvalidNonce/.test(x.reason));
      expect(skipped).to.have.length(1);
      const replayed = direct.entries[REPLAYED - 1];
      expect(skipped[0].transactionHash).to.not.equal(replayed.transactionHash);
      expect(directReport.ok).to.equal(true);
      expect(directReport.problems).to.deep.equal([]);
    });
  });

  // ------------------------------------------------------------ invalid input
  describe("invalid input makes no RPC call and exits 2 with one line", () => {
    const cases: [string, string[], RegExp][] = [
      ["an --rpc that is not a URL", ["--rpc", "not a url"], /^commons: --rpc: "not a url" is not a URL/],
      ["an --rpc without a scheme", ["--rpc", "localhost:8545"], /^commons: --rpc: "localhost:8545" must be an http\(s\) URL/],
      ["an --rpc that is not http(s)", ["--rpc", "ftp://127.0.0.1:8545"], /^commons: --rpc: .* must be an http\(s\) URL/],
      ["a short --ledger", ["--ledger", "0x1234"], /^commons: --ledger: "0x1234" is not an address/],
      ["a --ledger with bad hex", ["--ledger", "0x" + "zz".repeat(20)], /^commons: --ledger: .* is not an address/],
      [
        "a --ledger with a wrong checksum",
        ["--ledger", "0x5FbDB2315678afecb367f032d93F642f64180Aa3"],
        /^commons: --ledger: "0x5FbDB2315678afecb367f032d93F642f64180Aa3" has a wrong checksum \(mixed-case letters\): check it for a typo/,
      ],
      ["a negative --from-block", ["--from-block=-1"], /^commons: --from-block: "-1" is not a non-negative integer/],
      ["a fractional --from-block", ["--from-block", "1.5"], /^commons: --from-block: "1.5" is not a non-negative integer/],
      ["a --from-block tag", ["--from-block", "latest"], /^commons: --from-block: "latest" is not a non-negative integer/],
      ["a --from-block beyond 2^53", ["--from-block", "9007199254740993"], /^commons: --from-block: 9007199254740993 is too large/],
    ];
    for (const [what, flags, message] of cases) {
      for (const command of [
        ["verify", "--json"],
        ["accounts", "--json"],
      ]) {
        it(`${command[0]}: ${what}`, async () => {
          rpc.setPlan({});
          // Everything else points at the counting proxy: a fallback to it would be counted.
          const r = await runCli([...flags, ...command], { COMMONS_RPC_URL: rpc.url, COMMONS_LEDGER: l.ledger });
          expect(r.code, r.stdout + r.stderr).to.equal(2);
          expect(oneLine(r), r.stderr).to.have.length(1);
          expect(r.stderr).to.match(message);
          expect(r.stdout).to.equal("");
          expect(rpc.requests(), "RPC requests").to.equal(0);
        });
      }
    }
  });
});
