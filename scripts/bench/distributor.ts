// Gas benchmark of the IncomeDistributor on the in-process EDR chain (Prague rules):
//   npm run bench:distributor      (hardhat run scripts/bench/distributor.ts)
// deposits (ETH, ERC-20), publication (4 and 256 leaves), claims (ETH by the account itself and
// by a third party, ERC-20) against the 60,000-gas claim target; writes bench/results/distributor.json.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { id, parseEther, Wallet, ZeroAddress } from "ethers";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";
import IncomeDistributorModule from "../ignition/modules/IncomeDistributor.js";
import { n, table, toJson } from "./kit/report.js";
import { buildRecord, ledgerDomain, packNonce, signRecord } from "../lib/core/record.js";
import { shareTree, proofFor } from "../lib/distribution/value-equation.js";

const CLAIM_TARGET = 60_000n;
const OUT = path.join("bench", "results", "distributor.json");
const { ethers, ignition, networkHelpers } = await network.create({ override: { hardfork: "prague" } });
const { ledger, distributor } = await ignition.deploy(IncomeDistributorModule);
const [steward, alice, relayer] = await ethers.getSigners();
const gas = async (tx: Promise<ContractTransactionResponse>) => (await (await tx).wait())!.gasUsed;

const commons: string = await ledger.connect(steward).getFunction("registerCommons").staticCall(id("bench"), "Bench");
await ledger.connect(steward).getFunction("registerCommons")(id("bench"), "Bench");
const now = BigInt(await networkHelpers.time.latest());
const r = buildRecord({
  action: "work",
  provider: alice.address,
  commons,
  quantity: "1",
  unit: "h",
  time: now,
  nonce: packNonce(1n, 0n),
  deadline: now + 3600n,
});
const domain = ledgerDomain((await ethers.provider.getNetwork()).chainId, await ledger.getAddress());
await ledger.connect(relayer).getFunction("record")(r, await signRecord(alice, domain, r));
const [count, head] = (await ledger.getFunction("tip")()) as [bigint, string];
const token = await ethers.deployContract("ERC20Mock");
await token.getFunction("mint")(steward.address, parseEther("1000"));
await token.getFunction("approve")(await distributor.getAddress(), parseEther("1000"));

const rows: { measure: string; gas: bigint; target?: bigint }[] = [];
rows.push({ measure: "depositETH", gas: await gas(distributor.getFunction("depositETH")(commons, { value: parseEther("100") })) });
rows.push({ measure: "depositToken (ERC-20)", gas: await gas(distributor.getFunction("depositToken")(commons, await token.getAddress(), parseEther("100"))) });

async function publish(leaves: number, tokenAddress: string, include: string[]) {
  const shares = Array.from({ length: leaves }, (_, i) => ({ account: include[i] ?? Wallet.createRandom().address, amount: 1_000_000n + BigInt(i) }));
  const tree = shareTree(shares);
  const total = shares.reduce((s, x) => s + x.amount, 0n);
  const p = {
    commons,
    token: tokenAddress,
    root: tree.root,
    total,
    income: total,
    leafCount: BigInt(leaves),
    equationHash: id("eq"),
    ledgerHead: head,
    cutoff: count,
    challengeWindow: 3600n,
    claimPeriod: 86_400n * 30n,
    equationURI: "scripts/demo/value-equation.json",
  };
  const used = await gas(distributor.connect(steward).getFunction("publish")(p));
  return { id: (await distributor.getFunction("distributionCount")()) as bigint, tree, used };
}

const small = await publish(4, ZeroAddress, []);
rows.push({ measure: "publish (4 leaves)", gas: small.used });
const [holder, other] = (await ethers.getSigners()).slice(3, 5);
const eth = await publish(256, ZeroAddress, [holder.address, other.address]);
rows.push({ measure: "publish (256 leaves, 1 bitmap word)", gas: eth.used });
const erc = await publish(256, await token.getAddress(), [holder.address, other.address]);
rows.push({ measure: "publish (256 leaves, ERC-20)", gas: erc.used });
const big = await publish(1024, ZeroAddress, []);
rows.push({ measure: "publish (1,024 leaves, 4 bitmap words)", gas: big.used });
await networkHelpers.time.increase(3600);

const claim = (d: typeof eth, who: string, from = holder) => {
  const leaf = proofFor(d.tree, who)!;
  return gas(distributor.connect(from).getFunction("claim")(d.id, leaf.index, who, leaf.amount, leaf.proof));
};
rows.push({ measure: "claim ETH (account claims itself, 256 leaves)", gas: await claim(eth, holder.address), target: CLAIM_TARGET });
rows.push({ measure: "claim ETH (third party triggers, 256 leaves)", gas: await claim(eth, other.address, relayer), target: CLAIM_TARGET });
rows.push({ measure: "claim ERC-20 (account claims itself, 256 leaves)", gas: await claim(erc, holder.address) });
rows.push({ measure: "claim ERC-20 (third party, 256 leaves)", gas: await claim(erc, other.address, relayer) });

console.log();
console.log(
  table(
    ["measure", ">gas", ">target", "met"],
    rows.map((x) => [x.measure, n(x.gas), x.target ? `<= ${n(x.target)}` : "", x.target ? (x.gas <= x.target ? "yes" : "NO") : ""]),
  ),
);
console.log();
mkdirSync(path.dirname(OUT), { recursive: true });
writeFileSync(OUT, toJson({ benchmark: "distributor", date: new Date().toISOString(), hardfork: "prague", rows }));
console.log(`wrote ${OUT}`);
