// Shared by the relayer tests and the relayer benchmark: deterministic wallets, fast signing of
// many records (one typed-data encoder, the domain separator computed once, the raw digest signed
// with the wallet's signing key), the relayer's routes as raw replies (through the core relayer
// client), and the hostile load of RELAY-FAIR.
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { AbiCoder, concat, Contract, ContractFactory, keccak256, toQuantity, toUtf8Bytes, TypedDataEncoder, Wallet, ZeroAddress, ZeroHash } from "ethers";
import type { Interface, JsonRpcProvider, Provider, Signer, TypedDataDomain } from "ethers";
import { LEDGER_ABI } from "../core/abi.js";
import { ledgerInterface } from "../core/reader.js";
import { encodeUnit, fromSignedJson, packNonce, RECORD_TYPES } from "../core/record.js";
import type { LedgerRecord, SignedRecordJson } from "../core/record.js";
import { RelayerClient } from "../core/relayer-client.js";
import type { RelayerHealth, RelayerReply, RelayState } from "../core/relayer-client.js";

/** A wallet from a deterministic key (never funded; it only signs). */
export function kitWallet(label: string): Wallet {
  return new Wallet(keccak256(toUtf8Bytes(`commons-ledger/relayer-kit/${label}`)));
}

export function kitWallets(prefix: string, count: number): Wallet[] {
  return Array.from({ length: count }, (_, i) => kitWallet(`${prefix}/${i}`));
}

const KIT_SALT = keccak256(toUtf8Bytes("commons-ledger/relayer-kit/commons"));
const KIT_FOUNDER = kitWallet("founder");
/** The commons every kit record is for; registerKitCommons registers it (the relayer takes records of registered commons only). */
export const KIT_COMMONS = keccak256(AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [KIT_FOUNDER.address, KIT_SALT]));

/** Registers KIT_COMMONS on a local chain's Ledger: its founder, a kit wallet, gets the gas from anvil. */
export async function registerKitCommons(provider: JsonRpcProvider, ledger: string): Promise<void> {
  await provider.send("anvil_setBalance", [KIT_FOUNDER.address, toQuantity(10n ** 18n)]);
  const contract = new Contract(ledger, LEDGER_ABI, KIT_FOUNDER.connect(provider));
  await (await contract.registerCommons(KIT_SALT, "relayer kit")).wait();
}
const HOURS = encodeUnit("h");

/** Appoints `validator` for `actions` (ValueFlows action codes) in KIT_COMMONS: its founder is its only steward (threshold 1). */
export async function appointKitValidator(provider: JsonRpcProvider, ledger: string, validator: string, actions: readonly number[]): Promise<void> {
  const contract = new Contract(ledger, LEDGER_ABI, KIT_FOUNDER.connect(provider));
  const roles = actions.reduce((bits, a) => bits | (1 << a), 0);
  await (await contract.setRoles(KIT_COMMONS, validator, roles)).wait();
}

/** One hour of work by `agent` (its provider), with the given nonce, time and deadline. */
export function workRecord(agent: string, p: { nonce: bigint; time: bigint; deadline: bigint; evidence?: string; quantity?: bigint }): LedgerRecord {
  return {
    flow: 0,
    action: 0,
    provider: agent,
    receiver: ZeroAddress,
    commons: KIT_COMMONS,
    resource: ZeroHash,
    resourceSpec: ZeroHash,
    process: ZeroHash,
    side: 0,
    quantity: p.quantity ?? 1_000_000n,
    unit: HOURS,
    time: p.time,
    evidence: p.evidence ?? ZeroHash,
    corrects: 0n,
    satisfies: 0n,
    nonce: p.nonce,
    deadline: p.deadline,
  };
}

/** Signs records for one ledger domain, fast: no async signer, no repeated domain hashing. */
export class FastRecordSigner {
  private readonly encoder = TypedDataEncoder.from(RECORD_TYPES);
  private readonly separator: string;

  constructor(readonly domain: TypedDataDomain) {
    this.separator = TypedDataEncoder.hashDomain(domain);
  }

  digest(r: LedgerRecord): string {
    return keccak256(concat(["0x1901", this.separator, this.encoder.hash(r as unknown as Record<string, unknown>)]));
  }

  /** The digest signed by `wallet` (for an EOA that is the record's agent, or an ERC-1271 owner). */
  signDigest(wallet: Wallet, digest: string): string {
    return wallet.signingKey.sign(digest).serialized;
  }

  /** The portable signed JSON (as toSignedJson gives it), signed by `wallet`. */
  sign(wallet: Wallet, r: LedgerRecord): SignedRecordJson {
    const digest = this.digest(r);
    return this.json(r, this.signDigest(wallet, digest), digest);
  }

  json(r: LedgerRecord, signature: string, digest = this.digest(r)): SignedRecordJson {
    const record = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])) as SignedRecordJson["record"];
    return {
      type: "commons-ledger/signed-record@1",
      chainId: String(this.domain.chainId),
      ledger: String(this.domain.verifyingContract),
      record,
      signature,
      digest,
    };
  }
}

// ---------------------------------------------------------------- HTTP

// The relayer's routes through the one client (scripts/lib/core/relayer-client.ts); these keep the
// raw reply (status and body) that the tests assert.
export type { RelayerReply as Reply, RelayState as RecordState, RelayerHealth as Health };

/** Records signed records directly in one recordBatch, paid by `payer` (not through a relayer); returns their entry ids. */
export async function recordDirectly(ledger: string, payer: Signer, jsons: readonly SignedRecordJson[]): Promise<bigint[]> {
  const receipt = await (
    await new Contract(ledger, LEDGER_ABI, payer).getFunction("recordBatch")(
      jsons.map((j) => fromSignedJson(j).record),
      jsons.map((j) => j.signature),
    )
  ).wait();
  return receipt.logs
    .map((x: Parameters<Interface["parseLog"]>[0]) => ledgerInterface().parseLog(x))
    .filter((x: { name: string } | null) => x?.name === "Recorded")
    .map((x: { args: { id: bigint } }) => x.args.id);
}

/**
 * POSTs a body to `${url}/records` (JSON unless a raw string and content type are given); `chunked`
 * streams it in 64 KiB chunks without a content-length.
 */
export async function postRecord(url: string, body: unknown, opts: { contentType?: string; raw?: boolean; chunked?: boolean } = {}): Promise<RelayerReply> {
  const text = opts.raw ? (body as string) : JSON.stringify(body);
  const bytes = new TextEncoder().encode(text);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 65_536) controller.enqueue(bytes.subarray(i, i + 65_536));
      controller.close();
    },
  });
  return new RelayerClient(url).request("/records", {
    method: "POST",
    headers: { "content-type": opts.contentType ?? "application/json" },
    body: opts.chunked ? stream : text,
    ...(opts.chunked ? { duplex: "half" } : {}),
  } as RequestInit);
}

/**
 * POSTs until the relayer answers 200 or 202 (a POST is idempotent by digest): retries when the
 * connection fails (the relayer is down or was killed mid-request) and on 503; any other status is
 * an error. Returns the final reply and how many attempts it took.
 */
export async function postRetrying(
  url: string,
  body: unknown,
  opts: { delayMs?: number; timeoutMs?: number } = {},
): Promise<RelayerReply & { attempts: number }> {
  const until = Date.now() + (opts.timeoutMs ?? 120_000);
  for (let attempts = 1; ; attempts++) {
    try {
      const r = await postRecord(url, body);
      if (r.status === 200 || r.status === 202) return { ...r, attempts };
      if (r.status !== 503) throw Object.assign(new Error(`POST /records answered ${r.status}: ${JSON.stringify(r.body)}`), { reply: r });
    } catch (error) {
      if ((error as { reply?: RelayerReply }).reply) throw error;
      /* connection refused, reset or closed: the relayer is down; try again */
    }
    if (Date.now() > until) throw new Error(`POST /records did not succeed within the timeout (${attempts} attempts)`);
    await new Promise((r) => setTimeout(r, opts.delayMs ?? 100));
  }
}

export async function getRecord(url: string, digest: string): Promise<RelayerReply> {
  return new RelayerClient(url).request(`/records/${digest}`);
}

export async function getHealth(url: string): Promise<RelayerHealth> {
  return new RelayerClient(url).health();
}

/** Polls until `check` returns a value (not undefined), or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until every digest is recorded (or one fails); returns their states. */
export async function waitRecorded(url: string, digests: readonly string[], timeoutMs = 60_000, intervalMs = 150): Promise<RelayState[]> {
  const client = new RelayerClient(url);
  const states = new Map<string, RelayState>();
  return waitFor(
    `${digests.length} record(s) to be recorded`,
    async () => {
      for (const d of digests) {
        if (states.get(d)?.state === "recorded") continue;
        const s = await client.state(d);
        if (s.state === "failed") throw new Error(`record ${d} failed: ${s.error}`);
        states.set(d, s);
        if (s.state !== "recorded") return undefined;
      }
      return digests.map((d) => states.get(d)!);
    },
    timeoutMs,
    intervalMs,
  );
}

export { seededRandom } from "../core/random.js";

// ---------------------------------------------------------------- the relayer as a process

const root = path.resolve(import.meta.dirname, "..", "..", "..");

export interface RelayerChild {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output(): string;
  exited: Promise<number | null>;
  /** SIGKILL (kill -9) and wait until it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (a clean stop) and wait until it is gone. */
  stop(): Promise<void>;
}

/**
 * Starts `scripts/relayer.ts --dev` as one process: node with tsx's loader (`node --import tsx`),
 * not the `tsx` CLI, which runs the script in a child process that a SIGKILL of the CLI leaves
 * running. Resolves once the relayer listens.
 */
export async function spawnRelayer(o: {
  rpc: string;
  ledger: string;
  fromBlock: number;
  db: string;
  port: number;
  args?: readonly string[];
}): Promise<RelayerChild> {
  const bin = path.join(root, "node_modules", ".bin");
  const args = [
    "--import",
    "tsx",
    path.join(root, "scripts", "relayer.ts"),
    "--dev",
    "--port",
    String(o.port),
    "--db",
    o.db,
    "--rpc",
    o.rpc,
    "--ledger",
    o.ledger,
    "--from-block",
    String(o.fromBlock),
    ...(o.args ?? []),
  ];
  const child = spawn(path.join(bin, "node"), args, { cwd: root, env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` } });
  let out = "";
  child.stdout.on("data", (b) => (out += b));
  child.stderr.on("data", (b) => (out += b));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const gone = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const until = Date.now() + 60_000;
  while (!out.includes("relayer: http://")) {
    if (child.exitCode !== null) throw new Error(`the relayer exited (${child.exitCode}):\n${out}`);
    if (Date.now() > until) {
      await gone("SIGKILL");
      throw new Error(`the relayer did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url: `http://127.0.0.1:${o.port}`, output: () => out, exited, kill: () => gone("SIGKILL"), stop: () => gone("SIGTERM") };
}

// ---------------------------------------------------------------- hostile load (RELAY-FAIR)

/** ERC1271WalletMock's modes (contracts/mocks/ERC1271WalletMock.sol). */
export const WALLET_MODE = { Honest: 0, WrongMagic: 1, Reverts: 2, ShortReturn: 3, ReturnBomb: 4, GasHog: 5, AlwaysValid: 6 } as const;

/** Deploys an ERC1271WalletMock owned by `owner`, paid by `payer`; returns its address. */
export async function deployWalletMock(payer: Signer, owner: string, mode?: number): Promise<string> {
  const artifact = JSON.parse(readFileSync(path.join(root, "artifacts", "contracts", "mocks", "ERC1271WalletMock.sol", "ERC1271WalletMock.json"), "utf8"));
  const wallet = await (await new ContractFactory(artifact.abi, artifact.bytecode, payer).deploy(owner)).waitForDeployment();
  if (mode !== undefined) await setWalletMode(payer, await wallet.getAddress(), mode);
  return wallet.getAddress();
}

export async function setWalletMode(payer: Signer, wallet: string, mode: number): Promise<void> {
  await (await new Contract(wallet, ["function setMode(uint8)"], payer).getFunction("setMode")(mode)).wait();
}

/** What the hostile load needs on chain: wallets that will change their mind, records to replay, someone else's entry. */
export interface HostileSetup {
  /** ERC1271WalletMock contracts, AlwaysValid for now. */
  wallets: string[];
  /** Records already recorded on chain (signed by other keys): the replays. */
  recorded: SignedRecordJson[];
  /** An entry none of the attackers made: the target of the foreign corrections. */
  foreignEntry: bigint;
}

/** Deploys `wallets` wallet mocks and records one record of each of `victims` keys directly, paid by `payer`. */
export async function prepareHostile(
  provider: Provider,
  ledger: string,
  signer: FastRecordSigner,
  payer: Signer,
  o: { wallets: number; victims: number; label?: string },
): Promise<HostileSetup> {
  const label = o.label ?? "hostile";
  const wallets: string[] = [];
  for (let i = 0; i < o.wallets; i++) wallets.push(await deployWalletMock(payer, await payer.getAddress(), WALLET_MODE.AlwaysValid));
  const now = BigInt((await provider.getBlock("latest"))!.timestamp);
  const recorded = kitWallets(`${label}/victim`, o.victims).map((w) =>
    signer.sign(w, workRecord(w.address, { nonce: 0n, time: now - 60n, deadline: now + 7n * 86_400n })),
  );
  const receipt = await (
    await new Contract(ledger, LEDGER_ABI, payer).getFunction("recordBatch")(
      recorded.map((j) => j.record),
      recorded.map((j) => j.signature),
    )
  ).wait();
  const ids = receipt.logs
    .map((x: Parameters<Interface["parseLog"]>[0]) => ledgerInterface().parseLog(x))
    .filter((x: { name: string } | null) => x?.name === "Recorded")
    .map((x: { args: { id: bigint } }) => x.args.id);
  if (ids.length !== o.victims) throw new Error(`only ${ids.length} of the ${o.victims} victims' records were recorded`);
  return { wallets, recorded, foreignEntry: ids[0] };
}

export type HostileKind = "gapped" | "oversize" | "replay" | "foreign-correction" | "fickle-wallet";

/**
 * RELAY-FAIR's hostile load: `perKey` records for each of 100 keys (5,000 with 50): 40 keys sign
 * sequences 1..perKey (sequence 0 never comes: a gap), 20 sign records with 5,000-byte signatures,
 * 20 keys' recorded records are replayed, 10 keys correct an entry that is not theirs, and the 10
 * wallets sign records they accept now and will refuse once they change their mind (post the
 * wallets' records in the order given, then turn the wallets).
 */
export function hostileRecords(
  signer: FastRecordSigner,
  setup: HostileSetup,
  at: { time: bigint; deadline: bigint },
  o: { perKey: number; label?: string },
): { kind: HostileKind; json: SignedRecordJson }[] {
  const label = o.label ?? "hostile";
  const out: { kind: HostileKind; json: SignedRecordJson }[] = [];
  const each = <T>(list: readonly T[], kind: HostileKind, make: (x: T, s: number) => SignedRecordJson) => {
    for (const x of list) for (let s = 0; s < o.perKey; s++) out.push({ kind, json: make(x, s) });
  };
  each(kitWallets(`${label}/gapped`, 40), "gapped", (w, s) => signer.sign(w, workRecord(w.address, { ...at, nonce: BigInt(s + 1) })));
  const big = "0x" + "ab".repeat(5_000);
  each(kitWallets(`${label}/oversize`, 20), "oversize", (w, s) => signer.json(workRecord(w.address, { ...at, nonce: BigInt(s) }), big));
  each(setup.recorded.slice(0, 20), "replay", (j) => j);
  // Each on its own nonce key (sequence 0), so that the nonce is fine and only the target is wrong.
  each(kitWallets(`${label}/corrector`, 10), "foreign-correction", (w, s) =>
    signer.sign(w, { ...workRecord(w.address, { ...at, nonce: packNonce(BigInt(s), 0n) }), quantity: 0n, corrects: setup.foreignEntry }),
  );
  // Per wallet, nonce keys of 16 sequences (the gap window), sequences 1.. of every key first and
  // the sequences 0 last: the others can go only once those are in, by which time the wallets
  // may have changed their mind.
  const fickle: SignedRecordJson[][] = [[], []];
  for (const address of setup.wallets.slice(0, 10)) {
    for (let i = 0; i < o.perKey; i++) {
      const nonce = packNonce(BigInt(Math.floor(i / 16)), BigInt(i % 16));
      fickle[i % 16 === 0 ? 1 : 0].push(signer.json(workRecord(address, { ...at, nonce }), "0x00"));
    }
  }
  for (const json of fickle.flat()) out.push({ kind: "fickle-wallet", json });
  return out;
}
