import { z } from 'zod';
import { ValidationException, ValidationExceptionCode } from './validation.exception';

/**
 * `limit` of a list: 1 to `max`, default 50; anything else is refused, never clamped. A list
 * another service answers takes what that service takes.
 */
export const limitQueryUpTo = (max: number) =>
  z.coerce
    .number()
    .int('limit must be an integer')
    .min(1, 'limit must be at least 1')
    .max(max, `limit must be at most ${max}`)
    .default(50);

/** `limit` of admin's own lists: 1–500. */
export const limitQuery = limitQueryUpTo(500);

/**
 * The query of a list answered whole in one page (`next_cursor` always null): it takes no
 * fields, so any sent is refused (ADR 0036) rather than read as a filter it does not apply.
 */
export const wholeListQuery = z.object({}).strict();
export type WholeListQuery = z.infer<typeof wholeListQuery>;

/** An opaque cursor: base64url of the JSON position after the last item of the previous page. */
export const cursorQuery = z.string().min(1).max(512).optional();

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/**
 * The position after which a page starts: none without a cursor; a cursor this API did not
 * make is refused (422), never read as the first page.
 */
export function positionAfter<T>(cursor: string | undefined, shape: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined;
  const position = decodeCursor(cursor, shape);
  if (position === undefined) {
    throw new ValidationException(
      ValidationExceptionCode.VALIDATION_FAILED,
      'cursor: not a cursor of this list',
    );
  }
  return position;
}

/** The position a cursor names, or undefined when it is not one this API made. */
export function decodeCursor<T>(cursor: string, shape: z.ZodType<T>): T | undefined {
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    // PostgreSQL text cannot hold NUL: no cursor of ours has one, and the query would fail (500).
    if (!parsed.success || JSON.stringify(parsed.data).includes('\\u0000')) return undefined;
    return parsed.data;
  } catch {
    return undefined;
  }
}

/** A list answer (DESIGN 5): a page of items and the cursor of the next, or null at the end. */
export interface Page<T> {
  readonly items: T[];
  readonly next_cursor: string | null;
}

/** Cuts the extra row a store read past the page: its presence says there is a next page. */
export function pageOf<R, T>(
  rows: R[],
  limit: number,
  present: (row: R) => T,
  positionOf: (row: R) => unknown,
): Page<T> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(present),
    next_cursor: rows.length > limit && last !== undefined ? encodeCursor(positionOf(last)) : null,
  };
}
