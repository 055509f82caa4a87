// `verifyLedger` and `commons verify` on wallet (ERC-1271) signatures (VERIFY-LOCAL, SIG-1271,
// review finding V-1): a signature is judged the way the contract saw it; an entry the verifier
// cannot decide from what the node offers is reported alone, as undecided with its reason, and the
// rest of the ledger still verifies. One anvil holds six entries, each a case; a small JSON-RPC
// proxy in front of it plays the nodes that differ (no tracing, as most public RPCs; a failing
// request; a node that goes down; a node serving a forged signature).
import { expect } from "chai";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Contract, ContractFactory, Interface, JsonRpcProvider, Network, Wallet, ZeroAddress } from "ethers";
import type { TransactionReceipt, TransactionResponse } from "ethers";
import { LEDGER_ABI } from "../scripts/lib/core/abi.js";
import { FastRecordSigner, workRecord } from "../scripts/lib/kit/relayer.js";
import { startDevLedger } from "../scripts/lib/node/dev-chain.js";
import type { DevLedger } from "../scripts/lib/node/dev-chain.js";
import { ledgerInterface, LedgerReadError } from "../scripts/lib/core/reader.js";
import { ledgerDomain } from "../scripts/lib/core/record.js";
import type { LedgerRecord } from "../scripts/lib/core/record.js";
import { devWallet } from "../scripts/demo/seed.js";
import { verifyLedger } from "../scripts/lib/verify/ledger.js";
import type { VerifyOptions, VerifyReport } from "../scripts/lib/verify/ledger.js";
import { walletSignatureValid } from "../scripts/lib/verify/wallets.js";
import { root, runCli } from "./helpers/local-ledger.js";

// ------------------------------------------------------------------ a JSON-RPC proxy with hooks

interface RpcCall {
  jsonrpc?: string;
  id?: unknown;
  method: string;
  params: unknown[];
}
interface RpcReply {
  jsonrpc: "2.0";
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

/** What the proxy does with one call: pass it on (undefined), answer it, or fail the whole HTTP request with 503. */
type Hook = (call: RpcCall) => Omit<RpcReply, "jsonrpc" | "id"> | "down" | undefined;

interface Proxy {
  url: string;
  hook: Hook;
  /** Changes the node's reply to a call that was passed on. */
  rewrite: (call: RpcCall, reply: RpcReply) => RpcReply;
  close(): Promise<void>;
}

/** Most public RPCs: no debug_* namespace. */
const NO_TRACING: Hook = (call) =>
  call.method.startsWith("debug_") ? { error: { code: -32601, message: `the method ${call.method} does not exist/is not available` } } : undefined;

async function startProxy(upstream: string): Promise<Proxy> {
  const proxy: Proxy = { url: "", hook: () => undefined, rewrite: (_, r) => r, close: async () => {} };
  const server = http.createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const parsed = JSON.parse(body) as RpcCall | RpcCall[];
    const calls = Array.isArray(parsed) ? parsed : [parsed];
    const replies: RpcReply[] = [];
    for (const call of calls) {
      const hooked = proxy.hook(call);
      if (hooked === "down") return void res.writeHead(503, { "content-type": "text/plain" }).end("Service Unavailable");
      if (hooked) {
        replies.push({ jsonrpc: "2.0", id: call.id, ...hooked });
        continue;
      }
      const answer = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(call) });
      replies.push(proxy.rewrite(call, (await answer.json()) as RpcReply));
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(Array.isArray(parsed) ? replies : replies[0]));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return proxy;
}

// ------------------------------------------------------------------ the ledger and its six cases

const WALLET_MODE = { Honest: 0, ShortReturn: 3, AlwaysValid: 6 } as const;
const JUNK = "0x" + "11".repeat(65); // no one's signature: an honest wallet says invalid
const newKey = () => new Wallet(Wallet.createRandom().privateKey);

/**
 * A contract that forwards its calldata to `target` (reverting as it does): a record sent through
 * it is not a direct call, so its signature is in the calldata of an inner call only.
 */
function forwarderInitCode(target: string): string {
  const runtime = "365f5f375f5f365f5f73" + target.slice(2).toLowerCase() + "5af13d5f5f3e602a573d5ffd5b3d5ff3";
  return "0x602e600a5f39602e5ff3" + runtime;
}

interface Case {
  id: bigint;
  block: number;
  tx: string;
  agent: string;
  /** The record's EIP-712 digest. */
  digest: string;
}

interface Fixture {
  l: DevLedger;
  /** Deploys another ERC1271WalletMock (owned by a random key) in the given mode. */
  deployWallet(mode: number): Promise<string>;
  /** An EOA's signature, sent directly. */
  eoa: Case;
  /** An honest wallet, its owner's signature. */
  wallet: Case;
  /** V-1: a wallet switched to "always valid" just before the record and back just after, in one block. */
  flipped: Case;
  /** An EOA delegated (EIP-7702) to an always-valid wallet just before the record and undelegated just after, in one block. */
  delegated: Case;
  /** Another honest wallet (the proxy fails its eth_call in some tests). */
  fragile: Case;
  /** An EOA's signature, sent through a forwarding contract. */
  forwarded: Case;
}

async function deployFixture(): Promise<Fixture> {
  const l = await startDevLedger({ name: "verify", stateInterval: 86_400 });
  const p = l.provider;
  const payer = devWallet(7, p);
  const artifact = JSON.parse(readFileSync(path.join(root, "artifacts/contracts/mocks/ERC1271WalletMock.sol/ERC1271WalletMock.json"), "utf8")) as {
    abi: [];
    bytecode: string;
  };
  const walletInterface = new Interface(artifact.abi);
  const deployWallet = async (owner: string) => {
    const w = await (await new ContractFactory(artifact.abi, artifact.bytecode, payer).deploy(owner)).waitForDeployment();
    return w as unknown as Contract & { setMode(mode: number, o: object): Promise<TransactionResponse> };
  };
  const ledger = new Contract(l.ledger, LEDGER_ABI, payer);
  const signer = new FastRecordSigner(ledgerDomain(31337n, l.ledger));
  const t = BigInt((await p.getBlock("latest"))!.timestamp);
  const recordOf = (agent: string) => workRecord(agent, { nonce: 0n, time: t - 60n, deadline: t + 3600n });
  const recorded = async (receipt: TransactionReceipt | null, record: LedgerRecord): Promise<Case> => {
    expect(receipt?.status).to.equal(1);
    const [count] = (await ledger.tip()) as [bigint, string];
    return { id: count, block: receipt!.blockNumber, tx: receipt!.hash, agent: record.provider, digest: signer.digest(record) };
  };
  /** Sends the transactions from `payer` (nonces from `nonce` on) and mines them in one block. */
  const inOneBlock = async (send: (nonce: number) => Promise<{ hash: string }>[]): Promise<string[]> => {
    await p.send("evm_setAutomine", [false]);
    try {
      const sent = await Promise.all(send(await payer.getNonce()));
      await p.send("evm_mine", []);
      return sent.map((x) => x.hash);
    } finally {
      await p.send("evm_setAutomine", [true]);
    }
  };

  const eoaKey = newKey();
  const r1 = recordOf(eoaKey.address);
  const eoa = await recorded(await (await ledger.record(r1, signer.signDigest(eoaKey, signer.digest(r1)))).wait(), r1);

  const owner = newKey();
  const honest = await deployWallet(owner.address);
  const r2 = recordOf(await honest.getAddress());
  const wallet = await recorded(await (await ledger.record(r2, signer.signDigest(owner, signer.digest(r2)))).wait(), r2);

  // The audit's proof of concept: on, record, off, in one block.
  const switched = await deployWallet(owner.address);
  const r3 = recordOf(await switched.getAddress());
  const [, flipTx] = await inOneBlock((nonce) => [
    switched.setMode(WALLET_MODE.AlwaysValid, { nonce, gasLimit: 100_000 }),
    ledger.record(r3, JUNK, { nonce: nonce + 1, gasLimit: 600_000 }),
    switched.setMode(WALLET_MODE.Honest, { nonce: nonce + 2, gasLimit: 100_000 }),
  ]);
  const flipped = await recorded(await p.getTransactionReceipt(flipTx), r3);

  // EIP-7702: delegate to the wallet's code and set its mode, record, remove the delegation.
  const account = newKey();
  const r4 = recordOf(account.address);
  const delegate = account.authorizeSync({ address: await honest.getAddress(), nonce: 0n, chainId: 31337n });
  const undelegate = account.authorizeSync({ address: ZeroAddress, nonce: 1n, chainId: 31337n });
  const [, delegatedTx] = await inOneBlock((nonce) => [
    payer.sendTransaction({
      type: 4,
      to: account.address,
      data: walletInterface.encodeFunctionData("setMode", [WALLET_MODE.AlwaysValid]),
      authorizationList: [delegate],
      nonce,
      gasLimit: 200_000,
    }),
    ledger.record(r4, JUNK, { nonce: nonce + 1, gasLimit: 600_000 }),
    payer.sendTransaction({ type: 4, to: account.address, authorizationList: [undelegate], nonce: nonce + 2, gasLimit: 200_000 }),
  ]);
  const delegated = await recorded(await p.getTransactionReceipt(delegatedTx), r4);
  expect(await p.getCode(account.address, delegated.block)).to.equal("0x");

  const fragileWallet = await deployWallet(owner.address);
  const r5 = recordOf(await fragileWallet.getAddress());
  const fragile = await recorded(await (await ledger.record(r5, signer.signDigest(owner, signer.digest(r5)))).wait(), r5);

  const forwarder = (await (await payer.sendTransaction({ data: forwarderInitCode(l.ledger) })).wait())!.contractAddress!;
  const otherKey = newKey();
  const r6 = recordOf(otherKey.address);
  const viaForwarder = await payer.sendTransaction({
    to: forwarder,
    data: ledgerInterface().encodeFunctionData("record", [r6, signer.signDigest(otherKey, signer.digest(r6))]),
    gasLimit: 600_000,
  });
  const forwarded = await recorded(await viaForwarder.wait(), r6);

  expect([eoa, wallet, flipped, delegated, fragile, forwarded].map((c) => c.id)).to.deep.equal([1n, 2n, 3n, 4n, 5n, 6n]);
  const deployOther = async (mode: number) => {
    const w = await deployWallet(newKey().address);
    await (await w.setMode(mode, {})).wait();
    return w.getAddress();
  };
  return { l, deployWallet: deployOther, eoa, wallet, flipped, delegated, fragile, forwarded };
}

// ------------------------------------------------------------------ expected sentences

const flipSentence = (c: Case) =>
  `the wallet ${c.agent} said invalid before and after block ${c.block}, yet the contract accepted its signature in that block: the wallet's answer changed within the block, which a node without transaction tracing cannot replay`;
const delegationSentence = (c: Case, tx: string) =>
  `${c.agent} had no code before and after block ${c.block}, but transaction ${tx} of that block carries its EIP-7702 delegation: the wallet code the contract accepted the signature with existed only within the block, which a node without transaction tracing cannot replay`;
const untraceableSentence = (c: Case) => `transaction ${c.tx} was sent through a contract and the node cannot trace it; signature not checked`;
const nodeFailedSentence = (c: Case, failure: string) => `not ${c.agent}'s EOA signature, and the node failed a request needed to ask the wallet (${failure})`;

const summary = (r: VerifyReport) => ({
  ok: r.ok,
  entries: r.entries,
  eoaSignatures: r.eoaSignatures,
  contractSignatures: r.contractSignatures,
  problems: r.problems,
  undecided: r.undecided,
  headMatches: r.head === r.onChainHead.toLowerCase(),
});

describe("verify", function () {
  this.timeout(300_000);
  let f: Fixture;
  let proxy: Proxy;
  let viaProxy: JsonRpcProvider;
  /** Through the proxy, one JSON-RPC call per HTTP request (so that a hooked call fails alone). */
  const verifyViaProxy = (opts: VerifyOptions = {}) => verifyLedger(viaProxy, f.l.ledger, { fromBlock: f.l.fromBlock, maxAttempts: 2, backoffMs: 10, ...opts });
  /** The undecided entries a node without tracing reports for this ledger. */
  let withoutTracing: { id: bigint; reason: string }[];

  before(async function () {
    this.timeout(600_000);
    f = await deployFixture();
    proxy = await startProxy(f.l.rpc);
    viaProxy = new JsonRpcProvider(proxy.url, Network.from(31337), { staticNetwork: true, cacheTimeout: -1, batchMaxCount: 1 });
    const block = await f.l.provider.getBlock(f.delegated.block);
    withoutTracing = [
      { id: f.flipped.id, reason: flipSentence(f.flipped) },
      { id: f.delegated.id, reason: delegationSentence(f.delegated, block!.transactions[0]) },
      { id: f.forwarded.id, reason: untraceableSentence(f.forwarded) },
    ];
  });

  afterEach(() => {
    proxy.hook = () => undefined;
    proxy.rewrite = (_, r) => r;
  });

  after(async () => {
    viaProxy?.destroy();
    await proxy?.close();
    await f?.l.stop();
  });

  describe("verifyLedger", () => {
    describe("when the node traces transactions", () => {
      it("verifies every entry, wallets judged by the answer the contract got in the trace", async () => {
        const report = await verifyLedger(f.l.provider, f.l.ledger, { fromBlock: f.l.fromBlock });
        expect(summary(report)).to.deep.equal({
          ok: true,
          entries: 6,
          eoaSignatures: 2,
          contractSignatures: 4,
          problems: [],
          undecided: [],
          headMatches: true,
        });
      });
    });

    describe("when the node cannot trace transactions", () => {
      let report: VerifyReport;
      before(async () => {
        proxy.hook = NO_TRACING;
        report = await verifyViaProxy();
      });

      it("V-1: reports a wallet switched on and off within its recording block as undecided for that entry alone; the rest verifies", () => {
        expect(report.undecided.find((u) => u.id === f.flipped.id)).to.deep.equal({ id: f.flipped.id, reason: flipSentence(f.flipped) });
        expect(report.ok).to.equal(true);
        expect(report.problems).to.deep.equal([]);
      });

      it("reports an EIP-7702 account delegated and undelegated within its recording block as undecided", () => {
        expect(report.undecided.find((u) => u.id === f.delegated.id)).to.deep.equal(withoutTracing[1]);
      });

      it("reports a record sent through a contract as undecided", () => {
        expect(report.undecided.find((u) => u.id === f.forwarded.id)).to.deep.equal(withoutTracing[2]);
      });

      it("verifies the EOA and the honest wallets, and counts nothing else", () => {
        expect(summary(report)).to.deep.equal({
          ok: true,
          entries: 6,
          eoaSignatures: 1,
          contractSignatures: 2,
          problems: [],
          undecided: withoutTracing,
          headMatches: true,
        });
      });
    });

    describe("when the node fails one wallet's eth_call", () => {
      const failingFor =
        (agent: string, error: { code: number; message: string }): Hook =>
        (call) =>
          call.method === "eth_call" && (call.params[0] as { to?: string }).to?.toLowerCase() === agent.toLowerCase() ? { error } : NO_TRACING(call);

      it("reports that entry undecided, naming the failure, when the node lacks the state (a pruned node)", async () => {
        proxy.hook = failingFor(f.fragile.agent, { code: -32000, message: "missing trie node 8e2f71c5 (path ) state is not available" });
        const report = await verifyViaProxy();
        const failure = `eth_call isValidSignature on ${f.fragile.agent} at block ${f.fragile.block - 1} failed: JSON-RPC error -32000 missing trie node 8e2f71c5 (path ) state is not available`;
        const expected = [...withoutTracing, { id: f.fragile.id, reason: nodeFailedSentence(f.fragile, failure) }].sort((a, b) => Number(a.id - b.id));
        expect(summary(report)).to.deep.equal({
          ok: true,
          entries: 6,
          eoaSignatures: 1,
          contractSignatures: 1,
          problems: [],
          undecided: expected,
          headMatches: true,
        });
      });

      it("reports that entry undecided after bounded retries when the node keeps rate-limiting it", async () => {
        let calls = 0;
        const limited = failingFor(f.fragile.agent, { code: -32005, message: "daily request count exceeded, request rate limited" });
        proxy.hook = (call) => {
          const hooked = limited(call);
          if (hooked !== undefined && call.method === "eth_call") calls++;
          return hooked;
        };
        const report = await verifyViaProxy();
        const failure = `eth_call isValidSignature on ${f.fragile.agent} at block ${f.fragile.block - 1} failed after 2 attempts: JSON-RPC error -32005 daily request count exceeded, request rate limited`;
        expect(report.ok).to.equal(true);
        expect(report.undecided.find((u) => u.id === f.fragile.id)).to.deep.equal({ id: f.fragile.id, reason: nodeFailedSentence(f.fragile, failure) });
        expect(calls, "2 attempts at each block boundary").to.equal(4);
      });
    });

    describe("when the node goes down during the wallet checks", () => {
      it("rejects with one LedgerReadError naming the failed request", async () => {
        let down = false;
        proxy.hook = (call) => {
          if (call.method === "eth_getCode") down = true;
          return down ? "down" : NO_TRACING(call);
        };
        const error = await verifyViaProxy().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(LedgerReadError);
        expect((error as Error).message).to.match(/^eth_getCode 0x[0-9a-fA-F]{40} at block \d+ failed after 2 attempts: HTTP 503 Service Unavailable$/);
      });
    });

    describe("when the node serves a forged EOA signature", () => {
      /** Entry 1's transaction with another key's signature of the same record in place of its agent's. */
      const forging = (): Proxy["rewrite"] => {
        const forger = newKey();
        return (call, reply) => {
          if (call.method !== "eth_getTransactionByHash" || call.params[0] !== f.eoa.tx) return reply;
          const tx = reply.result as { input: string };
          const parsed = ledgerInterface().parseTransaction({ data: tx.input })!;
          const forged = forger.signingKey.sign(f.eoa.digest).serialized;
          return { ...reply, result: { ...tx, input: tx.input.replace(parsed.args[1].slice(2), forged.slice(2)) } };
        };
      };

      it("fails the ledger for that entry (no code before or after its block) and still lists the undecided ones", async () => {
        proxy.hook = NO_TRACING;
        proxy.rewrite = forging();
        const report = await verifyViaProxy();
        const reason = `the signature does not verify for ${f.eoa.agent}: it is not its EOA signature, and it had no code before or after block ${f.eoa.block} (the contract takes an EOA or an ERC-1271 signature)`;
        expect(summary(report)).to.deep.equal({
          ok: false,
          entries: 6,
          eoaSignatures: 0,
          contractSignatures: 2,
          problems: [{ id: f.eoa.id, reason }],
          undecided: withoutTracing,
          headMatches: true,
        });
      });

      it("fails the ledger for that entry by the trace when the node traces", async () => {
        proxy.rewrite = forging();
        const report = await verifyViaProxy();
        const reason = `the signature does not verify for ${f.eoa.agent}: it is not its EOA signature, and the trace of transaction ${f.eoa.tx} shows the ledger got no ERC-1271 magic value from it`;
        expect(summary(report)).to.deep.equal({
          ok: false,
          entries: 6,
          eoaSignatures: 1,
          contractSignatures: 4,
          problems: [{ id: f.eoa.id, reason }],
          undecided: [],
          headMatches: true,
        });
      });
    });
  });

  describe("walletSignatureValid", () => {
    /** The signature entry `c` was recorded with (its transaction is a direct call). */
    const recordedSignature = async (c: Case) =>
      ledgerInterface().parseTransaction({ data: (await f.l.provider.getTransaction(c.tx))!.data })!.args[1] as string;
    const ask = async (c: Case, provider = f.l.provider) =>
      walletSignatureValid(provider, c.agent, c.digest, [await recordedSignature(c)], c.block, { maxAttempts: 2, backoffMs: 10 });

    it("is true for an honest wallet's owner signature and false for a wallet that said invalid before and after", async () => {
      expect(await ask(f.wallet)).to.equal(true);
      expect(await ask(f.flipped)).to.equal(false);
    });

    it("is false for the magic value in fewer than 32 bytes, as the contract reads it", async () => {
      const short = await f.deployWallet(WALLET_MODE.ShortReturn);
      const block = await f.l.provider.getBlockNumber();
      expect(await walletSignatureValid(f.l.provider, short, f.eoa.digest, [JUNK], block)).to.equal(false);
    });

    it("rejects with a LedgerReadError when the node fails the wallet's eth_call", async () => {
      proxy.hook = (call) => (call.method === "eth_call" ? { error: { code: -32000, message: "missing trie node 8e2f71c5 (path )" } } : undefined);
      const error = await ask(f.fragile, viaProxy).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(LedgerReadError);
      expect((error as Error).message).to.equal(
        `eth_call isValidSignature on ${f.fragile.agent} at block ${f.fragile.block - 1} failed: JSON-RPC error -32000 missing trie node 8e2f71c5 (path )`,
      );
    });
  });

  describe("commons verify", () => {
    const args = () => ["--rpc", proxy.url, "--ledger", f.l.ledger, "--from-block", String(f.l.fromBlock), "verify"];

    describe("when the node cannot trace transactions", () => {
      beforeEach(() => {
        proxy.hook = NO_TRACING;
      });

      it("prints each undecided entry with its reason and exits 0", async () => {
        const run = await runCli(args());
        expect(run.code, run.stderr).to.equal(0);
        const lines = run.stdout.trim().split("\n");
        expect(lines).to.include("signatures: 1 EOA and 2 ERC-1271 verified, 3 undecided");
        expect(lines.filter((x) => x.startsWith("UNDECIDED"))).to.deep.equal(withoutTracing.map((u) => `UNDECIDED at entry ${u.id}: ${u.reason}`));
        expect(lines.at(-1)).to.equal("OK: the ledger verifies, except 3 entries it cannot decide here (UNDECIDED above)");
      });

      it("gives the undecided entries in --json", async () => {
        const run = await runCli([...args(), "--json"]);
        expect(run.code, run.stderr).to.equal(0);
        const report = JSON.parse(run.stdout) as { ok: boolean; problems: unknown[]; undecided: { id: string; reason: string }[]; contractSignatures: number };
        expect(report.ok).to.equal(true);
        expect(report.problems).to.deep.equal([]);
        expect(report.contractSignatures).to.equal(2);
        expect(report.undecided).to.deep.equal(withoutTracing.map((u) => ({ id: String(u.id), reason: u.reason })));
      });
    });
  });
});
