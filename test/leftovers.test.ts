// What a killed `npm start` left running (scripts/lib/node/leftovers.ts), with real processes: which
// ones the next start stops, and which it must leave alone.
import { expect } from "chai";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ProcessRecord, startOf, stopLeftovers } from "../scripts/lib/node/leftovers.js";
import type { RecordedProcess } from "../scripts/lib/node/leftovers.js";

/** A process in a group of its own, as npm start's children run; `onTerm` is what it does on SIGTERM. */
function child(onTerm: "exit" | "ignore", marker: string, program: string): ChildProcess {
  const script =
    onTerm === "exit"
      ? `process.on("SIGTERM", () => { require("fs").writeFileSync(${JSON.stringify(marker)}, "stopped on SIGTERM"); process.exit(0); }); setInterval(() => {}, 1000); console.log("up");`
      : `process.on("SIGTERM", () => {}); setInterval(() => {}, 1000); console.log("up");`;
  // `program` is in its command line, as "anvil", "relayer" or "ponder" is in the real ones'.
  return spawn(process.execPath, ["-e", script, program], { detached: true, stdio: ["ignore", "pipe", "ignore"] });
}

const up = (c: ChildProcess) => new Promise<void>((resolve) => c.stdout!.once("data", () => resolve()));
const alive = (pid: number) => startOf(pid) !== undefined;

/** A process that has exited: an owner that was killed. */
async function exitedProcess(): Promise<RecordedProcess> {
  const c = spawn(process.execPath, ["-e", "setTimeout(() => {}, 50)"]);
  const started = startOf(c.pid!)!;
  await new Promise((r) => c.once("exit", r));
  return { name: "npm start", pid: c.pid!, started };
}

describe("leftovers of a killed npm start (lib/node/leftovers.ts)", function () {
  this.timeout(30_000);
  let dir: string;
  let file: string;
  const started: ChildProcess[] = [];
  const PROGRAM = { chain: "anvil", relayer: "relayer", indexer: "ponder" };
  const run = async (onTerm: "exit" | "ignore", name: keyof typeof PROGRAM = "relayer") => {
    const c = child(onTerm, path.join(dir, `marker-${started.length}`), PROGRAM[name]);
    started.push(c);
    await up(c);
    return { c, marker: path.join(dir, `marker-${started.length - 1}`), recorded: { name, pid: c.pid!, started: startOf(c.pid!)! } };
  };
  const write = (owner: RecordedProcess, children: RecordedProcess[]) => writeFileSync(file, JSON.stringify({ owner, children }));

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "commons-leftovers-"));
    file = path.join(dir, "processes.json");
  });
  afterEach(() => {
    for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  describe("stopLeftovers", () => {
    describe("when the npm start that recorded them has exited", () => {
      it("sends each one's group SIGTERM, returns them and deletes the record", async () => {
        const a = await run("exit", "chain");
        const b = await run("exit", "relayer");
        write(await exitedProcess(), [a.recorded, b.recorded]);
        const stopped = await stopLeftovers(file);
        expect(stopped.map((p) => p.name)).to.deep.equal(["relayer", "chain"]); // the chain last
        expect(readFileSync(a.marker, "utf8")).to.equal("stopped on SIGTERM");
        expect(readFileSync(b.marker, "utf8")).to.equal("stopped on SIGTERM");
        expect(existsSync(file)).to.equal(false);
      });

      it("kills one that ignores SIGTERM once the grace period is over", async () => {
        const a = await run("ignore");
        write(await exitedProcess(), [a.recorded]);
        const t = performance.now();
        expect((await stopLeftovers(file, 500)).map((p) => p.pid)).to.deep.equal([a.recorded.pid]);
        expect(performance.now() - t).to.be.at.least(500);
        expect(alive(a.recorded.pid)).to.equal(false);
      });

      it("leaves alone a PID that another process has now (it started at another time: the PID was reused)", async () => {
        const a = await run("exit");
        write(await exitedProcess(), [{ ...a.recorded, started: String(Number(a.recorded.started) - 1) }]);
        expect(await stopLeftovers(file)).to.deep.equal([]);
        expect(alive(a.recorded.pid)).to.equal(true);
        expect(existsSync(a.marker)).to.equal(false);
      });

      it("leaves alone a program that is not what its name says (a record can only stop an anvil, a relayer or an indexer)", async () => {
        const a = await run("exit", "indexer");
        write(await exitedProcess(), [{ ...a.recorded, name: "chain" }]);
        expect(await stopLeftovers(file)).to.deep.equal([]);
        expect(alive(a.recorded.pid)).to.equal(true);
      });

      it("skips children that have already exited", async () => {
        write(await exitedProcess(), [await exitedProcess()]);
        expect(await stopLeftovers(file)).to.deep.equal([]);
        expect(existsSync(file)).to.equal(false);
      });
    });

    describe("when the npm start that recorded them still runs", () => {
      it("touches nothing: they are its children, not leftovers", async () => {
        const a = await run("exit");
        write({ name: "npm start", pid: process.pid, started: startOf(process.pid)! }, [a.recorded]);
        expect(await stopLeftovers(file)).to.deep.equal([]);
        expect(alive(a.recorded.pid)).to.equal(true);
        expect(existsSync(file)).to.equal(true);
      });
    });

    describe("when the record is missing or unreadable", () => {
      it("stops nothing, and removes a record it cannot read", async () => {
        expect(await stopLeftovers(file)).to.deep.equal([]);
        writeFileSync(file, "{ not json");
        expect(await stopLeftovers(file)).to.deep.equal([]);
        expect(existsSync(file)).to.equal(false);
        writeFileSync(file, JSON.stringify({ children: [] }));
        expect(await stopLeftovers(file)).to.deep.equal([]);
        expect(existsSync(file)).to.equal(false);
      });
    });
  });

  describe("ProcessRecord", () => {
    it("writes each child with its start time as it is added, under this process as the owner, and clears the file it wrote", async () => {
      const a = await run("exit", "chain");
      const record = new ProcessRecord(file);
      record.add("chain", a.recorded.pid);
      record.add("relayer", undefined); // a spawn that failed has no PID
      const content = JSON.parse(readFileSync(file, "utf8"));
      expect(content.owner).to.deep.equal({ name: "npm start", pid: process.pid, started: startOf(process.pid) });
      expect(content.children).to.deep.equal([a.recorded]);
      record.clear();
      expect(existsSync(file)).to.equal(false);
    });

    it("recognises a child recorded the moment it was spawned, before it runs its program (as npm start records them)", async () => {
      const c = child("exit", path.join(dir, "marker-spawned"), "relayer");
      started.push(c);
      new ProcessRecord(file).add("relayer", c.pid); // its command line is still its parent's here
      await up(c);
      const content = JSON.parse(readFileSync(file, "utf8"));
      write(await exitedProcess(), content.children);
      expect((await stopLeftovers(file)).map((p) => p.pid)).to.deep.equal([c.pid]);
      expect(readFileSync(path.join(dir, "marker-spawned"), "utf8")).to.equal("stopped on SIGTERM");
    });

    it("does not delete a record it did not write (a start that failed beside a running one)", () => {
      writeFileSync(file, "{}");
      new ProcessRecord(file).clear();
      expect(existsSync(file)).to.equal(true);
    });
  });
});
