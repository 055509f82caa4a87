// Gas measurement core of the benchmark (`npm run bench`), importable by mocha tests that assert
// gas budgets. Every number comes from a transaction receipt on the chain the caller connected to.
//
// Signers are ethers Wallets with deterministic keys that sign locally and hold no ETH: a relayer
// (the connection's first account) submits everything. One function per measurement shape:
//   measureRecords    `record(...)` once, or `recordBatch(...)`, for any list of agents
//   measureValidation `validate(...)` with or without the entry's proof
//   fillTo            full batches until the ledger holds a given number of entries
// and thin wrappers (`measureTypicalSingle`, `measureTypicalBatch`) for tests.
import { AbiCoder, concat, getBytes, keccak256, toUtf8Bytes, TypedDataEncoder, Wallet, ZeroAddress, ZeroHash } from "ethers";
import type { BaseContract, Signer, TransactionReceipt, TypedDataDomain } from "ethers";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { buildEntryProof, buildRangeProofs } from "../core/proof.js";
import type { EntryProof } from "../core/proof.js";
import { describeRevert, readLedger } from "../core/reader.js";
import { buildRecord, buildValidation, ledgerDomain, packNonce, recordDigest, recordHashOfWords, validationDigest } from "../core/record.js";
import type { LedgerRecord } from "../core/record.js";
import type { VerdictName } from "../core/vocabulary.js";

// ---------------------------------------------------------------- targets

/** Gas budgets of the design (gas per record unless said otherwise). `max` must hold; `goal` is the aim. */
export const GAS_TARGETS = {
  single: { max: 50_000, goal: 45_000 },
  batchOneSigner: { max: 18_000, goal: 13_000 },
  batchDistinctReturning: { max: 22_000, goal: 18_000 },
  /** Entry #10,000 may cost at most this much more (or less) than a low entry, in percent. */
  lateEntryDriftPct: 2,
  /** EAS attestByDelegation / Ledger record, single relayed claim: at least this. */
  easSingleRatio: 5,
  /** EAS multiAttestByDelegation / Ledger recordBatch, per claim in batches of 100: at least this. */
  easBatchRatio: 10,
} as const;

/** Gas budgets of validations (issue "validations at half today's gas"), per validation. */
export const VALIDATION_GAS_TARGETS = {
  /** A later validation (entry anchored) sent alone, by a returning validator. */
  laterAlone: 55_000,
  /** Each, in a batch of 100 later validations from distinct returning validators. */
  laterInBatch: 35_000,
  /** Each, in a batch of 100 first validations of consecutive entries (range proofs). */
  firstInBatch: 65_000,
  /** The most a first validation sent alone may cost (the longest proof). */
  worstFirstAlone: 200_000,
  /** A typical record co-signed by its receiver (`recordConfirmed`), by a returning signer. */
  cosignedRecord: 52_000,
} as const;

/**
 * What storing one checkpoint adds to a transaction's execution (a new storage slot and the
 * Checkpointed event), measured by bench:gas as the execution gas of a record closing an interval
 * minus the same record elsewhere (execution, not total: the two calldatas differ in how many of
 * their timestamp and nonce bytes are zero, 12 gas each); the bench fails if the measurement
 * differs. Steady-state figures subtract it.
 */
export const CHECKPOINT_GAS = 23_634;

/** Limits a full batch is compared with. */
export const BLOCK_GAS_LIMIT_REFERENCE = 30_000_000;
/** Common transaction-pool limit on a transaction's size (geth: 128 KiB). */
export const TX_SIZE_LIMIT_BYTES = 128 * 1024;

// ---------------------------------------------------------------- signers

/** Anyone who can sign an EIP-712 digest for an address: an EOA, or an ERC-1271 wallet's owner. */
export interface Agent {
  address: string;
  kind: "eoa" | "erc1271";
  signDigest(digest: string): string;
}

/** A Wallet with a deterministic private key (keccak256 of a label); never funded. */
export function benchWallet(label: string | number): Wallet {
  return new Wallet(keccak256(toUtf8Bytes(`commons-ledger/bench/${label}`)));
}

export function eoaAgent(wallet: Wallet): Agent {
  return { address: wallet.address, kind: "eoa", signDigest: (digest) => wallet.signingKey.sign(digest).serialized };
}

/** An ERC-1271 wallet contract whose owner signs the raw digest (as ERC1271WalletMock checks it). */
export function erc1271Agent(walletContract: string, owner: Wallet): Agent {
  return { address: walletContract, kind: "erc1271", signDigest: (digest) => owner.signingKey.sign(digest).serialized };
}

/** `count` deterministic EOA agents named `${prefix}/0` ... */
export function benchAgents(prefix: string, count: number): Agent[] {
  return Array.from({ length: count }, (_, i) => eoaAgent(benchWallet(`${prefix}/${i}`)));
}

// ---------------------------------------------------------------- calldata

export interface CalldataStats {
  bytes: number;
  zeroBytes: number;
  nonZeroBytes: number;
  /** Standard intrinsic calldata gas (4 per zero byte, 16 per non-zero byte). */
  gas: number;
  /** EIP-7623 floor for the whole data (10 gas per token; a token is a zero byte, 4 per non-zero byte). */
  floorGas: number;
}

export function calldataStats(data: string): CalldataStats {
  const bytes = getBytes(data);
  let zeroBytes = 0;
  for (const b of bytes) if (b === 0) zeroBytes++;
  const nonZeroBytes = bytes.length - zeroBytes;
  const tokens = zeroBytes + 4 * nonZeroBytes;
  return { bytes: bytes.length, zeroBytes, nonZeroBytes, gas: 4 * tokens, floorGas: 10 * tokens };
}

// ---------------------------------------------------------------- transactions

export interface TxMeasure {
  gasUsed: number;
  /** gasUsed minus the 21,000 base and the standard calldata gas (what the contract spends). */
  executionGas: number;
  calldata: CalldataStats;
  hash: string;
  blockNumber: number;
  receipt: TransactionReceipt;
}

/** Sends `data` to `to` from `relayer` and measures the receipt; throws unless it succeeded. */
export async function sendMeasured(relayer: Signer, to: string, data: string, gasLimit?: bigint): Promise<TxMeasure> {
  const tx = await relayer.sendTransaction({ to, data, ...(gasLimit === undefined ? {} : { gasLimit }) });
  const receipt = await tx.wait();
  if (receipt === null || receipt.status !== 1) throw new Error(`transaction ${tx.hash} failed`);
  const calldata = calldataStats(data);
  const gasUsed = Number(receipt.gasUsed);
  return {
    gasUsed,
    executionGas: gasUsed - 21_000 - calldata.gas,
    calldata,
    hash: receipt.hash,
    blockNumber: receipt.blockNumber,
    receipt,
  };
}

// ---------------------------------------------------------------- the typical record

const abi = AbiCoder.defaultAbiCoder();
export const RECORD_TUPLE_TYPE =
  "tuple(uint8 flow, uint8 action, address provider, address receiver, bytes32 commons, bytes32 resource, bytes32 resourceSpec, bytes32 process, uint8 side, uint128 quantity, bytes8 unit, uint64 time, bytes32 evidence, uint64 corrects, uint64 satisfies, uint256 nonce, uint64 deadline)";

/** The ABI encoding of a record (17 static words, 544 bytes): also its EIP-712 encodeData. */
export function encodeRecord(r: LedgerRecord): string {
  return abi.encode([RECORD_TUPLE_TYPE], [r]);
}

export interface TypicalRecordParams {
  agent: string;
  receiver: string;
  commons: string;
  nonceKey: bigint;
  sequence: bigint;
  /** Current block time; time is an hour before it, the deadline a week after it. */
  now: bigint;
  /** Makes the evidence digest unique. */
  serial: number;
}

/**
 * The typical record: a work event of 3 hours, provider = the signer, a receiver, a commons and
 * an evidence digest; resource, spec, process and links empty; keyed nonce.
 */
export function typicalRecord(p: TypicalRecordParams): LedgerRecord {
  return buildRecord({
    flow: "event",
    action: "work",
    provider: p.agent,
    receiver: p.receiver,
    commons: p.commons,
    quantity: "3",
    unit: "h",
    time: p.now - 3600n,
    evidence: keccak256(toUtf8Bytes(`commons-ledger/bench/evidence/${p.serial}`)),
    nonce: packNonce(p.nonceKey, p.sequence),
    deadline: p.now + 7n * 24n * 3600n,
  });
}

/** An all-zero record: the cheapest "any record" for a proof the contract ignores. */
export const ZERO_RECORD: LedgerRecord = {
  flow: 0,
  action: 0,
  provider: ZeroAddress,
  receiver: ZeroAddress,
  commons: ZeroHash,
  resource: ZeroHash,
  resourceSpec: ZeroHash,
  process: ZeroHash,
  side: 0,
  quantity: 0n,
  unit: "0x0000000000000000",
  time: 0n,
  evidence: ZeroHash,
  corrects: 0n,
  satisfies: 0n,
  nonce: 0n,
  deadline: 0n,
};

export async function latestTimestamp(ethers: HardhatEthers): Promise<bigint> {
  const block = await ethers.provider.getBlock("latest");
  if (block === null) throw new Error("no latest block");
  return BigInt(block.timestamp);
}

// ---------------------------------------------------------------- bench context

export interface LedgerBench {
  ethers: HardhatEthers;
  ledger: BaseContract;
  address: string;
  relayer: Signer;
  domain: TypedDataDomain;
  commons: string;
  receiver: string;
  nonceKey: bigint;
  maxBatch: number;
  checkpointInterval: bigint;
  /** Gas limit for every transaction; undefined lets ethers estimate. */
  gasLimit?: bigint;
  /** Next nonce sequence per agent (lowercase address) for `nonceKey`. */
  sequences: Map<string, bigint>;
  serial: number;
  domainSeparator: string;
}

export interface LedgerBenchOptions {
  relayer?: Signer;
  nonceKey?: bigint;
  gasLimit?: bigint;
  /** Salt of the commons the relayer registers (or reuses) for the records. */
  commonsSalt?: string;
}

/** Registers the bench commons (if needed) and checks that local digests equal the contract's. */
export async function createLedgerBench(ethers: HardhatEthers, ledger: BaseContract, opts: LedgerBenchOptions = {}): Promise<LedgerBench> {
  const relayer = opts.relayer ?? (await ethers.getSigners())[0];
  const address = await ledger.getAddress();
  const { chainId } = await ethers.provider.getNetwork();
  const domain = ledgerDomain(chainId, address);
  const salt = opts.commonsSalt ?? keccak256(toUtf8Bytes("commons-ledger/bench/commons"));
  const registerCommons = ledger.connect(relayer).getFunction("registerCommons");
  const commons: string = await registerCommons.staticCall(salt, "Bench commons").catch(async () => {
    // Already registered by this relayer: its id is keccak256(abi.encode(relayer, salt)).
    return keccak256(abi.encode(["address", "bytes32"], [await relayer.getAddress(), salt]));
  });
  if (!(await ledger.getFunction("commonsExists").staticCall(commons))) {
    await (await registerCommons.send(salt, "Bench commons")).wait();
  }
  const b: LedgerBench = {
    ethers,
    ledger,
    address,
    relayer,
    domain,
    commons,
    receiver: benchWallet("receiver").address,
    nonceKey: opts.nonceKey ?? 1n,
    maxBatch: Number(await ledger.getFunction("MAX_BATCH").staticCall()),
    checkpointInterval: await ledger.getFunction("CHECKPOINT_INTERVAL").staticCall(),
    gasLimit: opts.gasLimit,
    sequences: new Map(),
    serial: 0,
    domainSeparator: TypedDataEncoder.hashDomain(domain),
  };
  // The fast local digest must equal ethers' EIP-712 encoder and the contract's view.
  const sample = typicalRecord({
    agent: b.receiver,
    receiver: b.receiver,
    commons,
    nonceKey: 1n,
    sequence: 0n,
    now: await latestTimestamp(ethers),
    serial: -1,
  });
  const fast = fastRecordDigest(b, sample);
  const onChain: string = await ledger.getFunction("recordDigest").staticCall(sample);
  if (fast !== recordDigest(domain, sample) || fast !== onChain) {
    throw new Error(`record digest mismatch: local ${fast}, ethers ${recordDigest(domain, sample)}, contract ${onChain}`);
  }
  return b;
}

/** EIP-712 digest of a record from its ABI encoding (same value as recordDigest, much faster). */
export function fastRecordDigest(b: LedgerBench, r: LedgerRecord): string {
  const structHash = recordHashOfWords(encodeRecord(r));
  return keccak256(concat(["0x1901", b.domainSeparator, structHash]));
}

/** The agent's next nonce for the bench key (read from the contract once, then counted locally). */
async function takeNonce(b: LedgerBench, agent: string): Promise<bigint> {
  const k = agent.toLowerCase();
  let seq = b.sequences.get(k);
  if (seq === undefined) {
    const nonce: bigint = await b.ledger.getFunction("nonces").staticCall(agent, b.nonceKey);
    seq = nonce & ((1n << 64n) - 1n);
  }
  b.sequences.set(k, seq + 1n);
  return packNonce(b.nonceKey, seq);
}

/** Signed typical records, one per agent (an agent may appear many times: its nonces follow). */
export async function signedTypicalRecords(
  b: LedgerBench,
  agents: readonly Agent[],
  receiver: string = b.receiver,
): Promise<{ records: LedgerRecord[]; signatures: string[] }> {
  const now = await latestTimestamp(b.ethers);
  const records: LedgerRecord[] = [];
  const signatures: string[] = [];
  for (const agent of agents) {
    const nonce = await takeNonce(b, agent.address);
    const r = typicalRecord({
      agent: agent.address,
      receiver,
      commons: b.commons,
      nonceKey: b.nonceKey,
      sequence: nonce & ((1n << 64n) - 1n),
      now,
      serial: b.serial++,
    });
    records.push(r);
    signatures.push(agent.signDigest(fastRecordDigest(b, r)));
  }
  return { records, signatures };
}

// ---------------------------------------------------------------- records

export interface RecordsMeasure extends TxMeasure {
  records: number;
  /** Checkpoints the transaction stored (an entry id that is a multiple of CHECKPOINT_INTERVAL). */
  checkpoints: number;
  gasPerRecord: number;
  /** gasPerRecord without the checkpoints the transaction stored (CHECKPOINT_GAS each). */
  steadyGasPerRecord: number;
  calldataBytesPerRecord: number;
  firstId: bigint;
  lastId: bigint;
}

/**
 * Records one typical record per agent and measures the transaction: `record(...)` when `single`
 * (exactly one agent), `recordBatch(...)` otherwise. `receiver` names another receiver than the
 * bench's; with `cosign` (single only) it co-signs (`recordConfirmed`). Throws if any item was skipped.
 */
export async function measureRecords(
  b: LedgerBench,
  agents: readonly Agent[],
  single = false,
  opts: { receiver?: Agent; cosign?: boolean } = {},
): Promise<RecordsMeasure> {
  if (agents.length === 0) throw new Error("no agents");
  if (single && agents.length !== 1) throw new Error("a single record needs exactly one agent");
  const cosigner = opts.cosign ? opts.receiver : undefined;
  if (opts.cosign && (!cosigner || !single)) throw new Error("a co-signed record is sent alone, with its receiver");
  const { records, signatures } = await signedTypicalRecords(b, agents, opts.receiver?.address);
  const data = cosigner
    ? b.ledger.interface.encodeFunctionData("recordConfirmed", [records[0], signatures[0], cosigner.signDigest(fastRecordDigest(b, records[0]))])
    : single
      ? b.ledger.interface.encodeFunctionData("record", [records[0], signatures[0]])
      : b.ledger.interface.encodeFunctionData("recordBatch", [records, signatures]);
  const m = await sendMeasured(b.relayer, b.address, data, b.gasLimit);
  const ids: bigint[] = [];
  const skipped: string[] = [];
  let checkpoints = 0;
  for (const log of m.receipt.logs) {
    if (log.address.toLowerCase() !== b.address.toLowerCase()) continue;
    const parsed = b.ledger.interface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed?.name === "Recorded") ids.push(parsed.args.id as bigint);
    if (parsed?.name === "Checkpointed") checkpoints++;
    if (parsed?.name === "RecordSkipped") skipped.push(`#${parsed.args.index}: ${describeRevert(parsed.args.reason as string)}`);
  }
  if (skipped.length > 0 || ids.length !== agents.length) {
    throw new Error(`${agents.length - ids.length} of ${agents.length} records were not recorded: ${skipped.slice(0, 3).join("; ")}`);
  }
  return {
    ...m,
    records: ids.length,
    checkpoints,
    gasPerRecord: m.gasUsed / ids.length,
    steadyGasPerRecord: (m.gasUsed - checkpoints * CHECKPOINT_GAS) / ids.length,
    calldataBytesPerRecord: m.calldata.bytes / ids.length,
    firstId: ids[0],
    lastId: ids[ids.length - 1],
  };
}

export const measureRecord = (b: LedgerBench, agent: Agent) => measureRecords(b, [agent], true);
export const measureBatch = (b: LedgerBench, agents: readonly Agent[]) => measureRecords(b, agents, false);

/** `count` copies of one agent: a batch from one signer. */
export const repeat = (agent: Agent, count: number): Agent[] => Array.from({ length: count }, () => agent);

async function entryCount(b: LedgerBench): Promise<bigint> {
  const [count] = (await b.ledger.getFunction("tip").staticCall()) as [bigint, string];
  return count;
}

/**
 * Every CHECKPOINT_INTERVAL-th entry also stores a checkpoint (~24,000 gas: a new storage slot
 * and an event). For steady-state figures, this records filler entries (one batch) so that the
 * next `size` entries contain no checkpoint. Returns the number of filler entries (0 if none were
 * needed, or if `size` is a whole interval or more, where a checkpoint cannot be avoided).
 */
export async function avoidCheckpoint(b: LedgerBench, size: number, filler: Agent = eoaAgent(benchWallet("filler"))): Promise<number> {
  const interval = b.checkpointInterval;
  if (BigInt(size) >= interval) return 0;
  const count = await entryCount(b);
  const nextCheckpoint = (count / interval + 1n) * interval;
  if (count + BigInt(size) < nextCheckpoint) return 0;
  const pad = Number(nextCheckpoint - count);
  await measureBatch(b, repeat(filler, pad));
  return pad;
}

/** Records full batches (MAX_BATCH) of `agents`' records, round robin, until the ledger holds `count` entries. */
export async function fillTo(b: LedgerBench, count: bigint, agents: readonly Agent[], onBatch?: (m: RecordsMeasure) => void): Promise<RecordsMeasure[]> {
  const current = await entryCount(b);
  const out: RecordsMeasure[] = [];
  let i = 0;
  for (let n = current; n < count;) {
    const size = Number(count - n < BigInt(b.maxBatch) ? count - n : BigInt(b.maxBatch));
    const batch = Array.from({ length: size }, () => agents[i++ % agents.length]);
    const m = await measureBatch(b, batch);
    out.push(m);
    onBatch?.(m);
    n += BigInt(size);
  }
  return out;
}

// ---------------------------------------------------------------- validations

export interface ValidationMeasure extends TxMeasure {
  entryId: bigint;
  /** Later entries in the proof (0 when no proof was sent). */
  proofLaterEntries: number;
  withProof: boolean;
}

/**
 * A relayed, signed Accept of `entryId` by `validator`. With `withProof` the full EntryProof is
 * built from the ledger's events (needed for the entry's first validation); without it the call
 * carries an all-zero record and empty arrays (enough once the entry is anchored).
 */
export async function measureValidation(b: LedgerBench, entryId: bigint, validator: Agent, withProof: boolean): Promise<ValidationMeasure> {
  let proof: EntryProof = { record: ZERO_RECORD, previousHead: ZeroHash, laterSigners: [], laterRecordHashes: [] };
  if (withProof) {
    const events = await readLedger(b.ethers.provider, b.address);
    proof = buildEntryProof(events.entries, entryId);
  }
  const now = await latestTimestamp(b.ethers);
  const v = buildValidation({
    entryId,
    verdict: "accept",
    validator: validator.address,
    evidence: keccak256(toUtf8Bytes(`commons-ledger/bench/validation/${b.serial++}`)),
    nonce: await takeNonce(b, validator.address),
    deadline: now + 7n * 24n * 3600n,
  });
  const signature = validator.signDigest(validationDigest(b.domain, v));
  const data = b.ledger.interface.encodeFunctionData("validate", [v, signature, proof]);
  const m = await sendMeasured(b.relayer, b.address, data, b.gasLimit);
  return { ...m, entryId, proofLaterEntries: proof.laterSigners.length, withProof };
}

export interface ValidationBatchMeasure extends TxMeasure {
  validations: number;
  /** Range proofs sent (one per checkpoint interval with entries not anchored yet). */
  proofs: number;
  gasPerValidation: number;
}

/**
 * A relayed `validateBatch` of signed Accepts (or another `verdict`, e.g. the counterparty's
 * confirm), item i of `validators` validating `entryIds[i]`. Entries whose record must be given are
 * proven by range proofs built from the events (`prove`: the ids to give in full; by default none,
 * for validations of entries already anchored; an answer always needs its entry's). Throws if any
 * item was skipped.
 */
export async function measureValidationBatch(
  b: LedgerBench,
  entryIds: readonly bigint[],
  validators: readonly Agent[],
  prove: readonly bigint[] = [],
  verdict: VerdictName = "accept",
): Promise<ValidationBatchMeasure> {
  if (entryIds.length !== validators.length || entryIds.length === 0) throw new Error("one validator per entry id, at least one");
  const proofs = prove.length === 0 ? [] : buildRangeProofs((await readLedger(b.ethers.provider, b.address)).entries, prove);
  const now = await latestTimestamp(b.ethers);
  const validations = [];
  const signatures: string[] = [];
  for (let i = 0; i < entryIds.length; i++) {
    const v = buildValidation({
      entryId: entryIds[i],
      verdict,
      validator: validators[i].address,
      evidence: keccak256(toUtf8Bytes(`commons-ledger/bench/validation/${b.serial++}`)),
      nonce: await takeNonce(b, validators[i].address),
      deadline: now + 7n * 24n * 3600n,
    });
    validations.push(v);
    signatures.push(validators[i].signDigest(validationDigest(b.domain, v)));
  }
  const data = b.ledger.interface.encodeFunctionData("validateBatch", [validations, signatures, proofs]);
  const m = await sendMeasured(b.relayer, b.address, data, b.gasLimit);
  const skipped: string[] = [];
  let recorded = 0;
  for (const log of m.receipt.logs) {
    const parsed = b.ledger.interface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed?.name === "Validated" || parsed?.name === "Endorsed" || parsed?.name === "CounterpartyAnswered") recorded++;
    if (parsed?.name === "ValidationSkipped") skipped.push(`#${parsed.args.index}: ${describeRevert(parsed.args.reason as string)}`);
  }
  if (recorded !== entryIds.length) throw new Error(`${skipped.length} of ${entryIds.length} validations were skipped: ${skipped.slice(0, 3).join("; ")}`);
  return { ...m, validations: recorded, proofs: proofs.length, gasPerValidation: m.gasUsed / recorded };
}

/**
 * Appoints `validators` to validate every action in the bench commons (the relayer founded it and
 * is its only steward, threshold 1): only their validations count; anyone else's are endorsements.
 */
export async function appointValidators(b: LedgerBench, validators: readonly Agent[]): Promise<void> {
  const setRoles = b.ledger.connect(b.relayer).getFunction("setRoles");
  const rolesOf = b.ledger.getFunction("rolesOf");
  const all = await b.ledger.getFunction("ALL_ROLES").staticCall();
  for (const v of validators) {
    if ((await rolesOf.staticCall(b.commons, v.address)) !== all) await (await setRoles.send(b.commons, v.address, all)).wait();
  }
}

// ---------------------------------------------------------------- convenience for tests

/** Deploys an ERC1271WalletMock (Honest mode) owned by `owner`. */
export async function deployErc1271Agent(ethers: HardhatEthers, owner: Wallet): Promise<Agent> {
  const wallet = await ethers.deployContract("ERC1271WalletMock", [owner.address]);
  await wallet.waitForDeployment();
  return erc1271Agent(await wallet.getAddress(), owner);
}

/**
 * Gas of one relayed typical record by a returning signer (a fresh agent records once first),
 * on an entry that stores no checkpoint.
 */
export async function measureTypicalSingle(ethers: HardhatEthers, ledger: BaseContract, label = "test/single"): Promise<RecordsMeasure> {
  const b = await createLedgerBench(ethers, ledger);
  const agent = eoaAgent(benchWallet(label));
  await measureRecord(b, agent);
  await avoidCheckpoint(b, 1);
  return measureRecord(b, agent);
}

export type BatchShape = "one-signer" | "distinct-returning" | "first-time";

/**
 * Gas of a batch of `n` typical records of the given shape (returning signers record once first),
 * placed so that it stores no checkpoint when n < CHECKPOINT_INTERVAL. Labels make the agents:
 * "first-time" is first-time only once per label and ledger.
 */
export async function measureTypicalBatch(
  ethers: HardhatEthers,
  ledger: BaseContract,
  shape: BatchShape,
  n = 100,
  label = `test/batch/${shape}`,
): Promise<RecordsMeasure> {
  const b = await createLedgerBench(ethers, ledger);
  if (shape === "one-signer") {
    const agent = eoaAgent(benchWallet(label));
    await measureRecord(b, agent);
    await avoidCheckpoint(b, n);
    return measureBatch(b, repeat(agent, n));
  }
  const agents = benchAgents(label, n);
  if (shape === "distinct-returning") await measureBatch(b, agents);
  await avoidCheckpoint(b, n);
  return measureBatch(b, agents);
}
