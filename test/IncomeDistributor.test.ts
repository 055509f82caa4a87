// The IncomeDistributor, function by function, as contracts/interfaces/IIncomeDistributor.sol
// states it: deposits (ETH, plain, fee-on-transfer and no-return-value tokens), publication,
// challenge, cancellation, claims with Merkle proofs, roll-over, the payment isolation items
// (re-entering, reverting and gas-burning receivers) and the conservation of funds.
import { expect } from "chai";
import { network } from "hardhat";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { readFileSync } from "node:fs";
import { id, Interface, ZeroAddress, ZeroHash } from "ethers";
import { DISTRIBUTOR_ABI } from "../scripts/lib/core/distributor-abi.js";
import { DISTRIBUTOR_ERRORS, explainRevertData } from "../scripts/lib/core/contract-errors.js";
import type { HDNodeWallet } from "ethers";
import IncomeDistributorModule from "../scripts/ignition/modules/IncomeDistributor.js";
import type { ERC20Mock, FeeOnTransferERC20Mock, IncomeDistributor, Ledger, NoReturnERC20Mock, ReceiverMock } from "../types/ethers-contracts/index.js";
import type { IIncomeDistributor } from "../types/ethers-contracts/contracts/IncomeDistributor.js";
import { domainOf, eoaAgent, workRecord } from "./helpers/records.js";
import { days, hours, latest, pinNextBlock } from "./helpers/time.js";

const { ethers, ignition, networkHelpers } = await network.create();

const ETH = ZeroAddress;
const MIN_WINDOW = hours(1); // the module's default minChallengeWindow
const MAX_WINDOW = days(30);
const MIN_PERIOD = days(1);
const MAX_PERIOD = days(3650);
const MAX_LEAVES = 16_384n;
const MAX_U112 = (1n << 112n) - 1n;
const EQUATION = id("equation: commons-ledger/value-equation@1 demo");
const Status = { None: 0n, Published: 1n, Cancelled: 2n, RolledOver: 3n } as const;
const Mode = { Accept: 0, Revert: 1, BurnGas: 2, ReenterClaim: 3, ReenterDeposit: 4 } as const;

type Share = [account: string, amount: bigint];

/** The StandardMerkleTree of (index, account, amount) leaves the CLI publishes. */
function treeOf(shares: readonly Share[]) {
  return StandardMerkleTree.of(
    shares.map(([a, amount], i) => [BigInt(i), a, amount]),
    ["uint256", "address", "uint256"],
  );
}
function proofOf(tree: ReturnType<typeof treeOf>, index: number): string[] {
  return tree.getProof(index);
}

async function deployFixture() {
  const [steward, alice, bob, carol, stranger] = await ethers.getSigners();
  const { ledger, distributor } = await ignition.deploy(IncomeDistributorModule);
  const l = ledger as unknown as Ledger;
  const d = distributor as unknown as IncomeDistributor;
  const commons: string = await l.connect(steward).registerCommons.staticCall(id("lab"), "Lab");
  await l.connect(steward).registerCommons(id("lab"), "Lab");
  const other: string = await l.connect(stranger).registerCommons.staticCall(id("other"), "Other");
  await l.connect(stranger).registerCommons(id("other"), "Other");
  // One ledger entry, so that cutoff 1 exists.
  const r = workRecord({ provider: alice.address, commons, now: await latest(networkHelpers) });
  await l.connect(stranger).record(r, await eoaAgent(alice as unknown as HDNodeWallet, await domainOf(ethers, l)).signRecord(r));
  const [count, head] = await l.tip();
  const token = (await ethers.deployContract("ERC20Mock")) as unknown as ERC20Mock;
  const feeToken = (await ethers.deployContract("FeeOnTransferERC20Mock", [100n])) as unknown as FeeOnTransferERC20Mock; // 1 %
  const noReturn = (await ethers.deployContract("NoReturnERC20Mock")) as unknown as NoReturnERC20Mock;
  const receiver = (await ethers.deployContract("ReceiverMock")) as unknown as ReceiverMock;
  return { ledger: l, distributor: d, commons, other, count, head, token, feeToken, noReturn, receiver, steward, alice, bob, carol, stranger };
}
type Fixture = Awaited<ReturnType<typeof deployFixture>>;

function params(f: Fixture, shares: readonly Share[], over: Partial<IIncomeDistributor.PublishParamsStruct> = {}): IIncomeDistributor.PublishParamsStruct {
  const tree = treeOf(shares);
  const total = shares.reduce((s, [, a]) => s + a, 0n);
  return {
    commons: f.commons,
    token: ETH,
    root: tree.root,
    total,
    income: over.total !== undefined ? BigInt(over.total) : total + 3n,
    leafCount: BigInt(shares.length),
    equationHash: EQUATION,
    ledgerHead: f.head,
    cutoff: f.count,
    challengeWindow: MIN_WINDOW,
    claimPeriod: days(30),
    equationURI: "ipfs://demo-equation",
    ...over,
  };
}

/** Deposits `amount` ETH, publishes `shares` and (optionally) waits until claims open. */
async function published(f: Fixture, shares: readonly Share[], open = true, over: Partial<IIncomeDistributor.PublishParamsStruct> = {}) {
  const p = params(f, shares, over);
  if (p.token === ETH) await f.distributor.connect(f.stranger).depositETH(f.commons, { value: BigInt(p.total) });
  await f.distributor.connect(f.steward).publish(p);
  const distId = await f.distributor.distributionCount();
  if (open) await networkHelpers.time.increase(MIN_WINDOW);
  return { distId, tree: treeOf(shares), p };
}

describe("IncomeDistributor", () => {
  describe("distributor-abi.ts", () => {
    const artifact = new Interface(JSON.parse(readFileSync("artifacts/contracts/IncomeDistributor.sol/IncomeDistributor.json", "utf8")).abi);
    const core = new Interface(DISTRIBUTOR_ABI);
    it("has every fragment in the artifact, with the same shape", () => {
      core.forEachFunction((fn) => expect(artifact.getFunction(fn.format("sighash"))?.format("minimal"), fn.format("sighash")).to.equal(fn.format("minimal")));
      core.forEachEvent((ev) => expect(artifact.getEvent(ev.topicHash)?.format("minimal"), ev.format("sighash")).to.equal(ev.format("minimal")));
      core.forEachError((er) => expect(artifact.getError(er.selector)?.format("minimal"), er.format("sighash")).to.equal(er.format("minimal")));
    });
    it("has every IncomeDistributor error of the artifact, each with a sentence", () => {
      const ours: string[] = [];
      artifact.forEachError((er) => {
        if (er.name.startsWith("IncomeDistributor")) ours.push(er.name);
      });
      const mirrored = new Set<string>();
      core.forEachError((er) => mirrored.add(er.name));
      expect(ours.filter((n) => !mirrored.has(n))).to.deep.equal([]);
      const data = core.encodeErrorResult("IncomeDistributorChallengeWindowOver", [7n, 1_800_000_000n]);
      expect(explainRevertData(data)).to.equal(
        "The challenge window of distribution 7 closed at 2027-01-15 08:00:00 UTC: it can no longer be cancelled, challenged or objected to.",
      );
      expect(Object.keys(DISTRIBUTOR_ERRORS).every((n) => mirrored.has(n))).to.equal(true);
    });
  });

  describe("constructor", () => {
    it("records the ledger and the minimum challenge window", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      expect(await f.distributor.ledger()).to.equal(await f.ledger.getAddress());
      expect(await f.distributor.minChallengeWindow()).to.equal(MIN_WINDOW);
      expect(await f.distributor.distributionCount()).to.equal(0n);
    });
    it("reverts with IncomeDistributorZeroAddress for a zero ledger", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      await expect(ethers.deployContract("IncomeDistributor", [ZeroAddress, 0n])).to.be.revertedWithCustomError(f.distributor, "IncomeDistributorZeroAddress");
    });
    it("reverts with IncomeDistributorInvalidChallengeWindow for a minimum above 30 days", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      await expect(ethers.deployContract("IncomeDistributor", [await f.ledger.getAddress(), MAX_WINDOW + 1n]))
        .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorInvalidChallengeWindow")
        .withArgs(MAX_WINDOW + 1n, 0n, MAX_WINDOW);
    });
  });

  describe("depositETH", () => {
    it("credits msg.value to the commons and emits Deposited", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      const tx = await f.distributor.connect(f.bob).depositETH(f.commons, { value: 1000n });
      await expect(tx).to.emit(f.distributor, "Deposited").withArgs(f.commons, ETH, f.bob.address, 1000n);
      await expect(tx).to.changeEtherBalances(ethers, [f.bob, f.distributor], [-1000n, 1000n]);
      expect(await f.distributor.unallocated(f.commons, ETH)).to.equal(1000n);
      expect(await f.distributor.unallocated(f.other, ETH)).to.equal(0n);
    });
    it("reverts with IncomeDistributorZeroAmount without value", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      await expect(f.distributor.depositETH(f.commons)).to.be.revertedWithCustomError(f.distributor, "IncomeDistributorZeroAmount").withArgs();
    });
    it("reverts with IncomeDistributorUnknownCommons for an unregistered commons", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      await expect(f.distributor.depositETH(id("nope"), { value: 1n }))
        .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorUnknownCommons")
        .withArgs(id("nope"));
    });
    it("rejects plain ETH transfers (no receive: nothing is credited to nobody)", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      await expect(f.bob.sendTransaction({ to: await f.distributor.getAddress(), value: 1n })).to.be.revertedWithoutReason(ethers);
    });
  });

  describe("depositToken", () => {
    it("credits a plain token and emits Deposited", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      await f.token.mint(f.bob.address, 500n);
      await f.token.connect(f.bob).approve(await f.distributor.getAddress(), 500n);
      const tx = await f.distributor.connect(f.bob).depositToken(f.commons, await f.token.getAddress(), 500n);
      await expect(tx)
        .to.emit(f.distributor, "Deposited")
        .withArgs(f.commons, await f.token.getAddress(), f.bob.address, 500n);
      await expect(tx).to.changeTokenBalances(ethers, f.token, [f.bob, f.distributor], [-500n, 500n]);
      expect(await f.distributor.unallocated(f.commons, await f.token.getAddress())).to.equal(500n);
    });
    it("credits a fee-on-transfer token only what arrived", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      await f.feeToken.mint(f.bob.address, 10_000n);
      await f.feeToken.connect(f.bob).approve(await f.distributor.getAddress(), 10_000n);
      expect(await f.distributor.connect(f.bob).depositToken.staticCall(f.commons, await f.feeToken.getAddress(), 10_000n)).to.equal(9_900n);
      await expect(f.distributor.connect(f.bob).depositToken(f.commons, await f.feeToken.getAddress(), 10_000n))
        .to.emit(f.distributor, "Deposited")
        .withArgs(f.commons, await f.feeToken.getAddress(), f.bob.address, 9_900n);
      expect(await f.distributor.unallocated(f.commons, await f.feeToken.getAddress())).to.equal(9_900n);
      expect(await f.feeToken.balanceOf(await f.distributor.getAddress())).to.equal(9_900n);
    });
    it("accepts a token whose transfers return nothing (USDT style)", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      await f.noReturn.mint(f.bob.address, 700n);
      await f.noReturn.connect(f.bob).approve(await f.distributor.getAddress(), 700n);
      await expect(f.distributor.connect(f.bob).depositToken(f.commons, await f.noReturn.getAddress(), 700n))
        .to.emit(f.distributor, "Deposited")
        .withArgs(f.commons, await f.noReturn.getAddress(), f.bob.address, 700n);
    });
    it("reverts with IncomeDistributorNothingReceived when the balance does not grow", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      const burnAll = await ethers.deployContract("FeeOnTransferERC20Mock", [10_000n]);
      await burnAll.mint(f.bob.address, 10n);
      await burnAll.connect(f.bob).approve(await f.distributor.getAddress(), 10n);
      await expect(f.distributor.connect(f.bob).depositToken(f.commons, await burnAll.getAddress(), 10n))
        .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorNothingReceived")
        .withArgs(await burnAll.getAddress(), 10n);
    });
    it("reverts when the token transfer fails (no allowance), crediting nothing", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      await f.token.mint(f.bob.address, 10n);
      await expect(f.distributor.connect(f.bob).depositToken(f.commons, await f.token.getAddress(), 10n))
        .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
        .withArgs(await f.distributor.getAddress(), 0n, 10n);
      await f.noReturn.mint(f.bob.address, 10n);
      // The USDT-style token reverts without a reason; SafeERC20 passes that on.
      await expect(f.distributor.connect(f.bob).depositToken(f.commons, await f.noReturn.getAddress(), 10n)).to.be.revertedWithoutReason(ethers);
      expect(await f.distributor.unallocated(f.commons, await f.noReturn.getAddress())).to.equal(0n);
    });
    it("reverts with IncomeDistributorZeroAddress, IncomeDistributorZeroAmount and IncomeDistributorUnknownCommons", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      await expect(f.distributor.depositToken(f.commons, ZeroAddress, 1n))
        .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorZeroAddress")
        .withArgs();
      await expect(f.distributor.depositToken(f.commons, await f.token.getAddress(), 0n))
        .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorZeroAmount")
        .withArgs();
      await expect(f.distributor.depositToken(id("nope"), await f.token.getAddress(), 1n))
        .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorUnknownCommons")
        .withArgs(id("nope"));
    });
    it("rejects ETH sent along (the function is not payable)", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      const data = f.distributor.interface.encodeFunctionData("depositToken", [f.commons, await f.token.getAddress(), 1n]);
      await expect(f.bob.sendTransaction({ to: await f.distributor.getAddress(), data, value: 1n })).to.be.revertedWithoutReason(ethers);
    });
  });

  describe("publish", () => {
    it("moves the total out of unallocated, stores the distribution and emits DistributionPublished", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      await f.distributor.depositETH(f.commons, { value: 1000n });
      const p = params(f, [
        [f.alice.address, 600n],
        [f.bob.address, 300n],
      ]);
      const t = await pinNextBlock(networkHelpers);
      await expect(f.distributor.connect(f.steward).publish(p))
        .to.emit(f.distributor, "DistributionPublished")
        .withArgs(
          1n,
          f.commons,
          ETH,
          f.steward.address,
          p.root,
          900n,
          903n,
          2n,
          EQUATION,
          f.head,
          f.count,
          t + MIN_WINDOW,
          t + MIN_WINDOW + days(30),
          "ipfs://demo-equation",
        );
      expect(await f.distributor.unallocated(f.commons, ETH)).to.equal(100n);
      const d = await f.distributor.distribution(1n);
      expect([
        d.commons,
        d.token,
        d.status,
        d.claimsOpenAt,
        d.expiresAt,
        d.root,
        d.total,
        d.claimed,
        d.leafCount,
        d.equationHash,
        d.ledgerHead,
        d.cutoff,
      ]).to.deep.equal([f.commons, ETH, Status.Published, t + MIN_WINDOW, t + MIN_WINDOW + days(30), p.root, 900n, 0n, 2n, EQUATION, f.head, f.count]);
      expect(await f.distributor.isClaimed(1n, 0n)).to.equal(false);
      expect(await f.distributor.isClaimed(1n, 1n)).to.equal(false);
    });
    it("accepts an earlier cutoff whose head is checked off-chain", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      const r = workRecord({ provider: f.bob.address, commons: f.commons, now: await latest(networkHelpers) });
      await f.ledger.record(r, await eoaAgent(f.bob as unknown as HDNodeWallet, await domainOf(ethers, f.ledger)).signRecord(r));
      await f.distributor.depositETH(f.commons, { value: 5n });
      await expect(f.distributor.connect(f.steward).publish(params(f, [[f.alice.address, 5n]], { cutoff: 1n, ledgerHead: f.head }))).to.emit(
        f.distributor,
        "DistributionPublished",
      );
    });
    it("pre-writes the bitmap for leaf counts that are not a multiple of 256", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      const shares: Share[] = Array.from({ length: 300 }, (_, i) => [ethers.Wallet.createRandom().address, BigInt(i + 1)]);
      const { distId } = await published(f, shares);
      for (const i of [0n, 255n, 256n, 299n]) expect(await f.distributor.isClaimed(distId, i)).to.equal(false);
      expect(await f.distributor.isClaimed(distId, 300n)).to.equal(false);
      await expect(f.distributor.claim(distId, 300n, f.alice.address, 1n, []))
        .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorIndexOutOfRange")
        .withArgs(distId, 300n, 300n);
    });
    describe("reverts", () => {
      it("with IncomeDistributorNotSteward for a non-steward (even a steward of another commons)", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        await expect(f.distributor.connect(f.stranger).publish(params(f, [[f.alice.address, 1n]])))
          .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorNotSteward")
          .withArgs(f.commons, f.stranger.address);
      });
      it("with IncomeDistributorZeroRoot, IncomeDistributorZeroAmount, IncomeDistributorTotalAboveIncome and IncomeDistributorAmountTooLarge", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        const base = [[f.alice.address, 1n]] as Share[];
        await expect(f.distributor.connect(f.steward).publish(params(f, base, { root: ZeroHash })))
          .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorZeroRoot")
          .withArgs();
        await expect(f.distributor.connect(f.steward).publish(params(f, base, { total: 0n })))
          .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorZeroAmount")
          .withArgs();
        await expect(f.distributor.connect(f.steward).publish(params(f, base, { total: 5n, income: 4n })))
          .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorTotalAboveIncome")
          .withArgs(5n, 4n);
        await expect(f.distributor.connect(f.steward).publish(params(f, base, { total: MAX_U112 + 1n })))
          .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorAmountTooLarge")
          .withArgs(MAX_U112 + 1n, MAX_U112);
      });
      it("with IncomeDistributorInvalidLeafCount for 0 or more than MAX_LEAVES", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        const base = [[f.alice.address, 1n]] as Share[];
        for (const n of [0n, MAX_LEAVES + 1n]) {
          await expect(f.distributor.connect(f.steward).publish(params(f, base, { leafCount: n })))
            .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorInvalidLeafCount")
            .withArgs(n, MAX_LEAVES);
        }
      });
      it("with IncomeDistributorInvalidChallengeWindow and IncomeDistributorInvalidClaimPeriod out of bounds", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        const base = [[f.alice.address, 1n]] as Share[];
        for (const w of [MIN_WINDOW - 1n, MAX_WINDOW + 1n]) {
          await expect(f.distributor.connect(f.steward).publish(params(f, base, { challengeWindow: w })))
            .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorInvalidChallengeWindow")
            .withArgs(w, MIN_WINDOW, MAX_WINDOW);
        }
        for (const c of [MIN_PERIOD - 1n, MAX_PERIOD + 1n]) {
          await expect(f.distributor.connect(f.steward).publish(params(f, base, { claimPeriod: c })))
            .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorInvalidClaimPeriod")
            .withArgs(c, MIN_PERIOD, MAX_PERIOD);
        }
      });
      it("with IncomeDistributorInvalidCutoff for cutoff 0 or a cutoff in the future", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        const base = [[f.alice.address, 1n]] as Share[];
        for (const c of [0n, f.count + 1n]) {
          await expect(f.distributor.connect(f.steward).publish(params(f, base, { cutoff: c })))
            .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorInvalidCutoff")
            .withArgs(c, f.count);
        }
      });
      it("with IncomeDistributorHeadMismatch when the head at the last entry is wrong", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        const wrong = "0x" + "ab".repeat(24);
        await expect(f.distributor.connect(f.steward).publish(params(f, [[f.alice.address, 1n]], { ledgerHead: wrong })))
          .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorHeadMismatch")
          .withArgs(f.count, wrong, f.head);
      });
      it("with IncomeDistributorInsufficientUnallocated beyond the commons' deposits (other commons' funds do not count)", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        await f.distributor.depositETH(f.commons, { value: 10n });
        await f.distributor.depositETH(f.other, { value: 1000n });
        await expect(f.distributor.connect(f.steward).publish(params(f, [[f.alice.address, 11n]])))
          .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorInsufficientUnallocated")
          .withArgs(f.commons, ETH, 10n, 11n);
      });
    });
  });

  describe("challenge", () => {
    it("emits DistributionChallenged during the window", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      const { distId } = await published(f, [[f.alice.address, 5n]], false);
      await expect(f.distributor.connect(f.bob).challenge(distId, id("root 0x12..")))
        .to.emit(f.distributor, "DistributionChallenged")
        .withArgs(distId, f.bob.address, id("root 0x12.."));
    });
    it("reverts with IncomeDistributorChallengeWindowOver once claims are open", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      const { distId } = await published(f, [[f.alice.address, 5n]]);
      const d = await f.distributor.distribution(distId);
      await expect(f.distributor.challenge(distId, ZeroHash))
        .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorChallengeWindowOver")
        .withArgs(distId, d.claimsOpenAt);
    });
    it("reverts with IncomeDistributorUnknownDistribution for an unknown id", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      await expect(f.distributor.challenge(7n, ZeroHash)).to.be.revertedWithCustomError(f.distributor, "IncomeDistributorUnknownDistribution").withArgs(7n);
    });
  });

  describe("cancel", () => {
    it("releases the total to unallocated and emits DistributionCancelled", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      const { distId } = await published(
        f,
        [
          [f.alice.address, 5n],
          [f.bob.address, 7n],
        ],
        false,
      );
      expect(await f.distributor.unallocated(f.commons, ETH)).to.equal(0n);
      await expect(f.distributor.connect(f.steward).cancel(distId)).to.emit(f.distributor, "DistributionCancelled").withArgs(distId, f.steward.address, 12n);
      expect(await f.distributor.unallocated(f.commons, ETH)).to.equal(12n);
      expect((await f.distributor.distribution(distId)).status).to.equal(Status.Cancelled);
    });
    it("reverts with IncomeDistributorNotSteward for anyone else", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      const { distId } = await published(f, [[f.alice.address, 5n]], false);
      await expect(f.distributor.connect(f.alice).cancel(distId))
        .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorNotSteward")
        .withArgs(f.commons, f.alice.address);
    });
    it("reverts with IncomeDistributorChallengeWindowOver after the window and IncomeDistributorNotActive when cancelled", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      const open = await published(f, [[f.alice.address, 5n]]);
      await expect(f.distributor.connect(f.steward).cancel(open.distId))
        .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorChallengeWindowOver")
        .withArgs(open.distId, (await f.distributor.distribution(open.distId)).claimsOpenAt);
      const pending = await published(f, [[f.alice.address, 6n]], false);
      await f.distributor.connect(f.steward).cancel(pending.distId);
      await expect(f.distributor.connect(f.steward).cancel(pending.distId))
        .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorNotActive")
        .withArgs(pending.distId, Status.Cancelled);
      await networkHelpers.time.increase(MIN_WINDOW);
      await expect(f.distributor.claim(pending.distId, 0n, f.alice.address, 6n, proofOf(pending.tree, 0)))
        .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorNotActive")
        .withArgs(pending.distId, Status.Cancelled);
    });
  });

  describe("claim", () => {
    describe("when claims are open", () => {
      it("pays the account (not the caller) once, emits Claimed and marks the leaf", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        const { distId, tree } = await published(f, [
          [f.alice.address, 600n],
          [f.bob.address, 400n],
        ]);
        const tx = await f.distributor.connect(f.stranger).claim(distId, 1n, f.bob.address, 400n, proofOf(tree, 1));
        await expect(tx).to.emit(f.distributor, "Claimed").withArgs(distId, 1n, f.bob.address, 400n, f.stranger.address);
        await expect(tx).to.changeEtherBalances(ethers, [f.bob, f.distributor], [400n, -400n]);
        expect(await f.distributor.isClaimed(distId, 1n)).to.equal(true);
        expect(await f.distributor.isClaimed(distId, 0n)).to.equal(false);
        expect((await f.distributor.distribution(distId)).claimed).to.equal(400n);
      });
      it("reverts with IncomeDistributorInvalidProof for a wrong proof, account or index", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        const { distId, tree } = await published(f, [
          [f.alice.address, 600n],
          [f.bob.address, 400n],
          [f.carol.address, 1n],
        ]);
        const cases: [bigint, string, bigint, string[]][] = [
          // A wrong amount: IncomeDistributor.t.sol, testFuzz_claim_paysOnlyTheProvenLeafOnce.
          [0n, f.alice.address, 600n, proofOf(tree, 1)], // wrong proof
          [0n, f.bob.address, 600n, proofOf(tree, 0)], // wrong account
          [1n, f.alice.address, 600n, proofOf(tree, 0)], // wrong index
          [0n, f.alice.address, 600n, []], // no proof
        ];
        for (const [index, account, amount, proof] of cases) {
          await expect(f.distributor.claim(distId, index, account, amount, proof))
            .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorInvalidProof")
            .withArgs(distId, index, account, amount);
        }
      });
      it("reverts with IncomeDistributorOverClaim when a faulty root's leaves exceed the total", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        const shares: Share[] = [
          [f.alice.address, 600n],
          [f.bob.address, 400n],
        ];
        const { distId, tree } = await published(f, shares, true, { total: 700n });
        await f.distributor.claim(distId, 0n, f.alice.address, 600n, proofOf(tree, 0));
        await expect(f.distributor.claim(distId, 1n, f.bob.address, 400n, proofOf(tree, 1)))
          .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorOverClaim")
          .withArgs(distId, 600n, 400n, 700n);
      });
      it("reverts with IncomeDistributorZeroAmount for a proven zero leaf", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        const { distId, tree } = await published(f, [
          [f.alice.address, 5n],
          [f.bob.address, 0n],
        ]);
        await expect(f.distributor.claim(distId, 1n, f.bob.address, 0n, proofOf(tree, 1)))
          .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorZeroAmount")
          .withArgs();
      });
      it("pays plain, fee-on-transfer and no-return-value tokens", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        for (const t of [f.token, f.feeToken, f.noReturn]) {
          const address = await t.getAddress();
          await t.mint(f.bob.address, 10_000n);
          await t.connect(f.bob).approve(await f.distributor.getAddress(), 10_000n);
          await f.distributor.connect(f.bob).depositToken(f.commons, address, 10_000n);
          const credited = await f.distributor.unallocated(f.commons, address);
          const shares: Share[] = [
            [f.alice.address, credited - 1n],
            [f.carol.address, 1n],
          ];
          const { distId, tree } = await published(f, shares, true, { token: address, total: credited });
          await expect(f.distributor.claim(distId, 0n, f.alice.address, credited - 1n, proofOf(tree, 0)))
            .to.emit(f.distributor, "Claimed")
            .withArgs(distId, 0n, f.alice.address, credited - 1n, f.steward.address);
          const expected = t === f.feeToken ? credited - 1n - ((credited - 1n) * 100n) / 10_000n : credited - 1n;
          expect(await t.balanceOf(f.alice.address)).to.equal(expected);
          expect(await t.balanceOf(await f.distributor.getAddress())).to.equal(1n);
        }
      });
      it("costs at most 60,000 gas for an ETH claim triggered by a third party (256 leaves)", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        const shares: Share[] = Array.from({ length: 256 }, (_, i) => [i === 7 ? f.bob.address : ethers.Wallet.createRandom().address, 1000n + BigInt(i)]);
        const { distId, tree } = await published(f, shares);
        const tx = await f.distributor.connect(f.stranger).claim(distId, 7n, f.bob.address, 1007n, proofOf(tree, 7));
        const gas = (await tx.wait())!.gasUsed;
        if (process.env.COMMONS_PRINT_GAS) console.log(`      claim gas (ETH, 256 leaves, third party): ${gas}`);
        expect(gas).to.be.lessThanOrEqual(60_000n);
      });
    });
    describe("when the payee misbehaves", () => {
      it("a reverting receiver fails only its own claim; others still claim", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        await f.receiver.setMode(Mode.Revert);
        const r = await f.receiver.getAddress();
        const { distId, tree } = await published(f, [
          [r, 5n],
          [f.bob.address, 7n],
        ]);
        await expect(f.distributor.claim(distId, 0n, r, 5n, proofOf(tree, 0)))
          .to.be.revertedWithCustomError(f.receiver, "ReceiverMockRefused")
          .withArgs();
        expect(await f.distributor.isClaimed(distId, 0n)).to.equal(false);
        await expect(f.distributor.claim(distId, 1n, f.bob.address, 7n, proofOf(tree, 1))).to.emit(f.distributor, "Claimed");
        await f.receiver.setMode(Mode.Accept);
        await expect(f.distributor.claim(distId, 0n, r, 5n, proofOf(tree, 0))).to.changeEtherBalance(ethers, r, 5n);
      });
      it("a gas-burning receiver fails only its own claim", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        await f.receiver.setMode(Mode.BurnGas);
        const r = await f.receiver.getAddress();
        const { distId, tree } = await published(f, [
          [r, 5n],
          [f.bob.address, 7n],
        ]);
        await expect(f.distributor.claim(distId, 0n, r, 5n, proofOf(tree, 0), { gasLimit: 300_000n }))
          .to.be.revertedWithCustomError(f.distributor, "FailedCall")
          .withArgs();
        await expect(f.distributor.claim(distId, 1n, f.bob.address, 7n, proofOf(tree, 1))).to.emit(f.distributor, "Claimed");
        expect((await f.distributor.distribution(distId)).claimed).to.equal(7n);
      });
      it("a re-entering receiver gets nothing extra (claim or deposit from the hook reverts the whole claim)", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        const r = await f.receiver.getAddress();
        const { distId, tree } = await published(f, [
          [r, 5n],
          [r, 6n],
        ]);
        await f.receiver.setReentry(await f.distributor.getAddress(), distId, 1n, 6n, proofOf(tree, 1), f.commons);
        for (const mode of [Mode.ReenterClaim, Mode.ReenterDeposit]) {
          await f.receiver.setMode(mode);
          await expect(f.distributor.claim(distId, 0n, r, 5n, proofOf(tree, 0)))
            .to.be.revertedWithCustomError(f.distributor, "ReentrancyGuardReentrantCall")
            .withArgs();
        }
        expect(await ethers.provider.getBalance(r)).to.equal(0n);
        expect((await f.distributor.distribution(distId)).claimed).to.equal(0n);
      });
    });
    describe("reverts", () => {
      it("with IncomeDistributorNotOpen during the challenge window", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        const { distId, tree } = await published(f, [[f.alice.address, 5n]], false);
        const d = await f.distributor.distribution(distId);
        await expect(f.distributor.claim(distId, 0n, f.alice.address, 5n, proofOf(tree, 0)))
          .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorNotOpen")
          .withArgs(distId, d.claimsOpenAt);
      });
      it("with IncomeDistributorClaimsClosed after expiry", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        const { distId, tree } = await published(f, [[f.alice.address, 5n]]);
        const d = await f.distributor.distribution(distId);
        await networkHelpers.time.increaseTo(d.expiresAt);
        await expect(f.distributor.claim(distId, 0n, f.alice.address, 5n, proofOf(tree, 0)))
          .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorClaimsClosed")
          .withArgs(distId, d.expiresAt);
      });
      it("with IncomeDistributorUnknownDistribution for an unknown id", async () => {
        const f = await networkHelpers.loadFixture(deployFixture);
        await expect(f.distributor.claim(1n, 0n, f.alice.address, 5n, []))
          .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorUnknownDistribution")
          .withArgs(1n);
      });
    });
  });

  describe("rollOver", () => {
    it("returns the unclaimed rest to unallocated after expiry and emits RolledOver", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      const { distId, tree } = await published(f, [
        [f.alice.address, 600n],
        [f.bob.address, 400n],
      ]);
      await f.distributor.claim(distId, 0n, f.alice.address, 600n, proofOf(tree, 0));
      const d = await f.distributor.distribution(distId);
      await expect(f.distributor.connect(f.stranger).rollOver(distId))
        .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorNotExpired")
        .withArgs(distId, d.expiresAt);
      await networkHelpers.time.increaseTo(d.expiresAt);
      await expect(f.distributor.connect(f.stranger).rollOver(distId)).to.emit(f.distributor, "RolledOver").withArgs(distId, f.commons, ETH, 400n);
      expect(await f.distributor.unallocated(f.commons, ETH)).to.equal(400n);
      await expect(f.distributor.rollOver(distId))
        .to.be.revertedWithCustomError(f.distributor, "IncomeDistributorNotActive")
        .withArgs(distId, Status.RolledOver);
    });
  });

  describe("conservation", () => {
    it("events reconstruct every balance: deposited == unallocated + claimed + owed, and the balance covers it", async () => {
      const f = await networkHelpers.loadFixture(deployFixture);
      const a = await published(f, [
        [f.alice.address, 600n],
        [f.bob.address, 400n],
      ]);
      await f.distributor.depositETH(f.commons, { value: 77n });
      await f.distributor.claim(a.distId, 0n, f.alice.address, 600n, proofOf(a.tree, 0));
      const b = await published(f, [[f.carol.address, 50n]], false);
      await f.distributor.connect(f.steward).cancel(b.distId);
      await networkHelpers.time.increaseTo((await f.distributor.distribution(a.distId)).expiresAt);
      await f.distributor.rollOver(a.distId);
      const c = await published(f, [[f.carol.address, 100n]]);
      const logs = await f.distributor.queryFilter("*" as never);
      let deposited = 0n;
      let claimed = 0n;
      const owed = new Map<bigint, bigint>();
      for (const log of logs) {
        const e = f.distributor.interface.parseLog(log)!;
        if (e.name === "Deposited") deposited += e.args.amount;
        if (e.name === "DistributionPublished") owed.set(e.args.id, e.args.total);
        if (e.name === "Claimed") ((claimed += e.args.amount), owed.set(e.args.id, owed.get(e.args.id)! - e.args.amount));
        if (e.name === "DistributionCancelled" || e.name === "RolledOver") owed.delete(e.args.id);
      }
      const totalOwed = [...owed.values()].reduce((s, v) => s + v, 0n);
      const unallocated = await f.distributor.unallocated(f.commons, ETH);
      expect(deposited).to.equal(unallocated + claimed + totalOwed);
      expect(totalOwed).to.equal(100n);
      expect(await ethers.provider.getBalance(await f.distributor.getAddress())).to.equal(unallocated + totalOwed);
      expect(c.distId).to.equal(3n);
    });
  });
});
