// Gas is deterministic, so the budgets of the foundation issue are guarded here as well as in
// `npm run bench` (which prints the full table and the EAS comparison).
import { expect } from "chai";
import { network } from "hardhat";
import LedgerModule from "../scripts/ignition/modules/Ledger.js";
import {
  GAS_TARGETS,
  avoidCheckpoint,
  benchAgents,
  benchWallet,
  createLedgerBench,
  eoaAgent,
  fillTo,
  measureBatch,
  measureRecord,
  repeat,
} from "../scripts/lib/kit/gas.js";

const { ethers, ignition, networkHelpers } = await network.create({ override: { hardfork: "prague" } });

async function fixture() {
  const { ledger } = await ignition.deploy(LedgerModule);
  const bench = await createLedgerBench(ethers, ledger);
  await measureRecord(bench, eoaAgent(benchWallet("alice"))); // entry #1 initialises the tip slot; alice returns
  return { ledger };
}

/** The bench context counts nonces locally, so each test makes its own over the restored chain. */
async function load() {
  const { ledger } = await networkHelpers.loadFixture(fixture);
  return { bench: await createLedgerBench(ethers, ledger), alice: eoaAgent(benchWallet("alice")) };
}

describe("Ledger gas budgets", () => {
  describe("record", () => {
    it(`costs at most ${GAS_TARGETS.single.max} gas for a typical record of a returning signer`, async () => {
      const { bench, alice } = await load();
      const m = await measureRecord(bench, alice);
      expect(m.gasUsed).to.be.at.most(GAS_TARGETS.single.max);
    });

    it("costs the same at entry #1,000 as at entry #2 (IN-GAS-O1: no loops over history)", async () => {
      const { bench, alice } = await load();
      const early = await measureRecord(bench, alice);
      await fillTo(bench, 999n, benchAgents("fill", 3));
      await avoidCheckpoint(bench, 1);
      const late = await measureRecord(bench, alice);
      expect(late.firstId).to.be.greaterThan(999n);
      const drift = Math.abs(late.gasUsed - early.gasUsed) / early.gasUsed;
      expect(drift * 100).to.be.at.most(GAS_TARGETS.lateEntryDriftPct);
    });
  });

  describe("recordBatch", () => {
    it(`costs at most ${GAS_TARGETS.batchOneSigner.max} gas per record for 100 records of one signer`, async () => {
      const { bench, alice } = await load();
      await avoidCheckpoint(bench, 100);
      const m = await measureBatch(bench, repeat(alice, 100));
      expect(m.gasPerRecord).to.be.at.most(GAS_TARGETS.batchOneSigner.max);
    });

    it(`costs at most ${GAS_TARGETS.batchDistinctReturning.max} gas per record for 100 distinct returning signers`, async () => {
      const { bench } = await load();
      const signers = benchAgents("returning", 100);
      await measureBatch(bench, signers); // their first records
      await avoidCheckpoint(bench, 100);
      const m = await measureBatch(bench, signers);
      expect(m.gasPerRecord).to.be.at.most(GAS_TARGETS.batchDistinctReturning.max);
    });

    it("keeps a full batch under a third of a 30M block and under 128 KiB of calldata", async () => {
      const { bench } = await load();
      const m = await measureBatch(bench, benchAgents("first-time", bench.maxBatch)); // worst case: all first-time signers
      expect(m.gasUsed).to.be.below(30_000_000 / 3);
      expect(m.calldata.bytes).to.be.below(128 * 1024);
    });
  });
});
