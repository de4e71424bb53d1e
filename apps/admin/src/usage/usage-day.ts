/** The UTC day of an instant, YYYY-MM-DD: usage rollups are kept per UTC day. */
export function utcDay(instant: string): string {
  return new Date(instant).toISOString().slice(0, 10);
}
