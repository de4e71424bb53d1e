import { z } from 'zod';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A `from`/`to` query value: a UTC date ("2026-12-01", its midnight) or an ISO-8601 instant
 * with an offset. Anything else is refused (422), never guessed.
 */
export const instantQuery = z
  .string()
  // abort: else zod still runs the query's own checks, on this text instead of a Date.
  .max(40, { abort: true })
  .transform((text, context) => {
    const valid = DATE.test(text)
      ? !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) &&
        new Date(`${text}T00:00:00Z`).toISOString().startsWith(text)
      : z.iso.datetime({ offset: true }).safeParse(text).success;
    // JavaScript reads year 0000, PostgreSQL's date has no year 0: refused here, not a 500 there.
    if (!valid || text.startsWith('0000')) {
      context.addIssue({
        code: 'custom',
        message: 'must be a date (YYYY-MM-DD) or an ISO-8601 instant with an offset',
      });
      return z.NEVER;
    }
    return new Date(DATE.test(text) ? `${text}T00:00:00Z` : text);
  })
  .optional();

/** `from` before `to` when both are given; the range is [from, to). */
export function rangeIsOrdered(range: { from?: Date | undefined; to?: Date | undefined }): boolean {
  return range.from === undefined || range.to === undefined || range.from < range.to;
}

export const RANGE_ORDER = { message: 'from must be before to', path: ['from'] };
