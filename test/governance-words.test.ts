// The core's sentences about a commons' rules (scripts/lib/core/governance.ts), which the CLI and
// the app print: who decides, and what accepts an entry.
import { expect } from "chai";
import { describeChange, quorumRuleLines, stewardshipSentence } from "../scripts/lib/core/governance.js";

describe("governance in words", () => {
  describe("quorumRuleLines", () => {
    it("says 'every action' takes one accept and one dispute when the stewards set no rule", () => {
      expect(quorumRuleLines({ rules: [] })).to.deep.equal(["every action: accepted with 1 accept, disputed with 1 dispute"]);
    });

    it("gives each rule the stewards set, in their order, with the receiver's confirmation where required, then the default for the rest", () => {
      expect(
        quorumRuleLines({
          rules: [
            { action: "work", acceptsRequired: 2, disputesToBlock: 1, counterpartyConfirms: false },
            { action: "transfer", acceptsRequired: 1, disputesToBlock: 2, counterpartyConfirms: true },
          ],
        }),
      ).to.deep.equal([
        "work: accepted with 2 accepts, disputed with 1 dispute",
        "transfer: accepted with 1 accept and the receiver's confirmation, disputed with 2 disputes or the receiver's refusal",
        "any other action: accepted with 1 accept, disputed with 1 dispute",
      ]);
    });
  });

  describe("describeChange", () => {
    it("names the accounts through the given names", () => {
      const c = {
        kind: "addSteward" as const,
        account: "0x00000000000000000000000000000000000000aa",
        roles: 0,
        threshold: 0,
        action: "work" as const,
        acceptsRequired: 0,
        disputesToBlock: 0,
      };
      expect(describeChange(c, (a) => (a === c.account ? "yara" : a))).to.equal("add yara as a steward");
    });
  });

  describe("stewardshipSentence", () => {
    it("says plainly when one key runs the commons, and otherwise how many decide together", () => {
      expect(stewardshipSentence(1, 1)).to.match(/^Run by one key: its only steward/);
      expect(stewardshipSentence(3, 1)).to.match(/^Run by one key: any one of its 3 stewards/);
      expect(stewardshipSentence(3, 2)).to.match(/^Any 2 of its 3 stewards decide together/);
    });
  });
});
