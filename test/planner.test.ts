// The planner (scripts/lib/supply/planner.ts): recipe books, the spectral-radius check, the sparse
// Leontief solver, and plans against hand-computed economies and a textbook input-output table.
import { expect } from "chai";
import { keccak256 } from "ethers";
import { labelId } from "../scripts/lib/core/record.js";
import { computePlan, parseRecipes, perronBounds, PlanInputError, RECIPES_FORMAT, solveLeontief, toLedgerQuantity } from "../scripts/lib/supply/planner.js";
import { expectNear } from "./helpers/numbers.js";

type Book = {
  final: string[];
  processes: {
    name: string;
    outputs: { spec: string; quantity: string | number; unit: string }[];
    inputs: { spec: string; quantity: string | number; unit: string; action?: string }[];
  }[];
};
const bytes = (book: Book & Record<string, unknown>) =>
  new TextEncoder().encode(JSON.stringify({ format: RECIPES_FORMAT, name: "test", version: "1.0.0", ...book }));
const recipes = (book: Book) => parseRecipes(bytes(book));

const KIT: Book = {
  final: ["sensor kit"],
  processes: [
    {
      name: "assemble kit",
      outputs: [{ spec: "sensor kit", quantity: "1", unit: "ea" }],
      inputs: [
        { spec: "printed parts", quantity: "10", unit: "ea" },
        { spec: "sensor board", quantity: "1", unit: "ea" },
        { spec: "assembly work", quantity: "0.5", unit: "h", action: "work" },
        { spec: "design: open sensor v2", quantity: "1", unit: "ea", action: "cite" },
      ],
    },
    {
      name: "print parts",
      outputs: [{ spec: "printed parts", quantity: "10", unit: "ea" }],
      inputs: [
        { spec: "PLA filament", quantity: "0.5", unit: "kg" },
        { spec: "3D printer", quantity: "0.25", unit: "h", action: "use" },
      ],
    },
  ],
};

/** Dense Gaussian elimination with partial pivoting: the reference for (I - A) y = d. */
function denseSolve(a: number[][], d: number[]): number[] {
  const n = d.length;
  const m = a.map((row, i) => [...row.map((v, j) => (i === j ? 1 : 0) - v), d[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

function expectPlanError(fn: () => unknown, message: RegExp): void {
  expect(fn).to.throw(PlanInputError, message);
}

describe("planner", () => {
  describe("parseRecipes", () => {
    it("hashes the file's bytes and names the cited spec by name and version", () => {
      const b = bytes(KIT);
      const r = parseRecipes(b);
      expect(r.hash).to.equal(keccak256(b));
      expect(r.spec).to.equal(labelId("recipes: test@1.0.0"));
      expect(r.book.processes).to.have.length(2);
    });

    describe("when the book is malformed", () => {
      it("rejects invalid JSON, another format, a bad version, unknown fields and joint production", () => {
        expectPlanError(() => parseRecipes(new TextEncoder().encode("{")), /^not valid JSON/);
        expectPlanError(() => parseRecipes(new TextEncoder().encode(JSON.stringify({ ...KIT, format: "x", name: "t", version: "1.0.0" }))), /^format: /);
        expectPlanError(() => parseRecipes(bytes({ ...KIT, version: "one" })), /^version: semantic version/);
        expectPlanError(() => parseRecipes(bytes({ ...KIT, extra: 1 })), /^\(root\): /);
        const joint = structuredClone(KIT);
        joint.processes[1].outputs.push({ spec: "scrap", quantity: "1", unit: "kg" });
        expectPlanError(() => recipes(joint), /^processes\.1\.outputs: one output per process/);
      });
    });

    describe("when coefficients, units or producers are wrong", () => {
      it("names the process with a negative coefficient", () => {
        const bad = structuredClone(KIT);
        bad.processes[1].inputs[0].quantity = "-0.5";
        expectPlanError(() => recipes(bad), /^process "print parts" input "PLA filament": quantity -0.5 is negative/);
        bad.processes[1].inputs[0].quantity = -0.5;
        expectPlanError(() => recipes(bad), /^process "print parts" input "PLA filament": quantity -0.5 is negative/);
      });

      it("names both processes when units do not match", () => {
        const bad = structuredClone(KIT);
        bad.processes[0].inputs[0].unit = "kg";
        expectPlanError(() => recipes(bad), /^units do not match: process "assemble kit" takes "printed parts" in kg, process "print parts" makes it in ea$/);
      });

      it("refuses two producers of one spec, a zero output, a duplicate name and a final spec nobody makes", () => {
        const two = structuredClone(KIT);
        two.processes.push({ name: "print more", outputs: [{ spec: "printed parts", quantity: "1", unit: "ea" }], inputs: [] });
        expectPlanError(() => recipes(two), /^processes "print parts" and "print more" both make "printed parts"/);
        const zero = structuredClone(KIT);
        zero.processes[1].outputs[0].quantity = "0";
        expectPlanError(() => recipes(zero), /^process "print parts": output "printed parts" has quantity 0/);
        const dup = structuredClone(KIT);
        dup.processes[1].name = "assemble kit";
        expectPlanError(() => recipes(dup), /^process "assemble kit" is defined twice/);
        expectPlanError(() => recipes({ ...KIT, final: ["unicorn"] }), /^final "unicorn" is made by no process/);
      });
    });
  });

  describe("computePlan", () => {
    describe("when a small economy is hand-computed", () => {
      it("gives the activity levels and dependent demand: 3 kits -> 30 parts -> 1.5 kg PLA and 0.75 h of printer", () => {
        const plan = computePlan(recipes(KIT), [{ spec: "sensor kit", unit: "ea", quantity: 3 }], []);
        expect(plan.processes.map((p) => [p.name, p.activity, p.make])).to.deep.equal([
          ["assemble kit", 3, 3],
          ["print parts", 3, 30],
        ]);
        expect(plan.inputs.map((i) => [i.spec, i.action, i.unit, i.gross, i.toPublish])).to.deep.equal([
          ["sensor board", "consume", "ea", 3, 3],
          ["assembly work", "work", "h", 1.5, 1.5],
          ["PLA filament", "consume", "kg", 1.5, 1.5],
          ["3D printer", "use", "h", 0.75, 0.75],
        ]);
        expect(plan.cites).to.deep.equal([{ spec: "design: open sensor v2", processes: ["assemble kit"] }]);
        expect(plan.spectralRadius).to.deep.equal({ lower: 0, upper: 0 });
        expect(plan.residual).to.equal(0);
      });

      it("nets inventory and needs already published: 12 parts on hand, 0.5 kg PLA already asked for", () => {
        const plan = computePlan(
          recipes(KIT),
          [{ spec: "sensor kit", unit: "ea", quantity: 3 }],
          [
            { spec: "printed parts", unit: "ea", quantity: 12 },
            { spec: "PLA filament", unit: "kg", quantity: 0.2 },
          ],
          [{ spec: "PLA filament", unit: "kg", quantity: 0.5 }],
        );
        expect(plan.processes[1]).to.include({ make: 18, inventory: 12 });
        expectNear(plan.processes[1].activity, 1.8, 1e-12);
        const pla = plan.inputs.find((i) => i.spec === "PLA filament")!;
        expectNear(pla.gross, 0.9, 1e-12);
        expect(pla).to.include({ inventory: 0.2, alreadyNeeded: 0.5 });
        expectNear(pla.toPublish, 0.2, 1e-12);
      });

      it("needs nothing when stock covers the demand", () => {
        const plan = computePlan(recipes(KIT), [{ spec: "sensor kit", unit: "ea", quantity: 2 }], [{ spec: "sensor kit", unit: "ea", quantity: 5 }]);
        expect(plan.processes.map((p) => p.activity)).to.deep.equal([0, 0]);
        expect(plan.inputs).to.deep.equal([]);
      });

      it("solves a process that consumes part of its own output: make = d / (1 - 0.1)", () => {
        const book: Book = {
          final: ["seed"],
          processes: [{ name: "grow", outputs: [{ spec: "seed", quantity: "10", unit: "kg" }], inputs: [{ spec: "seed", quantity: "1", unit: "kg" }] }],
        };
        const plan = computePlan(recipes(book), [{ spec: "seed", unit: "kg", quantity: 90 }], []);
        expectNear(plan.processes[0].make, 100, 1e-9);
        expectNear(plan.spectralRadius.upper, 0.1, 1e-9);
      });

      it("refuses final demand in another unit, naming the process", () => {
        expectPlanError(
          () => computePlan(recipes(KIT), [{ spec: "sensor kit", unit: "kg", quantity: 1 }], []),
          /^units do not match: final demand for "sensor kit" is in kg, process "assemble kit" makes it in ea$/,
        );
      });
    });

    describe("when the economy is the input-output table of Lay, Linear Algebra, section 2.6", () => {
      it("matches the exact solution (6100/27, 3200/27, 700/9) with shared inputs and cycles", () => {
        const C = [
          [0.5, 0.4, 0.2],
          [0.2, 0.3, 0.1],
          [0.1, 0.1, 0.3],
        ];
        const sectors = ["manufacturing", "agriculture", "services"];
        const book: Book = {
          final: sectors,
          processes: sectors.map((s, k) => ({
            name: `sector ${s}`,
            outputs: [{ spec: s, quantity: "1", unit: "EUR" }],
            inputs: sectors.map((t, i) => ({ spec: t, quantity: String(C[i][k]), unit: "EUR" })),
          })),
        };
        const plan = computePlan(
          recipes(book),
          [
            { spec: "manufacturing", unit: "EUR", quantity: 50 },
            { spec: "agriculture", unit: "EUR", quantity: 30 },
            { spec: "services", unit: "EUR", quantity: 20 },
          ],
          [],
        );
        const made = plan.processes.map((p) => p.make);
        expectNear(made[0], 6100 / 27, 1e-9);
        expectNear(made[1], 3200 / 27, 1e-9);
        expectNear(made[2], 700 / 9, 1e-9);
        expect(plan.residual).to.be.below(1e-9);
        expect(plan.spectralRadius.upper).to.be.below(1);
      });
    });

    describe("when a cycle is productive but barely", () => {
      it("plans a ring of 1,000 processes with spectral radius exactly 0.99 (the bracket is refined until it proves rho < 1)", () => {
        const n = 1000;
        const book: Book = {
          final: ["s0"],
          processes: Array.from({ length: n }, (_, i) => ({
            name: `p${i}`,
            outputs: [{ spec: `s${i}`, quantity: "1", unit: "ea" }],
            inputs: [{ spec: `s${(i + n - 1) % n}`, quantity: i === 0 ? String(0.99 ** n) : "1", unit: "ea" }],
          })),
        };
        // The ring's product of coefficients is 0.99^1000, so rho = 0.99 exactly.
        const plan = computePlan(recipes(book), [{ spec: "s0", unit: "ea", quantity: 1 }], []);
        expect(plan.spectralRadius.upper).to.be.below(1);
        expect(plan.spectralRadius.lower).to.be.at.most(0.99 + 1e-9);
        expect(plan.residual).to.be.below(1e-9);
      });
    });

    describe("when a cycle cannot be productive", () => {
      it("names the processes of a cycle with spectral radius >= 1", () => {
        const book: Book = {
          final: ["x"],
          processes: [
            { name: "make x", outputs: [{ spec: "x", quantity: "1", unit: "ea" }], inputs: [{ spec: "y", quantity: "1", unit: "ea" }] },
            { name: "make y", outputs: [{ spec: "y", quantity: "1", unit: "ea" }], inputs: [{ spec: "x", quantity: "2", unit: "ea" }] },
            { name: "make z", outputs: [{ spec: "z", quantity: "1", unit: "ea" }], inputs: [{ spec: "x", quantity: "1", unit: "ea" }] },
          ],
        };
        expectPlanError(
          () => computePlan(recipes(book), [{ spec: "x", unit: "ea", quantity: 1 }], []),
          /^the cycle of processes "make y", "make x" is not productive: it needs at least as much of its own outputs as it makes \(spectral radius at least 1\.\d+, proven\), so no activity level meets the demand$/,
        );
        book.processes[1].inputs[0].quantity = "1";
        expectPlanError(
          () => computePlan(recipes(book), [{ spec: "x", unit: "ea", quantity: 1 }], []),
          /^(the cycle of processes "make y", "make x" is not productive: .*spectral radius at least 1\.0000\d, proven|could not decide whether the cycle of processes "make y", "make x" is productive: its spectral radius is between 0\.99\d+ and 1\.0\d+)/,
        );
      });
    });
  });

  describe("perronBounds", () => {
    it("brackets the Perron root of a periodic cycle (rho of [[0, 0.8], [0.2, 0]] is 0.4)", () => {
      const b = perronBounds({ n: 2, cols: [[{ row: 1, value: 0.2 }], [{ row: 0, value: 0.8 }]] }, [0, 1]);
      expect(b.lower).to.be.at.most(0.4 + 1e-12);
      expect(b.upper).to.be.at.least(0.4 - 1e-12);
      expect(b.upper).to.be.below(1);
    });
  });

  describe("solveLeontief", () => {
    it("agrees with dense Gaussian elimination on a random sparse cyclic economy of 80 processes", () => {
      let seed = 42;
      const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const n = 80;
      const dense = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      const cols: { row: number; value: number }[][] = Array.from({ length: n }, () => []);
      for (let k = 0; k < n; k++) {
        for (let e = 0; e < 5; e++) {
          const row = Math.floor(rand() * n);
          if (dense[row][k]) continue;
          dense[row][k] = rand() * 0.18; // column sums < 0.9: rho < 1
          cols[k].push({ row, value: dense[row][k] });
        }
      }
      const d = Float64Array.from({ length: n }, () => rand() * 100);
      const got = solveLeontief(
        { n, cols },
        d,
        new Float64Array(n),
        Array.from({ length: n }, (_, i) => `p${i}`),
      );
      const want = denseSolve(dense, [...d]);
      for (let i = 0; i < n; i++) expectNear(got.y[i], want[i], 1e-8 * Math.max(1, want[i]));
      expect(got.residual).to.be.below(1e-9);
      expect(got.spectralRadius.upper).to.be.within(0, 0.9);
    });
  });

  describe("toLedgerQuantity", () => {
    it("rounds up to 6 decimals so that a published need never falls short", () => {
      expect(toLedgerQuantity(1.5)).to.equal("1.5");
      expect(toLedgerQuantity(0.1 + 0.2)).to.equal("0.3");
      expect(toLedgerQuantity(1 / 3)).to.equal("0.333334");
      expect(toLedgerQuantity(0)).to.equal("0");
    });
  });
});
