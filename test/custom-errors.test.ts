// Every custom error of our contracts is asserted somewhere in the tests, by name (checklist: "every
// custom error triggered by at least one test"; the tests give the arguments too). A new error that
// no test triggers fails here, naming it.
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Interface } from "ethers";

const root = path.resolve(import.meta.dirname, "..");
const CONTRACTS = [
  { name: "Ledger", prefix: "Ledger" },
  { name: "IncomeDistributor", prefix: "IncomeDistributor" },
  { name: "ReciprocityRegistry", prefix: "ReciprocityRegistry" },
];

function testSources(): string {
  const dir = path.join(root, "test");
  return readdirSync(dir)
    .filter((f) => (f.endsWith(".ts") || f.endsWith(".sol")) && f !== "custom-errors.test.ts")
    .map((f) => readFileSync(path.join(dir, f), "utf8"))
    .join("\n");
}

describe("custom errors", () => {
  const sources = testSources();
  for (const c of CONTRACTS) {
    it(`every ${c.name} error is asserted by a test (Solidity selector or mocha name)`, () => {
      const abi = JSON.parse(readFileSync(path.join(root, "artifacts", "contracts", `${c.name}.sol`, `${c.name}.json`), "utf8")).abi;
      const names: string[] = [];
      new Interface(abi).forEachError((e) => {
        if (e.name.startsWith(c.prefix)) names.push(e.name);
      });
      expect(names.length).to.be.greaterThan(5);
      const untested = names.filter((n) => !sources.includes(`${n}.selector`) && !sources.includes(`"${n}"`));
      expect(untested, `errors no test asserts`).to.deep.equal([]);
    });
  }
});
