// The one date style people read, in the app and the CLI alike: "2026-12-05 14:30 UTC" (minutes;
// with seconds where a second matters, as a signature's deadline against the block time), and
// "2026-12-05" for a day. JSON keeps ISO 8601 for programs.

/** A time (unix seconds) as programs read it, in JSON and JSON-LD: ISO 8601 in UTC, "2026-12-05T14:30:05.000Z". */
export function isoTime(seconds: bigint | number): string {
  return new Date(Number(seconds) * 1000).toISOString();
}

/** A time (unix seconds) as people read it: "2026-12-05 14:30 UTC", or with `seconds` "2026-12-05 14:30:05 UTC". */
export function dateTime(seconds: bigint | number, o: { seconds?: boolean } = {}): string {
  return `${isoTime(seconds)
    .replace("T", " ")
    .slice(0, o.seconds ? 19 : 16)} UTC`;
}

/** A day (unix seconds): "2026-12-05". */
export function dateOnly(seconds: bigint | number): string {
  return isoTime(seconds).slice(0, 10);
}

/** A day when the time is midnight UTC (a period's bound), else the time: "2027-01-01", "2026-12-05 14:30 UTC". */
export function dayOrTime(seconds: bigint | number): string {
  return Number(seconds) % 86_400 === 0 ? dateOnly(seconds) : dateTime(seconds);
}

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** The UTC day number of a time in milliseconds (days since 1970-01-01): what a daily budget counts by. */
export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
