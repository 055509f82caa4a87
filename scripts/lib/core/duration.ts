// Durations for people: "5 h 12 min", "40 min", "3 days 2 h", never seconds. Browser-safe.

/** `ms` in days, hours and minutes (the two largest that are not zero; under a minute: "1 min"). */
export function durationWords(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const parts = [d ? `${d} day${d === 1 ? "" : "s"}` : "", h ? `${h} h` : "", m ? `${m} min` : ""].filter(Boolean);
  return parts.slice(0, 2).join(" ");
}
