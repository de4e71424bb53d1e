// The API's days are UTC days; the dashboard shows and asks for them in UTC too, so a day's
// bar is the same day in the CSV, the chart and the ledger.
const DAY_MS = 86_400_000;

/** "2026-12-02" for the UTC day of an instant. */
export function utcDay(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** The `count` UTC days ending with `last`, oldest first. */
export function lastDays(count: number, last: Date): string[] {
  const end = Date.UTC(last.getUTCFullYear(), last.getUTCMonth(), last.getUTCDate());
  return Array.from({ length: count }, (_, index) =>
    utcDay(new Date(end - (count - 1 - index) * DAY_MS)),
  );
}

/** The last `count` UTC days and the instant the first of them starts (a `from`). */
export function dayWindow(count: number, last: Date): { days: string[]; from: string } {
  const days = lastDays(count, last);
  return { days, from: dayStart(days[0] ?? utcDay(last)) };
}

/** The instant a UTC day starts, as the API's `from` takes it. */
export function dayStart(day: string): string {
  return `${day}T00:00:00.000Z`;
}

/** The instant after a UTC day ends (an exclusive `to`). */
export function dayEnd(day: string): string {
  return new Date(Date.parse(dayStart(day)) + DAY_MS).toISOString();
}

/** "2 Dec 2026, 14:05 UTC"; the text itself when it is not a date. */
export function formatInstant(value: unknown): string {
  if (typeof value !== 'string') return '—';
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) return value;
  const date = parsed.toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const time = parsed.toISOString().slice(11, 16);
  return `${date}, ${time} UTC`;
}

/** "2 Dec" for a chart axis. */
export function formatDayLabel(day: string): string {
  const parsed = new Date(dayStart(day));
  if (Number.isNaN(parsed.getTime())) return day;
  return parsed.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
}

/** The UTC day of an API day value ("2026-12-02" or an instant). */
export function dayOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : utcDay(parsed);
}
