// Gas of the reciprocity registry: statusOf (one eth_call, worst realistic case) and relayed
// declarations (a licensee's first, and returning licensees'), against the issue's targets.
// Used by scripts/bench/reciprocity.ts (`npm run bench:reciprocity`).
import { id, ZeroAddress } from "ethers";
import type { Contract, Signer, Wallet } from "ethers";
import { LedgerClient } from "../../lib/core/client.js";
import { sendMeasured } from "../../lib/kit/gas.js";
import type { TxMeasure } from "../../lib/kit/gas.js";
import {
  buildDeclaration,
  buildGrant,
  buildSettlement,
  reciprocityInterface,
  registryDomain,
  signDeclaration,
  signGrant,
  signSettlement,
} from "../../lib/reciprocity/reciprocity.js";
import type { DeclarationKindName, EntityFormName, Terms, UseKindName } from "../../lib/reciprocity/reciprocity.js";
import { encodeUnit, parseQuantity } from "../../lib/core/record.js";
import { ALL_ROLES } from "../../lib/core/vocabulary.js";

export const RECIPROCITY_TARGETS = { statusOf: 50_000, declaration: 60_000 } as const;

export interface ReciprocityBench {
  statusOfWorst: number;
  statusOfTypical: number;
  firstDeclaration: TxMeasure;
  returning: { label: string; m: TxMeasure }[];
  /** A relayed settleBySignature of a plain (uncorrected) entry. */
  settle: TxMeasure;
}

/**
 * `registry` and `ledger` are fresh deployments; `relayer` pays, the wallets only sign.
 * `wallets`: licensor, attester, steward (validator), licensee A, licensee B (any funded/unfunded keys).
 */
export async function measureReciprocity(p: {
  registry: Contract;
  ledger: Contract;
  relayer: Signer;
  licensor: Signer;
  attester: Signer;
  steward: Signer;
  validator: Signer;
  a: Wallet;
  b: Wallet;
}): Promise<ReciprocityBench> {
  const { registry, relayer } = p;
  const provider = relayer.provider!;
  const address = await registry.getAddress();
  const domain = await registryDomain(provider, address);
  const now = async () => BigInt((await provider.getBlock("latest"))!.timestamp);
  const as = (s: Signer) => registry.connect(s) as Contract;
  const wait = async (tx: Promise<{ wait(): Promise<unknown> }>) => void (await (await tx).wait());
  const lastRecord = async () => ((await registry.counts()) as [bigint, bigint])[1];

  const salt = id("bench reciprocity");
  const ledgerClient = await LedgerClient.connect(relayer as never, await p.ledger.getAddress());
  const commons: string = await (p.ledger.connect(p.steward) as Contract).registerCommons.staticCall(salt, "bench");
  await wait((p.ledger.connect(p.steward) as Contract).registerCommons(salt, "bench"));
  // Only appointed validators count: the steward appoints the bench's validator.
  await wait((p.ledger.connect(p.steward) as Contract).setRoles(commons, await p.validator.getAddress(), ALL_ROLES));
  const terms: Terms = {
    kind: 1,
    supersedes: 0n,
    termsHash: id("CopyFair"),
    termsUri: "ipfs://copyfair",
    shareAlike: false,
    attesters: [await p.attester.getAddress()],
    arbiter: ZeroAddress,
    commons,
    obligation: { amount: parseQuantity("100"), unit: encodeUnit("EUR"), period: 30n * 86_400n },
  };
  await wait(as(p.licensor).registerWork(terms));
  const work = 1n;

  const declaration = async (who: Wallet, input: { kind: DeclarationKindName; form?: EntityFormName; use?: UseKindName; start?: bigint; end?: bigint }) => {
    const d = buildDeclaration({
      ...input,
      licensee: who.address,
      work,
      evidence: id("evidence"),
      nonce: (await registry.declarationNonce(who.address, work)) as bigint,
      deadline: (await now()) + 3600n,
    });
    const data = reciprocityInterface().encodeFunctionData("declare", [d, await signDeclaration(who, domain, d)]);
    return sendMeasured(relayer, address, data);
  };

  // Licensee B first, so that the record counter is warm as on any live registry.
  await declaration(p.b, { kind: "entity", form: "other" });
  const firstDeclaration = await declaration(p.a, { kind: "entity", form: "worker-owned" });
  const t = await now();
  const period = { start: t - 86_400n, end: t - 86_400n + 365n * 86_400n };
  const returning = [
    { label: "use", m: await declaration(p.a, { kind: "use", use: "commercial" }) },
    { label: "surplus", m: await declaration(p.a, { kind: "surplus", ...period }) },
    { label: "surplus renewal (contiguous)", m: await declaration(p.a, { kind: "surplus", start: period.end, end: period.end + 365n * 86_400n }) },
  ];
  const statusOfTypical = Number(await registry.statusOf.estimateGas(p.a.address, work));

  // Worst realistic case: every slot statusOf reads is populated (see test/ReciprocityRegistry.test.ts).
  await wait(as(p.attester).attest(p.a.address, work, 2n, id("statutes")));
  await wait(as(p.attester).attest(p.a.address, work, (await lastRecord()) - 1n, id("accounts")));
  const grant = async (input: { kind: "reinstatement" | "separate-license"; ref?: bigint; expiry?: bigint }) => {
    const g = buildGrant({
      ...input,
      licensee: p.a.address,
      work,
      nonce: (await registry.nonces(await p.licensor.getAddress())) as bigint,
      deadline: (await now()) + 3600n,
    });
    await wait(registry.grant(g, await signGrant(p.licensor as never, domain, g)));
  };
  await grant({ kind: "separate-license", expiry: (await now()) + 60n });
  await wait(registry.reportBreach(p.a.address, work, 1, id("report")));
  await wait(as(p.licensor).findBreach(await lastRecord(), id("finding")));
  await grant({ kind: "reinstatement", ref: await lastRecord() });
  await wait(registry.reportBreach(p.a.address, work, 4, id("report 2")));
  const contribution = await ledgerClient.submit(
    await ledgerClient.sign(p.a, { action: "transfer", commons, receiver: await p.steward.getAddress(), quantity: "5", unit: "EUR" }),
  );
  await ledgerClient.validate(p.validator as never, contribution.id, "accept");
  // Licensee A signs the settlement order (it names the work); the relayer sends it.
  const order = buildSettlement({ work, entryId: contribution.id, nonce: 0n, deadline: (await now()) + 3600n });
  const settleData = reciprocityInterface().encodeFunctionData("settleBySignature", [
    order,
    await signSettlement(p.a, domain, order),
    await ledgerClient.proof(contribution.id),
    [],
  ]);
  const settle = await sendMeasured(relayer, address, settleData);
  // Let the separate license expire, so that the view walks every branch.
  const rpc = provider as unknown as { send(method: string, params: unknown[]): Promise<unknown> };
  await rpc.send("evm_increaseTime", [120]);
  await rpc.send("evm_mine", []);
  const statusOfWorst = Number(await registry.statusOf.estimateGas(p.a.address, work));
  return { statusOfWorst, statusOfTypical, firstDeclaration, returning, settle };
}
