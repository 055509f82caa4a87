// What `npm start` leaves running when it is killed without a chance to stop its children (kill -9,
// the out-of-memory killer, a crash of Node itself). The chain, the relayer and the indexer run in
// process groups of their own (so that Ctrl-C reaches `npm start` alone, which stops them in
// order), so nothing stops them then: they keep their ports, and the next `npm start` failed with
// "port 8545 is already in use". `npm start` now writes each child to the data folder as it starts
// it (processes.json), deletes the file once it has stopped them, and at its next start stops the
// ones a killed start left behind, the chain last so that it saves its state.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";

/** One process as recorded: its name for people, its PID and when it started (what proves the PID is still it). */
export interface RecordedProcess {
  name: string;
  pid: number;
  started: string;
}

interface ProcessesFile {
  /** The `npm start` that started them: while it runs, they are its, not leftovers. */
  owner: RecordedProcess;
  children: RecordedProcess[];
}

/** The command line of a running process, or undefined when no process has that PID (or it cannot be read). */
export function commandOf(pid: number): string | undefined {
  try {
    if (existsSync("/proc")) return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
    return execFileSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * What each child's command names: a record (written by whoever can write the data folder) can
 * only ever stop an anvil, a relayer or a Ponder indexer, never another program of the user's.
 */
const PROGRAMS: Record<string, RegExp> = { chain: /\banvil\b/, relayer: /\brelayer\b/, indexer: /\bponder\b/ };

/**
 * When a process started, or undefined when no process has that PID: a PID that was reused since it
 * was recorded has another start. (Its command would not do: just after a spawn it is still the
 * parent's, until the child has exec'd its program.) Linux: /proc/<pid>/stat's start time in clock
 * ticks since boot (undefined once it has exited, even before its parent reaps it); elsewhere, ps's.
 */
export function startOf(pid: number): string | undefined {
  try {
    if (existsSync("/proc")) {
      // After "pid (name) ": the state (Z: exited, not yet reaped), ..., the start time (field 22).
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ").at(-1)!.split(" ");
      return fields[0] === "Z" ? undefined : fields[19];
    }
    return execFileSync("ps", ["-o", "lstart=", "-p", String(pid)], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Whether the process `p` names is still the one that was recorded (not exited, its PID not reused). */
function stillRunning(p: RecordedProcess): boolean {
  return p.started !== undefined && startOf(p.pid) === p.started;
}

/** The processes `npm start` runs, kept in `file` as they start; `clear` once they are stopped. */
export class ProcessRecord {
  private readonly children: RecordedProcess[] = [];
  private readonly owner: RecordedProcess;
  private written = false;

  constructor(private readonly file: string) {
    this.owner = { name: "npm start", pid: process.pid, started: startOf(process.pid) ?? "" };
  }

  add(name: string, pid: number | undefined): void {
    if (pid === undefined) return;
    const started = startOf(pid);
    if (started === undefined) return; // it has already exited: nothing to leave behind
    this.children.push({ name, pid, started });
    const content: ProcessesFile = { owner: this.owner, children: this.children };
    writeFileSync(this.file, JSON.stringify(content, null, 2) + "\n");
    this.written = true;
  }

  /** Deletes the file, if this start wrote it (a start that failed early must not delete a running start's file). */
  clear(): void {
    if (this.written) rmSync(this.file, { force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stops the processes in `file` that a killed `npm start` left running: each group is sent SIGTERM
 * (the chain saves its state on it), then SIGKILL after `graceMs`. Returns what it stopped, for
 * the person starting. Nothing is touched while the `npm start` that recorded them still runs
 * (a second start must not stop the first's chain), nor a PID that another process has now (its
 * start time differs), nor a program that is not what its name says (PROGRAMS).
 */
export async function stopLeftovers(file: string, graceMs = 15_000): Promise<RecordedProcess[]> {
  if (!existsSync(file)) return [];
  let recorded: ProcessesFile;
  try {
    recorded = JSON.parse(readFileSync(file, "utf8")) as ProcessesFile;
    if (!recorded.owner || !Array.isArray(recorded.children)) throw new Error("no owner or children");
  } catch {
    rmSync(file, { force: true }); // unreadable: nothing in it can be trusted to be ours
    return [];
  }
  if (stillRunning(recorded.owner)) return [];
  // The chain last: the relayer and the indexer read it until they stop.
  const running = recorded.children
    .filter((p) => stillRunning(p) && PROGRAMS[p.name]?.test(commandOf(p.pid) ?? ""))
    .sort((a, b) => Number(a.name === "chain") - Number(b.name === "chain"));
  for (const p of running) {
    signalGroup(p.pid, "SIGTERM");
    const until = Date.now() + graceMs;
    while (stillRunning(p) && Date.now() < until) await sleep(100);
    if (stillRunning(p)) signalGroup(p.pid, "SIGKILL");
    const killed = Date.now() + 5_000;
    while (stillRunning(p) && Date.now() < killed) await sleep(50);
  }
  rmSync(file, { force: true });
  return running;
}

/** Signals a process's group (each child leads its own), or the process alone if it leads none. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // it exited meanwhile
    }
  }
}
