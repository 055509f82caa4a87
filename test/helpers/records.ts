// Records, validations and signatures for the mocha suites, built with the core module
// (scripts/lib/core/record.ts) so that the tests exercise exactly what the tools send.
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { TypedDataDomain } from "ethers";
import { buildRecord, buildValidation, labelId, ledgerDomain, packNonce, signRecord, signValidation } from "../../scripts/lib/core/record.js";
import type { LedgerRecord, LedgerValidation, RecordInput, TypedDataSigner } from "../../scripts/lib/core/record.js";
import type { VerdictName } from "../../scripts/lib/core/vocabulary.js";

export type Ethers = HardhatEthers;

/** The nonce key the suites use unless a test needs another one. */
export const KEY = 1n;
/** Seconds a typical signature stays valid. */
export const VALIDITY = 3600n;
/** The receiver of a typical record (any non-zero address). */
export const COMMONS_TREASURY = "0x000000000000000000000000000000000000c0de";
export const EVIDENCE = labelId("commit 1f2e3d: docs for the ledger");

/** The EIP-712 domain of a Ledger deployment on the connected chain. */
export async function domainOf(ethers: Ethers, ledger: { getAddress(): Promise<string> }): Promise<TypedDataDomain> {
  const { chainId } = await ethers.provider.getNetwork();
  return ledgerDomain(chainId, await ledger.getAddress());
}

/**
 * A typical record: 3 hours of work ("h") for a commons, with evidence and a receiver, happening
 * `now`, signed with nonce (KEY, sequence), valid for VALIDITY seconds.
 */
export function workRecord(p: {
  provider: string;
  commons: string;
  now: bigint;
  sequence?: bigint;
  key?: bigint;
  overrides?: Partial<RecordInput>;
}): LedgerRecord {
  return buildRecord({
    action: "work",
    provider: p.provider,
    receiver: COMMONS_TREASURY,
    commons: p.commons,
    quantity: "3",
    unit: "h",
    time: p.now,
    evidence: EVIDENCE,
    nonce: packNonce(p.key ?? KEY, p.sequence ?? 0n),
    deadline: p.now + VALIDITY,
    ...p.overrides,
  });
}

/** A validation of `entryId` by `validator`, nonce (KEY, sequence), valid for VALIDITY seconds. */
export function validationOf(p: {
  entryId: bigint;
  validator: string;
  verdict?: VerdictName;
  now: bigint;
  sequence?: bigint;
  key?: bigint;
  evidence?: string;
}): LedgerValidation {
  return buildValidation({
    entryId: p.entryId,
    verdict: p.verdict ?? "accept",
    validator: p.validator,
    evidence: p.evidence ?? labelId(`notes on entry ${p.entryId}`),
    nonce: packNonce(p.key ?? KEY, p.sequence ?? 0n),
    deadline: p.now + VALIDITY,
  });
}

/**
 * Someone who signs records and validations for the Ledger: an EOA, or an ERC-1271 wallet whose
 * owner EOA signs the same typed data (the record's provider is then the wallet's address).
 */
export interface Agent {
  kind: "EOA" | "ERC-1271";
  address: string;
  signRecord(r: LedgerRecord): Promise<string>;
  signValidation(v: LedgerValidation): Promise<string>;
}

export function eoaAgent(signer: TypedDataSigner & { address: string }, domain: TypedDataDomain): Agent {
  return {
    kind: "EOA",
    address: signer.address,
    signRecord: (r) => signRecord(signer, domain, r),
    signValidation: (v) => signValidation(signer, domain, v),
  };
}

/** An ERC1271WalletMock at `wallet`, owned by `owner`: the owner's EIP-712 signature is the wallet's. */
export function walletAgent(wallet: string, owner: TypedDataSigner, domain: TypedDataDomain): Agent {
  return {
    kind: "ERC-1271",
    address: wallet,
    signRecord: (r) => signRecord(owner, domain, r),
    signValidation: (v) => signValidation(owner, domain, v),
  };
}

/** The record as the ordered tuple an event or call argument decodes to (for `withArgs`). */
export function recordTuple(r: LedgerRecord): unknown[] {
  return [
    r.flow,
    r.action,
    r.provider,
    r.receiver,
    r.commons,
    r.resource,
    r.resourceSpec,
    r.process,
    r.side,
    r.quantity,
    r.unit,
    r.time,
    r.evidence,
    r.corrects,
    r.satisfies,
    r.nonce,
    r.deadline,
  ];
}

/** `count` typical records by `provider` with sequences start..start+count-1, signed. */
export async function signedWorkRecords(
  agent: Agent,
  commons: string,
  now: bigint,
  count: number,
  opts: { start?: bigint; key?: bigint; validity?: bigint } = {},
): Promise<{ records: LedgerRecord[]; signatures: string[] }> {
  const records: LedgerRecord[] = [];
  for (let i = 0; i < count; i++) {
    records.push(
      workRecord({
        provider: agent.address,
        commons,
        now,
        key: opts.key,
        sequence: (opts.start ?? 0n) + BigInt(i),
        overrides: { quantity: String(i + 1), deadline: now + (opts.validity ?? VALIDITY) },
      }),
    );
  }
  const signatures = await Promise.all(records.map((r) => agent.signRecord(r)));
  return { records, signatures };
}
