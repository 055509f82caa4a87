// CPU time of another process (e.g. anvil) for the benchmarks, which report it beside wall time.
import { readFileSync } from "node:fs";

/** CPU seconds used so far by a process (utime + stime from /proc), or 0 where there is no /proc. */
export function processCpu(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ = 100 on Linux)
  } catch {
    return 0;
  }
}
