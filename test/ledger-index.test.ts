// The ledger index npm start serves to the app (scripts/lib/core/ledger-index.ts, ledger-indexer.ts)
// and the check the app runs on it (ledger-index-check.ts), on the demo seeded as npm start seeds it.
import { expect } from "chai";
import { AbiCoder, getAddress, hexlify, id, keccak256 } from "ethers";
import type { Log } from "ethers";
import { LedgerClient } from "../scripts/lib/core/client.js";
import { chainStep, GENESIS_HEAD } from "../scripts/lib/core/chain.js";
import { checkLedgerIndex } from "../scripts/lib/core/ledger-index-check.js";
import { decodeLedgerIndex, LEDGER_INDEX_FORMAT, LedgerIndexBuilder, LedgerIndexError } from "../scripts/lib/core/ledger-index.js";
import type { LedgerIndexFile } from "../scripts/lib/core/ledger-index.js";
import { createLedgerIndexer } from "../scripts/lib/node/ledger-indexer.js";
import { ensureAppBuilt, serveApp } from "../scripts/lib/node/app-server.js";
import { decodeLedgerLogs, fetchLogs, ledgerInterface } from "../scripts/lib/core/reader.js";
import type { LedgerEvents } from "../scripts/lib/core/reader.js";
import { seedAll } from "../scripts/demo/seed-all.js";
import type { AllSeeds } from "../scripts/demo/seed-all.js";
import { devWallet } from "../scripts/demo/seed.js";
import { freePort } from "../scripts/lib/node/dev-chain.js";
import { LIMITS } from "../scripts/lib/core/vocabulary.js";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { root, runCli, startLocalLedger } from "./helpers/local-ledger.js";
import type { LocalLedger } from "./helpers/local-ledger.js";
import { checkEquationBytes, equationBytes, equationCid } from "../scripts/lib/distribution/equation-store.js";
import { equationHash } from "../scripts/lib/distribution/value-equation.js";
import { storeEquation } from "../scripts/lib/node/equations.js";

/** The events as plain data (lazy record hashes read, bigints kept) for deep comparison. */
function plain(e: LedgerEvents) {
  return {
    entries: e.entries.map((x) => ({ ...x, recordHash: x.recordHash })),
    validations: e.validations,
    corrections: e.corrections,
    checkpoints: [...e.checkpoints],
    skipped: e.skipped,
    all: e.all.map(({ name, args, blockNumber, transactionHash, logIndex }) => ({ name, args, blockNumber, transactionHash, logIndex })),
  };
}

const clone = (f: LedgerIndexFile): LedgerIndexFile => JSON.parse(JSON.stringify(f));

describe("ledger index", function () {
  this.timeout(180_000);
  let l: LocalLedger;
  let seeds: AllSeeds;
  let client: LedgerClient;
  let toBlock: number;
  let logs: Awaited<ReturnType<typeof fetchLogs>>;
  let file: LedgerIndexFile;

  before(async function () {
    l = await startLocalLedger();
    seeds = await seedAll(l.provider, l.contracts, l.fromBlock, { log: () => {} });
    client = await LedgerClient.connect(devWallet(0, l.provider), l.ledger, l.fromBlock);
    // Past the first checkpoint (entry LIMITS.checkpointInterval), so that the ledger has stored one (a Checkpointed event).
    const worker = devWallet(4, l.provider);
    for (let batch = 0; batch < 3; batch++) {
      const items = [];
      for (let i = 0; i < 40; i++)
        items.push(
          await client.sign(worker, { action: "work", commons: seeds.demo.commons, quantity: `${batch + 1}.${i}`, unit: "h" }, { nonceOffset: BigInt(i) }),
        );
      await client.submitBatch(items);
    }
    toBlock = await l.provider.getBlockNumber();
    logs = await fetchLogs(l.provider, l.ledger, { fromBlock: l.fromBlock, toBlock });
    const b = new LedgerIndexBuilder({ chainId: 31337, ledger: l.ledger, genesis: (await l.provider.getBlock(0))!.hash!, fromBlock: l.fromBlock });
    b.add(logs);
    file = b.file(toBlock);
  });

  after(async function () {
    await l?.stop();
  });

  describe("decodeLedgerIndex", function () {
    it("gives exactly what the reader decodes from the logs (entries, validations, corrections, checkpoints, every event)", function () {
      const fromLogs = decodeLedgerLogs(logs);
      expect(fromLogs.entries.length).to.be.greaterThan(20);
      expect(fromLogs.validations.length).to.be.greaterThan(5);
      expect(fromLogs.corrections.length).to.be.greaterThan(0);
      // One checkpoint per closed interval, at least one.
      const closed = Array.from({ length: Math.floor(fromLogs.entries.length / LIMITS.checkpointInterval) }, (_, k) => BigInt(k + 1));
      expect(closed).to.not.deep.equal([]);
      expect([...fromLogs.checkpoints.keys()]).to.deep.equal(closed);
      const { meta, events } = decodeLedgerIndex(JSON.parse(JSON.stringify(file)));
      expect(meta).to.deep.equal({ chainId: 31337, ledger: l.ledger, genesis: file.genesis, fromBlock: l.fromBlock, toBlock });
      expect(plain(events)).to.deep.equal(plain(fromLogs));
    });

    it("leaves address checksums unchecked only when asked to (the page does, the worker checks them)", function () {
      const f = clone(file);
      f.addresses[0] = f.addresses[0].toLowerCase();
      expect(decodeLedgerIndex(f, { checksums: false }).events.entries.length).to.equal(file.entries.length);
      expect(() => decodeLedgerIndex(f)).to.throw(LedgerIndexError, /not in checksum form/);
    });

    it("carries Recorded and Validated logs as compact rows and only the rest as raw logs", function () {
      const fromLogs = decodeLedgerLogs(logs);
      expect(file.format).to.equal(LEDGER_INDEX_FORMAT);
      expect(file.entries).to.have.length(fromLogs.entries.length);
      expect(file.validations).to.have.length(fromLogs.validations.length);
      expect(file.logs).to.have.length(logs.length - fromLogs.entries.length - fromLogs.validations.length);
      expect(JSON.stringify(file).length).to.be.lessThan(JSON.stringify(logs).length / 3);
    });

    it("is the same built block range by block range as built at once", function () {
      const b = new LedgerIndexBuilder({ chainId: 31337, ledger: l.ledger, genesis: file.genesis, fromBlock: l.fromBlock });
      for (let block = l.fromBlock; block <= toBlock; block++) b.add(logs.filter((x) => x.blockNumber === block));
      expect(JSON.stringify(b.file(toBlock))).to.equal(JSON.stringify(file));
    });

    it("goes on from a stored index (LedgerIndexBuilder.from) to the same index as built at once", function () {
      const middle = logs[Math.floor(logs.length / 2)].blockNumber;
      const full = new LedgerIndexBuilder({ chainId: 31337, ledger: l.ledger, genesis: file.genesis, fromBlock: l.fromBlock });
      full.add(logs);
      const resumed = LedgerIndexBuilder.from(clone(full.file(middle)));
      resumed.add(logs.filter((x) => x.blockNumber > middle));
      expect(JSON.stringify(resumed.file(toBlock))).to.equal(JSON.stringify(file));
      // From an index of the first half only (smaller dictionaries): the same events.
      const half = new LedgerIndexBuilder({ chainId: 31337, ledger: l.ledger, genesis: file.genesis, fromBlock: l.fromBlock });
      half.add(logs.filter((x) => x.blockNumber <= middle));
      const onward = LedgerIndexBuilder.from(clone(half.file(middle)));
      onward.add(logs.filter((x) => x.blockNumber > middle));
      expect(plain(decodeLedgerIndex(clone(onward.file(toBlock))).events)).to.deep.equal(plain(decodeLedgerLogs(logs)));
      expect(() => onward.add(logs.slice(0, 1)), "a log before the resumed index's end").to.throw(LedgerIndexError, /logs must come in order/);
    });

    it("leaves out the rows of blocks after the one asked (file(toBlock))", function () {
      const middle = logs[Math.floor(logs.length / 2)].blockNumber;
      const { events } = decodeLedgerIndex(clone(file));
      const b = new LedgerIndexBuilder({ chainId: 31337, ledger: l.ledger, genesis: file.genesis, fromBlock: l.fromBlock });
      b.add(logs);
      const cut = decodeLedgerIndex(clone(b.file(middle)));
      expect(cut.meta.toBlock).to.equal(middle);
      expect(cut.events.entries.length)
        .to.equal(events.entries.filter((e) => e.blockNumber <= middle).length)
        .and.to.be.lessThan(events.entries.length);
      expect(plain(cut.events)).to.deep.equal(plain(decodeLedgerLogs(logs.filter((x) => x.blockNumber <= middle))));
    });

    it("carries a log raw when the decoded events given with it do not line up", function () {
      const b = new LedgerIndexBuilder({ chainId: 31337, ledger: l.ledger, genesis: file.genesis, fromBlock: l.fromBlock });
      b.addDecoded(logs, { entries: [], validations: [], corrections: [], checkpoints: new Map(), skipped: [], all: [] });
      const f = b.file(toBlock);
      expect(f.entries).to.have.length(0);
      expect(f.logs).to.have.length(logs.length);
      expect(plain(decodeLedgerIndex(clone(f)).events)).to.deep.equal(plain(decodeLedgerLogs(logs)));
    });

    it("refuses logs out of order (LedgerIndexError)", function () {
      const b = new LedgerIndexBuilder({ chainId: 31337, ledger: l.ledger, genesis: file.genesis, fromBlock: l.fromBlock });
      b.add(logs.slice(5, 6));
      expect(() => b.add(logs.slice(4, 5))).to.throw(LedgerIndexError, /logs must come in order/);
    });

    // Each malformed index is refused with a message naming what is wrong.
    const cases: [string, (f: LedgerIndexFile) => unknown, RegExp][] = [
      ["not an object", () => [], /not a JSON object/],
      ["another format", (f) => ({ ...f, format: "commons-ledger/ledger-index@0" }), /format is "commons-ledger\/ledger-index@0"/],
      ["a chain id that is not an integer", (f) => ({ ...f, chainId: "31337" }), /chainId is "31337"/],
      ["a malformed ledger address", (f) => ({ ...f, ledger: "0x1234" }), /ledger is "0x1234", not an address/],
      ["a malformed genesis hash", (f) => ({ ...f, genesis: "0xzz" }), /genesis is "0xzz"/],
      ["toBlock before fromBlock", (f) => ({ ...f, fromBlock: 10, toBlock: 5 }), /toBlock 5 is before fromBlock 10/],
      [
        "an address not in checksum form",
        (f) => ({ ...f, addresses: [f.addresses[0].toLowerCase(), ...f.addresses.slice(1)] }),
        /addresses\[0\] is 0x[0-9a-f]{40}, not in checksum form/,
      ],
      ["a malformed word", (f) => ({ ...f, words: ["0x12", ...f.words.slice(1)] }), /words\[0\] is "0x12", not a lowercase 32-byte hex word/],
      ["a malformed unit", (f) => ({ ...f, units: ["h"] }), /units\[0\] is "h", not a lowercase 8-byte hex unit/],
      ["a row of the wrong width", (f) => ({ ...f, entries: [f.entries[0].slice(1), ...f.entries.slice(1)] }), /entries\[0\] is not a row of 22 values/],
      [
        "a reference past its dictionary",
        (f) => ({ ...f, entries: [Object.assign([...f.entries[0]], { 4: 9999 }), ...f.entries.slice(1)] }),
        /entries\[0\] provider is 9999, but addresses has \d+ values/,
      ],
      [
        "an unknown action",
        (f) => ({ ...f, entries: [Object.assign([...f.entries[0]], { 3: 19 }), ...f.entries.slice(1)] }),
        /entries\[0\] action is 19, not an integer from 0 to 18/,
      ],
      [
        "a quantity past uint128",
        (f) => ({ ...f, entries: [Object.assign([...f.entries[0]], { 11: (1n << 128n).toString() }), ...f.entries.slice(1)] }),
        /entries\[0\] quantity is \d+, more than a uint128 holds/,
      ],
      [
        "a negative time",
        (f) => ({ ...f, entries: [Object.assign([...f.entries[0]], { 13: -1 }), ...f.entries.slice(1)] }),
        /entries\[0\] time is -1, not an unsigned integer/,
      ],
      [
        "a fractional nonce",
        (f) => ({ ...f, entries: [Object.assign([...f.entries[0]], { 17: 1.5 }), ...f.entries.slice(1)] }),
        /entries\[0\] nonce is 1.5, not an unsigned integer/,
      ],
      [
        "a verdict other than accept or dispute",
        (f) => ({ ...f, validations: [Object.assign([...f.validations[0]], { 2: 2 }), ...f.validations.slice(1)] }),
        /validations\[0\] verdict is 2, not an integer from 0 to 1/,
      ],
      [
        "an event outside the block range",
        (f) => ({ ...f, toBlock: f.entries[0][19] - 1, fromBlock: 0 }),
        /entries\[0\] is in block \d+, outside the index's blocks 0\.\.\d+/,
      ],
      ["two events at one position", (f) => ({ ...f, entries: [f.entries[0], ...f.entries] }), /two events claim block \d+ log \d+, or a list is out of order/],
      ["entries out of order", (f) => ({ ...f, entries: [f.entries[1], f.entries[0], ...f.entries.slice(2)] }), /out of order/],
      [
        "a raw log that is no Ledger event",
        (f) => ({ ...f, logs: [Object.assign([...f.logs[0]], { 0: [id("Other(uint256)")] }), ...f.logs.slice(1)] }),
        /logs\[0\] is not one of the Ledger's events|logs\[0\] is not a Ledger event that decodes/,
      ],
      [
        "a raw log with uppercase data",
        (f) => ({ ...f, logs: [Object.assign([...f.logs[0]], { 1: "0xABCD" }), ...f.logs.slice(1)] }),
        /logs\[0\] data is not lowercase hex bytes/,
      ],
    ];
    for (const [what, mutate, message] of cases) {
      it(`refuses ${what}`, function () {
        expect(() => decodeLedgerIndex(mutate(clone(file)))).to.throw(LedgerIndexError, message);
      });
    }
  });

  describe("decodeLedgerIndex on random logs (fuzz)", function () {
    // Records and validations with random fields, extremes included (0, max of each width), in
    // random order with the other events: the index must give back exactly what the logs give.
    const rng = (() => {
      let x = 0x9e3779b9;
      return () => (x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    })();
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
    // Deterministic bytes (a failure reproduces).
    const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rng() * 256));
    const uint = (bits: number): bigint =>
      pick([0n, 1n, (1n << BigInt(bits)) - 1n, BigInt(Number.MAX_SAFE_INTEGER), BigInt(Number.MAX_SAFE_INTEGER) + 1n, BigInt(hexlify(randomBytes(bits / 8)))]);
    const word = () => pick([`0x${"00".repeat(32)}`, hexlify(randomBytes(32)), id("shared")]);
    const address = () => pick(["0x0000000000000000000000000000000000000000", getAddress(hexlify(randomBytes(20))), getAddress("0x" + "ab".repeat(20))]);

    it("round-trips 2,000 random events exactly", function () {
      const recorded = ledgerInterface().getEvent("Recorded")!;
      const validated = ledgerInterface().getEvent("Validated")!;
      const corrected = ledgerInterface().getEvent("Corrected")!;
      const checkpointed = ledgerInterface().getEvent("Checkpointed")!;
      const logs: Log[] = [];
      let block = 1;
      let index = 0;
      for (let i = 0; i < 2_000; i++) {
        if (rng() < 0.2) {
          block += 1 + Math.floor(rng() * 3);
          index = 0;
        }
        const kind = rng();
        let enc: { data: string; topics: string[] };
        if (kind < 0.6) {
          const record = {
            flow: Math.floor(rng() * 4),
            action: Math.floor(rng() * 19),
            provider: address(),
            receiver: address(),
            commons: word(),
            resource: word(),
            resourceSpec: word(),
            process: word(),
            side: Math.floor(rng() * 3),
            quantity: uint(128),
            unit: pick(["0x6800000000000000", "0x4555520000000000", hexlify(randomBytes(8))]),
            time: uint(64),
            evidence: word(),
            corrects: uint(64),
            satisfies: uint(64),
            nonce: uint(256),
            deadline: uint(64),
          };
          enc = ledgerInterface().encodeEventLog(recorded, [uint(64), address(), record]);
        } else if (kind < 0.85)
          enc = ledgerInterface().encodeEventLog(validated, [
            uint(64),
            address(),
            Math.floor(rng() * 2),
            word(),
            Math.floor(rng() * 65_536),
            Math.floor(rng() * 65_536),
          ]);
        else if (kind < 0.95) enc = ledgerInterface().encodeEventLog(checkpointed, [uint(64), hexlify(randomBytes(24))]);
        else enc = ledgerInterface().encodeEventLog(corrected, [uint(64), uint(64)]);
        logs.push({
          address: l.ledger,
          topics: enc.topics.map((t) => t.toLowerCase()),
          data: enc.data.toLowerCase(),
          blockNumber: block,
          transactionHash: pick([id(`tx${block}`), id(`tx${block}b`)]),
          index: index++,
        } as unknown as Log);
      }
      const b = new LedgerIndexBuilder({ chainId: 1, ledger: l.ledger, genesis: id("genesis"), fromBlock: 1 });
      b.add(logs);
      const f = b.file(block);
      expect(f.logs.length, "only the other events are raw").to.equal(
        logs.filter((x) => x.topics[0] !== recorded.topicHash && x.topics[0] !== validated.topicHash).length,
      );
      expect(plain(decodeLedgerIndex(JSON.parse(JSON.stringify(f))).events)).to.deep.equal(plain(decodeLedgerLogs(logs)));
    });
  });

  describe("createLedgerIndexer", function () {
    it("serves the index up to the latest block and adds later blocks on the next request", async function () {
      const indexer = createLedgerIndexer({ rpcUrl: l.rpc, chainId: 31337, ledger: l.ledger, fromBlock: l.fromBlock });
      try {
        const first = await indexer.current();
        expect(first.toBlock).to.equal(await l.provider.getBlockNumber());
        expect(decodeLedgerIndex(JSON.parse(first.text)).events.entries).to.have.length(first.entries);
        const again = await indexer.current();
        expect(again.text).to.equal(first.text);
        const { id: newId } = await client.submit(
          await client.sign(devWallet(2, l.provider), { action: "work", commons: seeds.demo.commons, quantity: "1", unit: "h" }),
        );
        const next = await indexer.current();
        expect(next.entries).to.equal(first.entries + 1);
        expect(decodeLedgerIndex(JSON.parse(next.text)).events.entries.at(-1)!.id).to.equal(newId);
      } finally {
        indexer.close();
      }
    });

    it("rejects with the node's failure when the node cannot be reached", async function () {
      const indexer = createLedgerIndexer({
        rpcUrl: `http://127.0.0.1:${await freePort()}`,
        chainId: 31337,
        ledger: l.ledger,
        fromBlock: l.fromBlock,
        timeoutMs: 2_000,
      });
      try {
        const error = await indexer.current().then(
          () => undefined,
          (e: Error) => e,
        );
        expect(error?.message).to.match(/^eth_blockNumber failed after 2 attempts: /);
      } finally {
        indexer.close();
      }
    });
  });

  describe("serveApp's /ledger-index.json", function () {
    before(async function () {
      this.timeout(300_000);
      await ensureAppBuilt(root);
    });
    const local = () => ({ chainId: 31337, rpcUrl: l.rpc, contracts: l.contracts, fromBlock: l.fromBlock });

    it("serves the index of the local Ledger, names it in /config.json and preloads it in the page", async function () {
      const app = await serveApp({ root, port: 0, config: { local: local() } });
      try {
        const res = await fetch(`${app.url}/ledger-index.json`);
        expect(res.status).to.equal(200);
        expect(res.headers.get("cache-control")).to.equal("no-store");
        const { meta, events } = decodeLedgerIndex(await res.json());
        expect(meta.toBlock).to.equal(await l.provider.getBlockNumber());
        expect(BigInt(events.entries.length)).to.equal((await client.tip()).count);
        expect(await (await fetch(`${app.url}/config.json`)).json()).to.deep.include({ local: { ...local(), indexUrl: "./ledger-index.json" } });
        expect(await (await fetch(`${app.url}/`)).text()).to.include('<link rel="preload" href="./ledger-index.json" as="fetch" crossorigin="anonymous" />');
        expect((await fetch(`${app.url}/ledger-index.json`, { method: "HEAD" })).status).to.equal(200);
      } finally {
        await app.close();
      }
    });

    it("puts its configuration in the page (as /config.json gives it, '<' escaped) instead of a preload of /config.json; preloads the index only when no indexer is configured", async function () {
      const inPage = (html: string) => JSON.parse(/<script id="commons-config" type="application\/json">(.*?)<\/script>/.exec(html)![1]!) as unknown;
      const names = ["Alice</script><script>alert(1)</script>", "Bob"];
      const withIndexer = await serveApp({ root, port: 0, config: { local: { ...local(), indexerUrl: "http://127.0.0.1:9/", devKeyNames: names } } });
      const without = await serveApp({ root, port: 0, config: { local: local() } });
      try {
        for (const app of [withIndexer, without]) {
          const html = await (await fetch(`${app.url}/`)).text();
          expect(inPage(html)).to.deep.equal(await (await fetch(`${app.url}/config.json`)).json());
          expect(html).not.to.include('href="./config.json"');
          // Every route the app answers with the page gets the same.
          expect(inPage(await (await fetch(`${app.url}/some/route`)).text())).to.deep.equal(inPage(html));
        }
        const html = await (await fetch(`${withIndexer.url}/`)).text();
        expect(html).not.to.include("</script><script>alert(1)");
        expect((inPage(html) as { local: { devKeyNames: string[] } }).local.devKeyNames).to.deep.equal(names);
        expect(html, "the whole ledger preloaded though the pages read through the indexer").not.to.include('rel="preload" href="./ledger-index.json"');
        expect(await (await fetch(`${without.url}/`)).text()).to.include(
          '<link rel="preload" href="./ledger-index.json" as="fetch" crossorigin="anonymous" />',
        );
      } finally {
        await withIndexer.close();
        await without.close();
      }
    });

    it("serves the labels file as a list, 404 without one, and 500 naming what is wrong with a malformed one", async function () {
      const dir = mkdtempSync(path.join(tmpdir(), "commons-labels-"));
      const file = path.join(dir, "labels.json");
      writeFileSync(file, JSON.stringify(["open sensor kit #1", "PLA filament 1.75 mm"]));
      const app = await serveApp({ root, port: 0, config: { local: local() }, index: false, labelsFile: file });
      const none = await serveApp({ root, port: 0, config: { local: local() }, index: false });
      try {
        expect(await (await fetch(`${app.url}/labels.json`)).json()).to.deep.equal(["open sensor kit #1", "PLA filament 1.75 mm"]);
        expect((await fetch(`${none.url}/labels.json`)).status).to.equal(404);
        writeFileSync(file, JSON.stringify(["ok", 7]));
        const bad = await fetch(`${app.url}/labels.json`);
        expect(bad.status).to.equal(500);
        expect(await bad.json()).to.deep.equal({
          error: "the labels file labels.json item 1 is 7, not a non-empty string (a JSON array of non-empty strings is expected)",
        });
        writeFileSync(file, "[not json");
        expect(((await (await fetch(`${app.url}/labels.json`)).json()) as { error: string }).error).to.match(
          /^the labels file labels\.json is not valid JSON \(/,
        );
      } finally {
        await app.close();
        await none.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("serves the equations it pins at /ipfs/<cid> (their canonical bytes, checkable against the CID), none it does not pin, and the dev-key names in /config.json", async function () {
      const equation = path.join(root, "scripts", "demo", "value-equation.json");
      const doc = JSON.parse(readFileSync(equation, "utf8")) as Record<string, unknown>;
      const pinnedDir = mkdtempSync(path.join(tmpdir(), "commons-equations-"));
      const other = { ...doc, name: "another equation" };
      const stored = await storeEquation(pinnedDir, other);
      const app = await serveApp({
        root,
        port: 0,
        config: { local: { ...local(), devKeyNames: ["relayer", "mira"] } },
        index: false,
        equationFiles: [equation],
        equationsDir: pinnedDir,
      });
      const none = await serveApp({ root, port: 0, config: { local: local() }, index: false });
      try {
        const cid = await equationCid(doc);
        const served = await fetch(`${app.url}/ipfs/${cid}`);
        expect(served.status).to.equal(200);
        const bytes = new Uint8Array(await served.arrayBuffer());
        expect(bytes).to.deep.equal(equationBytes(doc));
        expect(await checkEquationBytes(bytes, { equationHash: equationHash(doc), uri: `ipfs://${cid}` })).to.deep.equal({ doc });
        // What distribute --publish pinned in the data folder is served too.
        expect(new Uint8Array(await (await fetch(`${app.url}/ipfs/${stored.cid}`)).arrayBuffer())).to.deep.equal(equationBytes(other));
        const missing = await fetch(`${none.url}/ipfs/${cid}`);
        expect(missing.status).to.equal(404);
        expect(await missing.json()).to.deep.equal({ error: `this server pins no equation ${cid}` });
        for (const bad of ["notacid", "..%2F..%2Fpackage.json"]) expect((await fetch(`${app.url}/ipfs/${bad}`)).status, bad).to.equal(400);
        expect(((await (await fetch(`${app.url}/config.json`)).json()) as { local: { devKeyNames: string[] } }).local.devKeyNames).to.deep.equal([
          "relayer",
          "mira",
        ]);
        expect(((await (await fetch(`${none.url}/config.json`)).json()) as { local: object }).local).to.not.have.property("devKeyNames");
      } finally {
        await app.close();
        await none.close();
        rmSync(pinnedDir, { recursive: true, force: true });
      }
    });

    it("answers 404 and names no index when started without one", async function () {
      const app = await serveApp({ root, port: 0, config: { local: local() }, index: false });
      try {
        const res = await fetch(`${app.url}/ledger-index.json`);
        expect(res.status).to.equal(404);
        expect(await res.json()).to.deep.equal({ error: "this server keeps no ledger index" });
        expect(((await (await fetch(`${app.url}/config.json`)).json()) as { local: object }).local).to.not.have.property("indexUrl");
        expect(await (await fetch(`${app.url}/`)).text()).to.not.include("ledger-index.json");
      } finally {
        await app.close();
      }
    });

    it("answers 503 with the reason when the chain cannot be read", async function () {
      const app = await serveApp({ root, port: 0, config: { local: { ...local(), rpcUrl: `http://127.0.0.1:${await freePort()}` } } });
      try {
        const res = await fetch(`${app.url}/ledger-index.json`);
        expect(res.status).to.equal(503);
        expect(((await res.json()) as { error: string }).error).to.match(/^the index cannot read the chain: eth_blockNumber failed after 2 attempts: /);
      } finally {
        await app.close();
      }
    });
  });

  describe("commons serve-index", function () {
    it("serves the index with CORS, leaving the latest --finality blocks out, until stopped", async function () {
      const child = spawn(
        path.join(root, "node_modules", ".bin", "node"),
        [
          path.join(root, "scripts", "commons.mjs"),
          "serve-index",
          "--port",
          "0",
          "--finality",
          "2",
          "--rpc",
          l.rpc,
          "--ledger",
          l.ledger,
          "--from-block",
          String(l.fromBlock),
        ],
        { cwd: root },
      );
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      try {
        let stdout = "";
        let stderr = "";
        child.stderr.on("data", (b) => (stderr += b));
        const url = await new Promise<string>((resolve, reject) => {
          child.stdout.on("data", (b) => {
            stdout += b;
            const m = /(http:\/\/127\.0\.0\.1:\d+\/ledger-index\.json)/.exec(stdout);
            if (m) resolve(m[1]);
          });
          void exited.then((code) => reject(new Error(`serve-index exited with ${code}: ${stderr}`)));
        });
        const latest = await l.provider.getBlockNumber();
        expect(stdout).to.match(
          new RegExp(
            `^Ledger index of ${l.ledger} on chain 31337: ${url.replace(/[.]/g, "\\.")} \\(\\d+ entries up to block ${latest - 2}, 2 latest blocks left out\\)\n$`,
          ),
        );
        const res = await fetch(url);
        expect(res.headers.get("access-control-allow-origin")).to.equal("*");
        const { meta } = decodeLedgerIndex(await res.json());
        expect(meta).to.include({ chainId: 31337, ledger: l.ledger, fromBlock: l.fromBlock, toBlock: latest - 2 });
        expect((await fetch(url.replace("ledger-index.json", "other"))).status).to.equal(404);
      } finally {
        child.kill("SIGTERM");
      }
      expect(await exited).to.equal(0);
    });

    for (const [args, message] of [
      [["--port", "70000"], /--port: 70000 is too large \(at most 65535\)/],
      [["--finality", "-1"], /--finality: "-1" is not a non-negative integer/],
      [["--host", "a b"], /--host: "a b" is not a host name or address/],
    ] as const) {
      it(`refuses ${args.join(" ")} before reading anything`, async function () {
        const r = await runCli(["serve-index", ...args, "--rpc", "http://127.0.0.1:1", "--ledger", l.ledger]);
        expect(r.code, r.stderr).to.equal(2);
        expect(r.stderr).to.match(message);
      });
    }
  });

  describe("checkLedgerIndex", function () {
    const check = (f: LedgerIndexFile) => {
      const { meta, events } = decodeLedgerIndex(f);
      return checkLedgerIndex({ provider: l.provider, meta, events });
    };

    it("chains entries exactly as the ABI encoding of (head, id, signer, recordHash) does", function () {
      let head = GENESIS_HEAD;
      for (const e of decodeLedgerLogs(logs).entries) {
        const next = chainStep(head, e.id, e.signer, e.recordHash);
        const encoded = AbiCoder.defaultAbiCoder().encode(["bytes32", "uint256", "address", "bytes32"], [head.padEnd(66, "0"), e.id, e.signer, e.recordHash]);
        expect(next).to.equal(keccak256(encoded).slice(0, 50));
        head = next;
      }
    });

    it("accepts an honest index, chaining the entries recorded after it to the contract's head", async function () {
      const before = clone(file);
      await client.submit(await client.sign(devWallet(3, l.provider), { action: "work", commons: seeds.demo.commons, quantity: "2", unit: "h" }));
      const result = await check(before);
      expect(result).to.include({ ok: true, entries: before.entries.length, otherEvents: before.validations.length + before.logs.length });
      if (!result.ok) throw new Error(result.problem);
      expect(result.laterEntries).to.be.greaterThan(0);
      expect(result.head).to.equal((await client.tip()).head.toLowerCase());
    });

    it("finds an entry whose quantity was changed", async function () {
      const f = clone(file);
      f.entries[3][11] = Number(f.entries[3][11]) + 1;
      expect(await check(f)).to.deep.include({ ok: false });
      expect(((await check(f)) as { problem: string }).problem).to.match(/do not chain to the contract's head at block \d+/);
    });

    it("finds an entry attributed to another signer", async function () {
      const f = clone(file);
      f.entries[0][1] = f.entries[1][1] === f.entries[0][1] ? f.entries[2][1] : f.entries[1][1];
      expect(((await check(f)) as { problem: string }).problem).to.match(/do not chain to the contract's head/);
    });

    it("finds a dropped entry", async function () {
      const f = clone(file);
      f.entries.splice(2, 1);
      expect(((await check(f)) as { problem: string }).problem).to.equal(`the index has entry #4 where #3 was expected`);
    });

    it("finds a validation turned from dispute into accept", async function () {
      const f = clone(file);
      const i = f.validations.findIndex((v) => v[2] === 1);
      f.validations[i][2] = 0;
      expect(((await check(f)) as { problem: string }).problem).to.match(
        /^the index's Validated event in block \d+ \(log \d+\) differs from the chain's Validated event/,
      );
    });

    it("finds a dropped validation", async function () {
      const f = clone(file);
      f.validations.splice(0, 1);
      expect(((await check(f)) as { problem: string }).problem).to.match(/differs from the chain's Validated event|lacks the chain's Validated event/);
    });

    it("finds an index that claims blocks the chain does not have", async function () {
      const f = clone(file);
      f.toBlock = 1_000_000;
      expect(((await check(f)) as { problem: string }).problem).to.match(/^the index reaches block 1000000, the chain only \d+$/);
    });
  });
});
