// The counterparty's consent as the off-chain views derive it from the events (scripts/lib/core/views.ts,
// record.ts counterpartyOf, supply.ts custodyConsent), on synthetic events: the same rule as the
// Ledger's `_counterpartyOf`, one answer per entry, and the auditor's unconfirmed custody hops.
import { expect } from "chai";
import { getAddress, id, ZeroAddress, ZeroHash } from "ethers";
import { buildRecord, counterpartyOf, packNonce } from "../scripts/lib/core/record.js";
import type { LedgerEvents } from "../scripts/lib/core/reader.js";
import { CONSENT_LABELS, deriveEntries } from "../scripts/lib/core/views.js";
import { custodyConsent, hopOf } from "../scripts/lib/supply/supply.js";
import type { ActionName } from "../scripts/lib/core/vocabulary.js";

const COMMONS = id("commons");
const [ALICE, BOB, CAROL] = [
  "0x00000000000000000000000000000000000a11ce",
  "0x0000000000000000000000000000000000000b0b",
  "0x00000000000000000000000000000000000ca201",
].map(getAddress);
const T0 = 1_764_000_000n;

function recordOf(n: number, action: ActionName, provider: string, receiver: string, flow: "event" | "need" = "event") {
  return buildRecord({
    flow,
    action,
    provider,
    receiver,
    commons: COMMONS,
    quantity: "1",
    unit: "ea",
    time: T0,
    nonce: packNonce(1n, BigInt(n)),
    deadline: T0 + 3600n,
  });
}

/** Events holding the given records as entries 1..n and the given answers (verdict 2 confirm, 3 refuse). */
function eventsOf(records: ReturnType<typeof recordOf>[], answers: { entryId: number; counterparty: string; verdict: number }[]): LedgerEvents {
  const base = { blockNumber: 1, transactionHash: ZeroHash };
  return {
    entries: records.map((record, i) => ({
      id: BigInt(i + 1),
      signer: record.provider !== ZeroAddress ? record.provider : record.receiver,
      commons: COMMONS,
      record,
      recordHash: ZeroHash,
      ...base,
      logIndex: i,
    })),
    validations: [],
    corrections: [],
    checkpoints: new Map(),
    skipped: [],
    all: answers.map((a, i) => ({
      name: "CounterpartyAnswered",
      args: { entryId: BigInt(a.entryId), counterparty: a.counterparty, verdict: BigInt(a.verdict), evidence: ZeroHash },
      ...base,
      transactionHash: id(`answer ${i}`),
      logIndex: 100 + i,
    })),
  };
}

describe("consent (counterparty's answers)", () => {
  describe("counterpartyOf", () => {
    it("is the receiver when the provider signed", () => {
      expect(counterpartyOf(recordOf(1, "transfer", ALICE, BOB))).to.equal(BOB);
    });
    it("is none for a need (no provider), a flow with no receiver and a flow to its own provider, as the Ledger's", () => {
      expect(counterpartyOf(recordOf(1, "transfer", ZeroAddress, BOB, "need"))).to.equal(null);
      expect(counterpartyOf(recordOf(2, "produce", ALICE, ALICE))).to.equal(null);
      expect(counterpartyOf(recordOf(3, "work", ALICE, ZeroAddress))).to.equal(null);
    });
  });

  describe("deriveEntries", () => {
    describe("when entries are answered, unanswered or have no counterparty", () => {
      it("says confirmed, refused, one-sided or none, and keeps the answer's transaction", () => {
        const views = deriveEntries(
          eventsOf(
            [
              recordOf(1, "transfer", ALICE, BOB),
              recordOf(2, "transfer", ALICE, BOB),
              recordOf(3, "transfer", ALICE, BOB),
              recordOf(4, "produce", ALICE, ALICE),
            ],
            [
              { entryId: 1, counterparty: BOB, verdict: 2 },
              { entryId: 2, counterparty: BOB, verdict: 3 },
            ],
          ),
        );
        expect(views.map((v) => v.consent)).to.deep.equal(["confirmed", "refused", "one-sided", "none"]);
        expect(views.map((v) => v.counterparty)).to.deep.equal([BOB, BOB, BOB, null]);
        expect(views[0].answer).to.deep.equal({ evidence: ZeroHash, transactionHash: id("answer 0") });
        expect(views[2].answer).to.equal(undefined);
        expect(CONSENT_LABELS[views[0].consent]).to.equal("confirmed by both parties");
      });
    });
    describe("when the events hold two answers for one entry", () => {
      it("takes the first (the contract takes one answer per entry)", () => {
        const [v] = deriveEntries(
          eventsOf(
            [recordOf(1, "transfer", ALICE, BOB)],
            [
              { entryId: 1, counterparty: BOB, verdict: 3 },
              { entryId: 1, counterparty: BOB, verdict: 2 },
            ],
          ),
        );
        expect(v.consent).to.equal("refused");
      });
    });
    describe("when an answer is no vote", () => {
      it("leaves state and tallies as they were", () => {
        const [v] = deriveEntries(eventsOf([recordOf(1, "transfer", ALICE, BOB)], [{ entryId: 1, counterparty: BOB, verdict: 2 }]));
        expect([v.state, v.accepts, v.disputes]).to.deep.equal(["claimed", 0, 0]);
      });
    });
  });

  describe("deriveEntries under a rule requiring the receiver's confirmation (as Ledger.entryState)", () => {
    it("accepts an entry only once its receiver confirmed it, disputes it on a refusal, never accepts one with no receiver", () => {
      const records = [
        recordOf(1, "transfer", ALICE, BOB),
        recordOf(2, "transfer", ALICE, BOB),
        recordOf(3, "transfer", ALICE, BOB),
        recordOf(4, "transfer", ALICE, ZeroAddress),
      ];
      const events = eventsOf(records, [
        { entryId: 1, counterparty: BOB, verdict: 2 },
        { entryId: 2, counterparty: BOB, verdict: 3 },
      ]);
      events.all.push({
        name: "QuorumRuleSet",
        args: { commons: COMMONS, action: 5n, acceptsRequired: 1n, disputesToBlock: 1n, counterpartyConfirms: true },
        blockNumber: 1,
        transactionHash: ZeroHash,
        logIndex: 0,
      });
      for (const entryId of [1n, 2n, 3n, 4n]) {
        events.validations.push({
          entryId,
          validator: CAROL,
          verdict: 0,
          evidence: ZeroHash,
          accepts: 1,
          disputes: 0,
          blockNumber: 1,
          transactionHash: ZeroHash,
        });
      }
      expect(deriveEntries(events).map((v) => v.state)).to.deep.equal(["accepted", "disputed", "claimed", "claimed"]);
    });
  });

  describe("custodyConsent", () => {
    it("counts the custody hand-overs and lists those not confirmed by their receiver, and those refused", () => {
      const views = deriveEntries(
        eventsOf(
          [
            recordOf(1, "transfer", ALICE, BOB),
            recordOf(2, "transferCustody", BOB, CAROL),
            recordOf(3, "transferAllRights", CAROL, ALICE),
            recordOf(4, "work", ALICE, BOB), // not a hand-over
            recordOf(5, "transfer", ALICE, ALICE), // no counterparty
          ],
          [
            { entryId: 1, counterparty: BOB, verdict: 2 },
            { entryId: 3, counterparty: ALICE, verdict: 3 },
          ],
        ),
      );
      const c = custodyConsent(views.map(hopOf));
      expect(c.custody).to.equal(3);
      expect(c.unconfirmed.map((h) => h.id)).to.deep.equal([2n]);
      expect(c.refused.map((h) => h.id)).to.deep.equal([3n]);
    });
  });
});
