// How fast `commons` answers, as a person types it: wall time of the whole process (node start,
// loading the CLI, the command), the median of --runs runs each, for
//   --help; an input error that needs no chain (`show abc`); `show <id>` of an entry of a ledger
//   the size of the demo's (a local anvil, 31 work records by 6 people in a registered commons; the
//   events come from the on-disk cache, topped up from the chain, as on a person's second run);
// each from the bundle (scripts/cli-bundle.mjs, as `commons` runs) and from the sources through
// tsx (COMMONS_CLI_SOURCES=1, as it ran before the bundle). Targets (issue 18): --help and input
// errors <= 0.5 s, show <id> on the demo <= 1.5 s. Writes bench/results/cli.json.
//   PATH=$PWD/node_modules/.bin:$PATH tsx scripts/bench/cli.ts [--runs 7]
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Wallet } from "ethers";
import { startDevLedger } from "../lib/node/dev-chain.js";
import { FastRecordSigner, kitWallets, recordDirectly, registerKitCommons, workRecord } from "../lib/kit/relayer.js";
import { ledgerDomain, packNonce } from "../lib/core/record.js";
import { DEV_MNEMONIC } from "../lib/core/dev-chain-keys.js";
import { n, table, toJson } from "./kit/report.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "7" } }, strict: true });
const RUNS = Number(values.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error("--runs must be a positive whole number");
const root = path.resolve(import.meta.dirname, "..", "..");
const cli = path.join(root, "scripts", "commons.mjs");

/** Milliseconds of one `commons` run (the whole process), and its exit code. */
function run(args: string[], env: Record<string, string>): { ms: number; code: number | null } {
  const t = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  return { ms: performance.now() - t, code: r.status };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const dev = await startDevLedger({ name: "bench-cli" });
try {
  // A ledger the size of the demo's (31 entries): the demo itself is npm start's, not the benchmarks'.
  await registerKitCommons(dev.provider, dev.ledger);
  const signer = new FastRecordSigner(ledgerDomain(31337n, dev.ledger));
  const people = kitWallets("bench-cli", 6);
  const now = BigInt((await dev.provider.getBlock("latest"))!.timestamp);
  const jsons = Array.from({ length: 31 }, (_, i) =>
    signer.sign(people[i % 6], workRecord(people[i % 6].address, { nonce: packNonce(0n, BigInt(Math.floor(i / 6))), time: now - 60n, deadline: now + 3600n })),
  );
  await recordDirectly(dev.ledger, Wallet.fromPhrase(DEV_MNEMONIC).connect(dev.provider), jsons);
  const chainEnv = { COMMONS_RPC_URL: dev.rpc, COMMONS_LEDGER: dev.ledger, COMMONS_DATA_DIR: dev.dataDir };
  const commands: { name: string; args: string[]; env: Record<string, string>; target: number; code: number }[] = [
    { name: "--help", args: ["--help"], env: {}, target: 500, code: 0 },
    { name: "input error (show abc)", args: ["show", "abc"], env: {}, target: 500, code: 2 },
    { name: "show 1 (31 entries)", args: ["--from-block", String(dev.fromBlock), "show", "1"], env: chainEnv, target: 1_500, code: 0 },
  ];
  const rows: { command: string; from: string; medianMs: number; minMs: number; maxMs: number; targetMs: number; pass: boolean }[] = [];
  for (const c of commands) {
    for (const [from, env] of [
      ["bundle", {}],
      ["sources (tsx)", { COMMONS_CLI_SOURCES: "1" }],
    ] as const) {
      run(c.args, { ...c.env, ...env }); // warm: the bundle built, tsx's cache filled, the OS's file cache
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const r = run(c.args, { ...c.env, ...env });
        if (r.code !== c.code) throw new Error(`commons ${c.args.join(" ")} exited ${r.code}, not ${c.code}`);
        times.push(r.ms);
      }
      const m = median(times);
      rows.push({ command: c.name, from, medianMs: m, minMs: Math.min(...times), maxMs: Math.max(...times), targetMs: c.target, pass: m <= c.target });
    }
  }
  console.log(`\ncommons startup: the median of ${RUNS} runs of the whole process, ${os.cpus().length} CPUs (load average ${os.loadavg()[0].toFixed(1)})\n`);
  console.log(
    table(
      ["command", "from", ">median ms", ">min ms", ">max ms", ">target ms", "result"],
      rows.map((r) => [r.command, r.from, n(r.medianMs), n(r.minMs), n(r.maxMs), n(r.targetMs), r.from === "bundle" ? (r.pass ? "PASS" : "FAIL") : "(before)"]),
    ),
  );
  mkdirSync(path.join(root, "bench", "results"), { recursive: true });
  writeFileSync(path.join(root, "bench", "results", "cli.json"), toJson({ runs: RUNS, cpus: os.cpus().length, rows }) + "\n");
  const failed = rows.filter((r) => r.from === "bundle" && !r.pass);
  if (failed.length) {
    console.log(`\n${failed.length} target(s) not met: ${failed.map((r) => r.command).join("; ")}`);
    process.exitCode = 1;
  }
} finally {
  await dev.stop();
}
