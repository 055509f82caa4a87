// Every custom error of our contracts is asserted somewhere in the tests, by name (checklist: "every
// custom error triggered by at least one test"; the tests give the arguments too). A new error that
// no test triggers fails here, naming it. And every error of the compiled ABIs (ours and the
// OpenZeppelin ones the contracts can raise) has a sentence in scripts/lib/core/contract-errors.ts,
// decoded from its revert data: the CLI and the app never show a known error as raw hex.
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Interface, ZeroHash } from "ethers";
import type { ParamType } from "ethers";
import { explainRevertData } from "../scripts/lib/core/contract-errors.js";

const root = path.resolve(import.meta.dirname, "..");
const CONTRACTS = [
  { name: "Ledger", prefix: "Ledger" },
  { name: "IncomeDistributor", prefix: "IncomeDistributor" },
  { name: "ReciprocityRegistry", prefix: "ReciprocityRegistry" },
  { name: "Directory", prefix: "Directory" },
];

function compiledAbi(name: string): Interface {
  return new Interface(JSON.parse(readFileSync(path.join(root, "artifacts", "contracts", `${name}.sol`, `${name}.json`), "utf8")).abi);
}

/** A plausible value of an error argument's type (times and amounts large enough to read as such). */
function sample(p: ParamType): unknown {
  if (p.baseType === "address") return "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
  if (p.baseType === "bool") return true;
  if (p.baseType === "string") return "CommonsLedger";
  if (p.type === "bytes8") return "0x4555520000000000"; // "EUR"
  if (p.type.startsWith("bytes")) return p.type === "bytes" ? "0x1234" : ZeroHash.slice(0, 2 + 2 * Number(p.type.slice(5)));
  if (p.type === "uint8") return 1n;
  return p.type === "uint16" || p.type === "uint32" ? 3n : 1_800_000_000n;
}

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
      const names: string[] = [];
      compiledAbi(c.name).forEachError((e) => {
        if (e.name.startsWith(c.prefix)) names.push(e.name);
      });
      expect(names.length).to.be.greaterThan(5);
      const untested = names.filter((n) => !sources.includes(`${n}.selector`) && !sources.includes(`"${n}"`));
      expect(untested, `errors no test asserts`).to.deep.equal([]);
    });

    it(`every ${c.name} error of the compiled ABI has a sentence, decoded from its revert data`, () => {
      const abi = compiledAbi(c.name);
      const unexplained: string[] = [];
      abi.forEachError((e) => {
        const data = abi.encodeErrorResult(e, e.inputs.map(sample));
        const sentence = explainRevertData(data);
        // A sentence with values a person reads: not the selector, no run of more than 64 hex digits
        // (raw revert data; ids and addresses are shorter).
        if (!sentence || sentence.includes(data.slice(2, 10)) || /[0-9a-fA-F]{65,}/.test(sentence) || !/^[A-Z0-9"]/.test(sentence))
          unexplained.push(`${e.name}: ${sentence}`);
      });
      expect(abi.fragments.filter((f) => f.type === "error").length).to.be.greaterThan(5);
      expect(unexplained, "errors without a sentence").to.deep.equal([]);
    });
  }
});
