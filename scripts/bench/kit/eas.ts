// The peer the benchmark compares with: EAS 1.9 (Ethereum Attestation Service) delegated
// attestations carrying the same payload bytes as a Ledger record (the record's ABI encoding).
// Measured in the same run and on the same chain as the Ledger (see scripts/lib/kit/gas.ts).
import { keccak256, Signature, toUtf8Bytes, TypedDataEncoder, ZeroAddress, ZeroHash } from "ethers";
import type { BaseContract, Signer, TypedDataDomain, TypedDataField } from "ethers";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { latestTimestamp, sendMeasured } from "../../lib/kit/gas.js";
import type { Agent, TxMeasure } from "../../lib/kit/gas.js";

/** EAS's delegated attestation type (EIP1271Verifier.ATTEST_TYPEHASH). */
export const EAS_ATTEST_TYPES: Record<string, TypedDataField[]> = {
  Attest: [
    { name: "attester", type: "address" },
    { name: "schema", type: "bytes32" },
    { name: "recipient", type: "address" },
    { name: "expirationTime", type: "uint64" },
    { name: "revocable", type: "bool" },
    { name: "refUID", type: "bytes32" },
    { name: "data", type: "bytes" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint64" },
  ],
};

/** The schema the payload is registered under: the record as opaque bytes. */
export const EAS_BENCH_SCHEMA = "bytes record";

export interface EasBench {
  ethers: HardhatEthers;
  eas: BaseContract;
  registry: BaseContract;
  address: string;
  relayer: Signer;
  domain: TypedDataDomain;
  schema: string;
  gasLimit?: bigint;
  /** Next EAS nonce per attester (lowercase address). */
  nonces: Map<string, bigint>;
}

/**
 * Deploys SchemaRegistry and EAS, registers EAS_BENCH_SCHEMA (no resolver, not revocable: the
 * Ledger is append-only too) and checks the attest type hash against the contract's.
 */
export async function deployEasBench(ethers: HardhatEthers, opts: { relayer?: Signer; gasLimit?: bigint } = {}): Promise<EasBench> {
  const relayer = opts.relayer ?? (await ethers.getSigners())[0];
  const registry = await ethers.deployContract("SchemaRegistry", relayer);
  await registry.waitForDeployment();
  const eas = await ethers.deployContract("EAS", [await registry.getAddress()], relayer);
  await eas.waitForDeployment();
  const register = registry.getFunction("register");
  const schema: string = await register.staticCall(EAS_BENCH_SCHEMA, ZeroAddress, false);
  await (await register.send(EAS_BENCH_SCHEMA, ZeroAddress, false)).wait();

  const [, name, version, chainId, verifyingContract] = await eas.getFunction("eip712Domain").staticCall();
  const domain: TypedDataDomain = { name, version, chainId, verifyingContract };
  const typeHash = keccak256(toUtf8Bytes(TypedDataEncoder.from(EAS_ATTEST_TYPES).encodeType("Attest")));
  const onChain: string = await eas.getFunction("getAttestTypeHash").staticCall();
  if (typeHash !== onChain) throw new Error(`EAS attest type hash mismatch: local ${typeHash}, contract ${onChain}`);
  return { ethers, eas, registry, address: await eas.getAddress(), relayer, domain, schema, gasLimit: opts.gasLimit, nonces: new Map() };
}

async function takeNonce(e: EasBench, attester: string): Promise<bigint> {
  const k = attester.toLowerCase();
  const nonce: bigint = e.nonces.get(k) ?? (await e.eas.getFunction("getNonce").staticCall(attester));
  e.nonces.set(k, nonce + 1n);
  return nonce;
}

/** What every request shares: the recipient plays the record's receiver. */
export interface EasClaim {
  recipient: string;
  data: string;
}

interface SignedClaim {
  request: { recipient: string; expirationTime: bigint; revocable: boolean; refUID: string; data: string; value: bigint };
  signature: { v: number; r: string; s: string };
}

async function signClaims(e: EasBench, attester: Agent, claims: readonly EasClaim[], deadline: bigint): Promise<SignedClaim[]> {
  const out: SignedClaim[] = [];
  for (const c of claims) {
    const request = { recipient: c.recipient, expirationTime: 0n, revocable: false, refUID: ZeroHash, data: c.data, value: 0n };
    const nonce = await takeNonce(e, attester.address);
    const digest = TypedDataEncoder.hash(e.domain, EAS_ATTEST_TYPES, { attester: attester.address, schema: e.schema, ...request, nonce, deadline });
    const sig = Signature.from(attester.signDigest(digest));
    out.push({ request, signature: { v: sig.v, r: sig.r, s: sig.s } });
  }
  return out;
}

export interface ClaimsMeasure extends TxMeasure {
  claims: number;
  gasPerClaim: number;
  calldataBytesPerClaim: number;
}

function perClaim(m: TxMeasure, claims: number): ClaimsMeasure {
  return { ...m, claims, gasPerClaim: m.gasUsed / claims, calldataBytesPerClaim: m.calldata.bytes / claims };
}

/** `attestByDelegation`: one claim signed by `attester`, relayed. */
export async function measureAttestByDelegation(e: EasBench, attester: Agent, claim: EasClaim): Promise<ClaimsMeasure> {
  const deadline = (await latestTimestamp(e.ethers)) + 7n * 24n * 3600n;
  const [signed] = await signClaims(e, attester, [claim], deadline);
  const data = e.eas.interface.encodeFunctionData("attestByDelegation", [
    { schema: e.schema, data: signed.request, signature: signed.signature, attester: attester.address, deadline },
  ]);
  return perClaim(await sendMeasured(e.relayer, e.address, data, e.gasLimit), 1);
}

/**
 * `multiAttestByDelegation` with one request per group: one group of 100 claims is a batch from
 * one signer; 100 groups of one claim are 100 distinct signers.
 */
export async function measureMultiAttestByDelegation(e: EasBench, groups: readonly { attester: Agent; claims: readonly EasClaim[] }[]): Promise<ClaimsMeasure> {
  const deadline = (await latestTimestamp(e.ethers)) + 7n * 24n * 3600n;
  const requests = [];
  let claims = 0;
  for (const g of groups) {
    const signed = await signClaims(e, g.attester, g.claims, deadline);
    requests.push({
      schema: e.schema,
      data: signed.map((s) => s.request),
      signatures: signed.map((s) => s.signature),
      attester: g.attester.address,
      deadline,
    });
    claims += g.claims.length;
  }
  const data = e.eas.interface.encodeFunctionData("multiAttestByDelegation", [requests]);
  return perClaim(await sendMeasured(e.relayer, e.address, data, e.gasLimit), claims);
}
