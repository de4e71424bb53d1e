import { timestampMs } from '@tally/budget-domain';

/**
 * The UTC day of an instant, YYYY-MM-DD: usage rollups are kept per UTC day. A wire timestamp
 * without an offset is UTC (ADR 0071), whatever zone admin's host runs in.
 */
export function utcDay(instant: string): string {
  return new Date(timestampMs(instant)).toISOString().slice(0, 10);
}
