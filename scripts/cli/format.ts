// Plain-text tables and a progress line for the terminal.

export function table(rows: readonly Record<string, string | number | bigint>[], columns?: readonly string[]): string {
  if (rows.length === 0) return "(none)";
  const cols = columns ?? Object.keys(rows[0]);
  const cells = rows.map((r) => cols.map((c) => String(r[c] ?? "")));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const numeric = cols.map((_, i) => cells.every((row) => /^-?[\d.,]*$/.test(row[i])));
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line([...cols]), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

/** A progress bar on stderr, only when stderr is a terminal. */
export function progress(label: string): (done: number, total: number) => void {
  if (!process.stderr.isTTY) return () => {};
  let last = -1;
  return (done, total) => {
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    if (pct === last) return;
    last = pct;
    const width = 30;
    const filled = Math.round((pct / 100) * width);
    process.stderr.write(`\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${pct}%${done >= total ? "\n" : ""}`);
  };
}

export const short = (hex: string) => (hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex);

/** Writes one line (or block) to stdout. */
export const out = (text: string): void => void process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);

/** JSON with bigints as decimal strings. */
export const json = (value: unknown): string => JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2);
