// Amounts for people (scripts/lib/core/amount.ts): rounded to what matters, the exact value beside.
import { expect } from "chai";
import { exactAmount, roundAmount } from "../scripts/lib/core/amount.js";

const ETH = 18;
const wei = (text: string) => {
  const [whole, fraction = ""] = text.split(".");
  return BigInt(whole + fraction.padEnd(ETH, "0"));
};

describe("amounts for people", () => {
  describe("roundAmount", () => {
    const cases: [string, string][] = [
      ["0.999999999999999998", "1.00"],
      ["0.154256410256410256", "0.1543"],
      ["0.250666666666666666", "0.2507"],
      ["0.0001234567", "0.0001235"],
      ["0.1", "0.10"],
      ["0.5", "0.50"],
      ["1", "1.00"],
      ["250", "250.00"],
      ["1234.5678", "1,234.57"],
      ["0", "0.00"],
      ["0.000000000000000001", "0.000000000000000001"],
    ];
    for (const [exact, shown] of cases) {
      it(`shows ${exact} ETH as ${shown}`, () => expect(roundAmount(wei(exact), ETH)).to.equal(shown));
    }

    it("rounds half up, keeps the sign, and gives a token without decimals whole", () => {
      expect(roundAmount(wei("0.125"), ETH)).to.equal("0.125");
      expect(roundAmount(wei("2.345"), ETH)).to.equal("2.35");
      expect(roundAmount(-wei("2.344"), ETH)).to.equal("-2.34");
      expect(roundAmount(1234n, 0)).to.equal("1,234");
      expect(roundAmount(15n, 1)).to.equal("1.5");
    });
  });

  describe("exactAmount", () => {
    it("gives every digit, without trailing zeros", () => {
      expect(exactAmount(wei("0.999999999999999998"), ETH)).to.equal("0.999999999999999998");
      expect(exactAmount(wei("250"), ETH)).to.equal("250");
      expect(exactAmount(0n, ETH)).to.equal("0");
      expect(exactAmount(-wei("1.5"), ETH)).to.equal("-1.5");
      expect(exactAmount(1234n, 0)).to.equal("1234");
    });
  });
});

describe("durations for people", () => {
  it("gives the two largest of days, hours and minutes, never seconds", async () => {
    const { durationWords } = await import("../scripts/lib/core/duration.js");
    expect(durationWords(3_600_000)).to.equal("1 h");
    expect(durationWords(5 * 3_600_000 + 12 * 60_000)).to.equal("5 h 12 min");
    expect(durationWords(40 * 60_000)).to.equal("40 min");
    expect(durationWords(1_000)).to.equal("1 min");
    expect(durationWords(3 * 86_400_000 + 2 * 3_600_000 + 5 * 60_000)).to.equal("3 days 2 h");
    expect(durationWords(86_400_000)).to.equal("1 day");
  });
});
