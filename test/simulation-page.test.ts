// The Simulation page's pure helpers (app/src/lib/simulation.ts): the case to and from the URL, the
// check of every field (the same sentences as `commons simulate` for the same text), the command
// line for a case, the chart rows and the sentence that says what the results mean.
import { expect } from "chai";
import { Command } from "commander";
import {
  chartRows,
  checkSimulationForm,
  cliCommand,
  DEFAULT_FORM,
  formFromQuery,
  formToQuery,
  hasSimulationQuery,
  percent,
  resultSentence,
} from "../app/src/lib/simulation.js";
import type { PolicyFigures, SimulationForm } from "../app/src/lib/simulation.js";
import { registerSimulate } from "../scripts/cli/simulate.js";

const form = (patch: Partial<SimulationForm>): SimulationForm => ({ ...DEFAULT_FORM, ...patch });
const query = (text: string) => new URLSearchParams(text);

/** The message `commons simulate` refuses these flags with (without its "--flag: " prefix). */
async function cliRefusal(args: string[]): Promise<string> {
  const program = new Command("commons").exitOverride();
  registerSimulate(program);
  try {
    await program.parseAsync(["simulate", ...args], { from: "user" });
  } catch (error) {
    return (error as Error).message.replace(/^--[\w-]+: /, "");
  }
  throw new Error(`commons simulate ${args.join(" ")} was not refused`);
}

describe("Simulation page helpers", function () {
  describe("checkSimulationForm", function () {
    it("reads the defaults as commons simulate's defaults, the notice left to the book", function () {
      const { params, errors } = checkSimulationForm(DEFAULT_FORM);
      expect(errors).to.deep.equal({});
      expect(params).to.deep.equal({
        seed: 1,
        processes: 50,
        links: 4,
        cycles: 3,
        periods: 200,
        notice: undefined,
        reliability: 1,
        learn: false,
        safety: 0,
        naiveSafety: undefined,
        step: 0.1,
        season: undefined,
        shock: undefined,
        policies: ["planner", "naive", "none"],
      });
    });

    it("reads every field of a full case", function () {
      const { params, errors } = checkSimulationForm(
        form({
          seed: "7",
          processes: " 10 ",
          links: "2.5",
          cycles: "0",
          periods: "30",
          notice: "0",
          reliability: "0.9",
          learn: true,
          safety: "0.5",
          naiveSafety: "1",
          step: "0",
          seasonAmplitude: "0.2",
          seasonPeriods: "12",
          shockPeriod: "20",
          shockFactor: "1.5",
          policies: ["none", "planner"],
        }),
      );
      expect(errors).to.deep.equal({});
      expect(params).to.deep.equal({
        seed: 7,
        processes: 10,
        links: 2.5,
        cycles: 0,
        periods: 30,
        notice: 0,
        reliability: 0.9,
        learn: true,
        safety: 0.5,
        naiveSafety: 1,
        step: 0,
        season: { amplitude: 0.2, periods: 12 },
        shock: { period: 20, factor: 1.5 },
        policies: ["planner", "none"],
      });
    });

    it("refuses a bad value with commons simulate's sentence for the same text", async function () {
      // (Processes and periods have the browser's own upper limits: the next test.)
      const cases: [keyof SimulationForm, string, string][] = [
        ["seed", "x", "--seed"],
        ["links", "51", "--links"],
        ["cycles", "-1", "--cycles"],
        ["notice", "1.5", "--notice"],
        ["reliability", "2", "--reliability"],
        ["reliability", "0", "--reliability"],
        ["safety", "abc", "--safety"],
        ["naiveSafety", "-1", "--naive-safety"],
        ["step", "0.95", "--step"],
      ];
      for (const [field, text, flag] of cases) {
        const { params, errors } = checkSimulationForm(form({ [field]: text }));
        expect(params, field).to.equal(undefined);
        expect(errors, field).to.deep.equal({ [field]: await cliRefusal([flag, text]) });
      }
      expect(checkSimulationForm(form({ reliability: "2" })).errors.reliability).to.equal('"2" is not a share from 0.01 to 1');
    });

    it("keeps the browser's cases small: up to 150 processes and 400 periods", function () {
      expect(checkSimulationForm(form({ processes: "151" })).errors).to.deep.equal({ processes: '"151" is not a whole number from 2 to 150' });
      expect(checkSimulationForm(form({ periods: "401" })).errors).to.deep.equal({ periods: '"401" is not a whole number from 1 to 400' });
      expect(checkSimulationForm(form({ processes: "150", periods: "400" })).params).to.not.equal(undefined);
    });

    it("names each wrong part of a season and a shock, and a shock given by half", function () {
      expect(checkSimulationForm(form({ seasonAmplitude: "1", seasonPeriods: "1" })).errors).to.deep.equal({
        seasonAmplitude: '"1" is not an amplitude from 0 to 0.9 (a share of the level)',
        seasonPeriods: '"1" is not a whole number from 2 to 1000',
      });
      expect(checkSimulationForm(form({ seasonAmplitude: "0.2", seasonPeriods: "" })).errors).to.deep.equal({
        seasonPeriods: "give the length of a season's cycle in periods, e.g. 12",
      });
      // Without an amplitude there is no season: its length is not checked.
      expect(checkSimulationForm(form({ seasonPeriods: "x" })).errors).to.deep.equal({});
      expect(checkSimulationForm(form({ shockPeriod: "20" })).errors).to.deep.equal({ shockFactor: "give the factor demand is multiplied by, e.g. 1.5" });
      expect(checkSimulationForm(form({ shockFactor: "2" })).errors).to.deep.equal({ shockPeriod: "give the period the shock starts from, e.g. 100" });
      expect(checkSimulationForm(form({ shockPeriod: "20", shockFactor: "0" })).errors).to.deep.equal({
        shockFactor: '"0" is not a factor above 0, up to 100',
      });
      expect(checkSimulationForm(form({ shockPeriod: "20", shockFactor: "101" })).errors).to.deep.equal({
        shockFactor: '"101" is not a factor above 0, up to 100',
      });
    });

    it("refuses a case with no policy, and reports every wrong field at once", function () {
      const { params, errors } = checkSimulationForm(form({ policies: [], seed: "-1", step: "1" }));
      expect(params).to.equal(undefined);
      expect(Object.keys(errors)).to.have.members(["policies", "seed", "step"]);
      expect(errors.policies).to.equal("choose at least one policy to run");
    });
  });

  describe("the URL", function () {
    it("keeps only what differs from the defaults, with the CLI's flag names, readable", function () {
      expect(formToQuery(DEFAULT_FORM)).to.equal("");
      const f = form({
        processes: "10",
        periods: "30",
        learn: true,
        naiveSafety: "0.5",
        seasonAmplitude: "0.2",
        shockPeriod: "20",
        shockFactor: "1.5",
        policies: ["planner", "naive"],
      });
      expect(formToQuery(f)).to.equal("processes=10&periods=30&learn=1&naive-safety=0.5&season=0.2:12&shock=20:1.5&policy=planner,naive");
      expect(cliCommand(f)).to.equal(
        "npx commons simulate --processes 10 --periods 30 --learn --naive-safety 0.5 --season 0.2:12 --shock 20:1.5 --policy planner,naive",
      );
      expect(cliCommand(DEFAULT_FORM)).to.equal("npx commons simulate");
    });

    it("gives back the same form it was written from (a reload or a shared link runs the same case)", function () {
      const forms = [
        DEFAULT_FORM,
        form({ seed: "42", notice: "0", reliability: "0.9", learn: true, safety: "1", step: "0.2", policies: ["none"] }),
        form({ seasonAmplitude: "0.3", seasonPeriods: "52", shockPeriod: "100", shockFactor: "0.5" }),
        form({ reliability: "2", links: "a&b=c" }), // wrong values travel too, and are refused again
      ];
      for (const f of forms) {
        const back = formFromQuery(query(formToQuery(f)));
        expect(back).to.deep.equal(f);
        expect(checkSimulationForm(back)).to.deep.equal(checkSimulationForm(f));
      }
    });

    it("reads a URL as typed: percent-encoded, unknown keys and policies ignored, half a pair kept for its sentence", function () {
      const f = formFromQuery(query("processes=10&season=0.2%3A6&policy=planner%2Cfoo&learn=0&other=1"));
      expect(f).to.deep.equal(form({ processes: "10", seasonAmplitude: "0.2", seasonPeriods: "6", policies: ["planner"] }));
      expect(formFromQuery(query("shock=20")).shockPeriod).to.equal("20");
      expect(checkSimulationForm(formFromQuery(query("shock=20"))).errors).to.deep.equal({ shockFactor: "give the factor demand is multiplied by, e.g. 1.5" });
      expect(hasSimulationQuery(query(""))).to.equal(false);
      expect(hasSimulationQuery(query("other=1"))).to.equal(false);
      expect(hasSimulationQuery(query("reliability=2"))).to.equal(true);
    });
  });

  describe("the results", function () {
    const figures = (policy: PolicyFigures["policy"], unmetPercent: number, excessPercent: number): PolicyFigures => ({
      policy,
      totals: { unmetPercent, excessPercent, workHours: 100, explainedPercent: 100 },
      periods: [
        { period: 0, demand: 10, unmet: 1, excess: 5, excessPercent: 50 },
        { period: 1, demand: 0, unmet: 0, excess: 2, excessPercent: 20 },
      ],
    });
    const week = 7 * 86400;
    const run = { notice: 9, periodSeconds: week, reliability: 1, learn: false, safety: 0, naiveSafety: 0 };

    it("says what the figures mean in one sentence", function () {
      expect(resultSentence(run, [figures("planner", 0.1, 0.2), figures("naive", 0.6, 127.4), figures("none", 17.39, 399.13)])).to.equal(
        "With needs posted 9 weeks ahead, the planner's signals met 99.9 % of demand on time holding 0.2 % extra stock; " +
          "each process making what was used last week met 99.4 % but held 127 % extra; " +
          "each process repeating the first week's activity, with no signals, met 82.6 % but held 399 % extra.",
      );
    });

    it("names the notice, people's reliability, buffers and a single policy in its words", function () {
      expect(resultSentence({ ...run, notice: 0, reliability: 0.9, learn: true, safety: 1 }, [figures("planner", 0, 3)])).to.equal(
        "With needs known only when they are due and people doing 90 % of what they commit to (the planner making up for it from what the ledger shows), " +
          "the planner's signals (and a safety stock of 1 week's use) met all of the demand on time holding 3 % extra stock.",
      );
      expect(resultSentence({ ...run, notice: 1, periodSeconds: 86400, naiveSafety: 2 }, [figures("naive", 5, 50), figures("none", 5, 20)])).to.equal(
        "With needs posted 1 day ahead, each process making what was used last day plus 2 days' use in reserve met 95 % of demand on time holding 50 % extra stock; " +
          "each process repeating the first day's activity, with no signals, met 95 % and held 20 % extra.",
      );
      expect(resultSentence(run, [])).to.equal("");
    });

    it("never rounds a shortfall to 100 % or a little stock to 0 %", function () {
      expect(percent(100 - 0.01)).to.equal("99.99");
      expect(percent(100 - 0.00001)).to.equal("more than 99.999");
      expect(percent(0.04)).to.equal("0.04");
      expect(percent(0)).to.equal("0");
      expect(percent(100)).to.equal("100");
      expect(percent(127.4)).to.equal("127");
      expect(percent(90)).to.equal("90");
    });

    it("gives one chart row per period: unmet as % of that period's demand and stock held, per policy", function () {
      expect(chartRows([figures("planner", 0, 0), figures("none", 0, 0)])).to.deep.equal([
        { period: 0, "unmet:planner": 10, "stock:planner": 50, "unmet:none": 10, "stock:none": 50 },
        { period: 1, "unmet:planner": 0, "stock:planner": 20, "unmet:none": 0, "stock:none": 20 },
      ]);
      expect(chartRows([])).to.deep.equal([]);
    });
  });
});
