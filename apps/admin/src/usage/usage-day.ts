/** The offset that ends a timestamp, when it has one ("Z", "+05:30", "-0800"). */
const OFFSET = /(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$/;

/** The UTC day of an instant, YYYY-MM-DD: usage rollups are kept per UTC day. */
export function utcDay(instant: string): string {
  // Wire timestamps are UTC (DESIGN 2): one without an offset is read as UTC, not in the zone
  // of the host, as Date would. The separator becomes "T", which Date needs before a "Z".
  const utc = OFFSET.test(instant) ? instant : `${instant.slice(0, 10)}T${instant.slice(11)}Z`;
  return new Date(utc).toISOString().slice(0, 10);
}
