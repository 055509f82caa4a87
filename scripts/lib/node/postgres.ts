// A throwaway PostgreSQL server for tests and benchmarks: Debian's `postgresql` package (installed
// with apt-get when missing; these machines run as root and reach the Debian mirrors), a new cluster
// in a temporary folder owned by the `postgres` user, listening on 127.0.0.1 only, on the port given.
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface Postgres {
  /** postgresql://postgres@127.0.0.1:<port>/postgres */
  url: string;
  version: string;
  /** Runs one SQL statement with psql and gives its rows, one per line, columns split by "|". */
  query(sql: string): string[];
  stop(): Promise<void>;
}

const ROOT = "/usr/lib/postgresql";

/** The newest installed server's bin folder, or undefined. */
function binDir(): string | undefined {
  if (!existsSync(ROOT)) return undefined;
  const versions = readdirSync(ROOT)
    .filter((v) => /^\d+$/.test(v) && existsSync(path.join(ROOT, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(ROOT, versions[0], "bin") : undefined;
}

/** Installs Debian's PostgreSQL server if none is there (needs root and the Debian mirrors). */
export function ensurePostgresInstalled(log: (line: string) => void = () => {}): string {
  const found = binDir();
  if (found) return found;
  log("  PostgreSQL is missing: apt-get install -y postgresql (about a minute)...");
  execFileSync("apt-get", ["update", "-qq"], { stdio: "ignore", timeout: 300_000 });
  execFileSync("apt-get", ["install", "-y", "-qq", "postgresql"], {
    stdio: "ignore",
    timeout: 600_000,
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  const bin = binDir();
  if (!bin) throw new Error(`apt-get install postgresql did not provide a server under ${ROOT}`);
  return bin;
}

export async function startPostgres(o: { port: number; log?: (line: string) => void }): Promise<Postgres> {
  const bin = ensurePostgresInstalled(o.log);
  const dir = mkdtempSync(path.join(tmpdir(), "commons-postgres-"));
  // PostgreSQL refuses to run as root: as root, the cluster belongs to the package's `postgres` user.
  const asRoot = process.getuid?.() === 0;
  const run = (tool: string, args: string[]) =>
    execFileSync(asRoot ? "runuser" : path.join(bin, tool), asRoot ? ["-u", "postgres", "--", path.join(bin, tool), ...args] : args, {
      stdio: "pipe",
      timeout: 120_000,
    });
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, "data");
  run("initdb", ["-D", data, "--auth=trust", "--username=postgres", "--no-sync", "--encoding=UTF8", "--locale=C"]);
  const options = `-p ${o.port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  run("pg_ctl", ["-D", data, "-o", options, "-l", path.join(dir, "server.log"), "-w", "-t", "60", "start"]);
  const version = execFileSync(path.join(bin, "postgres"), ["--version"]).toString().trim();
  return {
    url: `postgresql://postgres@127.0.0.1:${o.port}/postgres`,
    version,
    query: (sql) =>
      execFileSync(path.join(bin, "psql"), ["-h", "127.0.0.1", "-p", String(o.port), "-U", "postgres", "-d", "postgres", "-tAc", sql], { timeout: 60_000 })
        .toString()
        .split("\n")
        .filter((line) => line !== ""),
    async stop() {
      try {
        run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
